"""Hostile names and stored script payloads (issue 7): client file names come back only as
RFC 6266 attachment names, and markup in titles, tags, senders, PDF text and PDF metadata is
shown escaped on every page that shows it (document page, search, history, audit trail)."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from werkzeug.http import parse_options_header

from earsip.services import Archive
from tests import filegen
from tests.conftest import USER_PASSWORD, sign_in

PAYLOAD = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
RAW_MARKUP = ("<script>alert", "<img src=x", "onerror=alert(2)>", "<script>alert(3)")


def _saved_name(header: str) -> str:
    """Return the name a browser saves an RFC 6266 attachment under (`filename*` when given)."""
    value, options = parse_options_header(header)
    assert value == "attachment", header
    return options["filename"]


@pytest.mark.parametrize("name", [
    "../../surat.pdf", "..\\..\\surat.pdf", "surat\x00.exe.pdf", "CON.pdf", "NUL.pdf",
    "a\u202egpj.pdf", 'kutip"\r\nX-Evil: 1.pdf', "x" * 300 + ".pdf",
    unicodedata.normalize("NFD", "Surat Undangan Rapat Pleno – Pemilihan Wali Kota.pdf"),
    "Surat Keputusan No. 12 (Salinan) & Lampiran; 2024%20.pdf",
])
def test_a_client_file_name_comes_back_only_as_a_safe_attachment_name(
        upload, client: FlaskClient, token_for, tmp_path: Path, name: str) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "surat.pdf", [f"Surat {len(name)} {name[:3]!r}"])
    filed = upload(pdf, filename=name)
    assert filed.status_code == 201, filed.get_json()
    shown = filed.get_json()["file"]["filename"]
    assert not set(shown) & {"/", "\\", "\x00", "\r", "\n"}
    r = client.get(f"/api/v1/documents/{filed.get_json()['id']}/file",
                   headers=token_for("admin"))
    assert r.status_code == 200
    header = r.headers["Content-Disposition"]
    assert "\r" not in header and "\n" not in header and "X-Evil" not in r.headers
    assert _saved_name(header) == shown  # exactly the name shown, nothing more
    assert all(32 <= ord(c) < 127 for c in header)  # non-ASCII only %-encoded in filename*
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()


def test_script_in_metadata_text_and_pdf_properties_is_shown_escaped_everywhere(
        upload, client: FlaskClient, archive: Archive, tmp_path: Path, make_user) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "xss.pdf",
                                [f"laporan pengawasan {PAYLOAD} kampanye"], title=PAYLOAD)
    filed = upload(pdf, title=f"Laporan {PAYLOAD}", sender=PAYLOAD, tags=f"rapat,{PAYLOAD}",
                   description=PAYLOAD, filename="<script>alert(3)</script>.pdf")
    assert filed.status_code == 201, filed.get_json()
    doc_id = filed.get_json()["id"]
    sign_in(client)
    pages = {
        "document": client.get(f"/documents/{doc_id}"),
        "search": client.get("/search?q=laporan+pengawasan"),
        "home": client.get("/"),
    }
    make_user("pemeriksa", roles=("auditor",), clearance="sangat_rahasia")
    auditor = client.application.test_client()
    sign_in(auditor, "pemeriksa", USER_PASSWORD)
    pages["audit"] = auditor.get(f"/audit?document={doc_id}")
    pages["audit entry"] = auditor.get("/audit/1")
    for where, page in pages.items():
        assert page.status_code == 200, where
        html = page.get_data(as_text=True)
        for raw in RAW_MARKUP:
            assert raw not in html, (where, raw)
    document = pages["document"].get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert "&#34;&gt;" in document or "&quot;&gt;" in document  # the quote closes nothing


@pytest.mark.parametrize(("kind", "name"), [("png", "banjir.png"), ("jpeg", "banjir.jpg"),
                                            ("tiff", "banjir.tif")])
def test_a_pixel_flood_is_refused_at_filing_with_its_size_named(
        upload, archive: Archive, tmp_path: Path, kind: str, name: str) -> None:
    image = filegen.make_pixel_flood(tmp_path / name, kind)
    r = upload(image)
    assert r.status_code == 415, r.get_json()
    assert "Gambar terlalu besar" in r.get_json()["error"]["message"]
    assert "juta piksel" in r.get_json()["error"]["message"]
    assert [p for p in archive.store.root.rglob("*") if p.is_file()
            and ".tmp" not in p.parts and p.name != ".gitkeep"] == []


def _public_token(client: FlaskClient, path: str) -> str:
    import re

    match = re.search(r'name="form_token" value="([^"]+)"', client.get(path).get_data(
        as_text=True))
    assert match, path
    return match.group(1)


def test_script_typed_into_the_public_forms_comes_back_escaped_and_is_never_run(
        client: FlaskClient, archive: Archive) -> None:
    answers = {
        "request": client.post("/layanan/permohonan", data={
            "name": PAYLOAD, "address": PAYLOAD, "identity_number": "3576014403900001",
            "information": PAYLOAD, "purpose": PAYLOAD, "obtain_method": PAYLOAD,
            "copy_method": "pos", "form_token": _public_token(client, "/layanan/permohonan")}),
        "tracking": client.post("/layanan/lacak", data={
            "registration_number": PAYLOAD, "tracking_code": PAYLOAD,
            "form_token": _public_token(client, "/layanan/lacak")}),
        "objection": client.post("/layanan/keberatan", data={
            "registration_number": PAYLOAD, "tracking_code": PAYLOAD, "reason": "a",
            "description": PAYLOAD, "form_token": _public_token(client, "/layanan/keberatan")}),
        "prefill": client.get("/layanan/keberatan", query_string={"nomor": PAYLOAD}),
        "language": client.get("/layanan", query_string={"lang": PAYLOAD}),
        "receipt": client.post("/layanan/tanda-terima", data={"receipt": PAYLOAD}),
        "api": client.get(f"/api/v1/public/cases/{PAYLOAD}", query_string={"code": PAYLOAD}),
    }
    for where, page in answers.items():
        assert page.status_code in (200, 400, 404), (where, page.status_code)
        html = page.get_data(as_text=True)
        for raw in RAW_MARKUP:
            assert raw not in html, (where, raw)
        assert "script-src" not in page.headers["Content-Security-Policy"] or where == "api"
    assert "&lt;script&gt;" in answers["request"].get_data(as_text=True)
    from sqlalchemy import func, select

    from earsip.models import Case

    with archive.db.read() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0


@pytest.mark.parametrize("name", ["../../ktp.png", "ktp\x00.exe.png", 'kutip"\r\nX-Evil: 1.png',
                                  "<script>alert(3)</script>.png", "x" * 300 + ".png"])
def test_a_hostile_identity_file_name_from_the_public_api_is_stored_only_as_a_safe_name(
        client: FlaskClient, archive: Archive, tmp_path: Path, name: str) -> None:
    from sqlalchemy import select

    from earsip.models import Document

    png = filegen.make_png(tmp_path / "ktp.png")
    fields = {"name": "Siti", "address": "Jl. Majapahit 1", "phone": "081234567890",
              "identity_number": "3576014403900001", "information": "Salinan SK",
              "purpose": "Penelitian", "obtain_method": "membaca",
              "copy_method": "ambil_langsung"}
    with open(png, "rb") as f:
        r = client.post("/api/v1/public/information-requests",
                        data={**fields, "identity_file": (f, name)},
                        content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    assert "Set-Cookie" not in r.headers
    with archive.db.read() as session:
        stored = session.scalars(select(Document.original_filename)).one()
    assert not set(stored) & {"/", "\\", "\x00", "\r", "\n"}
    assert len(stored) <= 255
