"""Every action of consequence writes exactly one audit entry, with the facts auditors need.

Each step below is done through a door (browser, API or CLI) where one exists, and checked by
the entries it added: exactly one, of the expected action and outcome.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from earsip.audit import SYSTEM
from earsip.models import AuditEntry
from earsip.schemas.retention import Cancellation, DisposalApproval, DisposalProposal, ItemRemoval
from earsip.schemas.scheme import SchemeRow
from earsip.schemas.transfers import Handover, Receipt
from earsip.services import Archive
from earsip.services.records import scheme
from earsip.services.retention import destruction as disposition
from earsip.services.retention import destruction_execution, transfer
from earsip.services.retention.destruction_views import get_list
from tests import filegen
from tests.approvers import make_approver
from tests.conftest import USER_PASSWORD, csrf_token, sign_in
from tests.helpers import execution, file_doc, handing, principal_of


class Trail:
    """Looks at the entries a step adds."""

    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    def _last(self) -> int:
        with self.archive.db.read() as session:
            return session.scalar(select(func.max(AuditEntry.seq))) or 0

    def one(self, action: str, step: Callable[[], object], *,
            outcome: str = "success") -> AuditEntry:
        """Run `step`; return the single entry it added, which must be `action`."""
        before = self._last()
        step()
        with self.archive.db.read() as session:
            added = list(session.scalars(select(AuditEntry).where(AuditEntry.seq > before)
                                         .order_by(AuditEntry.seq)))
            session.expunge_all()
        assert [(e.action, e.outcome) for e in added] == [(action, outcome)], added
        entry = added[0]
        assert entry.occurred_at is not None and entry.entry_hash
        return entry


def _post(client: FlaskClient, path: str, page: str,
          **data: object):
    # The token is the session's: read it from a page whose visit is not audited.
    del page
    return client.post(path, data={"csrf_token": _token(client), **data})


def _token(client: FlaskClient) -> str:
    return csrf_token(client, "/account/password")


def test_sign_in_sign_out_views_downloads_searches_filing_and_edits_are_each_one_entry(
        app: Flask, archive: Archive, tmp_path: Path) -> None:
    trail = Trail(archive)
    browser = app.test_client()
    token = csrf_token(browser)
    bad = trail.one("auth.login", lambda: browser.post("/login", data={
        "username": "admin", "password": "salah", "csrf_token": token}), outcome="failure")
    assert bad.actor_name == "admin" and bad.client_addr == "127.0.0.1"
    token = csrf_token(browser)
    ok = trail.one("auth.login", lambda: browser.post("/login", data={
        "username": "admin", "password": "admin-pass-123", "csrf_token": token}))
    assert ok.actor_name == "admin"

    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["laporan pengawasan tahapan kampanye"])
    page = csrf_token(browser, "/documents/new")
    with open(pdf, "rb") as f:
        filed = trail.one("document.file", lambda: browser.post("/documents/new", data={
            "csrf_token": page, "title": "Laporan kampanye", "classification": "KA.00",
            "document_date": "2024-02-01", "file": (f, "a.pdf")}))
    doc_id = int(filed.target_id)
    assert filed.details["title"] == "Laporan kampanye"

    assert trail.one("document.view",
                     lambda: browser.get(f"/documents/{doc_id}")).target_id == str(doc_id)

    def download() -> None:
        with browser.get(f"/documents/{doc_id}/download") as r:
            assert r.status_code == 200

    trail.one("document.download", download)
    searched = trail.one("search", lambda: browser.get("/search?q=kampanye"))
    assert searched.details["q"] == "kampanye"

    edit_page = f"/documents/{doc_id}/edit"
    edited = trail.one("document.edit", lambda: _post(
        browser, edit_page, edit_page, title="Laporan kampanye tahap 2",
        classification="KA.00", document_date="2024-02-01", security="biasa"))
    assert edited.details["changes"]["title"] == {"old": "Laporan kampanye",
                                                 "new": "Laporan kampanye tahap 2"}
    moved = trail.one("document.reclassify", lambda: _post(
        browser, edit_page, edit_page, title="Laporan kampanye tahap 2",
        classification="PM.00.02", document_date="2024-02-01", security="biasa"))
    assert moved.details["changes"]["classification"] == {"old": "KA.00", "new": "PM.00.02"}
    trail.one("document.delete", lambda: _post(browser, f"/documents/{doc_id}/delete",
                                               f"/documents/{doc_id}"), outcome="refused")
    trail.one("auth.logout", lambda: _post(browser, "/logout", "/"))


def test_rule_changes_user_changes_and_refusals_are_each_one_entry(
        app: Flask, archive: Archive, make_user) -> None:
    trail = Trail(archive)
    code = scheme.get_code(archive, "KA.00")
    fields = {k: "" if v is None else str(v) for k, v in asdict(code.own).items()
              if k != "retired"}
    rule = trail.one("classification.update", lambda: scheme.update_code(
        archive, SYSTEM, SchemeRow.model_validate({**fields, "code": "KA.00",
                                                   "inactive_years": "4"}), retired=False))
    assert (rule.details["old"], rule.details["new"]) == ({"inactive_years": 3},
                                                          {"inactive_years": 4})

    admin = app.test_client()
    sign_in(admin)
    made = trail.one("user.create", lambda: _post(
        admin, "/admin/users/new", "/admin/users/new", username="staf9", full_name="Staf",
        roles=["staf"], clearance="biasa"))
    user_id = made.target_id
    page = f"/admin/users/{user_id}"
    roles = trail.one("user.update", lambda: _post(admin, page, page, full_name="Staf",
                                                   roles=["staf", "auditor"], clearance="biasa"))
    assert roles.details["changes"]["roles"]["new"] == ["auditor", "staf"]
    trail.one("user.deactivate", lambda: _post(admin, f"{page}/active", page, active="0"))
    trail.one("user.password_reset", lambda: _post(admin, f"{page}/password", page))

    make_user("staf1", roles=("staf",))
    staff = app.test_client()
    sign_in(staff, "staf1", USER_PASSWORD)
    refused = trail.one("access.refused", lambda: staff.get("/admin/users"), outcome="refused")
    assert refused.details["permission"] == "user.manage"


def test_holds_every_disposition_step_transfers_and_exports_are_each_one_entry(
        app: Flask, archive: Archive, tmp_path: Path, make_user,
        runner) -> None:
    trail = Trail(archive)
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    make_approver(archive, "ketua")
    make_user("auditor1", roles=("auditor",), clearance="sangat_rahasia")
    officer, leader = principal_of(archive, "arsip1"), principal_of(archive, "ketua")
    old = file_doc(archive, tmp_path, code="KA.00", date="2015-01-01")
    spare = file_doc(archive, tmp_path, code="KA.00", date="2015-02-01")
    kept = file_doc(archive, tmp_path, code="KU.00.00", date="2010-01-01")

    browser = app.test_client()
    sign_in(browser, "arsip1", USER_PASSWORD)
    placed = trail.one("hold.place", lambda: _post(
        browser, "/holds", "/holds", reference="Reg-1", reason="Sengketa",
        document_ids=str(spare), classification_code=""))
    trail.one("hold.lift", lambda: _post(browser, f"/holds/{placed.target_id}/lift",
                                         f"/holds/{placed.target_id}", reason="Selesai"))

    listed: dict[str, int] = {}
    trail.one("disposal.propose", lambda: listed.update(
        id=disposition.propose(archive, officer, DisposalProposal(document_ids=[old, spare]))))
    item = next(i for i in get_list(archive, officer, listed["id"]).items
                if i.document_id == spare)
    trail.one("disposal.review", lambda: disposition.remove_item(
        archive, officer, listed["id"], item.id, ItemRemoval(reason="Masih dipakai")))
    trail.one("disposal.approve", lambda: disposition.approve(archive, leader, listed["id"],
                                                              DisposalApproval(reference="KEP-1",
                                                                               decision_date=__import__(
            "datetime").date(2026, 11, 1), password=USER_PASSWORD)))
    before = Trail(archive)._last()
    destruction_execution.execute(archive, officer, listed["id"], execution(
        berita_acara_number="BA-1", official_name="Siti",
        official_position="Kepala Sekretariat", place=None,
        witnesses=[{"name": "Budi", "position": "Staf"},
                   {"name": "Dewi", "position": "Staf"}]))
    with archive.db.read() as session:
        actions = list(session.scalars(select(AuditEntry.action)
                                       .where(AuditEntry.seq > before).order_by(AuditEntry.seq)))
    # The destruction, then the filing of its two papers (the berita acara and the list).
    assert actions == ["disposal.execute", "document.file", "document.file"]
    other: dict[str, int] = {}
    spare_list = disposition.propose(archive, officer, DisposalProposal(document_ids=[spare]))
    trail.one("disposal.cancel", lambda: other.update(
        x=disposition.cancel(archive, officer, spare_list, Cancellation(reason="Ditunda"))))

    handover = Handover(recipient_institution="Dinas Kearsipan", recipient_name="Rina",
                        recipient_position="Kabid", official_name="Siti",
                        official_position="Kepala Sekretariat")
    made: dict[str, int] = {}
    trail.one("transfer.prepare", lambda: made.update(
        id=transfer.prepare(archive, officer, handing([kept], handover))))
    trail.one("transfer.export", lambda: transfer.write_zip(archive, officer, made["id"],
                                                            io.BytesIO()))
    trail.one("transfer.confirm", lambda: transfer.confirm(archive, officer, made["id"],
                                                           Receipt(receipt_reference="TT-1")))

    def fetch(client: FlaskClient, path: str) -> None:
        with client.get(path) as r:
            assert r.status_code == 200, path

    trail.one("retention.export", lambda: fetch(browser, "/retention/export?format=xlsx"))
    auditor = app.test_client()
    sign_in(auditor, "auditor1", USER_PASSWORD)
    trail.one("audit.export", lambda: fetch(auditor, "/audit/export"))
    trail.one("audit.checkpoint", lambda: _post(auditor, "/audit/checkpoint", "/audit/verify"))
    trail.one("classification.export",
              lambda: runner("classification", "export", str(tmp_path / "s.csv")))
    trail.one("fixity.run", lambda: runner("verify"))
