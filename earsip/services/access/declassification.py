"""Declassification: lowering a record's security class.

Lowering a class always needs a reason. Lowering by one level to a class above `biasa` takes
effect with the edit (`document.declassify`); lowering to `biasa`, or by more than one level,
becomes a pending request (`declassification.request`) that a leader cleared for the record's
class approves (`declassification.approve`, the class is lowered then) or refuses
(`declassification.refuse`). The record keeps its class meanwhile. The approving leader is held
to the same separation of duties as a destruction's (`services.duties`) with the requester in
the proposer's place, and types their password again. Raising a class needs nothing of this.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import SECURITY_CLASSES, Principal, can, classes_up_to, level, may_see
from earsip.errors import N_, Conflict, Forbidden, NotFound
from earsip.models import DeclassificationRequest, Document, utcnow
from earsip.schemas.accounts import Declassification, Refusal
from earsip.schemas.base import text_field
from earsip.services import Archive
from earsip.services.access import duties
from earsip.services.access.users import require
from earsip.services.search import indexing

REASON_LABEL = N_("Alasan penurunan klasifikasi keamanan")


def lowered(old: str, new: str) -> bool:
    """Return True when `new` is a lower security class than `old`."""
    return level(new) < level(old)


def needs_approval(old: str, new: str) -> bool:
    """Return True when lowering `old` to `new` needs a leader's approval."""
    return lowered(old, new) and (new == SECURITY_CLASSES[0] or level(old) - level(new) > 1)


def check_reason(reason: str | None) -> str:
    """Return the reason for a lowering, or raise ValidationError when it is missing."""
    return text_field(reason, "security_reason", REASON_LABEL, limit=2000)


def _view(r: DeclassificationRequest) -> Declassification:
    return Declassification(id=r.id, document_id=r.document_id, old_security=r.old_security,
                       new_security=r.new_security, reason=r.reason, status=r.status,
                       requested_by=r.requested_by_name, requested_by_id=r.requested_by_id,
                       requested_at=r.requested_at, decided_by=r.decided_by_name,
                       decided_at=r.decided_at, decision_note=r.decision_note)


def refuse_if_pending(session: Session, doc: Document) -> None:
    """Refuse another lowering of a record while a request to lower it waits for a leader."""
    pending = session.scalar(select(DeclassificationRequest.id).where(
        DeclassificationRequest.document_id == doc.id,
        DeclassificationRequest.status == "pending"))
    if pending is not None:
        raise Conflict("Sudah ada permintaan penurunan klasifikasi keamanan dokumen ini yang "
                       "menunggu persetujuan (#%(id)s).", params={"id": pending},
                       field="security")


def file_request(session: Session, principal: Principal, doc: Document, new: str, reason: str,
                 client_addr: str | None) -> Declassification:
    """Record a pending request to lower `doc` to `new` in the caller's transaction."""
    refuse_if_pending(session, doc)
    request = DeclassificationRequest(document_id=doc.id, old_security=doc.security,
                                      new_security=new, reason=reason, status="pending",
                                      requested_by_id=principal.id or None,
                                      requested_by_name=principal.username)
    session.add(request)
    session.flush()
    audit.append(session, principal.actor(client_addr), "declassification.request",
                 target_type="document", target_id=doc.id,
                 details={"request_id": request.id, "old": doc.security, "new": new,
                          "reason": reason})
    return _view(request)


def _load(session: Session, principal: Principal, request_id: int
          ) -> tuple[DeclassificationRequest, Document]:
    """Return a request and its document when the principal may see the document."""
    request = session.get(DeclassificationRequest, request_id)
    doc = session.get(Document, request.document_id) if request is not None else None
    if request is None or doc is None or not may_see(principal.clearance, doc.security) \
            or not may_see(principal.clearance, request.old_security):
        raise NotFound("Permintaan penurunan klasifikasi #%(id)s tidak ditemukan.",
                       params={"id": request_id})
    return request, doc


def _refuse(archive: Archive, principal: Principal, action: str, request_id: int,
            document_id: int, reason: str, client_addr: str | None) -> None:
    """Commit the audit entry of a refused decision (the refusal itself must not roll back)."""
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), action, target_type="document",
                     target_id=document_id, outcome="refused",
                     details={"request_id": request_id, "reason": reason})


def document_of(archive: Archive, principal: Principal, request_id: int) -> int:
    """Return the document a request is about (NotFound when the principal may not see it)."""
    with archive.db.read() as session:
        return _load(session, principal, request_id)[1].id


def decision_refusal(archive: Archive, principal: Principal,
                     request_id: int) -> duties.Refusal | None:
    """Return why the principal may not approve a request (separation of duties), or None."""
    with archive.db.read() as session:
        request, _doc = _load(session, principal, request_id)
        return duties.refusal(session, principal.id, request.requested_by_id)


def approve(archive: Archive, principal: Principal, request_id: int, *, password: str | None,
            client_addr: str | None = None) -> Declassification:
    """Approve a pending request: the record's class is lowered now; audited."""
    require(principal, "declassification.decide")
    with archive.db.read() as session:
        request, doc = _load(session, principal, request_id)
        document_id = doc.id
        refused = duties.refusal(session, principal.id, request.requested_by_id)
        right_password = refused is None and duties.password_matches(session, principal.id,
                                                                     password)
    if refused is not None:
        _refuse(archive, principal, "declassification.approve", request_id, document_id,
                f"separation of duties: {refused.code}", client_addr)
        raise Forbidden(refused.message, params=refused.params, reason=refused.code)
    if not right_password:
        _refuse(archive, principal, "declassification.approve", request_id, document_id,
                "wrong password", client_addr)
        raise Forbidden("Kata sandi salah; persetujuan tidak disimpan.", field="password",
                        reason="wrong_password")
    with archive.db.write() as session:
        request, doc = _load(session, principal, request_id)
        _still_pending(request, doc)
        old, new = request.old_security, request.new_security
        doc.security = new
        request.status, request.decided_at = "approved", utcnow()
        request.decided_by_id, request.decided_by_name = principal.id or None, principal.username
        indexing.enqueue(session, doc.id)
        audit.append(session, principal.actor(client_addr), "declassification.approve",
                     target_type="document", target_id=doc.id,
                     details={"request_id": request.id, "old": old, "new": new,
                              "reason": request.reason, "requested_by": request.requested_by_name})
        view = _view(request)
    indexing.process_queue(archive, document_ids=[document_id])
    return view


def refuse(archive: Archive, principal: Principal, request_id: int, refusal: Refusal, *,
           client_addr: str | None = None) -> Declassification:
    """Refuse a pending request, with a reason; the record keeps its class; audited."""
    require(principal, "declassification.decide")
    why = refusal.note
    with archive.db.write() as session:
        request, doc = _load(session, principal, request_id)
        if request.requested_by_id is not None and request.requested_by_id == principal.id:
            raise Forbidden("Peminta tidak boleh memutus permintaannya sendiri; keputusan harus "
                            "oleh pimpinan lain.")
        _still_pending(request, doc)
        request.status, request.decided_at = "refused", utcnow()
        request.decided_by_id, request.decided_by_name = principal.id or None, principal.username
        request.decision_note = why
        audit.append(session, principal.actor(client_addr), "declassification.refuse",
                     target_type="document", target_id=doc.id,
                     details={"request_id": request.id, "old": request.old_security,
                              "new": request.new_security, "reason": request.reason,
                              "note": why})
        return _view(request)


def _still_pending(request: DeclassificationRequest, doc: Document) -> None:
    if request.status != "pending":
        raise Conflict("Permintaan #%(id)s sudah diputus.", params={"id": request.id})
    if doc.disposition is not None or doc.security != request.old_security:
        raise Conflict("Klasifikasi keamanan dokumen telah berubah sejak permintaan #%(id)s "
                       "diajukan; ajukan permintaan baru.", params={"id": request.id})


def pending(archive: Archive, principal: Principal, *,
            document_id: int | None = None) -> list[Declassification]:
    """Return the pending requests on records within the principal's clearance (of one
    document, when given), oldest first."""
    visible = classes_up_to(principal.clearance)
    query = (select(DeclassificationRequest)
             .join(Document, Document.id == DeclassificationRequest.document_id)
             .where(DeclassificationRequest.status == "pending",
                    Document.security.in_(visible),
                    DeclassificationRequest.old_security.in_(visible))
             .order_by(DeclassificationRequest.id))
    if document_id is not None:  # the document's own page: its reader was checked already
        query = query.where(DeclassificationRequest.document_id == document_id)
    else:  # a listing never names personal data (a case's identity scan)
        query = query.where(Document.personal.is_(False))
    with archive.db.read() as session:
        return [_view(r) for r in session.scalars(query)]


def awaiting_decision(archive: Archive, principal: Principal) -> list[Declassification]:
    """Return the pending requests a leader is asked to decide (not their own)."""
    if not can(principal.roles, "declassification.decide"):
        return []
    return [r for r in pending(archive, principal) if r.requested_by_id != principal.id]
