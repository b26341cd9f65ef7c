"""Routing a case (disposisi): its owner asks units or people for what the case needs (the
information a request asks for, the handling of a report), and each recipient answers with a
note and the documents they file under the case. A case's steps are dispositions rows with
`case_id` (the letters' steps name `letter_id`); the routed see the case and its persons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal, may_see
from earsip.errors import Conflict, Forbidden, NotFound, ValidationError
from earsip.models import Case, CaseDocument, CaseEvent, Disposition, User, utcnow
from earsip.schemas.cases import CaseStepOut
from earsip.schemas.desk import DispositionDone, DispositionInput
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import views
from earsip.services.desk import filing
from earsip.services.desk.filing import Upload
from earsip.services.desk.views import recipient
from earsip.services.records import ingest

OPEN = views.STEP_OPEN


def _recipients(session: Session, case: Case, names: Sequence[str],
                sender_id: int) -> list[User]:
    users: list[User] = []
    for name in names:
        user = recipient(session, name, sender_id)
        if not may_see(user.clearance, case.security):
            raise ValidationError(
                "Layanan ini berklasifikasi %(security)s, di atas izin akses %(user)s; "
                "disposisi tidak dapat dikirim kepadanya.", field="to",
                params={"security": case.security, "user": name})
        holding = session.scalar(select(Disposition.id).where(
            Disposition.case_id == case.id, Disposition.to_user_id == user.id,
            Disposition.status.in_(OPEN)).limit(1))
        if holding is not None:
            raise ValidationError("%(user)s sedang memegang disposisi layanan ini.", field="to",
                                  params={"user": name})
        users.append(user)
    return users


def route(archive: Archive, principal: Principal, case_id: int, data: DispositionInput, *,
          client_addr: str | None = None) -> list[CaseStepOut]:
    """Route a case from its owner to one or more people (the case goes `in_progress`)."""
    require(principal, "case.handle")
    if data.due_date is not None and data.due_date < archive.local_today():
        raise ValidationError("Batas waktu disposisi sudah lewat.", field="due_date")
    actor = principal.actor(client_addr)
    with archive.db.write() as session:
        case = session.get(Case, case_id, with_for_update=True)
        if case is None or not views.readable(principal, case, session):
            raise NotFound("Layanan tidak ditemukan.")
        if not views.owns(principal, case):
            raise Forbidden("Hanya pemilik layanan ini yang dapat mendisposisikannya.")
        if case.status in views.DONE:
            raise Conflict("Layanan ini sudah diputus; tidak dapat didisposisikan lagi.")
        users = _recipients(session, case, data.to, principal.id)
        steps = [Disposition(case_id=case.id, letter_id=None, from_user_id=principal.id,
                             from_name=principal.username, to_user_id=u.id, to_name=u.username,
                             instruction=data.instruction, note=data.note,
                             due_date=data.due_date, status="new") for u in users]
        session.add_all(steps)
        if case.status == "registered":
            case.status = "in_progress"
        session.flush()
        names = ", ".join(u.username for u in users)
        session.add(CaseEvent(case_id=case.id, status=case.status, event="routed",
                              actor_name=principal.username,
                              note=f"{data.instruction} → {names}"))
        audit.append(session, actor, "case.routed", target_type="case", target_id=case.id,
                     details={"registration_number": case.registration_number,
                              "to": [u.username for u in users],
                              "instruction": data.instruction,
                              "steps": [s.id for s in steps]})
        today = archive.local_today()
        return [views.step_view(s, today, []) for s in steps]


def _case_document(case: Case, position: int, day: dt.date) -> DocumentInput:
    return DocumentInput(title=f"Tindak lanjut {position}: {case.summary}"[:500],
                         classification=case.classification_code, security=case.security,
                         document_date=day, tags=("layanan", "tindak-lanjut"))


def respond(archive: Archive, principal: Principal, step_id: int, data: DispositionDone,
            files: Sequence[Upload] = (), *, client_addr: str | None = None) -> CaseStepOut:
    """Close a step addressed to the principal with a note and the documents filed under the
    case's code and class, in one transaction."""
    require(principal, "inbox")
    actor = principal.actor(client_addr)
    with archive.db.read() as session:
        step = session.get(Disposition, step_id)
        if step is None or step.case_id is None or step.to_user_id != principal.id:
            raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": step_id})
        case = session.get(Case, step.case_id)
        assert case is not None
        session.expunge(case)
    inputs = [(f, _case_document(case, i + 1, archive.local_today()))
              for i, f in enumerate(files)]
    prepared = filing.prepare_all(archive, inputs, principal.clearance)
    ids: list[int] = []
    try:
        with archive.db.write() as session:
            row = session.get(Disposition, step_id, with_for_update=True)
            assert row is not None
            if row.status not in OPEN:
                raise Conflict("Disposisi #%(id)d sudah selesai atau ditarik.",
                               params={"id": step_id})
            for p in prepared:
                doc_id, _job = ingest.record(session, archive, actor, p)
                session.add(CaseDocument(case_id=case.id, document_id=doc_id,
                                         role="tindak_lanjut"))
                ids.append(doc_id)
            row.status, row.done_at, row.done_note = "done", utcnow(), data.note
            session.add(CaseEvent(case_id=case.id, status=case.status, event="responded",
                                  actor_name=principal.username, note=data.note))
            audit.append(session, actor, "case.responded", target_type="case",
                         target_id=case.id,
                         details={"registration_number": case.registration_number,
                                  "step": step_id, "document_ids": ids})
            out = views.step_view(row, archive.local_today(), ids)
    except BaseException as e:
        filing.failed(archive, prepared, e, principal.clearance)
    filing.finish(archive, prepared, ids)
    return out


def withdraw(archive: Archive, principal: Principal, step_id: int, *,
             client_addr: str | None = None) -> CaseStepOut:
    """Take back an open step of a case one owns (routed to the wrong person, or no longer
    needed); the case's history and the audit trail keep it."""
    require(principal, "case.handle")
    with archive.db.write() as session:
        step = session.get(Disposition, step_id, with_for_update=True)
        case = None if step is None or step.case_id is None else session.get(Case, step.case_id)
        if step is None or case is None or not views.readable(principal, case, session):
            raise NotFound("Disposisi #%(id)d tidak ditemukan.", params={"id": step_id})
        if not views.owns(principal, case):
            raise Forbidden("Hanya pemilik layanan ini yang dapat menarik disposisinya.")
        if step.status not in OPEN:
            raise Conflict("Disposisi #%(id)d sudah selesai atau ditarik.",
                           params={"id": step_id})
        step.status, step.withdrawn_at = "withdrawn", utcnow()
        session.add(CaseEvent(case_id=case.id, status=case.status, event="step_withdrawn",
                              actor_name=principal.username, note=step.to_name))
        audit.append(session, principal.actor(client_addr), "case.step_withdrawn",
                     target_type="case", target_id=case.id,
                     details={"registration_number": case.registration_number,
                              "step": step.id, "to": step.to_name})
        return views.step_view(step, archive.local_today(), [])


def assigned(archive: Archive, principal: Principal) -> list[tuple[str, CaseStepOut]]:
    """Return the open steps of cases routed to the principal, with each case's number."""
    require(principal, "inbox")
    today = archive.local_today()
    with archive.db.read() as session:
        rows = session.execute(select(Disposition, Case.registration_number, Case.security)
                               .join(Case, Case.id == Disposition.case_id)
                               .where(Disposition.to_user_id == principal.id,
                                      Disposition.status.in_(OPEN))
                               .order_by(Disposition.due_date, Disposition.id)).all()
        return [(number, views.step_view(d, today, [])) for d, number, security in rows
                if may_see(principal.clearance, security)]
