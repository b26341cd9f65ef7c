"""One intake for what the public brings: a case registered at the desk (walk-in, letter,
e-mail), a request for information from the public form, an objection filed with a request's
number and tracking code.

A registration takes the next number of the year, computes the case's clocks from the rules in
force (keeping their version and the calendar's revision), checks the filing window where the
law sets one (a late case is still registered, marked with the reason), stores the persons
apart from the case, and files its documents through the archive's own filing steps, all in
one transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal, level, may_see
from earsip.errors import DatabaseBusy, Duplicate, EarsipError, NotFound, ValidationError
from earsip.models import Case, CaseDocument, CaseEvent, CasePerson, Document, utcnow
from earsip.schemas.cases import (
    CaseInput,
    CaseOut,
    InformationRequest,
    PublicObjection,
    PublicReceipt,
)
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import require
from earsip.services.cases import rules, types, views, windows
from earsip.services.cases.tracking import code_matches, new_tracking_code, tracking_hash
from earsip.services.desk import filing, numbering
from earsip.services.desk.filing import Upload
from earsip.services.records import ingest

log = logging.getLogger(__name__)

PUBLIC = "publik"
# The note a case gets when the public sent a scan the archive could not keep as theirs.
DROPPED_SCAN = ("Pindaian identitas yang dikirim tidak disimpan (berkasnya sama dengan arsip "
                "lain); mintalah pemohon mengirim pindaian lain bila diperlukan.")
# Personal documents are kept at least at this class.
PERSONAL_CLASS = "rahasia"


@dataclass
class _Spec:
    """A case to record, assembled from whichever door it came through."""

    type: str
    received_at: dt.datetime
    channel: str
    summary: str
    details: dict[str, object]
    persons: list[CasePerson] = field(default_factory=list)
    related: Case | None = None
    external_number: str | None = None
    filing_start: dt.date | None = None  # the event the filing window counts from
    filing_label: str = ""


def _request_spec(data: InformationRequest | CaseInput, received_at: dt.datetime,
                  channel: str) -> _Spec:
    person = CasePerson(role="pemohon", name=data.name or "", address=data.address,
                        occupation=data.occupation, phone=data.phone, email=data.email,
                        identity_number=data.identity_number)
    return _Spec("permohonan_informasi", received_at, channel,
                 summary=(data.information or "")[:1000],
                 details={"information": data.information, "purpose": data.purpose,
                          "obtain_method": data.obtain_method,
                          "copy_method": data.copy_method},
                 persons=[person])


def _spec(archive: Archive, session_case: Case | None, data: CaseInput) -> _Spec:
    t = data.type
    if t == "permohonan_informasi":
        spec = _request_spec(data, data.received_at, data.channel)
    elif t == "keberatan":
        spec = _Spec(t, data.received_at, data.channel, summary=(data.description or "")[:1000],
                     details={"reason": data.reason, "description": data.description},
                     persons=[CasePerson(role="pemohon", name=data.name or "",
                                         address=data.address, phone=data.phone,
                                         email=data.email, identity_number=data.identity_number)],
                     related=session_case, filing_label="penyebab keberatan")
        if data.proxy_name:
            spec.persons.append(CasePerson(role="kuasa", name=data.proxy_name))
        spec.filing_start = data.cause_date or windows.objection_cause(archive, session_case)
    elif t == "laporan_pelanggaran":
        spec = _Spec(t, data.received_at, data.channel, summary=(data.event or "")[:1000],
                     details={"event": data.event, "place": data.place,
                              "occurred_on": _iso(data.occurred_on),
                              "known_on": _iso(data.known_on), "witnesses": data.witnesses,
                              "evidence": data.evidence, "description": data.description},
                     persons=[CasePerson(role="pelapor", name=data.reporter_name or "",
                                         address=data.address, occupation=data.occupation,
                                         phone=data.phone, email=data.email,
                                         identity_number=data.identity_number,
                                         extra={"birth": data.reporter_birth,
                                                "sex": data.reporter_sex,
                                                "citizenship": data.reporter_citizenship}),
                              CasePerson(role="terlapor", name=data.reported_party or "",
                                         address=data.reported_address)],
                     filing_start=data.known_on, filing_label="diketahuinya pelanggaran")
    else:
        spec = _Spec(t, data.received_at, data.channel,
                     summary=(data.description or "")[:1000],
                     details={"description": data.description,
                              "decision_date": _iso(data.decision_date)},
                     persons=[CasePerson(role="pemohon", name=data.name or "",
                                         address=data.address, phone=data.phone,
                                         email=data.email, occupation=data.occupation,
                                         identity_number=data.identity_number)])
        if t == "sengketa_proses":
            spec.filing_start, spec.filing_label = data.decision_date, "keputusan"
    spec.external_number = data.external_number
    return spec


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def register(archive: Archive, principal: Principal, data: CaseInput,
             files: Sequence[Upload] = (), *, client_addr: str | None = None) -> CaseOut:
    """Register a case brought to the desk, with its files (the submission, then any other);
    refusals are audited."""
    require(principal, "case.register")
    actor = principal.actor(client_addr)
    try:
        related = _related(archive, data.registration_number) if data.type == "keberatan" \
            else None
        windows.check_dates(archive, data)
        spec = _spec(archive, related, data)
        case, code, doc_ids = _record(archive, actor, principal.clearance, spec, files, ())
    except DatabaseBusy:
        raise
    except EarsipError as e:
        _audit_refusal(archive, actor, e, data.type)
        raise
    out = views.get_case(archive, principal, case.id, log_view=False)
    return out.model_copy(update={"tracking_code": code})


def _related(archive: Archive, number: str | None) -> Case | None:
    if not number:
        return None
    with archive.db.read() as session:
        found = session.scalar(select(Case).where(Case.registration_number == number))
        if found is None or found.type != "permohonan_informasi":
            raise ValidationError("Permohonan informasi %(number)s tidak ditemukan.",
                                  field="registration_number", params={"number": number})
        session.expunge(found)
        return found


def submit_request(archive: Archive, data: InformationRequest, identity: Upload | None = None,
                   *, client_addr: str | None = None) -> PublicReceipt:
    """Register a request for information from the public form (no account)."""
    actor = audit.Actor(None, PUBLIC, client_addr)
    now = utcnow()
    spec = _request_spec(data, now, "web")
    try:
        case, code, _ = _record(archive, actor, None, spec, (),
                                (identity,) if identity is not None else ())
    except DatabaseBusy:
        raise
    except EarsipError as e:
        _audit_refusal(archive, actor, e, spec.type)
        raise
    return PublicReceipt(registration_number=case.registration_number,
                         tracking_code=code or "", due_date=case.due_date)


def submit_objection(archive: Archive, data: PublicObjection, *,
                     client_addr: str | None = None) -> PublicReceipt:
    """Register an objection filed by the requester with their number and tracking code."""
    actor = audit.Actor(None, PUBLIC, client_addr)
    with archive.db.read() as session:
        request = session.scalar(select(Case).where(
            Case.registration_number == data.registration_number))
        if request is None or not code_matches(request.tracking_hash, data.tracking_code) \
                or request.type != "permohonan_informasi":
            raise NotFound("Nomor pendaftaran atau kode pelacakan tidak cocok.")
        applicant = session.scalar(select(CasePerson).where(
            CasePerson.case_id == request.id, CasePerson.role == "pemohon"))
        session.expunge(request)
        person = CasePerson(role="pemohon", name=applicant.name if applicant else "-",
                            address=applicant.address if applicant else None,
                            phone=applicant.phone if applicant else None,
                            email=applicant.email if applicant else None,
                            identity_number=applicant.identity_number if applicant else None)
    now = utcnow()
    spec = _Spec("keberatan", now, "web", summary=data.description[:1000],
                 details={"reason": data.reason, "description": data.description},
                 persons=[person], related=request,
                 filing_start=windows.objection_cause(archive, request),
                 filing_label="penyebab keberatan")
    try:
        case, code, _ = _record(archive, actor, None, spec, (), ())
    except DatabaseBusy:
        raise
    except EarsipError as e:
        _audit_refusal(archive, actor, e, spec.type)
        raise
    return PublicReceipt(registration_number=case.registration_number,
                         tracking_code=code or "", due_date=case.due_date)


def _audit_refusal(archive: Archive, actor: audit.Actor, error: EarsipError,
                   case_type: str) -> None:
    try:
        with archive.db.write() as session:
            audit.append(session, actor, "case.register", target_type="case",
                         outcome="refused", details={"type": case_type, "reason": error.code,
                                                     "message": error.message})
    except Exception:  # the refusal must reach the person even if auditing fails
        log.exception("could not audit a refused case registration")


def _doc_input(spec: _Spec, code: str, security: str, role: str, position: int,
               day: dt.date) -> DocumentInput:
    label = str(types.TYPES[spec.type].label)
    title = (f"Identitas ({label})" if role == "identitas"
             else f"{label}: {spec.summary}" if position == 0
             else f"Lampiran {position}: {label}: {spec.summary}")
    return DocumentInput(title=title[:500], classification=code, security=security,
                         document_date=day,
                         tags=("data-pribadi",) if role == "identitas" else ("layanan",))


def _record(archive: Archive, actor: audit.Actor, clearance: str | None, spec: _Spec,
            files: Sequence[Upload], personal: Sequence[Upload]
            ) -> tuple[Case, str | None, list[int]]:
    kind = types.TYPES[spec.type]
    code = ingest.check_code(archive, types.code_of(spec.type, archive.config.case_codes))
    security = code.default_security
    if clearance is not None and not may_see(clearance, security):
        raise ValidationError(
            "Klasifikasi keamanan layanan ini (%(security)s) di atas izin akses Anda "
            "(%(clearance)s).", field="type",
            params={"security": security, "clearance": clearance})
    personal_class = security if level(security) > level(PERSONAL_CLASS) else PERSONAL_CLASS
    received = archive.local_date(spec.received_at)
    inputs = [(f, _doc_input(spec, code.code, security, "permohonan" if i == 0 else "lampiran",
                             i, received)) for i, f in enumerate(files)]
    prepared = filing.prepare_all(archive, inputs, clearance or personal_class)
    try:
        reused, dropped = _prepare_personal(archive, prepared, [
            (f, _doc_input(spec, code.code, personal_class, "identitas", 0, received))
            for f in personal], clearance or personal_class, public=clearance is None)
    except BaseException:
        filing.release_all(archive, prepared)
        raise
    tracking = new_tracking_code() if kind.tracked else None
    try:
        with archive.db.write() as session:
            office_id = offices.office_of(session, actor)
            seq = numbering.take(session, office_id, f"case:{received.year}")
            answer = rules.compute(session, spec.type, "answer", received)
            case = Case(
                office_id=office_id,
                registration_number=numbering.format_agenda(
                    archive.config.case_number_format, seq, received),
                reg_year=received.year, reg_seq=seq, type=spec.type, channel=spec.channel,
                status="registered", received_at=spec.received_at, received_on=received,
                summary=spec.summary or "-", security=security, classification_code=code.code,
                owner_role=kind.owner_role,
                tracking_hash=tracking_hash(tracking) if tracking else None,
                due_date=answer.due if answer else None,
                first_due_date=answer.due if answer else None,
                rule_version=answer.version if answer else rules.in_force(session),
                regime=answer.regime if answer else rules.regime_on(session, received),
                calendar_revision=answer.calendar_revision if answer else None,
                details=spec.details, related_id=spec.related.id if spec.related else None,
                external_number=spec.external_number,
                registered_by_name=actor.username or PUBLIC)
            windows.check_window(session, case, spec.filing_start, spec.filing_label)
            session.add(case)
            session.flush()
            for person in spec.persons:
                person.case_id = case.id
                session.add(person)
            note = case.timeliness_note if case.timely is False else None
            if dropped:
                note = " ".join(filter(None, [note, DROPPED_SCAN]))
            session.add(CaseEvent(case_id=case.id, status="registered", event="registered",
                                  actor_name=actor.username or PUBLIC, note=note))
            ids = _record_files(session, archive, actor, case, prepared, len(files))
            for doc_id in reused:
                session.add(CaseDocument(case_id=case.id, document_id=doc_id,
                                         role="identitas"))
            audit.append(session, actor, "case.register", target_type="case",
                         target_id=case.id,
                         details={"registration_number": case.registration_number,
                                  "type": case.type, "channel": case.channel,
                                  "due_date": _iso(case.due_date),
                                  "rule_version": case.rule_version, "regime": case.regime,
                                  "calendar_revision": case.calendar_revision,
                                  "timely": case.timely, "document_ids": ids,
                                  "identity_reused": reused})
            session.expunge(case)
    except BaseException as e:
        filing.failed(archive, prepared, e, clearance or personal_class)
    filing.finish(archive, prepared, ids)
    return case, tracking, ids


def _prepare_personal(archive: Archive, prepared: list[ingest.Prepared],
                      inputs: Sequence[tuple[Upload, DocumentInput]], clearance: str, *,
                      public: bool) -> tuple[list[int], int]:
    """Prepare the identity scans (added to `prepared`); a scan already kept as personal data
    (the same person's KTP sent with an earlier request) is not stored twice: its document's
    id is returned, to be linked to this case as well. A scan whose bytes the archive holds
    otherwise is refused at the desk; from the public it is left out silently (with a note
    for the case's owner), so that the public form never tells what the archive holds.
    Return the reused ids and how many scans were left out."""
    reused: list[int] = []
    dropped = 0
    for upload, data in inputs:
        try:
            prepared += filing.prepare_all(archive, [(upload, data)], clearance)
        except Duplicate as e:
            with archive.db.read() as session:
                doc = session.get(Document, e.audit_id)
                reusable = doc is not None and doc.personal and doc.disposition is None
            if not reusable:
                if not public:
                    raise
                dropped += 1
            elif e.audit_id not in reused:
                reused.append(e.audit_id)
    return reused, dropped


def _record_files(session: Session, archive: Archive, actor: audit.Actor, case: Case,
                  prepared: Sequence[ingest.Prepared], plain: int) -> list[int]:
    ids: list[int] = []
    for i, p in enumerate(prepared):
        # What a person brings carries their identity (a request form, a report with the
        # reporter's NIK and address): every file of a registration is personal data, read by
        # the case's owner and those it is routed to, never indexed nor read by OCR.
        doc_id, _job = ingest.record(session, archive, actor, p, personal=True)
        role = "identitas" if i >= plain else ("permohonan" if i == 0 else "lampiran")
        session.add(CaseDocument(case_id=case.id, document_id=doc_id, role=role))
        ids.append(doc_id)
    return ids
