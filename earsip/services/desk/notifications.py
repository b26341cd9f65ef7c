"""Notifications: what waits on a user, in the app and, when `EARSIP_SMTP_URL` is set, by
e-mail.

`pending` lists, within the user's clearance, their dispositions that are new, due tomorrow or
overdue (in the office's calendar), the cases their role owns that are overdue or due within
three days, and the archive's own events waiting on them: a destruction
list to approve, a declassification request to decide. `send_digest` (queued by the worker's
schedule as a `notify.email` job) mails each active user with an address what has arrived in
that list since the last digest; a notification mailed is marked (`NotificationMark`) only
once the server accepted the message, so nothing is mailed twice and a failed send is tried
again next time. A mail server that fails is logged and audited; it never breaks anything else.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import or_, select

from earsip import audit, mail
from earsip.access import SECURITY_LABELS, Principal, can, classes_up_to, may_see
from earsip.errors import N_, MailFailed
from earsip.models import Case, Disposition, IncomingLetter, NotificationMark, User
from earsip.schemas.notifications import DigestResult, Kind, Notification, Notifications
from earsip.services import Archive
from earsip.services.access import declassification
from earsip.services.cases.views import CASES_SOON_DAYS, DONE
from earsip.services.desk.views import OPEN
from earsip.services.retention import destruction_views

log = logging.getLogger(__name__)

MESSAGES: dict[Kind, str] = {
    "case.overdue": N_("Layanan %(number)s (%(subject)s) lewat batas waktu %(days)s hari"),
    "disposition.overdue": N_("Disposisi surat %(agenda)s (%(subject)s) lewat batas waktu "
                              "%(days)s hari"),
    "disposition.due_today": N_("Disposisi surat %(agenda)s (%(subject)s) jatuh tempo "
                                "hari ini"),
    "disposition.due_tomorrow": N_("Disposisi surat %(agenda)s (%(subject)s) jatuh tempo "
                                   "besok"),
    "case.due_today": N_("Layanan %(number)s (%(subject)s) jatuh tempo hari ini"),
    "case.due_soon": N_("Layanan %(number)s (%(subject)s) jatuh tempo dalam %(days)s hari"),
    "disposition.new": N_("Disposisi baru dari %(sender)s: surat %(agenda)s (%(subject)s), "
                          "%(instruction)s"),
    "case.step": N_("Disposisi layanan %(number)s (%(subject)s) dari %(sender)s: "
                    "%(instruction)s"),
    "disposal.awaiting": N_("Daftar usul musnah %(number)s (%(items)s arsip) menunggu "
                            "persetujuan Anda"),
    "declassification.awaiting": N_("Permintaan penurunan klasifikasi dokumen #%(document)s "
                                    "dari %(who)s menunggu keputusan Anda"),
}
ORDER = tuple(MESSAGES)  # the most pressing first
# What an e-mail says instead of the subject of a letter above `biasa` (mail leaves the server).
HIDDEN_SUBJECT = "perihal tidak ditampilkan: %s"
MAX_DISPOSITIONS = 500
MAX_CASES = 500


def _kind(step: Disposition, today: dt.date) -> Kind:
    if step.due_date is not None and step.due_date < today:
        return "disposition.overdue"
    if step.due_date is not None and step.due_date == today:
        return "disposition.due_today"
    if step.due_date is not None and step.due_date == today + dt.timedelta(days=1):
        return "disposition.due_tomorrow"
    return "disposition.new"


def _dispositions(archive: Archive, principal: Principal, today: dt.date) -> list[Notification]:
    tomorrow = today + dt.timedelta(days=1)
    with archive.db.read() as session:
        rows = session.execute(
            select(Disposition, IncomingLetter)
            .join(IncomingLetter, IncomingLetter.id == Disposition.letter_id)
            .where(Disposition.to_user_id == principal.id, Disposition.status.in_(OPEN),
                   or_(Disposition.status == "new", Disposition.due_date <= tomorrow))
            .order_by(Disposition.id).limit(MAX_DISPOSITIONS)).all()
    items = []
    for step, letter in rows:
        if not may_see(principal.clearance, letter.security):
            continue  # a letter above the user's clearance does not exist for them
        kind = _kind(step, today)
        params: dict[str, str | int] = {"agenda": letter.agenda_number,
                                        "subject": letter.subject,
                                        "sender": step.from_name,
                                        "instruction": step.instruction}
        if kind == "disposition.overdue" and step.due_date is not None:
            params["days"] = (today - step.due_date).days
        items.append(Notification(
            kind=kind, key=f"{kind}:{step.id}", message=MESSAGES[kind], params=params,
            target=("desk.letter", {"letter_id": letter.id, "_anchor": f"step-{step.id}"}),
            due_date=step.due_date, at=step.created_at, security=letter.security))
    return items


def _cases(archive: Archive, principal: Principal, today: dt.date) -> list[Notification]:
    """The open cases the principal's role owns that are overdue or due soon."""
    if not can(principal.roles, "case.handle"):
        return []
    with archive.db.read() as session:
        rows = session.scalars(
            select(Case).where(Case.owner_role.in_(sorted(principal.roles)),
                               Case.status.not_in(DONE), Case.due_date.is_not(None),
                               Case.due_date <= today + dt.timedelta(days=CASES_SOON_DAYS),
                               Case.security.in_(classes_up_to(principal.clearance)))
            .order_by(Case.due_date, Case.id).limit(MAX_CASES)).all()
    items = []
    for case in rows:
        due = case.due_date or today
        kind: Kind = ("case.overdue" if due < today else "case.due_today" if due == today
                      else "case.due_soon")
        items.append(Notification(
            kind=kind, key=f"{kind}:{case.id}", message=MESSAGES[kind],
            params={"number": case.registration_number, "subject": case.summary[:120],
                    "days": abs((due - today).days)},
            target=("cases.show", {"case_id": case.id}), due_date=case.due_date,
            at=case.registered_at, security=case.security))
    return items


def _case_steps(archive: Archive, principal: Principal) -> list[Notification]:
    """The open steps of cases routed to the principal (services/cases/routing.py)."""
    with archive.db.read() as session:
        rows = session.execute(
            select(Disposition, Case).join(Case, Case.id == Disposition.case_id)
            .where(Disposition.to_user_id == principal.id, Disposition.status.in_(OPEN),
                   Case.security.in_(classes_up_to(principal.clearance)))
            .order_by(Disposition.id).limit(MAX_DISPOSITIONS)).all()
    return [Notification(
        kind="case.step", key=f"case.step:{step.id}", message=MESSAGES["case.step"],
        params={"number": case.registration_number, "subject": case.summary[:120],
                "sender": step.from_name, "instruction": step.instruction},
        target=("cases.show", {"case_id": case.id, "_anchor": f"step-{step.id}"}),
        due_date=step.due_date, at=step.created_at, security=case.security)
        for step, case in rows]


def _events(archive: Archive, principal: Principal) -> list[Notification]:
    items = []
    for listing in destruction_views.awaiting_approval(archive, principal):
        if listing.proposed_by == principal.username:
            continue  # a proposer never approves their own list
        kind: Kind = "disposal.awaiting"
        items.append(Notification(
            kind=kind, key=f"{kind}:{listing.id}", message=MESSAGES[kind],
            params={"number": listing.number, "items": listing.items},
            target=("disposal.show", {"list_id": listing.id}), at=listing.submitted_at))
    for request in declassification.awaiting_decision(archive, principal):
        kind = "declassification.awaiting"
        items.append(Notification(
            kind=kind, key=f"{kind}:{request.id}", message=MESSAGES[kind],
            params={"document": request.document_id, "who": request.requested_by},
            target=("documents.show", {"document_id": request.document_id,
                                       "_anchor": f"declassification-{request.id}"}),
            at=request.requested_at, security=request.old_security))
    return items


def pending(archive: Archive, principal: Principal) -> Notifications:
    """Return what waits on the principal, within their clearance, the most pressing first."""
    today = archive.local_today()
    items = _dispositions(archive, principal, today) if can(principal.roles, "inbox") else []
    items += _cases(archive, principal, today)
    items += _case_steps(archive, principal) if can(principal.roles, "inbox") else []
    items += _events(archive, principal)
    items.sort(key=lambda n: (ORDER.index(n.kind), n.due_date or dt.date.max,
                              n.at or dt.datetime.min))
    return Notifications(items=items, count=len(items))


def count(archive: Archive, principal: Principal) -> int:
    """Return how many things wait on the principal (the menu's counter)."""
    return pending(archive, principal).count


def _line(item: Notification) -> str:
    params = dict(item.params)
    if "subject" in params and item.security != "biasa":
        params["subject"] = HIDDEN_SUBJECT % SECURITY_LABELS.get(item.security, item.security)
    text = item.message % params
    if item.due_date is not None and item.kind not in ("disposition.overdue", "case.overdue"):
        text += f"; batas waktu {item.due_date:%d-%m-%Y}"
    return f"- {text}"


def compose(archive: Archive, name: str, items: Sequence[Notification]) -> tuple[str, str]:
    """Return the subject and text of a digest of `items` for the person `name`."""
    subject = f"E-Arsip: {len(items)} pemberitahuan baru"
    body = "\n".join([
        f"Yth. {name},", "",
        f"Berikut yang menunggu Anda di E-Arsip {archive.config.office_name}:", "",
        *(_line(i) for i in items), "",
        "Buka E-Arsip untuk menindaklanjutinya. Perihal surat berklasifikasi di atas "
        "Biasa/Terbuka tidak dimuat dalam surel.",
        "Surel ini dikirim otomatis; jangan dibalas.", ""])
    return subject, body


@dataclass(frozen=True)
class Recipient:
    """A user a digest may be mailed to."""

    principal: Principal
    email: str
    name: str


def _unmailed(archive: Archive) -> list[tuple[Recipient, list[Notification]]]:
    """Return each active user with an address and the notifications not yet mailed to them."""
    with archive.db.read() as session:
        recipients = [Recipient(Principal.of(u), u.email or "", u.full_name or u.username)
                      for u in session.scalars(select(User).where(
                          User.active.is_(True), User.email.is_not(None), User.email != "")
                          .order_by(User.id))]
    waiting = []
    for recipient in recipients:
        items = pending(archive, recipient.principal).items
        if not items:
            continue
        with archive.db.read() as session:
            sent = set(session.scalars(select(NotificationMark.key).where(
                NotificationMark.user_id == recipient.principal.id,
                NotificationMark.key.in_([i.key for i in items]))))
        fresh = [i for i in items if i.key not in sent]
        if fresh:
            waiting.append((recipient, fresh))
    return waiting


def _record(archive: Archive, user: Recipient, items: Sequence[Notification],
            failure: MailFailed | None = None, message_id: str | None = None) -> None:
    details: dict[str, object] = {"to": user.email, "items": len(items),
                                  "keys": [i.key for i in items]}
    with archive.db.write() as session:
        if failure is None:
            session.add_all(NotificationMark(user_id=user.principal.id, key=i.key)
                            for i in items)
            details["message_id"] = message_id
        else:
            details["reason"] = failure.message
        audit.append(session, audit.SYSTEM, "notification.email", target_type="user",
                     target_id=user.principal.id,
                     outcome="success" if failure is None else "failure", details=details)


def send_digest(archive: Archive) -> DigestResult:
    """Mail each active user with an address what waits on them and was not mailed before."""
    if not archive.config.smtp_url:
        return DigestResult(configured=False)
    settings = mail.parse_url(archive.config.smtp_url)
    waiting = _unmailed(archive)
    result = {"users": len(waiting), "sent": 0, "failed": 0, "items": 0}
    if not waiting:
        return DigestResult(configured=True, **result)
    try:
        connection = mail.connect(settings)
    except MailFailed as e:
        log.warning("notification e-mail not sent: %s", e.message)
        for user, items in waiting:
            _record(archive, user, items, e)
        return DigestResult(configured=True, users=len(waiting), failed=len(waiting))
    with connection:
        for user, items in waiting:
            subject, body = compose(archive, user.name, items)
            try:
                message_id = connection.send(user.email, subject, body)
            except MailFailed as e:
                log.warning("notification e-mail to user %s not sent: %s", user.principal.id,
                            e.message)
                _record(archive, user, items, e)
                result["failed"] += 1
                continue
            _record(archive, user, items, message_id=message_id)
            result["sent"] += 1
            result["items"] += len(items)
    return DigestResult(configured=True, **result)
