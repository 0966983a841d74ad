"""Document services: writes that take the actor, check policy, change data, flush and audit, and
never commit. Split by responsibility:

- `blobs`: blob lifetime follows the transaction (listeners installed by `init_app`);
- `uploads`: new documents and new versions;
- `sharing`: named readers and auditor clearances;
- `downloads`: the audited view, denied attempts and the download stream;
- `erasure`: erasing a version's content;
- `maintenance`: key rotation and fsck.

Reads and listings are in `tracker.documents.queries`. The names other packages use (the demo,
exports' tests, the benchmark) are re-exported here.
"""
from __future__ import annotations

from tracker.documents.services.common import (
                                               DEFAULT_DOWNLOAD_MEMORY,
                                               DEFAULT_MAX_BYTES,
                                               LEGAL_BASIS_SUGGESTIONS,
                                               DocumentHidden,
                                               IntegrityFailure,
                                               get_document_for,
                                               get_version,
                                               require_visible,
)
from tracker.documents.services.downloads import (
                                               PlaintextStream,
                                               PreparedDownload,
                                               prepare_download,
                                               record_denied,
                                               record_integrity_failure,
                                               record_stream_failure,
                                               record_view,
)
from tracker.documents.services.erasure import erase_version
from tracker.documents.services.maintenance import FsckReport, fsck, rotate_keys
from tracker.documents.services.sharing import (
                                               add_reader,
                                               grant_clearance,
                                               has_active_clearance,
                                               remove_reader,
                                               revoke_clearance,
)
from tracker.documents.services.uploads import add_version, upload

__all__ = [
    "DEFAULT_DOWNLOAD_MEMORY", "DEFAULT_MAX_BYTES", "LEGAL_BASIS_SUGGESTIONS", "DocumentHidden", "FsckReport",
    "IntegrityFailure", "PlaintextStream", "PreparedDownload", "add_reader", "add_version", "erase_version",
    "fsck", "get_document_for", "get_version", "grant_clearance", "has_active_clearance", "prepare_download",
    "record_denied", "record_integrity_failure", "record_stream_failure", "record_view", "remove_reader",
    "require_visible", "revoke_clearance", "rotate_keys", "upload",
]
