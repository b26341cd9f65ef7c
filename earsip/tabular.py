"""Tables as CSV and XLSX downloads (csv, openpyxl), safe to open in a spreadsheet program.

Every string cell is neutralised: one that a spreadsheet would read as a formula (`=`, `+`, `-`,
`@`, tab, carriage return at the start) gets a leading `'`, so a record title like
`=HYPERLINK(...)` is shown, never evaluated (CSV/formula injection). Numbers, dates and booleans
passed as such stay numbers, dates and booleans.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

if TYPE_CHECKING:
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel shows at most 32,767 characters in a cell and asks to "repair" files with longer ones.
MAX_CELL_CHARS = 32_767
# Excel keeps 15 significant digits: larger integers (NIK, account numbers) go in as text.
MAX_EXACT_INT = 10**15
MAX_TITLE_CHARS = 31
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f\x7f]")
_WIDTH_SAMPLE_ROWS = 1000


def neutralise(value: str) -> str:
    """Prefix `'` to a string a spreadsheet would evaluate as a formula."""
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def restore(value: str) -> str:
    """Undo `neutralise` on a value read back from a table E-Arsip wrote (a round trip)."""
    if value.startswith("'") and value[1:].startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


# --------------------------------------------------------------------------- CSV


def to_csv(headers: list[str], rows: Iterable[Sequence[object]]) -> bytes:
    """Return the table as UTF-8 CSV with a BOM (so Excel reads Indonesian text correctly)."""
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        _check_width(headers, row)
        writer.writerow([_csv_value(v) for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _csv_value(value: object) -> str:
    """Return one CSV field: numbers as written, dates as ISO 8601, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return neutralise(str(value))


def _check_width(headers: Sequence[str], row: Sequence[object]) -> None:
    """Refuse a row whose length differs from the header's (it would shift every column)."""
    if len(row) != len(headers):
        raise ValueError(f"row has {len(row)} cells, headers have {len(headers)}")


# --------------------------------------------------------------------------- XLSX


def to_xlsx(headers: list[str], rows: Iterable[Sequence[object]], *, title: str,
            date_format: str = "yyyy-mm-dd",
            datetime_format: str = "yyyy-mm-dd hh:mm:ss") -> bytes:
    """Return the table as an XLSX workbook: bold frozen header, typed cells, fitted columns.

    Dates are real date cells shown in `date_format` (e.g. "d mmmm yyyy": Excel writes the
    month's name in its own language; "[$-421]d mmmm yyyy" in Indonesian); datetimes in
    `datetime_format`.

    Aware datetimes are written as their wall-clock time (Excel has no time zones): convert
    them to the office's local time first.
    """
    table = list(rows)
    for row in table:
        _check_width(headers, row)
    wb = Workbook(write_only=True)
    wb.properties.title = _xlsx_text(title)
    wb.properties.creator = "E-Arsip"
    ws = wb.create_sheet(title=sheet_title(title))
    # A write-only sheet takes its layout before the first row.
    for index, width in enumerate(_column_widths(headers, table), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(table) + 1}"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, value=neutralise(_xlsx_text(str(header))))
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in table:
        ws.append([_xlsx_cell(ws, value, date_format, datetime_format) for value in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _xlsx_text(value: str) -> str:
    """Return text openpyxl accepts: control characters as U+FFFD, at most 32,767 characters."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)[:MAX_CELL_CHARS]


def _xlsx_cell(ws: WriteOnlyWorksheet, value: object, date_format: str = "yyyy-mm-dd",
               datetime_format: str = "yyyy-mm-dd hh:mm:ss") -> Cell | None:
    """Return a typed cell: numbers, booleans and dates as such, everything else as text."""
    if value is None:
        return None
    if isinstance(value, bool):
        return WriteOnlyCell(ws, value=value)
    if isinstance(value, int) and abs(value) < MAX_EXACT_INT:
        return WriteOnlyCell(ws, value=value)
    if isinstance(value, Decimal | float) and math.isfinite(value):
        return WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # Decimal: written as a number
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
        cell.number_format = datetime_format
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)  # type: ignore[arg-type]  # openpyxl writes it; its stubs allow datetime only
        cell.number_format = date_format
        return cell
    if isinstance(value, dt.time):
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))  # type: ignore[arg-type]  # openpyxl writes it; its stubs allow datetime only
        cell.number_format = "hh:mm:ss"
        return cell
    # Cleaning first and neutralising last: removing a control character must not uncover `=`.
    cell = WriteOnlyCell(ws, value=neutralise(_xlsx_text(str(value))))
    # Forced to text: openpyxl would otherwise make "#N/A" an error cell.
    cell.data_type = "s"
    # "@" (Text) keeps Excel from re-reading the cell as a formula or number when it is edited.
    cell.number_format = "@"
    return cell


def _display_width(value: object) -> int:
    """Estimate how many character cells a value takes (wide East Asian characters count 2)."""
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    text = "" if value is None else str(value)
    longest = max((len(line) + sum(unicodedata.east_asian_width(ch) in "WF" for ch in line)
                   for line in text.splitlines() or [""]), default=0)
    return longest


def _column_widths(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[float]:
    """Fit each column to its header and the first rows, between 8 and 60 characters."""
    widths = [_display_width(h) for h in headers]
    for row in rows[:_WIDTH_SAMPLE_ROWS]:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], _display_width(value))
    return [min(max(w + 2, 8), 60) for w in widths]


def sheet_title(title: str) -> str:
    """Return a valid worksheet title: no []:*?/\\ or control characters, at most 31 characters."""
    cleaned = _TITLE_FORBIDDEN.sub(" ", unicodedata.normalize("NFC", title))
    cleaned = " ".join(cleaned.split()).strip("'")
    # Excel counts UTF-16 code units, so a character outside the BMP takes two of the 31.
    out = ""
    for ch in cleaned:
        if len((out + ch).encode("utf-16-le")) // 2 > MAX_TITLE_CHARS:
            break
        out += ch
    out = out.strip().strip("'")
    # "History" is reserved by Excel for its change-tracking sheet.
    if not out or out.casefold() == "history":
        return "Data"
    return out
