"""The front desk (Layanan Satu Pintu): numbering sequences, incoming letters (agenda surat
masuk), their dispositions, and outgoing letter numbers (agenda surat keluar)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from earsip.models.base import Base, utcnow
from earsip.models.offices import Office


class NumberSequence(Base):
    """The last number issued in one scope (e.g. `agenda:2026`, `out:2026`, `out:KA.00:2026`).

    A number is taken by incrementing this row inside the transaction that records what it
    numbers: the row lock serializes takers, and a rolled-back registration gives its number
    back, so the sequence has neither duplicates nor gaps.
    """

    __tablename__ = "number_sequences"

    # Each office numbers on its own: a scope's sequence is per office.
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True,
                                           index=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class IncomingLetter(Base):
    """A letter registered at the desk: one line of the agenda surat masuk."""

    __tablename__ = "incoming_letters"
    __table_args__ = (
        UniqueConstraint("office_id", "agenda_year", "agenda_seq",
                         name="uq_incoming_letters_agenda_seq"),
        UniqueConstraint("office_id", "agenda_number", name="uq_incoming_letters_agenda_number"),
        Index("ix_incoming_letters_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    # Many-to-one by key: loaded once per office and session (the identity map), not per row.
    office: Mapped[Office] = relationship(lazy="select")
    agenda_number: Mapped[str] = mapped_column(String(80))
    agenda_year: Mapped[int] = mapped_column(Integer)
    agenda_seq: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    channel: Mapped[str] = mapped_column(String(20))
    letter_number: Mapped[str] = mapped_column(String(200), index=True)
    letter_date: Mapped[dt.date] = mapped_column(Date)
    sender: Mapped[str] = mapped_column(String(300))
    sender_person: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(1000))
    classification_code: Mapped[str] = mapped_column(ForeignKey("classifications.code"))
    urgency: Mapped[str] = mapped_column(String(20))
    security: Mapped[str] = mapped_column(String(20), index=True)
    attachments: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str | None] = mapped_column(Text)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    registered_by_name: Mapped[str] = mapped_column(String(80))
    # The electronic signatures found in its PDFs at registration (earsip.signatures), as
    # stored facts: [{"document_id", "field", "signer", "status", ...}].
    signatures: Mapped[list | None] = mapped_column(JSON)



class OutgoingLetter(Base):
    """A number of the agenda surat keluar and, once it arrives, its signed letter.

    Status: `issued` (waiting for its letter) or `reserved` (held until `expires_at`) ->
    `filed`; a reservation left unused becomes `cancelled` and its number is never reissued.
    """

    __tablename__ = "outgoing_letters"
    __table_args__ = (
        UniqueConstraint("office_id", "scope", "seq", "insert",
                         name="uq_outgoing_letters_scope_seq"),
        UniqueConstraint("office_id", "number", name="uq_outgoing_letters_number"),
        CheckConstraint("status IN ('issued', 'reserved', 'filed', 'cancelled')",
                        name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    # Many-to-one by key: loaded once per office and session (the identity map), not per row.
    office: Mapped[Office] = relationship(lazy="select")
    number: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(120))
    seq: Mapped[int] = mapped_column(Integer)
    # 0 for a number in sequence; 1, 2, ... for a back-dated number inserted after `seq`.
    insert: Mapped[int] = mapped_column(Integer, default=0)
    year: Mapped[int] = mapped_column(Integer, index=True)
    classification_code: Mapped[str] = mapped_column(ForeignKey("classifications.code"))
    signatory: Mapped[str] = mapped_column(String(40))
    unit: Mapped[str] = mapped_column(String(60))
    letter_date: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(1000))
    recipient: Mapped[str | None] = mapped_column(String(300))
    security: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_by_name: Mapped[str] = mapped_column(String(80))
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    filed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    cancel_reason: Mapped[str | None] = mapped_column(Text)


class LetterDocument(Base):
    """A document of the archive that belongs to a letter (the letter itself, a lampiran) or
    to a disposition's follow-up; the link read both ways."""

    __tablename__ = "letter_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    incoming_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_letters.id"),
                                                    index=True)
    outgoing_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_letters.id"),
                                                    index=True)
    disposition_id: Mapped[int | None] = mapped_column(ForeignKey("dispositions.id"),
                                                       index=True)
    # "surat" (the letter), "lampiran" (an attachment) or "tindak_lanjut" (a follow-up).
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Disposition(Base):
    """One step of a letter's routing (or of a case's: `case_id` instead of `letter_id`): from
    whom, to whom, what to do, by when, and how it went. A step forwarded by its recipient is
    the `parent` of the steps it made."""

    __tablename__ = "dispositions"
    __table_args__ = (
        Index("ix_dispositions_to_status", "to_user_id", "status"),
        CheckConstraint("status IN ('new', 'read', 'in_progress', 'done', 'withdrawn')",
                        name="status"),
        CheckConstraint("(letter_id IS NULL) <> (case_id IS NULL)", name="subject"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The letter routed, or the case (services/cases/routing.py): exactly one of them.
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_letters.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("dispositions.id"), index=True)
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_name: Mapped[str] = mapped_column(String(80))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_name: Mapped[str] = mapped_column(String(80))
    instruction: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    done_note: Mapped[str | None] = mapped_column(Text)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ClassifierModel(Base):
    """A classification suggester trained on the office's filed texts (earsip.suggest); the
    newest row is the one in use."""

    __tablename__ = "classifier_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    trained_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    documents: Mapped[int] = mapped_column(Integer)
    codes: Mapped[int] = mapped_column(Integer)
    # Held-back accuracy measured when it was trained (top-1 and top-3, 0..1), if measured.
    top1: Mapped[float | None] = mapped_column(Float)
    top3: Mapped[float | None] = mapped_column(Float)
    payload: Mapped[str] = mapped_column(Text)  # the model, as JSON written by earsip.suggest
