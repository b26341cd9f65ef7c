"""Reading scans: OCR of the pages of a filed document that have no text layer.

A PDF keeps the text layer of the pages that have one; only the pages without text are
recognised (so a PDF with a typed cover and scanned attachments gets both). Images are
recognised frame by frame. The stored original never changes: the text goes to the database
and the index, and the run is one audit entry (`document.ocr`). Today this runs from
`earsip ocr`; the background worker of issue 6 is to run it after filing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from earsip import audit, ocr
from earsip.errors import NotFound
from earsip.extractors.pdf import PAGE_SEPARATOR
from earsip.models import Document, DocumentText, IndexQueue
from earsip.services import Archive, indexing

# Statuses whose documents OCR may give text: no text layer, images, and those waiting for it.
OCR_STATUSES = ("empty", "not_applicable", "ocr_pending")


@dataclass(frozen=True)
class OcrOutcome:
    """What one OCR run did to a document."""

    document_id: int
    status: str  # the document's text_status afterwards
    pages: int  # pages (or frames) recognised
    chars: int  # characters of text the document has afterwards


def ocr_document(archive: Archive, actor: audit.Actor, document_id: int) -> OcrOutcome:
    """Recognise the pages of a document that lack text; store, index and audit the result.

    Raise OcrUnavailable (nothing changes) when Tesseract or its languages are missing, and
    NotFound for a document that does not exist or whose content was destroyed.
    """
    settings = archive.ocr_settings
    with archive.db.read() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.disposition == "destroyed":
            raise NotFound("Dokumen tidak ditemukan.")
        mime, status = doc.mime, doc.text_status
        path = archive.store.path_of(doc.storage_path)
    if mime not in ocr.OCR_TYPES:
        return OcrOutcome(document_id, status, 0, 0)
    ocr.check_available(settings)
    try:
        if mime == ocr.PDF:
            pages = ocr.pdf_pages(path, settings)
            parts = [p.text for p in pages]
            recognised = sum(1 for p in pages if p.recognised)
        else:
            parts = ocr.image_frames(path, settings)
            recognised = len(parts)
    except ocr.OcrFailed as e:
        return _record(archive, actor, document_id, None, "failed", e.message, 0)
    combined = PAGE_SEPARATOR.join(p for p in parts if p.strip())
    if combined:
        return _record(archive, actor, document_id, combined, "extracted", None, recognised)
    return _record(archive, actor, document_id, None, "empty",
                   "OCR tidak menemukan teks pada pindaian.", recognised)


def _record(archive: Archive, actor: audit.Actor, document_id: int, text: str | None,
            status: str, message: str | None, recognised: int) -> OcrOutcome:
    """Store the outcome, queue the index update and audit it, in one transaction."""
    with archive.db.write() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.disposition == "destroyed":  # destroyed while it was read
            raise NotFound("Dokumen tidak ditemukan.")
        if text is not None:
            stored = session.get(DocumentText, document_id)
            if stored is None:
                session.add(DocumentText(document_id=document_id, text=text))
            else:
                stored.text = text
        doc.text_status, doc.text_message = status, message
        session.add(IndexQueue(document_id=document_id, action="upsert"))
        audit.append(session, actor, "document.ocr", target_type="document",
                     target_id=document_id, outcome="failure" if status == "failed"
                     else "success", details={"status": status, "pages": recognised,
                                              "languages": archive.ocr_settings.languages,
                                              "message": message})
        chars = len(text or "")
    indexing.process_queue(archive, document_ids=[document_id])
    return OcrOutcome(document_id, status, recognised, chars)


def documents_to_read(archive: Archive, *, pending_only: bool = False) -> list[int]:
    """Return the documents OCR may help: image types and PDFs without (all of their) text."""
    statuses = ("ocr_pending",) if pending_only else OCR_STATUSES
    with archive.db.read() as session:
        return list(session.scalars(select(Document.id).where(
            Document.text_status.in_(statuses), Document.mime.in_(ocr.OCR_TYPES),
            Document.disposition.is_(None)).order_by(Document.id)))
