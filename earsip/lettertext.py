"""The text of a letter as its readers (earsip.letterparse, earsip.letterdates) see it: lines
cleaned of OCR's specks, a label column re-paired with its values, and the head where a
letterhead, number and subject can be. Standard library only.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 60_000  # a letter's first pages; the rest (lampiran) carries no header fields
MAX_LINES = 1_500
MAX_LINE = 400
HEAD_LINES = 40  # where a letterhead, number and subject can be
MIN_YEAR = 1945

# OCR's letters for digits, undone where a part is otherwise all digits.
_DIGITISH = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1"})

# --------------------------------------------------------------------------- text and lines

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u3000]+")


def _lines(text: str) -> list[str]:
    """Return the text's lines (capped), normalised: NFKC, plain dashes, single spaces."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_DASHES)
    out: list[str] = []
    for raw in text.replace("\r", "\n").replace("\f", "\n").split("\n")[:MAX_LINES]:
        line = _SPECKS.sub("", _SPACES.sub(" ", raw[:MAX_LINE]).strip()).strip()
        # "Nomor" and ": 197/..." drawn in two columns come out of a PDF as two lines.
        if line.startswith((":", ";")) and out and _BARE_LABEL.fullmatch(out[-1]):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return _pair_label_column(out)


def _pair_label_column(lines: list[str]) -> list[str]:
    """Put a column of bare labels back beside its column of values.

    OCR often reads "Nomor / Sifat / Lampiran / Perihal" as one block and the values (": 197/…",
    ": Biasa", …) as the next; the n-th value line (blank and place-and-date lines skipped) is
    given to the n-th label. Only the first such column in the header is paired.
    """
    for start in range(min(len(lines), HEAD_LINES)):
        run = start
        while run < len(lines) and _HEADER_LABEL.fullmatch(lines[run]):
            run += 1
        if run - start < 2:
            continue
        labels = lines[start:run]
        rest = lines[run:]
        values: list[tuple[int, str]] = []
        for index, line in enumerate(rest[:HEAD_LINES]):
            if len(values) == len(labels):
                break
            if line and not (_PLACE.match(line) and _DATE.search(line)):
                values.append((index, line))
        taken = {index for index, _ in values}
        paired = [f"{label} {re.sub(r'^[:;-] ?', ': ', value)}"
                  for label, (_, value) in zip(labels, values, strict=False)]
        paired += labels[len(values):]
        kept = [line for index, line in enumerate(rest) if index not in taken]
        return [*lines[:start], *paired, *kept]
    return lines


# What a scan's speckles and rules become in OCR at the ends of a line: "Kepada |", "' Dengan".
_SPECKS = re.compile(r"^[|'‘’\"“”„_~`»«]+ ?| ?[|_~`»«“”]+$")
_JUNK = r"(?:[^\w\s]{1,3} ?)?"  # a speck OCR put before a label: ". Lampiran", "- Perihal"
_HEADER_LABEL = re.compile(r"(?:nomor|no\.?|sifat|lampiran|lamp\.|perihal|hal|tanggal)\s?[:;]?",
                           re.IGNORECASE)
_BARE_LABEL = re.compile(r"[A-Za-z][A-Za-z./ ]{0,20}")
_BODY_START = re.compile(r"^(?:dengan hormat|assalamu|menindaklanjuti|sehubungan|berdasarkan"
                         r"|bersama ini|yang bertanda tangan)", re.IGNORECASE)


def _head(lines: list[str]) -> list[str]:
    """Return the lines before the body starts (where the header fields are)."""
    for index, line in enumerate(lines[:HEAD_LINES * 2]):
        if _BODY_START.match(line):
            return lines[:index]
    return lines[:HEAD_LINES]


# Dates as letters write them (the place-and-date line), shared by the readers of dates and
# of the label column.
_MONTHS = {
    "januari": 1, "january": 1, "jan": 1,
    "februari": 2, "pebruari": 2, "february": 2, "feb": 2, "peb": 2,
    "maret": 3, "march": 3, "mar": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "june": 6, "jun": 6,
    "juli": 7, "july": 7, "jul": 7,
    "agustus": 8, "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "agust": 8,
    "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10,
    "november": 11, "nopember": 11, "nov": 11, "nop": 11,
    "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_NAMES = {"senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
              "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_YEAR_OCR = r"[12][0-9Oo]{3}"
_DATE = re.compile(
    rf"(?<![\w.\-])(?P<d>[0-3]?[0-9])\s?(?P<mn>{_MONTH_NAMES})\.?,?\s?(?P<y>{_YEAR_OCR})(?!\w)"
    rf"|(?<![\w/.\-])(?P<mn2>{_MONTH_NAMES})\.?\s(?P<d2>[0-3]?[0-9]),?\s(?P<y2>{_YEAR_OCR})(?!\w)"
    rf"|(?<![\w/.\-])(?P<d3>[0-3]?[0-9])\s?(?P<sep>[-/.])\s?(?P<m3>[01]?[0-9])\s?(?P=sep)\s?"
    rf"(?P<y3>{_YEAR_OCR})(?![\w/])",
    re.IGNORECASE)
_PLACE = re.compile(r"^(?P<place>[A-Z][A-Za-z.'\-]+(?: [A-Z][A-Za-z.'\-]+){0,3}) ?, ?\S")
_DATE_LABEL = re.compile(r"(?:^|\s)(?:tanggal|tgl\.?|date)\s*[:.]", re.IGNORECASE)
