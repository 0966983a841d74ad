"""A document store that cannot take a write (full, read-only, failing) as one domain error.

The upload services turn the OSError of any store write into `StoreFull` (507) or
`StoreUnavailable` (503); the error pages show its message, and the request's rollback takes the
rows with it, so nothing of the failed upload remains.
"""
from __future__ import annotations

import errno
import logging

from tracker.errors import DomainError
from tracker.i18n import gettext as _

log = logging.getLogger(__name__)

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class StoreUnavailable(DomainError):
    """The document store cannot be written to now (read-only, unreachable, failing)."""

    status_code = 503


class StoreFull(StoreUnavailable):
    """The document store has no space left."""

    status_code = 507


def store_failure(error: OSError) -> StoreUnavailable:
    """The domain error for a failed store write, logged for the operators."""
    log.error("document store write failed: %s", error)
    if error.errno in _FULL:
        return StoreFull(_("Dokumentarkivet är fullt. Dokumentet har inte sparats. "
                           "Försök igen senare eller kontakta systemadministratören."))
    return StoreUnavailable(_("Dokumentarkivet går inte att skriva till just nu. Dokumentet har inte "
                              "sparats. Försök igen senare eller kontakta systemadministratören."))
