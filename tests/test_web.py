"""The browser door: sign in, file a document, find it, download it, sign out."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskClient

from tests import filegen
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.conftest import csrf_token as _csrf
from tests.conftest import sign_in as _login


def test_pages_need_a_signed_in_user(client: FlaskClient) -> None:
    for path in ("/", "/search?q=x", "/documents/new", "/documents/1", "/classifications"):
        r = client.get(path)
        assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_a_wrong_password_and_an_unknown_user_get_the_same_message(client: FlaskClient) -> None:
    a = _login(client, "admin", "salah-sekali")
    b = _login(client, "siapa", "salah-sekali")
    assert a.status_code == b.status_code == 401
    assert "Nama pengguna atau kata sandi salah." in a.get_data(as_text=True)
    assert "Nama pengguna atau kata sandi salah." in b.get_data(as_text=True)


def test_a_form_post_without_the_csrf_token_is_refused(client: FlaskClient,
                                                       tmp_path: Path) -> None:
    r = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 400
    _login(client)
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["tanpa token"])
    with open(pdf, "rb") as f:
        r = client.post("/documents/new", data={
            "file": (f, "a.pdf"), "title": "A", "classification": "KA.00",
            "document_date": "2024-01-01"}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still signed in: the logout was refused
    assert client.get("/logout").status_code == 405  # no state change on GET


def test_login_follows_only_local_next_paths(client: FlaskClient) -> None:
    assert _login(client, next_="//evil.example/x").headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert _login(client, next_="/classifications").headers["Location"] == "/classifications"


def test_an_officer_files_a_pdf_in_the_browser_and_finds_it_by_a_word_of_its_text(
        client: FlaskClient, tmp_path: Path) -> None:
    assert _login(client).status_code == 302
    pdf = filegen.make_text_pdf(tmp_path / "laporan.pdf", filegen.SAMPLE_ID_TEXT[3:5])
    token = _csrf(client, "/documents/new")
    with open(pdf, "rb") as f:
        r = client.post("/documents/new", data={
            "csrf_token": token, "file": (f, "laporan.pdf"), "title": "Laporan pemutakhiran",
            "classification": "PM.00.02", "document_date": "2024-08-17", "tags": "pemilih",
        }, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    doc_url = r.headers["Location"]
    page = client.get(doc_url).get_data(as_text=True)
    assert "Laporan pemutakhiran" in page and "PM.00.02" in page
    assert "17 Agustus 2024" in page  # the document date, written out
    assert "17 Agustus 2026" in page  # active until: 2 years later (PM.00.02)
    results = client.get("/search?q=pemutakhiran").get_data(as_text=True)
    assert "1 dokumen ditemukan" in results
    assert doc_url in results and "<mark>" in results
    download = client.get(doc_url + "/download")
    body = download.get_data()
    download.close()
    assert download.status_code == 200 and body == pdf.read_bytes()
    assert download.headers["Cache-Control"] == "no-store"


def test_a_refused_upload_says_why_in_the_form(client: FlaskClient, tmp_path: Path) -> None:
    _login(client)
    bad = filegen.make_html_renamed_pdf(tmp_path / "palsu.pdf")
    token = _csrf(client, "/documents/new")
    with open(bad, "rb") as f:
        r = client.post("/documents/new", data={
            "csrf_token": token, "file": (f, "palsu.pdf"), "title": "Palsu",
            "classification": "KA.00", "document_date": "2024-01-01",
        }, content_type="multipart/form-data")
    assert r.status_code == 415
    assert "text/html" in r.get_data(as_text=True)


def test_a_staf_user_cannot_open_the_filing_page_or_see_a_secret_document(
        client: FlaskClient, tmp_path: Path, upload, make_user) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "rahasia.pdf", ["dokumen sangat penting"])
    doc_id = upload(pdf, security="rahasia").get_json()["id"]
    make_user("staf1", clearance="biasa")
    _login(client, "staf1", USER_PASSWORD)
    assert client.get("/documents/new").status_code == 403
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert client.get(f"/documents/{doc_id}/download").status_code == 404
    assert "0 dokumen ditemukan" in client.get("/search?q=penting").get_data(as_text=True)
    assert "Dokumen rahasia" not in client.get("/").get_data(as_text=True)
    assert "Dokumen rahasia" not in client.get("/search?q=").get_data(as_text=True)


def test_logging_out_ends_the_session_and_a_replayed_cookie_is_refused(
        client: FlaskClient, app) -> None:
    _login(client)
    cookie = client.get_cookie("earsip")
    assert cookie is not None
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    replay = app.test_client()
    replay.set_cookie("earsip", cookie.value)
    r = replay.get("/")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_every_response_carries_the_security_headers(client: FlaskClient) -> None:
    r = client.get("/login")
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_the_classification_page_shows_each_codes_rule_and_the_review_warning(
        client: FlaskClient) -> None:
    _login(client)
    html = client.get("/classifications").get_data(as_text=True)
    assert "perlu ditinjau" in html
    assert "putusan akhir" in html and "Penanganan Laporan Pelanggaran" in html


def test_an_upload_from_someone_not_signed_in_is_turned_away_before_it_is_stored(
        client: FlaskClient, tmp_path: Path, archive) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["tamu tak dikenal"])
    with open(pdf, "rb") as f:
        r = client.post("/documents/new", data={"file": (f, "a.pdf"), "title": "A"},
                        content_type="multipart/form-data")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert archive.store.stale_temp_files() == []


def test_unknown_search_parameters_never_reach_the_links(client: FlaskClient, upload,
                                                         tmp_path: Path) -> None:
    upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["surat edaran"]))
    _login(client)
    r = client.get("/search?q=edaran&endpoint=x&_external=1&_anchor=evil&_method=POST")
    assert r.status_code == 200
    html = r.get_data(as_text=True)
    assert "1 dokumen ditemukan" in html
    assert "http://" not in html.split("<main", 1)[1] and "#evil" not in html


def test_the_search_page_filters_by_file_type(client: FlaskClient, upload,
                                              tmp_path: Path) -> None:
    upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["anggaran kegiatan"]))
    upload(filegen.make_docx(tmp_path / "b.docx", ["anggaran perjalanan"]))
    _login(client)
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    html = client.get("/search", query_string={"q": "anggaran", "mime": docx}).get_data(
        as_text=True)
    assert "1 dokumen ditemukan" in html and "Dokumen b" in html
