"""The worker's queue and the audit trail through the API: the same use cases as their pages,
with the same permissions and clearance rules, described by the same models."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip import audit
from earsip.models import AuditEntry, Job
from earsip.services import Archive
from earsip.services.operations import jobs
from earsip.services.records import ingest
from earsip.services.records.documents import parse_input
from tests.filegen import make_text_pdf

Headers = Callable[..., dict[str, str]]


def test_an_administrator_lists_the_queue_asks_for_a_reindex_and_reads_the_job(
        client: FlaskClient, token_for: Headers, archive: Archive) -> None:
    admin = token_for()
    r = client.post("/api/v1/jobs", json={"kind": "reindex"}, headers=admin)
    assert r.status_code == 201, r.get_json()
    job = r.get_json()
    assert job["kind"] == "reindex" and job["document_id"] is None
    assert r.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    assert client.get(f"/api/v1/jobs/{job['id']}", headers=admin).get_json()["id"] == job["id"]
    queue = client.get("/api/v1/jobs", headers=admin).get_json()
    assert job["id"] in [j["id"] for j in queue["jobs"]]
    assert set(queue["counts"]) == {"pending", "running", "done", "failed"}
    with archive.db.read() as session:
        assert session.scalar(select(AuditEntry.action).where(
            AuditEntry.target_type == "job", AuditEntry.target_id == str(job["id"]))) \
            == "job.request"


def test_a_job_that_has_not_failed_is_not_retried_and_a_failed_one_is(
        client: FlaskClient, token_for: Headers, archive: Archive) -> None:
    admin = token_for()
    job_id = jobs.request(archive, audit.SYSTEM, "fixity")
    r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=admin)
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "conflict"
    with archive.db.write() as session:
        row = session.get(Job, job_id)
        row.state, row.attempts, row.last_error = "failed", 3, "disk gone"
    r = client.post(f"/api/v1/jobs/{job_id}/retry", headers=admin)
    assert r.status_code == 200
    assert (r.get_json()["state"], r.get_json()["attempts"]) == ("pending", 0)


def test_the_queue_refuses_a_state_or_kind_it_does_not_know_naming_the_field_in_either_language(
        client: FlaskClient, token_for: Headers) -> None:
    admin = token_for()
    r = client.get("/api/v1/jobs?state=lost", headers=admin)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "state"
    assert "harus salah satu dari" in r.get_json()["error"]["message"]
    r = client.post("/api/v1/jobs", json={"kind": "ocr"},
                    headers={**admin, "Accept-Language": "en"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "kind"
    assert "must be one of" in r.get_json()["error"]["message"]


def test_a_job_about_a_document_above_the_callers_clearance_is_no_job_at_all(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive, tmp_path: Path) -> None:
    with open(make_text_pdf(tmp_path / "r.pdf", ["Surat rahasia"]), "rb") as f:
        filed = ingest.file_document(archive, audit.SYSTEM, f, "r.pdf", parse_input({
            "title": "Rahasia", "classification": "KA.00", "document_date": "2024-03-15",
            "security": "rahasia"}), clearance="sangat_rahasia")
    with archive.db.write() as session:
        secret = jobs.submit(session, archive, "ocr", document_id=filed.document_id)
        secret_id = secret.id
    low = token_for(make_user("admin-biasa", roles=("admin",), clearance="biasa"))
    assert client.get(f"/api/v1/jobs/{secret_id}", headers=low).status_code == 404
    assert client.post(f"/api/v1/jobs/{secret_id}/retry", headers=low).status_code == 404
    assert secret_id not in [j["id"] for j in client.get("/api/v1/jobs", headers=low)
                             .get_json()["jobs"]]
    assert client.get(f"/api/v1/jobs/{secret_id}", headers=token_for()).status_code == 200


def test_only_administrators_reach_the_queue(client: FlaskClient, token_for: Headers,
                                             make_user: Callable[..., str]) -> None:
    officer = token_for(make_user("petugas", roles=("arsiparis",), clearance="sangat_rahasia"))
    assert client.get("/api/v1/jobs", headers=officer).status_code == 403
    assert client.post("/api/v1/jobs", json={"kind": "fixity"},
                       headers=officer).status_code == 403


def test_an_auditor_cleared_for_every_class_reads_filters_and_exports_the_trail(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive) -> None:
    auditor = token_for(make_user("auditor", roles=("auditor",), clearance="sangat_rahasia"))
    page = client.get("/api/v1/audit/entries", headers=auditor).get_json()
    assert page["total"] >= 1 and page["page"] == 1 and page["per_page"] == 50
    seqs = [e["seq"] for e in page["entries"]]
    assert seqs == sorted(seqs, reverse=True)
    logins = client.get("/api/v1/audit/entries?action=auth.login&actor=auditor",
                        headers=auditor).get_json()
    assert logins["entries"] and {e["action"] for e in logins["entries"]} == {"auth.login"}
    one = logins["entries"][0]
    assert client.get(f"/api/v1/audit/entries/{one['seq']}",
                      headers=auditor).get_json() == one
    with archive.db.read() as session:
        stored = session.scalar(select(AuditEntry).where(AuditEntry.seq == one["seq"]))
        assert one["entry_hash"] == stored.entry_hash
    verified = client.post("/api/v1/audit/verify", headers=auditor).get_json()
    assert verified["intact"] is True and verified["findings"] == []
    assert verified["entries"] >= page["total"] and verified["head"]
    with client.get("/api/v1/audit/export", headers=auditor) as r:
        assert r.status_code == 200 and r.mimetype == "application/zip"
        assert zipfile.ZipFile(io.BytesIO(r.data)).namelist()


def test_an_auditor_below_the_top_clearance_learns_only_whether_the_trail_is_intact(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str]) -> None:
    auditor = token_for(make_user("auditor-biasa", roles=("auditor",), clearance="biasa"))
    for path in ("/api/v1/audit/entries", "/api/v1/audit/entries/1", "/api/v1/audit/export"):
        r = client.get(path, headers=auditor)
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden", path
    verified = client.post("/api/v1/audit/verify", headers=auditor).get_json()
    assert verified == {"intact": True, "findings": [], "entries": None, "head": None,
                        "checkpoints": None, "key_id": None}


def test_the_trail_filters_are_checked_as_on_the_page(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str]) -> None:
    auditor = token_for(make_user("auditor", roles=("auditor",), clearance="sangat_rahasia"))
    r = client.get("/api/v1/audit/entries?since=2024-13-01", headers=auditor)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "since"
    r = client.get("/api/v1/audit/entries?document=x", headers=auditor)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "document"
    staff = token_for(make_user("staf", roles=("staf",)))
    assert client.get("/api/v1/audit/entries", headers=staff).status_code == 403
