"""SQLAlchemy models: the database is the source of truth for documents, files and the index."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """Return the current UTC time without tzinfo (stored as UTC everywhere)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Classification(Base):
    """A code of the classification scheme with its retention rule (JRA row).

    Retention fields left NULL are inherited from the nearest ancestor that sets them.
    """

    __tablename__ = "classifications"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("classifications.code"), index=True
    )
    active_years: Mapped[int | None] = mapped_column(Integer)
    active_trigger: Mapped[str | None] = mapped_column(String(120))
    inactive_years: Mapped[int | None] = mapped_column(Integer)
    final_fate: Mapped[str | None] = mapped_column(String(20))
    default_security: Mapped[str | None] = mapped_column(String(20))
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    clearance: Mapped[str] = mapped_column(String(20), default="biasa")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout/password change/deactivation: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set when an administrator sets the password: the user must choose a new one at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        """Return the names of the user's roles."""
        return {r.role for r in self.roles}


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class LoginFailure(Base):
    """A failed sign-in, kept for a day to throttle guessing (per account, address, device)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Lower-cased as typed, whether or not such a user exists.
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(64))
    # The id of a trusted-device cookie the attempt carried for this user, if any.
    device: Mapped[str | None] = mapped_column(String(64))


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship(lazy="joined")


class Document(Base):
    """A filed record: its metadata, its stored file and its retention dates."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_class_date", "classification_code", "document_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    number: Mapped[str | None] = mapped_column(String(200), index=True)
    document_date: Mapped[dt.date] = mapped_column(Date)
    classification_code: Mapped[str] = mapped_column(ForeignKey("classifications.code"))
    security: Mapped[str] = mapped_column(String(20), index=True)
    sender: Mapped[str | None] = mapped_column(String(300))
    recipient: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    original_filename: Mapped[str] = mapped_column(String(500))
    mime: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    pages: Mapped[int | None] = mapped_column(Integer)
    storage_path: Mapped[str] = mapped_column(String(500), unique=True)

    text_status: Mapped[str] = mapped_column(String(20))
    text_message: Mapped[str | None] = mapped_column(Text)

    trigger_date: Mapped[dt.date | None] = mapped_column(Date)
    active_until: Mapped[dt.date | None] = mapped_column(Date)
    inactive_until: Mapped[dt.date | None] = mapped_column(Date)
    final_fate: Mapped[str | None] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(20), default="aktif", index=True)
    retention_note: Mapped[str | None] = mapped_column(Text)

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    classification: Mapped[Classification] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")
    tag_rows: Mapped[list[DocumentTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="DocumentTag.tag"
    )

    @property
    def tags(self) -> list[str]:
        """Return the document's tags, sorted."""
        return [t.tag for t in self.tag_rows]


class DocumentTag(Base):
    __tablename__ = "document_tags"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(100), primary_key=True, index=True)


class DocumentText(Base):
    """The extracted text of a document, kept apart so listings stay light."""

    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    text: Mapped[str] = mapped_column(Text)


class IndexQueue(Base):
    """Pending search-index work, written in the same transaction as the change it reflects."""

    __tablename__ = "index_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(10))  # "upsert" or "delete"
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit trail."""

    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor_name: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(80), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
