"""The background worker (`earsip worker`): threads that take jobs from the `jobs` table, and
the once-a-minute tick.

Each of `EARSIP_WORKER_THREADS` threads runs the oldest due job (`jobs.run_next`; what each kind
does is `job_kinds.HANDLERS`) and, finding none, looks again after `POLL_S`. Once a minute the
tick takes back jobs whose worker died, settles what crashed filings left behind
(`services/operations/recovery.py`) and runs the scheduled tasks that are due
(`services/operations/schedule.py`: retention run, audit checkpoint, fixity), claimed in the
database so that several workers run each once. SIGTERM stops taking jobs and lets the running
ones finish for up to `SHUTDOWN_S` (a job cut short is taken back by the next worker); SIGINT
stops at once.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from types import FrameType

from earsip.services import Archive
from earsip.services.operations import jobs, recovery, schedule
from earsip.services.operations import ocr as ocr_service

log = logging.getLogger(__name__)
POLL_S = 0.2  # a job waits this long at most for an idle worker (docs/CHOICES.md)
TICK_S = 60.0
SHUTDOWN_S = 25.0
QUEUE_URL_RETIRED = ("EARSIP_QUEUE_URL is no longer used and is ignored: the worker takes its "
                     "work from the jobs table of the database (docs/OCR.md). Remove the "
                     "setting; Redis is not needed.")


def tick(archive: Archive) -> None:
    """The once-a-minute round: recover jobs, then run the scheduled tasks that are due."""
    try:
        jobs.recover(archive)
    except Exception:  # a locked database, say: the next tick tries again
        log.exception("job recovery failed")
    try:
        recovery.recover_interrupted_filings(archive)
    except Exception:
        log.exception("recovering interrupted filings failed")
    if archive.config.scheduler:
        try:
            schedule.run_due(archive)
        except Exception:
            log.exception("scheduled tasks could not run")


def _serve(archive: Archive, stop: threading.Event) -> None:
    """One worker thread: run due jobs until told to stop."""
    while not stop.is_set():
        try:
            ran = jobs.run_next(archive)
        except Exception:  # a busy or unreachable database: look again a little later
            log.exception("could not take a job")
            ran = None
        if ran is None:
            stop.wait(POLL_S)


def run(archive: Archive) -> None:
    """Run the worker in this process until SIGTERM or SIGINT (`earsip worker`)."""
    if archive.config.queue_url:
        log.warning(QUEUE_URL_RETIRED)
    ocr_service.remove_stale_workdirs(archive)
    recovered = jobs.recover(archive)
    log.info("worker %s started (%d job(s) taken back)", jobs.worker_name(), recovered)
    stop, now = threading.Event(), threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        if signum == signal.SIGINT:
            now.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    threads = [threading.Thread(target=_serve, args=(archive, stop), daemon=True,
                                name=f"earsip-worker-{i}")
               for i in range(max(1, archive.config.worker_threads))]
    try:
        for thread in threads:
            thread.start()
        next_tick = time.monotonic() + TICK_S
        while not stop.wait(max(0.0, next_tick - time.monotonic())):
            tick(archive)
            next_tick = time.monotonic() + TICK_S
        if not now.is_set():  # SIGTERM: the running jobs may finish
            deadline = time.monotonic() + SHUTDOWN_S
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    log.info("worker %s stopped", jobs.worker_name())
