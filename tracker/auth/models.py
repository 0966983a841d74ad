"""Organisations, users and their roles."""
from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class Role(StrEnum):
    HR_OFFICER = "hr_officer"
    DECISION_MAKER = "decision_maker"
    UNION_REP = "union_rep"
    SAFETY_REP = "safety_rep"
    AUDITOR = "auditor"
    ADMIN = "admin"


class OrganisationKind(StrEnum):
    EMPLOYER = "employer"
    UNION = "union"


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(StrEnumType(OrganisationKind, 20), default=OrganisationKind.EMPLOYER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.name}>"


def new_session_token() -> str:
    """A fresh, unguessable session token."""
    return secrets.token_urlsafe(32)


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    # Rotated on logout, password change and deactivation: every cookie that names the old value
    # stops authenticating, which Flask's client-side session cannot do by itself.
    session_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="users", lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select"
    )

    def get_id(self) -> str:
        """Flask-Login stores the session token, not the id, in the cookie."""
        return self.session_token

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        """Every role the user holds."""
        return frozenset(r.role for r in self.role_rows)

    def has_role(self, role: Role | str) -> bool:
        """True when the user holds `role`."""
        return Role(role) in self.roles

    @property
    def primary_role(self) -> Role | None:
        """The first of the user's roles in the canonical order (None without roles)."""
        order = list(Role)
        return min(self.roles, key=order.index) if self.roles else None

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class UserRole(Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(StrEnumType(Role, 30))

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginAttempt(Model):
    """Every login attempt, kept for throttling (per account and per address) and review."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
