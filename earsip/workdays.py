"""Working days: the calendar the front desk's legal clocks count in. Standard library and the
`holidays` package only.

Indonesia's national holidays and the government's cuti bersama come from `holidays`
(categories `public` and `government`, names in Bahasa Indonesia); an office corrects them
(the yearly joint decree is revised; election days are holidays Bawaslu works), and the
corrected days are what `WorkCalendar` counts with. Saturdays and Sundays are off unless a
correction makes one a working day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import holidays

WEEKEND = (5, 6)  # Saturday, Sunday
# A clock that would run past this many days has met a calendar with no working days.
MAX_SPAN_DAYS = 3660


def seed_days(year: int) -> list[tuple[dt.date, str]]:
    """Return Indonesia's national holidays and cuti bersama of `year`, with their names."""
    found = holidays.country_holidays("ID", years=year, categories=("public", "government"),
                                      language="id")
    return sorted((day, name) for day, name in found.items())


def package_version() -> str:
    """Return the version of the `holidays` data a calendar was seeded from."""
    return str(holidays.__version__)


@dataclass(frozen=True)
class WorkCalendar:
    """Days off and days worked: `off` maps a non-working date to its name; `worked` holds
    dates the office works although they fall on a weekend or a holiday."""

    off: Mapping[dt.date, str] = field(default_factory=dict)
    worked: frozenset[dt.date] = frozenset()

    @classmethod
    def of(cls, days: Iterable[tuple[dt.date, str, bool]]) -> WorkCalendar:
        """Build a calendar from (date, name, working) rows."""
        off: dict[dt.date, str] = {}
        worked: set[dt.date] = set()
        for day, name, working in days:
            if working:
                worked.add(day)
            else:
                off[day] = name
        return cls(off, frozenset(worked))

    def is_working(self, day: dt.date) -> bool:
        """Return True when the office works on `day`."""
        if day in self.worked:
            return True
        return day.weekday() not in WEEKEND and day not in self.off

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """Return the `days`-th working day after `start` (the start day itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if (day - start).days > MAX_SPAN_DAYS:
                raise ValueError("the calendar has no working days left")
            if self.is_working(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Return how many working days come after `start` up to and including `end`."""
        if end <= start:
            return 0
        return sum(1 for n in range(1, (end - start).days + 1)
                   if self.is_working(start + dt.timedelta(days=n)))


def add_days(start: dt.date, days: int, count: str, calendar: WorkCalendar) -> dt.date:
    """Return the last day of a period of `days` after `start`, counted in `count` days
    ("working" or "calendar"); the start day never counts."""
    if count == "working":
        return calendar.add_working_days(start, days)
    if count == "calendar":
        return start + dt.timedelta(days=days)
    raise ValueError(f"unknown count {count!r}")


def days_between(start: dt.date, end: dt.date, count: str, calendar: WorkCalendar) -> int:
    """Return the days after `start` up to and including `end`, counted in `count` days."""
    if count == "working":
        return calendar.working_days_between(start, end)
    return max((end - start).days, 0)
