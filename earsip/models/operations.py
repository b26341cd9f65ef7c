"""Operations: fixity checks of the stored files and the scheduler's record of its tasks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from earsip.models.base import Base, utcnow


class FixityRun(Base):
    """One run of `earsip verify`: every stored file re-hashed against the database."""

    __tablename__ = "fixity_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    trigger: Mapped[str] = mapped_column(String(20))  # "cli", "scheduled", "web"
    checked: Mapped[int] = mapped_column(Integer, default=0)
    # Lists of {"document_id", "path", ...} / relative paths.
    changed: Mapped[list] = mapped_column(JSON, default=list)
    missing: Mapped[list] = mapped_column(JSON, default=list)
    untracked: Mapped[list] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(20))  # "ok" or "problems"


class TaskRun(Base):
    """When a scheduled task (retention run, checkpoint, fixity) last ran, claimed in the
    database so that several server processes run each one once."""

    __tablename__ = "task_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_details: Mapped[dict | None] = mapped_column(JSON)
