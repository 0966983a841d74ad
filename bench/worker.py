"""Child process entry: `python -m bench.worker NAME CONTEXT.json OUT.json` runs one measurement."""
from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import env
from bench.result import Result, Skip


@dataclass
class Context:
    run_id: int
    mode: str
    sizes: dict[str, int]
    pg_url: str | None
    sqlite_url: str

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    def app(self, database_url: str, **overrides: Any):
        return env.make_app(database_url, self.run_id, **overrides)

    def require_pg(self) -> str:
        if not self.pg_url:
            raise Skip("PostgreSQL is not available on 127.0.0.1:5432")
        return self.pg_url

    @property
    def data_dir(self) -> Path:
        return env.DATA_DIR


def main() -> int:
    name, ctx_path, out_path = sys.argv[1:4]
    context = Context(**json.loads(Path(ctx_path).read_text()))
    result = Result(name)
    started = time.perf_counter()
    try:
        module = importlib.import_module(f"bench.m_{name}")
        module.run(context, result)
    except Skip as reason:
        result.status = "skipped"
        result.error = str(reason)
    except Exception:  # noqa: BLE001 - a benchmark reports, it does not fail the build
        result.status = "error"
        result.error = traceback.format_exc()
        sys.stderr.write(result.error)
    result.seconds = time.perf_counter() - started
    Path(out_path).write_text(json.dumps(result.to_dict(), default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
