"""Forms for the risk assessment."""
from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.i18n import lazy_gettext as _l
from tracker.risk.queries import RiskView
from tracker.risk.services import REASON_MIN, SUMMARY_MAX


class AssessmentForm(FlaskForm):
    summary = TextAreaField(_l("Sammanfattning av risk- och konsekvensanalysen"), validators=[
        DataRequired(_l("Skriv en sammanfattning.")), Length(max=SUMMARY_MAX)])
    document_id = IntegerField(_l("Dokumentnummer (valfritt)"), validators=[
        Optional(), NumberRange(min=1, message=_l("Ange ett giltigt dokumentnummer."))])


class CosignForm(FlaskForm):
    password = PasswordField(_l("Ditt lösenord"), validators=[DataRequired(_l("Ange ditt lösenord."))],
                             render_kw={"autocomplete": "current-password"})
    sha256 = HiddenField()  # the hash of what the signer was shown


class ObjectionForm(FlaskForm):
    body = TextAreaField(_l("Invändning"), validators=[
        DataRequired(_l("Skriv invändningen.")), Length(max=SUMMARY_MAX)])


class WaiverForm(FlaskForm):
    reason = TextAreaField(_l("Skäl till att underskrift saknas"), validators=[
        DataRequired(_l("Ange ett skäl.")),
        Length(min=REASON_MIN, max=SUMMARY_MAX, message=_l("Skriv minst %(min)d tecken."))])


_FORMS: dict[str, type[FlaskForm]] = {"create": AssessmentForm, "cosign": CosignForm, "objection": ObjectionForm,
                                      "waiver": WaiverForm}


@dataclass
class RiskForms:
    """The risk page's blank forms, each None where the user may not act (prefix = its name)."""

    create: AssessmentForm | None
    cosign: CosignForm | None
    objection: ObjectionForm | None
    waiver: WaiverForm | None

    @staticmethod
    def submitted(name: str) -> FlaskForm:
        """The named form bound to the request's data."""
        return _FORMS[name](prefix=name)


def _cosign_form(view: RiskView) -> CosignForm:
    form = CosignForm(formdata=None, prefix="cosign")
    form.sha256.data = view.signed.sha256 if view.signed else ""
    return form


def risk_forms(view: RiskView) -> RiskForms:
    """Blank forms for exactly what `view` permits."""
    return RiskForms(
        create=AssessmentForm(formdata=None, prefix="create") if view.can_create else None,
        cosign=_cosign_form(view) if view.can_cosign else None,
        objection=ObjectionForm(formdata=None, prefix="objection") if view.can_object else None,
        waiver=WaiverForm(formdata=None, prefix="waiver") if view.can_waive else None,
    )
