"""Meetings, their .ics file, and minutes: drafting, sending, approving, refusing, comparing."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.routing import BuildError

from tracker.access import Permission, authenticated, requires
from tracker.cases.models import Case
from tracker.errors import Conflict, DomainError, NotFound, ValidationFailed
from tracker.extensions import db
from tracker.meetings import services
from tracker.meetings.forms import (
    ApproveForm, CancelMeetingForm, EmptyForm, MeetingForm, MinutesForm, RefuseForm, attendance_form,
    utc_to_local_naive,
)
from tracker.meetings.ics import meeting_ics
from tracker.meetings.models import Meeting, MinutesStatus, MinutesVersion, SignatureDecision
from tracker.meetings.policy import can_draft_minutes, can_manage_meetings, can_sign_minutes
from tracker.procedure.stages import stage_label

bp = Blueprint("meetings", __name__)


def _user():
    return current_user._get_current_object()


def case_url(case: Case) -> str:
    """The case page (or the meetings list of the case while the case page is missing)."""
    try:
        return url_for("cases.detail", case_id=case.id)
    except BuildError:
        return url_for("meetings.case_meetings", case_id=case.id)


def _field_error(form, error: ValidationFailed) -> None:
    name = error.details.get("field")
    field = getattr(form, name, None) if name else None
    if field is not None and hasattr(field, "errors"):
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(error.message)
    else:
        form.form_errors.append(error.message)


# --- template helpers ------------------------------------------------------------------------

@bp.app_template_global()
def meetings_panel(case: Case) -> dict[str, Any]:
    """Everything the case-page panel shows (a fixed number of queries)."""
    user = _user()
    manage = can_manage_meetings(user, case)
    return {
        "summaries": services.case_meeting_summaries(case),
        "can_manage": manage,
        "form": MeetingForm(formdata=None) if manage else None,
        "stage_label": stage_label,
        "case_url": case_url(case),
    }


@bp.app_template_filter("minutes_status_label")
def minutes_status_label(status: str | None) -> str:
    labels = {
        MinutesStatus.DRAFT: _("Utkast"),
        MinutesStatus.AWAITING_APPROVAL: _("Väntar på justering"),
        MinutesStatus.APPROVED: _("Justerat"),
        MinutesStatus.DISPUTED: _("Omtvistat"),
    }
    return labels.get(status, _("Inget protokoll")) if status else _("Inget protokoll")


@bp.app_template_filter("party_label")
def party_label(party: str) -> str:
    return {"employer": _("Arbetsgivaren"), "personnel": _("Personalen")}.get(party, party)


# --- meetings --------------------------------------------------------------------------------

@bp.get("/cases/<int:case_id>/meetings")
@authenticated
def case_meetings(case_id: int):
    case = services.get_case_for(_user(), case_id)
    return render_template("meetings/list.html", case=case, back_url=case_url(case))


@bp.route("/cases/<int:case_id>/meetings/new", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def schedule(case_id: int):
    user = _user()
    case = services.get_case_for(user, case_id)
    if not can_manage_meetings(user, case):
        abort(403)
    form = MeetingForm()
    status = 200
    if form.validate_on_submit():
        try:
            meeting = services.schedule_meeting(user, case, **form.values())
        except ValidationFailed as error:
            db.session.rollback()
            _field_error(form, error)
            status = 400
        except DomainError as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            status = error.status_code
        else:
            db.session.commit()
            flash(_("Mötet är planerat."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    elif request.method == "POST":
        status = 400
    return render_template("meetings/form.html", form=form, case=case, meeting=None,
                           back_url=case_url(case)), status


def _load(meeting_id: int) -> tuple[Meeting, Case]:
    meeting = services.get_meeting_for(_user(), meeting_id)
    return meeting, db.session.get(Case, meeting.case_id)


def _render_detail(meeting: Meeting, case: Case, *, approve_form=None, refuse_form=None, submit_error=None,
                   status: int = 200):
    user = _user()
    minutes = services.minutes_of(meeting)
    versions = services.versions_of(minutes) if minutes else []
    signatures = services.signatures_of(minutes) if minutes else []
    current = minutes.current_version if minutes else None
    signed_current = any(s.signer_id == user.id and s.version_id == (current.id if current else None)
                         and s.voided_at is None for s in signatures)
    may_sign = (minutes is not None and current is not None and not signed_current
                and minutes.status in (MinutesStatus.AWAITING_APPROVAL, MinutesStatus.DISPUTED)
                and can_sign_minutes(user, case))
    if may_sign:
        approve_form = approve_form or ApproveForm(prefix="approve", formdata=None)
        refuse_form = refuse_form or RefuseForm(prefix="refuse", formdata=None)
        approve_form.sha256.data = current.sha256
        refuse_form.sha256.data = current.sha256
    return render_template(
        "meetings/detail.html", meeting=meeting, case=case, minutes=minutes, versions=versions,
        version_numbers={v.id: v.number for v in versions},
        signatures=signatures, current=current, signatories=services.minutes_signatories(case),
        can_manage=can_manage_meetings(user, case), can_draft=can_draft_minutes(user, case),
        may_sign=may_sign, submit_error=submit_error, approve_form=approve_form, refuse_form=refuse_form,
        cancel_form=CancelMeetingForm(formdata=None), empty_form=EmptyForm(formdata=None),
        stage_label=stage_label, back_url=case_url(case), Decision=SignatureDecision, Status=MinutesStatus,
    ), status


@bp.get("/meetings/<int:meeting_id>")
@authenticated
def detail(meeting_id: int):
    meeting, case = _load(meeting_id)
    return _render_detail(meeting, case)


@bp.get("/meetings/<int:meeting_id>.ics")
@authenticated
def ics(meeting_id: int):
    meeting, case = _load(meeting_id)
    body = meeting_ics(meeting, case_label=case.diary_number,
                       description=", ".join(stage_label(code) for code in meeting.stages or []))
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{case.diary_number}-meeting-{meeting.id}.ics"'
    return response


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def edit(meeting_id: int):
    user = _user()
    meeting, case = _load(meeting_id)
    if not can_manage_meetings(user, case):
        abort(403)
    if request.method == "GET":
        form = MeetingForm(formdata=None, title=meeting.title, starts_at=utc_to_local_naive(meeting.starts_at),
                           ends_at=utc_to_local_naive(meeting.ends_at), place=meeting.place, link=meeting.link,
                           stages=list(meeting.stages or []))
    else:
        form = MeetingForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_meeting(user, meeting, **form.values())
            except ValidationFailed as error:
                db.session.rollback()
                _field_error(form, error)
                status = 400
            except DomainError as error:
                db.session.rollback()
                form.form_errors.append(error.message)
                status = error.status_code
            else:
                db.session.commit()
                flash(_("Mötet är ändrat."), "success")
                return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        else:
            status = 400
    return render_template("meetings/form.html", form=form, case=case, meeting=meeting,
                           back_url=url_for("meetings.detail", meeting_id=meeting.id)), status


@bp.post("/meetings/<int:meeting_id>/cancel")
@requires(Permission.PROCEDURE_RUN)
def cancel(meeting_id: int):
    user = _user()
    meeting, case = _load(meeting_id)
    form = CancelMeetingForm()
    if not form.validate_on_submit():
        abort(400)
    services.cancel_meeting(user, meeting, form.reason.data or "")
    db.session.commit()
    flash(_("Mötet är inställt."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
@requires(Permission.PROCEDURE_RUN)
def attendance(meeting_id: int):
    user = _user()
    meeting, case = _load(meeting_id)
    if not can_manage_meetings(user, case):
        abort(403)
    form = attendance_form(meeting, request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            marks = {a.id: getattr(form, f"a{a.id}").data == "1" for a in meeting.attendees}
            try:
                services.record_attendance(user, meeting, marks)
            except ValidationFailed as error:
                db.session.rollback()
                form.form_errors.append(error.message)
                status = 400
            else:
                db.session.commit()
                flash(_("Närvaron är registrerad."), "success")
                return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        else:
            status = 400
    fields = [(a, getattr(form, f"a{a.id}")) for a in meeting.attendees]
    return render_template("meetings/attendance.html", form=form, fields=fields, meeting=meeting, case=case,
                           back_url=url_for("meetings.detail", meeting_id=meeting.id)), status


# --- minutes ---------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/minutes", methods=["GET", "POST"])
@authenticated
def minutes_edit(meeting_id: int):
    user = _user()
    meeting, case = _load(meeting_id)
    if not can_draft_minutes(user, case):
        abort(403)
    minutes = services.minutes_of(meeting)
    current = minutes.current_version if minutes else None
    if request.method == "GET":
        form = MinutesForm(formdata=None, body=current.body if current else "",
                           base_version=str(current.number) if current else "0")
    else:
        form = MinutesForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            if minutes is not None and minutes.is_locked:
                # A crafted POST against approved minutes: refuse, change nothing.
                services.save_minutes(user, meeting, form.body.data)  # raises Conflict
            current_number = str(current.number) if current else "0"
            if form.base_version.data and form.base_version.data != current_number:
                form.body.errors.append(_(
                    "Någon annan har sparat version %(n)s medan du skrev. Din text finns kvar nedan; "
                    "jämför med den senaste versionen innan du sparar igen.", n=current_number))
                form.base_version.data = current_number
                status = 409
            else:
                try:
                    version = services.save_minutes(user, meeting, form.body.data)
                except ValidationFailed as error:
                    db.session.rollback()
                    _field_error(form, error)
                    status = 400
                else:
                    db.session.commit()
                    flash(_("Version %(n)d av protokollet är sparad.", n=version.number), "success")
                    return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        else:
            status = 400
    return render_template("meetings/minutes_form.html", form=form, meeting=meeting, case=case, minutes=minutes,
                           current=current, back_url=url_for("meetings.detail", meeting_id=meeting.id)), status


@bp.post("/meetings/<int:meeting_id>/minutes/submit")
@authenticated
def minutes_submit(meeting_id: int):
    user = _user()
    meeting, case = _load(meeting_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    minutes = services.minutes_of(meeting)
    if minutes is None:
        raise ValidationFailed(_("Spara protokollet innan det skickas för justering."))
    try:
        services.submit_minutes(user, minutes)
    except (ValidationFailed, Conflict) as error:
        # Shown on the meeting page, next to the button (e.g. a party has no signatory).
        db.session.rollback()
        return _render_detail(meeting, case, submit_error=error.message, status=error.status_code)
    db.session.commit()
    flash(_("Protokollet är skickat till justerarna."), "success")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


def _load_version(version_id: int) -> tuple[MinutesVersion, Meeting, Case]:
    version = db.session.get(MinutesVersion, version_id)
    if version is None:
        raise NotFound()
    meeting, case = _load(version.minutes.meeting_id)
    return version, meeting, case


@bp.get("/minutes/versions/<int:version_id>")
@authenticated
def version(version_id: int):
    version, meeting, case = _load_version(version_id)
    minutes = version.minutes
    signatures = [s for s in services.signatures_of(minutes) if s.version_id == version.id]
    return render_template("meetings/version.html", version=version, meeting=meeting, case=case,
                           minutes=minutes, signatures=signatures, versions=services.versions_of(minutes),
                           Decision=SignatureDecision,
                           back_url=url_for("meetings.detail", meeting_id=meeting.id))


@bp.post("/minutes/versions/<int:version_id>/approve")
@requires(Permission.MINUTES_SIGN)
def approve(version_id: int):
    user = _user()
    version, meeting, case = _load_version(version_id)
    form = ApproveForm(prefix="approve")
    if form.validate_on_submit():
        try:
            services.approve_minutes(user, version, password=form.password.data, sha256=form.sha256.data or None)
        except ValidationFailed as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Du har justerat version %(n)d av protokollet.", n=version.number), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return _render_detail(meeting, case, approve_form=form, status=400)


@bp.post("/minutes/versions/<int:version_id>/refuse")
@requires(Permission.MINUTES_SIGN)
def refuse(version_id: int):
    user = _user()
    version, meeting, case = _load_version(version_id)
    form = RefuseForm(prefix="refuse")
    if form.validate_on_submit():
        try:
            services.refuse_minutes(user, version, password=form.password.data, objection=form.objection.data,
                                    sha256=form.sha256.data or None)
        except ValidationFailed as error:
            db.session.rollback()
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Din invändning mot version %(n)d är registrerad.", n=version.number), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return _render_detail(meeting, case, refuse_form=form, status=400)


@bp.get("/meetings/<int:meeting_id>/minutes/diff")
@authenticated
def diff(meeting_id: int):
    meeting, case = _load(meeting_id)
    minutes = services.minutes_of(meeting)
    if minutes is None:
        raise NotFound()
    versions = services.versions_of(minutes)
    by_number = {v.number: v for v in versions}
    try:
        old_n = int(request.args.get("from", "")) if request.args.get("from") else max(1, len(versions) - 1)
        new_n = int(request.args.get("to", "")) if request.args.get("to") else len(versions)
    except ValueError:
        old_n = new_n = -1
    if old_n not in by_number or new_n not in by_number:
        error = _("Välj två versioner som finns (1–%(n)d).", n=len(versions))
        return render_template("meetings/diff.html", meeting=meeting, case=case, versions=versions, rows=None,
                               old=None, new=None, error=error,
                               back_url=url_for("meetings.detail", meeting_id=meeting.id)), 400
    old, new = by_number[old_n], by_number[new_n]
    return render_template("meetings/diff.html", meeting=meeting, case=case, versions=versions,
                           rows=services.diff_versions(old, new), old=old, new=new, error=None,
                           back_url=url_for("meetings.detail", meeting_id=meeting.id))
