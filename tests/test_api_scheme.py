"""The scheme editor through the API: administrators add a code and change a code's JRA rule,
the documents it governs follow, every edit is audited, as on the pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.models import AuditEntry, Document
from earsip.services import Archive
from tests.filegen import make_text_pdf

Headers = Callable[..., dict[str, str]]


def _dates(archive: Archive, doc_id: int) -> tuple[dt.date | None, dt.date | None]:
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        return doc.active_until, doc.inactive_until


def test_an_administrator_adds_a_code_that_inherits_its_parents_rule(
        client: FlaskClient, token_for: Headers, archive: Archive) -> None:
    admin = token_for()
    r = client.post("/api/v1/classifications", json={"code": "rt.01", "name": "Rapat internal"},
                    headers=admin)
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert (made["code"], made["parent"], made["name"]) == ("RT.01", "RT", "Rapat internal")
    rt = next(c for c in client.get("/api/v1/classifications", headers=admin).get_json()
              if c["code"] == "RT")
    assert (made["active_years"], made["final_fate"]) == (rt["active_years"], rt["final_fate"])
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "classification.create")).one()
    assert (entry.target_id, entry.actor_name) == ("RT.01", "admin")
    again = client.post("/api/v1/classifications", json={"code": "RT.01", "name": "Lagi"},
                        headers=admin)
    assert again.status_code == 400 and again.get_json()["error"]["field"] == "code"


def test_changing_a_rule_recomputes_its_documents_and_keeps_the_values_not_sent(
        client: FlaskClient, token_for: Headers, upload, tmp_path: Path,
        archive: Archive) -> None:
    doc = upload(make_text_pdf(tmp_path / "a.pdf", ["laporan"]), classification="PM.00.02",
                 document_date="2024-08-17").get_json()["id"]
    assert _dates(archive, doc) == (dt.date(2026, 8, 17), dt.date(2029, 8, 17))
    r = client.patch("/api/v1/classifications/PM.00.02", json={"active_years": "5"},
                     headers=token_for())
    assert r.status_code == 200, r.get_json()
    changed = r.get_json()
    assert changed["documents_recomputed"] == 1
    assert (changed["classification"]["active_years"],
            changed["classification"]["inactive_years"]) == (5, 3)
    assert _dates(archive, doc) == (dt.date(2029, 8, 17), dt.date(2032, 8, 17))
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "classification.update")).one()
    assert entry.details == {"old": {"active_years": 2}, "new": {"active_years": 5},
                             "documents_recomputed": 1}
    retired = client.patch("/api/v1/classifications/PM.00.02", json={"retired": True},
                           headers=token_for()).get_json()
    assert retired["classification"]["retired"] is True
    assert retired["classification"]["active_years"] == 5


def test_the_scheme_editor_refuses_bad_values_naming_the_field_and_other_roles(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str]) -> None:
    admin = token_for()
    cases = [({"final_fate": "dibakar"}, "final_fate"), ({"active_years": "dua"}, "active_years"),
             ({"name": ""}, "name"), ({"retired": "ya"}, "retired"), ({"name": 5}, "name")]
    for body, field in cases:
        r = client.patch("/api/v1/classifications/KA.00", json=body, headers=admin)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, (body, r.json)
    english = client.patch("/api/v1/classifications/KA.00", json={"retired": "ya"},
                           headers={**admin, "Accept-Language": "en"}).get_json()
    assert english["error"]["message"] == "retired must be true or false."
    assert client.patch("/api/v1/classifications/ZZ.99", json={},
                        headers=admin).status_code == 404
    assert client.post("/api/v1/classifications", json={"name": "Tanpa kode"},
                       headers=admin).status_code == 400
    arsiparis = token_for(make_user("arsip", roles=("arsiparis",), clearance="sangat_rahasia"))
    assert client.patch("/api/v1/classifications/KA.00", json={"active_years": "9"},
                        headers=arsiparis).status_code == 403


def test_a_null_value_is_refused_because_it_neither_keeps_nor_inherits(
        client: FlaskClient, token_for: Headers) -> None:
    admin = token_for()
    for body, field in (({"name": None}, "name"), ({"active_years": None}, "active_years"),
                        ({"needs_review": None}, "needs_review")):
        r = client.patch("/api/v1/classifications/HK", json=body, headers=admin)
        assert r.status_code == 400 and r.get_json()["error"]["field"] == field, body
    r = client.post("/api/v1/classifications", json={"code": None, "name": "Baru"},
                    headers=admin)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "code"
