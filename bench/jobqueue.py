"""How fast the background worker takes its work from the `jobs` table.

A real ``earsip worker`` on a fresh SQLite archive (it polls the table every
``worker.POLL_S`` when idle). Jobs are small real jobs (``fixity`` of an empty archive: a run
row and an audit entry). Two figures: the latency from the commit of a job to its start (one
job at a time, the worker idle in between; median and 95th percentile of ``JOBS_LATENCY``
jobs), and the throughput of a burst (``JOBS_BURST`` jobs committed at once, until the last is
done). docs/CHOICES.md compares them with Huey, which woke the worker until December 2026.

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
from earsip.services import Archive
from earsip.services.operations import jobs, worker

JOBS_LATENCY = 20
JOBS_BURST = 200


def _submit(archive: Archive, n: int) -> list[int]:
    with archive.db.write() as session:
        return [jobs.submit(session, archive, "fixity").id for _ in range(n)]


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


def _measure(folder: Path) -> dict:
    shutil.rmtree(folder, ignore_errors=True)
    archive = open_archive(folder, scheduler=False)
    env = archive_env(folder, EARSIP_SCHEDULER="0")
    command = [sys.executable, "-m", "earsip", "worker", "--no-init"]
    worker = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        _wait_done(archive, _submit(archive, 1))  # the worker is up
        latencies = []
        for _ in range(JOBS_LATENCY):
            time.sleep(0.3)  # idle, as between two filings
            [job_id] = _submit(archive, 1)
            _wait_done(archive, [job_id])
            with archive.db.read() as session:
                job = session.get(Job, job_id)
                latencies.append((job.started_at - job.created_at).total_seconds())
        t0 = time.perf_counter()
        burst = _submit(archive, JOBS_BURST)
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
    """Measure the worker on a fresh archive under `workdir`."""
    return {"name": "jobqueue", "poll_s": worker.POLL_S, **_measure(workdir / "jobqueue")}


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
