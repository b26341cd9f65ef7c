"""Personal data of the cases (UU 27/2022): a case's identity scan is read only by those who
hold the role that owns its case, answering like a missing document to anyone else; it never
appears in a listing (recent documents, the dashboard, search and its rebuild, the suggester's
training, transfers, declassification), and the retention machinery lists it by number only;
its own retention rule (`EARSIP_IDENTITY_RETENTION`) counts from the case's closing."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from config import Config
from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.errors import NotFound
from earsip.models import AuditEntry, Case, CaseDocument, DisposalItem, Document, DocumentText
from earsip.schemas.base import parse
from earsip.schemas.cases import DecisionInput, DeliveryInput, InformationRequest
from earsip.schemas.retention import DisposalProposal
from earsip.schemas.search import SearchParams
from earsip.services import Archive
from earsip.services.access import declassification
from earsip.services.audit import history, words
from earsip.services.cases import handling, intake, personal
from earsip.services.desk import suggestions
from earsip.services.desk.filing import Upload
from earsip.services.operations import ocr
from earsip.services.records import dashboard, documents
from earsip.services.retention import cycle, destruction, destruction_views, transfer_views
from earsip.services.search import indexing, searching
from tests import filegen
from tests.helpers import principal_of

REQUEST = {"name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}


@dataclass
class Scan:
    """A request from the public form with its identity scan, and the people around it."""

    case_id: int
    doc_id: int
    ppid: Principal
    atasan: Principal
    arsiparis: Principal
    auditor: Principal


@pytest.fixture
def scan(archive: Archive, make_user: Callable[..., str], tmp_path: Path) -> Scan:
    png = filegen.make_png(tmp_path / "ktp.png")
    receipt = intake.submit_request(archive, parse(InformationRequest, REQUEST),
                                    Upload(png, "ktp.png"))
    with archive.db.read() as session:
        case_id = session.scalar(select(Case.id).where(
            Case.registration_number == receipt.registration_number))
        doc_id = session.scalar(select(CaseDocument.document_id).where(
            CaseDocument.case_id == case_id, CaseDocument.role == "identitas"))
    assert case_id and doc_id
    people = [principal_of(archive, make_user(name, roles=(role,), clearance="sangat_rahasia"))
              for name, role in (("ppid1", "ppid"), ("atasan", "pimpinan"),
                                 ("arsip1", "arsiparis"), ("auditor1", "auditor"))]
    return Scan(case_id, doc_id, *people)


def _closed(archive: Archive, scan: Scan) -> None:
    handling.decide(archive, scan.ppid, scan.case_id, DecisionInput(outcome="dikabulkan"))
    handling.deliver(archive, scan.ppid, scan.case_id, DeliveryInput(method="email"))


def _with(archive: Archive, setting: str) -> Archive:
    return dataclasses.replace(archive, config=dataclasses.replace(
        archive.config, identity_retention=setting))


def _apply(archive: Archive, case_id: int) -> list[int]:
    with archive.db.write() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return personal.on_case_closed(session, archive, case)


def test_an_identity_scan_answers_like_a_missing_document_to_anyone_but_its_owner(
        archive: Archive, scan: Scan) -> None:
    for who in (scan.atasan, scan.arsiparis, scan.auditor):
        for read in (lambda p, i: documents.view_document(archive, p, i),
                     lambda p, i: documents.describe(archive, p, i),
                     lambda p, i: documents.open_file(archive, p, i),
                     lambda p, i: documents.preview_file(archive, p, i),
                     lambda p, i: history.document_history(archive, p, i)):
            with pytest.raises(NotFound) as hidden:
                read(who, scan.doc_id)
            with pytest.raises(NotFound) as missing:
                read(who, 999_999)
            assert hidden.value.message == missing.value.message
    assert documents.view_document(archive, scan.ppid, scan.doc_id).id == scan.doc_id
    documents.open_file(archive, scan.ppid, scan.doc_id)
    with archive.db.read() as session:
        entries = session.execute(select(AuditEntry.action, AuditEntry.actor_name).where(
            AuditEntry.target_type == "document",
            AuditEntry.target_id == str(scan.doc_id))).all()
    assert ("document.view", "ppid1") in entries and ("document.download", "ppid1") in entries
    assert not any(name in ("atasan", "arsip1", "auditor1") for _a, name in entries)


def test_the_api_answers_404_for_someone_elses_identity_scan_as_for_no_document(
        client: FlaskClient, scan: Scan, token_for: Callable[[str], dict[str, str]]) -> None:
    atasan = token_for("atasan")
    hidden = client.get(f"/api/v1/documents/{scan.doc_id}", headers=atasan)
    missing = client.get("/api/v1/documents/999999", headers=atasan)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.get_json() == missing.get_json()
    assert client.get(f"/api/v1/documents/{scan.doc_id}/file", headers=atasan).status_code == 404
    owner = client.get(f"/api/v1/documents/{scan.doc_id}", headers=token_for("ppid1"))
    assert owner.status_code == 200


def test_recent_documents_and_the_dashboard_leave_identity_scans_out_even_for_the_owner(
        archive: Archive, scan: Scan) -> None:
    for who in (scan.ppid, scan.atasan):
        assert scan.doc_id not in [d.id for d in documents.recent_documents(archive, who)]
        figures = dashboard.overview(archive, who)
        assert figures.total == 0
        assert scan.doc_id not in [d.id for d in figures.due_list]


def test_search_and_its_rebuild_never_hold_an_identity_scan(
        archive: Archive, scan: Scan) -> None:
    with archive.db.write() as session:  # as if an older row had been queued for the index
        indexing.enqueue(session, scan.doc_id)
    indexing.process_queue(archive)
    indexing.reindex(archive)
    # The index and the database agree (a start-up would not rebuild it again and again).
    assert indexing.index_matches_database(archive)
    found = searching.search(archive, scan.ppid, SearchParams(q="Identitas"))
    assert scan.doc_id not in [h.id for h in found.results]
    assert found.total == 0


def test_ocr_never_reads_an_identity_scan_even_when_asked(archive: Archive, scan: Scan) -> None:
    with archive.db.read() as session:
        doc = session.get(Document, scan.doc_id)
        assert doc is not None and doc.mime == "image/png" and doc.text_status == "empty"
    assert scan.doc_id not in ocr.documents_to_read(archive)
    outcome = ocr.ocr_document(archive, SYSTEM, scan.doc_id)
    assert outcome.document_id == scan.doc_id and outcome.pages == 0
    with archive.db.read() as session:
        text = session.get(DocumentText, scan.doc_id)
        assert text is not None and text.text == ""


def test_the_suggester_never_trains_on_an_identity_scan(archive: Archive, scan: Scan) -> None:
    with archive.db.write() as session:  # as if its text had been kept before the rule
        row = session.get(DocumentText, scan.doc_id)
        assert row is not None and row.text == ""
        row.text = "Nama Siti Aminah NIK 3576014403900001 alamat Majapahit " * 20
    assert all("3576014403900001" not in text for _code, text in suggestions._samples(archive))


def test_the_identity_retention_setting_case_leaves_the_codes_rule_alone(
        archive: Archive, scan: Scan) -> None:
    _closed(archive, scan)
    with archive.db.read() as session:
        before = session.get(Document, scan.doc_id)
        assert before is not None
        dates = (before.active_until, before.inactive_until, before.final_fate)
    assert archive.config.identity_retention == "case"
    assert _apply(archive, scan.case_id) == []
    with archive.db.read() as session:
        after = session.get(Document, scan.doc_id)
        assert after is not None
        assert (after.active_until, after.inactive_until, after.final_fate) == dates


def test_two_years_after_closing_the_identity_scan_is_due_for_destruction(
        archive: Archive, scan: Scan) -> None:
    _closed(archive, scan)
    two = _with(archive, "2")
    assert _apply(two, scan.case_id) == [scan.doc_id]
    closed_on = archive.local_today()
    with archive.db.read() as session:
        doc = session.get(Document, scan.doc_id)
        assert doc is not None
        assert doc.trigger_date == closed_on
        assert doc.active_until == doc.inactive_until == closed_on.replace(
            year=closed_on.year + 2) if (closed_on.month, closed_on.day) != (2, 29) else True
        assert doc.final_fate == "musnah" and doc.phase == "aktif"
        assert "EARSIP_IDENTITY_RETENTION" in (doc.retention_note or "")
        entry = session.scalar(select(AuditEntry).where(
            AuditEntry.action == "document.retention"))
        assert entry is not None and entry.details["years"] == 2
    # A case not closed yet changes nothing.
    with archive.db.write() as session:
        case = session.get(Case, scan.case_id)
        assert case is not None
        case.closed_at = None
    assert _apply(two, scan.case_id) == []


def test_a_due_identity_scan_is_listed_for_destruction_by_number_only(
        archive: Archive, scan: Scan) -> None:
    _closed(archive, scan)
    _apply(_with(archive, "0"), scan.case_id)
    tomorrow = archive.local_today() + dt.timedelta(days=1)
    rows = cycle.report(archive, scan.arsiparis, "due", as_of=tomorrow).results
    row = next(r for r in rows if r.id == scan.doc_id)
    assert row.title == documents.PERSONAL_TITLE and row.number is None
    found = destruction_views.candidates(archive, scan.arsiparis, as_of=tomorrow)
    candidate = next(c for c in found if c.id == scan.doc_id)
    assert candidate.title == documents.PERSONAL_TITLE
    destruction.propose(archive, scan.arsiparis, DisposalProposal(document_ids=[scan.doc_id]),
                        as_of=tomorrow)
    with archive.db.read() as session:
        item = session.scalar(select(DisposalItem).where(
            DisposalItem.document_id == scan.doc_id))
        assert item is not None and "Identitas" not in item.description
        assert item.description.startswith(documents.PERSONAL_TITLE)


def test_an_identity_scan_is_never_offered_for_transfer(archive: Archive, scan: Scan) -> None:
    with archive.db.write() as session:
        doc = session.get(Document, scan.doc_id)
        assert doc is not None
        doc.final_fate, doc.inactive_until = "permanen", dt.date(2020, 1, 1)
        doc.active_until = dt.date(2015, 1, 1)
    assert scan.doc_id not in [c.id for c in transfer_views.candidates(archive, scan.arsiparis)]


def test_a_declassification_request_on_an_identity_scan_is_listed_on_its_page_only(
        archive: Archive, scan: Scan) -> None:
    with archive.db.write() as session:
        doc = documents.load_visible(session, scan.ppid, scan.doc_id)
        declassification.file_request(session, scan.ppid, doc, "terbatas",
                                      "Salinan untuk pemohon sendiri", None)
    assert declassification.pending(archive, scan.atasan) == []
    assert declassification.awaiting_decision(archive, scan.atasan) == []
    mine = declassification.pending(archive, scan.ppid, document_id=scan.doc_id)
    assert [r.document_id for r in mine] == [scan.doc_id]


def test_the_audit_trail_names_an_identity_scan_by_its_number_only(
        archive: Archive, scan: Scan) -> None:
    documents.view_document(archive, scan.ppid, scan.doc_id)
    with archive.db.read() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.target_type == "document",
            AuditEntry.target_id == str(scan.doc_id))).all()
        described = words.describe(session, scan.auditor, entries)
    assert described
    for d in described:
        assert d.target is not None
        assert "Identitas" not in str(d.target.params)


def test_the_identity_retention_setting_takes_case_or_a_number_of_years() -> None:
    assert Config.from_env({"EARSIP_IDENTITY_RETENTION": "2"}).identity_retention == "2"
    assert Config.from_env({"EARSIP_IDENTITY_RETENTION": "CASE"}).identity_retention == "case"
    assert Config.from_env({}).identity_retention == "case"
    with pytest.raises(SystemExit, match="EARSIP_IDENTITY_RETENTION"):
        Config.from_env({"EARSIP_IDENTITY_RETENTION": "selamanya"})
    assert personal.identity_years("case") is None and personal.identity_years("3") == 3
