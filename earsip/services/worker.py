"""The background worker (`earsip worker`): the loop that serves the queue, and its tick.

Each job is run by `jobs.execute`, which looks its work up in the table of handlers
(`job_kinds.HANDLERS`: `ocr`, `reindex`, `fixity`). Once a minute the worker's tick takes back
jobs whose worker died, re-queues lost ones, settles what crashed filings left behind
(`services/recovery.py`) and runs the scheduled tasks that are due
(`services/schedule.py`: retention run, audit checkpoint, fixity), claimed in the database so
that several workers run each once.
"""

from __future__ import annotations

import logging

from earsip.services import Archive, jobs, recovery, schedule
from earsip.services import ocr as ocr_service

log = logging.getLogger(__name__)


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


def run(archive: Archive) -> None:
    """Serve the queue in this process until SIGTERM or SIGINT (`earsip worker`)."""
    ocr_service.remove_stale_workdirs(archive)
    recovered = jobs.recover(archive)
    log.info("worker %s started on %s (%d job(s) re-queued)", jobs.worker_name(),
             archive.queue.where, recovered)
    archive.queue.serve(lambda job_id: jobs.execute(archive, job_id), lambda: tick(archive),
                        threads=archive.config.worker_threads)
