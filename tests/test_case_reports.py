"""The PPID's registers (Buku Register Permohonan, Register Keberatan) and the annual Laporan
Layanan Informasi Publik, checked against a hand-made year of cases registered and decided
through the services, on the real calendar of 2025."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import openpyxl
import pytest
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from earsip.access import Principal
from earsip.models import AuditEntry, Case
from earsip.schemas.cases import CaseInput, DecisionInput
from earsip.services import Archive
from earsip.services.cases import annual, handling, intake, papers, rules
from earsip.web.case_reports import chart_of
from tests.conftest import USER_PASSWORD, sign_in
from tests.helpers import principal_of

D = dt.date
NIK = "3576014403900001"
YEAR = 2025


def _request(received: dt.date, name: str) -> CaseInput:
    return CaseInput.model_validate({
        "type": "permohonan_informasi", "received_at": f"{received.isoformat()}T09:00:00+07:00",
        "channel": "loket", "name": name, "address": "Jl. Majapahit 10, Mojokerto",
        "occupation": "Mahasiswa", "identity_number": NIK, "phone": "081234567890",
        "email": "pemohon@example.id", "information": f"Salinan keputusan untuk {name}",
        "purpose": "penelitian", "obtain_method": "salinan_softcopy", "copy_method": "email"})


def _objection(received: dt.date, request: str, reason: str) -> CaseInput:
    return CaseInput.model_validate({
        "type": "keberatan", "received_at": f"{received.isoformat()}T10:00:00+07:00",
        "channel": "loket", "name": "Siti Aminah", "registration_number": request,
        "reason": reason, "description": "Jawaban tidak sesuai permintaan"})


def _extended_in_time(archive: Archive, case_id: int, reason: str) -> None:
    """Extend a past request as the service did on a day before its due date."""
    with archive.db.write() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.due_date is not None
        clock = rules.compute(session, case.type, "extension", case.due_date,
                              version=case.rule_version, regime=case.regime)
        assert clock is not None
        case.due_date, case.extension_reason = clock.due, reason
        case.extended_at = dt.datetime.combine(case.received_on, dt.time(10))
        case.status = "in_progress"


def _decided_on(archive: Archive, case_id: int, day: dt.date) -> None:
    """Date a decision made through `handling.decide` on the office's `day` (noon WIB): the
    hand-made year is in the past."""
    with archive.db.write() as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.decided_at = dt.datetime.combine(day, dt.time(5))


@dataclass
class Year:
    """The hand-made year: its people and its cases' ids and numbers."""

    ppid: Principal
    atasan: Principal
    auditor: Principal
    ids: dict[str, int]
    numbers: dict[str, str]


@pytest.fixture
def year(archive: Archive, make_user: Callable[..., str]) -> Year:
    """Five requests of 2025 (two granted in time, one refused citing Pasal 17 huruf h, one
    granted in part after its extended due date, one still open) and two objections (one
    granted, one open)."""
    ppid = principal_of(archive, make_user("ppid1", roles=("ppid",), clearance="rahasia"))
    atasan = principal_of(archive, make_user("atasan", roles=("pimpinan",),
                                             clearance="rahasia"))
    auditor = principal_of(archive, make_user("auditor1", roles=("auditor",),
                                              clearance="rahasia"))
    ids: dict[str, int] = {}
    numbers: dict[str, str] = {}
    plan = {"r1": (D(2025, 2, 3), "dikabulkan", None, D(2025, 2, 10)),
            "r2": (D(2025, 2, 10), "dikabulkan", None, D(2025, 2, 20)),
            "r3": (D(2025, 3, 3), "ditolak", "UU 14/2008 Pasal 17 huruf h", D(2025, 3, 12)),
            "r4": (D(2025, 5, 5), "dikabulkan_sebagian", None, D(2025, 6, 30)),
            "r5": (D(2025, 11, 3), None, None, None)}
    for key, (received, outcome, exemption, decided) in plan.items():
        out = intake.register(archive, ppid, _request(received, f"Pemohon {key}"))
        ids[key], numbers[key] = out.id, out.registration_number
        if key == "r4":  # extended in time, back then (the service only extends today's)
            _extended_in_time(archive, out.id, "Informasi di unit lain")
        if outcome is not None and decided is not None:
            handling.decide(archive, ppid, out.id, DecisionInput(outcome=outcome,
                                                                 exemption=exemption))
            _decided_on(archive, out.id, decided)
    k1 = intake.register(archive, ppid, _objection(D(2025, 3, 20), numbers["r3"], "a"))
    k2 = intake.register(archive, ppid, _objection(D(2025, 7, 1), numbers["r4"], "g"))
    handling.decide(archive, atasan, k1.id, DecisionInput(outcome="dikabulkan",
                                                          note="Informasi diberikan"))
    _decided_on(archive, k1.id, D(2025, 4, 15))
    ids["k1"], ids["k2"] = k1.id, k2.id
    numbers["k1"], numbers["k2"] = k1.registration_number, k2.registration_number
    return Year(ppid, atasan, auditor, ids, numbers)


def test_the_annual_report_counts_the_hand_made_year(archive: Archive, year: Year) -> None:
    r = annual.report(archive, year.ppid, YEAR)
    assert r.year == YEAR and r.due_on == D(2026, 3, 31)
    assert r.requests == 5
    taken = {i.registration_number: i.working_days for i in r.items}
    # 3 Feb (Monday) -> 10 Feb: 5 working days; 10 Feb -> 20 Feb: 8; 3 Mar -> 12 Mar: 7.
    assert taken[year.numbers["r1"]] == 5
    assert taken[year.numbers["r2"]] == 8
    assert taken[year.numbers["r3"]] == 7
    assert taken[year.numbers["r5"]] is None
    with archive.db.write() as session:
        late = rules.elapsed(session, D(2025, 5, 5), D(2025, 6, 30), "working")
    assert taken[year.numbers["r4"]] == late > 17
    t = r.timeliness
    assert (t.decided, t.within_time, t.within_extension, t.late) == (4, 3, 0, 1)
    assert (t.extended, t.open, t.open_overdue) == (1, 1, 1)
    assert t.median_days == 7.5
    assert t.average_days == round((5 + 8 + 7 + late) / 4, 1)
    assert t.longest_days == late
    o = r.outcomes
    assert (o.granted, o.granted_in_part, o.refused, o.not_held, o.open) == (2, 1, 1, 0, 1)
    assert [(e.exemption, e.count) for e in r.exemptions] == [
        ("UU 14/2008 Pasal 17 huruf h", 1)]
    k = r.objections
    assert (k.received, k.filed_late, k.outcomes.granted, k.outcomes.open) == (2, 0, 1, 1)
    assert [(c.reason, c.count) for c in k.by_reason] == [("a", 1), ("g", 1)]
    months = {m.month: (m.requests, m.decided, m.objections) for m in r.months}
    assert months[2] == (2, 2, 0) and months[3] == (1, 1, 1) and months[5] == (1, 0, 0)
    assert months[6] == (0, 1, 0) and months[7] == (0, 0, 1) and months[11] == (1, 0, 0)
    assert sum(m.requests for m in r.months) == 5


def test_another_year_is_empty_and_a_year_outside_the_calendar_is_refused(
        archive: Archive, year: Year) -> None:
    assert annual.report(archive, year.ppid, 2024).requests == 0
    with pytest.raises(Exception, match="rentang"):
        annual.report(archive, year.ppid, 1800)


def test_the_register_of_requests_gives_personal_columns_to_the_ppid_only(
        archive: Archive, year: Year) -> None:
    body, name = papers.export_register(archive, year.ppid, "requests", papers.Period(YEAR),
                                        "csv")
    assert name.startswith("register-permohonan-informasi-2025-") and name.endswith(".csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["No.", "Nomor Pendaftaran", "Tanggal Permohonan"]
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Nomor Pendaftaran"] == year.numbers["r1"]
    assert first["Tanggal Permohonan"] == "3 Februari 2025"
    assert first["Alamat"] == "Jl. Majapahit 10, Mojokerto"
    assert "081234567890" in first["Telepon / E-mail"]
    assert first["Nomor Identitas"] == "3576********0001"
    assert NIK not in body.decode("utf-8-sig")
    assert first["Keputusan"] == "Dikabulkan"
    assert first["Tanggal Pemberitahuan Tertulis"] == "10 Februari 2025"
    refused = dict(zip(rows[0], rows[3], strict=True))
    assert refused["Keputusan"] == "Ditolak (UU 14/2008 Pasal 17 huruf h)"
    extended = dict(zip(rows[0], rows[4], strict=True))
    assert "diperpanjang dari" in extended["Jangka Waktu"]
    assert "terlambat" in extended["Keterangan"]
    body, _ = papers.export_register(archive, year.auditor, "requests", papers.Period(YEAR),
                                     "csv")
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 6
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Nama"] == "Pemohon r1" and first["Nomor Identitas"] == "3576********0001"
    assert first["Alamat"] == first["Telepon / E-mail"] == first["Pekerjaan"] == ""
    assert "Majapahit" not in text and "081234567890" not in text


def test_a_period_limits_the_register_and_must_lie_in_its_year(
        archive: Archive, year: Year) -> None:
    period = papers.Period(YEAR, D(2025, 2, 1), D(2025, 2, 28))
    rows = papers.request_rows(archive, year.ppid, period)
    assert [r[1] for r in rows] == [year.numbers["r1"], year.numbers["r2"]]
    with pytest.raises(Exception, match="2025"):
        papers.request_rows(archive, year.ppid, papers.Period(YEAR, D(2024, 12, 1)))


def test_the_register_of_objections_names_the_reason_of_the_law_and_the_answer(
        archive: Archive, year: Year) -> None:
    body, _ = papers.export_register(archive, year.atasan, "objections", papers.Period(YEAR),
                                     "xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][1] == "Nomor Registrasi Keberatan" and len(values) == 3
    first = dict(zip(values[0], values[1], strict=True))
    assert first["Nomor Pendaftaran Permohonan"] == year.numbers["r3"]
    assert str(first["Alasan (UU 14/2008 Pasal 35 ayat (1))"]).startswith(
        "a. penolakan atas permintaan informasi")
    assert first["Tanggapan Atasan PPID"] == "Dikabulkan: Informasi diberikan"
    assert isinstance(first["Tanggal"], dt.datetime) and first["Tanggal"].date() == D(2025, 3, 20)
    second = dict(zip(values[0], values[2], strict=True))
    assert "melebihi waktu" in str(second["Alasan (UU 14/2008 Pasal 35 ayat (1))"])


def test_the_registers_and_the_report_as_pdf_are_landscape_and_portrait_and_audited(
        archive: Archive, year: Year) -> None:
    body, _ = papers.export_register(archive, year.ppid, "requests", papers.Period(YEAR), "pdf")
    pdf = PdfReader(io.BytesIO(body))
    page = pdf.pages[0]
    assert page.mediabox.width > page.mediabox.height
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "BUKU REGISTER PERMOHONAN INFORMASI PUBLIK" in text and "Jumlah: 5 (lima)" in text
    assert NIK not in text
    body, name = annual.export_report(archive, year.ppid, YEAR, "pdf")
    assert name == "laporan-layanan-informasi-publik-2025.pdf"
    pdf = PdfReader(io.BytesIO(body))
    assert pdf.pages[0].mediabox.width < pdf.pages[0].mediabox.height
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "LAPORAN LAYANAN INFORMASI PUBLIK" in text and "31 Maret 2026" in text
    assert "Pasal 17 huruf h" in text and "Permohonan" in text
    body, _ = annual.export_report(archive, year.ppid, YEAR, "xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
    assert ("Permohonan", "Permohonan informasi diterima", 5) in rows
    with archive.db.read() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "case.export").order_by(AuditEntry.id)).all()
        assert [(e.details["register"], e.details["format"]) for e in entries] == [
            ("requests", "pdf"), ("report", "pdf"), ("report", "xlsx")]
        assert entries[0].details["rows"] == 5 and entries[0].actor_name == "ppid1"


def test_the_api_gives_the_registers_and_the_report_to_readers_of_cases_only(
        client: FlaskClient, archive: Archive, year: Year,
        token_for: Callable[[str], dict[str, str]], make_user: Callable[..., str]) -> None:
    ppid = token_for("ppid1")
    r = client.get("/api/v1/cases/registers/requests?year=2025&format=csv", headers=ppid)
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert year.numbers["r1"] in r.get_data(as_text=True)
    r = client.get("/api/v1/cases/registers/objections?year=2025&format=pdf", headers=ppid)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r = client.get("/api/v1/cases/registers/requests?format=csv", headers=ppid)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "year"
    r = client.get("/api/v1/cases/registers/requests?year=2025&format=doc", headers=ppid)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "format"
    r = client.get("/api/v1/reports/information-service?year=2025", headers=ppid)
    assert r.status_code == 200
    body = r.get_json()
    assert body["requests"] == 5 and body["due_on"] == "2026-03-31"
    assert body["outcomes"]["refused"] == 1 and body["timeliness"]["median_days"] == 7.5
    assert len(body["months"]) == 12
    r = client.get("/api/v1/reports/information-service?year=2025&format=xlsx", headers=ppid)
    assert r.status_code == 200 and r.data.startswith(b"PK")
    make_user("staf1", roles=("staf",), clearance="rahasia")
    r = client.get("/api/v1/reports/information-service?year=2025", headers=token_for("staf1"))
    assert r.status_code == 403


def test_the_report_page_draws_the_months_as_svg_without_inline_styles(
        client: FlaskClient, archive: Archive, year: Year) -> None:
    assert sign_in(client, "ppid1", USER_PASSWORD).status_code == 302
    r = client.get("/reports/information-service?year=2025")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "<svg" in html and "style=" not in html and "<script" not in html.split("</header>")[-1]
    assert "Pasal 17 huruf h" in html and "31 Maret 2026" in html
    for link in ("/cases/registers/requests/export?year=2025&amp;format=pdf",
                 "/cases/registers/objections/export?year=2025&amp;format=xlsx",
                 "/reports/information-service/export?year=2025&amp;format=pdf"):
        assert link in html
    r = client.get("/cases/registers/requests/export?year=2025&format=xlsx")
    assert r.status_code == 200 and r.data.startswith(b"PK")
    r = client.get("/reports/information-service/export?year=2025&format=pdf")
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    # A year of nonsense falls back to the year to report on.
    assert client.get("/reports/information-service?year=abc").status_code == 200


def test_the_chart_puts_each_month_in_its_place_and_scales_to_the_highest_bar() -> None:
    from earsip.schemas.case_reports import MonthFigures

    months = [MonthFigures(month=m, requests=4 if m == 3 else 0, objections=1 if m == 3 else 0)
              for m in range(1, 13)]
    chart = chart_of(months, [f"M{m}" for m in range(1, 13)])
    bars = [b for b in chart.bars if b.value]
    assert len(chart.bars) == 24 and [b.kind for b in bars] == ["requests", "objections"]
    tallest = max(b.height for b in chart.bars)
    assert bars[0].height == tallest and bars[1].height == pytest.approx(tallest / 4, abs=0.2)
    assert all(b.y + b.height == pytest.approx(chart.base, abs=0.2) for b in chart.bars)
    assert chart.labels[2][1] == "M3"
