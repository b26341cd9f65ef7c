"""The working-day calendar of the office: national holidays and cuti bersama seeded from the
`holidays` package year by year, corrected by an administrator (every change audited and
counted as a new revision of the calendar), read by the legal clocks as a `WorkCalendar`.

The calendar is still one for the whole deployment: a correction records the office that made
it, seeded days and the revision counter belong to the default office (docs/OFFICES.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from earsip import audit, workdays
from earsip.access import Principal
from earsip.errors import ValidationError
from earsip.models import CalendarDay, CalendarYear, utcnow
from earsip.schemas.cases import CalendarChange, CalendarDayOut, CalendarOut
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import require
from earsip.services.desk import numbering

REVISION_SCOPE = "calendar"
FIRST_YEAR, LAST_YEAR = 1990, 2100


def _insert(session: Session):  # type: ignore[no-untyped-def]  # a dialect's insert()
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError("Tahun di luar rentang kalender (%(first)d–%(last)d).",
                              field="year", params={"first": FIRST_YEAR, "last": LAST_YEAR})


def ensure_years(session: Session, years: Iterable[int]) -> None:
    """Seed the holidays of each year not seeded yet (in the caller's write transaction); a
    day an administrator already corrected keeps the correction."""
    insert = _insert(session)
    office_id: int | None = None
    for year in sorted(set(years)):
        if session.get(CalendarYear, year) is not None:
            continue
        if office_id is None:
            office_id = offices.office_of(session, audit.SYSTEM)
        rows = [{"day": day, "name": name[:200], "working": False, "source": "seed",
                 "changed_at": utcnow(), "office_id": office_id}
                for day, name in workdays.seed_days(year)]
        if rows:
            session.execute(insert(CalendarDay).values(rows)
                            .on_conflict_do_nothing(index_elements=["day"]))
        session.execute(insert(CalendarYear).values(
            year=year, source_version=workdays.package_version(),
            seeded_at=utcnow())
            .on_conflict_do_nothing(index_elements=["year"]))


def load(session: Session, start: dt.date, end: dt.date) -> workdays.WorkCalendar:
    """Return the calendar from `start` to `end` (a year's margin after it), seeding the years
    it needs (the caller holds a write transaction)."""
    last = end + dt.timedelta(days=366)
    ensure_years(session, range(start.year, last.year + 1))
    rows = session.execute(select(CalendarDay.day, CalendarDay.name, CalendarDay.working)
                           .where(CalendarDay.day >= start, CalendarDay.day <= last)).all()
    return workdays.WorkCalendar.of((r.day, r.name, r.working) for r in rows)


def revision(session: Session) -> int:
    """Return the calendar's revision: how many corrections it has had."""
    office_id = offices.default_office_id(session)
    return 0 if office_id is None else numbering.current(session, office_id, REVISION_SCOPE)


def year_view(archive: Archive, principal: Principal, year: int) -> CalendarOut:
    """Return the non-working and the worked days of `year` as the clocks count them."""
    require(principal, "calendar.read")
    _check_year(year)
    with archive.db.write() as session:
        ensure_years(session, [year])
    with archive.db.read() as session:
        rows = session.scalars(select(CalendarDay).where(
            CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31))
            .order_by(CalendarDay.day)).all()
        return CalendarOut(
            year=year, revision=revision(session),
            non_working_days=[CalendarDayOut(date=r.day, name=r.name)
                              for r in rows if not r.working],
            working_days=[CalendarDayOut(date=r.day, name=r.name) for r in rows if r.working])


def change(archive: Archive, principal: Principal, data: CalendarChange,
           client_addr: str | None = None) -> CalendarDayOut:
    """Correct one day of the calendar (a holiday added or renamed, a holiday or weekend day
    the office works); audited, and a new revision of the calendar."""
    require(principal, "calendar.manage")
    _check_year(data.date.year)
    actor = principal.actor(client_addr)
    with archive.db.write() as session:
        ensure_years(session, [data.date.year])
        row = session.get(CalendarDay, data.date)
        before = None if row is None else {"name": row.name, "working": row.working,
                                           "source": row.source}
        if row is None:
            row = CalendarDay(day=data.date, source="admin", name=data.name)
            session.add(row)
        row.office_id = offices.office_of(session, actor)
        row.name, row.working, row.source = data.name, data.working, "admin"
        row.reason = data.reason
        row.changed_at = utcnow()
        row.changed_by_name = principal.username
        rev = numbering.take(session, offices.office_of(session, audit.SYSTEM), REVISION_SCOPE)
        audit.append(session, actor, "calendar.change", target_type="calendar",
                     target_id=data.date.isoformat(),
                     details={"date": data.date.isoformat(), "name": data.name,
                              "working": data.working, "reason": data.reason,
                              "before": before, "revision": rev})
        return CalendarDayOut(date=row.day, name=row.name)
