"""Background jobs: slow work (OCR, re-index, fixity) done by `earsip worker`, never in a request.

A job is a row of `jobs`, written in the same transaction as what asked for it (a filing that
needs OCR commits its document and its job together). The table is the queue: a worker takes
the oldest due `pending` row (`run_next`: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so
several workers pass each other by; on SQLite the write lock serialises them), moving it to
`running` in the same transaction, reports a heartbeat while it works, and records `done`, or
`pending` again with a later start (a retry), or `failed` with the reason once the attempts are
used up. `recover` (at worker start-up and every minute) takes back running jobs whose worker
died (its process is gone, or its heartbeat is older than `job_stale_s`). A job therefore runs
at least once, and a second run is harmless: OCR rewrites the same text and keeps the first copy
it recorded; re-index and fixity simply run again. Each claim has its own token, so a worker
whose job was taken back records nothing about it afterwards. What each kind of job does is the
table `job_kinds.HANDLERS`.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterable

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from earsip import audit
from earsip.access import classes_up_to
from earsip.db import rowcount
from earsip.errors import N_, Conflict, EarsipError, JobGaveUp, NotFound
from earsip.models import Document, Job, utcnow
from earsip.schemas.base import JsonObject
from earsip.schemas.operations import Job as JobView
from earsip.schemas.operations import JobCounts, moment
from earsip.services import Archive
from earsip.services.operations.job_kinds import GIVEN_UP, HANDLERS, Handler, JobContext

__all__ = ["KINDS", "STATES", "Handler", "JobContext", "counts", "execute",
           "due_count", "listing", "recover", "request", "retry", "run_next", "run_pending",
           "submit", "worker_name"]

log = logging.getLogger(__name__)
KINDS = tuple(HANDLERS)  # "ocr", "reindex", "fixity", "suggest.train", "notify.email"
STATES = ("pending", "running", "done", "failed")
RETRY_DELAYS_S = (30, 300, 1800)  # before the 2nd, 3rd and later attempts


def worker_name() -> str:
    """Return this process's name ("host:pid"); each claim adds a token of its own."""
    return f"{socket.gethostname()}:{os.getpid()}"


def submit(session: Session, archive: Archive, kind: str, *, document_id: int | None = None,
           requested_by_id: int | None = None) -> Job:
    """Add a pending job inside the caller's transaction; a worker takes it after the commit."""
    if kind not in KINDS:
        raise ValueError(kind)
    job = Job(kind=kind, document_id=document_id, state="pending", attempts=0,
              max_attempts=archive.config.job_attempts, requested_by_id=requested_by_id)
    session.add(job)
    session.flush()
    return job


def request(archive: Archive, actor: audit.Actor, kind: str, *,
            document_id: int | None = None) -> int:
    """Ask for a job (from the CLI or an admin page): record it and audit it."""
    with archive.db.write() as session:
        if document_id is not None:
            doc = session.get(Document, document_id)
            if doc is None or doc.disposition == "destroyed":
                raise NotFound("Dokumen tidak ditemukan.")
        job = submit(session, archive, kind, document_id=document_id,
                     requested_by_id=actor.user_id)
        audit.append(session, actor, "job.request", target_type="job", target_id=job.id,
                     details={"kind": kind, "document_id": document_id})
        job_id = job.id
    return job_id


def retry(archive: Archive, actor: audit.Actor, job_id: int, *,
          clearance: str | None = None) -> None:
    """Give a failed job a fresh set of attempts (the admin queue page's button).

    A job about a document above `clearance` is, to that reader, no job at all (NotFound),
    as the queue page does not list it; the shell's operator (None) reaches every job.
    """
    with archive.db.write() as session:
        job = session.scalar(select(Job).where(Job.id == job_id, _within(clearance)))
        if job is None:
            raise NotFound("Tugas tidak ditemukan.")
        if job.state != "failed":
            raise Conflict("Hanya tugas yang gagal yang dapat diulang.")
        job.state, job.attempts, job.not_before, job.last_error = "pending", 0, None, None
        job.finished_at = None
        if job.kind == "ocr" and job.document_id is not None:
            doc = session.get(Document, job.document_id)
            if doc is not None and doc.disposition != "destroyed" \
                    and doc.text_status != "extracted":  # typed pages keep their status
                doc.text_status, doc.text_message = "ocr_pending", None
        audit.append(session, actor, "job.retry", target_type="job", target_id=job.id,
                     details={"kind": job.kind, "document_id": job.document_id})


# -- the worker side ---------------------------------------------------------------------------

def _due(now: dt.datetime) -> ColumnElement[bool]:
    return (Job.state == "pending") & ((Job.not_before.is_(None)) | (Job.not_before <= now))


def _running(now: dt.datetime, me: str) -> JsonObject:
    return {"state": "running", "attempts": Job.attempts + 1, "started_at": now,
            "heartbeat_at": now, "worker": me, "finished_at": None}


def _claim_token() -> str:
    return f"{worker_name()}/{uuid.uuid4().hex[:12]}"  # this claim, not just this process


def run_next(archive: Archive) -> tuple[int, str | None] | None:
    """Claim the oldest due pending job and run it; return (its id, its state afterwards), or
    None when no job is due."""
    me, now = _claim_token(), utcnow()
    with archive.db.read() as session:  # polled often: the write lock only when a job is due
        if session.scalar(select(Job.id).where(_due(now)).limit(1)) is None:
            return None
    with archive.db.write() as session:
        query = select(Job.id).where(_due(now)).order_by(Job.id).limit(1)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalar(query)
        if job_id is None:
            return None
        session.execute(update(Job).where(Job.id == job_id).values(**_running(now, me)))
        context, kind = _context(session, job_id)
    return job_id, _run(archive, job_id, me, context, kind)


def execute(archive: Archive, job_id: int) -> str | None:
    """Run one job if it can be claimed (its work is `job_kinds.HANDLERS[kind]`); return its
    state afterwards (None: not claimed)."""
    me, now = _claim_token(), utcnow()
    with archive.db.write() as session:
        claimed = rowcount(session.execute(
            update(Job).where(Job.id == job_id, _due(now)).values(**_running(now, me))))
        if not claimed:
            return None
        context, kind = _context(session, job_id)
    return _run(archive, job_id, me, context, kind)


def _context(session: Session, job_id: int) -> tuple[JobContext, str]:
    job = session.get(Job, job_id)
    assert job is not None
    return JobContext(job.id, job.document_id, job.attempts,
                      job.attempts >= job.max_attempts), job.kind


def _run(archive: Archive, job_id: int, me: str, context: JobContext, kind: str) -> str | None:
    """Run a claimed job with a heartbeat; record how it ended."""
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(archive, job_id, me, stop),
                            name=f"job-{job_id}-heartbeat", daemon=True)
    beat.start()
    try:
        result = HANDLERS[kind](archive, context)
    except JobGaveUp as e:
        return _finish(archive, job_id, me, "failed", error=e.message)
    except Exception as e:
        log.exception("job %s (%s) failed", job_id, kind)
        # Shown to readers of the document: our own messages only, never a raw exception's
        # text (it may hold paths); the log has the rest.
        reason = e.message if isinstance(e, EarsipError) else (
            f"Kesalahan tak terduga ({type(e).__name__}).")
        if context.last_attempt:
            state = _finish(archive, job_id, me, "failed", error=reason)
            if state == "failed":  # still this claim's job: only then touch the document
                _on_given_up(archive, kind, context.document_id, reason)
            return state
        delay = RETRY_DELAYS_S[min(context.attempt, len(RETRY_DELAYS_S)) - 1]
        return _finish(archive, job_id, me, "pending", error=reason, delay_s=delay)
    finally:
        stop.set()
        beat.join()
    return _finish(archive, job_id, me, "done", result=result)


def _heartbeat(archive: Archive, job_id: int, me: str, stop: threading.Event) -> None:
    interval = max(1.0, archive.config.job_stale_s / 4)
    while not stop.wait(interval):
        try:
            with archive.db.write() as session:
                session.execute(update(Job).where(Job.id == job_id, Job.worker == me,
                                                  Job.state == "running")
                                .values(heartbeat_at=utcnow()))
        except Exception:  # a busy database: the next beat tries again
            log.warning("heartbeat of job %s not recorded", job_id, exc_info=True)


def _finish(archive: Archive, job_id: int, me: str, state: str, *, error: str | None = None,
            result: JsonObject | None = None, delay_s: float = 0) -> str | None:
    """Record how a run ended, unless the job was taken back from this worker meanwhile."""
    now = utcnow()
    values: JsonObject = {"state": state, "last_error": error, "heartbeat_at": now}
    if state == "pending":
        values["not_before"] = now + dt.timedelta(seconds=delay_s)
    else:
        values["finished_at"] = now
    if result is not None:
        values["result"] = result
    with archive.db.write() as session:
        changed = rowcount(session.execute(update(Job).where(
            Job.id == job_id, Job.worker == me, Job.state == "running").values(**values)))
    return state if changed else None


def _on_given_up(archive: Archive, kind: str, document_id: int | None, reason: str) -> None:
    """Leave a truthful status on the document of a job that will not be tried again."""
    record = GIVEN_UP.get(kind)
    if record is not None and document_id is not None:
        record(archive, document_id, reason)


def recover(archive: Archive, *, now: dt.datetime | None = None) -> int:
    """Take back jobs whose worker died (pending again, or failed after their last attempt);
    return how many are pending again."""
    now = now or utcnow()
    stale = now - dt.timedelta(seconds=archive.config.job_stale_s)
    host = socket.gethostname()
    requeued = 0
    given_up: list[tuple[str, int | None, str]] = []
    with archive.db.read() as session:
        running = session.execute(select(Job.id, Job.worker, Job.heartbeat_at, Job.attempts,
                                         Job.max_attempts, Job.kind, Job.document_id)
                                  .where(Job.state == "running")).all()
    reason = N_("Pekerja latar berhenti saat menjalankan tugas ini.")
    for job_id, worker, beat, attempts, max_attempts, kind, document_id in running:
        if not (_dead_here(worker, host) or (beat or now) < stale):
            continue
        log.warning("job %s: worker %s is gone; taking it back", job_id, worker)
        give_up = attempts >= max_attempts
        values: JsonObject = (
            {"state": "failed", "finished_at": now, "last_error": reason} if give_up
            else {"state": "pending", "not_before": None, "last_error": reason})
        with archive.db.write() as session:
            # Only if nothing changed since it was read (it may have just finished, or been
            # taken back by another worker's recovery).
            taken = rowcount(session.execute(update(Job).where(
                Job.id == job_id, Job.state == "running", Job.worker == worker,
                Job.heartbeat_at == beat if beat is not None else Job.heartbeat_at.is_(None))
                .values(**values)))
        if not taken:
            continue
        if give_up:
            given_up.append((kind, document_id, reason))
        else:
            requeued += 1
    for kind, document_id, reason in given_up:
        _on_given_up(archive, kind, document_id, reason)
    return requeued


def _dead_here(worker: str | None, host: str) -> bool:
    """Return True when `worker` ran on this host in a process that no longer exists."""
    if not worker or ":" not in worker:
        return False
    where, _, pid = worker.split("/", 1)[0].rpartition(":")
    if where != host or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def run_pending(archive: Archive, *, kinds: Iterable[str] | None = None,
                document_ids: Iterable[int] | None = None) -> dict[int, str | None]:
    """Run the pending jobs here and now (the CLI's `--pending`, and tests); id -> state."""
    query = select(Job.id).where(Job.state == "pending").order_by(Job.id)
    if kinds is not None:
        query = query.where(Job.kind.in_(list(kinds)))
    if document_ids is not None:
        query = query.where(Job.document_id.in_(list(document_ids)))
    with archive.db.read() as session:
        ids = list(session.scalars(query))
    with archive.db.write() as session:  # here and now: a retry's delay does not apply
        session.execute(update(Job).where(Job.id.in_(ids), Job.state == "pending")
                        .values(not_before=None))
    return {job_id: execute(archive, job_id) for job_id in ids}


def due_count(archive: Archive, *, clearance: str | None = None) -> int:
    """Return how many pending jobs are due now, what the workers take next (those a reader of
    `clearance` may know of)."""
    with archive.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(
            _due(utcnow()), _within(clearance))) or 0)


# -- what the admin queue page shows ----------------------------------------------------------

def _within(clearance: str | None) -> ColumnElement[bool]:
    """Return the SQL condition keeping jobs a reader of `clearance` may know of (all: None).

    A job about a document (OCR) exists for a reader only if the document does; jobs about
    the whole archive (re-index, fixity) are shown to every reader of the page.
    """
    if clearance is None:
        return true()
    return or_(Job.document_id.is_(None), Job.document_id.in_(
        select(Document.id).where(Document.security.in_(classes_up_to(clearance)))))


def counts(archive: Archive, *, clearance: str | None = None) -> JobCounts:
    """Return how many jobs are in each state (those a reader of `clearance` may know of)."""
    with archive.db.read() as session:
        rows = session.execute(select(Job.state, func.count()).where(_within(clearance))
                               .group_by(Job.state)).all()
    found = dict.fromkeys(STATES, 0)
    found.update({state: n for state, n in rows})
    return JobCounts.model_validate(found)


def _view(job: Job) -> JobView:
    """Return a job as the queue page and the API show it."""
    return JobView(id=job.id, kind=job.kind, document_id=job.document_id, state=job.state,
                   attempts=job.attempts, max_attempts=job.max_attempts,
                   created_at=moment(job.created_at) or "", not_before=moment(job.not_before),
                   started_at=moment(job.started_at), finished_at=moment(job.finished_at),
                   last_error=job.last_error)


def listing(archive: Archive, *, state: str | None = None, limit: int = 200,
            clearance: str | None = None) -> list[JobView]:
    """Return jobs, newest first, in one state or all (within `clearance`, when given)."""
    query = select(Job).where(_within(clearance)).order_by(Job.id.desc()).limit(limit)
    if state is not None:
        query = query.where(Job.state == state)
    with archive.db.read() as session:
        return [_view(job) for job in session.scalars(query)]


def get(archive: Archive, job_id: int, *, clearance: str | None = None) -> JobView | None:
    """Return one job a reader of `clearance` may know of (None otherwise, or when none)."""
    with archive.db.read() as session:
        job = session.scalar(select(Job).where(Job.id == job_id, _within(clearance)))
        return _view(job) if job is not None else None
