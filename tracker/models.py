"""Every model module, imported so the metadata (and Alembic) sees every table."""
from __future__ import annotations


def import_all() -> None:
    """Import every feature's models (registers their tables on `db.metadata`)."""
    from tracker.audit import models as _audit  # noqa: F401
    from tracker.auth import models as _auth  # noqa: F401
    from tracker.cases import models as _cases  # noqa: F401
    from tracker.discussion import models as _discussion  # noqa: F401
    from tracker.documents import models as _documents  # noqa: F401
    from tracker.meetings import models as _meetings  # noqa: F401
    from tracker.notifications import models as _notifications  # noqa: F401
    from tracker.procedure import models as _procedure  # noqa: F401
    from tracker.risk import models as _risk  # noqa: F401
    from tracker.steering import models as _steering  # noqa: F401
    from tracker.units import models as _units  # noqa: F401
