"""The case page's documents panel: paged in the database (newest 20), the same rows as the full list."""
from __future__ import annotations

import re

from sqlalchemy import select

from tests.documents.conftest import PDF, upload
from tracker.documents import queries
from tracker.documents.models import Document
from tracker.documents.policy import case_access
from tracker.extensions import db


def _mixed(world):
    upload(world, PDF, title="Öppet", classification="open")
    upload(world, PDF, title="Internt", classification="internal")
    upload(world, PDF, title="Hemligt med läsare", classification="secret", readers=[world.reader])
    upload(world, PDF, title="Hemligt av medlem", classification="secret", actor=world.hr)


def test_visible_clause_agrees_with_is_visible_for_everyone(world):
    _mixed(world)
    documents = list(db.session.execute(select(Document).order_by(Document.id)).scalars())
    for name, person in world.people().items():
        access = case_access(person, world.case)
        expected = [d.id for d in documents if access.is_visible(d)]
        in_sql = list(db.session.execute(
            select(Document.id).where(access.visible_clause()).order_by(Document.id)).scalars())
        assert in_sql == expected, name
        entries, _access = queries.case_listing(person, world.case)
        panel, _access, total = queries.case_panel_listing(person, world.case)
        assert [(e.document.id, e.redacted, e.reason) for e in panel] == \
               [(e.document.id, e.redacted, e.reason) for e in entries], name
        assert total == len(entries)


def test_panel_shows_the_newest_twenty_and_the_list_page_all(web, factory, world):
    for i in range(23):
        upload(world, PDF, title=f"Bilaga {i:02d}", classification="internal")
    web.login(world.hr.email, factory.password)
    html = web.client.get(f"/cases/{world.case.id}").get_data(as_text=True)
    shown = re.findall(r"Bilaga (\d\d)", html)
    assert shown == [f"{i:02d}" for i in range(3, 23)]  # the newest 20, oldest first
    assert "Visar de 20 senaste av 23 dokument." in html
    html = web.client.get(f"/cases/{world.case.id}/documents").get_data(as_text=True)
    assert re.findall(r"Bilaga (\d\d)", html) == [f"{i:02d}" for i in range(23)]
    assert "Visar de" not in html


def test_panel_costs_the_same_queries_for_few_and_many_documents(app, world, count_queries):
    def count(limit):
        db.session.expire_all()
        with count_queries() as statements:
            queries.case_panel_listing(world.hr, world.case, limit)
        return len(statements)

    upload(world, PDF, title="Ett", classification="internal")
    few = count(2)
    for i in range(4):
        upload(world, PDF, title=f"Fler {i}", classification="internal")
    assert count(2) == few
    for i in range(4):
        upload(world, PDF, title=f"Ännu fler {i}", classification="internal")
    assert count(2) == few


def test_the_case_page_panel_costs_the_same_queries_for_few_and_many_documents(app, world, count_queries):
    from tracker.documents.queries import panel

    def count() -> int:
        db.session.expire_all()
        with count_queries() as statements:
            built = panel(world.hr, world.case)
        assert built.can_upload and built.reader_choices  # the upload form's readers are part of it
        return len(statements)

    upload(world, PDF, title="Ett", classification="internal")
    few = count()
    for i in range(25):
        upload(world, PDF, title=f"Fler {i}", classification=("open", "internal", "secret")[i % 3],
               readers=[world.reader])
    assert count() == few


def test_the_partial_shows_only_the_page_it_is_given(app, world):
    """`documents/_case_panel.html` reads `page.documents` and `page.forms.documents`, nothing else."""
    from types import SimpleNamespace

    from flask import render_template

    from tracker.documents.forms import panel_forms
    from tracker.documents.queries import panel

    upload(world, PDF, title="Öppen plan", classification="open")
    upload(world, PDF, title="Hemlig budget", classification="secret", readers=[world.reader])
    for person, sees_secret_title, offers_upload in [(world.hr, True, True), (world.auditor, False, False),
                                                     (world.member, False, False)]:
        built = panel(person, world.case)
        with app.test_request_context():
            page = SimpleNamespace(documents=built, forms=SimpleNamespace(documents=panel_forms(built)))
            html = render_template("documents/_case_panel.html", page=page)
        assert "Öppen plan" in html
        assert ("Hemlig budget" in html) is sees_secret_title
        assert (f'action="/cases/{world.case.id}/documents"' in html) is offers_upload
