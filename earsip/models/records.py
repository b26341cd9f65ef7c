"""Records: the classification scheme, documents, their tags and text, the index queue."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from earsip.models.base import Base, utcnow

if TYPE_CHECKING:
    from earsip.models.accounts import User
    from earsip.models.offices import Office


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



class Document(Base):
    """A filed record: its metadata, its stored file and its retention dates."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_class_date", "classification_code", "document_date"),
        Index("uq_documents_searchable_path", "searchable_path", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
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
    # Personal data of a case (an identity scan, UU 27/2022): never indexed nor read by OCR,
    # readable only by the case's owner (services/cases), listed nowhere else.
    personal: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    text_message: Mapped[str | None] = mapped_column(Text)
    # The searchable PDF/A copy made by OCR ("salinan teks-cari"), stored beside the original,
    # which never changes; it has its own hash and is checked by fixity like the original.
    searchable_path: Mapped[str | None] = mapped_column(String(500))
    searchable_sha256: Mapped[str | None] = mapped_column(String(64))
    searchable_size: Mapped[int | None] = mapped_column(BigInteger)
    searchable_kind: Mapped[str | None] = mapped_column(String(10))  # "pdfa" or "pdf"

    trigger_date: Mapped[dt.date | None] = mapped_column(Date)
    active_until: Mapped[dt.date | None] = mapped_column(Date)
    inactive_until: Mapped[dt.date | None] = mapped_column(Date)
    final_fate: Mapped[str | None] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(20), default="aktif", index=True)
    retention_note: Mapped[str | None] = mapped_column(Text)
    # What ended the record's life in this archive: None while kept, "destroyed" (content gone,
    # this row stays as the tombstone) or "transferred" (handed over as arsip statis).
    disposition: Mapped[str | None] = mapped_column(String(20), index=True)
    disposed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    disposal_list_id: Mapped[int | None] = mapped_column(ForeignKey("disposal_lists.id"))
    transfer_id: Mapped[int | None] = mapped_column(ForeignKey("transfers.id"))

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    classification: Mapped[Classification] = relationship(lazy="joined")
    created_by: Mapped[User | None] = relationship(lazy="joined")
    # Many-to-one by key: loaded once per office and session (the identity map), not per row.
    office: Mapped[Office] = relationship(lazy="select")
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


