"""The demo data for tests: loaded once per database through every feature's services, then
copied back into each test's empty database in milliseconds."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from sqlalchemy import text

from tracker.extensions import db


class DemoSnapshot:
    """The demo data loaded once per database, then copied back for each test.

    Loading the demo through every feature's services takes seconds; copying its rows takes
    milliseconds. The snapshot holds every table's rows, the instance directory (document store,
    document key, audit signing key) and how to find the DemoContext's objects again.
    """

    def __init__(self, context, instance_dir: Path) -> None:
        from tests.conftest import raw_connection

        with raw_connection() as conn:
            self.rows = {table.name: [dict(row._mapping) for row in conn.execute(table.select())]
                         for table in db.metadata.sorted_tables}
        self.instance = Path(tempfile.mkdtemp(prefix="samverkan-demo-instance-"))
        shutil.copytree(instance_dir, self.instance, dirs_exist_ok=True)
        self.context_refs = {
            name: {key: self._ref(value) for key, value in getattr(context, name).items()}
            for name in vars(context) if isinstance(getattr(context, name), dict)
        }

    @staticmethod
    def _ref(value):
        identity = getattr(value, "id", None)
        if identity is not None and hasattr(type(value), "__table__"):
            return ("model", type(value), identity)
        return ("value", value)

    def restore(self, instance_dir: Path):
        """Copy the rows and files back into the (empty) test database; the DemoContext again."""
        from tests.conftest import raw_connection
        from tracker.demo import DemoContext

        shutil.copytree(self.instance, instance_dir, dirs_exist_ok=True)
        postgresql = db.engine.dialect.name == "postgresql"
        with raw_connection() as conn:
            if postgresql:  # foreign keys (some are circular) are checked by triggers; skip them here
                conn.execute(text("SET LOCAL session_replication_role = replica"))
            for table in db.metadata.sorted_tables:
                if self.rows[table.name]:
                    conn.execute(table.insert(), self.rows[table.name])
            if postgresql:
                for table in db.metadata.sorted_tables:
                    if "id" in table.c and self.rows[table.name]:
                        conn.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                            f"(SELECT MAX(id) FROM \"{table.name}\"))"))
                # In a rolled-back test the transaction goes on: foreign keys are checked again.
                conn.execute(text("SET LOCAL session_replication_role = DEFAULT"))
        context = DemoContext()
        for name, refs in self.context_refs.items():
            target = getattr(context, name)
            for key, ref in refs.items():
                target[key] = db.session.get(ref[1], ref[2]) if ref[0] == "model" else ref[1]
        return context


_snapshots: dict[str, DemoSnapshot] = {}


def demo_context(app):
    """Fill the test's (empty) database with the demo data; the DemoContext of its objects."""
    from tracker.demo import load_demo

    instance_dir = Path(app.config["INSTANCE_DIR"])
    key = str(db.engine.engine.url)  # db.engine is the test's connection in a rolled-back test
    if key in _snapshots:
        context = _snapshots[key].restore(instance_dir)
    else:
        context = load_demo()
        db.session.commit()
        _snapshots[key] = DemoSnapshot(context, instance_dir)
    # End the read transaction, so another thread (a live server) can write (SQLite locks the file).
    db.session.commit()
    return context
