"""`verify`: check the log's events (a live database or an export) against this witness's own state.

1. Walk the events in seq order, recompute every chain hash and link: the first event that does
   not match (edited payload or time, inserted, deleted, reordered) is named.
2. Build the RFC 9162 Merkle tree over the recomputed hashes (leaf entry = the 32 bytes of event
   seq's hash, leaf index seq - 1) and require its root at every cosigned size to equal the root
   this witness cosigned: a rewrite with recomputed hashes, a fork or a truncated tail is found.
   Leaf hashes proven once are kept (`logs/<id>/leaves`), so a later rewrite is pinned to its exact
   event; without them the report names the first event after the last matching cosigned size.
"""
from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from .events import GENESIS_HASH, Row, recompute_hash
from .merkle import Frontier, leaf_hash
from .state import Witness


@dataclass
class Outcome:
    ok: bool = True
    first_bad_seq: int | None = None
    message: str = "intact"
    events: int = 0
    cosigned_size: int = 0
    notes: list[str] = field(default_factory=list)

    def fail(self, seq: int, message: str) -> Outcome:
        self.ok, self.first_bad_seq, self.message = False, seq, message
        return self


def _walk_problem(row: Row, expected: int, prev: str) -> tuple[int, str] | None:
    seq = row[0]
    if seq != expected:
        if isinstance(seq, int) and seq > expected:
            return expected, f"events {expected}..{seq - 1} are missing (deleted)"
        return expected, f"event {seq} appears where event {expected} belongs (inserted or reordered)"
    if row[11] != prev:
        return seq, f"event {seq} does not link to event {seq - 1} (inserted, deleted, reordered or changed)"
    return None


class _Leaves:
    """The leaf hashes an earlier verify proved (a file of 32-byte records)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.data = b""
        if os.path.exists(path):
            with open(path, "rb") as handle:
                self.data = handle.read()
        self.count = len(self.data) // 32

    def at(self, index: int) -> bytes | None:
        return self.data[index * 32:(index + 1) * 32] if index < self.count else None

    def extend(self, new: list[bytes], upto: int) -> None:
        """Keep leaves [count, upto) (`new` starts at index count): proven against a cosigned root."""
        if upto <= self.count:
            return
        with open(self.path, "ab") as handle:
            handle.write(b"".join(new[:upto - self.count]))


def verify_rows(witness: Witness, origin: str, rows: Iterable[Row], *, remember: bool = True) -> Outcome:
    """Check `rows` (in seq order) against the checkpoints this witness cosigned for `origin`."""
    history = witness.history(origin)
    outcome = Outcome(cosigned_size=history[-1][0] if history else 0)
    if not history:
        outcome.notes.append("this witness has cosigned no checkpoint of this log yet: only the hash chain is checked")
    log_dir = witness.log_dir(origin)
    proven = _Leaves(str(log_dir / "leaves"))
    frontier = Frontier()
    leaves: list[bytes] = []
    expected, prev, next_check, last_match = 1, GENESIS_HASH, 0, 0
    for row in rows:
        problem = _walk_problem(row, expected, prev)
        digest = recompute_hash(row, prev) if problem is None else None
        if problem is None and digest != row[12]:
            problem = (row[0], f"event {row[0]}'s content does not match its hash (edited)")
        if problem is not None:
            return outcome.fail(*problem)
        leaf = leaf_hash(bytes.fromhex(digest or ""))
        known = proven.at(expected - 1)
        if known is not None and known != leaf:
            return outcome.fail(expected, f"event {expected} differs from the event this witness verified before "
                                          "(the chain was rewritten from here with recomputed hashes)")
        frontier.append(leaf)
        if known is None:
            leaves.append(leaf)  # from index proven.count on
        while next_check < len(history) and history[next_check][0] == frontier.size:
            if frontier.root() != history[next_check][1]:
                return outcome.fail(last_match + 1, _rewrite_message(last_match, frontier.size))
            last_match = frontier.size
            next_check += 1
        prev = digest or ""
        expected += 1
    outcome.events = expected - 1
    return _finish(outcome, history, next_check, last_match, proven, leaves, remember)


def _rewrite_message(last_match: int, size: int) -> str:
    return (f"the tree of the first {size} events does not have the root this witness cosigned: the log was "
            f"rewritten or forked after event {last_match} (at or before event {size})")


def _finish(outcome: Outcome, history: list[tuple[int, bytes, int]], next_check: int, last_match: int,
            proven: _Leaves, leaves: list[bytes], remember: bool) -> Outcome:
    # A cosigned size of 0 (the empty tree) needs no events.
    while next_check < len(history) and history[next_check][0] == 0:
        next_check += 1
    if next_check < len(history):
        cosigned = history[-1][0]
        return outcome.fail(outcome.events + 1, f"the log ends at event {outcome.events}, but this witness cosigned "
                                                f"{cosigned} events (the tail was truncated)")
    if remember:
        proven.extend(leaves, last_match)
    if outcome.events > outcome.cosigned_size:
        outcome.notes.append(f"events {outcome.cosigned_size + 1}..{outcome.events} are not cosigned by this "
                             "witness yet (only their hash chain was checked)")
    return outcome


def describe(outcome: Outcome, origin: str, history: list[tuple[int, bytes, int]]) -> str:
    """A report for people."""
    lines = [f"log {origin}: {outcome.events} events read"]
    if history:
        size, root, _when = history[-1]
        lines.append(f"last cosigned checkpoint: size {size}, root {base64.b64encode(root).decode()}")
    lines += [f"NOTE  {note}" for note in outcome.notes]
    if outcome.ok:
        lines.append("OK    the hash chain is intact and its tree matches every checkpoint this witness cosigned")
    else:
        lines.append(f"FAIL  first bad position: event {outcome.first_bad_seq} (leaf index "
                     f"{(outcome.first_bad_seq or 1) - 1}): {outcome.message}")
    return "\n".join(lines)
