"""Documents of a case: immutable encrypted versions, named readers and auditor clearances.

A document row holds what stays the same across uploads (case, stage, title, class, legal basis);
each upload is a new `DocumentVersion`, never changed afterwards except by erasure, which deletes
the blob and turns the row into a tombstone (hash, name and reason stay).
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Date, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.auth.models import User
from tracker.db_types import StrEnumType
from tracker.extensions import Model
from tracker.timeutil import UTCDateTime, utcnow


class Classification(StrEnum):
    """A document's information class (DESIGN §3); labels in `labels.py`."""

    OPEN = "open"
    INTERNAL = "internal"
    SECRET = "secret"


class Document(Model):
    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_case_class", "case_id", "classification"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # Null: the document belongs to the case as a whole rather than one stage.
    stage_code: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    classification: Mapped[Classification] = mapped_column(StrEnumType(Classification, 20),
                                                           default=Classification.OPEN)
    # Secret documents: the statute that makes them secret and when the secrecy ends.
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    secrecy_ends_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    created_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[created_by_id])
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document", order_by="DocumentVersion.number", lazy="selectin",
        cascade="all, delete-orphan",
    )
    readers: Mapped[list[DocumentReader]] = relationship(
        back_populates="document", lazy="selectin", cascade="all, delete-orphan",
        order_by="DocumentReader.id",
    )

    @property
    def is_secret(self) -> bool:
        return self.classification == Classification.SECRET

    @property
    def latest_version(self) -> DocumentVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def latest_available_version(self) -> DocumentVersion | None:
        """The newest version whose content has not been erased."""
        for version in reversed(self.versions):
            if not version.is_erased:
                return version
        return None

    def __repr__(self) -> str:
        return f"<Document {self.id} {self.classification}>"


class DocumentVersion(Model):
    """One upload. Immutable; erasure deletes the blob and keeps this row as a tombstone."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column()
    # The name as the uploader's browser gave it, reduced to its last path component.
    filename: Mapped[str] = mapped_column(String(255))
    # Detected from the content, never taken from the name or the browser's claim.
    content_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    # A generated id; never derived from the file name.
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Envelope encryption: the version's data key wrapped by the key-encryption key `key_id`.
    key_id: Mapped[str] = mapped_column(String(50))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary(128))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    erased_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    erasure_reason: Mapped[str | None] = mapped_column(Text)

    document: Mapped[Document] = relationship(back_populates="versions")
    uploaded_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[uploaded_by_id])
    erased_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[erased_by_id])

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    def __repr__(self) -> str:
        return f"<DocumentVersion {self.document_id}.{self.number}>"


class DocumentReader(Model):
    """A user named as a reader of a secret document."""

    __tablename__ = "document_readers"
    __table_args__ = (UniqueConstraint("document_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="readers")
    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])


class CaseClearance(Model):
    """An auditor's clearance to read the secret documents of one case; revocable, never deleted."""

    __tablename__ = "case_clearances"
    __table_args__ = (Index("ix_case_clearances_case_user", "case_id", "user_id", "revoked_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revocation_reason: Mapped[str | None] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined", foreign_keys=[user_id])
    granted_by: Mapped[User] = relationship(lazy="joined", foreign_keys=[granted_by_id])
    revoked_by: Mapped[User | None] = relationship(lazy="joined", foreign_keys=[revoked_by_id])

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
