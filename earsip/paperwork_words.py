"""Indonesian words for numbers and dates (terbilang), as a berita acara spells them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

_ONES = (
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
)
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))
_LIMIT = 10**15
_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)
# The abbreviations Indonesians use for their three zones; elsewhere the UTC offset.
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA",
              "Asia/Jayapura": "WIT"}


# --------------------------------------------------------------------------- words


def number_in_words(n: int) -> str:
    """Spell a whole number from 0 to 999 triliun in Bahasa Indonesia (terbilang)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number_in_words needs an int, got {type(n).__name__}")
    if n < 0 or n >= _LIMIT:
        raise ValueError(f"number_in_words supports 0 to {_LIMIT - 1}, got {n}")
    if n == 0:
        return "nol"
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words += [*_below_thousand(count), name]
    thousands, n = divmod(n, 1000)
    # "se-" replaces "satu" only for a lone thousand (seribu), never for millions (satu juta).
    if thousands == 1:
        words.append("seribu")
    elif thousands:
        words += [*_below_thousand(thousands), "ribu"]
    words += _below_thousand(n)
    return " ".join(words)


def _below_thousand(n: int) -> list[str]:
    """Return the words of 1..999 (nothing for 0)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_ONES[hundreds], "ratus"]
    if 0 < rest < 12:
        words.append(_ONES[rest])
    elif 12 <= rest < 20:
        words += [_ONES[rest - 10], "belas"]
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        words += [_ONES[tens], "puluh"]
        if ones:
            words.append(_ONES[ones])
    return words


def date_in_words(day: dt.date) -> str:
    """Spell a date as a berita acara does: weekday, day, month and year in words."""
    return (
        f"{_WEEKDAYS[day.weekday()]} tanggal {number_in_words(day.day)} "
        f"bulan {_MONTHS[day.month - 1]} tahun {number_in_words(day.year)}"
    )


def _formal_date(day: dt.date) -> str:
    """Return a date as written in letters, e.g. 30 November 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def formal_date(day: dt.date) -> str:
    """Return a date as written in letters, e.g. 7 Desember 2026."""
    return _formal_date(day)


def zone_name(moment: dt.datetime) -> str:
    """Return how a person names the zone of an aware local moment (WIB, or UTC+hh:mm)."""
    key = getattr(moment.tzinfo, "key", "")
    if key in ZONE_NAMES:
        return ZONE_NAMES[key]
    offset = moment.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def local_moment(moment: dt.datetime, zone: str) -> dt.datetime:
    """Return a stored (naive UTC) or aware moment in the time zone named `zone`."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(zone))


def formal_moment(moment: dt.datetime, zone: str) -> str:
    """Return a stored (naive UTC) moment as written in the office: 7 Desember 2026 09.30 WIB."""
    local = local_moment(moment, zone)
    return f"{_formal_date(local.date())} {local:%H.%M} {zone_name(local)}"
