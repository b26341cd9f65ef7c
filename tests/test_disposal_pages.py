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
from sqlalchemy import select

from earsip.models import AuditEntry, User
from earsip.services import Archive
from earsip.services.retention import destruction_views as views
from tests import filegen
from tests.approvers import make_approver
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, csrf_token, sign_in
from tests.helpers import principal_of


def _file_old(upload, tmp_path: Path, text: str, title: str) -> int:
    pdf = filegen.make_text_pdf(tmp_path / f"{abs(hash(text))}.pdf", [text])
    r = upload(pdf, title=title, classification="KA.00", document_date="2016-05-02")
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _post(client: FlaskClient, path: str, page: str, **data: str):
    return client.post(path, data={"csrf_token": csrf_token(client, page), **data})


def test_the_destruction_procedure_works_through_the_pages_end_to_end(
        app: Flask, upload, tmp_path: Path, make_user, archive: Archive) -> None:
    gone = _file_old(upload, tmp_path, "undangan rapat koordinasi lama", "Undangan koordinasi")
    spared = _file_old(upload, tmp_path, "nota dinas pengadaan lama", "Nota pengadaan")
    make_approver(archive, "ketua")
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
              reference="KEP-9/2026", decision_date=dt.date.today().isoformat(),
              password=USER_PASSWORD)
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
        app: Flask, upload, tmp_path: Path) -> None:
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
        app: Flask, upload, tmp_path: Path, make_user) -> None:
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
    # The download holds the very lines of the export (the records as signed, canonical).
    with zipfile.ZipFile(tmp_path / "export.zip") as exported:
        assert exported.read("checkpoints.jsonl") == (tmp_path / "kept.jsonl").read_bytes()
    verifier = Path(__file__).resolve().parents[1] / "tools" / "verify_audit_export.py"
    checked = subprocess.run([sys.executable, str(verifier), str(tmp_path / "export.zip"),
                              "--public-key", str(tmp_path / "key.pem"),
                              "--checkpoints", str(tmp_path / "kept.jsonl")],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_an_auditor_without_full_clearance_reads_no_entry_but_may_verify_the_chain(
        app: Flask, upload, tmp_path: Path, make_user) -> None:
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
        app: Flask, upload, tmp_path: Path) -> None:
    officer = app.test_client()
    sign_in(officer)
    r = officer.post("/disposals/new", data={"csrf_token": csrf_token(officer, "/disposals/new"),
                                             "document_id": ["²", "-1", "99999999999"]})
    assert r.status_code == 400
    r = officer.post("/transfers/new", data={"csrf_token": csrf_token(officer, "/transfers/new"),
                                             "document_id": ["²"]})
    assert r.status_code == 400


def _propose(officer: FlaskClient, *doc_ids: int) -> tuple[str, int]:
    r = officer.post("/disposals/new", data={"csrf_token": csrf_token(officer, "/disposals/new"),
                                             "document_id": [str(i) for i in doc_ids]})
    assert r.status_code == 302, r.get_data(as_text=True)
    return r.headers["Location"], int(r.headers["Location"].rstrip("/").split("/")[-1])


def _approval(password: str) -> dict[str, str]:
    return {"reference": "KEP-30/2026", "decision_date": dt.date.today().isoformat(),
            "password": password}


def _bearer(client: FlaskClient, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.get_json()
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def _refused_approvals(archive: Archive) -> list[tuple[str, str]]:
    with archive.db.read() as session:
        return [(e.actor_name, e.details["reason"]) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == "disposal.approve",
                                     AuditEntry.outcome == "refused").order_by(AuditEntry.seq))]


def test_the_admin_cannot_approve_its_own_list_through_a_leader_account_it_made(
        app: Flask, client: FlaskClient, upload, tmp_path: Path, archive: Archive) -> None:
    doc = _file_old(upload, tmp_path, "undangan rapat pleno lama", "Undangan pleno")
    admin = app.test_client()
    sign_in(admin)  # the built-in admin: admin and arsiparis
    list_url, list_id = _propose(admin, doc)
    # It makes a leader's account and reads its temporary password...
    made = _post(admin, "/admin/users/new", "/admin/users/new", username="ketua-boneka",
                 full_name="", roles="pimpinan", clearance="sangat_rahasia")
    temporary = re.search(r'id="temporary-password">([^<]+)<', made.get_data(as_text=True))
    assert temporary, made.get_data(as_text=True)
    # ... signs in as it and "sets its own" password.
    puppet = app.test_client()
    assert sign_in(puppet, "ketua-boneka", temporary.group(1)).status_code == 302
    chosen = "pilihan-sendiri-123"
    r = _post(puppet, "/account/password", "/account/password",
              current_password=temporary.group(1), new_password=chosen, confirm_password=chosen)
    assert r.status_code == 302
    # Even once the waiting period is over, that account never approves the admin's list.
    with archive.db.write() as session:
        row = session.scalar(select(User).where(User.username == "ketua-boneka"))
        row.created_at -= dt.timedelta(days=60)
    page = puppet.get(list_url).get_data(as_text=True)
    assert f'action="/disposals/{list_id}/approve"' not in page
    assert "dibuat atau kata sandinya diatur ulang oleh pengusul" in page
    r = _post(puppet, f"/disposals/{list_id}/approve", list_url, **_approval(chosen))
    assert r.status_code == 403
    r = client.post(f"/api/v1/disposals/{list_id}/approve", json=_approval(chosen),
                    headers=_bearer(client, "ketua-boneka", chosen))
    assert r.status_code == 403 and r.get_json()["error"]["reason"] == "made_by_proposer"
    assert _refused_approvals(archive) == [
        ("ketua-boneka", "separation of duties: made_by_proposer")] * 2
    status = client.get(f"/api/v1/disposals/{list_id}", headers=_bearer(
        client, "admin", ADMIN_PASSWORD)).get_json()["status"]
    assert status == "submitted"


def test_a_leader_account_made_this_week_by_another_admin_waits(
        app: Flask, client: FlaskClient, upload, tmp_path: Path, archive: Archive,
        make_user) -> None:
    doc = _file_old(upload, tmp_path, "nota dinas lama sekali", "Nota lama")
    officer = app.test_client()
    sign_in(officer)
    list_url, list_id = _propose(officer, doc)
    make_user("admin2", roles=("admin",))
    new = make_approver(archive, "ketua-baru", age=None,
                        created_by=principal_of(archive, "admin2").actor())
    leader = app.test_client()
    sign_in(leader, new.username, USER_PASSWORD)
    page = leader.get(list_url).get_data(as_text=True)
    assert f'action="/disposals/{list_id}/approve"' not in page
    assert "masa tunggu 7 hari" in page
    r = client.post(f"/api/v1/disposals/{list_id}/approve", json=_approval(USER_PASSWORD),
                    headers=_bearer(client, new.username, USER_PASSWORD))
    assert r.status_code == 403 and r.get_json()["error"]["reason"] == "waiting_period"


def test_a_proposer_who_is_a_leader_is_not_offered_the_approval_and_is_refused_everywhere(
        app: Flask, client: FlaskClient, upload, tmp_path: Path, archive: Archive) -> None:
    doc = _file_old(upload, tmp_path, "surat edaran lama", "Surat edaran")
    make_approver(archive, "ketua-arsip", roles=("arsiparis", "pimpinan"))
    make_approver(archive, "ketua")
    both = app.test_client()
    sign_in(both, "ketua-arsip", USER_PASSWORD)
    list_url, list_id = _propose(both, doc)
    page = both.get(list_url).get_data(as_text=True)
    assert f'action="/disposals/{list_id}/approve"' not in page
    assert "Pengusul tidak boleh menyetujui usulannya sendiri" in page
    r = _post(both, f"/disposals/{list_id}/approve", list_url, **_approval(USER_PASSWORD))
    assert r.status_code == 403
    r = client.post(f"/api/v1/disposals/{list_id}/approve", json=_approval(USER_PASSWORD),
                    headers=_bearer(client, "ketua-arsip", USER_PASSWORD))
    assert r.status_code == 403 and r.get_json()["error"]["reason"] == "proposer"
    assert _refused_approvals(archive) == [
        ("ketua-arsip", "separation of duties: proposer")] * 2
    # Another leader is offered the form, and approves through the API with their password.
    other = app.test_client()
    sign_in(other, "ketua", USER_PASSWORD)
    assert f'action="/disposals/{list_id}/approve"' in other.get(list_url).get_data(
        as_text=True)
    headers = _bearer(client, "ketua", USER_PASSWORD)
    wrong = client.post(f"/api/v1/disposals/{list_id}/approve", json=_approval("salah-sandi-1"),
                        headers=headers)
    assert wrong.status_code == 403 and wrong.get_json()["error"]["field"] == "password"
    r = client.post(f"/api/v1/disposals/{list_id}/approve", json=_approval(USER_PASSWORD),
                    headers=headers)
    assert r.status_code == 200 and r.get_json()["status"] == "approved"


def test_leaders_see_lists_awaiting_approval_on_their_start_page(
        app: Flask, upload, tmp_path: Path, archive: Archive, make_user) -> None:
    doc = _file_old(upload, tmp_path, "laporan kegiatan lama", "Laporan kegiatan")
    make_approver(archive, "ketua")
    make_user("staf1", roles=("staf",), clearance="sangat_rahasia")
    officer = app.test_client()
    sign_in(officer)
    _list_url, list_id = _propose(officer, doc)
    number = views.get_list(archive, principal_of(archive, "ketua"), list_id).number
    leader = app.test_client()
    sign_in(leader, "ketua", USER_PASSWORD)
    home = leader.get("/").get_data(as_text=True)
    assert "Menunggu persetujuan Anda" in home and number in home
    assert f'href="/disposals/{list_id}"' in home
    staff = app.test_client()
    sign_in(staff, "staf1", USER_PASSWORD)
    assert "Menunggu persetujuan Anda" not in staff.get("/").get_data(as_text=True)


def test_the_list_page_and_the_candidates_page_are_audited_reads(
        app: Flask, upload, tmp_path: Path, archive: Archive) -> None:
    doc = _file_old(upload, tmp_path, "surat tugas lama", "Surat tugas")
    officer = app.test_client()
    sign_in(officer)
    assert "Surat tugas" in officer.get("/disposals/new").get_data(as_text=True)
    list_url, list_id = _propose(officer, doc)
    assert "Surat tugas" in officer.get(list_url).get_data(as_text=True)
    with archive.db.read() as session:
        found = [(e.action, e.target_id, e.details.get("document_ids")) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.in_(
                ("disposal.view", "disposal.candidates"))).order_by(AuditEntry.seq))]
    # The candidates page, once by itself and once for the CSRF token of the proposal.
    assert found[:2] == [("disposal.candidates", None, [doc])] * 2
    assert found[-1] == ("disposal.view", str(list_id), [doc])


def test_the_api_lists_destruction_lists_without_titles_and_audits_reading_one(
        client: FlaskClient, upload, tmp_path: Path, archive: Archive, make_user) -> None:
    secret_pdf = filegen.make_text_pdf(tmp_path / "rahasia.pdf", ["nota rahasia lama"])
    secret = upload(secret_pdf, title="Nota rahasia lama", classification="KA.00",
                    document_date="2016-05-02", security="rahasia").get_json()["id"]
    sign_in(client)
    _url, list_id = _propose(client, secret)
    admin = _bearer(client, "admin", ADMIN_PASSWORD)
    [summary] = client.get("/api/v1/disposals", headers=admin).get_json()
    assert summary["id"] == list_id and "items" not in summary
    assert "Nota rahasia lama" not in str(summary)
    one = client.get(f"/api/v1/disposals/{list_id}", headers=admin).get_json()
    assert [i["document_id"] for i in one["items"]] == [secret]
    with archive.db.read() as session:
        viewed = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "disposal.view")).all()
    assert [(e.actor_name, e.target_id) for e in viewed] == [("admin", str(list_id))]
    make_user("pim-rendah", roles=("pimpinan",), clearance="terbatas")
    low = _bearer(client, "pim-rendah", USER_PASSWORD)
    assert client.get("/api/v1/disposals", headers=low).get_json() == []
    assert client.get(f"/api/v1/disposals/{list_id}", headers=low).status_code == 404


def _approved_list(app: Flask, upload, tmp_path: Path, archive: Archive,
                   text: str) -> tuple[FlaskClient, str, int]:
    """File an old letter, propose it as the admin, approve it as a leader; return the admin's
    client and the list's page and id."""
    officer, leader = app.test_client(), app.test_client()
    sign_in(officer)
    sign_in(leader, "ketua", USER_PASSWORD)
    list_url, list_id = _propose(officer, _file_old(upload, tmp_path, text, text.title()))
    assert _post(leader, f"/disposals/{list_id}/approve", list_url,
                 **_approval(USER_PASSWORD)).status_code == 302
    return officer, list_url, list_id


def test_an_interrupted_execution_is_finished_from_the_page_and_the_api_without_a_berita_acara(
        app: Flask, upload, tmp_path: Path, archive: Archive) -> None:
    from earsip.services.retention import destruction_execution
    from tests.helpers import execution

    make_approver(archive, "ketua")
    admin = principal_of(archive, "admin")
    resumed = {}
    for door in ("page", "api"):
        officer, list_url, list_id = _approved_list(app, upload, tmp_path, archive,
                                                    f"undangan lama {door}")
        # A crash right after the tombstones' commit: no papers filed yet.
        form = destruction_execution._completed(execution(), "Mojokerto")
        destruction_execution._destroy_records(archive, admin, list_id, form, None)
        assert "Selesaikan pemusnahan" in officer.get(list_url).get_data(as_text=True)
        if door == "page":  # the button posts nothing but its CSRF token
            r = _post(officer, f"/disposals/{list_id}/execute", list_url)
            assert r.status_code == 302, r.get_data(as_text=True)
        else:
            r = officer.post(f"/api/v1/disposals/{list_id}/execute", json={},
                             headers=_bearer(officer, "admin", ADMIN_PASSWORD))
            assert r.status_code == 200, r.get_json()
        resumed[door] = views.get_list(archive, admin, list_id)
        assert "Selesaikan pemusnahan" not in officer.get(list_url).get_data(as_text=True)
    assert all(v.berita_acara_document_id and v.list_document_id for v in resumed.values())


def test_an_approved_list_is_not_carried_out_without_its_berita_acara(
        app: Flask, upload, tmp_path: Path, archive: Archive) -> None:
    make_approver(archive, "ketua")
    officer, list_url, list_id = _approved_list(app, upload, tmp_path, archive,
                                                "undangan tanpa berita acara")
    r = officer.post(f"/api/v1/disposals/{list_id}/execute", json={},
                     headers=_bearer(officer, "admin", ADMIN_PASSWORD))
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "berita_acara_number"
    r = _post(officer, f"/disposals/{list_id}/execute", list_url)
    assert r.status_code == 400 and "Nomor berita acara wajib diisi" in r.get_data(as_text=True)
    assert views.get_list(archive, principal_of(archive, "admin"), list_id).status == "approved"
