"""Comments (history, visible deletion, safe Markdown) and counter-proposals, through the services."""
from __future__ import annotations

import pytest

from tests.discussion.safe_html import active_content
from tracker.discussion import queries, services
from tracker.discussion.rendering import render_markdown
from tracker.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tracker.extensions import db
from tracker.steering.models import Party


@pytest.fixture
def setup(factory):
    hr = factory.user("hr_officer")
    case = factory.case(hr=hr)
    union = factory.user("union_rep")
    safety = factory.user("safety_rep")
    factory.member(case, union, Party.PERSONNEL)
    factory.member(case, safety, Party.PERSONNEL, role="safety_representative")
    return hr, case, union, safety


def test_member_and_hr_comment_outsider_refused(factory, setup):
    hr, case, union, _ = setup
    c1 = services.add_comment(union, case, "grounds", "Vi **stöder** förslaget.")
    c2 = services.add_comment(hr, case, "grounds", "Tack.")
    db.session.commit()
    assert [c.id for c in queries.case_comments(case, "grounds")] == [c1.id, c2.id]
    assert queries.case_comments(case, "effects") == []
    outsider = factory.user("union_rep")
    with pytest.raises(PermissionDenied):
        services.add_comment(outsider, case, "grounds", "Hej")
    with pytest.raises(NotFound):
        services.add_comment(union, case, "nonsense", "Hej")
    with pytest.raises(ValidationFailed):
        services.add_comment(union, case, "grounds", "   ")
    with pytest.raises(ValidationFailed):
        services.add_comment(union, case, "grounds", "x" * (services.COMMENT_MAX + 1))


def test_edit_keeps_history_and_delete_leaves_trace(setup):
    hr, case, union, safety = setup
    c = services.add_comment(union, case, "effects", "Första versionen")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.edit_comment(safety, c, "Kapad")
    services.edit_comment(union, c, "Andra versionen")
    db.session.commit()
    services.edit_comment(union, c, "Tredje versionen")
    db.session.commit()
    assert c.body == "Tredje versionen" and c.edited_at is not None
    assert [r.body for r in queries.revisions_of(c)] == ["Första versionen", "Andra versionen"]
    with pytest.raises(PermissionDenied):
        services.withdraw_comment(safety, c)
    with pytest.raises(PermissionDenied):  # the employer never removes the personnel side's statement
        services.withdraw_comment(hr, c)
    assert not c.is_deleted
    services.withdraw_comment(union, c)
    db.session.commit()
    assert c.is_deleted and c.deleted_by_id == union.id
    assert queries.case_comments(case, "effects")[0].id == c.id  # still listed (as a trace)
    assert [r.body for r in queries.revisions_of(c)][-1] == "Tredje versionen"
    with pytest.raises(Conflict):
        services.edit_comment(union, c, "Efteråt")
    with pytest.raises(Conflict):
        services.withdraw_comment(union, c)


def test_author_withdraws_own(setup):
    _, case, union, _ = setup
    c = services.add_comment(union, case, "effects", "Ångrar mig")
    services.withdraw_comment(union, c)
    db.session.commit()
    assert c.deleted_by_id == union.id


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "[klicka](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="#" onclick="alert(1)">x</a>',
    "[x](JaVaScRiPt:alert(1))",
    "<iframe src=//evil></iframe>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
])
def test_markdown_never_emits_active_content(source):
    html = str(render_markdown(source))
    assert active_content(html) == []
    assert active_content('<img src=x onerror=alert(1)>') == ["<img>", "img[onerror]"]  # the scanner works


def test_markdown_subset_renders():
    html = str(render_markdown("**fet** *kursiv* `kod`\n\n- a\n- b\n\n[länk](https://example.org)\n\n# rubrik"))
    assert "<strong>fet</strong>" in html and "<em>kursiv</em>" in html and "<code>kod</code>" in html
    assert "<ul>" in html and "<li>a</li>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">länk</a>' in html
    assert "<h1" not in html  # headings disabled: page heading order stays intact


def test_counter_proposal_lifecycle(factory, setup):
    hr, case, union, safety = setup
    p = services.submit_counter_proposal(union, case, title="Behåll enheten", body="Vi föreslår ...")
    db.session.commit()
    assert queries.open_counter_proposals(case) == [p]
    with pytest.raises(PermissionDenied):
        services.answer_counter_proposal(union, p, "Ett svar som är tillräckligt långt.")
    with pytest.raises(ValidationFailed) as info:
        services.answer_counter_proposal(hr, p, "Nej.")
    assert info.value.details["field"] == "answer"
    services.answer_counter_proposal(hr, p, "Förslaget avslås eftersom lokalerna säljs.")
    db.session.commit()
    assert queries.open_counter_proposals(case) == []
    assert p.answered_by_id == hr.id
    with pytest.raises(Conflict):
        services.answer_counter_proposal(hr, p, "Förslaget avslås eftersom lokalerna säljs.")
    with pytest.raises(Conflict):
        services.withdraw_counter_proposal(union, p)


def test_counter_proposal_withdrawal_and_rules(factory, setup):
    hr, case, union, safety = setup
    p = services.submit_counter_proposal(safety, case, title="Annat schema", body="Skift")
    db.session.commit()
    with pytest.raises(PermissionDenied):
        services.withdraw_counter_proposal(union, p)
    services.withdraw_counter_proposal(safety, p)
    db.session.commit()
    assert queries.open_counter_proposals(case) == []
    with pytest.raises(Conflict):
        services.answer_counter_proposal(hr, p, "Ett svar som är tillräckligt långt.")
    # Employer side and outsiders cannot submit; empty title refused.
    with pytest.raises(PermissionDenied):
        services.submit_counter_proposal(hr, case, title="x", body="y")
    with pytest.raises(PermissionDenied):
        services.submit_counter_proposal(factory.user("union_rep"), case, title="x", body="y")
    with pytest.raises(ValidationFailed) as info:
        services.submit_counter_proposal(union, case, title=" ", body="y")
    assert info.value.details["field"] == "title"


def test_counter_proposal_refused_after_alternatives(setup):
    _, case, union, _ = setup
    case.current_stage = "closing"  # as if the procedure had moved on (no commit)
    with pytest.raises(Conflict):
        services.submit_counter_proposal(union, case, title="Sent", body="För sent")
    db.session.rollback()
