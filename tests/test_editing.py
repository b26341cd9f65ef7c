"""Editing a filed document: metadata, reclassification and security, audited old and new."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.models import AuditEntry, Document
from earsip.services import Archive
from tests import filegen
from tests.conftest import ADMIN_PASSWORD


def _file(upload, tmp_path: Path, text: str = "laporan pengawasan kampanye", **fields: str) -> int:  # type: ignore[no-untyped-def]
    pdf = filegen.make_text_pdf(tmp_path / f"{abs(hash(text))}.pdf", [text])
    r = upload(pdf, **fields)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def _entries(archive: Archive, action: str) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_reclassifying_recomputes_the_dates_and_is_audited_with_old_and_new_values(
        client: FlaskClient, upload, tmp_path: Path, token_for, archive: Archive) -> None:  # type: ignore[no-untyped-def]
    doc_id = _file(upload, tmp_path, classification="KA.00", document_date="2024-08-17")
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=token_for("admin"),
                     json={"classification": "PM.00.02", "title": "Laporan baru"})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["classification"]["code"] == "PM.00.02" and body["title"] == "Laporan baru"
    assert body["retention"]["active_until"] == "2026-08-17"
    [entry] = _entries(archive, "document.reclassify")
    assert entry.details["changes"]["classification"] == {"old": "KA.00", "new": "PM.00.02"}
    assert entry.details["changes"]["title"]["new"] == "Laporan baru"
    assert set(entry.details["changes"]) == {"classification", "title"}
    found = client.get("/api/v1/search", query_string={"q": "baru"},
                       headers=token_for("admin")).get_json()
    assert [h["id"] for h in found["results"]] == [doc_id]  # the index followed


def test_raising_the_security_class_hides_the_document_from_lower_clearances_at_once(
        client: FlaskClient, upload, tmp_path: Path, token_for, make_user) -> None:  # type: ignore[no-untyped-def]
    doc_id = _file(upload, tmp_path, text="nota dinas netralitas")
    make_user("staf1", clearance="biasa")
    staff = token_for("staf1")
    assert client.get(f"/api/v1/documents/{doc_id}", headers=staff).status_code == 200
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=token_for("admin"),
                     json={"security": "rahasia"})
    assert r.status_code == 200
    assert client.get(f"/api/v1/documents/{doc_id}", headers=staff).status_code == 404
    found = client.get("/api/v1/search", query_string={"q": "netralitas"}, headers=staff)
    assert found.get_json()["total"] == 0


def test_nobody_sets_a_class_above_their_own_clearance_or_edits_without_the_role(
        client: FlaskClient, upload, tmp_path: Path, token_for, make_user) -> None:  # type: ignore[no-untyped-def]
    doc_id = _file(upload, tmp_path)
    make_user("arsip1", roles=("arsiparis",), clearance="terbatas")
    make_user("staf1", roles=("staf",), clearance="sangat_rahasia")
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=token_for("arsip1"),
                     json={"security": "rahasia"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "security"
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=token_for("staf1"),
                     json={"title": "x"})
    assert r.status_code == 403


def test_invalid_edits_change_nothing(client: FlaskClient, upload, tmp_path: Path,
                                      token_for, archive: Archive) -> None:  # type: ignore[no-untyped-def]
    doc_id = _file(upload, tmp_path, document_date="2024-08-17")
    h = token_for("admin")
    for body, field in (({"document_date": "2024-02-30"}, "document_date"),
                        ({"classification": "ZZ.99"}, "classification"),
                        ({"classification": "PM"}, "classification"),
                        ({"title": " "}, "title")):
        r = client.patch(f"/api/v1/documents/{doc_id}", headers=h, json=body)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, body
    assert client.patch(f"/api/v1/documents/{doc_id}", headers=h,
                        json={"colour": "red"}).status_code == 400
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        assert (doc.document_date, doc.classification_code) == (dt.date(2024, 8, 17), "KA.00")
    assert _entries(archive, "document.edit") == []


def test_the_edit_page_changes_a_document_in_the_browser(client: FlaskClient, upload,
                                                         tmp_path: Path,
                                                         archive: Archive) -> None:  # type: ignore[no-untyped-def]
    doc_id = _file(upload, tmp_path, tags="pemilu")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                "csrf_token": token})
    page = client.get(f"/documents/{doc_id}/edit").get_data(as_text=True)
    assert 'value="pemilu"' in page
    fields = dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*value="([^"]*)"', page))
    fields.pop("code_filter", None)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = client.post(f"/documents/{doc_id}/edit", data={
        **fields, "csrf_token": token, "classification": "KA.00", "security": "terbatas",
        "tags": "pemilu, kampanye", "description": "Dilengkapi keterangan"})
    assert r.status_code == 302
    [entry] = _entries(archive, "document.edit")
    assert entry.details["changes"] == {
        "security": {"old": "biasa", "new": "terbatas"},
        "description": {"old": None, "new": "Dilengkapi keterangan"},
        "tags": {"old": ["pemilu"], "new": ["kampanye", "pemilu"]}}
