"""CSV and XLSX exports: read back with csv and openpyxl; formulas never survive as formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from earsip.tabular import neutralise, sheet_title, to_csv, to_xlsx

DANGEROUS = [
    "=HYPERLINK(\"http://contoh.invalid\",\"klik\")",
    "+62 321 123456",
    "-1+2",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
]
NON_LATIN = [
    "Pengawasan “Pemilu” — tahap ‘akhir’",
    "ꦧꦮꦱ꧀ꦭꦸ ꦩꦗꦏꦼꦂꦠ",  # Javanese script
    "بوسلو",
    "选举监督",
    "Кампания",
    "Arsip 🗂️ digital",
]
HEADERS = ["No", "Judul", "Tanggal", "Jumlah"]


def read_csv(data: bytes) -> list[list[str]]:
    """Parse CSV bytes the way a careful reader would (BOM removed)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def read_xlsx(data: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    """Return the only worksheet of an XLSX file."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert len(wb.worksheets) == 1
    return wb.worksheets[0]


# --------------------------------------------------------------------------- neutralise


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_that_would_be_a_formula_gets_a_quote(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["", "Surat keputusan", "1-2", "KP.01", "'=sudah", " =1",
                                   "e-mail", "#N/A"])
def test_harmless_text_is_left_alone(value: str) -> None:
    assert neutralise(value) == value


# --------------------------------------------------------------------------- CSV


def test_csv_starts_with_a_bom_and_round_trips() -> None:
    data = to_csv(HEADERS, [[1, "Surat, \"penting\"\nbaris dua", dt.date(2026, 11, 30), 3]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert read_csv(data) == [HEADERS, ["1", "Surat, \"penting\"\nbaris dua", "2026-11-30", "3"]]


def test_every_dangerous_prefix_is_neutralised_in_csv() -> None:
    rows = [[i, value, None, 0] for i, value in enumerate(DANGEROUS)]
    parsed = read_csv(to_csv(HEADERS, rows))
    assert [r[1] for r in parsed[1:]] == ["'" + v for v in DANGEROUS]


def test_headers_are_neutralised_too() -> None:
    assert read_csv(to_csv(["=cmd", "Judul"], []))[0] == ["'=cmd", "Judul"]


def test_numbers_given_as_numbers_stay_numbers_in_csv() -> None:
    parsed = read_csv(to_csv(["a", "b", "c", "d"], [[-5, -1.5, Decimal("-2.50"), "-5"]]))
    assert parsed[1] == ["-5", "-1.5", "-2.50", "'-5"]


def test_csv_writes_dates_and_times_as_iso_and_none_as_empty() -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    row = [dt.datetime(2026, 11, 30, 9, 5, 7, 123, tzinfo=wib), dt.date(2028, 2, 29), None, True]
    assert read_csv(to_csv(["a", "b", "c", "d"], [row]))[1] == [
        "2026-11-30T09:05:07+07:00", "2028-02-29", "", "true",
    ]


def test_non_latin_text_round_trips_through_csv() -> None:
    parsed = read_csv(to_csv(["Judul"], [[t] for t in NON_LATIN]))
    assert [r[0] for r in parsed[1:]] == NON_LATIN


def test_other_objects_are_written_as_neutralised_text() -> None:
    class Title:
        def __str__(self) -> str:
            return "=jahat()"

    assert read_csv(to_csv(["a"], [[Title()]]))[1] == ["'=jahat()"]


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError):
        to_csv(HEADERS, [[1, 2]])
    with pytest.raises(ValueError):
        to_xlsx(HEADERS, [[1, 2, 3, 4, 5]], title="x")


# --------------------------------------------------------------------------- XLSX


def test_the_xlsx_header_is_bold_and_frozen() -> None:
    ws = read_xlsx(to_xlsx(HEADERS, [[1, "Surat", dt.date(2026, 1, 2), 4]], title="Retensi"))
    assert ws.title == "Retensi"
    assert [c.value for c in ws[1]] == HEADERS
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D2"


def test_every_dangerous_prefix_is_neutralised_in_xlsx() -> None:
    rows = [[i, value, None, 0] for i, value in enumerate(DANGEROUS)]
    ws = read_xlsx(to_xlsx(HEADERS, rows, title="Uji"))
    cells = [row[1] for row in ws.iter_rows(min_row=2)]
    assert [c.value for c in cells] == ["'" + v for v in DANGEROUS]
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_keeps_types_numbers_dates_and_text_apart() -> None:
    rows = [[-5, "-5", dt.date(2028, 2, 29), dt.datetime(2026, 11, 30, 14, 30)],
            [Decimal("2.5"), "#N/A", True, 10**16]]
    ws = read_xlsx(to_xlsx(HEADERS, rows, title="Jenis"))
    number, text, day, moment = ws[2]
    assert number.value == -5 and number.data_type == "n"
    assert text.value == "'-5" and text.data_type == "s"
    assert day.is_date and day.value == dt.datetime(2028, 2, 29)
    assert moment.is_date and moment.value == dt.datetime(2026, 11, 30, 14, 30)
    decimal, error_like, flag, big = ws[3]
    assert decimal.value == 2.5
    assert error_like.value == "#N/A" and error_like.data_type == "s"
    assert flag.value is True
    # Beyond 15 digits Excel would round the number: it is kept exact as text.
    assert big.value == str(10**16) and big.data_type == "s"


def test_aware_datetimes_keep_their_wall_clock_time_in_xlsx() -> None:
    wib = dt.timezone(dt.timedelta(hours=7))
    ws = read_xlsx(to_xlsx(["t"], [[dt.datetime(2026, 11, 30, 9, 0, tzinfo=wib)]], title="t"))
    assert ws["A2"].value == dt.datetime(2026, 11, 30, 9, 0)


def test_non_latin_text_round_trips_through_xlsx() -> None:
    ws = read_xlsx(to_xlsx(["Judul"], [[t] for t in NON_LATIN], title="Judul"))
    assert [row[0].value for row in ws.iter_rows(min_row=2)] == NON_LATIN


def test_control_characters_and_huge_cells_do_not_break_the_xlsx() -> None:
    ws = read_xlsx(to_xlsx(["a", "b"], [["awal\x00\x07akhir", "x" * 40_000]], title="Kendali"))
    assert ws["A2"].value == "awal\ufffd\ufffdakhir"
    assert len(ws["B2"].value) == 32_767


def test_column_widths_follow_the_content_within_bounds() -> None:
    rows = [[1, "Surat keputusan tentang penetapan jadwal retensi arsip", "", "y" * 500]]
    ws = read_xlsx(to_xlsx(HEADERS, rows, title="Lebar"))
    widths = [ws.column_dimensions[col].width for col in "ABCD"]
    assert widths[0] == 8
    assert 50 < widths[1] <= 60
    assert widths[3] == 60


@pytest.mark.parametrize(("title", "expected"), [
    ("Retensi aktif", "Retensi aktif"),
    ("retensi [aktif]: 2026/2027? *semua* \\ unit", "retensi aktif 2026 2027 semua u"),
    ("'kutip'", "kutip"),
    ("", "Data"),
    ("[]:*?/\\", "Data"),
    ("History", "Data"),
    ("Daftar arsip usul musnah tahun anggaran 2026", "Daftar arsip usul musnah tahun"),
    ("🗂️" * 20, "🗂️" * 10),
])
def test_sheet_titles_are_made_valid(title: str, expected: str) -> None:
    assert sheet_title(title) == expected
    ws = read_xlsx(to_xlsx(["a"], [[1]], title=title))
    assert ws.title == expected
    assert len(expected.encode("utf-16-le")) // 2 <= 31


def test_an_empty_table_still_makes_a_valid_workbook() -> None:
    ws = read_xlsx(to_xlsx(HEADERS, [], title="Kosong"))
    assert [c.value for c in ws[1]] == HEADERS
    assert ws.max_row == 1


def test_rows_may_come_from_a_generator() -> None:
    rows = ([i, f"Arsip {i}", dt.date(2026, 1, 1), i] for i in range(1, 1001))
    ws = read_xlsx(to_xlsx(HEADERS, rows, title="Banyak"))
    assert ws.max_row == 1001 and ws["B1001"].value == "Arsip 1000"
    rows = ([i, f"Arsip {i}", None, i] for i in range(3))
    assert len(read_csv(to_csv(HEADERS, rows))) == 4
