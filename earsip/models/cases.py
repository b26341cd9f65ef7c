"""The front desk's cases (Layanan Satu Pintu, part 2): what the public brings to the office,
registered once, typed, kept on its legal clock; the working-day calendar and the deadline
rules those clocks are computed with; the guest book."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
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


class CalendarDay(Base):
    """A day that differs from an ordinary week: a holiday or cuti bersama (`working` false),
    or a day the office works although it is a weekend or a holiday (`working` true)."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    # The office whose correction this is (a seeded day: the office that seeded it). The
    # calendar is still one for the deployment (docs/OFFICES.md).
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    working: Mapped[bool] = mapped_column(Boolean, default=False)
    # "seed" (from the `holidays` package) or "admin" (a correction).
    source: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    changed_by_name: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(Text)


class CalendarYear(Base):
    """A year whose holidays were seeded, and from which version of the `holidays` data."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seeded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    source_version: Mapped[str] = mapped_column(String(40))


class DeadlineRule(Base):
    """One clock of one case type in one version of the rules, under a regime ("normal", or
    "tahapan" during an election stage): `days` counted in `count` days ("working" or
    "calendar") after the day its start event happened."""

    __tablename__ = "deadline_rules"
    __table_args__ = (
        UniqueConstraint("version", "regime", "case_type", "clock",
                         name="uq_deadline_rules_version_clock"),
        CheckConstraint("count IN ('working', 'calendar')", name="count"),
        CheckConstraint("days >= 0", name="days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, index=True)
    regime: Mapped[str] = mapped_column(String(20))
    case_type: Mapped[str] = mapped_column(String(40))
    # "answer" (from the day of receipt), "extension" (from the answer's due date), "filing"
    # (how long after its cause a case may be brought).
    clock: Mapped[str] = mapped_column(String(20))
    days: Mapped[int] = mapped_column(Integer)
    count: Mapped[str] = mapped_column(String(10))
    basis: Mapped[str | None] = mapped_column(String(300))


class DeadlineRuleVersion(Base):
    """A version of the deadline rules: who made it, when, and why. The newest is in force."""

    __tablename__ = "deadline_rule_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)


class ElectionPeriod(Base):
    """A period of election stages during which the "tahapan" regime's clocks apply to the
    cases received in it (where that regime has a rule for the clock)."""

    __tablename__ = "election_periods"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    created_by_name: Mapped[str] = mapped_column(String(80))


class Case(Base):
    """A submission registered at the desk: one line of its register, with its clock.

    Status: `registered` -> `in_progress` -> `answered` (a decision given) -> `closed`; a
    request's extension keeps it `in_progress` with a later `due_date`. Personal data lives in
    `case_persons`, never in this row.
    """

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("office_id", "reg_year", "reg_seq", name="uq_cases_reg_seq"),
        UniqueConstraint("office_id", "registration_number",
                         name="uq_cases_registration_number"),
        Index("ix_cases_type_status", "type", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    # Many-to-one by key: loaded once per office and session (the identity map), not per row.
    office: Mapped[Office] = relationship(lazy="select")
    registration_number: Mapped[str] = mapped_column(String(80))
    reg_year: Mapped[int] = mapped_column(Integer)
    reg_seq: Mapped[int] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime)  # UTC
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)  # the office's day
    summary: Mapped[str] = mapped_column(String(1000))
    security: Mapped[str] = mapped_column(String(20))
    classification_code: Mapped[str] = mapped_column(ForeignKey("classifications.code"))
    # The role that owns the case (earsip.access.ROLES) and, once someone takes it, who.
    owner_role: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The SHA-256 of the tracking code given to the public (the code itself is never kept).
    tracking_hash: Mapped[str | None] = mapped_column(String(64))
    # The clock: the day by which the answer is due (inclusive), how it was computed.
    due_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    first_due_date: Mapped[dt.date | None] = mapped_column(Date)
    rule_version: Mapped[int | None] = mapped_column(Integer)
    regime: Mapped[str | None] = mapped_column(String(20))
    calendar_revision: Mapped[int | None] = mapped_column(Integer)
    extended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    # Whether the case was brought within its filing window (keberatan, laporan, sengketa);
    # a late one is still registered, with the reason.
    timely: Mapped[bool | None] = mapped_column(Boolean)
    timeliness_note: Mapped[str | None] = mapped_column(Text)
    # The fields of its type that are not personal data (schemas/cases.py says which).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    # The case this one is about (a keberatan's request) and a national system's number.
    related_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    external_number: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(String(40))
    exemption: Mapped[str | None] = mapped_column(Text)
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    decided_by_name: Mapped[str | None] = mapped_column(String(80))
    answer_outgoing_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_letters.id"))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    delivery_method: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    registered_by_name: Mapped[str] = mapped_column(String(80))


class CasePerson(Base):
    """A person of a case (personal data, UU 27/2022): the requester, a proxy, a reporter, the
    reported party. Shown only to the case's owner and those it is routed to."""

    __tablename__ = "case_persons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # "pemohon", "kuasa", "pelapor", "terlapor".
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    identity_number: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    occupation: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    extra: Mapped[dict] = mapped_column(JSON, default=dict)


class CaseEvent(Base):
    """One step of a case's status history."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    # What happened ("registered", "extended", "decided", ...), in the record's own words.
    event: Mapped[str] = mapped_column(String(40))
    actor_name: Mapped[str] = mapped_column(String(80))
    note: Mapped[str | None] = mapped_column(Text)


class CaseDocument(Base):
    """A document of the archive that belongs to a case: its identity scan, the submission, an
    answer, evidence. An identity scan the same person sends with a second request belongs to
    both cases (the archive keeps one copy of the bytes)."""

    __tablename__ = "case_documents"
    __table_args__ = (
        UniqueConstraint("case_id", "document_id", name="uq_case_documents_case_document"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    # "identitas", "permohonan", "jawaban", "bukti", "lampiran".
    role: Mapped[str] = mapped_column(String(20))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class GuestVisit(Base):
    """A line of the buku tamu: a visitor who came to the office."""

    __tablename__ = "guest_visits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visited_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)  # UTC
    name: Mapped[str] = mapped_column(String(200))
    institution: Mapped[str | None] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(Text)
    meets: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    registered_by_name: Mapped[str] = mapped_column(String(80))
