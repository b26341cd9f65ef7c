"""The interface in Bahasa Indonesia by default and in English on request, every string of it."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from earsip.errors import ValidationError
from earsip.web import catalog
from tests import filegen
from tests.conftest import csrf_token as _csrf
from tests.conftest import sign_in as _login

PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]")




def _english(client: FlaskClient) -> None:
    r = client.post("/language", data={"csrf_token": _csrf(client), "lang": "en",
                                       "next": "/login"})
    assert r.status_code == 302 and r.headers["Location"] == "/login"




def _po():
    with catalog.PO.open("rb") as f:
        return read_po(f, locale="en")


def test_every_message_of_the_code_and_templates_has_an_english_translation() -> None:
    po = _po()
    untranslated = []
    for message in catalog.extract():
        if not message.id:
            continue
        entry = po.get(message.id, message.context)
        strings = entry.string if entry is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)) or entry.fuzzy:
            untranslated.append(message.id)
    assert untranslated == [], "run `make messages` and translate these"


def test_the_catalog_keeps_no_message_the_code_no_longer_has() -> None:
    extracted = {m.id for m in catalog.extract() if m.id}
    assert [m.id for m in _po() if m.id and m.id not in extracted] == []


def test_each_translation_keeps_the_placeholders_of_its_message() -> None:
    for m in _po():
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        for s in strings:
            assert set(PLACEHOLDER.findall(s)) == set(PLACEHOLDER.findall(ids[0])), m.id


def test_the_interface_is_in_bahasa_indonesia_by_default(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="id">' in html and "Masuk ke E-Arsip" in html


def test_switching_to_english_translates_pages_messages_and_errors_and_outlives_sign_out(
        client: FlaskClient) -> None:
    _english(client)
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign in to E-Arsip" in html
    refused = _login(client, password="salah-sekali").get_data(as_text=True)
    assert "Wrong user name or password." in refused
    _login(client)
    assert "Welcome, admin" in client.get("/").get_data(as_text=True)
    r = client.get("/search?q=pemus*x")
    assert "The * may only come at the end of a word." in r.get_data(as_text=True)
    r = client.get("/search?q=ab*")
    assert "A prefix search needs at least 3 letters before the *" in r.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": _csrf(client, "/")})
    assert "You have signed out." in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"csrf_token": _csrf(client), "lang": "id"})
    assert "Masuk ke E-Arsip" in client.get("/login").get_data(as_text=True)


def test_an_unknown_language_or_a_foreign_next_changes_nothing(client: FlaskClient) -> None:
    r = client.post("/language", data={"csrf_token": _csrf(client), "lang": "fr",
                                       "next": "https://evil.example/"})
    assert r.headers["Location"] == "/"
    assert '<html lang="id">' in client.get("/login").get_data(as_text=True)


# Words of the Indonesian interface that no page in English may still show (the names of
# classification codes and documents are data, and stay as they were written).
INDONESIAN = ["Beranda", "Keluar", "Kata sandi", "Simpan", "Halaman", "Unduh", "Masuk",
              "Pengguna", "Ganti", "Selamat datang", "ditemukan", "Tambah", "Kembali",
              "Status teks", "Nasib akhir", "Dihitung sejak", "Bantuan sintaks",
              "Jenis berkas", "Perihal", "Tanggal", "Keamanan", "Izin akses", "Peran",
              "Arsipkan", "Cari", "Berkas", "perlu ditinjau", "Langsung", "Bawaan"]


def _visible_text(html: str) -> str:
    html = re.sub(r'<form class="language".*?</form>', "", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", html)
    attrs = " ".join(re.findall(r'(?:placeholder|aria-label|title)="([^"]*)"', html))
    return text + " " + attrs


def test_no_page_in_english_shows_a_word_of_the_indonesian_interface(
        client: FlaskClient, upload, tmp_path: Path, make_user, app: Flask) -> None:
    doc_id = upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["meeting notes"]),
                    title="Meeting notes").get_json()["id"]
    make_user("tester")
    _english(client)
    _login(client)
    pages = ["/", "/search", "/search?q=meeting", "/search?q=zzzqqq", "/documents/new",
             f"/documents/{doc_id}", "/classifications", "/admin/users", "/admin/users/new",
             "/admin/users/2", "/account/password", "/documents/99999", "/retention",
             "/retention?kind=upcoming", "/retention?kind=hold", "/retention?kind=awaiting",
             "/holds", "/disposals", "/disposals/new", "/transfers", "/transfers/new"]
    for path in pages:
        text = _visible_text(client.get(path).get_data(as_text=True))
        found = [w for w in INDONESIAN if re.search(rf"\b{w}\b", text)]
        assert found == [], f"{path}: {found}"


def test_api_errors_follow_accept_language_and_default_to_bahasa_indonesia(
        client: FlaskClient) -> None:
    body = {"username": "admin", "password": "salah"}
    r = client.post("/api/v1/tokens", json=body)
    assert r.get_json()["error"]["message"] == "Nama pengguna atau kata sandi salah."
    r = client.post("/api/v1/tokens", json=body, headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert r.get_json()["error"]["message"] == "Wrong user name or password."


def test_an_error_message_is_its_template_filled_with_its_parameters() -> None:
    e = ValidationError("Paling banyak %(n)d tag.", field="tags", params={"n": 50})
    assert e.message == str(e) == "Paling banyak 50 tag."
    assert (e.template, e.params) == ("Paling banyak %(n)d tag.", {"n": 50})


def test_notes_the_system_stored_with_a_document_are_shown_in_english_too(
        client: FlaskClient, archive, tmp_path: Path) -> None:
    import datetime as dt
    from dataclasses import replace

    from earsip.audit import SYSTEM
    from earsip.services.records import ingest
    from earsip.services.records.documents import DocumentInput

    scan = filegen.make_image_pdf(tmp_path / "scan.pdf")
    without_ocr = replace(archive, config=replace(archive.config, ocr=False))
    doc_id = ingest.file_document(without_ocr, SYSTEM, scan, "scan.pdf", DocumentInput(
        title="Pindaian", classification="PP.00.02",  # counts from an event
        document_date=dt.date(2024, 3, 1)), clearance=None).document_id
    _english(client)
    _login(client)
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "OCR is switched off by the configuration (EARSIP_OCR=0)." in page
    assert 'The active period counts from the event "putusan akhir"' in page
    assert "dimatikan" not in page and "belum diisi" not in page
