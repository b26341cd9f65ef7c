"""What each kind of background job does: the explicit table of handlers (kind -> handler).

`jobs.py` claims, runs and records jobs and looks their work up in `HANDLERS`; `worker.py` runs
the threads that take them (`jobs.run_next`). Neither imports the other back: this module
imports the services that do the work (OCR, re-index, fixity) and nothing of the job machinery.

Kinds: `ocr` (read a scan and make its searchable copy, see `services/operations/ocr.py`),
`reindex` (rebuild the search index from the database), `fixity` (re-hash every stored file) and
`suggest.train` (retrain the classification suggester on the filed texts,
`services/desk/suggestions.py`; queued daily by the schedule) and `notify.email` (mail each user
what waits on them, `services/desk/notifications.py`; queued by the schedule when
`EARSIP_SMTP_URL` is set).
A kind may also say what to record when its job is given up (`GIVEN_UP`): a scan whose OCR will
not be tried again is marked `failed` with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from earsip import audit
from earsip.errors import JobGaveUp, NotFound, OcrUnavailable
from earsip.schemas.base import JsonObject
from earsip.services import Archive
from earsip.services.desk import notifications, suggestions
from earsip.services.operations import fixity
from earsip.services.operations import ocr as ocr_service
from earsip.services.search import indexing


@dataclass(frozen=True)
class JobContext:
    """What a job's handler gets: the job and whether this is its last attempt."""

    job_id: int
    document_id: int | None
    attempt: int
    last_attempt: bool


# A handler's result is stored as it is with the job (`Job.result`).
Handler = Callable[[Archive, JobContext], JsonObject]
GivenUp = Callable[[Archive, int, str], None]


def _ocr(archive: Archive, job: JobContext) -> JsonObject:
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


def _reindex(archive: Archive, job: JobContext) -> JsonObject:
    result = indexing.rebuild(archive)
    return {"indexed": result.indexed, "replayed": result.replayed}


def _fixity(archive: Archive, job: JobContext) -> JsonObject:
    report = fixity.run_fixity(archive, audit.SYSTEM, trigger="web")
    return {"checked": report.checked, "outcome": report.outcome}


def _suggest_train(archive: Archive, job: JobContext) -> JsonObject:
    trained = suggestions.retrain(archive)
    return {"model_id": trained.model_id, "documents": trained.documents,
            "codes": trained.codes, "top1": trained.top1, "top3": trained.top3}


def _notify_email(archive: Archive, job: JobContext) -> JsonObject:
    # A mail server that fails is audited per message and tried again by the next digest;
    # the job itself succeeds.
    return notifications.send_digest(archive).model_dump()


HANDLERS: dict[str, Handler] = {"ocr": _ocr, "reindex": _reindex, "fixity": _fixity,
                                "suggest.train": _suggest_train, "notify.email": _notify_email}
# Leave a truthful status on the document of a job that will not be tried again.
GIVEN_UP: dict[str, GivenUp] = {"ocr": ocr_service.record_failure}
