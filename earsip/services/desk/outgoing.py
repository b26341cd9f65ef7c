"""The agenda surat keluar: issuing a letter's number (or reserving one for a while),
filing the signed letter under it, and the register of numbers.

Numbers come from `numbering` in the transaction that records them: concurrent requests get
distinct consecutive numbers, a back-dated letter gets an inserted number (0207.1), and a
reservation left unused is cancelled when it expires — shown as cancelled, never reissued.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal, classes_up_to, may_see
from earsip.errors import Conflict, NotFound, ValidationError
from earsip.models import Office, OutgoingLetter, utcnow
from earsip.schemas.desk import NumberRequest, OutgoingOut, OutgoingPage
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import require
from earsip.services.desk import filing, numbering
from earsip.services.desk.filing import Upload
from earsip.services.desk.views import RegisterQuery, check_status, outgoing_view
from earsip.services.records import ingest

STATUSES = ("issued", "reserved", "filed", "cancelled", "waiting")


def _unit(archive: Archive, session: Session, office_id: int, signatory: str) -> str:
    """Return the unit an office's number carries for `signatory`: the configured one
    (EARSIP_SIGNATORIES), or K.<office code> for the chair and <office code> for the
    secretariat of the issuing office."""
    if archive.config.signatories.strip():
        return archive.config.signatory_units[signatory]
    office = session.get(Office, office_id)
    code = office.code if office is not None else archive.config.office_code
    return {"ketua": f"K.{code}", "sekretariat": code}.get(
        signatory, archive.config.signatory_units[signatory])


def _expire(session: Session, now: dt.datetime) -> list[OutgoingLetter]:
    rows = list(session.scalars(select(OutgoingLetter).where(
        OutgoingLetter.status == "reserved", OutgoingLetter.expires_at <= now)
        .with_for_update()))
    for row in rows:
        row.status, row.cancelled_at = "cancelled", row.expires_at or now
        row.cancel_reason = "Reservasi tidak dipakai sampai batas waktunya."
        audit.append(session, audit.SYSTEM, "number.cancel", target_type="outgoing_letter",
                     target_id=row.id, details={"number": row.number,
                                                "reason": "reservation_expired"})
    return rows


def expire_reservations(archive: Archive) -> int:
    """Cancel the reservations whose time ran out; return how many."""
    now = utcnow()
    with archive.db.read() as session:
        due = session.scalar(select(func.count(OutgoingLetter.id)).where(
            OutgoingLetter.status == "reserved", OutgoingLetter.expires_at <= now)) or 0
    if not due:
        return 0
    with archive.db.write() as session:
        return len(_expire(session, now))


def issue_number(archive: Archive, principal: Principal, data: NumberRequest, *,
                 client_addr: str | None = None) -> OutgoingOut:
    """Issue the next number for an outgoing letter (or reserve it until it expires)."""
    require(principal, "number.issue")
    return issue(archive, principal, data, client_addr=client_addr)


def issue(archive: Archive, principal: Principal, data: NumberRequest, *,
          client_addr: str | None = None) -> OutgoingOut:
    """Issue a number for a service that checked its own permission (a case's answer letter,
    sent by the case's owner)."""
    units = archive.config.signatory_units
    if data.signatory not in units:
        raise ValidationError("Penanda tangan tidak dikenal: %(value)s. Pilihan: "
                              "%(choices)s.", field="signatory",
                              params={"value": data.signatory[:40],
                                      "choices": ", ".join(units)})
    if data.letter_date > archive.local_today():
        raise ValidationError("Tanggal surat %(date)s ada di masa depan.", field="letter_date",
                              params={"date": data.letter_date.isoformat()})
    code = ingest.check_code(archive, data.classification)
    security = data.security or code.default_security
    if not may_see(principal.clearance, security):
        raise ValidationError("Klasifikasi keamanan surat (%(security)s) di atas izin akses "
                              "Anda (%(clearance)s).", field="security",
                              params={"security": security, "clearance": principal.clearance})
    config = archive.config
    scope = numbering.outgoing_scope(config.letter_number_scope, code.code,
                                     data.letter_date.year)
    now = utcnow()
    with archive.db.write() as session:
        office_id = offices.office_of(session, principal)
        unit = _unit(archive, session, office_id, data.signatory)
        place = numbering.place_outgoing(session, office_id, scope, data.letter_date)
        _expire(session, now)
        row = OutgoingLetter(
            office_id=office_id,
            number=numbering.format_outgoing(config.letter_number_format, place,
                                             code=code.code, unit=unit,
                                             letter_date=data.letter_date),
            scope=scope, seq=place.seq, insert=place.insert, year=data.letter_date.year,
            classification_code=code.code, signatory=data.signatory,
            unit=unit, letter_date=data.letter_date, subject=data.subject,
            recipient=data.recipient, security=security,
            status="reserved" if data.reserve else "issued", issued_at=now,
            issued_by_id=principal.id or None, issued_by_name=principal.username,
            expires_at=now + dt.timedelta(hours=config.reservation_hours)
            if data.reserve else None)
        session.add(row)
        session.flush()
        audit.append(session, principal.actor(client_addr), "number.issue",
                     target_type="outgoing_letter", target_id=row.id,
                     details={"number": row.number, "subject": row.subject[:200],
                              "classification": row.classification_code,
                              "signatory": row.signatory, "reserved": data.reserve,
                              "back_dated": place.insert > 0})
        return outgoing_view(row)


def _readable(session: Session, principal: Principal, number_id: int, *,
              lock: bool = False) -> OutgoingLetter:
    row = session.get(OutgoingLetter, number_id, with_for_update=lock)
    if row is None or not may_see(principal.clearance, row.security):
        raise NotFound("Nomor surat keluar #%(id)d tidak ditemukan.", params={"id": number_id})
    return row


def get_number(archive: Archive, principal: Principal, number_id: int) -> OutgoingOut:
    """Return one number of the agenda surat keluar."""
    require(principal, "letter.read")
    expire_reservations(archive)
    with archive.db.read() as session:
        return outgoing_view(_readable(session, principal, number_id))


def file_letter(archive: Archive, principal: Principal, number_id: int, upload: Upload, *,
                client_addr: str | None = None) -> OutgoingOut:
    """File the signed letter of an issued (or reserved) number into the archive."""
    require(principal, "number.issue")
    return file_signed(archive, principal, number_id, upload, client_addr=client_addr)


def file_signed(archive: Archive, principal: Principal, number_id: int, upload: Upload, *,
                client_addr: str | None = None) -> OutgoingOut:
    """File a signed letter for a service that checked its own permission."""
    actor = principal.actor(client_addr)
    expire_reservations(archive)
    with archive.db.read() as session:
        row = _readable(session, principal, number_id)
        _check_open(row)
        data = DocumentInput(title=row.subject[:500], classification=row.classification_code,
                             security=row.security, document_date=row.letter_date,
                             number=row.number, sender=archive.config.office_name,
                             recipient=row.recipient, tags=("surat-keluar",))
    prepared = filing.prepare_all(archive, [(upload, data)], principal.clearance)
    try:
        with archive.db.write() as session:
            row = _readable(session, principal, number_id, lock=True)
            _check_open(row)
            ids = filing.record_linked(session, archive, actor, prepared, roles=["surat"],
                                       outgoing_id=row.id)
            row.status, row.filed_at, row.document_id = "filed", utcnow(), ids[0]
            row.expires_at = None
            audit.append(session, actor, "number.file", target_type="outgoing_letter",
                         target_id=row.id, details={"number": row.number,
                                                    "document_id": ids[0]})
            view = outgoing_view(row)
    except BaseException as e:
        filing.failed(archive, prepared, e, principal.clearance)
    filing.finish(archive, prepared, ids)
    return view


def _check_open(row: OutgoingLetter) -> None:
    if row.status == "filed":
        raise Conflict("Nomor %(number)s sudah memiliki surat yang diarsipkan (dokumen "
                       "#%(id)d).", params={"number": row.number, "id": row.document_id or 0})
    if row.status == "cancelled":
        raise Conflict("Nomor %(number)s sudah dibatalkan dan tidak dapat dipakai lagi.",
                       params={"number": row.number})


NumberQuery = RegisterQuery  # the filters of its register


def list_numbers(archive: Archive, principal: Principal, query: NumberQuery) -> OutgoingPage:
    """Return a page of the agenda surat keluar within the reader's clearance, newest first;
    status `waiting` lists the numbers still waiting for their letter."""
    require(principal, "letter.read")
    check_status(query.status, STATUSES)
    expire_reservations(archive)
    with archive.db.read() as session:
        stmt = select(OutgoingLetter).where(
            OutgoingLetter.security.in_(classes_up_to(principal.clearance)))
        if query.status == "waiting":
            stmt = stmt.where(OutgoingLetter.status.in_(("issued", "reserved")))
        elif query.status:
            stmt = stmt.where(OutgoingLetter.status == query.status)
        if query.date_from:
            stmt = stmt.where(OutgoingLetter.letter_date >= query.date_from)
        if query.date_to:
            stmt = stmt.where(OutgoingLetter.letter_date <= query.date_to)
        if query.classification:
            code = query.classification.upper()
            stmt = stmt.where(or_(OutgoingLetter.classification_code == code,
                                  OutgoingLetter.classification_code.startswith(code + ".")))
        if query.q:
            like = f"%{query.q.strip()[:200]}%"
            stmt = stmt.where(or_(OutgoingLetter.number.ilike(like),
                                  OutgoingLetter.subject.ilike(like),
                                  OutgoingLetter.recipient.ilike(like)))
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(OutgoingLetter.year.desc(),
                                             OutgoingLetter.seq.desc(),
                                             OutgoingLetter.insert.desc())
                               .limit(query.limit).offset(query.offset))
        return OutgoingPage(items=[outgoing_view(r) for r in rows], total=total)
