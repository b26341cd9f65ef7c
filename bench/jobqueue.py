"""How the background worker takes its work: Huey waking it, or the worker reading `jobs` itself.

Measures, on a fresh SQLite archive with a real worker process, the two ways the issue 18
asked to compare (docs/CHOICES.md records the decision):

- ``huey``: today's worker (``earsip worker``): each job row is committed and its id put on
  Huey's queue (SQLite file), whose consumer wakes the worker (``max_delay`` 1 s);
- ``table``: a prototype of a worker without a queue: it claims due ``pending`` rows itself
  (the same conditional claim, ``jobs.execute``) and, finding none, sleeps ``POLL_S``.

Jobs are small real jobs (``fixity`` of an empty archive: a run row and an audit entry). Two
figures each: the latency from the commit of a job to its start (one job at a time, the
worker idle in between; median and 95th percentile of ``JOBS_LATENCY`` jobs), and the
throughput of a burst (``JOBS_BURST`` jobs committed at once, until the last is done).

Usage: ``python -m bench.jobqueue [--workdir DIR]`` prints the result as JSON.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bench import part_main
from bench.load import archive_env, open_archive
from earsip.models import Job
from earsip.services import Archive, jobs

POLL_S = 1.0
JOBS_LATENCY = 20
JOBS_BURST = 200
# The prototype of a worker that reads the table: claims what is due, sleeps when nothing is.
TABLE_WORKER = """
import sys
import time
from sqlalchemy import select
from config import Config
from earsip.models import Job, utcnow
from earsip.services import Archive, jobs
archive = Archive.open(Config.from_env())
while True:
    now = utcnow()
    with archive.db.read() as session:
        due = list(session.scalars(select(Job.id).where(
            Job.state == "pending", (Job.not_before.is_(None)) | (Job.not_before <= now))
            .order_by(Job.id).limit(50)))
    for job_id in due:
        jobs.execute(archive, job_id)
    if not due:
        time.sleep(float(sys.argv[1]))
"""


def _submit(archive: Archive, n: int, *, wake: bool) -> list[int]:
    with archive.db.write() as session:
        ids = [jobs.submit(session, archive, "fixity").id for _ in range(n)]
    if wake:
        jobs.dispatch(archive, ids)
    return ids


def _wait_done(archive: Archive, ids: list[int], timeout_s: float = 600) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with archive.db.read() as session:
            left = session.scalar(select(func.count()).select_from(Job).where(
                Job.id.in_(ids), Job.state != "done"))
        if not left:
            return
        time.sleep(0.05)
    raise RuntimeError("jobs did not finish")


def _measure(folder: Path, way: str) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    archive = open_archive(folder, scheduler=False)
    env = archive_env(folder, EARSIP_SCHEDULER="0")
    command = [sys.executable, "-m", "earsip", "worker", "--no-init"] if way == "huey" else [
        sys.executable, "-c", TABLE_WORKER, str(POLL_S)]
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_done(archive, _submit(archive, 1, wake=way == "huey"))  # the worker is up
        latencies = []
        for _ in range(JOBS_LATENCY):
            time.sleep(0.3)  # idle, as between two filings
            [job_id] = _submit(archive, 1, wake=way == "huey")
            _wait_done(archive, [job_id])
            with archive.db.read() as session:
                job = session.get(Job, job_id)
                latencies.append((job.started_at - job.created_at).total_seconds())
        t0 = time.perf_counter()
        burst = _submit(archive, JOBS_BURST, wake=way == "huey")
        _wait_done(archive, burst)
        seconds = time.perf_counter() - t0
    finally:
        worker.terminate()
        worker.wait(30)
        archive.close()
    latencies.sort()
    return {"latency_median_s": round(statistics.median(latencies), 3),
            "latency_p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3),
            "burst_jobs": JOBS_BURST, "burst_seconds": round(seconds, 2),
            "burst_jobs_per_s": round(JOBS_BURST / seconds, 1)}


def run(workdir: Path, *, quick: bool) -> dict:
    """Measure both ways on fresh archives under `workdir`."""
    return {"name": "jobqueue", "poll_s": POLL_S,
            "huey": _measure(workdir / "jobqueue-huey", "huey"),
            "table": _measure(workdir / "jobqueue-table", "table")}


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
