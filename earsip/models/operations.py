"""Operations: fixity checks of the stored files, the scheduler's record of its tasks and the
background jobs of the worker (OCR, re-index, fixity)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String, Text
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


class Job(Base):
    """A piece of slow work for the background worker: the job and the queue in one row.

    Workers take due pending rows themselves (`services/operations/jobs.py`); this row is the
    truth about the job: its state, its attempts and its last error. A job that was running in a
    worker that died is found by its stale heartbeat (or its dead process) and made pending
    again."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),
                      Index("ix_jobs_kind_document", "kind", "document_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "ocr", "reindex", "fixity"
    document_id: Mapped[int | None] = mapped_column(
        ForeignKey("documents.id", ondelete="SET NULL"))
    # "pending" (waiting, or waiting to be retried), "running", "done", "failed" (gave up)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(Integer)
    not_before: Mapped[dt.datetime | None] = mapped_column(DateTime)  # a retry's earliest start
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    worker: Mapped[str | None] = mapped_column(String(120))  # "host:pid" of the running worker
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
