"""The one error summary: every page that renders a failed form opens with the problems, each
linked to its field, and says "Fel:" first in its title."""
import re
from dataclasses import dataclass

from wtforms import Form, StringField
from wtforms.validators import InputRequired

from tracker.cases.models import Case
from tracker.extensions import db
from tracker.web.error_summary import forms_in, summarise


class _Named(Form):
    name = StringField("Namn", [InputRequired("Ange ett namn.")])


def _failed(**data) -> _Named:
    from werkzeug.datastructures import MultiDict

    form = _Named(MultiDict(data))
    form.validate()
    return form


def test_summary_lists_form_and_field_errors_once_each_and_none_for_valid_forms():
    bad = _failed()
    bad.form_errors.append("Något gick fel.")
    good = _failed(name="Anna")
    summary = summarise([good, bad, bad])
    assert summary is not None
    assert summary.form_errors == ("Något gick fel.",)
    assert [(p.field_id, p.label, p.message) for p in summary.fields] == [("name", "Namn", "Ange ett namn.")] * 2
    assert summarise([good]) is None and summarise([]) is None


def test_forms_are_found_at_the_top_and_one_level_down():
    @dataclass
    class Forms:
        create: Form
        other: str = "x"

    a, b, c = _failed(), _failed(), _failed()
    assert list(forms_in({"form": a, "forms": Forms(b), "extra": {"c": c}, "text": "t"})) == [a, b, c]


def test_a_failed_form_page_opens_with_linked_problems_and_an_error_title(factory, web):
    hr = factory.user("hr_officer")
    web.login(hr.email, factory.password)
    response = web.post("/cases/new", {"title": "", "change_kind": "reorganisation", "staff_affected": "-3",
                                       "profile_code": "se-mbl"}, token_from="/cases/new")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert re.search(r"<title>Fel: ", html)
    main = html[html.index('<main'):]
    summary = main[main.index('id="error-summary"'):main.index("</div>")]
    assert main.index('id="error-summary"') < main.index("<h1")  # first in the main content
    assert 'role="alert"' in html[html.index('<main'):html.index('id="error-summary"') + 200]
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary)
    assert ("title", dict(links)["title"]) in links and "Ange en rubrik." in dict(links)["title"]
    for field_id, _text in links:
        assert f'id="{field_id}"' in main  # every link leads to a field on the page
    assert db.session.query(Case).count() == 0
    assert "error-summary" not in web.client.get("/cases/new").get_data(as_text=True)


def test_a_wrong_password_is_one_alert_with_the_message(factory, web):
    user = factory.user("hr_officer")
    response = web.post("/login", {"email": user.email, "password": "wrong"}, token_from="/login")
    html = response.get_data(as_text=True)
    assert html.count('role="alert"') == 1 and "Fel e-postadress eller lösenord." in html
    assert "<title>Fel: " in html
