"""The desk's pages in the browser's way (forms, redirects, flashed messages): a letter
registered with its scan, routed, followed up; a number issued and its letter filed."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests import filegen
from tests.conftest import USER_PASSWORD

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def browser(app: Flask, username: str) -> tuple[FlaskClient, str]:
    c = app.test_client()
    token = _csrf(c, "/login")
    r = c.post("/login", data={"username": username, "password": USER_PASSWORD,
                               "csrf_token": token})
    assert r.status_code == 302
    return c, _csrf(c, "/account/password")


def _csrf(c: FlaskClient, path: str) -> str:
    html = c.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.fixture
def staff(make_user: Callable[..., str]) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("staf1", roles=("staf",), clearance="terbatas")


def _register(c: FlaskClient, csrf: str, pdf: Path, **fields: str) -> TestResponse:
    data: dict[str, object] = {
        "csrf_token": csrf, "received_at": dt.datetime.now().strftime("%Y-%m-%dT%H:%M"),
        "channel": "kurir", "letter_number": "B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016",
        "letter_date": YESTERDAY, "sender": "Bawaslu Provinsi Jawa Timur",
        "subject": "Undangan rapat koordinasi", "classification": "KA.00", "urgency": "segera",
        "attachments": "1", "file": (io.BytesIO(pdf.read_bytes()), "undangan.pdf")}
    data.update(fields)
    return c.post("/letters/incoming/new", data=data, content_type="multipart/form-data")


def test_the_desk_registers_a_letter_the_head_routes_it_and_staff_close_it(
        app: Flask, staff: None, tmp_path: Path) -> None:
    desk, csrf = browser(app, "loket")
    pdf = filegen.make_text_pdf(tmp_path / "u.pdf", ["Undangan rapat koordinasi pengawasan"])
    r = _register(desk, csrf, pdf)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    letter_url = r.headers["Location"]
    page = desk.get(letter_url).get_data(as_text=True)
    assert f"1/SM/{dt.date.today().year}" in page and "Undangan rapat koordinasi" in page
    r = desk.post(letter_url + "/dispositions", data={
        "csrf_token": csrf, "to": "ketua", "instruction": "tindak lanjuti", "note": "mohon arahan"})
    assert r.status_code == 302
    head, head_csrf = browser(app, "ketua")
    inbox = head.get("/inbox").get_data(as_text=True)
    assert "Undangan rapat koordinasi" in inbox
    step = re.search(r'action="/dispositions/(\d+)/done"', head.get(letter_url)
                     .get_data(as_text=True))
    assert step is not None
    r = head.post(f"/dispositions/{step.group(1)}/forward", data={
        "csrf_token": head_csrf, "to": "staf1", "instruction": "_other",
        "instruction_other": "siapkan bahan rapat",
        "due_date": (dt.date.today() + dt.timedelta(days=2)).isoformat()})
    assert r.status_code == 302
    worker, worker_csrf = browser(app, "staf1")
    menu = worker.get("/inbox").get_data(as_text=True)
    assert "siapkan bahan rapat" in menu and 'class="badge counter"' in menu
    page = worker.get(letter_url).get_data(as_text=True)
    mine = re.search(r'action="/dispositions/(\d+)/done"', page)
    assert mine is not None
    report = filegen.make_text_pdf(tmp_path / "bahan.pdf", ["Bahan rapat koordinasi"])
    r = worker.post(f"/dispositions/{mine.group(1)}/done", data={
        "csrf_token": worker_csrf, "note": "Bahan sudah disiapkan",
        "file": (io.BytesIO(report.read_bytes()), "bahan.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    page = worker.get(letter_url).get_data(as_text=True)
    assert "Bahan sudah disiapkan" in page
    assert worker.get("/desk").status_code == 403
    english = head.get(letter_url, headers={"Accept-Language": "en"})
    assert english.status_code == 200


def test_a_refused_registration_shows_the_form_again_with_the_reason(
        app: Flask, staff: None, tmp_path: Path) -> None:
    desk, csrf = browser(app, "loket")
    pdf = filegen.make_text_pdf(tmp_path / "u.pdf", ["isi"])
    r = _register(desk, csrf, pdf, letter_date=(dt.date.today() + dt.timedelta(days=5))
                  .isoformat())
    assert r.status_code == 400
    assert "masa depan" in r.get_data(as_text=True)
    assert "Undangan rapat koordinasi" in r.get_data(as_text=True)  # the form keeps its values
    listing = desk.get("/letters/incoming").get_data(as_text=True)
    assert "Tidak ada surat." in listing


def test_a_number_is_issued_and_its_signed_letter_filed_from_the_outgoing_register(
        app: Flask, staff: None, tmp_path: Path) -> None:
    desk, csrf = browser(app, "loket")
    r = desk.post("/letters/outgoing", data={
        "csrf_token": csrf, "classification": "KA.00", "letter_date": dt.date.today().isoformat(),
        "signatory": "ketua", "subject": "Undangan sosialisasi", "recipient": "Camat"})
    assert r.status_code == 302
    page = desk.get("/letters/outgoing?status=waiting").get_data(as_text=True)
    number = re.search(r"1/KA\.00/K\.JI-XX/\d\d/\d{4}", page)
    assert number is not None
    form = re.search(r'action="/letters/outgoing/(\d+)/file"', page)
    assert form is not None
    signed = filegen.make_text_pdf(tmp_path / "s.pdf", ["Undangan sosialisasi ditandatangani"])
    r = desk.post(f"/letters/outgoing/{form.group(1)}/file", data={
        "csrf_token": csrf, "file": (io.BytesIO(signed.read_bytes()), "s.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302
    page = desk.get("/letters/outgoing").get_data(as_text=True)
    assert "diarsipkan" in page and "/documents/" in page


def test_every_desk_page_has_a_plain_title(app: Flask, staff: None) -> None:
    desk, _ = browser(app, "loket")
    for path in ("/desk", "/letters/incoming", "/letters/incoming/new", "/letters/outgoing",
                 "/inbox", "/notifications"):
        html = desk.get(path).get_data(as_text=True)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title is not None and "<" not in title.group(1) and len(title.group(1)) < 120, \
            (path, title.group(1)[:200] if title else None)


def test_odd_paging_values_are_ignored_or_refused_never_a_server_error(
        app: Flask, client: FlaskClient, staff: None,
        token_for: Callable[[str], dict[str, str]]) -> None:
    desk, _ = browser(app, "loket")
    for value in ("²", "-1", "abc", "99999999999"):
        assert desk.get(f"/letters/incoming?page={value}").status_code == 200
        assert desk.get(f"/letters/outgoing?page={value}").status_code == 200
        api = client.get(f"/api/v1/letters/incoming?limit={value}", headers=token_for("loket"))
        assert api.status_code == 400, value
