"""Time helpers: everything is stored in UTC and shown in the organisation's time zone."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def org_tz() -> ZoneInfo:
    """The organisation's time zone from configuration."""
    name = current_app.config.get("ORG_TIMEZONE", "Europe/Stockholm") if has_app_context() else "Europe/Stockholm"
    return ZoneInfo(name)


def to_local(value: datetime) -> datetime:
    """A UTC datetime in the organisation's time zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(org_tz())


def local_date(value: datetime) -> date:
    """The calendar day of a UTC instant in the organisation's time zone."""
    return to_local(value).date()


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every database (SQLite returns naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
