"""Reads for the export pages: the case-page panel and the auditor's overview of cases."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select

from tracker.auth.models import User
from tracker.cases.models import Case
from tracker.cases.policy import visible_cases
from tracker.exports import policy
from tracker.exports.labels import FORMAT_LABELS
from tracker.exports.services import FORMATS
from tracker.extensions import db
from tracker.timeutil import org_tz

OVERVIEW_LIMIT = 500


@dataclass(frozen=True)
class ExportFormat:
    """One export button: the format code and its label."""

    code: str
    label: str


@dataclass(frozen=True)
class ExportsPanel:
    """The case page's export panel: shown only to those who may export the case."""

    case_id: int
    can_export: bool
    formats: tuple[ExportFormat, ...]


def panel(user: User, case: Case) -> ExportsPanel:
    """The export panel of `case` for `user` (the policy's queries only)."""
    allowed = policy.can_export(user, case)
    formats = tuple(ExportFormat(code, str(FORMAT_LABELS[code])) for code in FORMATS) if allowed else ()
    return ExportsPanel(case_id=case.id, can_export=allowed, formats=formats)


@dataclass(frozen=True)
class CaseFilters:
    """The overview's filters ("" or None: any)."""

    profile: str = ""
    status: str = ""
    non_compliance: str = ""
    registered_from: date | None = None
    registered_to: date | None = None


@dataclass(frozen=True)
class Overview:
    """The cases matching the filters (at most OVERVIEW_LIMIT, newest first) and how many match."""

    cases: list[Case]
    total: int


def filtered_cases(user: User, filters: CaseFilters) -> Select[Any]:
    """The cases `user` may see that match `filters` (registration days in the organisation's zone)."""
    query = visible_cases(user)
    if filters.profile:
        query = query.where(Case.profile_code == filters.profile)
    if filters.status:
        query = query.where(Case.status == filters.status)
    if filters.non_compliance in ("yes", "no"):
        query = query.where(Case.non_compliance.is_(filters.non_compliance == "yes"))
    tz = org_tz()
    if filters.registered_from:
        query = query.where(Case.created_at >= datetime.combine(filters.registered_from, time.min, tz))
    if filters.registered_to:
        end = datetime.combine(filters.registered_to + timedelta(days=1), time.min, tz)
        query = query.where(Case.created_at < end)
    return query


def overview(user: User, filters: CaseFilters) -> Overview:
    """The overview page's cases (two queries)."""
    query = filtered_cases(user, filters)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    cases = db.session.execute(
        query.order_by(Case.created_at.desc(), Case.id.desc()).limit(OVERVIEW_LIMIT)).scalars().unique().all()
    return Overview(list(cases), total)


def bulk_cases(user: User, filters: CaseFilters, limit: int) -> list[Case]:
    """Up to `limit + 1` matching cases by diary number (one more tells the caller there are too many)."""
    return list(db.session.execute(
        filtered_cases(user, filters).order_by(Case.diary_number).limit(limit + 1)).scalars().unique().all())
