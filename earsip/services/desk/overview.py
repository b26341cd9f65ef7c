"""The desk page: the agenda of the day, what waits for its scan or its letter, and the
dispositions overdue per person — within the reader's clearance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from earsip.access import SECURITY_CLASSES, Principal, classes_up_to, level
from earsip.models import Disposition, IncomingLetter, User
from earsip.schemas.desk import IncomingLetterOut, OutgoingOut
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.desk import letters, outgoing
from earsip.services.desk.views import OPEN


@dataclass(frozen=True)
class Overdue:
    """One person's overdue dispositions."""

    username: str
    full_name: str | None
    count: int
    oldest_due: dt.date | None


@dataclass(frozen=True)
class Recipient:
    """Someone a letter may be routed to."""

    username: str
    full_name: str | None


@dataclass(frozen=True)
class DeskOverview:
    today: list[IncomingLetterOut]
    no_scan: list[IncomingLetterOut]
    no_scan_total: int
    overdue: list[Overdue]
    waiting_numbers: list[OutgoingOut]
    waiting_numbers_total: int


def overview(archive: Archive, principal: Principal) -> DeskOverview:
    """Return what the desk page shows."""
    require(principal, "letter.read")
    today = archive.local_today()
    received = letters.list_letters(archive, principal, letters.LetterQuery(
        date_from=today, date_to=today, limit=100))
    waiting = letters.list_letters(archive, principal, letters.LetterQuery(
        status="no_scan", limit=20))
    numbers = outgoing.list_numbers(archive, principal, outgoing.NumberQuery(
        status="waiting", limit=20))
    with archive.db.read() as session:
        rows = session.execute(
            select(User.username, User.full_name, func.count(Disposition.id),
                   func.min(Disposition.due_date))
            .join(User, User.id == Disposition.to_user_id)
            .join(IncomingLetter, IncomingLetter.id == Disposition.letter_id)
            .where(Disposition.status.in_(OPEN), Disposition.due_date < today,
                   IncomingLetter.security.in_(classes_up_to(principal.clearance)))
            .group_by(User.username, User.full_name)
            .order_by(func.count(Disposition.id).desc(), User.username)).all()
    return DeskOverview(
        today=received.items, no_scan=waiting.items, no_scan_total=waiting.total,
        overdue=[Overdue(u, n, c, d) for u, n, c, d in rows],
        waiting_numbers=numbers.items, waiting_numbers_total=numbers.total)


def recipients(archive: Archive, principal: Principal, security: str) -> list[Recipient]:
    """Return the active users cleared for a letter of class `security`, but the principal."""
    require(principal, "inbox")
    with archive.db.read() as session:
        rows = session.execute(select(User.username, User.full_name).where(
            User.active.is_(True), User.id != principal.id,
            User.clearance.in_(_cleared_for(security))).order_by(User.username)).all()
    return [Recipient(u, n) for u, n in rows]


def _cleared_for(security: str) -> list[str]:
    return [c for c in SECURITY_CLASSES if level(c) >= level(security)]
