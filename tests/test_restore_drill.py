"""Backup and restore of a whole deployment: the restore drill of docs/DEPLOYMENT.md on
PostgreSQL (`make restore-drill` runs the same `drill()`), and `earsip backup`/`restore` on the
embedded SQLite default (a searchable copy, a transfer package, a hold and a search come back; a
damaged backup file is named and left out); what a backup refuses, leaves out and cleans up."""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import sqlite3
import stat
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from config import make_test_config
from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.cli import main
from earsip.errors import BackupFailed
from earsip.models import Document
from earsip.schemas.retention import HoldInput
from earsip.services import Archive
from earsip.services.audit.review import make_checkpoint
from earsip.services.operations import backup, ocr
from earsip.services.retention import holds, transfer, transfer_views
from earsip.services.search import searching
from tests import scangen
from tests.conftest import PG_URL, PROJECT
from tests.helpers import file_doc, handing, principal_of


def _load_drill() -> ModuleType:
    spec = importlib.util.spec_from_file_location("restore_drill",
                                                  PROJECT / "scripts" / "restore_drill.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL: set EARSIP_TEST_DATABASE_URL "
                                       "(make test-postgres)")
def test_the_restore_drill_backs_up_restores_and_verifies_a_populated_deployment(
        tmp_path: Path) -> None:
    assert PG_URL
    drill = _load_drill()
    said: list[str] = []
    prefix = f"{make_url(PG_URL).database}_drill"
    drill.drill(PG_URL, tmp_path, prefix=prefix, say=said.append)
    assert said[-1].startswith("restore drill passed: 14 documents"), said
    assert any("Semua berkas utuh." in line for line in said), said
    assert any("Jejak audit utuh" in line for line in said), said


def _env(root: Path, database_url: str) -> dict[str, str]:
    return {"EARSIP_DATABASE_URL": database_url, "EARSIP_UPLOAD_DIR": str(root / "uploads"),
            "EARSIP_INDEX_DIR": str(root / "index"), "EARSIP_INSTANCE_DIR": str(root / "instance"),
            "EARSIP_SEARCH_BACKEND": os.environ.get("EARSIP_SEARCH_BACKEND") or "whoosh"}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _found(archive: Archive, who: Principal, word: str) -> list[int]:
    return [h.id for h in searching.search(archive, who, searching.parse_params({"q": word})
                                           ).results]


@pytest.mark.skipif(bool(PG_URL), reason="the embedded SQLite default (PostgreSQL: the drill)")
@pytest.mark.usefixtures("ocr_tools")
def test_a_sqlite_archive_is_restored_whole_and_a_damaged_backup_file_is_left_out_and_named(
        archive: Archive, cli_env: dict[str, str], tmp_path: Path, make_user) -> None:
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    officer = principal_of(archive, "arsip1")
    kept = file_doc(archive, tmp_path, text="surat pemulihan arsip satu")
    held = file_doc(archive, tmp_path, text="surat pemulihan arsip dua")
    holds.place_hold(archive, officer, HoldInput(document_ids=[held], reference="PERKARA-7",
                                                 reason="Sengketa"))
    scan = scangen.file_scan(archive, scangen.save_scan(tmp_path / "pindaian.pdf"))
    assert ocr.ocr_document(archive, SYSTEM, scan).status == "extracted"
    handed = [file_doc(archive, tmp_path, code="KU.00.00", date="2010-01-05", title="DIPA")]
    package_name = transfer_views.get_transfer(
        archive, officer, transfer.prepare(archive, officer, handing(handed))).package_name
    package = archive.config.transfer_dir / str(package_name)
    packaged = {p.relative_to(package): _sha(p) for p in package.rglob("*") if p.is_file()}
    found = _found(archive, officer, "penertiban")
    assert found == [scan]
    with archive.db.read() as session:
        searchable = session.get(Document, scan).searchable_path  # type: ignore[union-attr]  # filed above
    assert searchable
    make_checkpoint(archive, SYSTEM, trigger="on_demand")
    cli = CliRunner()
    made = cli.invoke(main, ["backup", str(tmp_path / "cadangan")], env=cli_env)
    assert made.exit_code == 0, made.output
    for name in ("manifest.json", "database.sqlite3", "files", "keys"):
        mode = stat.S_IMODE((tmp_path / "cadangan" / name).stat().st_mode)
        assert mode == (0o700 if name in ("files", "keys") else 0o600), (name, oct(mode))
    again = cli.invoke(main, ["backup", str(tmp_path / "cadangan")], env=cli_env)
    assert again.exit_code == 1 and "tidak kosong" in again.output

    target = tmp_path / "baru"
    env = _env(target, f"sqlite:///{target / 'earsip.sqlite3'}")
    restored = cli.invoke(main, ["restore", str(tmp_path / "cadangan")], env=env)
    assert restored.exit_code == 0, restored.output
    assert "5 berkas" in restored.output  # four originals and one searchable copy
    assert stat.S_IMODE((target / "earsip.sqlite3").stat().st_mode) == 0o600
    for command in (["audit", "verify"], ["verify"]):
        checked = cli.invoke(main, command, env=env)
        assert checked.exit_code == 0, checked.output
    copy = Archive.open(make_test_config(target, database_url=env["EARSIP_DATABASE_URL"]))
    try:
        assert (target / "instance" / "audit_ed25519.pem").read_bytes() == \
            archive.config.audit_key_file.read_bytes()
        with copy.db.read() as session:
            for doc_id in (kept, scan):
                row = session.get(Document, doc_id)
                assert row is not None
                for relative in (row.storage_path, row.searchable_path):
                    if relative:
                        assert _sha(copy.store.path_of(relative)) == \
                            _sha(archive.store.path_of(relative))
            assert session.get(Document, scan).searchable_path == searchable  # type: ignore[union-attr]  # restored
            assert holds.held_ids(session) == {held}
        back = copy.config.transfer_dir / str(package_name)
        assert {p.relative_to(back): _sha(p) for p in back.rglob("*") if p.is_file()} == packaged
        assert _found(copy, officer, "penertiban") == found
    finally:
        copy.close()
    again = cli.invoke(main, ["restore", str(tmp_path / "cadangan")], env=env)
    assert again.exit_code == 1 and "tidak kosong" in again.output

    damaged = next((tmp_path / "cadangan" / "files").rglob("*.pdf"))
    damaged.write_bytes(b"%PDF-1.4 rusak")
    other = tmp_path / "lain"
    broken = cli.invoke(main, ["restore", str(tmp_path / "cadangan")],
                        env=_env(other, f"sqlite:///{other / 'earsip.sqlite3'}"))
    assert broken.exit_code == 1
    assert "HILANG/RUSAK" in broken.output and "1 berkas yang dibutuhkan" in broken.output


def test_a_backup_into_a_folder_of_the_app_is_refused_and_writes_nothing(
        archive: Archive, tmp_path: Path) -> None:
    file_doc(archive, tmp_path)
    config = archive.config
    for folder in (config.upload_dir, config.instance_dir, config.index_dir):
        with pytest.raises(BackupFailed, match="tidak boleh ditulis ke dalam"):
            backup.backup(archive, folder / "cadangan", SYSTEM)
        assert not (folder / "cadangan").exists()


def test_a_backup_copies_only_the_files_of_kept_rows_and_fails_cleanly_on_a_missing_one(
        archive: Archive, tmp_path: Path) -> None:
    kept = file_doc(archive, tmp_path, text="arsip yang disimpan")
    gone = file_doc(archive, tmp_path, text="arsip yang dimusnahkan")
    with archive.db.write() as session:  # marked destroyed, its file not yet shredded
        doc = session.get(Document, gone)
        assert doc is not None
        doc.disposition, gone_path = "destroyed", doc.storage_path
        kept_path = session.get(Document, kept).storage_path  # type: ignore[union-attr]  # filed above
    made = backup.backup(archive, tmp_path / "cadangan", SYSTEM)
    listed = [f["path"] for f in json.loads((made.folder / "manifest.json").read_text())["files"]]
    assert f"files/{kept_path}" in listed and f"files/{gone_path}" not in listed
    assert not (made.folder / "files" / gone_path).exists()

    (tmp_path / "berkas.txt").write_text("bukan folder")
    with pytest.raises(BackupFailed, match="Pencadangan gagal"):  # an OSError, named
        backup.backup(archive, tmp_path / "berkas.txt" / "cadangan", SYSTEM)
    archive.store.path_of(kept_path).unlink()
    (tmp_path / "kosong").mkdir()
    for target in (tmp_path / "baru", tmp_path / "kosong"):
        with pytest.raises(BackupFailed, match=kept_path):
            backup.backup(archive, target, SYSTEM)
    assert not (tmp_path / "baru").exists() and not any((tmp_path / "kosong").iterdir())


@pytest.mark.skipif(bool(PG_URL), reason="restores into SQLite")
def test_a_restore_refuses_packages_in_place_and_leaves_out_a_damaged_key_and_a_crafted_path(
        archive: Archive, tmp_path: Path, cli_env: dict[str, str]) -> None:
    file_doc(archive, tmp_path)
    make_checkpoint(archive, SYSTEM, trigger="on_demand")  # the audit key
    made = backup.backup(archive, tmp_path / "cadangan", SYSTEM)
    target = tmp_path / "baru"
    env = _env(target, f"sqlite:///{target / 'earsip.sqlite3'}")
    (target / "instance" / "transfers" / "BAST-lama").mkdir(parents=True)
    refused = CliRunner().invoke(main, ["restore", str(made.folder)], env=env)
    assert refused.exit_code == 1 and "paket penyerahan" in refused.output
    with contextlib.closing(sqlite3.connect(target / "earsip.sqlite3")) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []  # not touched

    (made.folder / "keys" / "audit_ed25519.pem").write_bytes(b"kunci lain")
    manifest = json.loads((made.folder / "manifest.json").read_text())
    (made.folder / "instance" / "transfers").mkdir(parents=True)
    (made.folder / "jahat.txt").write_bytes(b"jahat")
    manifest["files"].append({"path": "instance/transfers/../../jahat.txt", "size": 5,
                              "sha256": hashlib.sha256(b"jahat").hexdigest()})
    (made.folder / "manifest.json").write_text(json.dumps(manifest))
    other = tmp_path / "lain"
    done = CliRunner().invoke(main, ["restore", str(made.folder)],
                              env=_env(other, f"sqlite:///{other / 'earsip.sqlite3'}"))
    assert done.exit_code == 1 and "HILANG/RUSAK keys/audit_ed25519.pem" in done.output
    assert not (other / "instance" / "audit_ed25519.pem").exists()  # a damaged key left out
    assert not (other / "jahat.txt").exists() and not (other / "instance" / "jahat.txt").exists()
