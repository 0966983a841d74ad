"""Operations on the whole store: key rotation and the store/database consistency check."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from tracker.audit.service import record
from tracker.auth.models import User
from tracker.documents import crypto
from tracker.documents.models import DocumentVersion
from tracker.documents.storage import BlobStore, TemporaryFile, get_store
from tracker.extensions import db
from tracker.timeutil import utcnow


def rotate_keys(actor: User | None = None, batch: int = 500) -> dict[str, int]:
    """Re-wrap every data key under the newest key-encryption key; one audit event with counts."""
    ring = crypto.keyring()
    counts = {"rewrapped": 0, "already_current": 0, "erased_skipped": 0}
    last_id = 0
    while True:
        versions = list(db.session.execute(
            select(DocumentVersion).where(DocumentVersion.id > last_id).order_by(DocumentVersion.id).limit(batch)
        ).scalars())
        if not versions:
            break
        for version in versions:
            last_id = version.id
            if version.is_erased:
                counts["erased_skipped"] += 1
            elif version.key_id == ring.current_id:
                counts["already_current"] += 1
            else:
                data_key = ring.unwrap(version.key_id, version.wrapped_key)
                version.key_id, version.wrapped_key = ring.wrap(data_key)
                counts["rewrapped"] += 1
        db.session.flush()
    record(actor, "document.keys_rotated", ("document_keys", ring.current_id), {**counts, "key_id": ring.current_id})
    return counts


@dataclass
class FsckReport:
    orphan_blobs: list[str] = field(default_factory=list)
    missing_blobs: list[tuple[int, str]] = field(default_factory=list)  # (version id, storage key)
    temporary: list[TemporaryFile] = field(default_factory=list)  # every file in tmp/, with its age
    temporary_removed: list[TemporaryFile] = field(default_factory=list)
    removed: bool = False

    @property
    def stale_temporary(self) -> list[TemporaryFile]:
        """Temporary files of crashed uploads."""
        return [t for t in self.temporary if t.abandoned]

    @property
    def clean(self) -> bool:
        """Store and database agree (an upload in progress is no disagreement)."""
        return not (self.orphan_blobs or self.missing_blobs or self.stale_temporary)


def _temporary_files(store: BlobStore, in_flight_seconds: float) -> list[TemporaryFile]:
    listing = getattr(store, "temporary_files", None)  # only the directory backend has them
    return list(listing(in_flight_seconds)) if listing else []


def _repair(store: BlobStore, report: FsckReport, temporary: list[TemporaryFile], all_keys: set[str],
            actor: User | None) -> None:
    for key in report.orphan_blobs:
        store.delete(key)
    for leftover in temporary:
        leftover.path.unlink(missing_ok=True)
    report.temporary_removed = temporary
    now = utcnow()
    for version_id, _key in report.missing_blobs:
        version = db.session.get(DocumentVersion, version_id)
        if version is None:  # pragma: no cover - listed a moment ago
            continue
        version.erased_at = now
        version.erased_by_id = None
        version.erasure_reason = "fsck: stored file missing"
    db.session.flush()
    record(actor, "document.fsck_repaired", ("document_store", "fsck"), {
        "orphan_blobs_removed": len(report.orphan_blobs),
        "orphans_of_erased_versions": len([k for k in report.orphan_blobs if k in all_keys]),
        "versions_tombstoned": [vid for vid, _ in report.missing_blobs],
        "temporary_files_removed": len(temporary),
    })
    report.removed = True


def fsck(*, remove: bool = False, grace_seconds: float = 3600, in_flight_seconds: float = 60,
         force: bool = False, actor: User | None = None) -> FsckReport:
    """Compare the store with the database: blobs without a live version row (orphans, older
    than `grace_seconds` so uploads in progress are left alone), live versions without a blob, and
    temporary files (each with its age; abandoned when no writer holds its lock, or, where locks
    cannot be told, when older than `in_flight_seconds`).

    With `remove`: orphan blobs and abandoned temporary files are deleted (with `force` every
    temporary file, uploads in progress too), and versions whose blob is gone become tombstones
    (erased, reason says so): one audit event with the counts.
    """
    store = get_store()
    live: dict[str, int] = {key: vid for key, vid in db.session.execute(
        select(DocumentVersion.storage_key, DocumentVersion.id).where(DocumentVersion.erased_at.is_(None))
    ).all()}
    all_keys = set(db.session.execute(select(DocumentVersion.storage_key)).scalars())
    present = set(store.list_keys())
    old_enough = set(store.list_keys(older_than_seconds=grace_seconds)) if grace_seconds else present
    report = FsckReport(
        orphan_blobs=sorted(k for k in old_enough if k not in live),
        missing_blobs=sorted((vid, key) for key, vid in live.items() if key not in present),
        temporary=_temporary_files(store, in_flight_seconds),
    )
    removable = report.temporary if force else report.stale_temporary
    if remove and (not report.clean or removable):
        _repair(store, report, removable, all_keys, actor)
    return report
