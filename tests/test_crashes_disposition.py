"""Crashes: `kill -9` at each step of a destruction, a transfer, the retention run and a
checkpoint leaves nothing half-done.

Each trial runs the real step in a process of its own — the CLI where the step has a command
(`earsip retention run`, `earsip audit checkpoint`), otherwise the small driver below, which
opens the archive from the EARSIP_* environment and calls the service as a page would — with
one fault point armed (`earsip/faults.py`). The process must die by SIGKILL. The archive is
then restarted the way `earsip init` and `earsip serve` start it (`setup.initialise`, start-up
recovery included) and checked; then the step is finished the way an officer would, and
checked again. `make test` kills once at each point; `make soak` (EARSIP_CRASH_TRIALS set)
kills at each point at every record, paper and transition.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import Config
from earsip import transfer_package
from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.errors import Conflict
from earsip.faults import CHECKPOINT_POINTS, DISPOSAL_POINTS, RETENTION_POINTS, TRANSFER_POINTS
from earsip.models import (
    AuditCheckpoint,
    AuditEntry,
    DisposalList,
    Document,
    DocumentText,
    IndexQueue,
    Transfer,
)
from earsip.schemas.retention import DisposalApproval, DisposalExecution, DisposalProposal
from earsip.schemas.transfers import Receipt
from earsip.services import Archive
from earsip.services.audit.review import verify_chain
from earsip.services.operations import setup
from earsip.services.records import documents as document_service
from earsip.services.records import ingest
from earsip.services.records.documents import DocumentInput
from earsip.services.retention import destruction as disposition
from earsip.services.retention import destruction_execution, transfer, transfer_views
from tests import filegen
from tests.approvers import make_approver
from tests.conftest import USER_PASSWORD
from tests.helpers import WHO, handing, principal_of

PROJECT = Path(__file__).resolve().parents[1]
SOAK = bool(os.environ.get("EARSIP_CRASH_TRIALS"))
SOAK_ROUNDS = 3
TODAY = dt.date.today()

# The driver: one step of destruction or transfer, in a process of its own, as the officer
# `argv[2]`; the berita acara or the handover arrive as JSON.
DRIVER = """
import json, sys, tempfile
from sqlalchemy import select
from config import Config
from earsip.models import User
from earsip.access import Principal
from earsip.services import Archive
from earsip.services.retention import destruction_execution, transfer
from earsip.schemas.retention import DisposalApproval, DisposalExecution, DisposalProposal
from earsip.schemas.transfers import Handover, Receipt, TransferInput

step, username, *args = sys.argv[1:]
archive = Archive.open(Config.from_env())
with archive.db.read() as session:
    who = Principal.of(session.scalar(select(User).where(User.username == username)))
if step == "execute":
    form = DisposalExecution.model_validate(json.loads(args[1]))
    destruction_execution.execute(archive, who, int(args[0]), form)
elif step == "prepare":
    transfer.prepare(archive, who, TransferInput(document_ids=json.loads(args[0]),
                                              **json.loads(args[1])))
elif step == "zip":  # as the package page does: into an anonymous spool file
    with tempfile.TemporaryFile(dir=archive.config.instance_dir) as spool:
        transfer.write_zip(archive, who, int(args[0]), spool)
elif step == "confirm":
    transfer.confirm(archive, who, int(args[0]), Receipt(receipt_reference="TT-" + args[0]))
archive.close()
print("finished", flush=True)
"""


def execution(list_id: int) -> DisposalExecution:
    """Return the berita acara of list `list_id` as its officer enters it."""
    return DisposalExecution.model_validate({
        "berita_acara_number": f"BA-{list_id}/KA.01.04/{TODAY.year}",
        "official_name": "Siti Rahmawati", "official_position": "Kepala Sekretariat",
        "witnesses": [{"name": "Budi Santoso", "position": "Arsiparis Ahli Muda"},
                      {"name": "Dewi Lestari", "position": "Kepala Subbagian Umum"}],
        "place": "Kantor Bawaslu Kota Mojokerto"})


def killed(env: dict[str, str], fault: str, args: list[str]) -> str:
    """Run `python ARGS` with `fault` armed; assert it died by SIGKILL; return its output."""
    done = subprocess.run([sys.executable, *args], cwd=PROJECT, capture_output=True, text=True,
                          env={**os.environ, **env, "EARSIP_FAULTS": fault}, timeout=300,
                          check=False)
    output = done.stdout + done.stderr
    assert done.returncode == -9, f"{fault} did not fire (exit {done.returncode}):\n{output}"
    return output


def drive(env: dict[str, str], fault: str, step: str, *args: object) -> None:
    """Run one step of the driver with `fault` armed; it must die by SIGKILL."""
    killed(env, fault, ["-c", DRIVER, step, "arsip1",
                        *(a if isinstance(a, str) else json.dumps(a) for a in args)])


def cli(env: dict[str, str], fault: str, *args: str) -> None:
    killed(env, fault, ["-m", "earsip", *args])


@contextmanager
def restarted(config: Config) -> Iterator[Archive]:
    """Open the archive as a new process does at start (`earsip init`, `serve`)."""
    archive = Archive.open(config)
    try:
        setup.initialise(archive)
        yield archive
    finally:
        archive.close()


@contextmanager
def opened(config: Config) -> Iterator[Archive]:
    archive = Archive.open(config)
    try:
        yield archive
    finally:
        archive.close()


def plan(points: tuple[str, ...], each: dict[str, int] | None = None) -> list[tuple[str, int]]:
    """Return (point, n) to kill at: every point once, at its last occurrence for points that
    fire once per record, paper or transition (`each`); under soak at every occurrence, in
    SOAK_ROUNDS rounds."""
    each = each or {}
    once = [(p, n) for p in points
            for n in (range(1, each.get(p, 1) + 1) if SOAK else [each.get(p, 1)])]
    return once * (SOAK_ROUNDS if SOAK else 1)


def word(trial: int, i: int) -> str:
    """Return a made-up word (letters only, no Indonesian affix) unique to one record."""
    letters = "".join("bcdfghjkmnpqrstvwxz"[int(c)] for c in f"{trial:03d}{i}")
    return f"zqv{letters}w"


def file_record(archive: Archive, folder: Path, code: str, years_ago: int, text: str) -> int:
    """File a PDF whose text holds the word `text` (its title and file name do not: the
    tombstone and the papers of a destruction keep those)."""
    n = len(list(folder.iterdir()))
    pdf = filegen.make_text_pdf(folder / f"surat-{n}.pdf", [f"surat dinas {text} rapat"])
    data = DocumentInput(title=f"Surat dinas {n}", classification=code,
                         document_date=TODAY.replace(year=TODAY.year - years_ago, day=1))
    return ingest.file_document(archive, SYSTEM, pdf, pdf.name, data,
                                clearance=None).document_id


def entries(archive: Archive, action: str, target: int | None = None) -> list[AuditEntry]:
    with archive.db.read() as session:
        q = select(AuditEntry).where(AuditEntry.action == action)
        if target is not None:
            q = q.where(AuditEntry.target_id == str(target))
        return list(session.scalars(q.order_by(AuditEntry.seq)))


def audit_verify_passes(runner: Callable[..., object]) -> None:
    result = runner("audit", "verify")
    assert result.exit_code == 0, result.output


def files_holding(paths: Iterator[Path] | list[Path], text: str) -> list[Path]:
    """Return the files among `paths` whose bytes contain `text`."""
    needle = text.encode()
    return [p for p in paths if p.is_file() and needle in p.read_bytes()]


def database_files(archive: Archive) -> list[Path]:
    """Return the SQLite database and its write-ahead log (none on PostgreSQL)."""
    if not archive.db.is_sqlite:
        return []
    database = Path(archive.config.database_url.split("///", 1)[1])
    return [database, database.with_name(database.name + "-wal")]


@pytest.fixture
def people(archive: Archive, make_user) -> dict[str, Principal]:
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    make_approver(archive, "ketua")
    return {n: principal_of(archive, n) for n in ("arsip1", "ketua")}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "letters"
    made.mkdir()
    return made


# --------------------------------------------------------------------------- destruction

RECORDS = 3 if SOAK else 2
DESTRUCTION = plan(DISPOSAL_POINTS, {"disposal.shredding": RECORDS, "disposal.shredded": RECORDS,
                                     "disposal.paper_filing": 2, "disposal.paper_filed": 2})


@dataclasses.dataclass(frozen=True)
class Original:
    """What a record was before the trial: where its file and preview lay, its hash and the
    word only its text holds."""

    storage_path: str
    sha256: str
    preview: Path
    word: str
    copy: str | None  # its searchable (OCR) copy, when it has one


def give_searchable_copy(archive: Archive, folder: Path, doc_id: int, text: str) -> None:
    """Place a searchable copy beside a record's file and record it, as OCR does
    (services/operations/ocr.py), without running Tesseract."""
    made = filegen.make_text_pdf(folder / f"salinan-{doc_id}.pdf", [f"salinan {text} rapat"])
    with archive.db.write() as session:
        doc = session.get(Document, doc_id)
        relative, sha256, size = archive.store.commit_beside(made, doc.storage_path, ".ocr.pdf")
        doc.searchable_path, doc.searchable_sha256 = relative, sha256
        doc.searchable_size, doc.searchable_kind = size, "ocr"


def assert_untouched(archive: Archive, doc_id: int, was: Original) -> None:
    """The record is as it was: row without disposition, text, file (and copy), preview,
    index entry."""
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc.disposition is None and doc.disposal_list_id is None
        assert was.word in session.get(DocumentText, doc_id).text
    path = archive.store.path_of(was.storage_path)
    assert transfer_package._sha256(path) == was.sha256, f"#{doc_id}: its file changed"
    assert was.copy is None or archive.store.path_of(was.copy).exists()
    assert was.preview.exists()
    assert doc_id in archive.index.indexed_ids()


def assert_destroyed(archive: Archive, doc_id: int, was: Original, list_id: int) -> None:
    """The record is a tombstone of this list and its content is gone everywhere: file,
    searchable copy, preview, text, index (its segment files and word cache too), the
    database files."""
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc.disposition == "destroyed" and doc.disposal_list_id == list_id
        assert session.get(DocumentText, doc_id) is None
        assert not session.scalar(select(func.count()).select_from(IndexQueue)
                                  .where(IndexQueue.document_id == doc_id))
    assert not archive.store.path_of(was.storage_path).exists(), f"#{doc_id}: file remains"
    assert was.copy is None or not archive.store.path_of(was.copy).exists(), \
        f"#{doc_id}: its searchable copy remains"
    assert not was.preview.exists(), f"#{doc_id}: preview remains"
    assert doc_id not in archive.index.indexed_ids()
    assert files_holding(list(archive.config.index_dir.rglob("*")), was.word) == [], \
        f"#{doc_id}: its text remains in the index folder"
    assert files_holding(database_files(archive), was.word) == [], \
        f"#{doc_id}: its text remains in the database files"


def assert_papers_filed_once(archive: Archive, list_id: int) -> None:
    """The berita acara and the list are filed, once each, whole, and named on the list."""
    with archive.db.read() as session:
        listing = session.get(DisposalList, list_id)
        papers = {f"Berita Acara Pemusnahan Arsip {listing.berita_acara_number}":
                  listing.berita_acara_document_id,
                  f"Daftar Arsip Musnah {listing.number}": listing.list_document_id}
        for title, paper_id in papers.items():
            assert paper_id is not None, f"{title} is not on the list"
            filed = list(session.scalars(select(Document).where(Document.title == title)))
            assert [d.id for d in filed] == [paper_id], f"{title} filed {len(filed)} times"
            path = archive.store.path_of(filed[0].storage_path)
            assert transfer_package._sha256(path) == filed[0].sha256


def content_left(archive: Archive, originals: dict[int, Original]) -> list[int]:
    """Return the records whose file is still in storage."""
    return [d for d, was in originals.items()
            if archive.store.path_of(was.storage_path).exists()]


def test_kill_9_at_each_step_of_a_destruction_leaves_every_record_whole_or_wholly_destroyed(
        archive: Archive, config: Config, cli_env: dict[str,
                                                        str], runner,
        people: dict[str, Principal], folder: Path) -> None:
    officer, leader = people["arsip1"], people["ketua"]
    for trial, (point, nth) in enumerate(DESTRUCTION):
        with opened(config) as a:
            words = [word(trial, i) for i in range(RECORDS)]
            ids = [file_record(a, folder, "KA.00", 10, w) for w in words]
            for doc_id in ids:
                assert document_service.preview_file(a, officer, doc_id) is not None
            give_searchable_copy(a, folder, ids[0], words[0])
            list_id = disposition.propose(a, officer, DisposalProposal(document_ids=ids))
            disposition.approve(a, leader, list_id,
                                DisposalApproval(reference=f"KEP-{trial}/HK.01.01",
                                                 decision_date=TODAY, password=USER_PASSWORD))
            with a.db.read() as session:
                originals = {d.id: Original(d.storage_path, d.sha256,
                                            document_service.preview_cache_path(a, d.sha256),
                                            words[ids.index(d.id)], d.searchable_path)
                             for d in session.scalars(select(Document)
                                                      .where(Document.id.in_(ids)))}
        drive(cli_env, f"{point}=kill@{nth}", "execute", str(list_id),
              execution(list_id).model_dump())

        # Where the kill came: what is left for the restart to settle.
        left = content_left(archive, originals)
        expected_left = {"disposal.marked": RECORDS, "disposal.committed": RECORDS,
                         "disposal.shredding": RECORDS - nth + 1,
                         "disposal.shredded": RECORDS - nth}.get(point, 0)
        assert len(left) == expected_left, f"{point}@{nth}: {left}"

        with restarted(config) as a:
            with a.db.read() as session:
                status = session.get(DisposalList, list_id).status
            assert status == ("approved" if point == "disposal.marked" else "executed"), point
            for doc_id, was in originals.items():
                if status == "approved":
                    assert_untouched(a, doc_id, was)
                else:
                    assert_destroyed(a, doc_id, was, list_id)
            assert verify_chain(a).intact

            # The officer carries it out, or finishes it (Selesaikan pemusnahan), twice.
            done = destruction_execution.execute(a, officer, list_id,
                                       execution(list_id) if status == "approved" else None)
            assert sorted(done.destroyed) == ids
            for doc_id, was in originals.items():
                assert_destroyed(a, doc_id, was, list_id)
            again = destruction_execution.execute(a, officer, list_id, None)
            assert (again.berita_acara_document_id, again.list_document_id) == (
                done.berita_acara_document_id, done.list_document_id)
            assert_papers_filed_once(a, list_id)
            assert [e.outcome for e in entries(a, "disposal.execute", list_id)] == ["success"]
            assert verify_chain(a).intact

    with opened(config) as a:
        # Storage holds exactly the files of the rows that are not destroyed, nothing else.
        with a.db.read() as session:
            kept = {path for row in session.execute(
                select(Document.storage_path, Document.searchable_path)
                .where(Document.disposition.is_(None))) for path in row if path}
        assert set(a.store.iter_files()) == kept
        assert a.store.stale_temp_files() == []
    audit_verify_passes(runner)


# --------------------------------------------------------------------------- transfer

PREPARING = ("transfer.copying", "transfer.built", "transfer.recorded")
CONFIRMING = ("transfer.confirming", "transfer.confirmed")


def assert_transfers_whole(archive: Archive) -> None:
    """Nothing half-made in the transfer folder; every live transfer has its valid package
    under its final name; no record is transferred without a confirmed transfer."""
    building = archive.config.transfer_dir / transfer.BUILDING
    assert not building.exists() or sorted(building.iterdir()) == [], \
        f"left in {building}: {sorted(p.name for p in building.iterdir())}"
    with archive.db.read() as session:
        transfers = {t.id: t for t in session.scalars(select(Transfer))}
        transferred = session.execute(select(Document.id, Document.transfer_id).where(
            Document.disposition == "transferred")).all()
        for t in transfers.values():
            marked = {d.disposition for d in session.scalars(select(Document).where(
                Document.id.in_([i.document_id for i in t.item_rows])))}
            assert marked == ({"transferred"} if t.status == "confirmed" else {None}), t.number
    live = {t.package_name for t in transfers.values() if t.status != "cancelled"}
    # Nothing else: no half-made package (hidden or not), no package without its row.
    on_disk = {p.name for p in archive.config.transfer_dir.iterdir()} - {transfer.BUILDING}
    assert on_disk == live
    for t in transfers.values():
        if t.status != "cancelled":
            package = archive.config.transfer_dir / (t.package_name or "")
            assert transfer_package.validate_package(package) == [], t.number
            assert transfer_package.package_digest(package) == t.package_digest
    for doc_id, transfer_id in transferred:
        assert transfers[transfer_id].status == "confirmed", f"#{doc_id}"


def outside_transfers(config: Config) -> list[Path]:
    """Return what the instance folder holds besides the transfer packages."""
    return sorted(p for p in config.instance_dir.rglob("*")
                  if p != config.transfer_dir and config.transfer_dir not in p.parents)


def transfer_of(archive: Archive, doc_id: int) -> Transfer | None:
    with archive.db.read() as session:
        found = [t for t in session.scalars(select(Transfer).order_by(Transfer.id))
                 if doc_id in {i.document_id for i in t.item_rows}]
    assert len(found) <= 1
    return found[0] if found else None


def test_kill_9_at_each_step_of_a_transfer_marks_no_record_without_a_confirmed_valid_package(
        archive: Archive, config: Config, cli_env: dict[str,
                                                        str], runner,
        people: dict[str, Principal], folder: Path) -> None:
    officer = people["arsip1"]
    building = config.transfer_dir / transfer.BUILDING
    for trial, (point, _) in enumerate(plan(TRANSFER_POINTS)):
        with opened(config) as a:
            # KU.00.00: 3 years active, 7 inactive, permanen: due for transfer.
            ids = [file_record(a, folder, "KU.00.00", 15, word(trial, i)) for i in range(2)]
            transfer_id = (None if point in PREPARING
                           else transfer.prepare(a, officer, handing(ids)))
        outside = outside_transfers(config)
        if point in PREPARING:
            drive(cli_env, f"{point}=kill", "prepare", ids, WHO.model_dump())
        elif point == "transfer.zipped":
            drive(cli_env, f"{point}=kill", "zip", str(transfer_id))
        else:
            drive(cli_env, f"{point}=kill", "confirm", str(transfer_id))

        # Where the kill came: a half-made or unrecorded package waits in `.building`.
        waiting = sorted(p.name for p in building.iterdir()) if building.exists() else []
        if point == "transfer.copying":
            assert len(waiting) == 1 and waiting[0].endswith(".partial"), waiting
        elif point in PREPARING:
            assert len(waiting) == 1 and not waiting[0].startswith("."), waiting
        else:
            assert waiting == []

        with restarted(config) as a:
            assert_transfers_whole(a)
            handed = transfer_of(a, ids[0])
            if point in ("transfer.copying", "transfer.built"):
                assert handed is None
                assert set(ids) <= {c.id for c in transfer_views.candidates(a, officer)}
                transfer_id = transfer.prepare(a, officer, handing(ids))
                assert_transfers_whole(a)
            else:
                assert handed is not None
                transfer_id = handed.id
                assert handed.status == ("confirmed" if point == "transfer.confirmed"
                                         else "prepared")
            # The spool of an interrupted download was anonymous: nothing of it remains.
            assert outside_transfers(config) == outside
            assert entries(a, "transfer.export", transfer_id) == []
            assert len(entries(a, "transfer.prepare", transfer_id)) == 1

            # The officer downloads the package and confirms the receipt (once).
            if point != "transfer.confirmed":
                zipped = io.BytesIO()
                transfer.write_zip(a, officer, transfer_id, zipped)
                assert zipped.tell() > 0
                assert len(entries(a, "transfer.export", transfer_id)) == 1
                assert entries(a, "transfer.confirm", transfer_id) == []
                transfer.confirm(a, officer, transfer_id, Receipt(receipt_reference=f"TT-{trial}"))
            with pytest.raises(Conflict):
                transfer.confirm(a, officer, transfer_id, Receipt(receipt_reference=f"TT-{trial}"))
            assert len(entries(a, "transfer.confirm", transfer_id)) == 1
            assert transfer_of(a, ids[0]).status == "confirmed"
            assert_transfers_whole(a)
            assert verify_chain(a).intact
    audit_verify_passes(runner)


# --------------------------------------------------------------------------- retention run

def phases(archive: Archive, ids: list[int]) -> list[str]:
    with archive.db.read() as session:
        return [session.get(Document, d).phase for d in ids]


def test_kill_9_in_the_retention_run_moves_all_of_a_runs_documents_with_its_one_entry_or_none(
        archive: Archive, config: Config, cli_env: dict[str,
                                                        str], runner,
        folder: Path) -> None:
    as_of = TODAY.replace(year=TODAY.year + 30, day=1).isoformat()
    # audit.appended: the run's entry written after its moves, not committed.
    points = plan(RETENTION_POINTS + ("audit.appended",), {"retention.moved": 2})
    for trial, (point, nth) in enumerate(points):
        with opened(config) as a:
            # KA.00 ends in destruction, KU.00.00 in the archive institution: two transitions.
            moves = {"aktif>usul_musnah": [file_record(a, folder, "KA.00", 0, word(trial, 0))],
                     "aktif>permanen": [file_record(a, folder, "KU.00.00", 0, word(trial, 1))]}
            ids = [d for group in moves.values() for d in group]
            runs = len(entries(a, "retention.run"))
        cli(cli_env, f"{point}=kill@{nth}", "retention", "run", "--as-of", as_of)

        with restarted(config) as a:
            after = entries(a, "retention.run")
            if point == "retention.committed":
                assert len(after) == runs + 1
                assert after[-1].details["document_ids"] == moves
                assert phases(a, ids) == ["usul_musnah", "permanen"]
            else:
                assert len(after) == runs, f"{point}@{nth}: an entry without its moves"
                assert phases(a, ids) == ["aktif", "aktif"], f"{point}@{nth}: moved in part"
            assert verify_chain(a).intact
        result = runner("retention", "run", "--as-of", as_of)
        assert result.exit_code == 0, result.output
        with opened(config) as a:
            assert phases(a, ids) == ["usul_musnah", "permanen"]
            moved_them = [e for e in entries(a, "retention.run")
                          if e.details["document_ids"] == moves]
            assert len(moved_them) == 1
    audit_verify_passes(runner)


# --------------------------------------------------------------------------- checkpoints

def test_kill_9_while_a_checkpoint_is_made_leaves_no_checkpoint_without_its_signature_and_entry(
        archive: Archive, config: Config, cli_env: dict[str, str],
        runner) -> None:
    made = 0
    for point, _ in plan(CHECKPOINT_POINTS):
        cli(cli_env, f"{point}=kill", "audit", "checkpoint")
        made += point == "checkpoint.committed"
        with restarted(config) as a:
            with a.db.read() as session:
                rows = list(session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)))
            assert len(rows) == made, point
            assert [int(e.target_id) for e in entries(a, "audit.checkpoint")] == [
                r.id for r in rows]
            report = verify_chain(a)  # checks every signature against the server's key
            assert report.intact and report.checkpoints == made, report.findings
        audit_verify_passes(runner)
    # A checkpoint made after the crashes is valid and covers the trail as it now stands.
    result = runner("audit", "checkpoint")
    assert result.exit_code == 0, result.output
    with opened(config) as a:
        report = verify_chain(a)
        assert report.intact and report.checkpoints == made + 1
        with a.db.read() as session:
            last = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc())
                                   ).first()
        assert last.size == report.entries - 1  # all but its own entry
    audit_verify_passes(runner)


def test_a_package_a_live_process_is_still_building_is_left_to_it(
        archive: Archive, config: Config) -> None:
    from earsip.storage import owner_tag

    building = config.transfer_dir / transfer.BUILDING
    mine = building / f"{owner_tag()}.BAST-AS-{TODAY.year}-001"
    half = building / f".{owner_tag()}.BAST-AS-{TODAY.year}-002.k3j4.partial"
    for folder in (mine, half):
        (folder / "data").mkdir(parents=True)
        (folder / "data" / "surat.pdf").write_bytes(b"%PDF-1.4 salinan")
    assert transfer.recover_interrupted(archive) == []
    with restarted(config):
        pass
    assert mine.is_dir() and half.is_dir()
