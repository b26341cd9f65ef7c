"""Reading scans: OCR of the pages of a filed document that have no text layer.

A PDF keeps the text layer of the pages that have one; only the pages without text are
recognised (so a PDF with a typed cover and scanned attachments gets both). Images are
recognised frame by frame. The stored original never changes: the text goes to the database
and the index, and the run is one audit entry (`document.ocr`). With the searchable copy on,
each scanned page is recognised once: OCRmyPDF makes the copy (`pdfa_copy`) and the text of
its pages comes back with it; the job reads only the pages it brought no text for (and every
page when there is no copy, or the copy is off). Filing marks a scan
`ocr_pending` and commits an OCR job with it (`jobs`); the background worker runs
`ocr_document`; `earsip ocr` runs it by hand.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from earsip import audit, extract, ocr, pdfa_copy
from earsip.errors import N_, NotFound, OcrFailed, OcrUnavailable, UnreadableFile
from earsip.extractors.pdf import PAGE_SEPARATOR
from earsip.models import Document, DocumentText, IndexQueue, Job
from earsip.schemas.base import JsonObject
from earsip.services import Archive
from earsip.services.search import indexing
from earsip.storage import shred

log = logging.getLogger(__name__)
# Statuses whose documents OCR may give text: no text layer, images, and those waiting for it.
OCR_STATUSES = ("empty", "not_applicable", "ocr_pending")
NO_TEXT = ("empty", "not_applicable")
AVAILABILITY_TTL_S = 60.0
RENDER_BATCH = 10  # pages rendered at once (about 9 MB each at 300 dpi)
WORKDIR_PREFIX = "ocr-"
_available_lock = threading.Lock()
_available: dict[tuple[str, str], tuple[float, str | None]] = {}


@dataclass(frozen=True)
class OcrOutcome:
    """What one OCR run did to a document."""

    document_id: int
    status: str  # the document's text_status afterwards
    pages: int  # pages (or frames) recognised
    chars: int  # characters of text the document has afterwards
    message: str | None = None  # the document's text_message afterwards


def unavailable_reason(archive: Archive) -> str | None:
    """Return why OCR cannot run here (None when it can), checked at most once a minute."""
    if not archive.config.ocr:
        return N_("OCR dimatikan oleh konfigurasi (EARSIP_OCR=0).")
    settings = archive.ocr_settings
    key = (settings.command, settings.languages)
    with _available_lock:
        cached = _available.get(key)
        if cached is not None and time.monotonic() - cached[0] < AVAILABILITY_TTL_S:
            return cached[1]
    try:
        ocr.check_available(settings)
        reason = None
    except OcrUnavailable as e:
        reason = e.message
    with _available_lock:
        _available[key] = (time.monotonic(), reason)
    return reason


def status_at_filing(archive: Archive, mime: str,
                     extraction: extract.Extraction) -> tuple[str, str | None, bool]:
    """Return (text_status, message, queue OCR?) for a document being filed.

    A scan without any text (an image, or a PDF without a text layer) is `ocr_pending` when OCR
    can run, else `empty` with the reason OCR did not run. A PDF with typed pages and scanned
    ones stays `extracted` (its typed text is searchable at once) and is queued all the same,
    for the pages without text.
    """
    no_text = extraction.status in NO_TEXT
    scanned = mime in ocr.OCR_TYPES and (no_text or (extraction.status == "extracted"
                                                     and extraction.blank_pages > 0))
    if not scanned:
        return extraction.status, extraction.message, False
    reason = unavailable_reason(archive)
    if reason is not None:
        return ("empty", reason, False) if no_text else (
            extraction.status, extraction.message, False)
    return ("ocr_pending", None, True) if no_text else (
        extraction.status, extraction.message, True)


def ocr_document(archive: Archive, actor: audit.Actor, document_id: int, *,
                 final: bool = True) -> OcrOutcome:
    """Recognise the pages of a document that lack text; store, index and audit the result.

    Raise OcrUnavailable (nothing changes) when Tesseract or its languages are missing, and
    NotFound for a document that does not exist or whose content was destroyed. A page that
    cannot be read is recorded as `failed` when `final`, else raised (OcrFailed) for a retry.
    """
    settings = archive.ocr_settings
    with archive.db.read() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.disposition == "destroyed":
            raise NotFound("Dokumen tidak ditemukan.")
        mime, status = doc.mime, doc.text_status
        stored_path = doc.storage_path
        want_copy = archive.config.searchable_copy and doc.searchable_path is None
        personal = doc.personal
    # Personal data (a case's identity scan) is never read: its words are its owner's only.
    if mime not in ocr.OCR_TYPES or personal:
        return OcrOutcome(document_id, status, 0, 0)
    ocr.check_available(settings)
    archive.store.ensure()
    copy: _Copy | None = None
    try:
        # Page images and copies are document content: they stay inside the upload folder, in
        # a folder named after this process (a dead worker's is removed by the next one).
        with tempfile.TemporaryDirectory(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-",
                                         dir=archive.store.tmp_dir) as tmp:
            path = archive.store.path_of(stored_path)
            if want_copy:
                copy, pages = _read_with_copy(archive, path, stored_path, mime, tmp)
            else:
                pages = _read_pages(archive, path, mime, tmp)
    except (OcrFailed, UnreadableFile) as e:
        if not final:
            raise
        return _record(archive, actor, document_id, None, "failed", e.message, 0)
    recognised = sum(1 for p in pages if p.recognised)
    combined = PAGE_SEPARATOR.join(p.text for p in pages if p.text.strip())
    note = copy.note if copy is not None else None
    if combined:
        return _record(archive, actor, document_id, combined, "extracted", note, recognised,
                       copy)
    return _record(archive, actor, document_id, None, "empty",
                   " ".join(filter(None, ["OCR tidak menemukan teks pada pindaian.", note])),
                   recognised, copy)


def _limits(archive: Archive) -> extract.Limits:
    return extract.Limits(timeout_s=max(60.0, archive.config.extract_timeout_s),
                          memory_mb=archive.config.extract_memory_mb)


def _read_pages(archive: Archive, path: Path, mime: str, tmp: str, *, start: int = 0,
                stop: int | None = None) -> list[ocr.PageText]:
    """Render and read pages `start`.. (to `stop`, default all) a batch at a time (so a long
    scan never fills the disk)."""
    settings = archive.ocr_settings
    stop = settings.max_pages if stop is None else min(stop, settings.max_pages)
    pages: list[ocr.PageText] = []
    total = stop
    while start < min(total, stop):
        count = min(RENDER_BATCH, stop - start)
        rendered, total = extract.render_pages(path, mime, tmp, dpi=settings.dpi, start=start,
                                               count=count, limits=_limits(archive))
        pages += ocr.read_pages(rendered, settings)
        start += count
    return pages


@dataclass(frozen=True)
class _Copy:
    """The searchable copy placed beside the original (or why there is none)."""

    relative: str | None
    sha256: str | None = None
    size: int | None = None
    kind: str | None = None
    note: str | None = None


def _read_with_copy(archive: Archive, path: Path, stored_path: str, mime: str,
                    tmp: str) -> tuple[_Copy, list[ocr.PageText]]:
    """Make the searchable copy with OCRmyPDF, take each page's text from it, and place the
    copy beside the original. Pages the copy brings no text for (blank, or OCRmyPDF ran out
    of time on them) are read here; without a copy, every page is."""
    target = Path(tmp) / "salinan.pdf"
    try:
        made = pdfa_copy.make_copy(path, target, mime=mime, work_dir=tmp,
                                   languages=archive.ocr_settings.languages)
    except (OcrFailed, OcrUnavailable) as e:
        log.warning("no searchable copy of %s: %s", stored_path, e.message)
        return _Copy(None, note=e.message), _read_pages(archive, path, mime, tmp)
    if made.pages is None:  # its text could not be matched to the pages: read them here
        log.warning("the searchable copy of %s brought no page texts", stored_path)
        pages = _read_pages(archive, path, mime, tmp)
    else:
        pages = _fill_pages(archive, path, mime, tmp, made.pages)
    relative, sha256, size = archive.store.commit_beside(target, stored_path, ".ocr.pdf")
    return _Copy(relative, sha256, size, made.kind), pages


def _fill_pages(archive: Archive, path: Path, mime: str, tmp: str,
                texts: tuple[tuple[str, bool] | None, ...]) -> list[ocr.PageText]:
    """Return the copy's page texts, reading here each run of pages it brought none for."""
    texts = texts[:archive.ocr_settings.max_pages]
    pages: list[ocr.PageText] = []
    number = 0
    while number < len(texts):
        page = texts[number]
        if page is not None:
            pages.append(ocr.PageText(page[0], recognised=page[1]))
            number += 1
            continue
        end = number
        while end < len(texts) and texts[end] is None:
            end += 1
        pages += _read_pages(archive, path, mime, tmp, start=number, stop=end)
        number = end
    return pages


def record_failure(archive: Archive, document_id: int, reason: str) -> None:
    """Mark a document whose OCR was given up as `failed`, with the reason (audited)."""
    with contextlib.suppress(NotFound):
        _record(archive, audit.SYSTEM, document_id, None, "failed", reason, 0)


def record_unavailable(archive: Archive, document_id: int, reason: str) -> None:
    """Leave a scan whose OCR cannot run here `empty` (or its typed text), saying why."""
    with archive.db.write() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.text_status != "ocr_pending":
            return
        stored = session.get(DocumentText, document_id)
        has_text = bool(stored and stored.text.strip())
        doc.text_status = "extracted" if has_text else "empty"
        doc.text_message = reason
        audit.append(session, audit.SYSTEM, "document.ocr", target_type="document",
                     target_id=document_id, outcome="failure",
                     details={"status": doc.text_status, "pages": 0,
                              "languages": archive.ocr_settings.languages, "message": reason})


def _record(archive: Archive, actor: audit.Actor, document_id: int, text: str | None,
            status: str, message: str | None, recognised: int,
            copy: _Copy | None = None) -> OcrOutcome:
    """Store the outcome, queue the index update and audit it, in one transaction; then index.

    A copy that is not recorded (the transaction failed, or another run recorded its own copy
    first) is shredded: it holds the document's content.
    """
    placed = copy.relative if copy is not None else None
    used = False
    try:
        with archive.db.write() as session:
            doc = session.get(Document, document_id, with_for_update={"of": Document})
            if doc is None or doc.disposition == "destroyed":  # destroyed while it was read
                raise NotFound("Dokumen tidak ditemukan.")
            stored = session.get(DocumentText, document_id)
            if text is not None:
                if stored is None:
                    session.add(DocumentText(document_id=document_id, text=text))
                else:
                    stored.text = text
            elif status == "failed" and stored is not None and stored.text.strip():
                status = "extracted"  # the typed pages stay searchable; the message says why
            doc.text_status, doc.text_message = status, message
            details: JsonObject = {"status": status, "pages": recognised,
                                          "languages": archive.ocr_settings.languages,
                                          "message": message}
            if copy is not None and placed is not None and doc.searchable_path is None:
                doc.searchable_path, doc.searchable_sha256 = placed, copy.sha256
                doc.searchable_size, doc.searchable_kind = copy.size, copy.kind
                details["searchable_copy"] = {"path": placed, "sha256": copy.sha256,
                                              "size": copy.size, "kind": copy.kind}
                used = True
            session.add(IndexQueue(document_id=document_id, action="upsert"))
            audit.append(session, actor, "document.ocr", target_type="document",
                         target_id=document_id, outcome="failure" if status == "failed"
                         else "success", details=details)
            chars = len(text or "")
    finally:
        if placed is not None and not used:
            archive.store.destroy(placed)
    try:
        indexing.process_queue(archive, document_ids=[document_id])
    except Exception:  # recorded and committed: the queue entry stays for the catch-up
        log.exception("indexing document %s after OCR failed; it stays queued", document_id)
    return OcrOutcome(document_id, status, recognised, chars, message)


def remove_stale_workdirs(archive: Archive, *, older_than_s: float = 6 * 3600) -> int:
    """Shred the working folders (page images, unfinished copies) of OCR runs whose process
    is gone or that are older than `older_than_s`; return how many were removed."""
    removed = 0
    if not archive.store.tmp_dir.is_dir():
        return 0
    for folder in archive.store.tmp_dir.iterdir():
        name = folder.name
        if not folder.is_dir() or not name.startswith(WORKDIR_PREFIX):
            continue
        pid = name[len(WORKDIR_PREFIX):].split("-", 1)[0]
        try:
            stale = time.time() - folder.stat().st_mtime > older_than_s
        except FileNotFoundError:
            continue
        if not (stale or (pid.isdigit() and not _alive(int(pid)))):
            continue
        # Regular files only, OCRmyPDF's working folder within included: never through a
        # symbolic link (OCRmyPDF links to its input, the stored original itself).
        for item in folder.rglob("*"):
            if not item.is_symlink() and item.is_file():
                shred(item)
        shutil.rmtree(folder, ignore_errors=True)
        removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def documents_to_read(archive: Archive, *, pending_only: bool = False) -> list[int]:
    """Return the documents OCR may help: image types and PDFs without (all of their) text."""
    statuses = ("ocr_pending",) if pending_only else OCR_STATUSES
    running = select(Job.document_id).where(Job.state == "running",
                                            Job.document_id.is_not(None))
    with archive.db.read() as session:
        return list(session.scalars(select(Document.id).where(
            Document.text_status.in_(statuses), Document.mime.in_(ocr.OCR_TYPES),
            Document.disposition.is_(None), Document.personal.is_(False),
            Document.id.not_in(running))
            .order_by(Document.id)))
