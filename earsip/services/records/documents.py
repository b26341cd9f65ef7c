"""Reading documents with the user's clearance, and their metadata as the declared model
(`schemas.documents.Document`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, object_session

from earsip import audit, extract, retention
from earsip.access import Principal, classes_up_to, may_see
from earsip.errors import Forbidden, Gone, NotFound
from earsip.models import (
    Case,
    CaseDocument,
    DisposalList,
    Disposition,
    Document,
    Job,
    Transfer,
)
from earsip.schemas import documents as schema
from earsip.schemas.documents import DocumentInput
from earsip.schemas.offices import OfficeRef
from earsip.services import Archive
from earsip.services.access.reach import in_reach, within_reach
from earsip.services.records.classification import get_effective
from earsip.storage import shred


def title_from_filename(filename: str) -> str:
    """Return the title a file gets when none is given: its name, without the extension."""
    stem = PurePath(filename.replace("\\", "/")).stem
    return (stem.replace("_", " ").replace("-", " ").strip() or filename)[:500]


def parse_input(fields: Mapping[str, object], *, check_dates: bool = True) -> DocumentInput:
    """Validate raw form/API/CSV fields into a DocumentInput (the declared model).

    `check_dates=False` reads values already stored (a record filed before the trigger date
    was checked against the document date), so such a record can still be edited and fixed.
    """
    picked = {name: fields.get(name) for name in DocumentInput.model_fields}
    return DocumentInput.model_validate(picked, context={"check_dates": check_dates})


# What a list shows of a personal document (a case's identity scan) instead of its title:
# the retention machinery still lists it by number, never what it is about.
PERSONAL_TITLE = "[data pribadi]"


def not_personal() -> ColumnElement[bool]:
    """Return the condition that keeps personal documents out of a listing."""
    return Document.personal.is_(False)


def listed_title(title: str, personal: bool) -> str:
    """Return the title a listing of the retention machinery shows (none for personal data)."""
    return PERSONAL_TITLE if personal else title


def personal_allowed(session: Session, principal: Principal, doc: Document) -> bool:
    """Return True unless the document is personal data (a case's identity scan) and the
    principal neither holds the role that owns one of its cases nor had one of them routed to
    them (UU 27/2022: theirs only)."""
    if not doc.personal:
        return True
    cases = select(CaseDocument.case_id).where(CaseDocument.document_id == doc.id)
    owned = session.scalar(select(Case.id).where(
        Case.id.in_(cases), Case.owner_role.in_(sorted(principal.roles))).limit(1))
    if owned is not None:
        return True
    return session.scalar(select(Disposition.id).where(
        Disposition.case_id.in_(cases), Disposition.to_user_id == principal.id,
        Disposition.status != "withdrawn").limit(1)) is not None


def may_read(session: Session, principal: Principal, doc: Document) -> bool:
    """Return True when the principal may see the document: of an office within reach, within
    clearance, and for
    personal data only as the owner of its case."""
    return within_reach(doc.office_id, principal) \
        and may_see(principal.clearance, doc.security) \
        and personal_allowed(session, principal, doc)


def load_visible(session: Session, principal: Principal, document_id: int) -> Document:
    """Return a document the principal may see; otherwise NotFound, as if it did not exist.

    The central check of every reading (view, preview, download, history, edit): above the
    reader's clearance, or personal data of a case the reader does not own, answers exactly
    like a missing document."""
    doc = session.get(Document, document_id)
    if doc is None or not may_read(session, principal, doc):
        raise NotFound("Dokumen tidak ditemukan.")
    return doc


def answer(doc: Document) -> schema.Document:
    """Return a document's metadata as the API answers it (the declared model)."""
    return schema.Document(
        id=doc.id,
        title=doc.title,
        number=doc.number,
        classification=schema.CodeName(code=doc.classification_code,
                                       name=doc.classification.name),
        document_date=doc.document_date.isoformat(),
        security=doc.security,
        sender=doc.sender,
        recipient=doc.recipient,
        description=doc.description,
        tags=doc.tags,
        file=schema.StoredFile(filename=doc.original_filename, mime=doc.mime, size=doc.size,
                               sha256=doc.sha256, pages=doc.pages),
        text_status=doc.text_status,
        text_message=doc.text_message,
        # The searchable copy OCR made beside the original ("salinan teks-cari"), if any.
        searchable_copy=_searchable_copy(doc),
        ocr_job=_ocr_job(doc),
        retention=schema.Retention(
            active_until=_iso(doc.active_until),
            inactive_until=_iso(doc.inactive_until),
            final_fate=doc.final_fate,
            phase=current_phase(doc),
            trigger_date=_iso(doc.trigger_date),
            note=doc.retention_note,
            # The event an event-triggered rule counts from, while its date is not yet known.
            awaiting_event=_awaited_event(doc),
        ),
        disposition=_disposition(doc),
        created_at=doc.created_at.replace(microsecond=0).isoformat() + "Z",
        created_by=doc.created_by.username if doc.created_by else None,
        office=OfficeRef(code=doc.office.code, name=doc.office.name),
    )


def _searchable_copy(doc: Document) -> schema.SearchableCopy | None:
    """Return the searchable copy OCR made beside the original, while the content is kept.

    OCR writes the copy's path, kind, size and digest together (`services.operations.ocr`).
    """
    if not doc.searchable_path or doc.disposition == "destroyed":
        return None
    return schema.SearchableCopy(kind=doc.searchable_kind or "pdf", size=doc.searchable_size or 0,
                                 sha256=doc.searchable_sha256 or "")


def _ocr_job(doc: Document) -> schema.OcrJob | None:
    """Return the state of the document's latest OCR job (the background worker's), if any."""
    session = object_session(doc)
    if session is None:
        return None
    job = session.scalars(select(Job).where(Job.document_id == doc.id, Job.kind == "ocr")
                          .order_by(Job.id.desc()).limit(1)).first()
    if job is None:
        return None
    return schema.OcrJob(state=job.state, attempts=job.attempts, max_attempts=job.max_attempts,
                         last_error=job.last_error)


def _disposition(doc: Document) -> schema.Disposition | None:
    """Return how the record left the archive (the tombstone's facts), or None while kept.

    Only the facts the record has are given (the model answers those only): the disposal
    list's when it was destroyed by one, the transfer's when it was handed over.
    """
    if doc.disposition is None:
        return None
    session = object_session(doc)
    listed = session.get(DisposalList, doc.disposal_list_id) \
        if session is not None and doc.disposal_list_id is not None else None
    handed = session.get(Transfer, doc.transfer_id) \
        if session is not None and doc.transfer_id is not None else None
    return schema.Disposition(
        status=doc.disposition,
        at=doc.disposed_at.replace(microsecond=0).isoformat() + "Z" if doc.disposed_at
        else None,
        **({} if listed is None else {
            "disposal_list": listed.number,
            "berita_acara": listed.berita_acara_number,
            "approved_by": listed.approved_by_name,
            "approval_reference": listed.approval_reference,
            "approval_date": _iso(listed.approval_date),
        }),
        **({} if handed is None else {
            "transfer": handed.number, "recipient": handed.recipient,
            "receipt_reference": handed.receipt_reference,
        }),
    )


def _awaited_event(doc: Document) -> str | None:
    """Return the trigger of an event-triggered rule still waiting for its date, else None."""
    session = object_session(doc)
    if doc.active_until is not None or session is None:
        return None
    return get_effective(session, doc.classification_code).active_trigger


def current_phase(doc: Document, as_of: dt.date | None = None) -> str:
    """Return the document's phase today (from its due dates, not the stored snapshot)."""
    if doc.final_fate is None:
        return doc.phase
    return retention.phase_on(doc.active_until, doc.inactive_until, doc.final_fate,
                              as_of or dt.date.today())


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def view_document(archive: Archive, principal: Principal, document_id: int,
                  client_addr: str | None = None) -> schema.Document:
    """Return a visible document's metadata and audit the view."""
    with archive.db.write() as session:
        doc = load_visible(session, principal, document_id)
        audit.append(session, principal.actor(client_addr), "document.view",
                     target_type="document", target_id=doc.id)
        return answer(doc)


@dataclass(frozen=True)
class FileHandle:
    """What a door needs to send a stored file back."""

    filename: str
    mime: str
    size: int
    path: str


def open_file(archive: Archive, principal: Principal, document_id: int,
              client_addr: str | None = None, *, searchable: bool = False) -> FileHandle:
    """Return the stored file of a visible document and audit the download.

    With `searchable`, return its searchable copy (made by OCR) instead of the original.
    """
    with archive.db.write() as session:
        doc = load_visible(session, principal, document_id)
        actor = principal.actor(client_addr)
        copy = {"copy": "searchable"} if searchable else {}
        if searchable and doc.disposition != "destroyed" and doc.searchable_path is None:
            raise NotFound("Dokumen ini tidak memiliki salinan teks-cari.")
        if doc.disposition == "destroyed":
            # One entry: the request, refused because the content no longer exists.
            audit.append(session, actor, "document.download", target_type="document",
                         target_id=doc.id, outcome="failure",
                         details={"reason": "content destroyed", **copy})
            destroyed = _disposition(doc)
            gone = Gone("Isi dokumen ini telah dimusnahkan (berita acara %(ba)s).",
                        params={"ba": destroyed and destroyed.berita_acara or "-"})
        else:
            gone = None
            path = archive.store.path_of(doc.searchable_path if searchable and
                                         doc.searchable_path else doc.storage_path)
            missing = not path.exists()
            # The entry is committed either way: a missing file is something auditors must see.
            audit.append(session, actor, "document.download", target_type="document",
                         target_id=doc.id, outcome="failure" if missing else "success",
                         details=({"reason": "file missing", **copy} if missing else copy)
                         or None)
            if searchable:
                stem = doc.original_filename.rsplit(".", 1)[0] or "berkas"
                handle = FileHandle(f"{stem}.teks-cari.pdf", "application/pdf",
                                    doc.searchable_size or 0, str(path))
            else:
                handle = FileHandle(doc.original_filename, doc.mime, doc.size, str(path))
    if gone is not None:
        raise gone
    if missing:
        raise NotFound("Berkas dokumen tidak ditemukan di penyimpanan.")
    return handle


def refuse_delete(archive: Archive, principal: Principal, document_id: int, *,
                  client_addr: str | None = None) -> None:
    """Refuse, and audit, a request to delete a document outside the destruction procedure.

    A record may disappear only through pemusnahan (list, review, approval, berita acara): no
    door deletes a document's content. The refusal names the way that exists.
    """
    with archive.db.write() as session:
        doc = session.get(Document, document_id)
        visible = doc is not None and may_read(session, principal, doc)
        audit.append(session, principal.actor(client_addr), "document.delete",
                     target_type="document", target_id=document_id, outcome="refused",
                     details={"reason": "only the destruction procedure removes content"})
    if not visible:
        raise NotFound("Dokumen tidak ditemukan.")
    raise Forbidden("Dokumen tidak dapat dihapus. Arsip hanya dapat dimusnahkan melalui "
                    "prosedur pemusnahan: daftar usul musnah, penilaian, persetujuan "
                    "pimpinan, dan berita acara.")


def describe(archive: Archive, principal: Principal, document_id: int) -> schema.Document:
    """Return a visible document's metadata (no audit entry: for answering the filer)."""
    with archive.db.read() as session:
        return answer(load_visible(session, principal, document_id))


def recent_documents(archive: Archive, principal: Principal,
                     limit: int = 10) -> list[schema.Document]:
    """Return the most recently filed documents the principal may see."""
    with archive.db.read() as session:
        docs = session.scalars(
            select(Document).where(Document.security.in_(classes_up_to(principal.clearance)),
                                   in_reach(Document.office_id, principal), not_personal())
            .order_by(Document.id.desc()).limit(limit))
        return [answer(d) for d in docs]


def previewable(mime: str) -> bool:
    """Return True when documents of this type get a first-page preview."""
    return mime in extract.PREVIEW_TYPES


def text_preview(mime: str) -> bool:
    """Return True when the preview of this type is its text drawn, not an image of a page."""
    return mime in extract.TEXT_PREVIEW_TYPES


def preview_cache_path(archive: Archive, sha256: str) -> Path:
    """Return where the first-page preview of the file with this SHA-256 is cached."""
    return archive.config.instance_dir / "previews" / sha256[:2] / f"{sha256}.png"


def preview_file(archive: Archive, principal: Principal, document_id: int,
                 client_addr: str | None = None) -> Path | None:
    """Return a PNG of the first page of a visible document, or None; audit it.

    PDFs and images get an image of their first page; plain text and DOCX their first lines
    drawn in DejaVu Sans Mono (a text preview, see ``extractors.preview``).

    Previews are made on first request, in an extraction worker, and kept in
    `instance/previews/` under the file's SHA-256 (the stored file never changes). They are
    derived data: deleting the folder only costs re-rendering. A preview shows a record's
    content, so every request for one of a visible document is its own audit entry
    (`document.preview`; outcome `failure` with the reason when there is no preview to show).
    """
    with archive.db.read() as session:
        doc = load_visible(session, principal, document_id)
        source, mime, sha256 = archive.store.path_of(doc.storage_path), doc.mime, doc.sha256
        destroyed = doc.disposition == "destroyed"
    target: Path | None = None
    detail: str | None = None
    if destroyed:
        reason = "content destroyed"
    elif mime not in extract.PREVIEW_TYPES:
        reason = "no preview for this file type"
    else:
        target, reason, detail = _rendered(archive, source, mime, sha256)
    with archive.db.write() as session:
        # Read again: the record may have been destroyed or raised in class meanwhile.
        doc = load_visible(session, principal, document_id)
        if target is not None and doc.disposition == "destroyed":
            reason, shredding = "content destroyed", target
            target = None
        else:
            shredding = None
        audit.append(session, principal.actor(client_addr), "document.preview",
                     target_type="document", target_id=doc.id,
                     outcome="success" if target is not None else "failure",
                     details=None if target is not None else
                     {"reason": reason, **({"detail": detail} if detail else {})})
    if shredding is not None:
        # Rendered while the record was being destroyed: the preview goes with its content.
        shred(shredding)
    return target


def _rendered(archive: Archive, source: Path, mime: str,
              sha256: str) -> tuple[Path | None, str, str | None]:
    """Return the cached preview of a stored file (rendering it first), or None, why not and
    the technical detail of a failed rendering."""
    target = preview_cache_path(archive, sha256)
    if target.exists():
        return target, "", None
    if not source.exists():
        return None, "file missing", None
    target.parent.mkdir(parents=True, exist_ok=True)
    why = extract.preview(source, mime, target, archive.extract_limits)
    if why is not None:
        return None, "preview could not be rendered", why
    return target, "", None
