"""The public pages (issue 20): a request for information from the form to its receipt (on
screen and PDF), tracking, an objection; and what keeps them safe to open to the internet:
no cookie, a strict CSP, limits per address shared by every process, the bot trap, the public
upload limit, hostile files refused with nothing stored, nothing of the archive reachable."""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from config import Config
from earsip import audit, create_app
from earsip.models import AuditEntry, Case, CaseDocument, CaseEvent, Document
from earsip.services import Archive
from earsip.services.access.public_limits import client_key
from earsip.services.records import ingest
from earsip.services.records.documents import parse_input
from tests import filegen
from tests.conftest import USER_PASSWORD, sign_in

REQUEST = {"name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}
PAGES = ("/layanan", "/layanan/permohonan", "/layanan/lacak", "/layanan/keberatan")
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
RECEIPT = re.compile(r'name="receipt" value="([^"]+)"')


class Links(HTMLParser):
    """Every address a page links to or sends a form to, and any inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "action", "src"):
            if a.get(name):
                self.targets.append(str(a[name]))
        if tag == "script" or tag == "style" or "style" in a \
                or any(k.startswith("on") for k in a):
            self.inline.append(tag)


def _token(client: FlaskClient, path: str) -> str:
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no form token on {path}"
    return match.group(1)


def _text(response: TestResponse) -> str:
    html = response.get_data(as_text=True)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def multipart(fields: dict[str, str], identity: tuple[bytes, str] | None) -> tuple[bytes, str]:
    """Return a multipart body with `fields` and the identity scan, and its Content-Type (built
    by hand: the test client spools a large file part to a temporary file it may not close)."""
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                    f"{v}\r\n".encode() for k, v in fields.items())
    if identity is not None:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="identity_file"; '
                 f'filename="{identity[1]}"\r\nContent-Type: application/octet-stream\r\n\r\n'
                 ).encode() + identity[0] + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _submit(client: FlaskClient, *, identity: tuple[bytes, str] | None = None,
            query: str = "", **fields: str) -> TestResponse:
    body, content_type = multipart({**REQUEST, "form_token": _token(
        client, "/layanan/permohonan"), "website": "", **fields}, identity)
    return client.post(f"/layanan/permohonan{query}", data=body, content_type=content_type)


def _receipt(response: TestResponse) -> tuple[str, str]:
    """Return the registration number and tracking code a receipt page shows."""
    text = _text(response)
    number = re.search(r"Nomor pendaftaran (\S+)", text) or re.search(
        r"Registration number (\S+)", text)
    code = re.search(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", text)
    assert number and code, text[:600]
    return number.group(1), code.group(1)


def _track(client: FlaskClient, number: str, code: str, query: str = "") -> TestResponse:
    return client.post(f"/layanan/lacak{query}", data={
        "registration_number": number, "tracking_code": code,
        "form_token": _token(client, "/layanan/lacak")})


def _stored(config: Config) -> list[Path]:
    return [p for p in config.upload_dir.rglob("*") if p.is_file()
            and ".tmp" not in p.parts and p.name != ".gitkeep"]


def _count(archive: Archive, model: type) -> int:
    with archive.db.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def app_with(config: Config, archive: Archive) -> Iterator[Callable[..., Flask]]:
    """Return a factory of apps over the test archive with some settings changed."""
    made: list[Flask] = []

    def make(**settings: object) -> Flask:
        application = create_app(replace(config, **settings))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["earsip"].close()


def test_a_request_goes_from_the_form_to_its_receipt_its_pdf_tracking_and_an_objection(
        client: FlaskClient, archive: Archive, tmp_path: Path) -> None:
    png = filegen.make_png(tmp_path / "ktp.png").read_bytes()
    r = _submit(client, identity=(png, "ktp.png"))
    assert r.status_code == 200, _text(r)[:800]
    number, code = _receipt(r)
    text = _text(r)
    assert "Simpan kode pelacakan ini" in text
    assert re.search(r"Batas waktu jawaban \d{1,2} [A-Z][a-z]+ 20\d\d", text)  # 7 April 2026
    with archive.db.read() as session:
        case = session.scalars(select(Case)).one()
        assert case.registration_number == number and case.channel == "web"
        assert code not in str(case.tracking_hash) and case.tracking_hash
        roles = session.scalars(select(CaseDocument.role)).all()
    assert roles == ["identitas"]
    # The receipt's PDF, from the signed token of the page (the code never in an address).
    token = RECEIPT.search(r.get_data(as_text=True))
    assert token
    links = Links()
    links.feed(r.get_data(as_text=True))
    assert not any(code in t or code.replace("-", "") in t for t in links.targets)
    pdf = client.post("/layanan/tanda-terima", data={"receipt": token.group(1)})
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    words = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert number in words and code in words and "TANDA BUKTI PERMOHONAN" in words
    assert re.search(r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|"
                     r"Oktober|November|Desember) 20\d\d", words)
    # Tracking, with the code typed in lower case without dashes.
    t = _track(client, number, code.lower().replace("-", ""))
    assert t.status_code == 200
    shown = _text(t)
    assert "Terdaftar" in shown and "Permohonan informasi publik" in shown
    assert "Siti" not in shown and "3576" not in shown
    # The objection, with its own receipt.
    o = client.post("/layanan/keberatan", data={
        "registration_number": number, "tracking_code": code, "reason": "c",
        "description": "Belum ada tanggapan.", "website": "",
        "form_token": _token(client, f"/layanan/keberatan?nomor={number}")})
    assert o.status_code == 200, _text(o)[:600]
    objection, objection_code = _receipt(o)
    assert objection != number and "Keberatan Anda telah dicatat" in _text(o)
    assert _track(client, objection, objection_code).status_code == 200
    with archive.db.read() as session:
        kept = session.scalars(select(Case).where(Case.registration_number == objection)).one()
        assert kept.type == "keberatan" and kept.details["reason"] == "c"


def test_the_objection_form_shows_the_reasons_in_the_words_of_the_law(
        client: FlaskClient) -> None:
    text = _text(client.get("/layanan/keberatan"))
    assert "UU 14/2008 Pasal 35 ayat (1)" in text
    assert "tidak ditanggapinya permintaan informasi" in text
    assert "pengenaan biaya yang tidak wajar" in text
    assert text.count('name="reason"') == 0  # markup is not text
    html = client.get("/layanan/keberatan").get_data(as_text=True)
    assert sorted(re.findall(r'name="reason" value="(\w)"', html)) == list("abcdefg")


def test_a_wrong_code_answers_exactly_like_no_such_case(client: FlaskClient) -> None:
    number, _code = _receipt(_submit(client))
    wrong = _track(client, number, "AAAA-AAAA-AAAA")
    missing = _track(client, "9999/LSP/2026", "AAAA-AAAA-AAAA")
    assert wrong.status_code == missing.status_code == 404

    def same(r: TestResponse) -> str:
        html = r.get_data(as_text=True)
        html = TOKEN.sub("TOKEN", html)
        return html.replace(number, "N").replace("9999/LSP/2026", "N")

    assert same(wrong) == same(missing)
    assert "tidak cocok" in _text(wrong)


def test_no_public_response_sets_a_cookie_not_even_for_a_signed_in_visitor(
        client: FlaskClient, app: Flask, tmp_path: Path) -> None:
    seen: list[TestResponse] = [client.get(p) for p in PAGES]
    seen.append(client.get("/layanan/tidak-ada"))
    seen.append(client.get("/layanan?lang=en"))
    r = _submit(client)
    seen.append(r)
    number, code = _receipt(r)
    seen.append(_track(client, number, code))
    seen.append(_track(client, number, "AAAA-AAAA-AAAA"))
    seen.append(client.post("/layanan/tanda-terima", data={"receipt": "palsu"}))
    seen.append(client.post("/layanan/permohonan", data={"name": "x"}))
    seen.append(client.get(f"/api/v1/public/cases/{number}", query_string={"code": code}))
    for response in seen:
        assert "Set-Cookie" not in response.headers, (response.request.path,
                                                      response.headers)
    # A staff member's browser: their session is neither refreshed nor changed here.
    staff = app.test_client()
    assert sign_in(staff).status_code == 302
    for path in PAGES:
        response = staff.get(path)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers, path
        assert "Keluar" not in _text(response)  # no staff header, no sign-out form
    response = _submit(staff)
    assert response.status_code == 200 and "Set-Cookie" not in response.headers


def test_every_public_page_has_a_strict_csp_no_inline_code_and_links_only_to_itself(
        client: FlaskClient) -> None:
    r = _submit(client)
    pages = [client.get(p) for p in PAGES] + [r, client.get("/layanan/tidak-ada")]
    for response in pages:
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp
        assert "form-action 'self'" in csp and "frame-ancestors 'none'" in csp
        assert response.headers["Cache-Control"] == "no-store"
        links = Links()
        links.feed(response.get_data(as_text=True))
        assert links.inline == [], response.request.path
        for target in links.targets:
            assert target.startswith(("/layanan", "/static/", "#")), (response.request.path, target)


def test_the_public_pages_speak_english_with_lang_and_keep_it_in_their_links(
        client: FlaskClient) -> None:
    page = client.get("/layanan?lang=en")
    assert "Public Information Service" in _text(page)
    html = page.get_data(as_text=True)
    assert 'href="/layanan/permohonan?lang=en"' in html
    assert 'href="/layanan"' in html  # the way back to Bahasa Indonesia
    form = client.get("/layanan/permohonan?lang=en").get_data(as_text=True)
    assert 'action="/layanan/permohonan?lang=en"' in form
    r = _submit(client, query="?lang=en")
    assert r.status_code == 200
    assert "Keep this tracking code" in _text(r) or "Save this tracking code" in _text(r)
    objection = _text(client.get("/layanan/keberatan?lang=en"))
    assert "Article 35" in objection
    for path in PAGES:
        assert client.get(path).status_code == 200
        assert client.get(f"{path}?lang=en").status_code == 200
    assert "Bahasa" in _text(client.get("/layanan"))


def test_a_refused_request_keeps_what_was_typed_and_names_the_field(
        client: FlaskClient, archive: Archive) -> None:
    r = _submit(client, phone="", email="", copy_method="ambil_langsung")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "Isi nomor telepon atau alamat e-mail" in _text(r)
    assert 'value="Siti Aminah"' in html and 'aria-invalid="true"' in html
    assert _count(archive, Case) == 0


def test_too_many_lookups_from_one_address_get_429_until_the_window_ends(
        app_with: Callable[..., Flask], archive: Archive) -> None:
    app = app_with(public_lookup_limit=3, public_lookup_window_s=2)
    client = app.test_client()
    number, code = _receipt(_submit(client))
    while time.time() % 2 > 1.2:  # start early in a window
        time.sleep(0.05)
    answers = [_track(client, number, code).status_code for _ in range(3)]
    refused = _track(client, number, code)
    assert answers == [200, 200, 200] and refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 2
    assert "Terlalu banyak permintaan" in _text(refused)
    assert "Set-Cookie" not in refused.headers
    api = client.get(f"/api/v1/public/cases/{number}", query_string={"code": code})
    assert api.status_code == 429 and api.get_json()["error"]["code"] == "too_many_attempts"
    assert "Retry-After" in api.headers
    with archive.db.read() as session:  # one entry for the run, not one per refusal
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "public.throttled")).all()
    assert len(entries) == 1 and entries[0].details["kind"] == "lookup"
    time.sleep(float(refused.headers["Retry-After"]) + 0.1)
    assert _track(client, number, code).status_code == 200


def test_the_limit_is_shared_by_every_process_and_counts_an_address_not_a_page(
        app_with: Callable[..., Flask]) -> None:
    settings = {"public_submit_limit": 2, "public_submit_window_s": 3600}
    one, two = app_with(**settings).test_client(), app_with(**settings).test_client()
    assert _submit(one).status_code == 200
    assert two.post("/api/v1/public/information-requests", data=REQUEST,
                    content_type="multipart/form-data").status_code == 201
    r = _submit(one)
    assert r.status_code == 429 and re.search(r"Coba lagi dalam \d+ menit", _text(r))
    elsewhere = app_with(**settings).test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert _submit(elsewhere).status_code == 200


def test_an_ipv6_client_is_counted_by_its_network() -> None:
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:bbbb::9") \
        == "2001:db8:1:2::/64"
    assert client_key("::ffff:10.1.2.3") == "10.1.2.3"
    assert client_key("192.0.2.7") == "192.0.2.7" and client_key(None) == "-"


def test_a_bot_filling_the_honeypot_or_sending_too_fast_is_refused_neutrally_and_audited(
        app_with: Callable[..., Flask], archive: Archive) -> None:
    client = app_with(public_min_fill_s=2).test_client()
    fast = _submit(client)
    honey = client.post("/layanan/keberatan", data={
        "registration_number": "1/LSP/2026", "tracking_code": "X", "reason": "a",
        "description": "x", "website": "http://spam.example",
        "form_token": _token(client, "/layanan/keberatan")})
    for r in (fast, honey):
        assert r.status_code == 400
        assert "Kiriman Anda tidak dapat diproses" in _text(r)
        assert "bot" not in _text(r).lower()
    assert _count(archive, Case) == 0
    with archive.db.read() as session:
        trapped = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "public.trapped").order_by(AuditEntry.seq)).all()
    assert [(e.details["reason"], e.details["form"]) for e in trapped] == [
        ("too_fast", "permohonan"), ("honeypot", "keberatan")]
    assert all(e.outcome == "refused" and e.actor_name == "publik" for e in trapped)
    token = _token(client, "/layanan/permohonan")
    time.sleep(2.1)  # a person takes their time
    r = client.post("/layanan/permohonan", data={**REQUEST, "form_token": token,
                                                 "website": ""})
    assert r.status_code == 200 and _count(archive, Case) == 1


def test_a_form_without_its_token_or_with_a_forged_one_is_refused(client: FlaskClient,
                                                                  archive: Archive) -> None:
    tracking = client.post("/layanan/lacak", data={"registration_number": "1/LSP/2026",
                                                   "tracking_code": "X"})
    forged = client.post("/layanan/permohonan", data={**REQUEST, "form_token": "abc.def"})
    other = client.post("/layanan/permohonan", data={
        **REQUEST, "form_token": _token(client, "/layanan/lacak")})
    for r in (tracking, forged, other):
        assert r.status_code == 400 and "Muat ulang halaman" in _text(r)
    assert _count(archive, Case) == 0
    pdf = client.post("/layanan/tanda-terima", data={"receipt": "palsu"})
    assert pdf.status_code == 400 and pdf.mimetype == "text/html"


def test_an_oversized_identity_scan_is_refused_with_the_limit_named_and_nothing_stored(
        app_with: Callable[..., Flask], archive: Archive, config: Config) -> None:
    client = app_with(public_max_upload_mb=1).test_client()
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024)
    r = _submit(client, identity=(big, "ktp.png"))
    assert r.status_code == 413 and "paling besar 1 MB" in _text(r)
    near = b"\x89PNG\r\n\x1a\n" + b"\0" * (1024 * 1024 + 10)  # within the form's slack
    r = _submit(client, identity=(near, "ktp.png"))
    assert r.status_code == 413 and "1 MB" in _text(r)
    body, content_type = multipart(REQUEST, (big, "ktp.png"))
    api = client.post("/api/v1/public/information-requests", data=body,
                      content_type=content_type)
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "too_large"
    assert _count(archive, Case) == 0 and _count(archive, Document) == 0
    assert _stored(config) == []
    assert list((config.upload_dir / ".tmp").glob("*")) == []


@pytest.mark.parametrize(("name", "make"), [
    ("ktp.pdf", filegen.make_html_renamed_pdf), ("ktp.svg", filegen.make_svg),
    ("ktp.pdf", filegen.make_elf_renamed_pdf),
    ("ktp.png", lambda p: filegen.make_pixel_flood(p, "png")),
])
def test_a_hostile_identity_file_is_refused_clearly_and_nothing_is_stored(
        client: FlaskClient, archive: Archive, config: Config, tmp_path: Path, name: str,
        make: Callable[[Path], Path]) -> None:
    payload = make(tmp_path / f"sumber{Path(name).suffix}").read_bytes()
    r = _submit(client, identity=(payload, name))
    assert r.status_code == 415, _text(r)[:400]
    assert 'value="Siti Aminah"' in r.get_data(as_text=True)  # the form comes back filled
    assert _count(archive, Case) == 0 and _count(archive, Document) == 0
    assert _stored(config) == []


def test_a_staff_member_with_a_temporary_password_still_reaches_the_public_pages(
        app: Flask, make_user: Callable[..., str]) -> None:
    from earsip.models import User

    make_user("baru")
    archive = app.extensions["earsip"]
    with archive.db.write() as session:
        session.scalars(select(User).where(User.username == "baru")).one() \
            .must_change_password = True
    browser = app.test_client()
    sign_in(browser, "baru", USER_PASSWORD)
    assert browser.get("/layanan/permohonan").status_code == 200


def test_a_scan_whose_bytes_the_archive_holds_is_answered_like_any_other_and_never_tells_it(
        client: FlaskClient, archive: Archive, tmp_path: Path) -> None:
    png = filegen.make_png(tmp_path / "ktp.png")
    with open(png, "rb") as f:  # the same bytes, filed earlier as a secret record
        ingest.file_document(archive, audit.SYSTEM, f, "lampiran.png", parse_input({
            "title": "Lampiran rahasia", "classification": "KA.00",
            "document_date": "2024-01-02", "security": "sangat_rahasia"}),
            clearance="sangat_rahasia")
    page = _submit(client, identity=(png.read_bytes(), "ktp.png"))
    assert page.status_code == 200 and "Permohonan Anda telah dicatat." in _text(page)
    body, content_type = multipart(REQUEST, (png.read_bytes(), "ktp.png"))
    api = client.post("/api/v1/public/information-requests", data=body,
                      content_type=content_type)
    assert api.status_code == 201
    with archive.db.read() as session:  # nothing of theirs kept; their owner is told why
        assert session.scalars(select(CaseDocument)).all() == []
        notes = session.scalars(select(CaseEvent.note)).all()
        assert len(notes) == 2 and all("tidak disimpan" in (n or "") for n in notes)


def test_every_public_page_labels_its_controls_and_has_one_heading_in_both_languages(
        client: FlaskClient) -> None:
    from tests.test_accessibility import _check

    receipt = _submit(client)
    number, code = _receipt(receipt)
    pages = {path: client.get(path) for path in PAGES}
    pages.update({"receipt": receipt, "status": _track(client, number, code),
                  "wrong code": _track(client, number, "AAAA-AAAA-AAAA"),
                  "missing": client.get("/layanan/tidak-ada")})
    pages.update({f"{path}?lang=en": client.get(f"{path}?lang=en") for path in PAGES})
    for where, page in pages.items():
        _check(page.get_data(as_text=True), where)
    assert '<html lang="en">' in pages["/layanan?lang=en"].get_data(as_text=True)
