"""The desk's rows as the doors show them: letters, dispositions and numbers, each limited to
what the reader may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip.access import Principal, can, may_see
from earsip.errors import NotFound, ValidationError
from earsip.models import (
    Disposition,
    Document,
    IncomingLetter,
    LetterDocument,
    OutgoingLetter,
    User,
)
from earsip.schemas.desk import (
    DispositionOut,
    DocumentLetter,
    IncomingLetterOut,
    OutgoingOut,
    SignatureFact,
)
from earsip.schemas.desk import (
    LetterDocument as LetterDocumentOut,
)
from earsip.schemas.offices import OfficeRef

OPEN = ("new", "read", "in_progress")


@dataclass(frozen=True)
class RegisterQuery:
    """Filters of an agenda register (surat masuk or keluar) and the page wanted."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str | None = None
    status: str | None = None
    classification: str | None = None
    limit: int = 50
    offset: int = 0


def recipient(session: Session, name: str, sender_id: int) -> User:
    """Return the active user a letter or a case is routed to by `name`: never unknown, never
    the sender."""
    user = session.scalar(select(User).where(User.username == name, User.active.is_(True)))
    if user is None:
        raise ValidationError("Pengguna %(user)s tidak dikenal.", field="to",
                              params={"user": name})
    if user.id == sender_id:
        raise ValidationError("Disposisi tidak dapat ditujukan kepada diri sendiri.",
                              field="to")
    return user


def check_status(status: str | None, statuses: tuple[str, ...]) -> None:
    """Refuse a register status that is not one of `statuses`."""
    if status is not None and status not in statuses:
        raise ValidationError("Status tidak dikenal: %(value)s. Pilihan: %(choices)s.",
                              field="status", params={"value": status[:40],
                                                      "choices": ", ".join(statuses)})


def overdue(row: Disposition, today: dt.date) -> bool:
    """Return True when an open disposition is past its due date."""
    return row.status in OPEN and row.due_date is not None and row.due_date < today


def letter_status(dispositions: list[Disposition]) -> str:
    """Return where a letter stands: `registered` (not routed), `disposed` (routing open)
    or `done` (every step followed up)."""
    live = [d for d in dispositions if d.status != "withdrawn"]
    if not live:
        return "registered"
    return "done" if all(d.status == "done" for d in live) else "disposed"


def involved(session: Session, letter_id: int, user_id: int) -> bool:
    """Return True when the user sent or received a step of the letter's routing."""
    return session.scalar(select(Disposition.id).where(
        Disposition.letter_id == letter_id, Disposition.status != "withdrawn",
        (Disposition.to_user_id == user_id) | (Disposition.from_user_id == user_id))
        .limit(1)) is not None


def readable_letter(session: Session, principal: Principal, letter_id: int) -> IncomingLetter:
    """Return the letter if the principal may read it; NotFound otherwise (as for no letter).

    The desk, the leadership, the records office and auditors read the agenda; anyone else
    reads the letters routed to or by them. Clearance applies to all.
    """
    letter = session.get(IncomingLetter, letter_id)
    if letter is None or not may_see(principal.clearance, letter.security) or not (
            can(principal.roles, "letter.read") or involved(session, letter_id, principal.id)):
        raise NotFound("Surat #%(id)d tidak ditemukan.", params={"id": letter_id})
    return letter


def disposition_view(row: Disposition, today: dt.date, document_ids: list[int]) -> DispositionOut:
    """Return one step of a routing."""
    return DispositionOut(
        id=row.id, letter_id=row.letter_id, parent_id=row.parent_id,
        **{"from": row.from_name}, to=row.to_name, instruction=row.instruction,
        note=row.note, due_date=row.due_date, status=row.status,
        overdue=overdue(row, today), created_at=row.created_at, read_at=row.read_at,
        done_at=row.done_at, done_note=row.done_note, document_ids=document_ids)


def letter_view(session: Session, principal: Principal, letter: IncomingLetter,
                today: dt.date) -> IncomingLetterOut:
    """Return the letter with its documents (within clearance) and its routing."""
    links = list(session.scalars(select(LetterDocument).where(
        LetterDocument.incoming_id == letter.id).order_by(LetterDocument.position,
                                                          LetterDocument.id)))
    docs = {d.id: d for d in session.scalars(select(Document).where(
        Document.id.in_([link.document_id for link in links])))}
    visible = [link for link in links if link.document_id in docs
               and may_see(principal.clearance, docs[link.document_id].security)]
    steps = list(session.scalars(select(Disposition).where(
        Disposition.letter_id == letter.id).order_by(Disposition.id)))
    by_step: dict[int, list[int]] = {}
    for link in visible:
        if link.disposition_id is not None:
            by_step.setdefault(link.disposition_id, []).append(link.document_id)
    facts = [SignatureFact.model_validate(f) for f in (letter.signatures or [])
             if f.get("document_id") in {link.document_id for link in visible}]
    return IncomingLetterOut(
        id=letter.id, agenda_number=letter.agenda_number, received_at=letter.received_at,
        channel=letter.channel, letter_number=letter.letter_number,
        letter_date=letter.letter_date, sender=letter.sender,
        sender_person=letter.sender_person, subject=letter.subject,
        classification=letter.classification_code, urgency=letter.urgency,
        security=letter.security, attachments=letter.attachments, note=letter.note,
        status=letter_status(steps), registered_by=letter.registered_by_name,
        registered_at=letter.registered_at,
        document_ids=[link.document_id for link in visible if link.role != "tindak_lanjut"],
        documents=[LetterDocumentOut(id=link.document_id, role=link.role,
                                     title=docs[link.document_id].title) for link in visible],
        signatures=facts,
        dispositions=[disposition_view(s, today, by_step.get(s.id, [])) for s in steps],
        office=OfficeRef(code=letter.office.code, name=letter.office.name))


def outgoing_view(row: OutgoingLetter) -> OutgoingOut:
    """Return a number of the agenda surat keluar."""
    return OutgoingOut(
        id=row.id, number=row.number, classification=row.classification_code,
        signatory=row.signatory, unit=row.unit, letter_date=row.letter_date,
        subject=row.subject, recipient=row.recipient, security=row.security,
        status=row.status, issued_at=row.issued_at, issued_by=row.issued_by_name,
        expires_at=row.expires_at, document_id=row.document_id,
        cancelled_at=row.cancelled_at, cancel_reason=row.cancel_reason,
        office=OfficeRef(code=row.office.code, name=row.office.name))


def document_letter(session: Session, principal: Principal, document_id: int
                    ) -> DocumentLetter | None:
    """Return the letter a document belongs to, as its reader may know it: the letter's
    number and link only when they may read the letter; the document's own signatures."""
    link = session.scalar(select(LetterDocument).where(
        LetterDocument.document_id == document_id))
    if link is None:
        return None
    if link.outgoing_id is not None:
        row = session.get(OutgoingLetter, link.outgoing_id)
        if row is None or not may_see(principal.clearance, row.security):
            return None
        return DocumentLetter(kind="outgoing", role=link.role, letter_id=None,
                              number=row.number if can(principal.roles, "letter.read")
                              else None, signatures=[])
    letter = session.get(IncomingLetter, link.incoming_id) if link.incoming_id else None
    if letter is None or not may_see(principal.clearance, letter.security):
        return None
    readable = can(principal.roles, "letter.read") or involved(session, letter.id,
                                                                principal.id)
    facts = [SignatureFact.model_validate(f) for f in (letter.signatures or [])
             if f.get("document_id") == document_id]
    return DocumentLetter(kind="incoming", role=link.role,
                          letter_id=letter.id if readable else None,
                          number=letter.agenda_number if readable else None,
                          signatures=facts)
