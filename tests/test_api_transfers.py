"""Transfers of arsip statis through the API: prepare, download, confirm or cancel, with the
Penyerahan pages' permissions and clearance rules."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.models import AuditEntry, Document
from earsip.services import Archive
from tests.test_retention_run import file_doc

Headers = Callable[..., dict[str, str]]
HANDOVER = {"recipient_institution": "Dinas Kearsipan", "recipient_name": "Rina",
            "recipient_position": "Kepala Bidang", "official_name": "Siti",
            "official_position": "Kepala Sekretariat"}


def test_an_officer_prepares_downloads_and_confirms_a_transfer_by_api(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive, tmp_path: Path) -> None:
    dipa = file_doc(archive, tmp_path, code="KU.00.00", date="2010-01-05", title="DIPA 2010")
    officer = token_for(make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia"))
    candidates = client.get("/api/v1/transfers/candidates", headers=officer).get_json()
    assert [c["id"] for c in candidates] == [dipa] and not candidates[0]["in_transfer"]
    r = client.post("/api/v1/transfers", json={"document_ids": [dipa], **HANDOVER},
                    headers=officer)
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["status"] == "prepared" and [d["id"] for d in made["documents"]] == [dipa]
    assert r.headers["Location"] == f"/api/v1/transfers/{made['id']}"
    assert [t["id"] for t in client.get("/api/v1/transfers", headers=officer).get_json()] \
        == [made["id"]]
    with client.get(f"/api/v1/transfers/{made['id']}/package", headers=officer) as package:
        assert package.status_code == 200 and package.mimetype == "application/zip"
        assert any(n.endswith("bagit.txt")
                   for n in zipfile.ZipFile(io.BytesIO(package.data)).namelist())
    r = client.post(f"/api/v1/transfers/{made['id']}/confirm",
                    json={"receipt_reference": "TT-7/2026"}, headers=officer)
    assert r.status_code == 200 and r.get_json()["status"] == "confirmed"
    assert r.get_json()["receipt_reference"] == "TT-7/2026"
    with archive.db.read() as session:
        assert session.get(Document, dipa).disposition == "transferred"
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.like("transfer.%"))))
    assert "transfer.export" in actions and "transfer.confirm" in actions
    r = client.post(f"/api/v1/transfers/{made['id']}/cancel", headers=officer)
    assert r.status_code == 409


def test_a_transfer_refused_by_the_api_names_the_field_and_keeps_its_permissions(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive, tmp_path: Path) -> None:
    secret = file_doc(archive, tmp_path, code="KU.00.00", date="2010-01-05",
                      security="rahasia")
    officer = token_for(make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia"))
    r = client.post("/api/v1/transfers", json={"document_ids": [secret],
                                               **{**HANDOVER, "recipient_name": " "}},
                    headers=officer)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "recipient_name"
    r = client.post("/api/v1/transfers", json={"document_ids": [secret], **HANDOVER,
                                               "place": 7}, headers=officer)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "place"
    made = client.post("/api/v1/transfers", json={"document_ids": [secret], **HANDOVER},
                       headers=officer).get_json()
    auditor = token_for(make_user("auditor", roles=("auditor",), clearance="sangat_rahasia"))
    assert client.get(f"/api/v1/transfers/{made['id']}", headers=auditor).status_code == 200
    assert client.post(f"/api/v1/transfers/{made['id']}/cancel",
                       headers=auditor).status_code == 403
    low = token_for(make_user("arsip-biasa", roles=("arsiparis",), clearance="biasa"))
    assert client.get(f"/api/v1/transfers/{made['id']}", headers=low).status_code == 404
    assert client.get("/api/v1/transfers", headers=low).get_json() == []
    r = client.post(f"/api/v1/transfers/{made['id']}/cancel", headers=officer)
    assert r.status_code == 200 and r.get_json()["status"] == "cancelled"
