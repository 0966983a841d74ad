"""Fast bench data: bulk Core inserts (and COPY on PostgreSQL) that match the models.

Rows are written directly, not through the services, so generation costs seconds, not hours. The
audit events still form a valid hash chain: each hash is computed in Python with
tracker.audit.canonical, the same code record() uses, so `audit verify` accepts the result.
"""
from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.types import JSON, TypeDecorator

from tracker.audit import merkle, tree
from tracker.audit.canonical import HASHED_FIELDS, canonical_json, chain_hash, storage_dumps
from tracker.audit.models import GENESIS_HASH, AuditEvent, AuditTreeNode
from tracker.extensions import db
from tracker.timeutil import utcnow

BENCH_PASSWORD = "bench-password-0123"
BASE_TIME = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)

WORDS = (
    "omorganisation förskola skola hemtjänst äldreomsorg bibliotek kultur fritid teknik vatten avfall gata park "
    "ekonomi lön personal IT kommunikation växel kök städ vaktmästeri socialtjänst individ familj LSS boende "
    "ledning enhet samordning flytt sammanslagning upphandling entreprenad nedskärning budget schema bemanning "
    "kvällsöppet lokaler digitalisering sjukvård rehabilitering kansli nämnd förvaltning region"
).split()
UNITS = ("Centrum", "Norr", "Söder", "Öster", "Väster", "Hamnen", "Bergby", "Ängsvik", "Kyrkbyn", "Strand")
ACTIONS = ("case.updated", "stage.started", "stage.completed", "position.added", "document.viewed",
           "document.downloaded", "meeting.scheduled", "minutes.approved", "comment.added", "member.added")


def _table(name: str):
    return db.metadata.tables.get(name)


def has_table(name: str) -> bool:
    return name in db.metadata.tables


def _placeholder(column, n: int) -> Any:
    """A plausible value for a NOT NULL column the caller did not name."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl if not isinstance(kind.impl, type) else kind.impl()
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, DateTime):
        return BASE_TIME
    if isinstance(kind, Date):
        return BASE_TIME.date()
    if isinstance(kind, (Integer, Numeric)):
        return 0
    if isinstance(kind, JSON):
        return {}
    if isinstance(kind, (String, Text)):
        length = getattr(kind, "length", None) or 20
        return f"bench{n}"[:length]
    return None


def complete_rows(table, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Fill NOT NULL columns without a default that the rows leave out (schemas change under us)."""
    if not rows:
        return rows
    given = set(rows[0])
    missing = [
        c for c in table.columns
        if c.name not in given and not c.nullable and c.default is None and c.server_default is None
        and not (c.primary_key and c.autoincrement in (True, "auto"))
    ]
    if missing:
        for n, row in enumerate(rows):
            for column in missing:
                row[column.name] = _placeholder(column, n)
    known = {c.name for c in table.columns}
    return [{k: v for k, v in row.items() if k in known} for row in rows]


def insert_rows(conn: Connection, table_name: str, rows: list[dict[str, Any]], *, returning: bool = False,
                batch: int = 5000) -> list[int]:
    """Insert rows into `table_name` (bulk); with `returning`, the new ids in order."""
    table = _table(table_name)
    if table is None or not rows:
        return []
    rows = complete_rows(table, rows)
    ids: list[int] = []
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        if returning:
            result = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), chunk)
            ids.extend(row[0] for row in result)
        else:
            conn.execute(table.insert(), chunk)
    return ids


# --- people ---------------------------------------------------------------------------------

@dataclass
class People:
    employer_org: int
    union_orgs: list[int]
    hr: list[int] = field(default_factory=list)
    decision: list[int] = field(default_factory=list)
    union: list[int] = field(default_factory=list)
    safety: list[int] = field(default_factory=list)
    auditor: list[int] = field(default_factory=list)
    admin: list[int] = field(default_factory=list)
    emails: dict[int, str] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)

    def first_email(self, role: str) -> str:
        return self.emails[getattr(self, role)[0]]


_password_hash_cache: dict[str, str] = {}


def password_hash() -> str:
    """One real argon2 hash shared by every bench user (hashing per user would dominate)."""
    if BENCH_PASSWORD not in _password_hash_cache:
        from tracker.auth.passwords import hash_password

        _password_hash_cache[BENCH_PASSWORD] = hash_password(BENCH_PASSWORD)
    return _password_hash_cache[BENCH_PASSWORD]


def make_people(conn: Connection, *, hr: int = 2, decision: int = 1, union: int = 12, safety: int = 2,
                auditor: int = 1, admin: int = 1, tag: str = "") -> People:
    """Organisations and users of every role, inserted in bulk; all share BENCH_PASSWORD."""
    orgs = [("Benchstads kommun" + tag, "employer")] + [(n + tag, "union") for n in ("Kommunal", "Vision", "JHL")]
    org_ids = insert_rows(conn, "organisations", [{"name": n, "kind": k, "created_at": BASE_TIME} for n, k in orgs],
                          returning=True)
    people = People(employer_org=org_ids[0], union_orgs=org_ids[1:])
    pw = password_hash()
    plan = [("hr_officer", "hr", hr), ("decision_maker", "decision", decision), ("union_rep", "union", union),
            ("safety_rep", "safety", safety), ("auditor", "auditor", auditor), ("admin", "admin", admin)]
    rows, roles = [], []
    for role, attr, count in plan:
        for i in range(count):
            org = people.union_orgs[i % len(people.union_orgs)] if role in ("union_rep", "safety_rep") \
                else people.employer_org
            email = f"{attr}{i + 1}{tag}@bench.example.org"
            rows.append({"email": email, "name": f"Bänk {attr.title()} {i + 1}", "organisation_id": org,
                         "password_hash": pw, "active": True, "created_at": BASE_TIME})
            roles.append((role, attr, email))
    ids = insert_rows(conn, "users", rows, returning=True)
    insert_rows(conn, "user_roles",
                [{"user_id": uid, "role": role} for uid, (role, _, _) in zip(ids, roles, strict=True)])
    for uid, (_role, attr, email), row in zip(ids, roles, rows, strict=True):
        getattr(people, attr).append(uid)
        people.emails[uid] = email
        people.names[uid] = row["name"]
    return people


# --- cases ----------------------------------------------------------------------------------

STAGES = ("early_information", "grounds", "effects", "alternatives", "closing", "decision", "evaluation")


def case_title(rng: random.Random, n: int) -> str:
    return f"{rng.choice(WORDS).capitalize()} av {rng.choice(WORDS)} inom {rng.choice(WORDS)} {n}"


def make_cases(conn: Connection, count: int, *, hr_ids: Sequence[int], year: int | None = None,
               start_number: int = 1, seed: int = 7, current_stage: str | None = None,
               units_per_case: int = 2, stages: bool = True) -> list[int]:
    """`count` cases with diary numbers SAM-YYYY-NNNN, spread over stages, profiles and HR officers."""
    rng = random.Random(seed)
    year = year or utcnow().year
    rows = []
    for i in range(count):
        n = start_number + i
        created = BASE_TIME + timedelta(minutes=n)
        rows.append({
            "diary_number": f"SAM-{year}-{n:04d}",
            "title": case_title(rng, n),
            "description": " ".join(rng.choice(WORDS) for _ in range(30)),
            "change_kind": rng.choice(("reorganisation", "merger", "outsourcing", "cuts", "other")),
            "staff_affected": rng.randint(1, 200),
            "may_reduce_staff": rng.random() < 0.3,
            "is_large": rng.random() < 0.1,
            "planned_decision_date": (BASE_TIME + timedelta(days=60 + n % 300)).date(),
            "decision_body": "Kommunstyrelsen",
            "profile_code": "fi-municipal" if n % 2 else "se-mbl",
            "profile_version": "1",
            "responsible_hr_id": hr_ids[i % len(hr_ids)],
            "status": "active",
            "current_stage": current_stage or STAGES[n % 5],
            "non_compliance": n % 97 == 0,
            "created_at": created,
            "updated_at": created,
        })
    ids = insert_rows(conn, "cases", rows, returning=True)
    if stages and has_table("stage_records"):
        # As open_case + the procedure would leave them: earlier stages completed, the current one active.
        insert_rows(conn, "stage_records", [
            dict(zip(STAGE_RECORD_COLUMNS, r, strict=True))
            for cid, row in zip(ids, rows, strict=True)
            for r in stage_record_rows(cid, row["current_stage"], row["responsible_hr_id"], row["created_at"])])
    unit_rows = [{"case_id": cid, "name": UNITS[(k + j) % len(UNITS)]}
                 for k, cid in enumerate(ids) for j in range(units_per_case)]
    insert_rows(conn, "case_units", unit_rows)
    table = _table("diary_counters")
    last = start_number + count - 1
    existing = conn.execute(select(table.c.last_number).where(table.c.year == year)).scalar()
    if existing is None:
        conn.execute(table.insert().values(year=year, last_number=last))
    elif existing < last:
        conn.execute(table.update().where(table.c.year == year).values(last_number=last))
    return ids


STAGE_RECORD_COLUMNS = ("case_id", "stage_code", "round", "status", "started_at", "started_by_id",
                        "completed_at", "completed_by_id", "content", "created_at")


def stage_record_rows(case_id: int, current_stage: str, hr_id: int, created: datetime) -> Iterator[tuple]:
    """Round 1 of each stage for a case whose procedure has reached `current_stage`."""
    current = STAGES.index(current_stage)
    for i, code in enumerate(STAGES):
        started = created + timedelta(days=7 * i) if i <= current else None
        completed = created + timedelta(days=7 * i + 5) if i < current else None
        status = "completed" if completed else "active" if started else "pending"
        yield (case_id, code, 1, status, started, hr_id if started else None, completed,
               hr_id if completed else None, {}, created)


def make_members(conn: Connection, case_id: int, people: People, count: int) -> list[int]:
    """A steering group of `count`: HR and a decision maker for the employer, the rest personnel."""
    employer = [*people.hr, *people.decision]
    personnel = [*people.union, *people.safety]
    rows = []
    units = list(UNITS[:2])
    for i in range(count):
        if i < min(len(employer), max(1, count // 4)):
            user, party, role, union = employer[i], "employer", "chair" if i == 0 else "member", None
        else:
            k = i - min(len(employer), max(1, count // 4))
            user = personnel[k % len(personnel)]
            party, role = "personnel", "signatory" if k < 2 else "member"
            union = people.union_orgs[k % len(people.union_orgs)]
        rows.append({"case_id": case_id, "user_id": user, "party": party, "role": role, "union_id": union,
                     "units": units if party == "personnel" else [], "joined_at": BASE_TIME, "left_at": None})
    return insert_rows(conn, "steering_members", rows, returning=True)


# --- the audit chain ------------------------------------------------------------------------

def chain_head(conn: Connection) -> tuple[int, str]:
    row = conn.execute(select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return (row[0], row[1]) if row else (0, GENESIS_HASH)


def audit_events(count: int, *, start_seq: int, prev_hash: str, case_ids: Sequence[int | None] = (None,),
                 actor_ids: Sequence[int] = (1,), actor_names: dict[int, str] | None = None,
                 seed: int = 11) -> Iterator[dict[str, Any]]:
    """`count` chained events continuing after (start_seq - 1, prev_hash), cycling over case_ids/actors."""
    rng = random.Random(seed)
    names = actor_names or {}
    seq = start_seq
    n_cases = len(case_ids)
    n_actors = len(actor_ids)
    for i in range(count):
        actor = actor_ids[i % n_actors]
        case_id = case_ids[i % n_cases]
        action = ACTIONS[rng.randrange(len(ACTIONS))]
        event = {
            "seq": seq,
            "occurred_at": BASE_TIME + timedelta(microseconds=seq * 1317),
            "actor_id": actor,
            "actor_name": names.get(actor, f"Bänk Användare {actor}"),
            "actor_role": "hr_officer",
            "action": action,
            "target_type": "cases" if case_id is not None else "users",
            "target_id": str(case_id if case_id is not None else actor),
            "case_id": case_id,
            "client_address": "127.0.0.1",
            "payload": {"n": seq, "stage": STAGES[seq % 7], "note": "bänkdata"},
        }
        event["prev_hash"] = prev_hash
        event["hash"] = prev_hash = chain_hash(prev_hash, canonical_json(event))
        yield event
        seq += 1


def append_audit_events(conn: Connection, count: int, *, batch: int = 20000, **kwargs: Any) -> tuple[int, str]:
    """Append `count` valid chained events after the current head, and their Merkle tree nodes (as
    record() would); COPY on PostgreSQL. Returns the new head."""
    seq, prev = chain_head(conn)
    events = audit_events(count, start_seq=seq + 1, prev_hash=prev, **kwargs)
    columns = [*HASHED_FIELDS, "prev_hash", "hash"]
    head = (seq, prev)
    compact = tree.frontier(conn, seq)
    nodes: list[tuple[int, int, bytes]] = []
    if conn.dialect.name == "postgresql":

        raw = conn.connection.driver_connection
        with raw.cursor() as cursor:
            while True:  # in chunks: one COPY at a time per connection, and bounded memory
                chunk = list(itertools.islice(events, 100_000))
                if not chunk:
                    break
                with cursor.copy(f"COPY audit_events ({', '.join(columns)}) FROM STDIN") as copy:
                    for event in chunk:
                        event["payload"] = storage_dumps(event["payload"])  # as the app stores it
                        copy.write_row([event[c] for c in columns])
                        nodes += compact.append(merkle.leaf_hash(bytes.fromhex(event["hash"])))
                head = (chunk[-1]["seq"], chunk[-1]["hash"])
                with cursor.copy("COPY audit_tree_nodes (level, idx, hash) FROM STDIN") as copy:
                    for node in nodes:
                        copy.write_row(node)
                nodes = []
    else:
        table = AuditEvent.__table__
        while True:
            chunk = list(itertools.islice(events, batch))
            if not chunk:
                break
            conn.execute(table.insert(), chunk)
            head = (chunk[-1]["seq"], chunk[-1]["hash"])
            nodes = [n for e in chunk for n in compact.append(merkle.leaf_hash(bytes.fromhex(e["hash"])))]
            conn.execute(AuditTreeNode.__table__.insert(),
                         [{"level": level, "idx": idx, "hash": value} for level, idx, value in nodes])
    return head


def copy_rows(conn: Connection, table_name: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY rows into a table on PostgreSQL (values in column order)."""
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(f"COPY {table_name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def analyze(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("ANALYZE"))
    else:
        conn.execute(text("ANALYZE"))


# --- procedure, documents -------------------------------------------------------------------

def make_stage_records(conn: Connection, case_id: int, *, hr_id: int, personnel_id: int,
                       active_index: int = 6) -> list[int]:
    """One round per stage: stages before `active_index` completed, that one active, the rest pending."""
    if not has_table("stage_records"):
        return []
    rows = []
    for i, code in enumerate(STAGES):
        started = BASE_TIME + timedelta(days=7 * i) if i <= active_index else None
        completed = BASE_TIME + timedelta(days=7 * i + 5) if i < active_index else None
        rows.append({
            "case_id": case_id, "stage_code": code, "round": 1,
            "status": "completed" if completed else "active" if started else "pending",
            "started_at": started, "started_by_id": hr_id if started else None,
            "completed_at": completed, "completed_by_id": hr_id if completed else None,
            "content": {"notes": f"Bänkanteckningar för {code}", "information": "Information till personalen"},
            "proposal_delivered_at": BASE_TIME if code == "early_information" else None,
            "negotiation_ended_at": completed if code == "closing" else None,
            "end_mode": "agreement" if code == "closing" and completed else None,
            "decision_date": completed.date() if code == "decision" and completed else None,
            "created_at": BASE_TIME,
        })
    ids = insert_rows(conn, "stage_records", rows, returning=True)
    if has_table("stage_positions"):
        positions = []
        for record_id, row in zip(ids, rows, strict=True):
            if row["status"] == "pending":
                continue
            positions.append({"stage_record_id": record_id, "case_id": case_id, "party": "employer",
                              "author_id": hr_id, "text": "Arbetsgivarens ståndpunkt.", "dissent": False,
                              "is_final": False, "created_at": row["started_at"]})
            positions.append({"stage_record_id": record_id, "case_id": case_id, "party": "personnel",
                              "author_id": personnel_id, "text": "Personalens ståndpunkt.", "dissent": False,
                              "is_final": False, "created_at": row["started_at"]})
        insert_rows(conn, "stage_positions", positions)
    return ids


def make_documents(conn: Connection, case_id: int, count: int, *, uploader_id: int,
                   readers: Sequence[int] = ()) -> list[int]:
    """`count` documents (metadata rows; no blobs) with one version each, every third secret."""
    if not has_table("documents") or count <= 0:
        return []
    classes = ("open", "internal", "secret")
    docs = []
    for i in range(count):
        cls = classes[i % 3]
        docs.append({"case_id": case_id, "stage_code": STAGES[i % 7], "title": f"Underlag {i + 1} – åtgärd",
                     "classification": cls,
                     "legal_basis": "OSL 39 kap. 1 §" if cls == "secret" else None,
                     "secrecy_ends_on": date(2030, 1, 1) if cls == "secret" else None,
                     "created_by_id": uploader_id, "created_at": BASE_TIME})
    ids = insert_rows(conn, "documents", docs, returning=True)
    versions = [{"document_id": doc_id, "number": 1, "filename": f"underlag-{doc_id}.pdf",
                 "content_type": "application/pdf", "kind": "pdf", "size": 12345 + doc_id,
                 "sha256": f"{doc_id:064x}", "storage_key": f"bench-{case_id}-{doc_id}",
                 "key_id": "bench1", "wrapped_key": b"\0" * 40, "uploaded_by_id": uploader_id,
                 "uploaded_at": BASE_TIME} for doc_id in ids]
    insert_rows(conn, "document_versions", versions)
    if readers and has_table("document_readers"):
        secret = [doc_id for doc_id, d in zip(ids, docs, strict=True) if d["classification"] == "secret"]
        insert_rows(conn, "document_readers", [{"document_id": d, "user_id": u, "added_by_id": uploader_id,
                                                "added_at": BASE_TIME} for d in secret for u in readers])
    return ids


@dataclass
class RichCase:
    case_id: int
    diary_number: str


def make_rich_case(conn: Connection, people: People, *, members: int, documents: int, events: int,
                   number: int) -> RichCase:
    """The case page's subject: a steering group, all seven stages, documents and its audit events."""
    case_id = make_cases(conn, 1, hr_ids=people.hr[:1], start_number=number, current_stage="evaluation",
                         seed=number, stages=False)[0]
    make_members(conn, case_id, people, members)
    make_stage_records(conn, case_id, hr_id=people.hr[0], personnel_id=people.union[0])
    make_documents(conn, case_id, documents, uploader_id=people.hr[0], readers=people.union[:2])
    append_audit_events(conn, events, case_ids=[case_id], actor_ids=[*people.hr, *people.union[:3]],
                        actor_names=people.names)
    diary = conn.execute(text("SELECT diary_number FROM cases WHERE id = :id"), {"id": case_id}).scalar_one()
    return RichCase(case_id, diary)
