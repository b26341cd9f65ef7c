"""Dates, times, numbers and sizes the way a person reads them in the interface language.

Stored times are naive UTC; a person reads them in the office's time zone (`EARSIP_TIMEZONE`,
Asia/Jakarta by default), named the Indonesian way (WIB, WITA, WIT). Dates are written out
("7 Desember 2026"), numbers grouped ("12.345") and sizes in KB/MB. The API keeps ISO 8601.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from flask import Flask, current_app
from flask_babel import get_locale

from earsip.paperwork_words import zone_name  # WIB, WITA, WIT; elsewhere the UTC offset


def _locale() -> str:
    return str(get_locale() or "id")


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.extensions["earsip"].config.timezone)


def _parse(value: str) -> dt.date | dt.datetime:
    """Return the date or moment of an ISO 8601 text (as the services' dicts carry them)."""
    text = value.strip().replace("Z", "+00:00")
    if len(text) == 10:
        return dt.date.fromisoformat(text)
    return dt.datetime.fromisoformat(text)


def local_time(moment: dt.datetime) -> dt.datetime:
    """Return a stored (naive UTC) or aware moment in the office's time zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(_zone())


def day(value: dt.date | dt.datetime | str | None) -> str:
    """Return a date written out: 7 Desember 2026 (a moment: its local date)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        value = _parse(value)
    if isinstance(value, dt.datetime):
        value = local_time(value).date()
    return format_date(value, "d MMMM y", locale=_locale())


def month(value: dt.date | None) -> str:
    """Return a month written out: Desember 2026."""
    if value is None:
        return "—"
    return format_date(value, "MMMM y", locale=_locale())


def when(value: dt.datetime | str | None, *, seconds: bool = False) -> str:
    """Return a moment as its local date and time: 7 Desember 2026 15.30 WIB."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        parsed = _parse(value)
        if not isinstance(parsed, dt.datetime):
            return day(parsed)
        value = parsed
    local = local_time(value)
    sep = "." if _locale() == "id" else ":"
    clock = f"{local:%H}{sep}{local:%M}" + (f"{sep}{local:%S}" if seconds else "")
    return f"{format_date(local.date(), 'd MMMM y', locale=_locale())} {clock} {zone_name(local)}"


def number(value: int | float | None) -> str:
    """Return a number grouped the interface language's way (12.345 in Indonesian)."""
    if value is None:
        return "—"
    return format_decimal(value, locale=_locale())


def size(value: int | None) -> str:
    """Return a byte count as B, KB, MB or GB (1024-based, one decimal)."""
    if value is None:
        return "—"
    amount, unit = float(value), "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if amount < 1024 or unit == "TB":
            break
        amount /= 1024
    if unit == "B":
        return f"{number(int(amount))} B"
    return f"{format_decimal(round(amount, 1), format='#,##0.0', locale=_locale())} {unit}"


def register(app: Flask) -> None:
    """Make the formats available to every template as filters."""
    app.add_template_filter(day, "day")
    app.add_template_filter(when, "when")
    app.add_template_filter(month, "month")
    app.add_template_filter(number, "number")
    app.add_template_filter(size, "size")
