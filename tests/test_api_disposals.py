"""The destruction procedure through the API, step by step: the same use cases, permissions,
separation of duties and clearance rules as the Daftar usul musnah pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.models import AuditEntry, Document
from earsip.services import Archive
from tests.approvers import make_approver
from tests.conftest import USER_PASSWORD
from tests.test_retention_run import file_doc

Headers = Callable[..., dict[str, str]]
WITNESSES = [{"name": "Budi Santoso", "position": "Arsiparis Ahli Muda"},
             {"name": "Dewi Lestari", "position": "Kepala Subbagian Umum"}]


def _actions(archive: Archive) -> list[str]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("disposal.%")).order_by(AuditEntry.seq)))


def test_an_officer_and_a_leader_carry_a_list_through_every_step_by_api(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive, tmp_path: Path) -> None:
    gone = file_doc(archive, tmp_path, date="2019-03-01", title="Undangan rapat pleno")
    kept = file_doc(archive, tmp_path, date="2019-04-01", title="Nota dinas anggaran")
    officer = token_for(make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia"))
    make_approver(archive, "ketua")
    leader = token_for("ketua")

    candidates = client.get("/api/v1/disposals/candidates", headers=officer).get_json()
    assert [c["id"] for c in candidates] == [gone, kept]
    r = client.post("/api/v1/disposals", json={"document_ids": [gone, kept], "note": "2026"},
                    headers=officer)
    assert r.status_code == 201, r.get_json()
    listing = r.get_json()
    assert listing["status"] == "submitted" and listing["remaining"] == 2
    assert r.headers["Location"] == f"/api/v1/disposals/{listing['id']}"
    base = f"/api/v1/disposals/{listing['id']}"
    items = client.get(base, headers=officer).get_json()["items"]
    kept_item = next(i for i in items if i["document_id"] == kept)
    r = client.post(f"{base}/items/{kept_item['id']}/remove", json={"reason": "Masih dipakai"},
                    headers=leader)
    assert r.status_code == 200 and r.get_json()["remaining"] == 1
    r = client.post(f"{base}/approve", headers=leader, json={
        "reference": "KEP-15/HK.01.01/2026", "decision_date": dt.date.today().isoformat(),
        "password": USER_PASSWORD})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    r = client.post(f"{base}/execute", headers=officer, json={
        "berita_acara_number": "BA-01/KA.01.04/2026", "official_name": "Siti Rahmawati",
        "official_position": "Kepala Sekretariat", "witnesses": WITNESSES})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "executed"
    assert r.get_json()["berita_acara_number"] == "BA-01/KA.01.04/2026"
    with archive.db.read() as session:
        assert session.get(Document, gone).disposition == "destroyed"
        assert session.get(Document, kept).disposition is None
    with client.get(f"{base}/list.pdf", headers=officer) as pdf:
        assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert _actions(archive)[:5] == ["disposal.candidates", "disposal.propose",
                                     "disposal.view", "disposal.review",
                                     "disposal.approve"]


def test_a_step_refused_by_the_api_says_why_naming_the_field(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive, tmp_path: Path) -> None:
    doc = file_doc(archive, tmp_path, date="2019-03-01")
    officer = token_for(make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia"))
    r = client.post("/api/v1/disposals", json={"document_ids": []}, headers=officer)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "document_ids"
    r = client.post("/api/v1/disposals", json={"document_ids": ["1"]}, headers=officer)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "document_ids"
    list_id = client.post("/api/v1/disposals", json={"document_ids": [doc]},
                          headers=officer).get_json()["id"]
    r = client.post(f"/api/v1/disposals/{list_id}/execute", headers=officer, json={
        "berita_acara_number": "BA-1", "official_name": "Siti", "official_position": "Kepala",
        "witnesses": WITNESSES})
    assert r.status_code == 409  # not approved yet
    r = client.post(f"/api/v1/disposals/{list_id}/cancel", json={"reason": 5},
                    headers={**officer, "Accept-Language": "en"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "reason"
    r = client.post(f"/api/v1/disposals/{list_id}/cancel", json={"reason": "Keliru"},
                    headers=officer)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"


def test_the_steps_keep_their_permissions_and_a_hidden_list_is_not_found(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive, tmp_path: Path) -> None:
    secret = file_doc(archive, tmp_path, date="2019-03-01", security="rahasia")
    officer = token_for(make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia"))
    list_id = client.post("/api/v1/disposals", json={"document_ids": [secret]},
                          headers=officer).get_json()["id"]
    auditor = token_for(make_user("auditor", roles=("auditor",), clearance="sangat_rahasia"))
    assert client.post("/api/v1/disposals", json={"document_ids": [secret]},
                       headers=auditor).status_code == 403
    assert client.post(f"/api/v1/disposals/{list_id}/cancel", json={"reason": "x"},
                       headers=auditor).status_code == 403
    low = token_for(make_user("arsip-biasa", roles=("arsiparis",), clearance="biasa"))
    assert client.get(f"/api/v1/disposals/{list_id}/list.pdf", headers=low).status_code == 404
    assert client.post(f"/api/v1/disposals/{list_id}/cancel", json={"reason": "x"},
                       headers=low).status_code == 404
    assert secret not in [c["id"] for c in client.get("/api/v1/disposals/candidates",
                                                      headers=low).get_json()]
