"""Disposisi: routing a letter to people with an instruction and a due date, forwarding it
further (a chain, each step keeping who, when, to whom, what), and each recipient's inbox:
new -> read -> in progress -> done (with a follow-up note and documents, filed like any other);
an unread step can be withdrawn by its sender.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal, can, may_see
from earsip.errors import Conflict, Forbidden, NotFound, ValidationError
from earsip.models import Disposition, IncomingLetter, User, utcnow
from earsip.schemas.desk import (
    DispositionDone,
    DispositionInput,
    DispositionOut,
    Inbox,
    InboxItem,
)
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.desk import filing
from earsip.services.desk.filing import Upload
from earsip.services.desk.views import (
    OPEN,
    disposition_view,
    overdue,
    readable_letter,
    recipient,
)

INBOX_STATUSES = ("open", "new", "read", "in_progress", "done", "overdue", "all")


def _recipients(session: Session, letter: IncomingLetter, names: Sequence[str],
                sender_id: int, chain: set[int]) -> list[User]:
    users: list[User] = []
    for name in names:
        user = recipient(session, name, sender_id)
        if user.id in chain:
            raise ValidationError(
                "%(user)s sudah berada dalam alur disposisi surat ini; disposisi tidak boleh "
                "berputar kembali.", field="to", params={"user": name})
        if not may_see(user.clearance, letter.security):
            raise ValidationError(
                "Surat ini berklasifikasi %(security)s, di atas izin akses %(user)s; "
                "disposisi tidak dapat dikirim kepadanya.", field="to",
                params={"security": letter.security, "user": name})
        holding = session.scalar(select(Disposition.id).where(
            Disposition.letter_id == letter.id, Disposition.to_user_id == user.id,
            Disposition.status.in_(OPEN)).limit(1))
        if holding is not None:
            raise ValidationError("%(user)s sedang memegang disposisi surat ini.", field="to",
                                  params={"user": name})
        users.append(user)
    return users


def _chain(session: Session, parent: Disposition | None) -> set[int]:
    """Return everyone on the way from the first step to `parent` (senders and recipients)."""
    people: set[int] = set()
    step = parent
    while step is not None:
        people.add(step.to_user_id)
        if step.from_user_id is not None:
            people.add(step.from_user_id)
        step = session.get(Disposition, step.parent_id) if step.parent_id else None
    return people


def _route(archive: Archive, principal: Principal, letter_id: int, parent_id: int | None,
           data: DispositionInput, client_addr: str | None) -> list[DispositionOut]:
    today = archive.local_today()
    if data.due_date is not None and data.due_date < today:
        raise ValidationError("Batas waktu %(date)s sudah lewat.", field="due_date",
                              params={"date": data.due_date.isoformat()})
    actor = principal.actor(client_addr)
    with archive.db.write() as session:
        letter = readable_letter(session, principal, letter_id)
        parent = None
        if parent_id is not None:
            parent = session.get(Disposition, parent_id, with_for_update=True)
            if parent is None or parent.letter_id != letter_id \
                    or parent.to_user_id != principal.id:
                raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": parent_id})
            if parent.status not in OPEN:  # closed or withdrawn since it was read
                raise Conflict("Disposisi #%(id)d sudah %(status)s; tidak dapat diteruskan.",
                               params={"id": parent_id, "status": parent.status})
            parent.status = "in_progress" if parent.status in ("new", "read") \
                else parent.status
            parent.read_at = parent.read_at or utcnow()
            parent.started_at = parent.started_at or utcnow()
        users = _recipients(session, letter, data.to, principal.id, _chain(session, parent))
        steps = [Disposition(letter_id=letter.id, parent_id=parent_id,
                             from_user_id=principal.id or None, from_name=principal.username,
                             to_user_id=u.id, to_name=u.username,
                             instruction=data.instruction, note=data.note,
                             due_date=data.due_date, status="new") for u in users]
        session.add_all(steps)
        session.flush()
        for step in steps:
            audit.append(session, actor, "disposition.create", target_type="disposition",
                         target_id=step.id,
                         details={"letter_id": letter.id,
                                  "agenda_number": letter.agenda_number,
                                  "to": step.to_name, "instruction": step.instruction,
                                  "due_date": step.due_date.isoformat()
                                  if step.due_date else None, "parent_id": parent_id})
        return [disposition_view(s, today, []) for s in steps]


def dispose(archive: Archive, principal: Principal, letter_id: int, data: DispositionInput,
            *, client_addr: str | None = None) -> list[DispositionOut]:
    """Route a letter from the agenda to one or more people (the leadership, the desk)."""
    if not can(principal.roles, "letter.dispose"):
        # Someone the letter was routed to passes it on with `forward`, from their step.
        with archive.db.read() as session:
            readable_letter(session, principal, letter_id)
        raise Forbidden("Hanya pimpinan atau petugas layanan yang mendisposisikan surat dari "
                        "agenda; teruskan disposisi yang Anda terima dari kotak masuk.")
    return _route(archive, principal, letter_id, None, data, client_addr)


def _own(session: Session, principal: Principal, disposition_id: int) -> Disposition:
    """Return a step addressed to the principal (NotFound for anyone else's)."""
    step = session.get(Disposition, disposition_id, with_for_update=True)
    # A case's step is handled on its case (services/cases/routing.py).
    if step is None or step.to_user_id != principal.id or step.letter_id is None:
        raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": disposition_id})
    letter = session.get(IncomingLetter, step.letter_id)
    if letter is None or not may_see(principal.clearance, letter.security):
        raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": disposition_id})
    return step


def forward(archive: Archive, principal: Principal, disposition_id: int,
            data: DispositionInput, *, client_addr: str | None = None) -> list[DispositionOut]:
    """Pass a disposition one holds on to others (a further step of the chain)."""
    require(principal, "inbox")
    with archive.db.read() as session:
        step = _own(session, principal, disposition_id)
        if step.status not in OPEN:
            raise Conflict("Disposisi #%(id)d sudah %(status)s; tidak dapat diteruskan.",
                           params={"id": disposition_id, "status": step.status})
        letter_id = step.letter_id
        assert letter_id is not None  # _own refuses a case's step
    return _route(archive, principal, letter_id, disposition_id, data, client_addr)


def _move(archive: Archive, principal: Principal, disposition_id: int, action: str,
          client_addr: str | None) -> DispositionOut:
    require(principal, "inbox")
    with archive.db.write() as session:
        step = _own(session, principal, disposition_id)
        now = utcnow()
        if action == "read":
            if step.status != "new":
                return disposition_view(step, archive.local_today(), [])  # read already
            step.status, step.read_at = "read", now
        elif action == "start":
            if step.status not in ("new", "read"):
                raise Conflict("Disposisi #%(id)d sudah %(status)s.",
                               params={"id": disposition_id, "status": step.status})
            step.status, step.started_at = "in_progress", now
            step.read_at = step.read_at or now
        audit.append(session, principal.actor(client_addr), f"disposition.{action}",
                     target_type="disposition", target_id=step.id,
                     details={"letter_id": step.letter_id})
        return disposition_view(step, archive.local_today(), [])


def mark_read(archive: Archive, principal: Principal, disposition_id: int, *,
              client_addr: str | None = None) -> DispositionOut:
    """Record that the recipient has read the disposition (once; the time is kept)."""
    return _move(archive, principal, disposition_id, "read", client_addr)


def start(archive: Archive, principal: Principal, disposition_id: int, *,
          client_addr: str | None = None) -> DispositionOut:
    """Record that the recipient is working on the disposition."""
    return _move(archive, principal, disposition_id, "start", client_addr)


def mark_done(archive: Archive, principal: Principal, disposition_id: int,
              data: DispositionDone, files: Sequence[Upload] = (), *,
              client_addr: str | None = None) -> DispositionOut:
    """Close a disposition with its follow-up note and documents (filed into the archive
    under the letter's code and class, in the same transaction)."""
    require(principal, "inbox")
    actor = principal.actor(client_addr)
    today = archive.local_today()
    with archive.db.read() as session:
        step = _own(session, principal, disposition_id)
        if step.status not in OPEN:
            raise Conflict("Disposisi #%(id)d sudah %(status)s.",
                           params={"id": disposition_id, "status": step.status})
        letter = session.get(IncomingLetter, step.letter_id)
        assert letter is not None
        inputs = [(f, DocumentInput(
            title=f"Tindak lanjut {letter.agenda_number}: {letter.subject}"[:500],
            classification=letter.classification_code, security=letter.security,
            document_date=today, description=data.note, tags=("tindak-lanjut",)))
            for f in files]
    prepared = filing.prepare_all(archive, inputs, principal.clearance)
    try:
        with archive.db.write() as session:
            step = _own(session, principal, disposition_id)
            if step.status not in OPEN:
                raise Conflict("Disposisi #%(id)d sudah %(status)s.",
                               params={"id": disposition_id, "status": step.status})
            ids = filing.record_linked(session, archive, actor, prepared,
                                       roles=["tindak_lanjut"] * len(prepared),
                                       first_position=100, incoming_id=step.letter_id,
                                       disposition_id=step.id)
            now = utcnow()
            step.status, step.done_at, step.done_note = "done", now, data.note
            step.read_at = step.read_at or now
            audit.append(session, actor, "disposition.done", target_type="disposition",
                         target_id=step.id, details={"letter_id": step.letter_id,
                                                     "note": data.note[:500],
                                                     "document_ids": ids})
            view = disposition_view(step, today, ids)
    except BaseException as e:
        filing.failed(archive, prepared, e, principal.clearance)
    filing.finish(archive, prepared, ids)
    return view


def withdraw(archive: Archive, principal: Principal, disposition_id: int, *,
             client_addr: str | None = None) -> DispositionOut:
    """Withdraw a disposition one sent, while its recipient has not read it."""
    require(principal, "inbox")
    actor = principal.actor(client_addr)
    with archive.db.read() as session:
        step = session.get(Disposition, disposition_id)
        recipient_only = step is not None and step.to_user_id == principal.id \
            and step.from_user_id != principal.id
    if recipient_only:  # they know of it, but it is not theirs to take back: audited
        with archive.db.write() as session:
            audit.append(session, actor, "disposition.withdraw", target_type="disposition",
                         target_id=disposition_id, outcome="refused",
                         details={"reason": "not_sender"})
        raise Forbidden("Hanya pengirimnya yang dapat menarik disposisi ini.")
    with archive.db.write() as session:
        step = session.get(Disposition, disposition_id, with_for_update=True)
        if step is None or step.from_user_id != principal.id or step.letter_id is None:
            raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": disposition_id})
        if step.status != "new":
            raise Conflict("Disposisi #%(id)d sudah dibaca penerimanya; tidak dapat ditarik.",
                           params={"id": disposition_id})
        step.status, step.withdrawn_at = "withdrawn", utcnow()
        audit.append(session, actor, "disposition.withdraw",
                     target_type="disposition", target_id=step.id,
                     details={"letter_id": step.letter_id, "to": step.to_name})
        return disposition_view(step, archive.local_today(), [])


def letter_of(archive: Archive, principal: Principal, disposition_id: int) -> int:
    """Return the letter of a step the principal sent or received (NotFound otherwise)."""
    with archive.db.read() as session:
        step = session.get(Disposition, disposition_id)
        if step is None or principal.id not in (step.to_user_id, step.from_user_id) \
                or step.letter_id is None:
            raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": disposition_id})
        readable_letter(session, principal, step.letter_id)
        return step.letter_id


def inbox(archive: Archive, principal: Principal, status: str = "open") -> Inbox:
    """Return the dispositions addressed to the principal, overdue and newest first."""
    require(principal, "inbox")
    if status not in INBOX_STATUSES:
        raise ValidationError("Status tidak dikenal: %(value)s. Pilihan: %(choices)s.",
                              field="status", params={"value": status[:40],
                                                      "choices": ", ".join(INBOX_STATUSES)})
    today = archive.local_today()
    with archive.db.read() as session:
        stmt = select(Disposition, IncomingLetter).join(
            IncomingLetter, IncomingLetter.id == Disposition.letter_id).where(
            Disposition.to_user_id == principal.id)
        if status in ("open", "overdue"):
            stmt = stmt.where(Disposition.status.in_(OPEN))
        elif status != "all":
            stmt = stmt.where(Disposition.status == status)
        else:
            stmt = stmt.where(Disposition.status != "withdrawn")
        rows = [(d, letter) for d, letter in session.execute(
            stmt.order_by(Disposition.created_at.desc(), Disposition.id.desc()).limit(500))
            if may_see(principal.clearance, letter.security)]
    if status == "overdue":
        rows = [(d, letter) for d, letter in rows if overdue(d, today)]
    rows.sort(key=lambda pair: not overdue(pair[0], today))  # stable: overdue ones first
    return Inbox(items=[InboxItem(
        id=d.id, letter_id=d.letter_id, agenda_number=letter.agenda_number,
        subject=letter.subject, **{"from": d.from_name}, instruction=d.instruction,
        due_date=d.due_date, status=d.status, overdue=overdue(d, today),
        created_at=d.created_at) for d, letter in rows])


def waiting_count(archive: Archive, principal: Principal) -> int:
    """Return how many dispositions wait on the principal (new or open and overdue)."""
    items = inbox(archive, principal, "open").items
    return sum(1 for i in items if i.status == "new" or i.overdue)
