"""The audit trail's signed checkpoints, its public key and the last fixity run through the
API: the same use cases as the audit pages, with the same permissions and clearance rules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import func, select

from earsip import audit, signing
from earsip.models import AuditEntry, Document
from earsip.services import Archive
from earsip.services.operations.fixity import run_fixity
from tests.filegen import make_text_pdf

Headers = Callable[..., dict[str, str]]


def test_an_auditor_makes_a_checkpoint_on_demand_whose_signature_the_public_key_checks(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str],
        archive: Archive) -> None:
    auditor = token_for(make_user("auditor", roles=("auditor",), clearance="sangat_rahasia"))
    assert client.get("/api/v1/audit/checkpoints", headers=auditor).get_json() == []
    with archive.db.read() as session:
        entries = session.scalar(select(func.count(AuditEntry.seq)))
    r = client.post("/api/v1/audit/checkpoints", headers=auditor)
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["trigger"] == "on_demand" and made["size"] == entries and made["head_hash"]
    assert client.get("/api/v1/audit/checkpoints", headers=auditor).get_json() == [made]
    with client.get("/api/v1/audit/public-key", headers=auditor) as key:
        assert key.status_code == 200 and key.mimetype == "application/x-pem-file"
        pem = key.get_data(as_text=True)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert signing.key_id(pem) == made["key_id"]
    assert signing.verify(pem, audit.checkpoint_payload(
        size=made["size"], head_hash=made["head_hash"], created_at=made["created_at"],
        key_id=made["key_id"]), made["signature"])
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (entry.action, entry.actor_name, entry.target_id) == \
        ("audit.checkpoint", "auditor", str(made["id"]))


def test_below_the_top_clearance_a_checkpoint_is_made_but_its_size_and_head_are_not_shown(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str]) -> None:
    auditor = token_for(make_user("auditor-biasa", roles=("auditor",), clearance="biasa"))
    made = client.post("/api/v1/audit/checkpoints", headers=auditor).get_json()
    assert made["size"] is None and made["head_hash"] is None and made["signature"]
    (listed,) = client.get("/api/v1/audit/checkpoints", headers=auditor).get_json()
    assert listed == made
    assert client.get("/api/v1/audit/public-key", headers=auditor).status_code == 200
    staf = token_for(make_user("staf", roles=("staf",), clearance="sangat_rahasia"))
    for method, path in (("GET", "/api/v1/audit/checkpoints"),
                         ("POST", "/api/v1/audit/checkpoints"),
                         ("GET", "/api/v1/audit/public-key"), ("GET", "/api/v1/audit/fixity")):
        assert client.open(path, method=method, headers=staf).status_code == 403, path


def test_the_last_fixity_run_is_told_in_full_only_to_a_caller_cleared_for_every_class(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str], upload,
        archive: Archive, tmp_path: Path) -> None:
    admin = token_for(make_user("sysadmin", roles=("admin",), clearance="sangat_rahasia"))
    status = client.get("/api/v1/audit/fixity", headers=admin).get_json()
    assert status == {"interval_days": archive.config.fixity_interval_days, "last": None}
    r = upload(make_text_pdf(tmp_path / "a.pdf", ["Surat keputusan"]))
    assert r.status_code == 201
    with archive.db.read() as session:
        relative = session.scalar(select(Document.storage_path)
                                  .where(Document.id == r.get_json()["id"]))
    archive.store.path_of(relative).unlink()
    report = run_fixity(archive, audit.SYSTEM, trigger="cli")
    last = client.get("/api/v1/audit/fixity", headers=admin).get_json()["last"]
    assert (last["id"], last["outcome"], last["trigger"], last["checked"]) == \
        (report.run_id, "problems", "cli", report.checked)
    assert last["counts"] == {"changed": 0, "missing": 1, "untracked": 0,
                              "destroyed_present": 0}
    assert [(m["document_id"], m["path"]) for m in last["missing"]] == \
        [(r.get_json()["id"], relative)]
    low = token_for(make_user("auditor-biasa", roles=("auditor",), clearance="biasa"))
    told = client.get("/api/v1/audit/fixity", headers=low).get_json()["last"]
    assert (told["id"], told["started_at"], told["finished_at"]) == \
        (last["id"], last["started_at"], last["finished_at"])
    assert (told["outcome"], told["counts"], told["checked"], told["missing"]) == \
        (None, None, None, [])
