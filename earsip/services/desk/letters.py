"""The agenda surat masuk: registering an incoming letter with its scan, attaching a scan
later, reading one letter and the register.

A registration files the letter's files into the archive through the filing pipeline's own
steps (`ingest.prepare` / `ingest.record`) and records the agenda entry, its number, the links
and the audit entries in one transaction: a refused file or a failure leaves no letter, no
document and no consumed agenda number behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from sqlalchemy import Select, func, or_, select

from earsip import audit
from earsip.access import Principal, can, classes_up_to, may_see
from earsip.errors import DatabaseBusy, EarsipError, ValidationError
from earsip.models import Disposition, IncomingLetter, LetterDocument
from earsip.schemas.desk import DocumentLetter, IncomingInput, IncomingLetterOut, LetterPage
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import require
from earsip.services.desk import filing, numbering, signing, views
from earsip.services.desk.filing import Upload
from earsip.services.desk.views import (
    OPEN,
    RegisterQuery,
    check_status,
    letter_view,
    readable_letter,
)
from earsip.services.records import ingest

log = logging.getLogger(__name__)

# A received moment may run ahead of the server's clock by this much (a clerk's watch).
CLOCK_SKEW = dt.timedelta(minutes=10)


def _check_dates(archive: Archive, data: IncomingInput) -> None:
    today = archive.local_today()
    if data.letter_date > today:
        raise ValidationError("Tanggal surat %(date)s ada di masa depan.", field="letter_date",
                              params={"date": data.letter_date.isoformat()})
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    if data.received_at > now + CLOCK_SKEW:
        raise ValidationError("Waktu diterima ada di masa depan.", field="received_at")
    if archive.local_date(data.received_at) < data.letter_date:
        raise ValidationError(
            "Tanggal diterima (%(received)s) lebih awal dari tanggal surat (%(date)s).",
            field="received_at",
            params={"received": archive.local_date(data.received_at).isoformat(),
                    "date": data.letter_date.isoformat()})


def _document_input(archive: Archive, data: IncomingInput, position: int) -> DocumentInput:
    title = data.subject if position == 0 else f"Lampiran {position}: {data.subject}"
    return DocumentInput(title=title[:500], classification=data.classification,
                         security=data.security, document_date=data.letter_date,
                         number=data.letter_number, sender=data.sender,
                         recipient=archive.config.office_name, description=data.note,
                         tags=("surat-masuk",))


def _audit_refusal(archive: Archive, actor: audit.Actor, action: str, error: EarsipError,
                   details: dict[str, object]) -> None:
    try:
        with archive.db.write() as session:
            audit.append(session, actor, action, target_type="letter", outcome="refused",
                         details={**details, "reason": error.code, "message": error.message})
    except Exception:  # the refusal must reach the clerk even if auditing fails
        log.exception("could not audit a refused registration")


def register(archive: Archive, principal: Principal, data: IncomingInput,
             files: Sequence[Upload] = (), *, client_addr: str | None = None
             ) -> IncomingLetterOut:
    """Register an incoming letter and file its files (the letter, then its lampiran) in one
    transaction with its new agenda number; refusals are audited."""
    require(principal, "letter.register")
    actor = principal.actor(client_addr)
    try:
        return _register(archive, principal, actor, data, files)
    except DatabaseBusy:
        raise
    except EarsipError as e:
        _audit_refusal(archive, actor, "letter.register", e,
                       {"letter_number": data.letter_number, "subject": data.subject[:200],
                        "files": [ingest.display_name(f.filename) for f in files]})
        raise


def _register(archive: Archive, principal: Principal, actor: audit.Actor,
              data: IncomingInput, files: Sequence[Upload]) -> IncomingLetterOut:
    _check_dates(archive, data)
    code = ingest.check_code(archive, data.classification)
    security = data.security or code.default_security
    if not may_see(principal.clearance, security):
        raise ValidationError(
            "Klasifikasi keamanan surat (%(security)s) di atas izin akses Anda "
            "(%(clearance)s).", field="security",
            params={"security": security, "clearance": principal.clearance})
    data = data.model_copy(update={"security": security, "classification": code.code})
    prepared = filing.prepare_all(archive, [(f, _document_input(archive, data, i))
                                      for i, f in enumerate(files)], principal.clearance)
    try:
        found = signing.check_files(archive, prepared)
    except BaseException:
        filing.release_all(archive, prepared)
        raise
    received = archive.local_date(data.received_at)
    year = received.year
    try:
        with archive.db.write() as session:
            office_id = offices.office_of(session, principal)
            seq = numbering.take(session, office_id, numbering.agenda_scope(year))
            letter = IncomingLetter(
                office_id=office_id,
                agenda_number=numbering.format_agenda(archive.config.agenda_format, seq,
                                                      received),
                agenda_year=year, agenda_seq=seq, received_at=data.received_at,
                channel=data.channel, letter_number=data.letter_number,
                letter_date=data.letter_date, sender=data.sender,
                sender_person=data.sender_person, subject=data.subject,
                classification_code=code.code, urgency=data.urgency, security=security,
                attachments=data.attachments, note=data.note,
                registered_by_id=actor.user_id, registered_by_name=actor.username or "-")
            session.add(letter)
            session.flush()
            roles = ["surat"] + ["lampiran"] * (len(prepared) - 1)
            ids = filing.record_linked(session, archive, actor, prepared, first_position=0,
                              incoming_id=letter.id, roles=roles)
            facts = signing.attach_ids(found, ids)
            letter.signatures = facts or None
            audit.append(session, actor, "letter.register", target_type="letter",
                         target_id=letter.id,
                         details={"agenda_number": letter.agenda_number,
                                  "letter_number": letter.letter_number,
                                  "subject": letter.subject[:200], "sender": letter.sender,
                                  "classification": letter.classification_code,
                                  "security": letter.security, "document_ids": ids,
                                  "signatures": signing.summary(facts)})
            letter_id = letter.id
    except BaseException as e:
        filing.failed(archive, prepared, e, principal.clearance)
    filing.finish(archive, prepared, ids)
    return get_letter(archive, principal, letter_id)


def attach(archive: Archive, principal: Principal, letter_id: int, files: Sequence[Upload],
           *, client_addr: str | None = None) -> IncomingLetterOut:
    """File the scan of a letter registered without it (or more lampiran)."""
    require(principal, "letter.register")
    actor = principal.actor(client_addr)
    if not files:
        raise ValidationError("Pilih berkas pindaian surat.", field="file")
    with archive.db.read() as session:
        letter = readable_letter(session, principal, letter_id)
        data = IncomingInput(received_at=letter.received_at.replace(tzinfo=dt.UTC),
                             channel=letter.channel, letter_number=letter.letter_number,
                             letter_date=letter.letter_date, sender=letter.sender,
                             subject=letter.subject,
                             classification=letter.classification_code,
                             urgency=letter.urgency, security=letter.security,
                             note=letter.note)
        known = session.scalar(select(func.count(LetterDocument.id)).where(
            LetterDocument.incoming_id == letter_id,
            LetterDocument.role != "tindak_lanjut")) or 0
    try:
        prepared = filing.prepare_all(archive, [(f, _document_input(archive, data, known + i))
                                          for i, f in enumerate(files)], principal.clearance)
    except EarsipError as e:
        _audit_refusal(archive, actor, "letter.attach", e, {"letter_id": letter_id})
        raise
    try:
        found = signing.check_files(archive, prepared)
    except BaseException:
        filing.release_all(archive, prepared)
        raise
    try:
        with archive.db.write() as session:
            letter = readable_letter(session, principal, letter_id)
            known = session.scalar(select(func.count(LetterDocument.id)).where(
                LetterDocument.incoming_id == letter_id,
                LetterDocument.role != "tindak_lanjut")) or 0  # again, under the write lock
            roles = ["surat" if known + i == 0 else "lampiran" for i in range(len(prepared))]
            ids = filing.record_linked(session, archive, actor, prepared, first_position=known,
                              incoming_id=letter.id, roles=roles)
            facts = signing.attach_ids(found, ids)
            if facts:
                letter.signatures = [*(letter.signatures or []), *facts]
            audit.append(session, actor, "letter.attach", target_type="letter",
                         target_id=letter.id,
                         details={"agenda_number": letter.agenda_number,
                                  "document_ids": ids, "signatures": signing.summary(facts)})
    except BaseException as e:
        filing.failed(archive, prepared, e, principal.clearance)
    filing.finish(archive, prepared, ids)
    return get_letter(archive, principal, letter_id)


def get_letter(archive: Archive, principal: Principal, letter_id: int) -> IncomingLetterOut:
    """Return one letter as the principal may see it (NotFound when they may not)."""
    with archive.db.read() as session:
        letter = readable_letter(session, principal, letter_id)
        return letter_view(session, principal, letter, archive.local_today())


def letter_of_document(archive: Archive, principal: Principal,
                       document_id: int) -> DocumentLetter | None:
    """Return the letter a document belongs to, as the principal may know it (or None)."""
    with archive.db.read() as session:
        return views.document_letter(session, principal, document_id)


STATUSES = ("registered", "disposed", "done", "no_scan")


LetterQuery = RegisterQuery  # the filters of its register


def list_letters(archive: Archive, principal: Principal, query: LetterQuery) -> LetterPage:
    """Return a page of the agenda surat masuk within the reader's clearance, newest first."""
    check_status(query.status, STATUSES)
    with archive.db.read() as session:
        stmt = select(IncomingLetter).where(
            IncomingLetter.security.in_(classes_up_to(principal.clearance)))
        if not can(principal.roles, "letter.read"):
            mine = select(Disposition.letter_id).where(Disposition.status != "withdrawn", or_(
                Disposition.to_user_id == principal.id,
                Disposition.from_user_id == principal.id))
            stmt = stmt.where(IncomingLetter.id.in_(mine))
        stmt = _filtered(archive, stmt, query)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(IncomingLetter.received_at.desc(),
                                             IncomingLetter.id.desc())
                               .limit(query.limit).offset(query.offset))
        today = archive.local_today()
        return LetterPage(items=[letter_view(session, principal, r, today) for r in rows],
                          total=total)


def _filtered(archive: Archive, stmt: Select[IncomingLetter],
              query: LetterQuery) -> Select[IncomingLetter]:
    zone = ZoneInfo(archive.config.timezone)

    def utc(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)

    if query.date_from is not None:
        stmt = stmt.where(IncomingLetter.received_at >= utc(query.date_from))
    if query.date_to is not None:
        stmt = stmt.where(IncomingLetter.received_at < utc(query.date_to + dt.timedelta(days=1)))
    if query.classification:
        code = query.classification.upper()
        stmt = stmt.where(or_(IncomingLetter.classification_code == code,
                              IncomingLetter.classification_code.like(
                                  code.replace("%", r"\%") + ".%", escape="\\")))
    if query.q:
        like = f"%{query.q.strip()[:200]}%"
        stmt = stmt.where(or_(IncomingLetter.letter_number.ilike(like),
                              IncomingLetter.agenda_number.ilike(like),
                              IncomingLetter.subject.ilike(like),
                              IncomingLetter.sender.ilike(like)))
    # A case's steps name no letter (their letter_id is NULL, which NOT IN would never pass).
    steps = select(Disposition.letter_id).where(Disposition.letter_id.is_not(None))
    live = steps.where(Disposition.status != "withdrawn")
    still_open = steps.where(Disposition.status.in_(OPEN))
    if query.status == "registered":
        stmt = stmt.where(IncomingLetter.id.not_in(live))
    elif query.status == "disposed":
        stmt = stmt.where(IncomingLetter.id.in_(still_open))
    elif query.status == "done":
        stmt = stmt.where(IncomingLetter.id.in_(live), IncomingLetter.id.not_in(still_open))
    elif query.status == "no_scan":
        stmt = stmt.where(IncomingLetter.id.not_in(select(LetterDocument.incoming_id).where(
            LetterDocument.incoming_id.is_not(None), LetterDocument.role != "tindak_lanjut")))
    return stmt
