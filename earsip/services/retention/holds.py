"""Legal holds: while one is in force, the documents it covers cannot leave the archive.

A hold names chosen documents, or a classification code together with every code beneath it
(so documents filed there later are covered too). Holds are lifted, never deleted: the row keeps
who placed and lifted it, when and why, and both steps are audited.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.elements import ColumnElement

from earsip import audit
from earsip.access import Principal, classes_up_to
from earsip.errors import Conflict, NotFound, OnHold, ValidationError
from earsip.models import Classification, Document, HoldDocument, LegalHold, utcnow
from earsip.schemas.retention import Hold, HoldInput, HoldLift
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.reach import in_reach, within_reach
from earsip.services.access.users import require


def _code_covers(code_column: InstrumentedAttribute[str], code: str) -> ColumnElement[bool]:
    """Return SQL true when `code_column` is `code` or a code beneath it."""
    return or_(code_column == code, code_column.like(code.replace("%", r"\%") + ".%",
                                                     escape="\\"))


def held_ids(session: Session, document_ids: Iterable[int] | None = None) -> set[int]:
    """Return which documents (of `document_ids`, or of all) an active hold covers."""
    wanted = None if document_ids is None else list(set(document_ids))
    if wanted == []:
        return set()
    direct = (select(HoldDocument.document_id).join(LegalHold)
              .where(LegalHold.lifted_at.is_(None)))
    if wanted is not None:
        direct = direct.where(HoldDocument.document_id.in_(wanted))
    found = set(session.scalars(direct))
    codes = [code for code in session.scalars(select(LegalHold.classification_code).where(
        LegalHold.lifted_at.is_(None), LegalHold.classification_code.is_not(None))) if code]
    for code in codes:
        query = select(Document.id).where(_code_covers(Document.classification_code, code))
        if wanted is not None:
            query = query.where(Document.id.in_(wanted))
        found.update(session.scalars(query))
    return found


def refuse_held(session: Session, document_ids: Iterable[int], step: str) -> None:
    """Raise OnHold naming the documents an active hold covers, if any."""
    held = sorted(held_ids(session, document_ids))
    if held:
        raise OnHold("Dokumen berikut sedang ditahan (legal hold), sehingga tidak dapat "
                     "%(step)s: %(ids)s.",
                     params={"step": step, "ids": ", ".join(f"#{i}" for i in held)},
                     document_ids=held)


def _view(hold: LegalHold, visible_ids: list[int], *, sees_all: bool = True) -> Hold:
    """The hold with the documents given; its reference and reasons only when `sees_all`
    (schemas.retention.Hold says why)."""
    return Hold(id=hold.id, reference=hold.reference if sees_all else None,
                reason=hold.reason if sees_all else None,
                classification_code=hold.classification_code, document_ids=visible_ids,
                placed_by=hold.placed_by_name, placed_at=hold.placed_at,
                active=hold.lifted_at is None, lifted_at=hold.lifted_at,
                lifted_by=hold.lifted_by_name,
                lift_reason=hold.lift_reason if sees_all else None, restricted=not sees_all)


def _reader_view(session: Session, hold: LegalHold, principal: Principal) -> Hold:
    """Return the hold as this reader may see it (see schemas.retention.Hold)."""
    visible = _visible_ids(session, hold, principal)
    return _view(hold, visible, sees_all=len(visible) == len(hold.document_rows)
                 and not _hides_coded(session, hold, principal))


def _hides_coded(session: Session, hold: LegalHold, principal: Principal) -> bool:
    """Return True when the hold's code covers a document above the principal's clearance."""
    if hold.classification_code is None:
        return False
    return session.scalar(select(Document.id).where(
        _code_covers(Document.classification_code, hold.classification_code),
        Document.security.not_in(classes_up_to(principal.clearance))).limit(1)) is not None


def _all_visible(session: Session, hold: LegalHold, principal: Principal) -> bool:
    """Return True when the principal may see every document the hold names."""
    return len(_visible_ids(session, hold, principal)) == len(hold.document_rows)


def _visible_ids(session: Session, hold: LegalHold, principal: Principal) -> list[int]:
    ids = [r.document_id for r in hold.document_rows]
    if not ids:
        return []
    return sorted(session.scalars(select(Document.id).where(
        Document.id.in_(ids), in_reach(Document.office_id, principal),
            Document.security.in_(classes_up_to(principal.clearance)))))


def place_hold(archive: Archive, principal: Principal, placed: HoldInput, *,
               client_addr: str | None = None) -> Hold:
    """Place a hold on chosen documents and/or a whole classification code; audit it."""
    require(principal, "hold.manage")
    ref, why, code = placed.reference, placed.reason, placed.classification_code
    ids = sorted(set(placed.document_ids))
    with archive.db.write() as session:
        if code is not None and session.get(Classification, code) is None:
            raise ValidationError("Kode klasifikasi %(code)s tidak dikenal.",
                                  field="classification_code", params={"code": code})
        visible = set(session.scalars(select(Document.id).where(
            Document.id.in_(ids), in_reach(Document.office_id, principal),
            Document.security.in_(classes_up_to(principal.clearance)))))
        missing = [i for i in ids if i not in visible]
        if missing:
            raise NotFound("Dokumen #%(id)s tidak ditemukan.", params={"id": missing[0]})
        hold = LegalHold(office_id=offices.office_of(session, principal),
                         reference=ref, reason=why, classification_code=code,
                         placed_by_id=principal.id or None, placed_by_name=principal.username,
                         document_rows=[HoldDocument(document_id=i) for i in ids])
        session.add(hold)
        session.flush()
        audit.append(session, principal.actor(client_addr), "hold.place",
                     target_type="hold", target_id=hold.id,
                     details={"reference": ref, "reason": why, "document_ids": ids,
                              "classification_code": code})
        return _view(hold, ids)


def lift_hold(archive: Archive, principal: Principal, hold_id: int, lifted: HoldLift, *,
              client_addr: str | None = None) -> Hold:
    """Lift an active hold, with a reason; audit it."""
    require(principal, "hold.manage")
    why = lifted.reason
    with archive.db.write() as session:
        hold = session.get(LegalHold, hold_id)
        if hold is None or not _all_visible(session, hold, principal):
            # Lifting protects records: only someone cleared for all of them may do it.
            raise NotFound("Penahanan #%(id)s tidak ditemukan.", params={"id": hold_id})
        if hold.lifted_at is not None:
            raise Conflict("Penahanan #%(id)s sudah dicabut.", params={"id": hold_id})
        hold.lifted_at, hold.lifted_by_name, hold.lift_reason = utcnow(), principal.username, why
        audit.append(session, principal.actor(client_addr), "hold.lift",
                     target_type="hold", target_id=hold.id,
                     details={"reference": hold.reference, "reason": why})
        return _reader_view(session, hold, principal)


def list_holds(archive: Archive, principal: Principal, *,
               active_only: bool = False) -> list[Hold]:
    """Return the holds, newest first (their documents limited to the principal's clearance)."""
    with archive.db.read() as session:
        query = select(LegalHold).order_by(LegalHold.id.desc())
        if active_only:
            query = query.where(LegalHold.lifted_at.is_(None))
        views = [_reader_view(session, h, principal) for h in session.scalars(query)]
        return [v for v in views if v.classification_code is not None or v.document_ids]


def get_hold(archive: Archive, principal: Principal, hold_id: int) -> Hold:
    """Return one hold."""
    with archive.db.read() as session:
        hold = session.get(LegalHold, hold_id)
        view = _reader_view(session, hold, principal) if hold else None
        if view is None or (view.classification_code is None and not view.document_ids):
            # A hold only on records above the reader's clearance is, to them, no hold at all.
            raise NotFound("Penahanan #%(id)s tidak ditemukan.", params={"id": hold_id})
        return view


def holds_covering(archive: Archive, principal: Principal, document_id: int) -> list[Hold]:
    """Return the holds in force on a document the principal may see, oldest first.

    A hold's reference and reason are shown only to a reader who may see every record it
    names; to anyone else it is a hold without them (they learn no more than that one exists).
    """
    with archive.db.read() as session:
        doc = session.get(Document, document_id)
        if doc is None or not within_reach(doc.office_id, principal) \
                or doc.security not in classes_up_to(principal.clearance):
            raise NotFound("Dokumen #%(id)s tidak ditemukan.", params={"id": document_id})
        direct = select(HoldDocument.hold_id).where(HoldDocument.document_id == document_id)
        query = (select(LegalHold).where(LegalHold.lifted_at.is_(None))
                 .where(or_(LegalHold.id.in_(direct), LegalHold.classification_code.is_not(None)))
                 .order_by(LegalHold.id))
        found = []
        for hold in session.scalars(query):
            code = hold.classification_code
            if hold.id not in set(session.scalars(direct)) and not (
                    code and (doc.classification_code == code
                              or doc.classification_code.startswith(code + "."))):
                continue
            found.append(_reader_view(session, hold, principal))
        return found
