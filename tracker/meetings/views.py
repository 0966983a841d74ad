"""Meetings, their .ics file, and minutes: drafting, sending, approving, refusing, comparing."""
from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import can_view_case
from tracker.errors import Conflict, DomainError, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.i18n import gettext as _
from tracker.meetings import queries, services
from tracker.meetings.diff import diff_versions
from tracker.meetings.forms import (
    ApproveForm,
    CancelMeetingForm,
    MeetingForm,
    MeetingsPanelForms,
    MinutesForm,
    RefuseForm,
    attendance_form,
    panel_forms,
    utc_to_local_naive,
)
from tracker.meetings.ics import meeting_ics
from tracker.meetings.models import Meeting, Minutes, MinutesVersion
from tracker.meetings.policy import can_draft_minutes, can_manage_meetings
from tracker.procedure.stages import stage_label
from tracker.web.access import Permission, authenticated, current_actor, load_or_404, requires
from tracker.web.forms import CsrfForm, apply_domain_error

bp = Blueprint("meetings", __name__)


def _in_visible_case(user: User, meeting: Meeting) -> bool:
    case = db.session.get(Case, meeting.case_id)
    return case is not None and can_view_case(user, case)


def _version_in_visible_case(user: User, version: MinutesVersion) -> bool:
    minutes = db.session.get(Minutes, version.minutes_id)
    case = db.session.get(Case, minutes.case_id) if minutes is not None else None
    return case is not None and can_view_case(user, case)


def _load(meeting_id: int) -> tuple[Meeting, Case]:
    meeting = load_or_404(Meeting, meeting_id, _in_visible_case)
    case = db.session.get(Case, meeting.case_id)
    assert case is not None
    return meeting, case


def _load_version(version_id: int) -> tuple[MinutesVersion, Meeting, Case]:
    version = load_or_404(MinutesVersion, version_id, _version_in_visible_case)
    meeting, case = _load(version.minutes.meeting_id)
    return version, meeting, case


def _meeting_url(meeting: Meeting) -> str:
    return url_for("meetings.detail", meeting_id=meeting.id)


@dataclass(frozen=True)
class _PanelForms:
    meetings: MeetingsPanelForms


@dataclass(frozen=True)
class _ListPage:
    """What templates/meetings/_case_panel.html reads (`page`), on the case's meetings page."""

    meetings: queries.MeetingsPanel
    forms: _PanelForms


# --- meetings --------------------------------------------------------------------------------

@bp.get("/cases/<int:case_id>/meetings")
@authenticated
def case_meetings(case_id: int) -> str:
    case = load_or_404(Case, case_id, can_view_case)
    panel = queries.panel(current_actor(), case)
    page = _ListPage(meetings=panel, forms=_PanelForms(meetings=panel_forms(panel)))
    return render_template("meetings/list.html", case=case, page=page)


def _render_form(form: MeetingForm, case: Case, meeting: Meeting | None, status: int) -> tuple[str, int]:
    back = _meeting_url(meeting) if meeting else url_for("cases.detail", case_id=case.id)
    return render_template("meetings/form.html", form=form, case=case, meeting=meeting, back_url=back), status


@bp.route("/cases/<int:case_id>/meetings/new", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def schedule(case_id: int) -> Response | tuple[str, int]:
    user = current_actor()
    case = load_or_404(Case, case_id, can_view_case)
    if not can_manage_meetings(user, case):
        abort(403)
    form = MeetingForm()
    if request.method == "GET":
        return _render_form(form, case, None, 200)
    if not form.validate_on_submit():
        return _render_form(form, case, None, 400)
    try:
        meeting = services.schedule_meeting(user, case, **form.values())
    except DomainError as error:  # invalid input, or the procedure's timing rule (a gate, a deadline)
        apply_domain_error(form, error)
        return _render_form(form, case, None, error.status_code)
    flash(_("Mötet är planerat."), "success")
    return redirect(_meeting_url(meeting))


def _render_detail(meeting: Meeting, case: Case, *, approve_form: ApproveForm | None = None,
                   refuse_form: RefuseForm | None = None, submit_error: str | None = None,
                   status: int = 200) -> tuple[str, int]:
    view = queries.meeting_view(current_actor(), meeting, case)
    if view.may_sign and view.current is not None:
        approve_form = approve_form or ApproveForm(prefix="approve", formdata=None)
        refuse_form = refuse_form or RefuseForm(prefix="refuse", formdata=None)
        approve_form.sha256.data = view.current.sha256
        refuse_form.sha256.data = view.current.sha256
    return render_template(
        "meetings/detail.html", meeting=meeting, case=case, view=view, minutes=view.minutes,
        current=view.current, submit_error=submit_error, approve_form=approve_form, refuse_form=refuse_form,
        cancel_form=CancelMeetingForm(formdata=None), stage_label=stage_label,
        back_url=url_for("cases.detail", case_id=case.id),
    ), status


@bp.get("/meetings/<int:meeting_id>")
@authenticated
def detail(meeting_id: int) -> tuple[str, int]:
    meeting, case = _load(meeting_id)
    return _render_detail(meeting, case)


@bp.get("/meetings/<int:meeting_id>.ics")
@authenticated
def ics(meeting_id: int) -> Response:
    meeting, case = _load(meeting_id)
    body = meeting_ics(meeting, case_label=case.diary_number,
                       description=", ".join(stage_label(code) for code in meeting.stages or []))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{case.diary_number}-meeting-{meeting.id}.ics"'
    return response


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def edit(meeting_id: int) -> Response | tuple[str, int]:
    user = current_actor()
    meeting, case = _load(meeting_id)
    if not can_manage_meetings(user, case):
        abort(403)
    if request.method == "GET":
        form = MeetingForm(formdata=None, title=meeting.title, starts_at=utc_to_local_naive(meeting.starts_at),
                           ends_at=utc_to_local_naive(meeting.ends_at), place=meeting.place, link=meeting.link,
                           stages=list(meeting.stages or []))
        return _render_form(form, case, meeting, 200)
    form = MeetingForm()
    if not form.validate_on_submit():
        return _render_form(form, case, meeting, 400)
    try:
        services.update_meeting(user, meeting, **form.values())
    except DomainError as error:
        apply_domain_error(form, error)
        return _render_form(form, case, meeting, error.status_code)
    flash(_("Mötet är ändrat."), "success")
    return redirect(_meeting_url(meeting))


@bp.post("/meetings/<int:meeting_id>/cancel")
@requires(Permission.PROCEDURE_RUN)
def cancel(meeting_id: int) -> Response:
    meeting, _case = _load(meeting_id)
    form = CancelMeetingForm()
    if not form.validate_on_submit():
        abort(400)
    services.cancel_meeting(current_actor(), meeting, form.reason.data or "")
    flash(_("Mötet är inställt."), "success")
    return redirect(_meeting_url(meeting))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def attendance(meeting_id: int) -> Response | tuple[str, int]:
    user = current_actor()
    meeting, case = _load(meeting_id)
    if not can_manage_meetings(user, case):
        abort(403)
    form = attendance_form(meeting, request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            marks = {a.id: getattr(form, f"a{a.id}").data == "1" for a in meeting.attendees}
            try:
                services.record_attendance(user, meeting, marks)
            except ValidationFailed as error:
                form.form_errors.append(error.message)
            else:
                flash(_("Närvaron är registrerad."), "success")
                return redirect(_meeting_url(meeting))
    fields = [(a, getattr(form, f"a{a.id}")) for a in meeting.attendees]
    return render_template("meetings/attendance.html", form=form, fields=fields, meeting=meeting, case=case,
                           back_url=_meeting_url(meeting)), status


# --- minutes ---------------------------------------------------------------------------------

def _render_minutes_form(form: MinutesForm, meeting: Meeting, case: Case, minutes: Minutes | None,
                         status: int) -> tuple[str, int]:
    current = minutes.current_version if minutes else None
    return render_template("meetings/minutes_form.html", form=form, meeting=meeting, case=case, minutes=minutes,
                           current=current, back_url=_meeting_url(meeting)), status


def _save_minutes(user: User, meeting: Meeting, case: Case, minutes: Minutes | None,
                  form: MinutesForm) -> Response | tuple[str, int]:
    if minutes is not None and minutes.is_locked:
        # A crafted POST against approved minutes: refuse, change nothing.
        services.save_minutes(user, meeting, form.body.data or "")  # raises Conflict
    current = minutes.current_version if minutes else None
    current_number = str(current.number) if current else "0"
    if form.base_version.data and form.base_version.data != current_number:
        form.body.errors = [*form.body.errors, _(
            "Någon annan har sparat version %(n)s medan du skrev. Din text finns kvar nedan; "
            "jämför med den senaste versionen innan du sparar igen.", n=current_number)]
        form.base_version.data = current_number
        return _render_minutes_form(form, meeting, case, minutes, 409)
    try:
        version = services.save_minutes(user, meeting, form.body.data or "")
    except ValidationFailed as error:
        apply_domain_error(form, error)
        return _render_minutes_form(form, meeting, case, minutes, 400)
    flash(_("Version %(n)d av protokollet är sparad.", n=version.number), "success")
    return redirect(_meeting_url(meeting))


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@authenticated
def minutes_edit(meeting_id: int) -> Response | tuple[str, int]:
    user = current_actor()
    meeting, case = _load(meeting_id)
    if not can_draft_minutes(user, case):
        abort(403)
    minutes = queries.minutes_of(meeting)
    if request.method == "GET":
        current = minutes.current_version if minutes else None
        form = MinutesForm(formdata=None, body=current.body if current else "",
                           base_version=str(current.number) if current else "0")
        return _render_minutes_form(form, meeting, case, minutes, 200)
    form = MinutesForm()
    if not form.validate_on_submit():
        return _render_minutes_form(form, meeting, case, minutes, 400)
    return _save_minutes(user, meeting, case, minutes, form)


@bp.post("/meetings/<int:meeting_id>/minutes/submit")
@authenticated
def minutes_submit(meeting_id: int) -> Response | tuple[str, int]:
    meeting, case = _load(meeting_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        raise ValidationFailed(_("Spara protokollet innan det skickas för justering."))
    try:
        services.submit_minutes(current_actor(), minutes)
    except (ValidationFailed, Conflict) as error:
        # Shown on the meeting page, next to the button (e.g. a party has no signatory).
        return _render_detail(meeting, case, submit_error=error.message, status=error.status_code)
    flash(_("Protokollet är skickat till justerarna."), "success")
    return redirect(_meeting_url(meeting))


@bp.get("/minutes/versions/<int:version_id>")
@authenticated
def version(version_id: int) -> str:
    version, meeting, case = _load_version(version_id)
    minutes = version.minutes
    signatures = [s for s in queries.signatures_of(minutes) if s.version_id == version.id]
    return render_template("meetings/version.html", version=version, meeting=meeting, case=case,
                           minutes=minutes, signatures=signatures, back_url=_meeting_url(meeting))


@bp.post("/minutes/versions/<int:version_id>/approve")
@requires(Permission.MINUTES_SIGN)
def approve(version_id: int) -> Response | tuple[str, int]:
    version, meeting, case = _load_version(version_id)
    form = ApproveForm(prefix="approve")
    if form.validate_on_submit():
        try:
            services.approve_minutes(current_actor(), version, password=form.password.data or "",
                                     sha256=form.sha256.data or None)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Du har justerat version %(n)d av protokollet.", n=version.number), "success")
            return redirect(_meeting_url(meeting))
    return _render_detail(meeting, case, approve_form=form, status=400)


@bp.post("/minutes/versions/<int:version_id>/refuse")
@requires(Permission.MINUTES_SIGN)
def refuse(version_id: int) -> Response | tuple[str, int]:
    version, meeting, case = _load_version(version_id)
    form = RefuseForm(prefix="refuse")
    if form.validate_on_submit():
        try:
            services.refuse_minutes(current_actor(), version, password=form.password.data or "",
                                    objection=form.objection.data or "", sha256=form.sha256.data or None)
        except ValidationFailed as error:
            apply_domain_error(form, error)
        else:
            flash(_("Din invändning mot version %(n)d är registrerad.", n=version.number), "success")
            return redirect(_meeting_url(meeting))
    return _render_detail(meeting, case, refuse_form=form, status=400)


def _version_number(name: str, default: int) -> int:
    value = request.args.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        return -1


@bp.get("/meetings/<int:meeting_id>/minutes/diff")
@authenticated
def diff(meeting_id: int) -> tuple[str, int]:
    meeting, case = _load(meeting_id)
    minutes = queries.minutes_of(meeting)
    if minutes is None:
        raise NotFound()
    versions = queries.versions_of(minutes)
    by_number = {v.number: v for v in versions}
    old_n, new_n = _version_number("from", max(1, len(versions) - 1)), _version_number("to", len(versions))
    if old_n not in by_number or new_n not in by_number:
        error = _("Välj två versioner som finns (1–%(n)d).", n=len(versions))
        return render_template("meetings/diff.html", meeting=meeting, case=case, versions=versions, rows=None,
                               old=None, new=None, error=error, back_url=_meeting_url(meeting)), 400
    old, new = by_number[old_n], by_number[new_n]
    return render_template("meetings/diff.html", meeting=meeting, case=case, versions=versions,
                           rows=diff_versions(old, new), old=old, new=new, error=None,
                           back_url=_meeting_url(meeting)), 200
