"""The desk page: the agenda of the day, what waits for its scan or its letter, and the
dispositions overdue per person — within the reader's clearance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from earsip.access import SECURITY_CLASSES, Principal, can, classes_up_to, level
from earsip.models import Disposition, IncomingLetter, OutgoingLetter, User
from earsip.schemas.desk import IncomingLetterOut, OutgoingOut
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import views as case_views
from earsip.services.cases.views import CASES_SOON_DAYS
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
class CaseClock:
    """The cases in the reader's register waiting for their answer past the due date, and
    those due within `CASES_SOON_DAYS` days."""

    overdue: int
    due_soon: int
    days: int = CASES_SOON_DAYS


@dataclass(frozen=True)
class DeskOverview:
    today: list[IncomingLetterOut]
    no_scan: list[IncomingLetterOut]
    no_scan_total: int
    overdue: list[Overdue]
    waiting_numbers: list[OutgoingOut]
    waiting_numbers_total: int
    months: list[Month]
    cases: CaseClock | None = None  # None for a reader of letters who does not read cases


def case_clock(archive: Archive, principal: Principal) -> CaseClock | None:
    """Return how many cases of the reader's register are overdue and due soon (None when
    the principal does not read the register)."""
    if not can(principal.roles, "case.read"):
        return None
    overdue = case_views.list_cases(archive, principal, case_views.CaseQuery(
        overdue=True, per_page=1))
    soon = case_views.list_cases(archive, principal, case_views.CaseQuery(
        due_within=CASES_SOON_DAYS, per_page=1))
    return CaseClock(overdue=overdue.total, due_soon=soon.total)


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
        waiting_numbers=numbers.items, waiting_numbers_total=numbers.total,
        months=monthly(archive, principal), cases=case_clock(archive, principal))


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


@dataclass(frozen=True)
class Month:
    """One month at the desk: letters in and out, dispositions done and done on time."""

    first_day: dt.date
    incoming: int
    outgoing: int
    done: int
    on_time: int

    @property
    def on_time_share(self) -> int | None:
        """Return the share of dispositions done by their due date, in whole percent."""
        return round(100 * self.on_time / self.done) if self.done else None


def _month_start(day: dt.date, back: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - back
    return dt.date(index // 12, index % 12 + 1, 1)


def monthly(archive: Archive, principal: Principal, months: int = 12) -> list[Month]:
    """Return the last `months` months, oldest first, counted within the reader's clearance
    and in the office's calendar (a disposition without a due date counts as on time)."""
    require(principal, "letter.read")
    today = archive.local_today()
    start = _month_start(today, months - 1)
    since = dt.datetime.combine(start, dt.time()) - dt.timedelta(days=1)  # UTC margin
    visible = classes_up_to(principal.clearance)
    with archive.db.read() as session:
        received = session.scalars(select(IncomingLetter.received_at).where(
            IncomingLetter.received_at >= since, IncomingLetter.security.in_(visible)))
        incoming = [archive.local_date(r) for r in received]
        outgoing_days = list(session.scalars(select(OutgoingLetter.letter_date).where(
            OutgoingLetter.letter_date >= start, OutgoingLetter.status != "cancelled",
            OutgoingLetter.security.in_(visible))))
        done = [(archive.local_date(d), due) for d, due in session.execute(
            select(Disposition.done_at, Disposition.due_date)
            .join(IncomingLetter, IncomingLetter.id == Disposition.letter_id)
            .where(Disposition.status == "done", Disposition.done_at >= since,
                   IncomingLetter.security.in_(visible))) if d is not None]
    found = []
    for back in range(months - 1, -1, -1):
        first = _month_start(today, back)
        key = (first.year, first.month)

        def same(day: dt.date, key: tuple[int, int] = key) -> bool:
            return (day.year, day.month) == key

        closed = [(d, due) for d, due in done if same(d)]
        found.append(Month(first, sum(1 for d in incoming if same(d)),
                           sum(1 for d in outgoing_days if same(d)), len(closed),
                           sum(1 for d, due in closed if due is None or d <= due)))
    return found
