"""Item 13 of issue 14: every URL of a case the user cannot see answers 404 — exports included —
whatever the method and whichever object of the case the URL names. The URLs come from the
app's url_map, so a new case route is covered the day it is added."""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.documents.conftest import PDF
from tracker.discussion import services as discussion
from tracker.documents import services as documents
from tracker.extensions import db
from tracker.meetings import services as meetings
from tracker.steering.models import Party

# URL arguments that name an object of the case (each filled with that object's id).
CASE_SCOPED = ("case_id", "meeting_id", "version_id", "comment_id", "proposal_id", "document_id")


@pytest.fixture
def world(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr, profile="se-mbl")
    union = factory.user("union_rep")
    factory.member(case, hr, Party.EMPLOYER, role="signatory")
    member = factory.member(case, union, Party.PERSONNEL, role="signatory")
    when = datetime.now(UTC) - timedelta(days=1)
    meeting = meetings.schedule_meeting(hr, case, title="Möte", starts_at=when, ends_at=when + timedelta(hours=1),
                                        place="Rum 1", stages=["early_information"])
    version = meetings.save_minutes(hr, meeting, "§ 1")
    comment = discussion.add_comment(union, case, "early_information", "En kommentar")
    proposal = discussion.submit_counter_proposal(union, case, title="Förslag", body="Annat sätt")
    document = documents.upload(hr, case, stream=io.BytesIO(PDF), filename="a.pdf", title="Underlag",
                                classification="open").document
    db.session.flush()
    return {"case_id": case.id, "meeting_id": meeting.id, "version_id": version.id, "comment_id": comment.id,
            "proposal_id": proposal.id, "document_id": document.id, "member_id": member.id, "request_id": 1,
            "user_id": hr.id, "number": 1, "code": "grounds", "stage": "grounds"}


def case_urls(app, ids):
    """(method, path, endpoint) of every rule that names an object of a case."""
    out = []
    for rule in app.url_map.iter_rules():
        if not set(rule.arguments) & set(CASE_SCOPED):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(ids.get(name, 1)), path)  # other ids: any
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((method, path, rule.endpoint))
    return sorted(out)


@pytest.mark.parametrize("role", ["hr_officer", "union_rep", "decision_maker", "safety_rep"])
def test_every_case_url_answers_404_to_a_user_who_cannot_see_the_case(app, factory, web, world, role):
    outsider = factory.user(role)
    db.session.flush()
    urls = case_urls(app, world)
    assert any(endpoint == "exports.export_case" for _m, _p, endpoint in urls)
    assert len(urls) > 40
    web.login(outsider.email, factory.password)
    token = web.token("/account")
    wrong = []
    for method, path, endpoint in urls:
        if method == "GET":
            response = web.client.get(path)
        else:
            response = web.client.post(path, data={"csrf_token": token, "format": "pdf", "reason": "x" * 20,
                                                   "body": "x", "text": "x"})
        if response.status_code != 404:
            wrong.append((method, path, endpoint, response.status_code))
    assert wrong == [], "\n".join(map(str, wrong))


def test_the_export_of_an_invisible_case_is_404_and_of_a_visible_one_not(factory, web, world):
    outsider = factory.user("hr_officer")
    db.session.flush()
    web.login(outsider.email, factory.password)
    response = web.post(f"/cases/{world['case_id']}/export", {"format": "pdf"})
    assert response.status_code == 404
    missing = web.post("/cases/999999/export", {"format": "pdf"})
    assert missing.status_code == 404
