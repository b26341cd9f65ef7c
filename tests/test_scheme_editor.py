"""The scheme editor: rules change, the documents they govern follow, every edit is audited."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.models import AuditEntry, Document
from earsip.schemas.scheme import SchemeRow
from earsip.services import Archive
from tests import filegen
from tests.conftest import csrf_token as _csrf
from tests.conftest import sign_in as _login


def _dates(archive: Archive, doc_id: int) -> tuple[dt.date | None, dt.date | None]:
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        return doc.active_until, doc.inactive_until


def _rule(**changes: str) -> dict[str, str]:
    base = {"name": "Teknis Pengawasan Pemilu Tingkat Kab/Kota", "active_years": "2",
            "active_trigger": "document_date", "inactive_years": "3", "final_fate": "musnah",
            "default_security": "", "needs_review": "1",
            "note": "Nilai retensi contoh: periksa terhadap JRA kantor."}
    return {**base, **changes}


def test_changing_a_rule_recomputes_its_documents_and_is_audited_with_old_and_new(
        client: FlaskClient, upload, tmp_path: Path, archive: Archive) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["laporan"])
    doc_id = upload(pdf, classification="PM.00.02", document_date="2024-08-17").get_json()["id"]
    assert _dates(archive, doc_id) == (dt.date(2026, 8, 17), dt.date(2029, 8, 17))
    _login(client)
    r = client.post("/classifications/PM.00.02/edit", data={
        "csrf_token": _csrf(client, "/classifications/PM.00.02/edit"), **_rule(active_years="5")})
    assert r.status_code == 302
    assert "1 dokumen dihitung ulang" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert _dates(archive, doc_id) == (dt.date(2029, 8, 17), dt.date(2032, 8, 17))
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "classification.update")).one()
    assert entry.target_id == "PM.00.02" and entry.actor_name == "admin"
    assert entry.details == {"old": {"active_years": 2}, "new": {"active_years": 5},
                             "documents_recomputed": 1}


def test_codes_below_that_inherit_the_rule_are_recomputed_too(
        client: FlaskClient, upload, tmp_path: Path, archive: Archive) -> None:
    _login(client)
    r = client.post("/classifications/new", data={
        "csrf_token": _csrf(client, "/classifications/new"), "code": "rt.01",
        "name": "Rapat internal"})
    assert r.headers["Location"] == "/classifications/RT.01/edit"
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["notulen"])
    doc_id = upload(pdf, classification="RT.01", document_date="2024-01-10").get_json()["id"]
    assert _dates(archive, doc_id) == (dt.date(2026, 1, 10), dt.date(2029, 1, 10))
    client.post("/classifications/RT/edit", data={
        "csrf_token": _csrf(client, "/classifications/RT/edit"),
        **_rule(name="Ketatausahaan dan Kerumahtanggaan", inactive_years="7")})
    assert _dates(archive, doc_id) == (dt.date(2026, 1, 10), dt.date(2033, 1, 10))


def test_a_code_with_documents_cannot_lose_its_rule(client: FlaskClient, upload,
                                                    tmp_path: Path, archive: Archive) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["laporan"])
    doc_id = upload(pdf, classification="PM.00.02", document_date="2024-08-17").get_json()["id"]
    _login(client)
    r = client.post("/classifications/PM.00.02/edit", data={
        "csrf_token": _csrf(client, "/classifications/PM.00.02/edit"),
        **_rule(active_years="", final_fate="")})
    assert r.status_code == 400 and "harus tetap lengkap" in r.get_data(as_text=True)
    assert _dates(archive, doc_id) == (dt.date(2026, 8, 17), dt.date(2029, 8, 17))


def test_invalid_values_are_refused_with_the_field_named(client: FlaskClient) -> None:
    _login(client)
    r = client.post("/classifications/PM.00.02/edit", data={
        "csrf_token": _csrf(client, "/classifications/PM.00.02/edit"),
        **_rule(active_years="dua")})
    assert r.status_code == 400 and "harus bilangan bulat" in r.get_data(as_text=True)
    r = client.post("/classifications/new", data={
        "csrf_token": _csrf(client, "/classifications/new"), "code": "ZZ.01", "name": "X"})
    assert r.status_code == 400 and "induk ZZ tidak ada" in r.get_data(as_text=True)


def test_a_retired_code_can_no_longer_be_filed_under(client: FlaskClient, upload,
                                                     tmp_path: Path) -> None:
    _login(client)
    client.post("/classifications/KA.00/edit", data={
        "csrf_token": _csrf(client, "/classifications/KA.00/edit"),
        **_own("KA.00", client), "retired": "1"})
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["surat"])
    r = upload(pdf, classification="KA.00")
    assert r.status_code == 400 and "sudah tidak dipakai" in r.get_json()["error"]["message"]


def _own(code: str, client: FlaskClient) -> dict[str, str]:
    """Read the edit form's current values, as a browser would submit them unchanged."""
    html = client.get(f"/classifications/{code}/edit").get_data(as_text=True)
    values = dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*value="([^"]*)"', html))
    values.update(re.findall(r'<select id="(\w+)" name="\w+">(?:(?!</select>).)*?'
                             r'<option value="([^"]*)" selected', html, flags=re.S))
    values.pop("code_filter", None)
    return values


def test_the_recomputed_count_tells_an_editor_only_of_documents_within_their_clearance(
        client: FlaskClient, upload, tmp_path: Path, archive: Archive, make_user) -> None:
    from tests.conftest import USER_PASSWORD

    upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["laporan biasa"]),
           classification="PM.00.02", document_date="2024-08-17")
    make_user("admin2", roles=("admin",), clearance="rahasia")
    _login(client, "admin2", USER_PASSWORD)
    page = "/classifications/PM.00.02/edit"

    def change(years: str) -> str:
        r = client.post(page, data={"csrf_token": _csrf(client, page),
                                    **_rule(active_years=years)})
        assert r.status_code == 302
        said = re.search(r"Tanggal retensi (\d+) dokumen dihitung ulang",
                         client.get(r.headers["Location"]).get_data(as_text=True))
        assert said
        return said.group(1)

    assert change("5") == "1"
    upload(filegen.make_text_pdf(tmp_path / "b.pdf", ["laporan sangat rahasia"]),
           classification="PM.00.02", document_date="2024-08-17", security="sangat_rahasia")
    assert change("6") == "1"  # two moved; the editor may see one
    with archive.db.read() as session:
        last = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "classification.update").order_by(AuditEntry.seq.desc())).first()
    assert last.details["documents_recomputed"] == 2  # the trail keeps them all


def test_the_scheme_export_neutralises_formulas_and_imports_back_unchanged(
        runner, archive: Archive, tmp_path: Path) -> None:
    import csv

    from earsip.audit import SYSTEM
    from earsip.services.records import scheme
    from earsip.tabular import FORMULA_PREFIXES

    name, note = '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0"
    scheme.create_code(archive, SYSTEM, SchemeRow(code="RT.09", name=name, note=note,
                                                  active_trigger="@SUM(1)"))
    out = tmp_path / "skema.csv"
    assert runner("classification", "export", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    row = next(r for r in rows if r["code"] == "RT.09")
    assert (row["name"], row["note"], row["active_trigger"]) == (
        "'" + name, "'" + note, "'@SUM(1)")
    assert not [cell for r in rows for cell in r.values() if cell.startswith(FORMULA_PREFIXES)]
    imported = runner("classification", "import", str(out))
    assert "diubah 0" in imported.output, imported.output
    code = scheme.get_code(archive, "RT.09")
    assert (code.own.name, code.own.note) == (name, note)
