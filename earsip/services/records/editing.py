"""Editing a filed document's metadata, reclassifying it, changing its security class.

The stored file never changes; its metadata does, with one audit entry holding every old and
new value (`document.reclassify` when the code changed, else `document.edit`). A new code, date
or trigger date recomputes the retention dates. The search index is updated through the queue
written in the same transaction, and until then searches filter against the database (a raised
security class hides the document at once). Lowering the class needs a reason, and to `biasa`
or by more than one level a leader's approval (`services.declassification`).
"""

from __future__ import annotations

import datetime as dt

from earsip import audit, retention
from earsip.access import Principal, may_see
from earsip.errors import N_, Conflict, NotFound, ValidationError
from earsip.models import Document, DocumentTag
from earsip.schemas.accounts import Declassification
from earsip.schemas.base import JsonObject
from earsip.schemas.documents import DocumentEdit, DocumentInput
from earsip.schemas.records import EditedDocument
from earsip.services import Archive
from earsip.services.access import declassification
from earsip.services.records.classification import get_effective
from earsip.services.records.documents import answer, load_visible, parse_input
from earsip.services.search import indexing

FIELDS = ("title", "number", "document_date", "classification", "security", "sender",
          "recipient", "description", "tags", "trigger_date")


def current_fields(doc: Document) -> dict[str, str]:
    """Return a document's editable metadata as form values."""
    return {
        "title": doc.title, "number": doc.number or "",
        "document_date": doc.document_date.isoformat(),
        "classification": doc.classification_code, "security": doc.security,
        "sender": doc.sender or "", "recipient": doc.recipient or "",
        "description": doc.description or "", "tags": ", ".join(doc.tags),
        "trigger_date": doc.trigger_date.isoformat() if doc.trigger_date else "",
    }


def form_values(archive: Archive, principal: Principal, document_id: int, *,
                client_addr: str | None = None) -> dict[str, str]:
    """Return the edit form's values for a visible document; the form shows its metadata, so
    this is audited as a view of the document (`document.view`, `{"form": "edit"}`)."""
    with archive.db.write() as session:
        doc = load_visible(session, principal, document_id)
        audit.append(session, principal.actor(client_addr), "document.view",
                     target_type="document", target_id=doc.id, details={"form": "edit"})
        return current_fields(doc)


def _values(data: DocumentInput, security: str) -> JsonObject:
    return {"title": data.title, "number": data.number, "document_date": data.document_date,
            "classification": data.classification, "security": security,
            "sender": data.sender, "recipient": data.recipient,
            "description": data.description, "tags": list(data.tags),
            "trigger_date": data.trigger_date}


def _result(doc: Document, request: Declassification | None) -> EditedDocument:
    return EditedDocument(**dict(answer(doc)), declassification=request)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def edit_document(archive: Archive, principal: Principal, document_id: int,
                  edit: DocumentEdit, client_addr: str | None = None) -> EditedDocument:
    """Apply the fields sent in `edit` to a visible document; return it afterwards.

    Lowering the security class needs the edit's `security_reason`; a lowering that needs a leader's
    approval (`declassification.needs_approval`) is filed as a pending request instead of
    applied, and the result then holds it in `declassification`.
    """
    actor = principal.actor(client_addr)
    with archive.db.write() as session:
        doc = load_visible(session, principal, document_id)
        if doc.disposition is not None:
            # A tombstone records what was destroyed or handed over; it is never rewritten.
            raise Conflict("Dokumen ini sudah %(state)s; metadatanya tidak dapat diubah.",
                           params={"state": N_("dimusnahkan") if doc.disposition == "destroyed"
                                   else N_("diserahkan")})
        merged = {**current_fields(doc), **edit.changes()}
        data = parse_input(merged)
        security = data.security or doc.security
        if not may_see(principal.clearance, security):
            raise ValidationError(
                "Klasifikasi keamanan dokumen (%(security)s) di atas izin akses Anda "
                "(%(clearance)s); minta petugas dengan izin yang cukup untuk mengarsipkannya.",
                field="security", params={"security": security,
                                          "clearance": principal.clearance})
        lowering, request = None, None
        if declassification.lowered(doc.security, security):
            reason = declassification.check_reason(edit.security_reason)
            declassification.refuse_if_pending(session, doc)
            if declassification.needs_approval(doc.security, security):
                request = declassification.file_request(session, principal, doc, security,
                                                        reason, client_addr)
                security = doc.security  # kept until a leader approves
            else:
                lowering = {"old": doc.security, "new": security, "reason": reason}
        old = _values(parse_input(current_fields(doc), check_dates=False), doc.security)
        new = _values(data, security)
        changes = {k: {"old": _plain(old[k]), "new": _plain(new[k])}
                   for k in FIELDS if old[k] != new[k]}
        if not changes:
            return _result(doc, request)
        if {"classification", "document_date", "trigger_date"} & changes.keys():
            try:
                code = get_effective(session, data.classification)
            except NotFound as e:
                raise ValidationError(e.template, field="classification",
                                      params=e.params) from e
            if code.rule is None:
                raise ValidationError(
                    "Kode klasifikasi %(code)s belum memiliki aturan retensi (JRA) lengkap; "
                    "pilih sub-kode yang memilikinya.", field="classification",
                    params={"code": code.code})
            if code.retired and "classification" in changes:
                raise ValidationError("Kode klasifikasi %(code)s sudah tidak dipakai.",
                                      field="classification", params={"code": code.code})
            ret = retention.compute(code.rule, data.document_date,
                                    trigger_date=data.trigger_date,
                                    counting=archive.config.retention_counting,
                                    as_of=dt.date.today())
            doc.classification_code = code.code
            (doc.active_until, doc.inactive_until, doc.final_fate, doc.phase,
             doc.retention_note) = (ret.active_until, ret.inactive_until, ret.final_fate,
                                    ret.phase, ret.note)
        doc.title, doc.number, doc.document_date = data.title, data.number, data.document_date
        doc.security, doc.sender, doc.recipient = security, data.sender, data.recipient
        doc.description, doc.trigger_date = data.description, data.trigger_date
        if "tags" in changes:
            doc.tag_rows = [DocumentTag(tag=t) for t in data.tags]
        indexing.enqueue(session, doc.id)
        action = "document.reclassify" if "classification" in changes else "document.edit"
        audit.append(session, actor, action, target_type="document", target_id=doc.id,
                     details={"changes": changes})
        if lowering:
            audit.append(session, actor, "document.declassify", target_type="document",
                         target_id=doc.id, details=lowering)
        session.flush()
        result = _result(doc, request)
    indexing.process_queue(archive, document_ids=[document_id])
    return result
