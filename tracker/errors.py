"""Domain errors raised by services, mapped once to HTTP responses and CLI errors."""
from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class: a rule of the domain refused the action."""

    status_code = 400

    def __init__(self, message: str = "", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(DomainError):
    """Input does not meet the rules; nothing was changed."""

    status_code = 400


class PermissionDenied(DomainError):
    """The actor may not do this (the target is visible to them)."""

    status_code = 403


class NotFound(DomainError):
    """The target does not exist or is invisible to the actor (never reveals which)."""

    status_code = 404


class GateClosed(DomainError):
    """A stage gate is closed; `reasons` lists every reason."""

    status_code = 409

    def __init__(self, message: str = "", reasons: list[str] | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.reasons = reasons or []


class DeadlineNotReached(DomainError):
    """An action before its deadline; `earliest` is the first date it is allowed."""

    status_code = 409

    def __init__(self, message: str = "", earliest: Any = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.earliest = earliest


class Conflict(DomainError):
    """The target changed state (e.g. locked, archived) and the action no longer applies."""

    status_code = 409


class TooManyAttempts(DomainError):
    """Throttled."""

    status_code = 429
