"""The desk's other books and settings: the guest book (buku tamu), the working-day calendar
(read by everyone, corrected by the administrator) and the deadline rules with the election
periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_date
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.wrappers import Response

from earsip.access import can
from earsip.errors import EarsipError, ValidationError
from earsip.schemas.base import date_or_none, parse, pick
from earsip.schemas.cases import CASE_TYPES, CalendarChange, GuestInput
from earsip.schemas.rules import CLOCKS, COUNTS, REGIMES, PeriodInput, PeriodRemoval, RuleInput
from earsip.services.cases import calendar, guests, rules
from earsip.web.cases import labels
from earsip.web.common import archive, client, local_moment, local_now, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("cases_admin", __name__)


def _day_arg(name: str) -> dt.date | None:
    try:
        return date_or_none(request.args.get(name), name, required=False)
    except ValidationError:
        return None


def _guests_page(status: int = 200, form: Any = None, day: dt.date | None = None
                 ) -> tuple[str, int]:
    book = guests.list_visits(archive(), principal(), day or _day_arg("date"))
    values = form if form is not None else {"visited_at": local_now()}
    return render_template("cases/guests.html", book=book, form=values,
                           today=archive().local_today()), status


@bp.get("/guests")
@requires("case.register")
def guest_book() -> tuple[str, int]:
    return _guests_page()


@bp.post("/guests")
@requires("case.register")
def add_guest() -> tuple[str, int] | Response:
    fields = pick(request.form, GuestInput)
    fields["visited_at"] = local_moment(request.form.get("visited_at", ""))
    try:
        visit = guests.add_visit(archive(), principal(), parse(GuestInput, fields),
                                 client_addr=client())
    except EarsipError as e:
        flash(error_text(e), "error")
        return _guests_page(e.http_status, request.form)
    flash(gettext("Tamu %(name)s dicatat di buku tamu.", name=visit.name), "success")
    day = archive().local_date(visit.visited_at)
    return redirect(url_for("cases_admin.guest_book", date=day.isoformat()))


def _year() -> int:
    raw = request.args.get("year", "")
    this = archive().local_today().year
    year = int(raw) if raw.isdecimal() and len(raw) == 4 else this
    return year if calendar.FIRST_YEAR <= year <= calendar.LAST_YEAR else this


def weekday(day: dt.date) -> str:
    """The day's name in the interface language (Senin, Monday)."""
    return format_date(day, "EEEE", locale=str(get_locale() or "id"))


def _calendar_page(year: int, status: int = 200, form: Any = None) -> tuple[str, int]:
    view = calendar.year_view(archive(), principal(), year)
    return render_template("cases/calendar.html", view=view, weekday=weekday,
                           may_manage=can(principal().roles, "calendar.manage"),
                           form=form or {}), status


@bp.get("/calendar")
@requires("calendar.read")
def calendar_page() -> tuple[str, int]:
    return _calendar_page(_year())


@bp.post("/calendar")
@requires("calendar.manage")
def change_day() -> tuple[str, int] | Response:
    try:
        data = parse(CalendarChange, {**pick(request.form, CalendarChange),
                                      "working": request.form.get("working", "")})
        calendar.change(archive(), principal(), data, client_addr=client())
    except EarsipError as e:
        flash(error_text(e), "error")
        return _calendar_page(archive().local_today().year, e.http_status, request.form)
    flash(gettext("Kalender diubah: %(name)s.", name=data.name), "success")
    return redirect(url_for("cases_admin.calendar_page", year=data.date.year))


def _rules_page(status: int = 200, form: Any = None) -> tuple[str, int]:
    version, rows = rules.current(archive(), principal())
    return render_template(
        "cases/rules.html", version=version, rules=rows,
        periods=rules.periods(archive(), principal()), regimes=REGIMES, clocks=CLOCKS,
        counts=COUNTS, case_types=CASE_TYPES, form=form or {},
        may_manage=can(principal().roles, "calendar.manage"), **labels()), status


@bp.get("/calendar/rules")
@requires("calendar.read")
def rules_page() -> tuple[str, int]:
    return _rules_page()


def _rules_step(action: Any, done: str) -> tuple[str, int] | Response:
    try:
        action()
    except EarsipError as e:
        flash(error_text(e), "error")
        return _rules_page(e.http_status, request.form)
    flash(done, "success")
    return redirect(url_for("cases_admin.rules_page"))


@bp.post("/calendar/rules")
@requires("calendar.manage")
def set_rule() -> tuple[str, int] | Response:
    def action() -> None:
        data = parse(RuleInput, pick(request.form, RuleInput))
        rules.set_rule(archive(), principal(), rules.RuleRow(
            data.regime, data.case_type, data.clock, data.days, data.count, data.basis),
            data.note, client_addr=client())

    return _rules_step(action, gettext("Aturan jangka waktu diubah (versi baru berlaku untuk "
                                       "layanan yang dicatat sesudah ini)."))


@bp.post("/calendar/periods")
@requires("calendar.manage")
def add_period() -> tuple[str, int] | Response:
    def action() -> None:
        data = parse(PeriodInput, pick(request.form, PeriodInput))
        rules.add_period(archive(), principal(), data.name, data.starts_on, data.ends_on,
                         client_addr=client())

    return _rules_step(action, gettext("Periode tahapan ditambahkan."))


@bp.post("/calendar/periods/remove")
@requires("calendar.manage")
def remove_period() -> tuple[str, int] | Response:
    def action() -> None:
        data = parse(PeriodRemoval, pick(request.form, PeriodRemoval))
        rules.remove_period(archive(), principal(), data.period_id, client_addr=client())

    return _rules_step(action, gettext("Periode tahapan dihapus."))
