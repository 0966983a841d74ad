"""Reading Samverkan's audit events without the application: from an SQLite file, from PostgreSQL
(psycopg when installed, else the `psql` client) or from a CSV export, and recomputing each event's
chain hash (the canonical JSON of docs/audit-format.md, reimplemented here).

A row is the tuple (seq, occurred_at in the hash's spelling, actor_id, actor_name, actor_role,
action, target_type, target_id, case_id, client_address, payload as JSON text, prev_hash, hash).
"""
from __future__ import annotations

import csv
import hashlib
import json
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

Row = tuple[Any, ...]
COLUMNS = ("seq", "occurred_at", "actor_id", "actor_name", "actor_role", "action", "target_type",
           "target_id", "case_id", "client_address", "payload", "prev_hash", "hash")
INT_COLUMNS = ("seq", "actor_id", "case_id")
GENESIS_HASH = "0" * 64

_SQLITE_SQL = f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq"
_PG_TIME = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_PG_SQL = (f"SELECT seq, {_PG_TIME}, actor_id, actor_name, actor_role, action, target_type, target_id, "
           "case_id, client_address, payload::text, prev_hash, hash FROM audit_events ORDER BY seq")
_PSQL_SQL = (f"SELECT json_build_array(seq, {_PG_TIME}, actor_id, actor_name, actor_role, action, target_type, "
             "target_id, case_id, client_address, payload::text, prev_hash, hash) FROM audit_events ORDER BY seq")
_string = json.encoder.encode_basestring
_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode
_FORMULA = re.compile(r"'*[=+\-@\t\r]")


# --- the canonical form (the same as tracker/audit/canonical.py) -----------------------------------

def hash_time(value: Any) -> str:
    """ISO 8601 UTC with microseconds and a Z, from a datetime or a stored text."""
    if isinstance(value, str):
        if len(value) == 27 and value[10] == "T" and value.endswith("Z"):
            return value
        if len(value) == 26 and value[10] == " ":  # SQLAlchemy's SQLite storage
            return value[:10] + "T" + value[11:] + "Z"
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return str(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if type(value) is str:
        return str(_string(value))
    if type(value) is int:
        return str(value)
    raise TypeError


def _fast_text(row: Row, when: str) -> str:
    payload = "null" if row[10] is None else row[10]
    return (f'{{"action":{_scalar(row[5])},"actor_id":{_scalar(row[2])},"actor_name":{_scalar(row[3])},'
            f'"actor_role":{_scalar(row[4])},"case_id":{_scalar(row[8])},'
            f'"client_address":{_scalar(row[9])},"occurred_at":{_scalar(when)},'
            f'"payload":{payload},"seq":{_scalar(row[0])},"target_id":{_scalar(row[7])},'
            f'"target_type":{_scalar(row[6])}}}')


def recompute_hash(row: Row, prev_hash: str) -> str | None:
    """SHA-256(prev_hash as ASCII hex || canonical JSON of the row); None when the payload is not JSON."""
    when = hash_time(row[1])
    prefix = prev_hash.encode("ascii")
    try:
        digest: str | None = hashlib.sha256(prefix + _fast_text(row, when).encode("utf-8")).hexdigest()
    except TypeError:
        digest = None
    if digest == row[12]:
        return digest
    try:  # another spelling of the payload (or unusual column types): parse and spell it again
        payload = row[10] if not isinstance(row[10], str) else json.loads(row[10])
        body = {"seq": row[0], "occurred_at": when, "actor_id": row[2], "actor_name": row[3],
                "actor_role": row[4], "action": row[5], "target_type": row[6], "target_id": row[7],
                "case_id": row[8], "client_address": row[9], "payload": payload}
        return hashlib.sha256(prefix + _dumps(body).encode("utf-8")).hexdigest()
    except (ValueError, TypeError):
        return None


# --- sources ------------------------------------------------------------------------------------------

def sqlite_rows(path: str, batch: int = 20000) -> Iterator[Row]:
    """Every event of an SQLite database file, read-only, in seq order."""
    if not Path(path).exists():
        raise FileNotFoundError(path)
    connection = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    try:
        cursor = connection.execute(_SQLITE_SQL)
        while True:
            rows = cursor.fetchmany(batch)
            if not rows:
                break
            yield from rows
    finally:
        connection.close()


def _libpq_dsn(dsn: str) -> str:
    return "postgresql://" + dsn.split("://", 1)[1] if dsn.startswith("postgresql+") else dsn


def postgres_rows(dsn: str, batch: int = 20000, *, use_psql: bool = False) -> Iterator[Row]:
    """Every event of a PostgreSQL database (a libpq DSN or URL), in seq order."""
    dsn = _libpq_dsn(dsn)
    try:
        if use_psql:
            raise ImportError
        import psycopg
    except ImportError:
        yield from _psql_rows(dsn)
        return
    with psycopg.connect(dsn) as connection:
        connection.read_only = True
        with connection.cursor(name="witness_verify") as cursor:
            cursor.itersize = batch
            cursor.execute(_PG_SQL)
            yield from cursor


def _psql_rows(dsn: str) -> Iterator[Row]:
    """Through the psql client: one JSON array per line (no CSV quoting ambiguity between NULL and "")."""
    process = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-c", _PSQL_SQL],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip():
            yield tuple(json.loads(line))
    error = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        raise RuntimeError(f"psql failed: {error.strip()}")


def _csv_value(column: str, text: str) -> Any:
    if text.startswith("'") and _FORMULA.match(text[1:]):
        text = text[1:]  # the export's neutralised formula cell
    if text == "":
        return None
    if column in INT_COLUMNS:
        try:
            return int(text)
        except ValueError:
            return text
    return text


def csv_rows(path: str) -> Iterator[Row]:
    """Events from a CSV with a header naming at least the columns above (the app's audit-events.csv,
    `sqlite3 -csv -header`, or psql's `\\copy ... CSV HEADER`); an empty cell is null."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing columns {', '.join(missing)}")
        for record in reader:
            yield tuple(_csv_value(c, record[c] or "") for c in COLUMNS)


def open_source(*, sqlite: str | None = None, dsn: str | None = None, csv_path: str | None = None,
                use_psql: bool = False) -> Iterator[Row]:
    """The rows of whichever source was named."""
    if sqlite:
        return sqlite_rows(sqlite)
    if dsn:
        return postgres_rows(dsn, use_psql=use_psql)
    if csv_path:
        return csv_rows(csv_path)
    raise ValueError("name a source: --sqlite PATH, --dsn DSN or --csv FILE")
