"""Demo data: steering groups, comments, a counter-proposal with its answer and a co-signed
risk assessment for the demo cases (made by the cases step)."""
from __future__ import annotations

from collections.abc import Sequence

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.demo.context import DEMO_PASSWORD, DemoContext
from tracker.discussion import services as discussion
from tracker.procedure.stages import STAGES, stage_index
from tracker.risk import services as risk
from tracker.steering import services as steering
from tracker.steering.models import MemberRole, Party
from tracker.steering.policy import group_takes_new_members

COMMENTS = [
    ("union@example.org", "Vi vill se **underlaget** för bemanningen innan nästa möte.\n\n"
                          "- Schema för hösten\n- Sjukfrånvaro per enhet"),
    ("hr@example.org", "Underlaget skickas ut senast fredag. Se även [kommunens riktlinjer](https://example.org/riktlinjer)."),
    ("safety@example.org", "Arbetsmiljön vid flytten behöver bedömas *innan* beslut."),
]


def _ensure_member(case: Case, user: User | None, party: str, role: str, units: Sequence[str] = ()) -> None:
    # A decided case's group was formed before its decision (cases.py); it takes no one new.
    if user is None or not group_takes_new_members(case) or steering.current_membership(case, user) is not None:
        return
    steering.add_member(case.responsible_hr, case, user, party=party, role=role, units=list(units))


def _stage_reached(case: Case, code: str) -> bool:
    return case.current_stage in STAGES and stage_index(case.current_stage) >= stage_index(code)


def load(context: DemoContext) -> None:
    users = context.users
    cases = context.open_cases()
    for n, case in enumerate(cases):
        units = case.unit_names
        _ensure_member(case, case.responsible_hr, Party.EMPLOYER, MemberRole.CHAIR)
        _ensure_member(case, users.get("decision@example.org"), Party.EMPLOYER, MemberRole.SIGNATORY)
        _ensure_member(case, users.get("union@example.org"), Party.PERSONNEL, MemberRole.SIGNATORY, units)
        _ensure_member(case, users.get("safety@example.org"), Party.PERSONNEL, MemberRole.SAFETY_REPRESENTATIVE)
        if n % 2 == 0:
            _ensure_member(case, users.get("union2@example.org"), Party.PERSONNEL, MemberRole.MEMBER, units[:1])

        stage = case.current_stage if case.current_stage in STAGES else STAGES[0]
        for email, text in COMMENTS:
            author = users.get(email)
            if author is not None and (steering.current_membership(case, author) is not None
                                       or author.id == case.responsible_hr_id):
                discussion.add_comment(author, case, stage, text)

    # One case with a counter-proposal answered by the employer, and another still open.
    union, safety = users.get("union@example.org"), users.get("safety@example.org")
    open_cases = [c for c in cases if not _stage_reached(c, "closing")]
    if open_cases and union is not None:
        case = open_cases[0]
        proposal = discussion.submit_counter_proposal(
            union, case, title="Behåll två arbetslag",
            body="Vi föreslår att arbetslagen behålls men delar på lokalerna under en övergångsperiod.")
        discussion.answer_counter_proposal(
            case.responsible_hr, proposal,
            "Förslaget prövas för hösten; lokalfrågan avgörs vid utvärderingen i januari.")

    # A risk assessment co-signed by safety@example.org (and an objection) in the most advanced case.
    if cases and safety is not None:
        case = max(cases, key=lambda c: stage_index(c.current_stage) if c.current_stage in STAGES else 0)
        assessment = risk.assessment_for(case) or risk.create_assessment(
            case.responsible_hr, case,
            summary="Risk för hög arbetsbelastning under flytten. Åtgärd: extra bemanning vecka 1–4.")
        if not assessment.is_cosigned:
            risk.cosign(safety, assessment, password=DEMO_PASSWORD)
        if union is not None:
            risk.add_objection(union, assessment, "Ensamarbete kvällstid är inte bedömt.")
