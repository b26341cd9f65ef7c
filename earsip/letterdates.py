"""The date of an Indonesian letter: the place-and-date line (``Mojokerto, 12 Maret 2024``)
preferred over dates in its body; Indonesian and English month names, numeric dates, OCR's
slips (used by earsip.letterparse). Standard library only.
"""

from __future__ import annotations

import datetime as dt
import re

from earsip.lettertext import (
    _DATE,
    _DATE_LABEL,
    _DAY_NAMES,
    _DIGITISH,
    _MONTHS,
    _PLACE,
    MIN_YEAR,
    _head,
)


def _to_date(match: re.Match[str], today: dt.date) -> dt.date | None:
    """Return the date a match spells, or None when impossible or after `today`."""
    g = match.groupdict()
    try:
        if g["d"]:
            day, month, year = int(g["d"]), _MONTHS[g["mn"].lower()], g["y"]
        elif g["d2"]:
            day, month, year = int(g["d2"]), _MONTHS[g["mn2"].lower()], g["y2"]
        else:
            day, month, year = int(g["d3"]), int(g["m3"]), g["y3"]
        found = dt.date(int(year.translate(_DIGITISH)), month, day)
    except (KeyError, ValueError):
        return None
    if found.year < MIN_YEAR or found > today:
        return None
    return found


# The place right before a date, at the line's start or after the number on the same line.
_PLACE_BEFORE = re.compile(r"(?:^|(?<=[\dIVX)]) )(?P<place>[A-Z][A-Za-z.'\-]+"
                           r"(?: [A-Z][A-Za-z.'\-]+){0,3}) ?, ?$")


def _date_score(line: str, start: int) -> int:
    """Rank where a date stands: 3 in a place-and-date line, 2 after a date label, else 0."""
    before = line[:start]
    place = _PLACE_BEFORE.search(before)
    if place and place.group("place").lower().split()[-1] not in _DAY_NAMES:
        return 3
    label = _DATE_LABEL.search(before)
    if label and "hari" not in before.lower():
        return 2
    return 0


def _find_date(lines: list[str], today: dt.date) -> dt.date | None:
    """Return the letter date: a place-and-date line first, then a labelled date, then a date
    standing alone on its line, then the first date in the header (never one in the body)."""
    header = len(_head(lines))
    best: tuple[int, int, dt.date] | None = None
    for index, line in enumerate(lines):
        for match in _DATE.finditer(line):
            found = _to_date(match, today)
            if found is None:
                continue
            score = _date_score(line, match.start())
            # "Mojokerto, 2 Ramadhan 1445 H / 12 Maret 2024": the Gregorian date of the line.
            if score == 0 and len(line) < 90:
                first = _PLACE.match(line)
                if first and first.group("place").lower().split()[-1] not in _DAY_NAMES:
                    score = 3
            if score == 0 and match.group(0) == line.strip(" .,"):
                score = 1
            if score == 0 and index >= header:
                continue
            rank = (score, -index, found)
            if best is None or rank[:2] > best[:2]:
                best = rank
    return best[2] if best else None


