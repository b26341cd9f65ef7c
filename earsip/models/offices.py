"""Offices (satuan kerja): the province office and the kabupaten/kota offices one deployment
serves. An office owns its documents, letters, cases, numbering sequences, calendar
corrections, holds, destruction lists, transfers and users (docs/OFFICES.md)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from earsip.models.base import Base, utcnow


class Office(Base):
    """One satuan kerja: its code (the one its letter numbers carry), name, place, level and
    the office above it (a kabupaten/kota office's province office)."""

    __tablename__ = "offices"
    __table_args__ = (CheckConstraint("level IN ('provinsi', 'kabkota')", name="level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
