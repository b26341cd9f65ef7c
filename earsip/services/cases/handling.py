"""Handling a case: its owner takes it up, extends a request's answer once (with a written
reason, counted with the case's own rule version), decides it, and records how the answer was
delivered. Each step is a line of its history and an audit entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal
from earsip.errors import Conflict, Forbidden, NotFound, ValidationError
from earsip.models import Case, CaseEvent, OutgoingLetter, utcnow
from earsip.schemas.cases import (
    AnswerInput,
    CaseOut,
    DecisionInput,
    DeliveryInput,
    ExtendInput,
    outcomes_of,
)
from earsip.schemas.desk import NumberRequest
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import personal, rules, types, views
from earsip.services.desk import outgoing
from earsip.services.desk.filing import Upload


def _owned(session: Session, principal: Principal, case_id: int, *, lock: bool = True) -> Case:
    require(principal, "case.handle")
    # Locked for the step's transaction: two steps at once on one case wait for each other.
    case = session.get(Case, case_id, with_for_update=lock)
    if case is None or not views.readable(principal, case, session):
        raise NotFound("Layanan tidak ditemukan.")
    if not views.owns(principal, case):
        raise Forbidden("Hanya pemilik layanan ini yang dapat menanganinya.")
    return case


def _step(session: Session, principal: Principal, case: Case, event: str,
          note: str | None, client_addr: str | None, details: dict[str, object]) -> None:
    session.add(CaseEvent(case_id=case.id, status=case.status, event=event,
                          actor_name=principal.username, note=note))
    audit.append(session, principal.actor(client_addr), f"case.{event}", target_type="case",
                 target_id=case.id,
                 details={"registration_number": case.registration_number, **details})


def _answer(archive: Archive, principal: Principal, case_id: int) -> CaseOut:
    return views.get_case(archive, principal, case_id, log_view=False)


def start(archive: Archive, principal: Principal, case_id: int, note: str | None = None, *,
          client_addr: str | None = None) -> CaseOut:
    """Take a registered case up (status `in_progress`)."""
    with archive.db.write() as session:
        case = _owned(session, principal, case_id)
        if case.status != "registered":
            raise Conflict("Layanan ini sudah diproses.")
        case.status = "in_progress"
        _step(session, principal, case, "started", note, client_addr, {})
    return _answer(archive, principal, case_id)


def extend(archive: Archive, principal: Principal, case_id: int, data: ExtendInput, *,
           client_addr: str | None = None) -> CaseOut:
    """Extend the answer's due date once, by the extension clock of the case's own rules."""
    with archive.db.write() as session:
        case = _owned(session, principal, case_id)
        if case.status in views.DONE:
            raise Conflict("Layanan ini sudah dijawab; tidak dapat diperpanjang.")
        if case.extended_at is not None:
            raise Conflict("Jangka waktu layanan ini sudah pernah diperpanjang (hanya sekali).")
        if case.due_date is None:
            raise Conflict("Layanan ini tidak memiliki jangka waktu.")
        if archive.local_today() > case.due_date:
            # The law lets the answer be extended within its time, not after it ran out.
            raise Conflict("Jangka waktu layanan ini sudah lewat; perpanjangan hanya dapat "
                           "diberikan sebelum batas waktu berakhir.")
        clock = rules.compute(session, case.type, "extension", case.due_date,
                              version=case.rule_version, regime=case.regime)
        if clock is None:
            raise Conflict("Aturan jangka waktu tidak mengenal perpanjangan untuk layanan ini.")
        before = case.due_date
        case.due_date, case.extended_at = clock.due, utcnow()
        case.extension_reason = data.reason
        case.calendar_revision = clock.calendar_revision
        if case.status == "registered":
            case.status = "in_progress"
        _step(session, principal, case, "extended", data.reason, client_addr,
              {"before": before.isoformat(), "due_date": clock.due.isoformat(),
               "days": clock.days, "count": clock.count, "rule_version": clock.version,
               "calendar_revision": clock.calendar_revision})
    return _answer(archive, principal, case_id)


def decide(archive: Archive, principal: Principal, case_id: int, data: DecisionInput, *,
           client_addr: str | None = None) -> CaseOut:
    """Record the decision on a case (`answered`); a refused request cites its exemption."""
    with archive.db.write() as session:
        case = _owned(session, principal, case_id)
        if case.status in views.DONE:
            raise Conflict("Layanan ini sudah diputus.")
        allowed = outcomes_of(case.type)
        if data.outcome not in allowed:
            raise ValidationError("Keputusan %(value)s tidak berlaku untuk layanan ini. "
                                  "Pilihan: %(choices)s.", field="outcome",
                                  params={"value": data.outcome, "choices": ", ".join(allowed)})
        if case.type == "permohonan_informasi" and data.outcome == "ditolak" \
                and not data.exemption:
            raise ValidationError("Permohonan yang ditolak harus menyebut pengecualian yang "
                                  "dikutip (UU 14/2008 Pasal 17).", field="exemption")
        case.status, case.outcome = "answered", data.outcome
        case.exemption, case.decision_note = data.exemption, data.note
        case.decided_at, case.decided_by_name = utcnow(), principal.username
        late = case.due_date is not None and archive.local_today() > case.due_date
        _step(session, principal, case, "decided", data.note, client_addr,
              {"outcome": data.outcome, "exemption": data.exemption, "late": late})
    return _answer(archive, principal, case_id)


def set_external_number(archive: Archive, principal: Principal, case_id: int, number: str, *,
                        client_addr: str | None = None) -> CaseOut:
    """Record the case's number in a national system (e-PPID, SIGAPLAPOR, SP4N-LAPOR!)."""
    text = " ".join(number.split())[:120]
    if not text:
        raise ValidationError("Nomor pada sistem nasional wajib diisi.", field="number")
    with archive.db.write() as session:
        case = _owned(session, principal, case_id)
        before, case.external_number = case.external_number, text
        _step(session, principal, case, "external_number", text, client_addr,
              {"number": text, "before": before})
    return _answer(archive, principal, case_id)


def answer(archive: Archive, principal: Principal, case_id: int, data: AnswerInput,
           upload: Upload | None = None, *, client_addr: str | None = None) -> CaseOut:
    """Number the case's answer letter in the agenda surat keluar (part 1's numbering, under
    the case's code and class) and, when given, file the signed letter under that number. A
    number whose letter is not filed yet waits for it like any issued number: sent again
    with the file, the answer files it under the number it already has (a refused file leaves
    the number waiting, as the desk's own numbers do)."""
    with archive.db.read() as session:
        case = _owned(session, principal, case_id, lock=False)
        if case.status == "closed":
            raise Conflict("Layanan ini sudah selesai.")
        taken = None if case.answer_outgoing_id is None else session.get(
            OutgoingLetter, case.answer_outgoing_id)
        label = str(types.TYPES[case.type].label).lower()
        request = NumberRequest(
            classification=case.classification_code,
            letter_date=data.letter_date or archive.local_today(),
            signatory=data.signatory or "",
            subject=data.subject or f"Jawaban atas {label} {case.registration_number}",
            recipient=None, security=case.security)
    if taken is not None:
        if upload is None or taken.document_id is not None:
            raise Conflict("Surat jawaban layanan ini sudah bernomor.")
        outgoing.file_signed(archive, principal, taken.id, upload, client_addr=client_addr)
        return _answer(archive, principal, case_id)
    issued = outgoing.issue(archive, principal, request, client_addr=client_addr)
    with archive.db.write() as session:
        case = _owned(session, principal, case_id)
        twice = case.answer_outgoing_id is not None  # another answer was numbered meanwhile
        if twice:  # this number is never used: cancelled (numbers are never reissued)
            row = session.get(OutgoingLetter, issued.id)
            assert row is not None
            row.status, row.cancelled_at = "cancelled", utcnow()
            row.cancel_reason = "nomor ganda untuk jawaban layanan yang sama"
            audit.append(session, principal.actor(client_addr), "number.cancel",
                         target_type="outgoing_letter", target_id=row.id,
                         details={"number": row.number, "reason": row.cancel_reason})
        else:
            case.answer_outgoing_id = issued.id
            _step(session, principal, case, "answer", issued.number, client_addr,
                  {"number": issued.number, "number_id": issued.id})
    if twice:
        raise Conflict("Surat jawaban layanan ini sudah bernomor.")
    if upload is not None:
        outgoing.file_signed(archive, principal, issued.id, upload, client_addr=client_addr)
    return _answer(archive, principal, case_id)


def deliver(archive: Archive, principal: Principal, case_id: int, data: DeliveryInput, *,
            client_addr: str | None = None) -> CaseOut:
    """Record how and when the answer reached the person (`closed`)."""
    with archive.db.write() as session:
        case = _owned(session, principal, case_id)
        if case.status != "answered":
            raise Conflict("Catat keputusan lebih dahulu, lalu penyampaiannya.")
        day = data.delivered_on or archive.local_today()
        if day > archive.local_today():
            raise ValidationError("Tanggal disampaikan ada di masa depan.", field="delivered_on")
        case.status, case.delivery_method = "closed", data.method
        case.delivered_at = dt.datetime.combine(day, dt.time(12)) if data.delivered_on \
            else utcnow()
        case.closed_at = utcnow()
        _step(session, principal, case, "delivered", None, client_addr,
              {"method": data.method, "delivered_on": day.isoformat()})
        # Its identity scans now take their own retention (EARSIP_IDENTITY_RETENTION).
        personal.on_case_closed(session, archive, case, principal.actor(client_addr))
    return _answer(archive, principal, case_id)
