"""A link from another site never writes the audit trail in the signed-in user's name: pages
that record ask first (Sec-Fetch-Site), and the page's own link then works as usual."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from earsip.models import AuditEntry
from earsip.services import Archive
from earsip.web.crosssite import OPEN_TO_OTHER_SITES
from tests import filegen
from tests.conftest import sign_in as _login


def _entries(archive: Archive) -> int:
    with archive.db.read() as session:
        return session.scalar(select(func.count(AuditEntry.seq))) or 0


def _actions_since(archive: Archive, seq: int) -> list[str]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).where(AuditEntry.seq > seq)
                                    .order_by(AuditEntry.seq)))


def _continue_link(page: str) -> str | None:
    match = re.search(r'id="cross-site-continue" href="([^"]+)"', page)
    return html.unescape(match.group(1)) if match else None


@pytest.fixture
def document_id(upload, tmp_path: Path) -> int:
    pdf = filegen.make_text_pdf(tmp_path / "nota.pdf", ["nota dinas rahasia negara"])
    return upload(pdf).get_json()["id"]


def _recording_pages(document_id: int) -> list[str]:
    return [f"/documents/{document_id}", f"/documents/{document_id}/download",
            f"/documents/{document_id}/preview", "/search?q=rahasia+negara",
            "/retention/export?kind=due&format=csv",
            "/audit"]  # the admin may not read the trail: even the refusal would be recorded


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_link_from_another_site_to_a_page_that_records_asks_first_and_records_nothing(
        client: FlaskClient, archive: Archive, document_id: int, site: str) -> None:
    _login(client)
    before = _entries(archive)
    for path in _recording_pages(document_id):
        r = client.get(path, headers={"Sec-Fetch-Site": site, "Sec-Fetch-Mode": "navigate",
                                      "Sec-Fetch-Dest": "document"})
        r.close()  # not read when it is the file itself
        assert r.status_code == 200 and r.mimetype == "text/html", path
        page = r.get_data(as_text=True)
        assert _continue_link(page) == path, path
        assert "jejak audit" in page
    assert _entries(archive) == before


def test_the_confirmation_link_opens_the_page_and_records_it_as_usual(
        client: FlaskClient, archive: Archive, document_id: int) -> None:
    _login(client)
    page = client.get(f"/documents/{document_id}/download",
                      headers={"Sec-Fetch-Site": "cross-site"}).get_data(as_text=True)
    before = _entries(archive)
    r = client.get(_continue_link(page), headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r.close()
    assert _actions_since(archive, before) == ["document.download"]
    page = client.get("/search?q=rahasia+negara",
                      headers={"Sec-Fetch-Site": "cross-site"}).get_data(as_text=True)
    before = _entries(archive)
    r = client.get(_continue_link(page), headers={"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200 and "nota" in r.get_data(as_text=True)
    assert _actions_since(archive, before) == ["search"]


@pytest.mark.parametrize("site", ["same-origin", "none", None])
def test_own_pages_typed_addresses_bookmarks_and_clients_without_fetch_metadata_work_as_today(
        client: FlaskClient, archive: Archive, document_id: int, site: str | None) -> None:
    _login(client)
    headers = {"Sec-Fetch-Site": site} if site else {}
    before = _entries(archive)
    r = client.get(f"/documents/{document_id}/download", headers=headers)
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r.close()
    r = client.get("/search?q=nota", headers=headers)
    assert _continue_link(r.get_data(as_text=True)) is None
    assert _actions_since(archive, before) == ["document.download", "search"]


def test_the_pages_open_to_other_sites_record_nothing(client: FlaskClient,
                                                      archive: Archive) -> None:
    assert {"auth.login", "pages.home", "static"} == OPEN_TO_OTHER_SITES
    _login(client)
    before = _entries(archive)
    for path in ("/", "/login", "/static/style.css"):
        r = client.get(path, headers={"Sec-Fetch-Site": "cross-site"})
        assert r.status_code in (200, 302), path
        assert _continue_link(r.get_data(as_text=True)) is None, path
        r.close()
    assert _entries(archive) == before


def test_a_link_from_another_site_without_a_session_leads_to_the_sign_in_page(
        client: FlaskClient, document_id: int) -> None:
    r = client.get(f"/documents/{document_id}", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
