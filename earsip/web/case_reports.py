"""The PPID's annual report page (Laporan Layanan Informasi Publik) with its chart of the
months drawn as SVG by our own code, and the downloads: the report (PDF, XLSX) and the two
registers (Buku Register Permohonan, Register Keberatan) as CSV, XLSX or PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, render_template, request
from flask_babel import format_date
from werkzeug.wrappers import Response

from earsip.errors import ValidationError
from earsip.http import attachment
from earsip.schemas.base import date_or_none
from earsip.schemas.case_reports import MonthFigures
from earsip.services.cases import annual, calendar, papers
from earsip.web.common import archive, client, principal, requires

bp = Blueprint("case_reports", __name__)
YEARS_BACK = 6

# The chart's frame (SVG user units).
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 36, 28, 12


@dataclass(frozen=True)
class Bar:
    """One bar of the chart, in the SVG's units."""

    x: float
    y: float
    width: float
    height: float
    value: int
    kind: str  # "requests" or "objections": its CSS class


@dataclass(frozen=True)
class Chart:
    """The bar chart of the months: bars, month labels, the value scale's lines."""

    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, int]]
    left: int
    base: float


def chart_of(months: list[MonthFigures], names: list[str]) -> Chart:
    """Lay out the requests and objections of each month as side-by-side bars, each month
    labelled by its short name in `names`."""
    top = max([1, *(m.requests for m in months), *(m.objections for m in months)])
    step = max(1, -(-top // 4))
    peak = step * -(-top // step)
    room = HEIGHT - BOTTOM - TOP
    base = float(HEIGHT - BOTTOM)
    slot = (WIDTH - LEFT) / 12
    bar = slot * 0.36
    bars: list[Bar] = []
    for i, m in enumerate(months):
        x = LEFT + i * slot + slot * 0.12
        for j, (value, kind) in enumerate(((m.requests, "requests"),
                                           (m.objections, "objections"))):
            height = room * value / peak
            bars.append(Bar(round(x + j * bar, 1), round(base - height, 1), round(bar, 1),
                            round(height, 1), value, kind))
    labels = [(round(LEFT + (i + 0.5) * slot, 1), name) for i, name in enumerate(names)]
    ticks = [(round(base - room * v / peak, 1), v) for v in range(0, peak + 1, step)]
    return Chart(WIDTH, HEIGHT, bars, labels, ticks, LEFT, base)


def _year() -> int:
    today = archive().local_today()
    raw_year = (request.args.get("year") or "").strip()
    if raw_year.isdecimal() and len(raw_year) == 4 \
            and calendar.FIRST_YEAR <= int(raw_year) <= calendar.LAST_YEAR:
        return int(raw_year)
    # Before the report's due date the year to report on is the last one.
    return today.year - 1 if today.month <= 3 else today.year


@bp.get("/reports/information-service")
@requires("case.read")
def page() -> str:
    year = _year()
    figures = annual.report(archive(), principal(), year)
    this_year = archive().local_today().year
    years = sorted({*range(this_year - YEARS_BACK, this_year + 1), year}, reverse=True)
    firsts = [dt.date(year, m, 1) for m in range(1, 13)]
    short = [format_date(d, "MMM") for d in firsts]
    return render_template("case_reports/report.html", figures=figures, year=year,
                           years=years, chart=chart_of(list(figures.months), short),
                           months=[format_date(d, "MMMM") for d in firsts],
                           reasons=papers.REASONS)


@bp.get("/reports/information-service/export")
@requires("case.read")
def export_report() -> Response:
    fmt = request.args.get("format", "pdf")
    body, name = annual.export_report(archive(), principal(), _year(),
                                      fmt if fmt in ("pdf", "xlsx") else "pdf",
                                      client_addr=client())
    return attachment(body, name)


@bp.get("/cases/registers/requests/export")
@requires("case.read")
def export_requests() -> Response:
    return _register("requests")


@bp.get("/cases/registers/objections/export")
@requires("case.read")
def export_objections() -> Response:
    return _register("objections")


def _register(kind: str) -> Response:
    fmt = request.args.get("format", "csv")
    year = _year()
    try:
        period = papers.Period(year, date_or_none(request.args.get("from"), "from",
                                                  required=False),
                               date_or_none(request.args.get("to"), "to", required=False))
        period.bounds()
    except ValidationError:
        period = papers.Period(year)
    body, name = papers.export_register(archive(), principal(), kind, period,
                                        fmt if fmt in papers.FORMATS else "csv",
                                        client_addr=client())
    return attachment(body, name)
