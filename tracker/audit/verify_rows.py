"""How the verifier reads the events: a fast stream of (seq, prev_hash ‖ canonical JSON, hash) with
the canonical JSON spelled by the database, and the full row of one event when that text does not
hash to the stored hash (then the row is spelled again in Python, see verify._digest).

The database only *spells* the text; the verifier hashes it itself. SQLite's `json_object` (the
quoting of `json_quote`) and PostgreSQL's `to_json(text)` escape strings exactly as Python's `json`
does with `ensure_ascii=False` (tests/audit/test_verify_fast.py checks every ASCII character and more);
PostgreSQL's `to_json` costs more than the whole walk, so there strings are quoted optimistically
(`"` ‖ text ‖ `"`, in one `concat()`). Any difference — a string that needs escaping there, an
unusual stored time — only sends that row down the slow path.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tracker.extensions import db

_FULL_COLUMNS = ("seq, {time}, actor_id, actor_name, actor_role, action, target_type, target_id, "
                 "case_id, client_address, {payload}, prev_hash, hash FROM audit_events")
_SQLITE_FULL = "SELECT " + _FULL_COLUMNS.format(time="occurred_at", payload="payload")
# PostgreSQL spells the time as the hash does and hands the payload over as its stored text (a
# `json` column keeps the text as written: canonical, see canonical.storage_dumps).
_PG_TIME = "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
_PG_FULL = "SELECT " + _FULL_COLUMNS.format(time=_PG_TIME, payload="payload::text")


def _canonical_parts(quote: str, number: str, time: str, payload: str) -> list[str]:
    """SQL expressions whose concatenation is prev_hash ‖ the canonical JSON (keys sorted)."""
    def q(column: str) -> str:
        return quote.format(column)

    def n(column: str) -> str:
        return number.format(column)

    return ["prev_hash", "'{\"action\":'", q("action"), "',\"actor_id\":'", n("actor_id"),
            "',\"actor_name\":'", q("actor_name"), "',\"actor_role\":'", q("actor_role"),
            "',\"case_id\":'", n("case_id"), "',\"client_address\":'", q("client_address"),
            "',\"occurred_at\":\"'", time, "'\",\"payload\":'", payload, "',\"seq\":'", n("seq"),
            "',\"target_id\":'", q("target_id"), "',\"target_type\":'", q("target_type"), "'}'"]


# SQLite: json_object quotes the strings exactly as Python's json does (json_quote's code) and spells
# NULL and numbers, in one call for the keys before the payload (its closing brace trimmed) and one
# for those after it (its opening brace trimmed), with the stored payload text between them: about
# a quarter cheaper than quoting each column and joining twenty pieces with `||`. A number stored
# as text comes out quoted, does not fit and takes the slow path. The stored time
# "YYYY-MM-DD HH:MM:SS.ffffff" is spelled with its one space replaced by "T".
_SQLITE_FAST = (
    "SELECT seq, CAST(prev_hash || rtrim(json_object('action', action, 'actor_id', actor_id, "
    "'actor_name', actor_name, 'actor_role', actor_role, 'case_id', case_id, 'client_address', client_address, "
    "'occurred_at', replace(occurred_at, ' ', 'T') || 'Z'), '}') || ',\"payload\":' || coalesce(payload, 'null') "
    "|| ',' || ltrim(json_object('seq', seq, 'target_id', target_id, 'target_type', target_type), '{') AS BLOB), "
    "hash FROM audit_events ORDER BY seq")
# PostgreSQL's own JSON quoting (to_json) costs more than the whole walk; the strings are quoted
# optimistically instead, in one concat(): a string that needs escaping (a quote, a backslash, a
# control character) does not hash to the stored hash and sends just that row down the slow path.
# Backslashes are doubled, as JSON escapes them: otherwise a string changed to its own escaped
# spelling (`a"b` to `a\"b`) would be spelled as the original and pass.
# The text is handed over as UTF-8 bytes (bytea, read in binary format), as SQLite's is: the walk
# hashes it as it comes, with no decoding and encoding again in Python.
_PG_FAST = ("SELECT seq, convert_to(concat(" + ", ".join(_canonical_parts(
    "coalesce('\"' || replace({}, '\\', '\\\\') || '\"', 'null')", "coalesce({}::text, 'null')", _PG_TIME,
    "coalesce(payload::text, 'null')"
)) + "), 'UTF8'), hash FROM audit_events ORDER BY seq")


def range_query(sqlite: bool) -> str:
    """The fast query over `seq BETWEEN ? AND ?` (two parameters)."""
    query, mark = (_SQLITE_FAST, "?") if sqlite else (_PG_FAST, "%s")
    return query.replace(" ORDER BY seq", f" WHERE seq BETWEEN {mark} AND {mark} ORDER BY seq")


def _raw() -> Any:
    return db.session.connection().connection.driver_connection


def fast_rows(sqlite: bool, batch_size: int) -> Iterator[tuple[int, bytes, str]]:
    """Every row of `fast_batches`, one at a time."""
    for batch in fast_batches(sqlite, batch_size):
        yield from batch


def fast_batches(sqlite: bool, batch_size: int, first: int | None = None,
                 last: int | None = None) -> Iterator[list[tuple[int, bytes, str]]]:
    """(seq, prev_hash ‖ canonical JSON as UTF-8 bytes, stored hash)
    of every event in seq order (from `first` to `last` when given), in batches of `batch_size` rows.

    The walk is the hot loop, so it bypasses SQLAlchemy's per-row result processing and streams
    through the driver's own cursor (server-side and binary on PostgreSQL: constant memory, the bytes
    as stored), on the session's
    connection and transaction.
    """
    raw = _raw()
    if sqlite:
        cursor = raw.cursor()
        cursor.arraysize = batch_size
    else:
        cursor = raw.cursor(name="audit_verify_walk", binary=True)
        cursor.itersize = batch_size
    try:
        if first is None and last is None:
            cursor.execute(_SQLITE_FAST if sqlite else _PG_FAST)
        else:
            bounds = (-(2**62) if first is None else first, 2**62 if last is None else last)
            cursor.execute(range_query(sqlite), bounds)
        while True:
            batch = cursor.fetchmany(batch_size)
            if not batch:
                break
            yield batch
    finally:
        cursor.close()


def full_row(seq: int, sqlite: bool) -> Any:
    """Every hashed column of event `seq` (the time as stored on SQLite, hash-spelled on PostgreSQL)."""
    cursor = _raw().cursor()
    try:
        cursor.execute((_SQLITE_FULL + " WHERE seq = ?") if sqlite else (_PG_FULL + " WHERE seq = %s"), (seq,))
        return cursor.fetchone()
    finally:
        cursor.close()
