"""Filing and reading documents through the JSON API (v1)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import PROJECT_ROOT
from earsip.models import AuditEntry, Document
from earsip.services import Archive
from tests import filegen


@pytest.fixture
def pdf(tmp_path: Path) -> Path:
    return filegen.make_text_pdf(tmp_path / "surat.pdf", filegen.SAMPLE_ID_TEXT[:3])


def _count(archive: Archive, model: type) -> int:
    with archive.db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _stored_files(archive: Archive) -> list[Path]:
    root = archive.store.root
    return [p for p in root.rglob("*") if p.is_file() and ".tmp" not in p.parts]


def test_a_multi_page_pdf_is_filed_with_its_metadata_file_facts_text_and_retention(
        upload, pdf: Path, archive: Archive) -> None:
    r = upload(pdf, title="Notulen rapat", number="012/KA.00/K.JI-29/03/2024",
               sender="Sekretariat", recipient="Ketua", description="Rapat bulanan",
               tags="rapat, notulen")
    assert r.status_code == 201, r.get_json()
    doc = r.get_json()
    assert doc["title"] == "Notulen rapat"
    assert doc["number"] == "012/KA.00/K.JI-29/03/2024"
    assert doc["classification"] == {"code": "KA.00", "name": "Administrasi Persuratan"}
    assert doc["document_date"] == "2024-03-15"
    assert doc["security"] == "biasa"
    assert doc["tags"] == ["notulen", "rapat"]
    assert doc["file"]["filename"] == "surat.pdf"
    assert doc["file"]["mime"] == "application/pdf"
    assert doc["file"]["size"] == pdf.stat().st_size
    assert doc["file"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert doc["file"]["pages"] == 3
    assert doc["text_status"] == "extracted"
    assert doc["retention"] == {
        "active_until": "2026-03-15", "inactive_until": "2029-03-15", "final_fate": "musnah",
        "phase": doc["retention"]["phase"], "trigger_date": None, "note": None,
        "awaiting_event": None,
    }
    assert doc["created_by"] == "admin"
    stored = _stored_files(archive)
    assert len(stored) == 1
    assert stored[0].relative_to(archive.store.root).parts[:2] == ("KA", "2024")
    assert stored[0].read_bytes() == pdf.read_bytes()


def test_filing_writes_exactly_one_audit_entry_for_the_document(upload, pdf: Path,
                                                                archive: Archive) -> None:
    doc_id = upload(pdf).get_json()["id"]
    with archive.db.read() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.file", AuditEntry.target_id == str(doc_id))).all()
    assert len(entries) == 1
    assert entries[0].outcome == "success"
    assert entries[0].details["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()


def test_a_document_is_read_back_with_the_contract_fields(upload, pdf: Path, client,
                                                          token_for) -> None:
    doc_id = upload(pdf).get_json()["id"]
    r = client.get(f"/api/v1/documents/{doc_id}", headers=token_for("admin"))
    assert r.status_code == 200
    body = r.get_json()
    for key in ("id", "title", "number", "classification", "document_date", "security", "sender",
                "recipient", "description", "tags", "file", "text_status", "retention",
                "created_at", "created_by"):
        assert key in body
    assert set(body["file"]) == {"filename", "mime", "size", "sha256", "pages"}
    assert {"active_until", "inactive_until", "final_fate", "phase"} <= set(body["retention"])


def test_the_original_bytes_come_back_as_an_attachment_with_nosniff(upload, tmp_path: Path,
                                                                    client, token_for) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "Surat Undangan Rapat Pleno.pdf", ["undangan pleno"])
    doc_id = upload(pdf).get_json()["id"]
    r = client.get(f"/api/v1/documents/{doc_id}/file", headers=token_for("admin"))
    body = r.get_data()
    r.close()
    assert r.status_code == 200
    assert body == pdf.read_bytes()
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="Surat Undangan Rapat Pleno.pdf"')


def test_a_non_ascii_file_name_comes_back_whole_in_utf8_with_an_ascii_fallback(
        upload, tmp_path: Path, client, token_for) -> None:
    name = "Undangan Rapat – Pemilihan Walikota Pasuruan ke-2.pdf"
    pdf = filegen.make_text_pdf(tmp_path / "surat.pdf", ["undangan rapat"])
    doc_id = upload(pdf, filename=name).get_json()["id"]
    r = client.get(f"/api/v1/documents/{doc_id}/file", headers=token_for("admin"))
    r.close()
    assert r.headers["Content-Disposition"] == (
        'attachment; filename="Undangan Rapat  Pemilihan Walikota Pasuruan ke-2.pdf"; '
        "filename*=UTF-8''Undangan%20Rapat%20%E2%80%93%20Pemilihan%20Walikota%20Pasuruan"
        "%20ke-2.pdf")


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"),
    ({"classification": "XX.99"}, "classification"),
    ({"classification": "PM"}, "classification"),
    ({"document_date": "15-03-2024"}, "document_date"),
    ({"document_date": "2024-02-30"}, "document_date"),
    ({"security": "top_secret"}, "security"),
])
def test_a_missing_or_invalid_field_is_refused_with_400_naming_the_field(
        upload, pdf: Path, archive: Archive, fields: dict[str, str], field: str) -> None:
    r = upload(pdf, **fields)
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["field"] == field
    assert r.get_json()["error"]["message"]
    assert _count(archive, Document) == 0
    assert _stored_files(archive) == []


def test_a_request_without_a_file_is_refused_with_400(client, token_for) -> None:
    r = client.post("/api/v1/documents", headers=token_for("admin"),
                    data={"title": "x", "classification": "KA.00", "document_date": "2024-01-01"})
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "file"


def test_a_duplicate_is_refused_with_409_naming_the_existing_document(
        upload, pdf: Path, archive: Archive) -> None:
    first = upload(pdf).get_json()["id"]
    r = upload(pdf, title="Lagi", filename="salinan.pdf")
    assert r.status_code == 409
    assert r.get_json()["error"]["existing_id"] == first
    assert _count(archive, Document) == 1
    assert len(_stored_files(archive)) == 1


@pytest.mark.parametrize("make", [filegen.make_html_renamed_pdf, filegen.make_elf_renamed_pdf,
                                  filegen.make_svg])
def test_content_that_is_not_an_allowed_type_is_refused_with_415_and_nothing_kept(
        upload, tmp_path: Path, archive: Archive, make) -> None:
    bad = make(tmp_path / "lampiran.pdf")
    r = upload(bad)
    assert r.status_code == 415, r.get_json()
    assert r.get_json()["error"]["code"] == "unsupported_type"
    assert _count(archive, Document) == 0
    assert _stored_files(archive) == []
    assert archive.store.stale_temp_files() == []
    with archive.db.read() as session:
        refused = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.file", AuditEntry.outcome == "refused")).all()
    assert len(refused) == 1


def test_a_pdf_header_over_an_html_body_is_refused_as_unreadable(upload, tmp_path: Path,
                                                                 archive: Archive) -> None:
    r = upload(filegen.make_pdf_header_over_html(tmp_path / "x.pdf"))
    assert r.status_code == 415
    assert r.get_json()["error"]["code"] == "unreadable_file"
    assert _stored_files(archive) == []


def test_content_that_contradicts_its_file_name_is_refused(upload, tmp_path: Path) -> None:
    png = filegen.make_png(tmp_path / "foto.png")
    r = upload(png, filename="laporan.pdf")
    assert r.status_code == 415
    assert ".pdf" in r.get_json()["error"]["message"]


@pytest.mark.parametrize(("make", "name", "status", "mime"), [
    (lambda p: filegen.make_image_pdf(p), "pindai.pdf", "ocr_pending", "application/pdf"),
    (lambda p: filegen.make_encrypted_pdf(p, "rahasia negara"), "kunci.pdf", "encrypted",
     "application/pdf"),
    (lambda p: filegen.make_docx(p, filegen.SAMPLE_ID_TEXT[:2]), "nota.docx", "extracted",
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (lambda p: filegen.make_png(p), "foto.png", "ocr_pending", "image/png"),
    (lambda p: filegen.make_text_file(p, filegen.SAMPLE_ID_TEXT[0]), "catatan.txt", "extracted",
     "text/plain"),
    (lambda p: filegen.make_odt(p, filegen.SAMPLE_ID_TEXT[1:2]), "memo.odt", "extracted",
     "application/vnd.oasis.opendocument.text"),
    (lambda p: filegen.make_xlsx(p, [["nomor", "perihal"], [1, "anggaran"]]), "daftar.xlsx",
     "extracted", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_each_allowed_type_is_filed_with_a_truthful_text_status(
        upload, tmp_path: Path, make, name: str, status: str, mime: str) -> None:
    path = make(tmp_path / name)
    r = upload(path)
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["text_status"] == status
    assert body["file"]["mime"] == mime
    if status in ("empty", "encrypted"):
        assert body["text_message"]


def test_a_truncated_pdf_is_refused_as_unreadable(upload, tmp_path: Path,
                                                  archive: Archive) -> None:
    path = filegen.make_truncated_pdf(tmp_path / "potong.pdf", filegen.SAMPLE_ID_TEXT[0])
    r = upload(path)
    assert r.status_code == 415, r.get_json()
    assert r.get_json()["error"]["code"] == "unreadable_file"
    assert "PDF" in r.get_json()["error"]["message"]
    assert _stored_files(archive) == []


@pytest.mark.parametrize("hostile", ["../../x.pdf", "..\\..\\x.pdf", "/etc/x.pdf",
                                     "a\u202egpj.pdf", 'kutip"\r\nX-Evil: 1.pdf',
                                     "x" * 300 + ".pdf"])
def test_a_hostile_client_file_name_never_decides_where_the_file_is_stored(
        upload, pdf: Path, archive: Archive, tmp_path: Path, hostile: str) -> None:
    r = upload(pdf, filename=hostile)
    assert r.status_code == 201, r.get_json()
    stored = _stored_files(archive)
    assert len(stored) == 1
    assert archive.store.root in stored[0].resolve().parents
    assert stored[0].name != "x.pdf" and len(stored[0].name) == 36  # uuid4 hex + ".pdf"
    shown = r.get_json()["file"]["filename"]
    assert "/" not in shown and "\\" not in shown and "\r" not in shown and "\n" not in shown
    assert not (tmp_path.parent / "x.pdf").exists()


def test_an_upload_over_the_size_limit_is_refused_with_413(tmp_path: Path, config) -> None:
    from dataclasses import replace

    from earsip import create_app
    from earsip.services.operations import setup

    small = replace(config, max_upload_mb=1)
    archive = Archive.open(small)
    setup.initialise(archive)
    app = create_app(small)
    client = app.test_client()
    token = client.post("/api/v1/tokens", json={"username": "admin",
                                                "password": "admin-pass-123"}).get_json()["token"]
    # A hand-built multipart body: the test client would spool a big file to a temporary file
    # that it never closes when the server refuses the body unread.
    boundary = "batasbatas"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"besar.txt\"\r\nContent-Type: text/plain\r\n\r\n").encode()
    body += b"arsip " * 400_000 + f"\r\n--{boundary}--\r\n".encode()  # 2.4 MB
    r = client.post("/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                    input_stream=io.BytesIO(body), content_length=len(body),
                    content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 413
    assert r.get_json()["error"]["code"] == "too_large"
    assert archive.store.stale_temp_files() == []
    app.extensions["earsip"].close()
    archive.close()


def test_the_api_refuses_requests_without_a_valid_token(client) -> None:
    assert client.get("/api/v1/documents/1").status_code == 401
    r = client.get("/api/v1/search?q=arsip", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "unauthorized"


def test_a_wrong_password_gets_no_token_and_is_audited(client, archive: Archive) -> None:
    r = client.post("/api/v1/tokens", json={"username": "admin", "password": "salah"})
    assert r.status_code == 401
    r2 = client.post("/api/v1/tokens", json={"username": "tidakada", "password": "salah"})
    assert r2.status_code == 401
    assert r.get_json()["error"]["message"] == r2.get_json()["error"]["message"]
    with archive.db.read() as session:
        failures = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "auth.login", AuditEntry.outcome == "failure")).all()
    assert len(failures) == 2


def test_a_staf_user_may_not_file_documents(upload, pdf: Path, make_user) -> None:
    make_user("budi", roles=("staf",))
    r = upload(pdf, user="budi")
    assert r.status_code == 403


def test_a_document_above_the_users_clearance_answers_404_like_a_missing_one(
        upload, pdf: Path, client, token_for, make_user) -> None:
    doc_id = upload(pdf, security="rahasia").get_json()["id"]
    make_user("siti", clearance="terbatas")
    headers = token_for("siti")
    hidden = client.get(f"/api/v1/documents/{doc_id}", headers=headers)
    missing = client.get("/api/v1/documents/999999", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert client.get(f"/api/v1/documents/{doc_id}/file", headers=headers).status_code == 404
    make_user("rina", clearance="rahasia")
    assert client.get(f"/api/v1/documents/{doc_id}", headers=token_for("rina")).status_code == 200


def test_health_answers_without_authentication(client) -> None:
    r = client.get("/api/v1/health")
    assert r.status_code == 200 and r.get_json() == {"status": "ok"}


def test_classifications_list_effective_inherited_values(client, token_for) -> None:
    r = client.get("/api/v1/classifications", headers=token_for("admin"))
    assert r.status_code == 200
    codes = {c["code"]: c for c in r.get_json()}
    assert codes["PP.01.02"]["default_security"] == "terbatas"  # inherited from PP
    assert codes["PP.01.02"]["active_trigger"] == "putusan akhir"
    assert codes["PM.00.02"]["parent"] == "PM.00"
    ka = codes["KA.00"]
    assert (ka["active_years"], ka["inactive_years"], ka["final_fate"], ka["active_trigger"]) == (
        2, 3, "musnah", "document_date")
    assert codes["KP.07.00"]["final_fate"] == "dinilai_kembali"
    for c in codes.values():
        assert set(c) >= {"code", "name", "parent", "active_years", "active_trigger",
                          "inactive_years", "final_fate", "default_security"}


def test_an_event_triggered_code_files_without_due_dates_and_says_why(upload, pdf: Path) -> None:
    r = upload(pdf, classification="PP.01.02")
    assert r.status_code == 201
    ret = r.get_json()["retention"]
    assert ret["active_until"] is None and ret["inactive_until"] is None
    assert "putusan akhir" in ret["note"]
    assert r.get_json()["security"] == "terbatas"


def test_filing_a_document_above_ones_own_clearance_is_refused_before_it_is_stored(
        upload, pdf: Path, make_user, archive: Archive) -> None:
    make_user("arsip1", roles=("arsiparis",), clearance="biasa")
    r = upload(pdf, user="arsip1", security="rahasia")
    assert r.status_code == 400
    assert r.get_json()["error"]["field"] == "security"
    r = upload(pdf, user="arsip1", classification="PP.01.02")  # defaults to terbatas
    assert r.status_code == 400
    assert _count(archive, Document) == 0 and _stored_files(archive) == []
    assert upload(pdf, user="arsip1").status_code == 201


def test_a_duplicate_of_a_hidden_document_does_not_name_it(upload, pdf: Path, make_user,
                                                           archive: Archive) -> None:
    secret_id = upload(pdf, security="rahasia").get_json()["id"]
    make_user("arsip2", roles=("arsiparis",), clearance="biasa")
    r = upload(pdf, user="arsip2", filename="lain.pdf")
    assert r.status_code == 409
    error = r.get_json()["error"]
    assert "existing_id" not in error and str(secret_id) not in error["message"]
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.file", AuditEntry.outcome == "refused")).one()
    assert entry.target_id == str(secret_id)  # auditors still see which document it was


def test_simultaneous_uploads_of_the_same_file_file_it_once(app, pdf: Path, token_for,
                                                            archive: Archive) -> None:
    import threading

    headers = token_for("admin")
    statuses: list[int] = []

    def post() -> None:
        with open(pdf, "rb") as f:
            r = app.test_client().post("/api/v1/documents", headers=headers, data={
                "file": (f, "sama.pdf"), "title": "Sama", "classification": "KA.00",
                "document_date": "2024-01-01"}, content_type="multipart/form-data")
        statuses.append(r.status_code)

    threads = [threading.Thread(target=post) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 5
    assert _count(archive, Document) == 1
    assert len(_stored_files(archive)) == 1
    assert archive.store.stale_temp_files() == []


def test_the_phase_shown_follows_the_due_dates_not_the_day_of_filing(upload, pdf: Path,
                                                                     client, token_for) -> None:
    doc = upload(pdf, document_date="2015-01-10").get_json()  # KA.00: 2 active + 3 inactive
    assert doc["retention"]["inactive_until"] == "2020-01-10"
    assert doc["retention"]["phase"] == "usul_musnah"
    fresh = upload(filegen.make_text_pdf(pdf.with_name("baru.pdf"), ["baru"]),
                   document_date=dt.date.today().isoformat()).get_json()
    assert fresh["retention"]["phase"] == "aktif"


def test_unknown_api_paths_and_methods_answer_in_json(client, token_for) -> None:
    r = client.get("/api/v1/nothing-here", headers=token_for("admin"))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.put("/api/v1/documents/1", headers=token_for("admin"))
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"


def test_a_download_whose_file_is_missing_is_a_404_and_is_audited(upload, pdf: Path, client,
                                                                  token_for,
                                                                  archive: Archive) -> None:
    doc_id = upload(pdf).get_json()["id"]
    for stored in _stored_files(archive):
        stored.unlink()
    r = client.get(f"/api/v1/documents/{doc_id}/file", headers=token_for("admin"))
    assert r.status_code == 404
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.download")).one()
    assert entry.outcome == "failure" and entry.details["reason"] == "file missing"


def test_a_request_with_many_file_parts_is_refused_without_keeping_files(
        client, token_for, tmp_path: Path, archive: Archive) -> None:
    files = [filegen.make_text_file(tmp_path / f"f{i}.txt", f"lampiran {i}") for i in range(25)]
    handles = [open(f, "rb") for f in files]  # noqa: SIM115 - closed below
    try:
        data = {f"file{i}": (h, f"f{i}.txt") for i, h in enumerate(handles)}
        data.update({"title": "Banyak", "classification": "KA.00", "document_date": "2024-01-01"})
        r = client.post("/api/v1/documents", headers=token_for("admin"), data=data,
                        content_type="multipart/form-data")
    finally:
        for h in handles:
            h.close()
    assert r.status_code == 413
    assert archive.store.stale_temp_files() == []


def test_an_id_too_large_for_the_database_is_simply_not_found(client, token_for) -> None:
    huge = "98997279508150908153795497044406697984"
    h = token_for("admin")
    for path in (f"/api/v1/documents/{huge}", f"/api/v1/documents/{huge}/file",
                 "/api/v1/documents/0"):
        r = client.get(path, headers=h)
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found", path


def test_a_wrong_method_names_the_allowed_ones(client) -> None:
    r = client.delete("/api/v1/classifications")
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) >= {"GET"}


def test_an_unknown_file_type_filter_is_refused(client, token_for) -> None:
    r = client.get("/api/v1/search", query_string={"mime": "null"}, headers=token_for("admin"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "mime"


def test_a_trigger_date_before_the_document_date_is_refused_naming_the_field(
        upload, pdf: Path, archive: Archive) -> None:
    today = dt.date.today()
    r = upload(pdf, document_date=today.isoformat(),
               trigger_date=(today - dt.timedelta(days=1)).isoformat())
    assert r.status_code == 400, r.get_json()
    error = r.get_json()["error"]
    assert error["field"] == "trigger_date"
    assert "tanggal peristiwa" in error["message"] and "tanggal dokumen" in error["message"]
    assert _count(archive, Document) == 0
    same_day = upload(pdf, document_date=today.isoformat(), trigger_date=today.isoformat())
    assert same_day.status_code == 201, same_day.get_json()


def test_an_edit_that_puts_the_trigger_date_before_the_document_date_is_refused(
        upload, pdf: Path, client, token_for) -> None:
    today = dt.date.today()
    doc = upload(pdf, document_date=(today - dt.timedelta(days=30)).isoformat()).get_json()
    r = client.patch(f"/api/v1/documents/{doc['id']}", headers=token_for("admin"),
                     json={"trigger_date": (today - dt.timedelta(days=31)).isoformat()})
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["field"] == "trigger_date"
    later = client.patch(f"/api/v1/documents/{doc['id']}", headers=token_for("admin"),
                         json={"trigger_date": today.isoformat()})
    assert later.status_code == 200, later.get_json()


def test_an_import_row_whose_trigger_date_precedes_its_date_is_rejected_with_the_reason(
        archive: Archive, tmp_path: Path) -> None:
    from earsip.audit import SYSTEM
    from earsip.services.records import bulk

    folder = tmp_path / "impor"
    folder.mkdir()
    filegen.make_text_pdf(folder / "a.pdf", ["surat a"])
    today = dt.date.today()
    metadata = {"a.pdf": {"document_date": today.isoformat(),
                          "trigger_date": (today - dt.timedelta(days=400)).isoformat()}}
    [outcome] = bulk.import_paths(archive, SYSTEM, [folder],
                                  defaults={"classification": "KA.00"}, metadata=metadata)
    assert outcome.status == "rejected"
    assert outcome.message is not None and "trigger_date" in outcome.message
    assert _count(archive, Document) == 0


def test_a_record_stored_with_an_early_trigger_date_can_still_be_edited_and_fixed(
        upload, pdf: Path, client, token_for, archive: Archive) -> None:
    today = dt.date.today()
    doc = upload(pdf, document_date=(today - dt.timedelta(days=30)).isoformat()).get_json()
    with archive.db.write() as session:  # filed before the dates were checked against each other
        session.get(Document, doc["id"]).trigger_date = today - dt.timedelta(days=60)
    r = client.patch(f"/api/v1/documents/{doc['id']}", headers=token_for("admin"),
                     json={"trigger_date": today.isoformat()})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["retention"]["trigger_date"] == today.isoformat()


# A Python exception's name or repr, which a clerk must never be shown.
INTERNALS = re.compile(r"\b[A-Z][A-Za-z0-9]*[a-z0-9](?:Error|Exception)\b|Traceback|<class")
CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "realworld"
# Real broken files of the shared corpus (read where they are, never copied): truncated, fuzzed,
# a broken encryption dictionary, a stream over pypdf's limit, a cyclic page tree.
BROKEN_REAL = ["malformed/pdfjs_bug1020226.pdf", "malformed/pdfjs_PDFBOX-3148-2-fuzzed.pdf",
               "malformed/pdfjs_poppler-742-0-fuzzed.pdf", "malformed/pdfjs_Pages-tree-refs.pdf",
               "malformed/pdfjs_filled-background.pdf",
               "encrypted/pdfjs_issue19484_2.pdf", "malformed/pdfminer_simple1.pdf"]


def _broken_files(tmp_path: Path) -> list[Path]:
    made = [
        filegen.make_truncated_pdf(tmp_path / "terpotong.pdf", "Notulen rapat pleno"),
        filegen.make_pdf_header_over_html(tmp_path / "palsu.pdf"),
        filegen.make_flate_bomb_pdf(tmp_path / "bom.pdf", inflated_mb=200),
        filegen.make_encrypted_pdf(tmp_path / "sandi.pdf", "Nota dinas rahasia"),
        filegen.make_hostile_docx(tmp_path / "xxe.docx", filegen.xxe_document_xml()),
    ]
    good = filegen.make_docx(tmp_path / "utuh.docx", ["Surat"]).read_bytes()
    (tmp_path / "rusak.docx").write_bytes(good[: len(good) // 3])
    made.append(tmp_path / "rusak.docx")
    real = [CORPUS / rel for rel in BROKEN_REAL if (CORPUS / rel).exists()]
    return made + real


def _file_entries(archive: Archive) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.file").order_by(AuditEntry.id)))


def test_broken_files_are_refused_or_filed_in_plain_words_with_the_detail_kept_for_audit(
        upload, client, archive: Archive, tmp_path: Path) -> None:
    from tests.conftest import sign_in

    files = _broken_files(tmp_path)
    # The generated files always; the real ones of ../shared/corpus when it is there.
    assert len(files) >= (10 if CORPUS.is_dir() else 6), "the corpus's broken files are missing"
    seen: list[tuple[str, str]] = []  # (file, what its user read)
    for n, path in enumerate(files):
        r = upload(path, title=f"Berkas rusak {n}")
        body = r.get_json()
        if r.status_code == 201:
            seen.append((path.name, body["text_message"] or ""))
        else:
            assert r.status_code in (415, 422), (path.name, r.status_code, body)
            seen.append((path.name, body["error"]["message"]))
    filed = [d for d in _file_entries(archive) if d.outcome == "success"]
    assert filed
    sign_in(client)
    for entry in filed:  # the document's page shows the text status and its message
        page = client.get(f"/documents/{entry.target_id}").get_data(as_text=True)
        assert "Status teks" in page
        seen.append((entry.details["filename"], page))
    for name, text in seen:
        assert not INTERNALS.search(text), (name, INTERNALS.search(text), text[:300])
    refused = [name for name, text in seen if "simpan ulang" in text]
    assert refused, seen
    entries = _file_entries(archive)
    troubled = [e for e in entries if e.outcome == "refused"
                or e.details.get("text_status") in ("failed", "encrypted")]
    assert len(troubled) >= (8 if CORPUS.is_dir() else 6), [e.details for e in entries]
    for entry in troubled:  # the technical cause stays, for whoever investigates
        assert entry.details.get("detail"), entry.details
    assert any(INTERNALS.search(e.details["detail"]) for e in troubled)


def test_an_import_of_broken_files_reports_plain_reasons(archive: Archive,
                                                         tmp_path: Path) -> None:
    from earsip.audit import SYSTEM
    from earsip.services.records import bulk

    files = _broken_files(tmp_path)
    outcomes = bulk.import_paths(archive, SYSTEM, list(files),
                                 defaults={"classification": "KA.00",
                                           "document_date": "2024-01-01"})
    assert [o for o in outcomes if o.status == "rejected"]
    for outcome in outcomes:
        assert not INTERNALS.search(outcome.message or ""), outcome
    refused = [e for e in _file_entries(archive) if e.outcome == "refused"]
    assert refused and all(e.details.get("detail") for e in refused)
