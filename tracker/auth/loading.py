"""Loader options for the people a page shows by name only (the author of a comment, whoever
started a stage): the user's id and name, without the organisation and the roles that come along
by default. Anything else read on such a user loads on access."""
from __future__ import annotations

from sqlalchemy.orm import lazyload, load_only
from sqlalchemy.orm.strategy_options import _AbstractLoad

from tracker.auth.models import User

# For `defaultload(Model.user).options(*NAME_ONLY)` (typed as the loader chains `options` takes).
NAME_ONLY: tuple[_AbstractLoad, ...] = (load_only(User.id, User.name), lazyload(User.organisation),
                                        lazyload(User.role_rows))
