"""Demo cases in different stages under both profiles, built through the real services:
one with an overdue evaluation, one decided with an override (a non-compliance), one locked by
a pending central negotiation, one archived."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tracker.cases.models import Case
from tracker.cases.services import assign_decision_maker, open_case
from tracker.demo.context import DEMO_PASSWORD, DemoContext
from tracker.meetings import services as meetings
from tracker.procedure import deadlines as dl
from tracker.procedure import services as ps
from tracker.risk import services as risk
from tracker.steering import services as steering
from tracker.steering.models import MemberRole, Party


def _now() -> datetime:
    return datetime.now(UTC).replace(second=0, microsecond=0)


def _members(context: DemoContext, case: Case, units: list[str]) -> None:
    hr = case.responsible_hr
    for email, party, role, member_units in (
        (hr.email, Party.EMPLOYER, MemberRole.CHAIR, ()),
        ("decision@example.org", Party.EMPLOYER, MemberRole.SIGNATORY, ()),
        ("union@example.org", Party.PERSONNEL, MemberRole.SIGNATORY, units),
        ("safety@example.org", Party.PERSONNEL, MemberRole.SAFETY_REPRESENTATIVE, ()),
        ("union3@example.org", Party.PERSONNEL, MemberRole.MEMBER, units[1:]),
    ):
        user = context.users.get(email)
        if user is not None and steering.current_membership(case, user) is None:
            steering.add_member(hr, case, user, party=party, role=role, units=list(member_units))


def _early(case: Case, *, days_ago: int, proposal: bool = False) -> None:
    hr = case.responsible_hr
    ps.update_stage(hr, case, "early_information",
                    information_given="Information om planerna på arbetsplatsträffar och via intranätet.",
                    information_to="Berörd personal, fackliga företrädare och skyddsombud",
                    information_given_on=(_now() - timedelta(days=days_ago)).date(),
                    proposal_text=("Skriftlig förhandlingsframställan med bakgrund, förslag och tidplan."
                                   if proposal else ""),
                    proposal_delivered_at=(_now() - timedelta(days=days_ago)) if proposal else "keep")


def _risk(context: DemoContext, case: Case) -> None:
    assessment = risk.assessment_for(case) or risk.create_assessment(
        case.responsible_hr, case, summary="Risk- och konsekvensanalys gjord tillsammans med skyddsombudet.")
    if assessment.cosigned_at is None:
        risk.cosign(context.user("safety@example.org"), assessment, password=DEMO_PASSWORD)


NEGOTIATION_MINUTES = """§ 1 Mötet öppnas

§ 2 Grunder, verkningar och alternativ
Arbetsgivaren redogör för grunderna och verkningarna; parterna går igenom alternativen.

§ 3 Mötet avslutas"""


def _negotiation_meeting(context: DemoContext, case: Case, ended_at: datetime) -> None:
    """The negotiation meeting a closing needs (se-mbl): held the day before the end, covering
    grounds, effects and alternatives, its minutes approved by both parties' signatories."""
    hr = case.responsible_hr
    starts = ended_at - timedelta(days=1)
    meeting = meetings.schedule_meeting(hr, case, title="Förhandlingsmöte", starts_at=starts,
                                        ends_at=starts + timedelta(hours=2), place="Stadshuset",
                                        stages=["grounds", "effects", "alternatives"])
    meetings.record_attendance(hr, meeting, {a.id: True for a in meeting.attendees})
    version = meetings.save_minutes(hr, meeting, NEGOTIATION_MINUTES)
    minutes = meetings.minutes_of(meeting)
    assert minutes is not None
    meetings.submit_minutes(hr, minutes)
    for email in ("decision@example.org", "union@example.org"):
        meetings.approve_minutes(context.user(email), version, password=DEMO_PASSWORD, sha256=version.sha256)


def _walk(context: DemoContext, case: Case, until: str, *, ended_at: datetime | None = None,
          end_mode: str = "agreement") -> None:
    """Complete early information .. the stage before `until` (closing included when until=decision)."""
    hr = case.responsible_hr
    ended_at = ended_at or _now() - timedelta(days=1)
    ps.complete_stage(hr, case, "early_information")
    steps = {
        "grounds": lambda: ps.update_stage(hr, case, "grounds", reasons="Budgetramen för nästa år minskar och "
                                           "verksamheten behöver samordnas.",
                                           documents_tabled="Budgetunderlag\nVerksamhetsanalys"),
        "effects": lambda: ps.update_stage(hr, case, "effects", effects_staff="Ändrade scheman och arbetsplatser.",
                                           effects_units="Två arbetslag blir ett.",
                                           effects_conditions="Längre resvägar för vissa."),
        "alternatives": lambda: ps.update_stage(hr, case, "alternatives",
                                                alternatives_considered="Behålla nuvarande organisation; "
                                                "stegvis införande."),
        "closing": lambda: ps.end_negotiation(hr, case, end_mode=end_mode,
                                              ended_at=ended_at,
                                              employer_position="Förändringen genomförs enligt förslaget.",
                                              personnel_position="Personalen vill ha ett stegvis införande."),
    }
    for code in ("grounds", "effects", "alternatives", "closing"):
        if code == until:
            return
        steps[code]()
        if code == "effects":
            _risk(context, case)
        if code == "closing":
            _negotiation_meeting(context, case, ended_at)
        ps.complete_stage(hr, case, code)


def load(context: DemoContext) -> None:
    hr = context.user("hr@example.org")
    hr2 = context.users.get("hr2@example.org") or hr
    dm = context.user("decision@example.org")
    union = context.user("union@example.org")
    now = _now()

    # 1. se-mbl, just registered: early information.
    c1 = open_case(hr, title="Omorganisation av hemtjänsten", description="Hemtjänsten i norr och söder "
                   "samordnas i en gemensam organisation.", change_kind="reorganisation", staff_affected=45,
                   units=["Hemtjänst Norr", "Hemtjänst Söder"], planned_decision_date=(now + timedelta(days=60)).date(),
                   decision_body="Socialnämnden", profile_code="se-mbl")
    _members(context, c1, ["Hemtjänst Norr", "Hemtjänst Söder"])
    assign_decision_maker(hr, c1, dm)  # the decision body, assigned by HR (a case role)

    # 2. fi-municipal lay-offs: proposal delivered 3 days ago, the first meeting possible in 2 days.
    c2 = open_case(hr, title="Lomautukset, kotihoito", description="Kotihoidon määräaikaiset lomautukset.",
                   change_kind="cuts", staff_affected=8, units=["Kotihoito"], may_reduce_staff=True,
                   planned_decision_date=(now + timedelta(days=40)).date(), decision_body="Perusturvalautakunta",
                   profile_code="fi-municipal")
    _members(context, c2, ["Kotihoito"])
    _early(c2, days_ago=3, proposal=True)
    ps.complete_stage(hr, c2, "early_information")

    # 3. se-mbl large merger in alternatives.
    c3 = open_case(hr2 if hr2 is not hr else hr, title="Sammanslagning av centralköket och skolköken",
                   change_kind="merger", staff_affected=30, units=["Centralköket", "Skolköken"], is_large=True,
                   decision_body="Barn- och utbildningsnämnden", profile_code="se-mbl")
    _members(context, c3, ["Centralköket", "Skolköken"])
    _early(c3, days_ago=30)
    _walk(context, c3, "alternatives")

    # 4. se-mbl decided with an override before the negotiation ended: a non-compliance.
    c4 = open_case(hr, title="Ny bemanning, Kulturskolan", change_kind="other", staff_affected=12,
                   units=["Kulturskolan"], decision_body="Kultur- och fritidsnämnden", profile_code="se-mbl")
    _members(context, c4, ["Kulturskolan"])
    _early(c4, days_ago=20)
    _walk(context, c4, "closing")
    ps.register_decision(dm, c4, body="Kultur- och fritidsnämnden", decided_on=(now - timedelta(days=2)).date(),
                         reference="§ 57", summary="Ny bemanning från terminsstart.",
                         override_reason="Terminsstarten kunde inte skjutas upp; förhandlingen slutförs i efterhand.")

    # 5. se-mbl decided seven months ago: the evaluation is overdue.
    c5 = open_case(hr, title="Städorganisation i skolorna", change_kind="outsourcing", staff_affected=20,
                   units=["Skolstäd"], decision_body="Kommunstyrelsen", profile_code="se-mbl")
    _members(context, c5, ["Skolstäd"])
    _early(c5, days_ago=260)
    _walk(context, c5, "decision", ended_at=now - timedelta(days=230))
    decided = dl.add_months(now.date(), -7)
    ps.register_decision(dm, c5, body="Kommunstyrelsen", decided_on=decided, reference="§ 112",
                         summary="Städningen organiseras i egen regi med gemensam ledning.")
    ps.update_stage(hr, c5, "evaluation", plan="Uppföljning efter sex månader.",
                    indicators="Kvalitet, sjukfrånvaro, kostnad")

    # 6. se-mbl ended in disagreement; a timely central negotiation request locks the decision.
    c6 = open_case(hr, title="Utlokalisering av IT-supporten", change_kind="outsourcing", staff_affected=6,
                   units=["IT-support"], decision_body="Kommunstyrelsen", profile_code="se-mbl")
    _members(context, c6, ["IT-support"])
    _early(c6, days_ago=40)
    _walk(context, c6, "decision", ended_at=now - timedelta(days=2), end_mode="disagreement")
    ps.request_central_negotiation(union, c6, note="Vi begär central förhandling enligt 14 § MBL.")

    # 7. fi-municipal without reductions, evaluated and archived.
    c7 = open_case(hr, title="Förändrade öppettider, biblioteket", change_kind="reorganisation", staff_affected=5,
                   units=["Biblioteket"], decision_body="Bildningsnämnden", profile_code="fi-municipal")
    _members(context, c7, ["Biblioteket"])
    _early(c7, days_ago=400)
    _walk(context, c7, "decision", ended_at=now - timedelta(days=360))
    ps.register_decision(dm, c7, body="Bildningsnämnden", decided_on=(now - timedelta(days=355)).date(),
                         reference="§ 23")
    ps.update_stage(hr, c7, "evaluation", plan="Enkät efter sex månader", indicators="Besökare, personalens syn",
                    report="Öppettiderna fungerar; personalen nöjd med schemat.")
    ps.approve_evaluation(hr, c7, approved_on=(now - timedelta(days=150)).date(),
                          minute_reference="Styrnings- och uppföljningsgruppens protokoll § 3")
    ps.archive_case(hr, c7)

    context.cases.update({
        "hemtjanst": c1, "kotihoito": c2, "kok": c3, "kulturskolan": c4, "stad": c5, "it": c6, "bibliotek": c7,
    })
