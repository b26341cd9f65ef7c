"""Scheduled work of a running archive: the daily retention run and audit checkpoint, the daily
retraining of the classification suggester (queued as a `suggest.train` job, so the training
runs in a worker thread like any job, not in the tick), the fixity check every
`fixity_interval_days` days, and, when `EARSIP_SMTP_URL` is set, the notification e-mails every
`NOTIFY_EVERY_MINUTES` minutes (queued as a `notify.email` job; off without a mail server).

The background worker (`earsip worker`, started by `earsip serve`) checks once a minute, in its
queue's periodic tick (`services/operations/worker.py`); `earsip tasks --run` does one round, for
a cron job or by hand. Each task is claimed in the database (table `task_runs`) before it runs,
so several workers never run the same task twice; a claim older than the lease (a process that
died mid-task) may be taken over.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from earsip import audit
from earsip.models import Job, TaskRun, utcnow
from earsip.schemas.base import JsonObject
from earsip.schemas.operations import TaskStatus
from earsip.services import Archive
from earsip.services.audit import review as audit_review
from earsip.services.operations import fixity, jobs
from earsip.services.retention import cycle as retention

log = logging.getLogger(__name__)
LEASE = dt.timedelta(hours=6)
RETRY = dt.timedelta(hours=1)
NOTIFY_EVERY_MINUTES = 15


@dataclass(frozen=True)
class Task:
    """A task: its name, how often, and what it does (returning the details to record)."""

    name: str
    every_days: Callable[[Archive], int]  # 0 or less: never
    run: Callable[[Archive], JsonObject]
    # Set: the task runs every so many minutes instead of once a day (every_days still
    # turns it off when 0 or less).
    every_minutes: int | None = None


def _retention(archive: Archive) -> JsonObject:
    result = retention.run(archive, audit.SYSTEM)
    return {"as_of": result.as_of.isoformat(), "moved": result.total}


def _checkpoint(archive: Archive) -> JsonObject:
    made = audit_review.make_checkpoint(archive, audit.SYSTEM, trigger="scheduled")
    return {"size": made.size, "head_hash": made.head_hash}


def _fixity(archive: Archive) -> JsonObject:
    report = fixity.run_fixity(archive, audit.SYSTEM, trigger="scheduled")
    return {"checked": report.checked, "outcome": report.outcome}


def _queue_once(archive: Archive, kind: str) -> JsonObject:
    """Queue a job of `kind` unless one is already waiting or running."""
    with archive.db.write() as session:
        waiting = session.scalar(select(Job.id).where(Job.kind == kind,
                                                      Job.state.in_(("pending", "running")))
                                 .limit(1))
        if waiting is not None:  # one in the queue is enough
            return {"queued": None, "waiting": waiting}
        return {"queued": jobs.submit(session, archive, kind).id}


def _suggest_train(archive: Archive) -> JsonObject:
    return _queue_once(archive, "suggest.train")


def _notify_email(archive: Archive) -> JsonObject:
    return _queue_once(archive, "notify.email")


TASKS = (
    Task("retention.run", lambda a: 1, _retention),
    Task("audit.checkpoint", lambda a: 1, _checkpoint),
    Task("fixity", lambda a: a.config.fixity_interval_days, _fixity),
    Task("suggest.train", lambda a: 1, _suggest_train),
    Task("notify.email", lambda a: 1 if a.config.smtp_url else 0, _notify_email,
         every_minutes=NOTIFY_EVERY_MINUTES),
)


def _local_day(moment: dt.datetime) -> dt.date:
    """Return the server's local date at a naive-UTC moment."""
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def is_due(row: TaskRun | None, every_days: int, now: dt.datetime, *,
           every_minutes: int | None = None) -> bool:
    """Return True when a task last started per `row` should run again at `now` (naive UTC).

    Daily tasks run once per local calendar day (so documents move on their due date);
    longer intervals count whole days since the last start. A claim still within its lease
    and not finished means another process is running the task. A task of `every_minutes`
    runs again once that many minutes have passed since its last start.
    """
    if every_days <= 0:
        return False
    if row is None or row.last_started_at is None:
        return True
    running = row.last_finished_at is None or row.last_finished_at < row.last_started_at
    if running:
        # Another process is at it, or died at it: take over once the lease has run out.
        return now - row.last_started_at >= LEASE
    if row.last_outcome == "failed":
        # A failed run is tried again an hour later, not a whole period later.
        return now - (row.last_finished_at or row.last_started_at) >= RETRY
    if every_minutes:
        return now - row.last_started_at >= dt.timedelta(minutes=every_minutes)
    if every_days == 1:
        return _local_day(row.last_started_at) < _local_day(now)
    return now - row.last_started_at >= dt.timedelta(days=every_days)


def _locked_row(session: Session, name: str) -> TaskRun:
    """Return the task's row, made on first use, locked until the caller's transaction ends.

    On PostgreSQL a plain read would let two processes both see the task due and both claim
    it; the row lock makes the second wait for the first's claim and then see it. (SQLite's
    write transactions are serialised by BEGIN IMMEDIATE already.)
    """
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    session.execute(insert(TaskRun).values(name=name)
                    .on_conflict_do_nothing(index_elements=["name"]))
    return session.scalars(select(TaskRun).where(TaskRun.name == name).with_for_update()
                           .execution_options(populate_existing=True)).one()


def _claim(archive: Archive, task: Task, now: dt.datetime) -> bool:
    every_days = task.every_days(archive)
    if every_days <= 0:  # turned off: no row to make
        return False
    with archive.db.write() as session:
        row = _locked_row(session, task.name)
        if not is_due(row, every_days, now, every_minutes=task.every_minutes):
            return False
        row.last_started_at = now
        return True


def _finish(archive: Archive, name: str, outcome: str, details: JsonObject) -> None:
    with archive.db.write() as session:
        row = session.get(TaskRun, name)
        if row is not None:
            row.last_finished_at, row.last_outcome, row.last_details = utcnow(), outcome, details


def run_due(archive: Archive, *, now: dt.datetime | None = None,
            only: set[str] | None = None) -> dict[str, str]:
    """Run every task that is due (claimed first); return name -> outcome of those run."""
    done: dict[str, str] = {}
    for task in TASKS:
        if only is not None and task.name not in only:
            continue
        if not _claim(archive, task, now or utcnow()):
            continue
        try:
            details = task.run(archive)
        except Exception as e:  # recorded; tried again after RETRY
            log.exception("scheduled task %s failed", task.name)
            _finish(archive, task.name, "failed", {"error": str(e)[:500]})
            done[task.name] = "failed"
        else:
            _finish(archive, task.name, "ok", details)
            done[task.name] = "ok"
    return done


def status(archive: Archive) -> list[TaskStatus]:
    """Return each task with when it last ran and how it went."""
    with archive.db.read() as session:
        rows = {r.name: r for r in session.scalars(select(TaskRun))}
        shown = []
        for task in TASKS:
            row = rows.get(task.name)
            shown.append(TaskStatus(
                name=task.name, every_days=task.every_days(archive),
                every_minutes=task.every_minutes,
                last_started_at=row.last_started_at if row else None,
                last_finished_at=row.last_finished_at if row else None,
                last_outcome=row.last_outcome if row else None,
                last_details=row.last_details if row else None))
        return shown
