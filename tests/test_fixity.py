"""Fixity: every stored file re-hashed against the database, strays and leftovers found."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from earsip import audit
from earsip.models import AuditEntry, Document, FixityRun, utcnow
from earsip.schemas.audit import FixityCounts, FixityFile
from earsip.services import Archive
from earsip.services.operations.fixity import fixity_due, last_fixity, run_fixity
from earsip.services.records import ingest
from earsip.services.records.documents import parse_input
from tests.filegen import SAMPLE_ID_TEXT, make_text_file


@pytest.fixture
def filed(archive: Archive, tmp_path: Path) -> list[int]:
    """File three small documents; return their ids."""
    ids = []
    for i, sentence in enumerate(SAMPLE_ID_TEXT[:3]):
        source = make_text_file(tmp_path / f"surat_{i}.txt", sentence)
        result = ingest.file_document(archive, audit.SYSTEM, source, source.name, parse_input({
            "title": f"Surat {i}", "classification": "KA.00", "document_date": "2024-03-15"}),
            clearance=None, index_now=False)
        ids.append(result.document_id)
    return ids


def _stored(archive: Archive, document_id: int) -> tuple[str, Path]:
    with archive.db.read() as session:
        relative = session.scalar(select(Document.storage_path)
                                  .where(Document.id == document_id))
    assert relative is not None
    return relative, archive.store.path_of(relative)


def _fixity_entries(archive: Archive) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "fixity.run")
                                    .order_by(AuditEntry.seq)))


def _age(path: Path, seconds: float = 3600) -> None:
    """Date a file back, as one placed well before the run."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_clean_archive_passes_and_the_run_is_recorded_and_audited_once(
        archive: Archive, filed: list[int]) -> None:
    report = run_fixity(archive, audit.SYSTEM, trigger="cli")
    assert report.ok and report.outcome == "ok" and report.checked == 3
    with archive.db.read() as session:
        (run,) = session.scalars(select(FixityRun)).all()
    assert (run.id, run.outcome, run.checked, run.trigger) == (report.run_id, "ok", 3, "cli")
    assert run.finished_at is not None and run.finished_at >= run.started_at
    (entry,) = _fixity_entries(archive)
    assert (entry.outcome, entry.target_type, entry.target_id) == (
        "success", "fixity_run", str(report.run_id))
    assert entry.details["checked"] == 3 and entry.details["changed"] == 0
    assert audit.verify(_all_entries(archive)) == []


def _all_entries(archive: Archive) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_a_changed_file_is_reported_with_both_hashes(archive: Archive, filed: list[int]) -> None:
    relative, path = _stored(archive, filed[1])
    path.write_bytes(b"isi yang ditukar diam-diam")
    report = run_fixity(archive, audit.SYSTEM, trigger="scheduled")
    assert not report.ok and report.outcome == "problems"
    (changed,) = report.changed
    assert (changed.document_id, changed.path) == (filed[1], relative)
    assert changed.expected != changed.actual
    assert report.missing == [] and report.untracked == [] and report.destroyed_present == []
    (entry,) = _fixity_entries(archive)
    assert entry.outcome == "failure"
    assert entry.details["changed"] == 1 and entry.details["changed_paths"] == [relative]


def test_a_missing_file_is_reported(archive: Archive, filed: list[int]) -> None:
    relative, path = _stored(archive, filed[0])
    path.unlink()
    report = run_fixity(archive, audit.SYSTEM, trigger="cli")
    assert report.missing == [FixityFile(document_id=filed[0], path=relative)]
    assert report.checked == 3 and report.changed == []
    with archive.db.read() as session:  # the run's row keeps the keys each file was given
        (run,) = session.scalars(select(FixityRun)).all()
    assert run.missing == [{"document_id": filed[0], "path": relative}]
    assert _fixity_entries(archive)[0].details["missing_paths"] == [relative]


def test_a_file_no_document_refers_to_is_reported_but_working_folders_are_not(
        archive: Archive, filed: list[int]) -> None:
    stray = archive.store.root / "KA" / "2024" / "salinan_liar.pdf"
    stray.write_bytes(b"%PDF-1.4 salinan yang tidak tercatat")
    _age(stray)
    archive.store.ensure()
    (archive.store.tmp_dir / "unggahan.part").write_bytes(b"unggahan yang sedang berjalan")
    report = run_fixity(archive, audit.SYSTEM, trigger="cli")
    assert report.untracked == ["KA/2024/salinan_liar.pdf"]
    assert report.changed == [] and report.missing == []


def test_a_file_placed_while_the_run_goes_on_is_left_for_the_next_run(
        archive: Archive, filed: list[int]) -> None:
    # A filing in progress: its file is in place, its row is about to be committed.
    landing = archive.store.root / "KA" / "2024" / "sedang_diarsipkan.txt"
    landing.write_bytes(b"baru saja masuk")
    soon = time.time() + 60
    os.utime(landing, (soon, soon))
    assert run_fixity(archive, audit.SYSTEM, trigger="cli").untracked == []
    _age(landing)
    assert run_fixity(archive, audit.SYSTEM, trigger="cli").untracked == [
        "KA/2024/sedang_diarsipkan.txt"]


def test_a_destroyed_documents_file_that_is_still_there_is_reported(
        archive: Archive, filed: list[int]) -> None:
    kept_relative, _ = _stored(archive, filed[0])
    _, gone_path = _stored(archive, filed[1])
    gone_path.unlink()  # destroyed properly: its file is gone, which is no problem
    with archive.db.write() as session:
        session.execute(update(Document).where(Document.id.in_(filed[:2]))
                        .values(disposition="destroyed", disposed_at=utcnow()))
    report = run_fixity(archive, audit.SYSTEM, trigger="web")
    assert report.destroyed_present == [FixityFile(document_id=filed[0], path=kept_relative)]
    assert report.missing == [] and report.untracked == [] and report.checked == 1
    assert not report.ok
    last = last_fixity(archive)
    assert last is not None
    assert last.destroyed_present == [FixityFile(document_id=filed[0], path=kept_relative)]
    assert last.changed == [] and last.outcome == "problems"
    assert _fixity_entries(archive)[0].details["destroyed_present_paths"] == [kept_relative]


def test_a_transferred_documents_file_is_still_checked(archive: Archive,
                                                       filed: list[int]) -> None:
    with archive.db.write() as session:
        session.execute(update(Document).where(Document.id == filed[2])
                        .values(disposition="transferred"))
    _, path = _stored(archive, filed[2])
    path.write_bytes(b"diubah setelah diserahkan")
    report = run_fixity(archive, audit.SYSTEM, trigger="cli")
    assert [c.document_id for c in report.changed] == [filed[2]]


def test_earsip_verify_lists_the_problems_and_exits_1(archive: Archive, filed: list[int],
                                                      runner) -> None:
    clean = runner("verify")
    assert clean.exit_code == 0, clean.output
    assert "3 berkas diperiksa" in clean.output and "Semua berkas utuh" in clean.output
    changed, changed_path = _stored(archive, filed[0])
    changed_path.write_bytes(b"dirusak")
    missing, missing_path = _stored(archive, filed[1])
    missing_path.unlink()
    result = runner("verify")
    assert result.exit_code == 1
    assert "1 berubah, 1 hilang" in result.output
    assert f"{changed} (dokumen #{filed[0]})" in result.output
    assert f"{missing} (dokumen #{filed[1]})" in result.output
    assert [e.outcome for e in _fixity_entries(archive)] == ["success", "failure"]
    assert all(e.actor_name.startswith("cli:") for e in _fixity_entries(archive))


def test_last_fixity_gives_the_latest_run(archive: Archive, filed: list[int]) -> None:
    assert last_fixity(archive) is None
    run_fixity(archive, audit.SYSTEM, trigger="scheduled")
    _stored(archive, filed[0])[1].unlink()
    second = run_fixity(archive, audit.SYSTEM, trigger="cli")
    last = last_fixity(archive)
    assert last is not None
    assert (last.id, last.trigger, last.outcome) == (second.run_id, "cli", "problems")
    assert last.counts == FixityCounts(changed=0, missing=1, untracked=0, destroyed_present=0)
    assert last.started_at.endswith("Z")


def test_a_fixity_run_is_due_after_the_configured_interval(archive: Archive) -> None:
    now = utcnow()
    assert fixity_due(archive, now)
    run_fixity(archive, audit.SYSTEM, trigger="scheduled")
    days = archive.config.fixity_interval_days
    assert not fixity_due(archive, now + dt.timedelta(days=days, hours=-1))
    assert fixity_due(archive, now + dt.timedelta(days=days, minutes=1))
    assert fixity_due(archive, dt.datetime.now(dt.UTC) + dt.timedelta(days=days, minutes=1))
    archive.config = dataclasses.replace(archive.config, fixity_interval_days=0)
    assert not fixity_due(archive, now + dt.timedelta(days=365))


def _figures_page(client, path: str) -> str:
    """Return a page as its reader sees it, less the moments and the form tokens."""
    import re

    from tests.conftest import csrf_token

    if path == "/audit/verify":
        html = client.post(path, data={"csrf_token": csrf_token(client, path)}).get_data(
            as_text=True)
    else:
        html = client.get(path).get_data(as_text=True)
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    return re.sub(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?Z?", "<when>", html)


def test_fixity_and_verification_figures_do_not_move_for_a_reader_below_the_top_clearance(
        app, archive: Archive, filed: list[int], make_user, tmp_path: Path) -> None:
    from tests.conftest import USER_PASSWORD, sign_in

    make_user("auditor1", roles=("auditor",), clearance="rahasia")
    make_user("auditor2", roles=("auditor",), clearance="sangat_rahasia")
    low, top = app.test_client(), app.test_client()
    sign_in(low, "auditor1", USER_PASSWORD)
    sign_in(top, "auditor2", USER_PASSWORD)
    run_fixity(archive, audit.SYSTEM, trigger="cli")
    pages = ("/audit/fixity", "/audit/verify")
    before = {p: _figures_page(low, p) for p in pages}
    top_before = {p: _figures_page(top, p) for p in pages}

    source = make_text_file(tmp_path / "nota.txt", SAMPLE_ID_TEXT[3])
    ingest.file_document(archive, audit.SYSTEM, source, source.name, parse_input({
        "title": "Nota sangat rahasia", "classification": "KA.00",
        "document_date": "2024-03-15", "security": "sangat_rahasia"}),
        clearance=None, index_now=False)
    run_fixity(archive, audit.SYSTEM, trigger="cli")
    after = {p: _figures_page(low, p) for p in pages}
    top_after = {p: _figures_page(top, p) for p in pages}

    assert after == before
    assert "Sangat Rahasia" in after["/audit/fixity"] and "utuh" in after["/audit/verify"]
    # The same pages move for a reader cleared for every class: the test can see a change.
    assert "<dd>3</dd>" in top_before["/audit/fixity"] and "<dd>4</dd>" in top_after[
        "/audit/fixity"]
    assert top_after["/audit/verify"] != top_before["/audit/verify"]
