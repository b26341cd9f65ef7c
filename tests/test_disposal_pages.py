"""The retention, hold, destruction and audit pages, driven through the browser forms."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from earsip.services import Archive
from tests import filegen
from tests.conftest import USER_PASSWORD, csrf_token, sign_in


def _file_old(upload, tmp_path: Path, text: str, title: str) -> int:  # type: ignore[no-untyped-def]
    pdf = filegen.make_text_pdf(tmp_path / f"{abs(hash(text))}.pdf", [text])
    r = upload(pdf, title=title, classification="KA.00", document_date="2016-05-02")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _post(client: FlaskClient, path: str, page: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_destruction_procedure_works_through_the_pages_end_to_end(
        app: Flask, upload, tmp_path: Path, make_user, archive: Archive) -> None:  # type: ignore[no-untyped-def]
    gone = _file_old(upload, tmp_path, "undangan rapat koordinasi lama", "Undangan koordinasi")
    spared = _file_old(upload, tmp_path, "nota dinas pengadaan lama", "Nota pengadaan")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    officer = app.test_client()
    sign_in(officer)

    due = officer.get("/retention?kind=due").get_data(as_text=True)
    assert "Undangan koordinasi" in due and "Nota pengadaan" in due
    new = officer.get("/disposals/new").get_data(as_text=True)
    assert f'value="{gone}"' in new and f'value="{spared}"' in new
    r = officer.post("/disposals/new", data={"csrf_token": csrf_token(officer, "/disposals/new"),
                                             "document_id": [str(gone), str(spared)],
                                             "note": "usul 2026"})
    assert r.status_code == 302
    list_url = r.headers["Location"]
    page = officer.get(list_url).get_data(as_text=True)
    assert "Daftar Arsip Usul Musnah DAUM/" in page
    item = re.findall(r'/items/(\d+)/remove', page)[1]
    list_id = list_url.rstrip("/").split("/")[-1]
    r = _post(officer, f"/disposals/{list_id}/items/{item}/remove", list_url,
              reason="masih diperlukan")
    assert r.status_code == 302
    # The proposer holds no approval right; a leader approves.
    assert f'action="/disposals/{list_id}/approve"' not in officer.get(list_url).get_data(
        as_text=True)
    leader = app.test_client()
    sign_in(leader, "ketua", USER_PASSWORD)
    r = _post(leader, f"/disposals/{list_id}/approve", list_url,
              reference="KEP-9/2026",
              decision_date=dt.date.today().isoformat())
    assert r.status_code == 302, r.get_data(as_text=True)
    r = _post(officer, f"/disposals/{list_id}/execute", list_url, berita_acara_number="BA-9/2026",
              official_name="Siti", official_position="Kepala Sekretariat",
              witness_name_1="Budi", witness_position_1="Arsiparis",
              witness_name_2="Dewi", witness_position_2="Kasubbag Umum",
              witness_name_3="", witness_position_3="", place="")
    assert r.status_code == 302, r.get_data(as_text=True)
    done = officer.get(list_url).get_data(as_text=True)
    assert "BA-9/2026" in done and "telah dimusnahkan" in done
    ba_id = re.search(r'/documents/(\d+)">Berita Acara Pemusnahan', done).group(1)
    with officer.get(f"/documents/{ba_id}/download") as pdf:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "BA-9/2026" in text and "Undangan koordinasi" in text and "Budi" in text
    tomb = officer.get(f"/documents/{gone}").get_data(as_text=True)
    assert "Arsip ini telah dimusnahkan" in tomb and "BA-9/2026" in tomb
    assert "Unduh berkas asli" not in tomb
    assert officer.get(f"/documents/{gone}/download").status_code == 410
    assert officer.get(f"/documents/{gone}/preview").status_code == 404
    assert "Unduh berkas asli" in officer.get(f"/documents/{spared}").get_data(as_text=True)
    pdf_list = officer.get(f"/disposals/{list_id}/list.pdf")
    assert pdf_list.status_code == 200 and pdf_list.data.startswith(b"%PDF")


def test_holds_and_reports_work_through_the_pages(
        app: Flask, upload, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    doc = _file_old(upload, tmp_path, "surat sengketa lama", "=Surat sengketa")
    officer = app.test_client()
    sign_in(officer)
    r = _post(officer, "/holds", "/holds", reference="Reg-3/PS/2026", reason="Sengketa pemilu",
              document_ids=f"#{doc}", classification_code="")
    assert r.status_code == 302
    hold_url = r.headers["Location"]
    assert "Reg-3/PS/2026" in officer.get("/holds").get_data(as_text=True)
    assert "ditahan" in officer.get("/retention?kind=hold").get_data(as_text=True)
    assert "ditahan" in officer.get("/disposals/new").get_data(as_text=True)
    xlsx = officer.get("/retention/export?kind=due&format=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    assert [r[2] for r in sheet.iter_rows(min_row=2, values_only=True)] == ["'=Surat sengketa"]
    csv = officer.get("/retention/export?kind=upcoming&months=3&format=csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    bad = _post(officer, "/holds", "/holds", reference="R", reason="x", document_ids="abc")
    assert bad.status_code == 400 and "Nomor dokumen tidak sah" in bad.get_data(as_text=True)
    r = _post(officer, f"{hold_url}/lift", hold_url, reason="Putusan inkracht")
    assert r.status_code == 302
    assert "dicabut" in officer.get(hold_url).get_data(as_text=True)


def test_an_auditor_filters_the_trail_verifies_it_and_exports_it(
        app: Flask, upload, tmp_path: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    doc = _file_old(upload, tmp_path, "surat untuk audit", "Surat audit")
    make_user("auditor1", roles=("auditor",), clearance="sangat_rahasia")
    auditor = app.test_client()
    sign_in(auditor, "auditor1", USER_PASSWORD)
    page = auditor.get(f"/audit?document={doc}").get_data(as_text=True)
    assert "document.file" in page
    assert "1 entri" in auditor.get(f"/audit?document={doc}&action=document.file").get_data(
        as_text=True)
    for odd in ("since=kemarin", "until=9999-12-31", "document=²", "page=²"):
        assert auditor.get(f"/audit?{odd}").status_code == 400, odd
    entry = auditor.get("/audit/1")
    assert entry.status_code == 200 and "Hash entri" in entry.get_data(as_text=True)
    assert auditor.get("/audit/999999").status_code == 404
    r = _post(auditor, "/audit/checkpoint", "/audit/verify")
    assert r.status_code == 302
    result = _post(auditor, "/audit/verify", "/audit/verify").get_data(as_text=True)
    assert "Jejak audit utuh" in result and "1 titik periksa cocok" in result
    import zipfile

    with auditor.get("/audit/export") as export:
        assert export.status_code == 200
        assert export.headers["Content-Type"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(export.data)).namelist()
    assert any(n.endswith("audit.jsonl") for n in names)
    assert any(n.endswith("public_key.pem") for n in names)
    # What an auditor keeps, checked against the export on "another machine".
    import subprocess
    import sys

    with auditor.get("/audit/public_key.pem") as key, \
            auditor.get("/audit/checkpoints.jsonl") as kept:
        (tmp_path / "key.pem").write_bytes(key.data)
        (tmp_path / "kept.jsonl").write_bytes(kept.data)
    with auditor.get("/audit/export") as export:
        (tmp_path / "export.zip").write_bytes(export.data)
    verifier = Path(__file__).resolve().parents[1] / "tools" / "verify_audit_export.py"
    checked = subprocess.run([sys.executable, str(verifier), str(tmp_path / "export.zip"),
                              "--public-key", str(tmp_path / "key.pem"),
                              "--checkpoints", str(tmp_path / "kept.jsonl")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_auditor_without_full_clearance_reads_no_entry_but_may_verify_the_chain(
        app: Flask, upload, tmp_path: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    pdf = filegen.make_text_pdf(tmp_path / "r.pdf", ["nota rahasia"])
    secret = upload(pdf, title="Nota rahasia", security="rahasia").get_json()["id"]
    make_user("auditor2", roles=("auditor",), clearance="biasa")
    auditor = app.test_client()
    sign_in(auditor, "auditor2", USER_PASSWORD)
    for path in (f"/audit?document={secret}", "/audit", "/audit/1"):
        page = auditor.get(path)
        assert page.status_code == 403, path
        assert "Nota rahasia" not in page.get_data(as_text=True)
    assert "Sangat Rahasia" in auditor.get("/audit").get_data(as_text=True)
    assert auditor.get("/audit/export").status_code == 302
    verified = _post(auditor, "/audit/verify", "/audit/verify").get_data(as_text=True)
    assert "Jejak audit utuh" in verified


def test_odd_numbers_and_dates_in_the_pages_are_refused_cleanly(
        app: Flask, upload, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    officer = app.test_client()
    sign_in(officer)
    r = officer.post("/disposals/new", data={"csrf_token": csrf_token(officer, "/disposals/new"),
                                             "document_id": ["²", "-1", "99999999999"]})
    assert r.status_code == 400
    r = officer.post("/transfers/new", data={"csrf_token": csrf_token(officer, "/transfers/new"),
                                             "document_id": ["²"]})
    assert r.status_code == 400
