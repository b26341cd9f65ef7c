"""Backup and restore of a whole deployment: the restore drill of docs/DEPLOYMENT.md on
PostgreSQL (`make restore-drill` runs the same `drill()`), and `earsip backup`/`restore` on the
embedded SQLite default, a damaged backup file named and refused."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from config import make_test_config
from earsip.audit import SYSTEM
from earsip.cli import main
from earsip.models import Document
from earsip.services import Archive
from earsip.services.audit.review import make_checkpoint
from tests.conftest import PG_URL, PROJECT
from tests.helpers import file_doc


def _load_drill():  # noqa: ANN202 - the script's module
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
    assert said[-1].startswith("restore drill passed: 12 documents"), said
    assert any("Semua berkas utuh." in line for line in said), said
    assert any("Jejak audit utuh" in line for line in said), said


def _env(root: Path, database_url: str) -> dict[str, str]:
    return {"EARSIP_DATABASE_URL": database_url, "EARSIP_UPLOAD_DIR": str(root / "uploads"),
            "EARSIP_INDEX_DIR": str(root / "index"), "EARSIP_INSTANCE_DIR": str(root / "instance"),
            "EARSIP_SEARCH_BACKEND": os.environ.get("EARSIP_SEARCH_BACKEND") or "whoosh"}


@pytest.mark.skipif(bool(PG_URL), reason="the embedded SQLite default (PostgreSQL: the drill)")
def test_a_sqlite_archive_is_restored_whole_and_a_damaged_backup_file_is_refused(
        archive: Archive, cli_env: dict[str, str], tmp_path: Path) -> None:
    kept = file_doc(archive, tmp_path, text="surat pemulihan arsip satu")
    file_doc(archive, tmp_path, text="surat pemulihan arsip dua")
    make_checkpoint(archive, SYSTEM, trigger="on_demand")
    cli = CliRunner()
    made = cli.invoke(main, ["backup", str(tmp_path / "cadangan")], env=cli_env)
    assert made.exit_code == 0, made.output
    again = cli.invoke(main, ["backup", str(tmp_path / "cadangan")], env=cli_env)
    assert again.exit_code == 1 and "tidak kosong" in again.output

    target = tmp_path / "baru"
    env = _env(target, f"sqlite:///{target / 'earsip.sqlite3'}")
    restored = cli.invoke(main, ["restore", str(tmp_path / "cadangan")], env=env)
    assert restored.exit_code == 0, restored.output
    assert "2 berkas" in restored.output
    for command in (["audit", "verify"], ["verify"]):
        checked = cli.invoke(main, command, env=env)
        assert checked.exit_code == 0, checked.output
    copy = Archive.open(make_test_config(target, database_url=env["EARSIP_DATABASE_URL"]))
    try:
        assert (target / "instance" / "audit_ed25519.pem").read_bytes() == \
            archive.config.audit_key_file.read_bytes()
        with copy.db.read() as session:
            row = session.get(Document, kept)
            assert row is not None
            assert copy.store.path_of(row.storage_path).read_bytes() == \
                archive.store.path_of(row.storage_path).read_bytes()
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
