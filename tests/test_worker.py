"""The background worker: scans are queued at filing, read by a real `earsip worker` process,
survive a killed worker, are retried a bounded number of times, and get a searchable PDF/A copy
beside the untouched original. (How workers take jobs from the table is tested without
Tesseract in tests/test_queue.py.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.models import AuditEntry, Document, DocumentText, Job, TaskRun
from earsip.schemas.documents import DocumentEdit
from earsip.schemas.retention import DisposalApproval, DisposalProposal
from earsip.services import Archive
from earsip.services.operations import jobs, worker
from earsip.services.operations import ocr as ocr_service
from earsip.services.search import searching as search_service
from tests import scangen
from tests.approvers import make_approver
from tests.conftest import USER_PASSWORD, sign_in
from tests.helpers import wait_until

# Skipped without Tesseract/OCRmyPDF, except under `make test` (EARSIP_REQUIRE_OCR=1): a failure.
pytestmark = pytest.mark.usefixtures("ocr_tools")
READER = Principal(1, "admin", frozenset({"arsiparis"}), "sangat_rahasia")


_file = scangen.file_scan


def _doc(archive: Archive, doc_id: int) -> Document:
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        session.expunge(doc)
        return doc


def _jobs(archive: Archive, doc_id: int) -> list[Job]:
    with archive.db.read() as session:
        found = list(session.scalars(select(Job).where(Job.document_id == doc_id)
                                     .order_by(Job.id)))
        session.expunge_all()
        return found


def _recall(found: str) -> float:
    seen = set(scangen.words(found))
    expected = scangen.words()
    return sum(1 for w in expected if w in seen) / len(expected)


def test_filing_a_scan_answers_at_once_with_ocr_pending_and_commits_its_job(
        archive: Archive, tmp_path: Path) -> None:
    started = time.monotonic()
    doc_id = _file(archive, scangen.save_scan(tmp_path / "surat.png"))
    assert time.monotonic() - started < 5  # no OCR in the filing itself
    doc = _doc(archive, doc_id)
    assert doc.text_status == "ocr_pending" and doc.searchable_path is None
    [job] = _jobs(archive, doc_id)
    assert (job.kind, job.state, job.attempts, job.max_attempts) == ("ocr", "pending", 0, 3)
    assert jobs.due_count(archive) == 1  # the row is what a worker takes


def test_a_worker_process_reads_the_scan_makes_a_pdfa_copy_and_search_finds_it(
        archive: Archive, tmp_path: Path, start_worker) -> None:
    scan = scangen.save_scan(tmp_path / "laporan.pdf")
    original = hashlib.sha256(scan.read_bytes()).hexdigest()
    doc_id = _file(archive, scan)
    proc = start_worker()
    wait_until(lambda: _jobs(archive, doc_id)[0].state == "done", 120, "the OCR job")
    doc = _doc(archive, doc_id)
    assert doc.text_status == "extracted", doc.text_message
    with archive.db.read() as session:
        assert _recall(session.get(DocumentText, doc_id).text) >= 0.95
    hits = search_service.search(archive, READER, search_service.parse_params(
        {"q": "rekomendasi penertiban"}))
    assert [h.id for h in hits.results] == [doc_id]
    # The original is untouched; the copy sits beside it with its own hash, as PDF/A-2b.
    assert hashlib.sha256(archive.store.path_of(doc.storage_path).read_bytes()).hexdigest() \
        == original == doc.sha256
    copy = archive.store.path_of(doc.searchable_path)
    assert copy.parent == archive.store.path_of(doc.storage_path).parent
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == doc.searchable_sha256 != original
    assert doc.searchable_kind == "pdfa"
    with pikepdf.open(copy) as pdf:
        assert pdf.open_metadata().pdfa_status == "2B"
    assert "Mojokerto" in PdfReader(copy).pages[0].extract_text()
    [job] = _jobs(archive, doc_id)
    assert (job.state, job.attempts) == ("done", 1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0


def test_a_worker_killed_mid_job_leaves_the_job_to_be_finished_after_restart(
        archive: Archive, tmp_path: Path, start_worker) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "berkas.tif", pages=4))
    first = start_worker()
    wait_until(lambda: _jobs(archive, doc_id)[0].state == "running", 60, "the job to start")
    time.sleep(1.5)  # well inside the four pages
    os.killpg(first.pid, signal.SIGKILL)  # the worker and its Tesseract, mid-page
    first.wait()
    [job] = _jobs(archive, doc_id)
    assert job.state == "running" and f":{first.pid}/" in job.worker
    assert _doc(archive, doc_id).text_status == "ocr_pending"
    start_worker()  # finds the job of the dead worker at start-up and queues it again
    wait_until(lambda: _jobs(archive, doc_id)[0].state == "done", 180, "the job to finish")
    [job] = _jobs(archive, doc_id)
    assert job.attempts == 2 and job.last_error is None
    doc = _doc(archive, doc_id)
    assert doc.text_status == "extracted" and doc.searchable_path is not None
    with archive.db.read() as session:
        assert _recall(session.get(DocumentText, doc_id).text) >= 0.95
        ocr_entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.ocr", AuditEntry.target_id == str(doc_id))).all()
    assert [e.details["pages"] for e in ocr_entries] == [4]


def test_a_job_that_keeps_failing_is_retried_a_bounded_number_of_times_then_failed(
        archive: Archive, tmp_path: Path) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "rusak.pdf"))
    stored = archive.store.path_of(_doc(archive, doc_id).storage_path)
    stored.chmod(0o644)
    stored.write_bytes(b"%PDF-1.7\nrusak")  # the stored file breaks after filing
    states = [jobs.run_pending(archive, kinds=["ocr"]) for _ in range(3)]
    [job] = _jobs(archive, doc_id)
    assert [list(s.values()) for s in states] == [["pending"], ["pending"], ["failed"]]
    assert (job.state, job.attempts) == ("failed", 3)
    assert "dirender" in job.last_error
    doc = _doc(archive, doc_id)
    assert doc.text_status == "failed" and "dirender" in doc.text_message
    # Nothing more happens on its own; the admin's retry gives it fresh attempts.
    assert jobs.run_pending(archive, kinds=["ocr"]) == {}
    jobs.retry(archive, SYSTEM, job.id)
    assert _doc(archive, doc_id).text_status == "ocr_pending"
    assert _jobs(archive, doc_id)[0].state == "pending"


def test_a_retry_waits_before_it_runs_again(archive: Archive, tmp_path: Path) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "rusak.png"))
    archive.store.path_of(_doc(archive, doc_id).storage_path).write_bytes(b"bukan gambar")
    [job] = _jobs(archive, doc_id)
    assert jobs.execute(archive, job.id) == "pending"
    assert jobs.execute(archive, job.id) is None  # not before its delay
    waiting = _jobs(archive, doc_id)[0]
    assert waiting.not_before is not None and waiting.not_before > waiting.heartbeat_at


def test_without_tesseract_a_scan_is_filed_empty_with_a_clear_reason_and_no_job(
        archive: Archive, tmp_path: Path) -> None:
    missing = replace(archive, config=replace(archive.config,
                                              ocr_command="/tidak/ada/tesseract"))
    doc_id = _file(missing, scangen.save_scan(tmp_path / "foto.png"))
    doc = _doc(archive, doc_id)
    assert doc.text_status == "empty" and "tesseract-ocr" in doc.text_message
    assert _jobs(archive, doc_id) == []


def test_a_queued_scan_whose_tesseract_disappeared_is_left_empty_saying_why(
        archive: Archive, tmp_path: Path) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "foto.png"))
    missing = replace(archive, config=replace(archive.config,
                                              ocr_command="/tidak/ada/tesseract"))
    assert jobs.run_pending(missing, kinds=["ocr"]) == {_jobs(archive, doc_id)[0].id: "failed"}
    doc = _doc(archive, doc_id)
    assert doc.text_status == "empty" and "tesseract-ocr" in doc.text_message
    [job] = _jobs(archive, doc_id)
    assert job.attempts == 1 and "tesseract-ocr" in job.last_error  # not retried in vain


def test_recovery_takes_back_the_jobs_of_dead_workers(
        archive: Archive, tmp_path: Path) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "foto.png"))
    [job] = _jobs(archive, doc_id)
    gone = subprocess.Popen(["true"])
    gone.wait()
    with archive.db.write() as session:
        row = session.get(Job, job.id)
        row.state, row.worker, row.attempts = "running", f"{socket.gethostname()}:{gone.pid}", 1
        row.heartbeat_at = row.started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    assert jobs.due_count(archive) == 0
    assert jobs.recover(archive) == 1
    assert _jobs(archive, doc_id)[0].state == "pending" and jobs.due_count(archive) == 1
    assert jobs.recover(archive) == 0  # nothing else to take back: no queue to reconcile


def test_the_worker_tick_runs_the_scheduled_tasks(archive: Archive) -> None:
    scheduled = replace(archive, config=replace(archive.config, scheduler=True))
    worker.tick(scheduled)
    with archive.db.read() as session:
        ran = {r.name: r.last_outcome for r in session.scalars(select(TaskRun))}
    assert ran == {"retention.run": "ok", "audit.checkpoint": "ok", "fixity": "ok",
                   "suggest.train": "ok"}


def test_the_searchable_copy_is_checked_by_fixity_and_destroyed_with_the_record(
        archive: Archive, tmp_path: Path, make_user) -> None:
    from earsip.errors import Gone
    from earsip.services.operations import fixity
    from earsip.services.records import documents, ingest
    from earsip.services.records.documents import DocumentInput
    from earsip.services.retention import destruction as disposition
    from earsip.services.retention import destruction_execution
    from tests.helpers import execution, principal_of

    scan = scangen.save_scan(tmp_path / "foto.png")
    old = dt.date.today().replace(year=dt.date.today().year - 7, day=1)  # KA.00: due after 5
    doc_id = ingest.file_document(archive, SYSTEM, scan, scan.name, DocumentInput(
        title="Pindaian lama", classification="KA.00", document_date=old),
        clearance=None).document_id
    jobs.run_pending(archive, kinds=["ocr"])
    copy_path = _doc(archive, doc_id).searchable_path
    copy = archive.store.path_of(copy_path)
    assert fixity.run_fixity(archive, SYSTEM, trigger="cli").outcome == "ok"
    body = copy.read_bytes()
    copy.write_bytes(body + b"\n")
    report = fixity.run_fixity(archive, SYSTEM, trigger="cli")
    assert [c.path for c in report.changed] == [copy_path]
    copy.write_bytes(body)
    assert fixity.run_fixity(archive, SYSTEM, trigger="cli").outcome == "ok"

    # The record is destroyed through the procedure: its copy goes with its original.
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    leader = make_approver(archive, "ketua")
    officer = principal_of(archive, "arsip1")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc_id]))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-1",
                                                                   decision_date=dt.date.today(),
                                                                   password=USER_PASSWORD))
    done = destruction_execution.execute(archive, officer, list_id, execution(
        berita_acara_number="BA-1", official_name="Siti",
        official_position="Kepala Sekretariat", place=None,
        witnesses=[{"name": "Budi", "position": "Arsiparis"},
                   {"name": "Dewi", "position": "Kasubbag Umum"}]))
    assert done.destroyed == [doc_id]
    assert not copy.exists()
    for left in archive.config.upload_dir.rglob("*"):
        assert not (left.is_file() and left.read_bytes() == body), left
    with pytest.raises(Gone):
        documents.open_file(archive, READER, doc_id, searchable=True)
    assert search_service.search(archive, READER, search_service.parse_params(
        {"q": "rekomendasi penertiban"})).results == []
    # Fixity finds neither a changed nor a missing copy: a destroyed copy is meant to be gone.
    after = fixity.run_fixity(archive, SYSTEM, trigger="cli")
    assert after.outcome == "ok" and after.missing == [] and after.changed == []


def test_the_copy_is_a_second_download_for_those_who_may_read_the_document(
        archive: Archive, app, client, tmp_path: Path,
        make_user) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "foto.png"))
    jobs.run_pending(archive, kinds=["ocr"])
    doc = _doc(archive, doc_id)
    sign_in(client)
    page = client.get(f"/documents/{doc_id}")
    assert f"/documents/{doc_id}/searchable" in page.get_data(as_text=True)
    r = client.get(f"/documents/{doc_id}/searchable")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    assert hashlib.sha256(r.data).hexdigest() == doc.searchable_sha256
    assert "foto.teks-cari.pdf" in r.headers["Content-Disposition"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()
    with archive.db.read() as session:
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc())).first()
    assert (last.action, last.details) == ("document.download", {"copy": "searchable"})
    # Those who may not read the document do not get the copy either: a role without
    # document.read is refused, and so is a reader below the document's class.

    make_user("sysadmin", roles=("admin",), clearance="sangat_rahasia")
    sysadmin = app.test_client()
    sign_in(sysadmin, "sysadmin", USER_PASSWORD)
    assert sysadmin.get(f"/documents/{doc_id}/searchable").status_code == 403
    from earsip.services.records import editing

    editing.edit_document(archive, READER, doc_id, DocumentEdit(security="rahasia"))
    make_user("staf1", roles=("staf",), clearance="terbatas")
    low = app.test_client()
    sign_in(low, "staf1", USER_PASSWORD)
    assert low.get(f"/documents/{doc_id}/searchable").status_code == 404


def test_ocr_statuses_are_shown_on_the_document_page_and_in_the_api(
        archive: Archive, client, tmp_path: Path,
        token_for) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "foto.png"))
    sign_in(client)
    assert "menunggu OCR" in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    body = client.get(f"/api/v1/documents/{doc_id}", headers=token_for("admin")).get_json()
    assert body["text_status"] == "ocr_pending" and body["searchable_copy"] is None
    assert body["ocr_job"]["state"] == "pending"
    jobs.run_pending(archive, kinds=["ocr"])
    body = client.get(f"/api/v1/documents/{doc_id}", headers=token_for("admin")).get_json()
    assert body["text_status"] == "extracted" and body["searchable_copy"]["kind"] == "pdfa"
    r = client.get(f"/api/v1/documents/{doc_id}/searchable-copy", headers=token_for("admin"))
    assert r.status_code == 200 and r.data.startswith(b"%PDF")
    r.close()


def test_the_admin_queue_page_lists_jobs_and_retries_a_failed_one(
        archive: Archive, client, tmp_path: Path) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "foto.png"))
    [job] = _jobs(archive, doc_id)
    with archive.db.write() as session:
        row = session.get(Job, job.id)
        row.state, row.attempts, row.last_error = "failed", 3, "Tesseract gagal: alasan-uji"
    sign_in(client)
    page = client.get("/admin/jobs?state=failed").get_data(as_text=True)
    assert "alasan-uji" in page and f"#{doc_id}" in page
    from tests.conftest import csrf_token

    token = csrf_token(client, "/admin/jobs")
    r = client.post(f"/admin/jobs/{job.id}/retry", data={"csrf_token": token})
    assert r.status_code == 302
    assert _jobs(archive, doc_id)[0].state == "pending"
    r = client.post("/admin/jobs/request/fixity", data={"csrf_token": token})
    assert r.status_code == 302
    with archive.db.read() as session:
        kinds = [j.kind for j in session.scalars(select(Job).order_by(Job.id))]
        audited = [e.action for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action.like("job.%")).order_by(AuditEntry.seq))]
    assert kinds == ["ocr", "fixity"] and audited == ["job.retry", "job.request"]
    assert ocr_service.documents_to_read(archive, pending_only=True) == [doc_id]


def test_working_folders_of_dead_ocr_runs_are_shredded_and_live_ones_kept(
        archive: Archive) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    archive.store.ensure()
    dead = archive.store.tmp_dir / f"ocr-{gone.pid}-x1"
    live = archive.store.tmp_dir / f"ocr-{os.getpid()}-x2"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "00000.pgm").write_bytes(b"P5 halaman rahasia")
    # A second name of the dead run's page, outside its folder: shredding overwrites the
    # bytes in place, so this name is left holding none of the page.
    witness = archive.store.tmp_dir / "saksi.pgm"
    os.link(dead / "00000.pgm", witness)
    assert ocr_service.remove_stale_workdirs(archive) == 1
    assert not dead.exists() and (live / "00000.pgm").read_bytes() == b"P5 halaman rahasia"
    assert b"rahasia" not in witness.read_bytes()
    assert len(witness.read_bytes()) == len(b"P5 halaman rahasia")


def test_ocrmypdfs_working_files_in_a_dead_run_are_shredded_but_never_through_its_link(
        archive: Archive) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    archive.store.ensure()
    original = archive.store.tmp_dir / "asli.pdf"  # stands for the stored original
    original.write_bytes(b"%PDF asli yang disimpan")
    inner = archive.store.tmp_dir / f"ocr-{gone.pid}-x3" / "ocrmypdf.io.abc"
    inner.mkdir(parents=True)
    (inner / "000001_ocr.png").write_bytes(b"halaman rahasia")
    os.symlink(original, inner / "origin")  # OCRmyPDF links to its input
    witness = archive.store.tmp_dir / "saksi.png"
    os.link(inner / "000001_ocr.png", witness)
    assert ocr_service.remove_stale_workdirs(archive) == 1
    assert not inner.parent.exists() and b"rahasia" not in witness.read_bytes()
    assert original.read_bytes() == b"%PDF asli yang disimpan"



def test_the_jobs_command_lists_retries_and_queues_work(
        archive: Archive, tmp_path: Path, runner) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "foto.png"))
    [job] = _jobs(archive, doc_id)
    with archive.db.write() as session:
        row = session.get(Job, job.id)
        row.state, row.attempts, row.last_error = "failed", 3, "alasan-uji"
    listed = runner("jobs", "list", "--state", "failed")
    assert listed.exit_code == 0 and "failed: 1" in listed.output
    assert f"#{doc_id}" in listed.output and "alasan-uji" in listed.output
    assert runner("jobs", "retry", str(job.id)).exit_code == 0
    assert _jobs(archive, doc_id)[0].state == "pending"
    again = runner("jobs", "retry", str(job.id))
    assert again.exit_code == 1 and "gagal" in again.output  # only failed jobs
    assert runner("jobs", "request", "reindex").exit_code == 0
    with archive.db.read() as session:
        assert [j.kind for j in session.scalars(select(Job).order_by(Job.id))] == [
            "ocr", "reindex"]


def test_the_queue_page_shows_a_reader_below_the_top_clearance_only_jobs_they_may_know_of(
        app, archive: Archive, tmp_path: Path, make_user) -> None:
    import re

    from earsip.services.records import ingest
    from earsip.services.records.documents import DocumentInput

    make_user("admin2", roles=("admin",), clearance="rahasia")
    low, top = app.test_client(), app.test_client()
    sign_in(low, "admin2", USER_PASSWORD)
    sign_in(top)

    def page(client) -> str:
        html = client.get("/admin/jobs").get_data(as_text=True)
        html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
        return re.sub(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "<when>", html)

    plain = _file(archive, scangen.save_scan(tmp_path / "biasa.png"))
    assert _jobs(archive, plain)  # an OCR job waits
    before, top_before = page(low), page(top)
    secret = ingest.file_document(
        archive, SYSTEM, scangen.save_scan(tmp_path / "rahasia.png", seed=8), "rahasia.png",
        DocumentInput(title="Pindaian sangat rahasia", classification="KA.00",
                      document_date=dt.date(2024, 3, 1), security="sangat_rahasia"),
        clearance=None).document_id
    assert _jobs(archive, secret)
    assert page(low) == before and "menunggu (1)" in before and f"#{plain}" in before
    top_after = page(top)
    assert "menunggu (1)" in top_before and "menunggu (2)" in top_after
    assert f"#{secret}" in top_after
