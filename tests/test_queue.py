"""The worker takes its work from the `jobs` table: no message queue, nothing to lose.

Real `earsip worker` processes on the test archive (SQLite, or PostgreSQL with
EARSIP_TEST_DATABASE_URL); the jobs are fixity checks, so no Tesseract is needed. Huey, and the
Redis it could use, are retired: `EARSIP_QUEUE_URL` is ignored with a warning (docs/OCR.md).
"""

from __future__ import annotations

import datetime as dt
import signal
from pathlib import Path

from sqlalchemy import select

from earsip.audit import SYSTEM
from earsip.models import Job, utcnow
from earsip.services import Archive
from earsip.services.operations import jobs, worker
from tests.helpers import wait_until


def _job(archive: Archive, job_id: int) -> Job:
    with archive.db.read() as session:
        job = session.scalar(select(Job).where(Job.id == job_id))
        assert job is not None
        session.expunge(job)
        return job


def test_a_running_worker_starts_a_committed_job_within_a_moment(
        archive: Archive, start_worker) -> None:
    proc = start_worker()
    warm = jobs.request(archive, SYSTEM, "fixity")
    wait_until(lambda: _job(archive, warm).state == "done", 90, "the worker to start")
    job_id = jobs.request(archive, SYSTEM, "fixity")
    wait_until(lambda: _job(archive, job_id).state == "done", 30, "the fixity job")
    job = _job(archive, job_id)
    assert job.attempts == 1 and job.started_at is not None
    # Polled every POLL_S (0.2 s); generous for a shared, loaded test machine.
    assert (job.started_at - job.created_at).total_seconds() < 5
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


def test_jobs_committed_while_no_worker_runs_are_taken_when_one_starts(
        archive: Archive, start_worker) -> None:
    ids = [jobs.request(archive, SYSTEM, "fixity") for _ in range(3)]
    assert jobs.due_count(archive) == 3
    start_worker()
    wait_until(lambda: all(_job(archive, i).state == "done" for i in ids), 90, "the three jobs")
    assert jobs.due_count(archive) == 0


def test_two_workers_run_each_job_once(archive: Archive, start_worker) -> None:
    ids = [jobs.request(archive, SYSTEM, "fixity") for _ in range(12)]
    start_worker()
    start_worker()
    wait_until(lambda: all(_job(archive, i).state == "done" for i in ids), 180, "the twelve jobs")
    assert [_job(archive, i).attempts for i in ids] == [1] * 12


def test_the_retired_queue_url_is_ignored_with_a_clear_warning(
        archive: Archive, start_worker, tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    start_worker(log=log, EARSIP_QUEUE_URL="redis://127.0.0.1:1/0")  # nothing listens there
    job_id = jobs.request(archive, SYSTEM, "fixity")
    wait_until(lambda: _job(archive, job_id).state == "done", 90, "the fixity job")
    text = log.read_text(encoding="utf-8")
    assert "EARSIP_QUEUE_URL is no longer used" in text and worker.QUEUE_URL_RETIRED in text


def test_a_retry_waits_in_the_table_until_its_time(archive: Archive) -> None:
    job_id = jobs.request(archive, SYSTEM, "fixity")
    with archive.db.write() as session:
        session.get(Job, job_id).not_before = utcnow() + dt.timedelta(seconds=60)
    assert jobs.due_count(archive) == 0 and jobs.run_next(archive) is None
    with archive.db.write() as session:
        session.get(Job, job_id).not_before = None
    assert jobs.run_next(archive) == (job_id, "done")
