"""Dates, times, numbers and sizes as a person reads them; exports in the reader's language."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from flask import Flask

from config import Config
from earsip import create_app
from earsip.web import formatting
from tests.conftest import sign_in
from tests.helpers import file_doc

MOMENT = dt.datetime(2026, 12, 7, 8, 30, 5)  # naive UTC, as stored


def _in(app: Flask, language: str, call):
    with app.test_request_context("/", headers={"Cookie": f"earsip_lang={language}"}):
        return call()


def test_a_stored_moment_reads_in_the_office_zone_written_out_in_each_language(
        app: Flask) -> None:
    assert _in(app, "id", lambda: formatting.when(MOMENT)) == "7 Desember 2026 15.30 WIB"
    assert _in(app, "en", lambda: formatting.when(MOMENT)) == "7 December 2026 15:30 WIB"
    assert _in(app, "id", lambda: formatting.when(MOMENT, seconds=True)) == \
        "7 Desember 2026 15.30.05 WIB"
    # Late in the UTC evening it is already the next day in Jakarta.
    late = dt.datetime(2026, 12, 31, 20, 0)
    assert _in(app, "id", lambda: formatting.day(late)) == "1 Januari 2027"
    assert _in(app, "id", lambda: formatting.day(dt.date(2024, 8, 17))) == "17 Agustus 2024"
    assert _in(app, "id", lambda: formatting.day("2024-08-17")) == "17 Agustus 2024"
    assert _in(app, "id", lambda: formatting.when("2026-12-07T08:30:05Z")) == \
        "7 Desember 2026 15.30 WIB"
    assert _in(app, "id", lambda: formatting.day(None)) == "—"


@pytest.mark.parametrize(("zone", "named"), [("Asia/Makassar", "16.30 WITA"),
                                             ("Asia/Jayapura", "17.30 WIT"),
                                             ("Europe/Amsterdam", "09.30 UTC+01:00")])
def test_the_office_time_zone_is_a_setting(config: Config, archive, zone: str,
                                           named: str) -> None:
    app = create_app(dataclasses.replace(config, timezone=zone))
    try:
        assert _in(app, "id", lambda: formatting.when(MOMENT)).endswith(named)
    finally:
        app.extensions["earsip"].close()


def test_an_unknown_time_zone_stops_the_start_with_a_clear_message() -> None:
    with pytest.raises(SystemExit, match="EARSIP_TIMEZONE"):
        Config.from_env({"EARSIP_TIMEZONE": "Asia/Mojokerto", "EARSIP_SECRET_KEY": "x"})
    assert Config.from_env({"EARSIP_TIMEZONE": "Asia/Makassar",
                            "EARSIP_SECRET_KEY": "x"}).timezone == "Asia/Makassar"


def test_numbers_and_sizes_are_grouped_the_readers_way(app: Flask) -> None:
    assert _in(app, "id", lambda: formatting.number(1234567)) == "1.234.567"
    assert _in(app, "en", lambda: formatting.number(1234567)) == "1,234,567"
    assert _in(app, "id", lambda: formatting.size(512)) == "512 B"
    assert _in(app, "id", lambda: formatting.size(1536)) == "1,5 KB"
    assert _in(app, "en", lambda: formatting.size(5 * 1024 * 1024 + 300_000)) == "5.3 MB"


def test_the_browsers_retention_export_speaks_the_readers_language(
        client, archive, tmp_path: Path) -> None:
    file_doc(archive, tmp_path, code="KA.00", date="2015-03-01", title="Surat edaran lama")
    sign_in(client)
    answer = client.get("/retention/export?kind=due&format=csv")
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert rows[0]["Judul"] == "Surat edaran lama"
    assert rows[0]["Tanggal dokumen"] == "1 Maret 2015"
    assert rows[0]["Klasifikasi keamanan"] == "Biasa/Terbuka"
    assert rows[0]["Fase berikutnya"] in ("usul musnah", "")
    assert rows[0]["Ditahan"] == "tidak"
    client.set_cookie("earsip_lang", "en")
    answer = client.get("/retention/export?kind=due&format=csv")
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert rows[0]["Title"] == "Surat edaran lama" and rows[0]["Document date"] == "1 March 2015"
    assert rows[0]["On hold"] == "no"
    book = openpyxl.load_workbook(io.BytesIO(
        client.get("/retention/export?kind=due&format=xlsx").get_data()))
    sheet = book.active
    assert sheet["B1"].value == "Number" and sheet["E1"].value == "Document date"
    assert sheet["E2"].value == dt.datetime(2015, 3, 1) and sheet["E2"].number_format == \
        "d mmmm yyyy"


def test_the_api_export_keeps_codes_and_iso_dates_for_programs(
        client, archive, tmp_path: Path, token_for) -> None:
    file_doc(archive, tmp_path, code="KA.00", date="2015-03-01", title="Surat edaran lama")
    answer = client.get("/api/v1/retention/report?kind=due&format=csv", headers=token_for())
    assert answer.status_code == 200, answer.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert rows[0]["title"] == "Surat edaran lama" and rows[0]["document_date"] == "2015-03-01"
    assert rows[0]["security"] == "biasa"
