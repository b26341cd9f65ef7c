"""Editing a filed document: metadata, reclassification and security, audited old and new."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.access import Principal
from earsip.models import Document, User
from earsip.services import Archive
from tests import filegen
from tests.approvers import make_approver
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, csrf_token, sign_in
from tests.helpers import entries as _entries


def _principal(archive: Archive, username: str) -> Principal:
    with archive.db.read() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def _file(upload, tmp_path: Path, text: str = "laporan pengawasan kampanye", **fields: str) -> int:
    pdf = filegen.make_text_pdf(tmp_path / f"{abs(hash(text))}.pdf", [text])
    r = upload(pdf, **fields)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]


def test_reclassifying_recomputes_the_dates_and_is_audited_with_old_and_new_values(
        client: FlaskClient, upload, tmp_path: Path, token_for, archive: Archive) -> None:
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
        client: FlaskClient, upload, tmp_path: Path, token_for, make_user) -> None:
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
        client: FlaskClient, upload, tmp_path: Path, token_for, make_user) -> None:
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
                                      token_for, archive: Archive) -> None:
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
                                                         archive: Archive) -> None:
    doc_id = _file(upload, tmp_path, tags="pemilu")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                "csrf_token": token})
    page = client.get(f"/documents/{doc_id}/edit").get_data(as_text=True)
    assert 'value="pemilu"' in page
    fields = dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*value="([^"]*)"', page))
    fields.pop("code_filter", None)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post(f"/documents/{doc_id}/edit", data={
        **fields, "csrf_token": token, "classification": "KA.00", "security": "terbatas",
        "tags": "pemilu, kampanye", "description": "Dilengkapi keterangan"})
    assert r.status_code == 302
    [entry] = _entries(archive, "document.edit")
    assert entry.details["changes"] == {
        "security": {"old": "biasa", "new": "terbatas"},
        "description": {"old": None, "new": "Dilengkapi keterangan"},
        "tags": {"old": ["pemilu"], "new": ["kampanye", "pemilu"]}}


def _security(archive: Archive, doc_id: int) -> str:
    with archive.db.read() as session:
        return session.get(Document, doc_id).security


def test_opening_the_edit_form_is_audited_as_a_view(client: FlaskClient, upload, tmp_path: Path,
                                                    archive: Archive) -> None:
    doc_id = _file(upload, tmp_path, title="Nota rahasia pengawasan")
    sign_in(client)
    assert "Nota rahasia pengawasan" in client.get(f"/documents/{doc_id}/edit").get_data(
        as_text=True)
    [viewed] = _entries(archive, "document.view")
    assert viewed.target_id == str(doc_id) and viewed.details == {"form": "edit"}
    assert viewed.actor_name == "admin"


def test_lowering_a_class_needs_a_reason_and_one_level_down_is_applied_and_audited(
        client: FlaskClient, upload, tmp_path: Path, token_for, archive: Archive) -> None:
    doc_id = _file(upload, tmp_path, security="rahasia")
    h = token_for("admin")
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=h, json={"security": "terbatas"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "security_reason"
    assert _security(archive, doc_id) == "rahasia"
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=h, json={
        "security": "terbatas", "security_reason": "Perkara telah diputus"})
    assert r.status_code == 200 and r.get_json()["security"] == "terbatas"
    [lowered] = _entries(archive, "document.declassify")
    assert lowered.details == {"old": "rahasia", "new": "terbatas",
                               "reason": "Perkara telah diputus"}
    assert _entries(archive, "declassification.request") == []
    # Raising stays as it was: no reason asked.
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=h, json={"security": "rahasia"})
    assert r.status_code == 200 and r.get_json()["security"] == "rahasia"


def test_lowering_to_biasa_or_by_two_levels_waits_for_a_cleared_leaders_approval(
        client: FlaskClient, upload, tmp_path: Path, token_for, archive: Archive,
        make_user) -> None:
    doc_id = _file(upload, tmp_path, text="nota dinas sengketa tertutup", security="rahasia")
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    make_user("staf1", roles=("staf",), clearance="biasa")
    make_approver(archive, "ketua")
    make_approver(archive, "ketua-rendah", clearance="terbatas")
    officer = token_for("arsip1")
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=officer, json={
        "security": "biasa", "title": "Nota sengketa", "security_reason": "Sudah diumumkan"})
    assert r.status_code == 202, r.get_json()
    body = r.get_json()
    assert body["security"] == "rahasia" and body["title"] == "Nota sengketa"
    request = body["declassification"]
    assert (request["old_security"], request["new_security"], request["status"]) == (
        "rahasia", "biasa", "pending")
    [asked] = _entries(archive, "declassification.request")
    assert asked.details == {"request_id": request["id"], "old": "rahasia", "new": "biasa",
                             "reason": "Sudah diumumkan"}
    assert client.get(f"/api/v1/documents/{doc_id}", headers=token_for("staf1")).status_code \
        == 404
    again = client.patch(f"/api/v1/documents/{doc_id}", headers=officer, json={
        "security": "terbatas", "security_reason": "x"})
    assert again.status_code == 409  # no other lowering while a request is pending
    # Only leaders cleared for the record's class see it and decide on it.
    low = token_for("ketua-rendah")
    assert client.get("/api/v1/declassifications", headers=low).get_json() == []
    assert client.post(f"/api/v1/declassifications/{request['id']}/approve", headers=low,
                       json={"password": USER_PASSWORD}).status_code == 404
    leader = token_for("ketua")
    assert [x["id"] for x in client.get("/api/v1/declassifications",
                                        headers=leader).get_json()] == [request["id"]]
    wrong = client.post(f"/api/v1/declassifications/{request['id']}/approve", headers=leader,
                        json={"password": "bukan-sandi-ini"})
    assert wrong.status_code == 403 and wrong.get_json()["error"]["field"] == "password"
    assert _security(archive, doc_id) == "rahasia"
    r = client.post(f"/api/v1/declassifications/{request['id']}/approve", headers=leader,
                    json={"password": USER_PASSWORD})
    assert r.status_code == 200 and r.get_json()["status"] == "approved"
    assert _security(archive, doc_id) == "biasa"
    approved = [e for e in _entries(archive, "declassification.approve")]
    assert [(e.outcome, e.details.get("old"), e.details.get("new")) for e in approved] == [
        ("refused", None, None), ("success", "rahasia", "biasa")]
    assert approved[1].details["reason"] == "Sudah diumumkan"
    assert client.get(f"/api/v1/documents/{doc_id}", headers=token_for("staf1")).status_code \
        == 200


def test_a_requester_who_is_a_leader_does_not_decide_and_the_admin_cannot_use_a_puppet(
        client: FlaskClient, upload, tmp_path: Path, token_for, archive: Archive) -> None:
    doc_id = _file(upload, tmp_path, security="sangat_rahasia")
    make_approver(archive, "ketua-arsip", roles=("arsiparis", "pimpinan"))
    admin = _principal(archive, "admin")
    make_approver(archive, "ketua-boneka", created_by=admin.actor())
    make_approver(archive, "ketua")
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=token_for("ketua-arsip"), json={
        "security": "terbatas", "security_reason": "Masa kerahasiaan berakhir"})
    assert r.status_code == 202
    request_id = r.get_json()["declassification"]["id"]
    own = token_for("ketua-arsip")
    r = client.post(f"/api/v1/declassifications/{request_id}/approve", headers=own,
                    json={"password": USER_PASSWORD})
    assert r.status_code == 403 and r.get_json()["error"]["reason"] == "proposer"
    assert client.post(f"/api/v1/declassifications/{request_id}/refuse", headers=own,
                       json={"note": "batal"}).status_code == 403
    # The admin files the next request itself; the leader account it made may not approve it.
    leader = token_for("ketua")
    r = client.post(f"/api/v1/declassifications/{request_id}/refuse", headers=leader,
                    json={"note": "Masih dalam pemeriksaan"})
    assert r.status_code == 200 and r.get_json()["status"] == "refused"
    assert _security(archive, doc_id) == "sangat_rahasia"
    [refused] = _entries(archive, "declassification.refuse")
    assert refused.details["note"] == "Masih dalam pemeriksaan"
    assert (refused.details["old"], refused.details["new"]) == ("sangat_rahasia", "terbatas")
    r = client.patch(f"/api/v1/documents/{doc_id}", headers=token_for("admin"), json={
        "security": "biasa", "security_reason": "Dibuka untuk umum"})
    request_id = r.get_json()["declassification"]["id"]
    r = client.post(f"/api/v1/declassifications/{request_id}/approve",
                    headers=token_for("ketua-boneka"), json={"password": USER_PASSWORD})
    assert r.status_code == 403 and r.get_json()["error"]["reason"] == "made_by_proposer"
    assert _security(archive, doc_id) == "sangat_rahasia"


def test_declassification_through_the_pages_reaches_the_leader_who_approves_it(
        app, upload, tmp_path: Path, archive: Archive) -> None:
    doc_id = _file(upload, tmp_path, security="rahasia", title="Laporan pengawasan")
    make_approver(archive, "ketua")
    officer = app.test_client()
    sign_in(officer)
    page = officer.get(f"/documents/{doc_id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input id="(\w+)" name="\w+"[^>]*value="([^"]*)"', page))
    fields.pop("code_filter", None)
    form = {**fields, "csrf_token": csrf_token(officer, f"/documents/{doc_id}/edit"),
            "classification": "KA.00", "security": "biasa", "description": "",
            "security_reason": ""}
    r = officer.post(f"/documents/{doc_id}/edit", data=form)
    assert r.status_code == 400 and "Alasan penurunan klasifikasi keamanan wajib diisi" in \
        r.get_data(as_text=True)
    r = officer.post(f"/documents/{doc_id}/edit", data={**form, "security_reason": "Terbuka"})
    assert r.status_code == 302
    assert "menunggu persetujuan pimpinan" in officer.get(r.headers["Location"]).get_data(
        as_text=True)
    assert _security(archive, doc_id) == "rahasia"
    leader = app.test_client()
    sign_in(leader, "ketua", USER_PASSWORD)
    home = leader.get("/").get_data(as_text=True)
    assert "Permintaan penurunan klasifikasi menunggu keputusan Anda" in home
    assert f'href="/documents/{doc_id}#declassification-' in home
    shown = leader.get(f"/documents/{doc_id}").get_data(as_text=True)
    action = re.search(r'action="(/declassifications/\d+/approve)"', shown)
    assert action and "Terbuka" in shown
    r = leader.post(action.group(1), data={
        "csrf_token": csrf_token(leader, f"/documents/{doc_id}"), "password": "salah-sekali"})
    assert r.status_code == 403 and _security(archive, doc_id) == "rahasia"
    r = leader.post(action.group(1), data={
        "csrf_token": csrf_token(leader, f"/documents/{doc_id}"), "password": USER_PASSWORD})
    assert r.status_code == 302 and _security(archive, doc_id) == "biasa"
    assert "menunggu keputusan Anda" not in leader.get("/").get_data(as_text=True)
