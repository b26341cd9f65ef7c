"""Filing a document: one pipeline behind the browser, the API and the CLI.

The steps read top to bottom in `file_document`: validate metadata -> receive the bytes into a
temporary file while hashing -> detect the type -> refuse duplicates -> extract the text in a
child process -> move the file into categorized storage -> record the row, text, index-queue
entry, audit entry (and, for a scan, its OCR job) in one transaction -> commit -> queue the OCR
job -> update the index. Extraction comes before
the move so that a file refused as unreadable never enters the archive; the database commit
comes last, so a crash before it leaves at most an unacknowledged file (an orphan) behind.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from earsip import audit, detect, extract, faults, retention
from earsip.access import may_see
from earsip.errors import DatabaseBusy, Duplicate, EarsipError, NotFound, ValidationError
from earsip.incoming import IncomingFile, TempFile
from earsip.models import Document, DocumentTag, DocumentText
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.operations import jobs
from earsip.services.operations import ocr as ocr_service
from earsip.services.records.classification import EffectiveCode, get_effective
from earsip.services.search import indexing

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Filed:
    """The outcome of a successful filing."""

    document_id: int
    text_status: str
    indexed: bool


def check_code(archive: Archive, code: str) -> EffectiveCode:
    """Return a code one can file under now, or raise ValidationError saying why not."""
    try:
        with archive.db.read() as session:
            eff = get_effective(session, code)
    except NotFound as e:
        raise ValidationError(e.template, field="classification", params=e.params) from e
    if eff.retired:
        raise ValidationError("Kode klasifikasi %(code)s sudah tidak dipakai.",
                              field="classification", params={"code": code})
    if eff.rule is None:
        raise ValidationError(
            "Kode klasifikasi %(code)s belum memiliki aturan retensi (JRA) lengkap; "
            "pilih sub-kode yang memilikinya.", field="classification", params={"code": code})
    return eff


def _duplicate(archive: Archive, sha256: str, clearance: str | None) -> Duplicate | None:
    """Return the refusal for bytes already filed, naming the document only if visible."""
    with archive.db.read() as session:
        row = session.execute(select(Document.id, Document.security)
                              .where(Document.sha256 == sha256)).first()
    if row is None:
        return None
    doc_id, security = row
    if clearance is None or may_see(clearance, security):
        return Duplicate("Berkas ini sudah diarsipkan sebagai dokumen #%(id)d.",
                         existing_id=doc_id, audit_id=doc_id, params={"id": doc_id})
    # The filer holds the bytes, but may not learn which document they are or how it is filed.
    return Duplicate("Berkas ini sudah ada di arsip.", existing_id=None, audit_id=doc_id)


def _safe_display_name(filename: str | None) -> str:
    """Return the client's file name as kept for display: its last path part, cleaned."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in "\x00")
    return name.strip()[:255] or "berkas"


def file_document(archive: Archive, actor: audit.Actor, source: IO[bytes] | str | os.PathLike[str],
                  filename: str | None, data: DocumentInput, *, clearance: str | None,
                  index_now: bool = True) -> Filed:
    """File one document, or raise an EarsipError saying why it was refused.

    `clearance` is the filer's (None for the operator's own bulk import): nobody files a
    document they could not see afterwards. The refusal is audited; a filed document has its
    file, row, text, audit entry and index-queue entry, and is indexed at once unless
    `index_now` is False.
    """
    try:
        return _file(archive, actor, source, filename, data, clearance=clearance,
                     index_now=index_now)
    except DatabaseBusy:
        raise  # the refusal could not be written either: waiting again would only double it
    except EarsipError as e:
        _audit_refusal(archive, actor, filename, data, e)
        raise


def record_lost_upload(archive: Archive, path: str, size: int, message: str) -> None:
    """Audit an upload the web server could not keep for lack of space, before filing began
    and before its user was known (`storage.full`, by the system)."""
    try:
        with archive.db.write() as session:
            audit.append(session, audit.SYSTEM, "storage.full", target_type="storage",
                         outcome="failure",
                         details={"path": path[:200], "received_bytes": size,
                                  "message": message})
    except Exception:  # the disk is full: the database may not take the entry either
        log.exception("could not audit an upload lost to a full disk")


def _detail(detail: str | None) -> dict[str, str]:
    """Return the audit details' `detail` (the technical cause a user is not shown), if any."""
    return {"detail": detail[:500]} if detail else {}


def _audit_refusal(archive: Archive, actor: audit.Actor, filename: str | None,
                   data: DocumentInput, error: EarsipError) -> None:
    try:
        with archive.db.write() as session:
            audit.append(session, actor, "document.file", target_type="document",
                         target_id=getattr(error, "audit_id", None), outcome="refused",
                         details={"filename": _safe_display_name(filename),
                                  "title": data.title, "reason": error.code,
                                  "message": error.message,
                                  **_detail(getattr(error, "detail", None))})
    except Exception:  # the refusal itself must reach the client even if auditing fails
        log.exception("could not audit a refused filing")


def _file(archive: Archive, actor: audit.Actor, source: IO[bytes] | str | os.PathLike[str],
          filename: str | None, data: DocumentInput, *, clearance: str | None,
          index_now: bool) -> Filed:
    prepared = prepare(archive, source, filename, data, clearance=clearance)
    try:
        with archive.db.write() as session:
            document_id, _job_id = record(session, archive, actor, prepared)
    except IntegrityError as e:
        release(archive, prepared)
        # Another upload of the same bytes won the race between our check and our commit.
        duplicate = _duplicate(archive, prepared.received.temp.sha256, clearance)
        if duplicate is not None:
            raise duplicate from e
        raise
    except BaseException:
        release(archive, prepared)
        raise
    faults.point("ingest.recorded")
    settle(archive, prepared)
    faults.point("ingest.committed")
    indexed = index_filed(archive, [document_id]) if index_now else False
    faults.point("ingest.indexed")
    return Filed(document_id, prepared.received.status[0], indexed)


@dataclass(frozen=True)
class Prepared:
    """A file received, checked, read and moved into storage, not yet recorded: what
    `record` adds to a transaction (the desk records several with its own rows)."""

    data: DocumentInput
    security: str
    code: EffectiveCode
    received: _Received

    @property
    def document_filename(self) -> str:
        """Return the name kept for display."""
        return _safe_display_name(self.received.filename)


def prepare(archive: Archive, source: IO[bytes] | str | os.PathLike[str], filename: str | None,
            data: DocumentInput, *, clearance: str | None) -> Prepared:
    """Receive, detect, refuse duplicates, extract and move one file into storage, or raise
    an EarsipError saying why it is refused (nothing is left behind then).

    The caller records it with `record` in a write transaction, then calls `settle` after the
    commit, or `release` when the transaction failed.
    """
    code = check_code(archive, data.classification)
    security = data.security or code.default_security
    if clearance is not None and not may_see(clearance, security):
        raise ValidationError(
            "Klasifikasi keamanan dokumen (%(security)s) di atas izin akses Anda "
            "(%(clearance)s); minta petugas dengan izin yang cukup untuk mengarsipkannya.",
            field="security", params={"security": security, "clearance": clearance})
    limit = archive.config.max_upload_bytes
    if isinstance(source, IncomingFile):
        temp = source.finish()  # already received into the store's temporary folder
    elif isinstance(source, (str, os.PathLike)):
        temp = archive.store.receive_path(source, max_bytes=limit)
    else:
        temp = archive.store.receive(source, max_bytes=limit)
    faults.point("ingest.received")
    relative: str | None = None
    try:
        detected = detect.detect_file(temp.path, filename)
        duplicate = _duplicate(archive, temp.sha256, clearance)
        if duplicate is not None:
            raise duplicate
        extraction = extract.extract(temp.path, detected.mime, archive.extract_limits)
        relative = archive.store.commit(
            temp, category=code.code.split(".")[0], year=data.document_date.year,
            extension=detected.extension)
        faults.point("ingest.moved")
        status = ocr_service.status_at_filing(archive, detected.mime, extraction)
        return Prepared(data, security, code,
                        _Received(filename, detected, temp, relative, extraction, status))
    except BaseException:
        archive.store.discard(temp)
        if relative is not None:  # nothing records it yet
            archive.store.remove_unacknowledged(relative)
        raise


def release(archive: Archive, prepared: Prepared) -> None:
    """Undo `prepare` after the recording transaction failed (its file leaves storage unless a
    row owns it after all: a commit whose answer was lost)."""
    received = prepared.received
    archive.store.discard(received.temp)
    recorded = _is_recorded(archive, received.relative)
    if recorded:
        archive.store.settle(received.relative)
    elif recorded is False:
        archive.store.remove_unacknowledged(received.relative)
    # Unknown: the claim stays, and the next start settles or quarantines it.


def settle(archive: Archive, prepared: Prepared) -> None:
    """Mark the stored file as owned by its committed row."""
    archive.store.settle(prepared.received.relative)


def display_name(filename: str | None) -> str:
    """Return the client's file name as it is kept for display."""
    return _safe_display_name(filename)


def duplicate_race(archive: Archive, prepared: Sequence[Prepared],
                   clearance: str | None) -> Duplicate | None:
    """Return the refusal of files whose bytes another upload recorded first (the unique
    hash refused our commit), if that is what happened."""
    for p in prepared:
        duplicate = _duplicate(archive, p.received.temp.sha256, clearance)
        if duplicate is not None:
            return duplicate
    return None


def index_filed(archive: Archive, document_ids: list[int]) -> bool:
    """Index committed documents now; on failure they stay queued for the catch-up.

    A backend that writes with the database indexed them in the filing's own transaction."""
    if archive.index.writes_with_database():
        return True
    try:
        return indexing.process_queue(archive, document_ids=document_ids) > 0
    except Exception:  # filed and committed: the queue entries stay for the catch-up
        log.exception("indexing documents %s failed; they stay queued", document_ids)
        return False


def _is_recorded(archive: Archive, relative: str) -> bool | None:
    """Return True when a row owns the stored file (a commit whose answer was lost), None
    when the database cannot tell now."""
    try:
        with archive.db.read() as session:
            return session.scalar(select(Document.id)
                                  .where(Document.storage_path == relative)) is not None
    except Exception:  # cannot tell: keep the file; an orphan is better than a lost record
        log.exception("could not check whether %s was recorded", relative)
        return None


@dataclass(frozen=True)
class _Received:
    """What the pipeline knows about a file by the time it is recorded."""

    filename: str | None
    detected: detect.Detected
    temp: TempFile
    relative: str
    extraction: extract.Extraction
    status: tuple[str, str | None, bool]  # text_status, its message, queue OCR?


def record(session: Session, archive: Archive, actor: audit.Actor, prepared: Prepared, *,
           action: str = "document.file", personal: bool = False) -> tuple[int, int | None]:
    """Add a prepared file's document, text, index-queue entry, audit entry and OCR job to the
    caller's transaction; return the document's id and its OCR job's id (if queued).

    A `personal` document (a case's identity scan) keeps no text, is never indexed and never
    read by OCR: its words are personal data."""
    data, received, code = prepared.data, prepared.received, prepared.code
    temp, extraction = received.temp, received.extraction
    rule = code.rule
    assert rule is not None
    ret = retention.compute(rule, data.document_date, trigger_date=data.trigger_date,
                            counting=archive.config.retention_counting, as_of=dt.date.today())
    doc = Document(
        office_id=offices.office_of(session, actor),
        title=data.title,
        number=data.number,
        document_date=data.document_date,
        classification_code=code.code,
        security=prepared.security,
        sender=data.sender,
        recipient=data.recipient,
        description=data.description,
        original_filename=_safe_display_name(received.filename),
        mime=received.detected.mime,
        size=temp.size,
        sha256=temp.sha256,
        pages=extraction.pages,
        storage_path=received.relative,
        text_status=received.status[0],
        text_message=received.status[1],
        trigger_date=data.trigger_date,
        active_until=ret.active_until,
        inactive_until=ret.inactive_until,
        final_fate=ret.final_fate,
        phase=ret.phase,
        retention_note=ret.note,
        created_by_id=actor.user_id,
        tag_rows=[DocumentTag(tag=t) for t in data.tags],
        personal=personal,
    )
    if personal:
        doc.text_status, doc.text_message = "empty", None
    session.add(doc)
    session.flush()
    session.add(DocumentText(document_id=doc.id, text="" if personal else extraction.text))
    if not personal:
        indexing.enqueue(session, doc.id)
    audit.append(session, actor, action, target_type="document", target_id=doc.id,
                 details={"title": doc.title, "classification": doc.classification_code,
                          "security": doc.security, "sha256": doc.sha256,
                          "size": doc.size, "mime": doc.mime,
                          "filename": doc.original_filename,
                          "storage_path": doc.storage_path,
                          "text_status": doc.text_status,
                          **_detail(extraction.detail)})
    job = jobs.submit(session, archive, "ocr", document_id=doc.id,
                      requested_by_id=actor.user_id) \
        if received.status[2] and not personal else None
    return doc.id, (job.id if job is not None else None)
