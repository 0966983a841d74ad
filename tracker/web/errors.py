"""Domain errors and HTTP errors mapped once to friendly pages in the user's language."""
from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.errors import DomainError
from tracker.extensions import db
from tracker.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)

TITLES = {
    400: _l("Felaktig begäran"),
    403: _l("Åtkomst nekad"),
    404: _l("Sidan hittades inte"),
    405: _l("Metoden är inte tillåten"),
    409: _l("Åtgärden kan inte utföras nu"),
    413: _l("Filen är för stor"),
    429: _l("För många försök"),
    500: _l("Ett fel uppstod"),
    503: _l("Tjänsten är inte tillgänglig just nu"),
    507: _l("Lagringsutrymmet är fullt"),
}

EXPLANATIONS = {
    400: _l("Begäran kunde inte tolkas. Gå tillbaka och försök igen."),
    403: _l("Du har inte behörighet till den här sidan."),
    404: _l("Sidan finns inte, eller så har du inte tillgång till den."),
    405: _l("Den här åtgärden kan inte göras på det sättet."),
    409: _l("Åtgärden stoppades av en regel i förfarandet."),
    413: _l("Filen överskrider den tillåtna storleken."),
    429: _l("Du har gjort för många försök. Vänta en minut och försök igen."),
    500: _l("Något gick fel hos oss. Felet är loggat; försök igen senare."),
    503: _l("Tjänsten kan inte ta emot ändringar just nu. Försök igen senare."),
    507: _l("Det finns inte utrymme att spara mer. Försök igen senare."),
}


def render_error(status: int, message: str | None = None, reasons: list[str] | None = None):
    status_key = status if status in TITLES else (500 if status >= 500 else 400)
    return (
        render_template(
            "errors/error.html",
            status=status,
            title=TITLES[status_key],
            explanation=message or EXPLANATIONS[status_key],
            reasons=reasons or [],
        ),
        status,
    )


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return render_error(error.status_code, error.message or None, getattr(error, "reasons", None))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, str(_l(
            "Formuläret har gått ut eller saknar säkerhetstoken. Ladda om sidan och försök igen.")))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code and error.code < 400:
            return error
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        # The boundary rolled back the view's work; a failed commit leaves the session to reset
        # before the error page (its header) reads anything.
        db.session.rollback()
        log.exception("Unhandled error on %s %s", request.method, request.path)
        if app.config.get("PROPAGATE_EXCEPTIONS_IN_TESTS"):
            raise error
        return render_error(500)
