"""The background worker (`earsip worker`): what each kind of job does, and the worker's loop.

Kinds: `ocr` (read a scan, see `services/operations/ocr.py`), `reindex` (rebuild the search index
from the database) and `fixity` (re-hash every stored file). Once a minute the worker's tick
takes back jobs whose worker died, re-queues lost ones, settles what crashed filings left behind
(`services/operations/recovery.py`) and runs the scheduled tasks that are due
(`services/operations/schedule.py`: retention run, audit checkpoint, fixity), claimed in the
database so that several workers run each once.
"""

from __future__ import annotations

import logging

from earsip import audit
from earsip.errors import JobGaveUp, NotFound, OcrUnavailable
from earsip.services import Archive
from earsip.services.operations import fixity, jobs, recovery, schedule
from earsip.services.operations import ocr as ocr_service
from earsip.services.operations.jobs import JobContext
from earsip.services.search import indexing

log = logging.getLogger(__name__)


@jobs.handler("ocr")
def _ocr(archive: Archive, job: JobContext) -> dict[str, object]:
    if job.document_id is None:
        raise JobGaveUp("Tugas OCR tanpa dokumen.")
    try:
        outcome = ocr_service.ocr_document(archive, audit.SYSTEM, job.document_id,
                                           final=job.last_attempt)
    except NotFound:  # destroyed (or never existed): nothing left to read
        return {"skipped": "not_found"}
    except OcrUnavailable as e:
        # Another attempt cannot install Tesseract: the scan stays `empty`, saying why; the
        # admin's retry button runs it again once Tesseract is there.
        ocr_service.record_unavailable(archive, job.document_id, e.message)
        raise JobGaveUp(e.template, params=e.params) from e
    if outcome.status == "failed":  # the last attempt: recorded on the document already
        raise JobGaveUp("OCR gagal: %(reason)s", params={"reason": outcome.message or "?"})
    return {"status": outcome.status, "pages": outcome.pages, "chars": outcome.chars}


@jobs.handler("reindex")
def _reindex(archive: Archive, job: JobContext) -> dict[str, object]:
    result = indexing.rebuild(archive)
    return {"indexed": result.indexed, "replayed": result.replayed}


@jobs.handler("fixity")
def _fixity(archive: Archive, job: JobContext) -> dict[str, object]:
    report = fixity.run_fixity(archive, audit.SYSTEM, trigger="web")
    return {"checked": report.checked, "outcome": report.outcome}


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
