"""The transaction boundary of every request (Indico's `RH.process`): the view runs, then the
request's one commit, or a rollback.

- A view that returns a response below 400 (a page, a redirect) commits.
- An exception, or a response of 400 and above (a form with errors, a refused action), rolls back:
  whatever a half-done service flushed is undone.
- A view that must keep something although it fails (a failed login attempt, an audited denial)
  says so with `persist_on_failure()` before it fails.

Views therefore never commit or roll back themselves.
"""
from __future__ import annotations

from typing import Any

from blinker import Namespace
from flask import Flask, Response, g

from tracker import unit_of_work

_PERSIST = "_persist_on_failure"

request_succeeding = Namespace().signal("request-succeeding")
"""Sent (with the app) when a view has succeeded, before the request's one commit and inside its
transaction: a feature adds there what a write means beyond its own service (the notifications of
the tasks the writer just did are done)."""


def persist_on_failure() -> None:
    """Commit this request's changes even if it ends in an error response or an exception."""
    setattr(g, _PERSIST, True)


def _finish(failed: bool) -> None:
    if failed and not g.pop(_PERSIST, False):
        unit_of_work.rollback()
    else:
        unit_of_work.commit()


class TransactionalFlask(Flask):
    """Flask whose `dispatch_request` ends every view with the request's one commit or rollback."""

    def dispatch_request(self) -> Any:
        try:
            response: Response = self.make_response(super().dispatch_request())
        except BaseException:
            _finish(failed=True)
            raise
        failed = response.status_code >= 400
        if not failed:
            try:
                request_succeeding.send(self)
            except BaseException:
                _finish(failed=True)
                raise
        _finish(failed=failed)
        return response


def init_app(app: Flask) -> None:
    """Listen for commits on the app's session (the after-commit queue)."""
    unit_of_work.install()
