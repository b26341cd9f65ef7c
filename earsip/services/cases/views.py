"""Cases as the doors show them: the register within the reader's clearance and role, one case
with its history (personal data for its owner only, each such view audited), and the public's
view by registration number and tracking code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import CASE_REGISTER_READERS, Principal, can, classes_up_to, may_see
from earsip.errors import NotFound, ValidationError
from earsip.models import (
    Case,
    CaseDocument,
    CaseEvent,
    CasePerson,
    Disposition,
    Document,
    OutgoingLetter,
)
from earsip.schemas.cases import (
    CASE_TYPES,
    CaseEventOut,
    CaseOut,
    CasePage,
    CaseStepOut,
    PersonOut,
    PublicCase,
    PublicHistory,
)
from earsip.schemas.offices import OfficeRef
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import types
from earsip.services.cases.tracking import code_matches

DONE = ("answered", "closed")
# "Due soon": due from today up to this many days ahead (the desk page, the register's filter
# and the notifications count alike).
CASES_SOON_DAYS = 3
STEP_OPEN = ("new", "read", "in_progress")


@dataclass(frozen=True)
class CaseQuery:
    """Filters of the register of cases and the page wanted."""

    type: str | None = None
    status: str | None = None
    overdue: bool = False
    due_within: int | None = None  # days: due from today up to this many days ahead
    page: int = 1
    per_page: int = 50


def mask(identity: str | None) -> str | None:
    """Return an identity number with all but its first and last four characters hidden."""
    if not identity:
        return identity
    if len(identity) <= 8:
        return "*" * len(identity)
    return identity[:4] + "*" * (len(identity) - 8) + identity[-4:]


def step_view(step: Disposition, today: dt.date, document_ids: list[int]) -> CaseStepOut:
    """Return one step of a case's routing."""
    assert step.case_id is not None
    return CaseStepOut(id=step.id, case_id=step.case_id, **{"from": step.from_name},
                       to=step.to_name,
                       instruction=step.instruction, note=step.note, due_date=step.due_date,
                       status=step.status,
                       overdue=step.status in STEP_OPEN and step.due_date is not None
                       and step.due_date < today,
                       created_at=step.created_at, done_at=step.done_at,
                       done_note=step.done_note, document_ids=document_ids)


def steps_of(session: Session, case_id: int, today: dt.date) -> list[CaseStepOut]:
    """Return a case's routing, oldest first (withdrawn steps left out)."""
    rows = session.scalars(select(Disposition).where(
        Disposition.case_id == case_id, Disposition.status != "withdrawn")
        .order_by(Disposition.id)).all()
    return [step_view(r, today, []) for r in rows]


def routed_to(session: Session, principal: Principal, case_id: int) -> bool:
    """Return True when the case was routed to the principal (a step not withdrawn)."""
    return session.scalar(select(Disposition.id).where(
        Disposition.case_id == case_id, Disposition.to_user_id == principal.id,
        Disposition.status != "withdrawn").limit(1)) is not None


def owns(principal: Principal, case: Case) -> bool:
    """Return True when the principal holds the role that owns the case."""
    return case.owner_role in principal.roles


def readable(principal: Principal, case: Case, session: Session | None = None) -> bool:
    """Return True when the principal may read the case: a reader of the whole register, a
    holder of its owner role, or (given a session to look it up) someone it was routed to."""
    if not may_see(principal.clearance, case.security):
        return False
    if can(principal.roles, "case.read") and (
            bool(principal.roles & CASE_REGISTER_READERS) or owns(principal, case)):
        return True
    return session is not None and routed_to(session, principal, case.id)


def _visible(principal: Principal) -> Select[Case]:
    query = select(Case).where(Case.security.in_(classes_up_to(principal.clearance)))
    if not principal.roles & CASE_REGISTER_READERS:
        query = query.where(Case.owner_role.in_(sorted(principal.roles)))
    return query


def is_overdue(case: Case, today: dt.date) -> bool:
    """Return True when a case still waiting for its answer is past its due date."""
    return case.status not in DONE and case.due_date is not None and case.due_date < today


def _persons(session: Session, principal: Principal, case: Case, *,
             full: bool) -> list[PersonOut]:
    rows = session.scalars(select(CasePerson).where(CasePerson.case_id == case.id)
                           .order_by(CasePerson.id)).all()
    if full:
        return [PersonOut(role=p.role, name=p.name, identity_number=p.identity_number,
                          address=p.address, occupation=p.occupation, phone=p.phone,
                          email=p.email) for p in rows]
    if case.type == "laporan_pelanggaran":  # a reporter's identity is the unit's alone
        return []
    return [PersonOut(role=p.role, name=p.name, identity_number=mask(p.identity_number))
            for p in rows if p.role in ("pemohon", "kuasa")]


# What of a report's details names people besides its persons: the unit's alone.
PERSONAL_DETAILS = ("witnesses",)


def _details(case: Case, full: bool) -> dict[str, object]:
    details = dict(case.details or {})
    if not full:
        for key in PERSONAL_DETAILS:
            details.pop(key, None)
    return details


def case_out(session: Session, principal: Principal, case: Case, today: dt.date, *,
             full: bool, history: bool) -> CaseOut:
    """Return a case as the API answers it; `full` gives its persons unmasked."""
    related = None if case.related_id is None else session.scalar(
        select(Case.registration_number).where(Case.id == case.related_id))
    answer = None if case.answer_outgoing_id is None else session.get(
        OutgoingLetter, case.answer_outgoing_id)
    events = [] if not history else session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
    docs: list[int] = []
    if history:
        linked = select(CaseDocument.document_id).where(CaseDocument.case_id == case.id)
        if not full:  # what the person brought is personal data: not for this reader
            linked = linked.join(Document, Document.id == CaseDocument.document_id).where(
                Document.personal.is_(False))
        docs = list(session.scalars(linked.order_by(CaseDocument.id)))
    return CaseOut(
        id=case.id, registration_number=case.registration_number, type=case.type,
        channel=case.channel, status=case.status, summary=case.summary,
        received_at=case.received_at, registered_at=case.registered_at,
        due_date=case.due_date, first_due_date=case.first_due_date,
        extended=case.extended_at is not None, extension_reason=case.extension_reason,
        overdue=is_overdue(case, today), timely=case.timely,
        timeliness_note=case.timeliness_note, owner_role=case.owner_role,
        security=case.security, classification=case.classification_code,
        external_number=case.external_number, related_registration_number=related,
        outcome=case.outcome, exemption=case.exemption, decision_note=case.decision_note,
        decided_at=case.decided_at, delivered_at=case.delivered_at,
        delivery_method=case.delivery_method, rule_version=case.rule_version,
        answer_number=answer.number if answer else None,
        answer_number_id=answer.id if answer else None,
        answer_document_id=answer.document_id if answer else None,
        regime=case.regime, details=_details(case, full),
        persons=_persons(session, principal, case, full=full),
        history=[CaseEventOut(status=e.status, event=e.event, at=e.at, by=e.actor_name,
                              note=e.note) for e in events],
        steps=steps_of(session, case.id, today) if history else [],
        document_ids=list(docs),
        office=OfficeRef(code=case.office.code, name=case.office.name))


def load_readable(session: Session, principal: Principal, case_id: int) -> Case:
    """Return a case the principal may read, or raise NotFound (the same for no such case)."""
    case = session.get(Case, case_id)
    if case is None or not readable(principal, case, session):
        raise NotFound("Layanan tidak ditemukan.")
    return case


def get_case(archive: Archive, principal: Principal, case_id: int, *,
             client_addr: str | None = None, log_view: bool = True) -> CaseOut:
    """Return one case; its owner and those it was routed to see the personal data, and that
    view is audited."""
    require(principal, "inbox")
    today = archive.local_today()
    with archive.db.read() as session:
        case = load_readable(session, principal, case_id)
        full = owns(principal, case) or routed_to(session, principal, case.id)
        out = case_out(session, principal, case, today, full=full, history=True)
    if full and log_view and out.persons:
        with archive.db.write() as session:
            audit.append(session, principal.actor(client_addr), "case.person_view",
                         target_type="case", target_id=case_id,
                         details={"registration_number": out.registration_number,
                                  "persons": [p.role for p in out.persons]})
    return out


def list_cases(archive: Archive, principal: Principal, query: CaseQuery) -> CasePage:
    """Return a page of the register within the reader's clearance and role (identity numbers
    masked)."""
    require(principal, "case.read")
    if query.type is not None and query.type not in CASE_TYPES:
        raise ValidationError("Jenis layanan tidak dikenal: %(value)s.", field="type",
                              params={"value": query.type[:40]})
    if query.status is not None and query.status not in types.STATUSES:
        raise ValidationError("Status tidak dikenal: %(value)s. Pilihan: %(choices)s.",
                              field="status", params={"value": query.status[:40],
                                                      "choices": ", ".join(types.STATUSES)})
    today = archive.local_today()
    stmt = _visible(principal)
    if query.type:
        stmt = stmt.where(Case.type == query.type)
    if query.status:
        stmt = stmt.where(Case.status == query.status)
    if query.overdue:
        stmt = stmt.where(Case.status.not_in(DONE), Case.due_date < today)
    if query.due_within is not None:
        stmt = stmt.where(Case.status.not_in(DONE), Case.due_date >= today,
                          Case.due_date <= today + dt.timedelta(days=query.due_within))
    with archive.db.read() as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(stmt.order_by(Case.received_at.desc(), Case.id.desc())
                               .limit(query.per_page)
                               .offset((query.page - 1) * query.per_page)).all()
        items = [case_out(session, principal, c, today, full=False, history=False)
                 for c in rows]
    return CasePage(total=total, page=query.page, per_page=query.per_page, items=items)


def track(archive: Archive, number: str, code: str) -> PublicCase:
    """Return a case as the public sees it, given its number and tracking code (NotFound, the
    same message, for a wrong code and for no such case)."""
    with archive.db.read() as session:
        case = session.scalar(select(Case).where(Case.registration_number == number.strip()))
        if case is None or not code_matches(case.tracking_hash, code):
            raise NotFound("Nomor pendaftaran atau kode pelacakan tidak cocok.")
        events = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                 .order_by(CaseEvent.id)).all()
        return PublicCase(status=case.status, type=case.type, registered_at=case.registered_at,
                          due_date=case.due_date,
                          history=[PublicHistory(status=e.status, at=e.at) for e in events])
