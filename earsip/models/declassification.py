"""Declassification requests: lowering a record's security class that a leader must approve."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from earsip.models.base import Base, utcnow


class DeclassificationRequest(Base):
    """A records officer's request to lower a record to `biasa`, or by more than one level.

    Status: pending -> approved (the record's class is lowered then) or refused. The record
    keeps its class while the request is pending.
    """

    __tablename__ = "declassification_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    old_security: Mapped[str] = mapped_column(String(20))
    new_security: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), index=True, default="pending")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_by_name: Mapped[str] = mapped_column(String(80))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_name: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Why a leader refused (an approval needs none: the request holds the reason).
    decision_note: Mapped[str | None] = mapped_column(Text)
