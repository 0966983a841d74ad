from __future__ import annotations

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """Only the CSRF token, for the mark-read buttons."""
