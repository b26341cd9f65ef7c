"""What the record pages show besides the records, through the API: a document's history in
words and the start page's counts, with the same permissions and clearance as the pages."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select

from earsip.models import AuditEntry, Document
from earsip.schemas.records import PHASES
from earsip.services import Archive
from earsip.services.records import dashboard as dashboard_service
from tests.filegen import make_text_pdf, make_xlsx

Headers = Callable[..., dict[str, str]]


def _file(upload, tmp_path: Path, n: int, **fields: str) -> int:
    r = upload(make_text_pdf(tmp_path / f"d{n}.pdf", [f"dokumen nomor {n} " * 3]), **fields)
    assert r.status_code == 201, r.get_json()
    return int(r.get_json()["id"])


def test_a_documents_history_names_who_filed_and_viewed_it_in_the_callers_language(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str], upload,
        tmp_path: Path) -> None:
    doc = _file(upload, tmp_path, 1, title="Undangan rapat pleno")
    admin = token_for()
    assert client.get(f"/api/v1/documents/{doc}", headers=admin).status_code == 200
    auditor = token_for(make_user("audit", roles=("auditor",), clearance="sangat_rahasia"))
    r = client.get(f"/api/v1/documents/{doc}/history", headers=auditor)
    assert r.status_code == 200, r.get_json()
    history = r.get_json()
    assert history["document_id"] == doc
    actions = [e["action"] for e in history["entries"]]
    assert actions[:2] == ["melihat dokumen", "mengarsipkan dokumen"]
    assert [e["seq"] for e in history["entries"]] == \
        sorted((e["seq"] for e in history["entries"]), reverse=True)
    filed = history["entries"][1]
    assert "Undangan rapat pleno" in filed["target"] and filed["outcome"] == "berhasil"
    assert filed["occurred_at"].endswith("Z") and filed["refused"] is False
    english = client.get(f"/api/v1/documents/{doc}/history",
                         headers={**auditor, "Accept-Language": "en"}).get_json()
    assert [e["action"] for e in english["entries"]][:2] == \
        ["viewed a document", "filed a document"]


def test_a_history_above_the_callers_clearance_is_answered_like_a_missing_document(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str], upload,
        tmp_path: Path) -> None:
    secret = _file(upload, tmp_path, 1, security="rahasia")
    low = token_for(make_user("audit-rendah", roles=("auditor",), clearance="biasa"))
    hidden = client.get(f"/api/v1/documents/{secret}/history", headers=low)
    missing = client.get("/api/v1/documents/987654/history", headers=low)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json()["error"]["code"] == missing.get_json()["error"]["code"]
    staf = token_for(make_user("staf", roles=("staf",), clearance="sangat_rahasia"))
    assert client.get(f"/api/v1/documents/{secret}/history", headers=staf).status_code == 403


def test_the_overview_counts_only_what_the_caller_may_see_and_titles_only_for_readers(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str], upload,
        tmp_path: Path) -> None:
    _file(upload, tmp_path, 1, classification="KA.00")
    _file(upload, tmp_path, 2, classification="PM.00.02")
    _file(upload, tmp_path, 3, classification="KA.00", security="rahasia")
    everything = client.get("/api/v1/overview", headers=token_for()).get_json()
    assert everything["total"] == 3
    assert {c["key"]: c["count"] for c in everything["by_top_code"]} == {"KA": 2, "PM": 1}
    assert [c["key"] for c in everything["by_phase"]] == list(PHASES)
    assert sum(c["count"] for c in everything["by_phase"]) == 3
    low = client.get("/api/v1/overview", headers=token_for(make_user("staf"))).get_json()
    assert low["total"] == 2
    assert {c["key"]: c["count"] for c in low["by_top_code"]} == {"KA": 1, "PM": 1}
    for name in ("due_this_month", "due_this_year", "waiting_for_event", "due_list"):
        assert name in low
    assert PHASES == dashboard_service.PHASES


def test_the_overview_lists_documents_due_this_month_by_title_only_for_roles_that_read_records(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str], upload,
        tmp_path: Path, archive: Archive) -> None:
    doc = _file(upload, tmp_path, 1, title="Nota dinas jatuh tempo")
    with archive.db.write() as session:  # its active period ends today
        session.get(Document, doc).active_until = dt.date.today()
    auditor = token_for(make_user("audit", roles=("auditor",), clearance="sangat_rahasia"))
    admin_only = token_for(make_user("sysadmin", roles=("admin",), clearance="sangat_rahasia"))
    read = client.get("/api/v1/overview", headers=auditor).get_json()
    figures = client.get("/api/v1/overview", headers=admin_only).get_json()
    assert read["due_this_month"] == figures["due_this_month"] == 1
    assert read["due_list"] == [{"id": doc, "title": "Nota dinas jatuh tempo",
                                 "classification": "KA.00",
                                 "date": dt.date.today().isoformat(), "change": "inaktif"}]
    assert figures["due_list"] == []


def test_a_documents_first_page_preview_is_a_png_and_each_one_is_audited(
        client: FlaskClient, token_for: Headers, upload, tmp_path: Path,
        archive: Archive) -> None:
    doc = _file(upload, tmp_path, 1)
    admin = token_for()
    with client.get(f"/api/v1/documents/{doc}/preview", headers=admin) as r:
        assert r.status_code == 200 and r.mimetype == "image/png"
        assert r.headers["Cache-Control"] == "no-store"
        image = Image.open(io.BytesIO(r.data))
    assert image.format == "PNG" and image.width > 100
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.preview")).one()
    assert (entry.target_id, entry.outcome, entry.actor_name) == (str(doc), "success", "admin")


def test_a_document_without_a_preview_and_one_above_clearance_answer_404(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str], upload,
        tmp_path: Path) -> None:
    r = upload(make_xlsx(tmp_path / "a.xlsx", [["isi", "tabel"]]))
    sheet = r.get_json()["id"]
    admin = token_for()
    none = client.get(f"/api/v1/documents/{sheet}/preview", headers=admin)
    assert none.status_code == 404 and none.get_json()["error"]["code"] == "not_found"
    english = client.get(f"/api/v1/documents/{sheet}/preview",
                         headers={**admin, "Accept-Language": "en"}).get_json()
    assert english["error"]["message"] == "This document has no preview."
    secret = _file(upload, tmp_path, 2, security="rahasia")
    low = token_for(make_user("staf", roles=("staf",), clearance="biasa"))
    hidden = client.get(f"/api/v1/documents/{secret}/preview", headers=low)
    missing = client.get("/api/v1/documents/987654/preview", headers=low)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
