"""The start page's figures: what the archive holds and what falls due, within clearance."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement

from earsip.access import Principal, can, classes_up_to
from earsip.models import Classification, Document
from earsip.retention import FATE_PHASE
from earsip.services import Archive
from earsip.services.access.reach import in_reach

PHASES = ("aktif", "inaktif", "usul_musnah", "permanen", "dinilai_kembali")


@dataclass(frozen=True)
class Due:
    """A document with a retention date in the period (titles only for readers)."""

    id: int
    title: str
    classification: str
    date: dt.date
    change: str  # "inaktif" (active period ends) or the final fate's phase


@dataclass(frozen=True)
class Overview:
    """Everything the dashboard shows, counted only over what the user may see."""

    total: int
    by_top_code: list[tuple[str, int]]
    by_phase: list[tuple[str, int]]
    due_this_month: int
    due_this_year: int
    due_list: list[Due]
    waiting_for_event: int


def _phase_expr(today: dt.date) -> ColumnElement[str]:
    """Return SQL computing each document's phase on `today` (as retention.phase_on does)."""
    fate = case(*((Document.final_fate == f, literal(p)) for f, p in FATE_PHASE.items()),
                else_=literal("inaktif"))
    return case(
        (or_(Document.active_until.is_(None), Document.active_until > today), literal("aktif")),
        (or_(Document.inactive_until.is_(None), Document.inactive_until > today),
         literal("inaktif")),
        else_=fate,
    )


def _by_top(per_code: Iterable[tuple[str, int]], parents: dict[str, str | None]
            ) -> list[tuple[str, int]]:
    """Add the counts of codes up to their top-level code; largest first."""
    totals: dict[str, int] = {}
    for code, n in per_code:
        top, seen = code, set()
        while (parent := parents.get(top)) and top not in seen:
            seen.add(top)
            top = parent
        totals[top] = totals.get(top, 0) + int(n)
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def _due_between(start: dt.date, end: dt.date) -> ColumnElement[bool]:
    return or_(Document.active_until.between(start, end),
               Document.inactive_until.between(start, end))


def overview(archive: Archive, principal: Principal, today: dt.date | None = None, *,
             list_limit: int = 10) -> Overview:
    """Return the dashboard's figures for `principal` on `today`."""
    today = today or dt.date.today()
    month_start = today.replace(day=1)
    month_end = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    year_start, year_end = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    # What the archive holds: records destroyed or handed over have left its retention cycle.
    # Personal data (a case's identity scans) is neither counted nor listed here.
    visible = Document.security.in_(classes_up_to(principal.clearance)) \
        & in_reach(Document.office_id, principal) & Document.disposition.is_(None) \
        & Document.personal.is_(False)
    phase = _phase_expr(today)
    with archive.db.read() as session:
        total = session.scalar(select(func.count(Document.id)).where(visible)) or 0
        per_code = session.execute(select(Document.classification_code, func.count(Document.id))
                                   .where(visible).group_by(Document.classification_code)).all()
        parents = dict(session.execute(select(Classification.code,
                                              Classification.parent_code)).all())
        counted = dict(session.execute(select(phase, func.count(Document.id)).where(visible)
                                       .group_by(phase)).all())
        month = session.scalar(select(func.count(Document.id)).where(
            visible, _due_between(month_start, month_end))) or 0
        year = session.scalar(select(func.count(Document.id)).where(
            visible, _due_between(year_start, year_end))) or 0
        waiting = session.scalar(select(func.count(Document.id)).where(
            visible, Document.active_until.is_(None))) or 0
        when = case((Document.active_until.between(month_start, month_end),
                     Document.active_until), else_=Document.inactive_until)
        # The titles only for those who read records; the counts for every role that sees them.
        rows = [] if not can(principal.roles, "document.read") else session.execute(
            select(Document.id, Document.title, Document.classification_code, when,
                   Document.active_until, Document.final_fate)
            .where(visible, _due_between(month_start, month_end))
            .order_by(when, Document.id).limit(list_limit)).all()
    due = [Due(r[0], r[1], r[2], r[3],
               "inaktif" if r[4] is not None and month_start <= r[4] <= month_end
               else FATE_PHASE.get(r[5] or "", "inaktif")) for r in rows]
    return Overview(
        total=total,
        by_top_code=_by_top(per_code, parents),
        by_phase=[(p, int(counted.get(p, 0))) for p in PHASES],
        due_this_month=month,
        due_this_year=year,
        due_list=due,
        waiting_for_event=waiting,
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: its label, its value, where it starts and how long it is."""

    label: str
    value: int
    y: int
    length: int


@dataclass(frozen=True)
class Chart:
    """The geometry of a horizontal bar chart (drawn as SVG by the template)."""

    items: list[Bar]
    width: int
    height: int
    bar: int
    label_width: int


def bars(values: list[tuple[str, int]], *, width: int = 320, bar: int = 18,
         gap: int = 6, label_width: int = 110) -> Chart:
    """Return the geometry of a horizontal bar chart of `values` (label, count)."""
    peak = max((n for _, n in values), default=0) or 1
    room = width - label_width - 50
    items = [Bar(label=label, value=n, y=i * (bar + gap),
                 length=round(room * n / peak) if n else 0)
             for i, (label, n) in enumerate(values)]
    return Chart(items=items, width=width, height=max(1, len(values)) * (bar + gap), bar=bar,
                 label_width=label_width)
