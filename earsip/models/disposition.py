"""Disposition: legal holds, destruction lists (DAUM) and transfers of arsip statis."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from earsip.models.base import Base, utcnow


class LegalHold(Base):
    """A legal hold: while it is in force, the documents it covers cannot leave the archive.

    It covers chosen documents (HoldDocument rows), or a whole classification code and every
    code beneath it (`classification_code`), including documents filed there later.
    """

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    reference: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    classification_code: Mapped[str | None] = mapped_column(ForeignKey("classifications.code"))
    placed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    placed_by_name: Mapped[str] = mapped_column(String(80))
    placed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    lifted_by_name: Mapped[str | None] = mapped_column(String(80))
    lift_reason: Mapped[str | None] = mapped_column(Text)

    document_rows: Mapped[list[HoldDocument]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class HoldDocument(Base):
    __tablename__ = "hold_documents"

    hold_id: Mapped[int] = mapped_column(ForeignKey("legal_holds.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id"), primary_key=True, index=True
    )


class DisposalList(Base):
    """A Daftar Arsip Usul Musnah and, once carried out, its Berita Acara Pemusnahan.

    Status: draft -> submitted (under review) -> approved -> executed; or cancelled.
    """

    __tablename__ = "disposal_lists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    proposed_by_name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_name: Mapped[str | None] = mapped_column(String(80))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # The approval decision (e.g. the head's decree number) and its date.
    approval_reference: Mapped[str | None] = mapped_column(String(200))
    approval_date: Mapped[dt.date | None] = mapped_column(Date)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The berita acara, filled in when the destruction is carried out.
    executed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    executed_by_name: Mapped[str | None] = mapped_column(String(80))
    berita_acara_number: Mapped[str | None] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    method: Mapped[str | None] = mapped_column(String(300))
    official_name: Mapped[str | None] = mapped_column(String(200))
    official_position: Mapped[str | None] = mapped_column(String(200))
    # [{"name": ..., "position": ...}, ...], at least two.
    witnesses: Mapped[list | None] = mapped_column(JSON)
    # The filed berita acara and list (documents under the disposal code). Plain integers:
    # documents already point here, and a foreign key both ways would be a cycle.
    berita_acara_document_id: Mapped[int | None] = mapped_column(Integer)
    list_document_id: Mapped[int | None] = mapped_column(Integer)

    items: Mapped[list[DisposalItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="DisposalItem.id"
    )


class DisposalItem(Base):
    """One record on a destruction list, with the list's columns as they were drawn up."""

    __tablename__ = "disposal_items"
    __table_args__ = (UniqueConstraint("list_id", "document_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("disposal_lists.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    classification_code: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text)  # jenis/uraian arsip
    period: Mapped[str] = mapped_column(String(40))  # kurun waktu
    quantity: Mapped[str] = mapped_column(String(40))  # jumlah
    development: Mapped[str] = mapped_column(String(40))  # tingkat perkembangan
    media: Mapped[str] = mapped_column(String(80))
    remarks: Mapped[str | None] = mapped_column(Text)  # keterangan
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    removed_by_name: Mapped[str | None] = mapped_column(String(80))
    removed_reason: Mapped[str | None] = mapped_column(Text)


class Transfer(Base):
    """A handover of arsip statis (penyerahan) as a BagIt package.

    Status: prepared (package written, documents unchanged) -> confirmed (documents marked
    transferred); or cancelled.
    """

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    number: Mapped[str] = mapped_column(String(120), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    recipient: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_name: Mapped[str] = mapped_column(String(80))
    # The package folder, relative to the instance folder's transfers/.
    package_name: Mapped[str | None] = mapped_column(String(300))
    # SHA-256 of the bag's tagmanifest: names the exact package that was handed over.
    package_digest: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    confirmed_by_name: Mapped[str | None] = mapped_column(String(80))
    receipt_reference: Mapped[str | None] = mapped_column(String(200))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    item_rows: Mapped[list[TransferItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class TransferItem(Base):
    __tablename__ = "transfer_items"

    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfers.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("documents.id"), primary_key=True, index=True
    )
