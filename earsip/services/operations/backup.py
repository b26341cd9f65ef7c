"""Backing up a whole deployment and restoring it into an empty one (docs/DEPLOYMENT.md).

A backup is a folder: `database.pgdump` (PostgreSQL's `pg_dump` custom format) or
`database.sqlite3` (SQLite's online backup), `files/` (every stored original and searchable
copy), `instance/` (the session secret, the transfer packages) and `keys/audit_ed25519.pem`
(the key that signed the audit checkpoints), and `manifest.json` naming every file with its
size and SHA-256. The search index is not kept: it is rebuilt from the database.

The database is dumped first, then the files are copied, so a document filed meanwhile has its
file in the backup but no row, and is left out by the restore. A record destroyed or handed
over meanwhile would keep its row but lose its file: the backup counts them before and after
and fails ("run it again") when that count moved. The restore goes into an empty database and
empty folders only; it copies the files the restored rows name (checking each against the
manifest), puts the keys back, and `setup.initialise` then migrates (a backup of an older
version) and rebuilds the index. `earsip audit verify` and `earsip verify` prove the result;
`make restore-drill` does all of it (scripts/restore_drill.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.engine import make_url

from earsip import audit
from earsip.atomic import fsync_dir, sync_tree, write_atomic
from earsip.errors import BackupFailed
from earsip.models import AuditEntry, Document, utcnow
from earsip.services import Archive
from earsip.services.operations import setup

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
INSTANCE = "instance"
AUDIT_KEY = "keys/audit_ed25519.pem"
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class BackupResult:
    """What a backup holds."""

    folder: Path
    database: str  # "postgresql" or "sqlite"
    documents: int
    audit_entries: int
    files: int
    size: int


@dataclass
class RestoreResult:
    """What a restore put back, and what it could not."""

    documents: int = 0
    files: int = 0
    audit_entries: int = 0
    missing: list[str] = field(default_factory=list)  # files the rows name, absent or damaged
    reindexed: int = 0


def _copy(source: Path, target: Path, *, mode: int = 0o644) -> tuple[int, str]:
    """Copy one file (target made with `mode`, never replaced, fsynced); return its size and
    SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    made = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with open(source, "rb") as src, open(made, "wb") as dst:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    return size, digest.hexdigest()


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq URL without its password for the PostgreSQL tools, and their environment
    (the password goes there, never onto a command line)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools
    except FileNotFoundError as e:
        raise BackupFailed("%(tool)s tidak ditemukan: pasang postgresql-client (Debian).",
                           params={"tool": command[0]}) from e
    if done.returncode != 0:
        raise BackupFailed("%(tool)s gagal: %(error)s",
                           params={"tool": command[0], "error": done.stderr.strip()[-800:]})


def _sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def _counts(archive: Archive) -> tuple[int, int, int]:
    """Return (documents, documents that left the archive, audit entries)."""
    with archive.db.read() as session:
        docs = session.scalar(select(func.count(Document.id))) or 0
        gone = session.scalar(select(func.count(Document.id))
                              .where(Document.disposition.is_not(None))) or 0
        entries = session.scalar(select(func.count(AuditEntry.seq))) or 0
    return docs, gone, entries


def backup(archive: Archive, target: Path, actor: audit.Actor) -> BackupResult:
    """Write a backup of the database, the stored files and the keys into `target` (a new or
    empty folder); the backup holds its own audit entry (`backup.create`)."""
    if target.exists() and any(target.iterdir()):
        raise BackupFailed("Folder %(path)s tidak kosong; cadangan ditulis ke folder baru.",
                           params={"path": str(target)})
    target.mkdir(parents=True, exist_ok=True)
    target.chmod(0o700)  # it holds every document and the keys
    with archive.db.write() as session:
        audit.append(session, actor, "backup.create", target_type="backup",
                     target_id=target.name[:80], details={"folder": str(target)})
    documents, gone_before, entries = _counts(archive)
    kind = "sqlite" if archive.db.is_sqlite else "postgresql"
    if archive.db.is_sqlite:
        database_file = SQLITE_COPY
        with contextlib.closing(sqlite3.connect(_sqlite_path(archive.config.database_url))) \
                as src, contextlib.closing(sqlite3.connect(target / SQLITE_COPY)) as dst:
            src.backup(dst)
    else:
        database_file = PG_DUMP
        url, env = _libpq(archive.config.database_url)
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
              "--file", str(target / PG_DUMP), "--dbname", url], env)
    listed: list[dict[str, object]] = []

    def keep(source: Path, name: str, mode: int = 0o600) -> None:
        size, sha = _copy(source, target / name, mode=mode)
        listed.append({"path": name, "size": size, "sha256": sha})

    store = archive.store
    for relative in store.iter_files():
        keep(store.path_of(relative), f"{FILES}/{relative}")
    config = archive.config
    if (config.instance_dir / "secret_key").is_file():
        keep(config.instance_dir / "secret_key", f"{INSTANCE}/secret_key")
    if config.transfer_dir.is_dir():
        for path in sorted(config.transfer_dir.rglob("*")):
            inside = path.relative_to(config.transfer_dir)
            if path.is_file() and not inside.parts[0].startswith("."):
                keep(path, f"{INSTANCE}/transfers/{inside.as_posix()}")
    if config.audit_key_file.is_file():
        keep(config.audit_key_file, AUDIT_KEY)
    if _counts(archive)[1] != gone_before:
        raise BackupFailed("Selama pencadangan ada arsip yang dimusnahkan atau diserahkan; "
                           "cadangan ini tidak utuh. Jalankan pencadangan lagi.")
    size = (target / database_file).stat().st_size
    manifest = {"format": FORMAT, "made_at": utcnow().isoformat() + "Z", "database": kind,
                "database_file": database_file,
                "database_sha256": _sha256(target / database_file),
                "documents": documents, "audit_entries": entries, "files": listed}
    write_atomic(target / MANIFEST, json.dumps(manifest, indent=1).encode())
    sync_tree(target)
    return BackupResult(target, kind, documents, entries, len(listed),
                        size + sum(int(str(f["size"])) for f in listed))


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _read_manifest(folder: Path) -> dict[str, object]:
    """Return a backup's manifest; BackupFailed when `folder` is not a backup of this format."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackupFailed("%(path)s bukan cadangan E-Arsip (manifest.json tidak terbaca).",
                           params={"path": str(folder)}) from e
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupFailed("Format cadangan %(path)s tidak dikenal.", params={"path": str(folder)})
    return manifest


def _check_empty(archive: Archive) -> None:
    """Refuse a restore over anything: tables, stored files, keys."""
    with archive.db.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables:
        raise BackupFailed("Basis data tujuan tidak kosong (%(n)d tabel); pulihkan ke basis "
                           "data baru.", params={"n": len(tables)})
    if next(archive.store.iter_files(), None) is not None:
        raise BackupFailed("Folder unggahan %(path)s tidak kosong.",
                           params={"path": str(archive.config.upload_dir)})
    if archive.config.audit_key_file.exists():
        raise BackupFailed("%(path)s sudah ada; pulihkan ke folder instance yang kosong.",
                           params={"path": str(archive.config.audit_key_file)})


def restore(archive: Archive, source: Path, actor: audit.Actor) -> RestoreResult:
    """Restore the backup in `source` into this archive's empty database and folders, then
    initialise it (migrations, index); `missing` names the files a row needs and the backup
    lacks (or holds damaged). The restore is audited in the restored trail (`backup.restore`)."""
    manifest = _read_manifest(source)
    listed = {str(f["path"]): f for f in manifest["files"]}  # type: ignore[attr-defined]  # JSON list of objects
    kind = "sqlite" if archive.db.is_sqlite else "postgresql"
    if manifest["database"] != kind:
        raise BackupFailed("Cadangan ini dari %(made)s, tujuan %(here)s.",
                           params={"made": manifest["database"], "here": kind})
    database_file = source / str(manifest["database_file"])
    if _sha256(database_file) != manifest["database_sha256"]:
        raise BackupFailed("Berkas basis data cadangan rusak (SHA-256 tidak cocok).")
    _check_empty(archive)
    if archive.db.is_sqlite:
        archive.db.dispose()
        path = _sqlite_path(archive.config.database_url)
        for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # the empty file opening it made (no tables)
        _copy(database_file, path)
    else:
        url, env = _libpq(archive.config.database_url)
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
              "--single-transaction", "--dbname", url, str(database_file)], env)
    result = RestoreResult()
    with archive.db.read() as session:
        rows = session.execute(select(Document.storage_path, Document.sha256,
                                      Document.searchable_path, Document.searchable_sha256)
                               .where(or_(Document.disposition.is_(None),
                                          Document.disposition != "destroyed"))).all()
        result.documents = session.scalar(select(func.count(Document.id))) or 0
    wanted = [(r[0], r[1]) for r in rows] + [(r[2], r[3]) for r in rows if r[2]]
    archive.store.ensure()
    for relative, sha in wanted:
        entry = listed.get(f"{FILES}/{relative}")
        if entry is None or entry["sha256"] != sha:
            result.missing.append(relative)
            continue
        placed = archive.store.path_of(relative)
        size, copied = _copy(source / FILES / relative, placed)
        if copied != sha or size != entry["size"]:  # damaged in the backup: not restored
            placed.unlink()
            result.missing.append(relative)
            continue
        result.files += 1
    config = archive.config
    for name in listed:
        if name == AUDIT_KEY:
            _copy(source / name, config.audit_key_file, mode=0o600)
        elif name == f"{INSTANCE}/secret_key":
            # Replaces the one a fresh configuration made: sessions and signed cookies of the
            # backed-up deployment stay valid.
            write_atomic(config.instance_dir / "secret_key", (source / name).read_bytes(),
                         mode=0o600)
        elif name.startswith(f"{INSTANCE}/transfers/"):
            _copy(source / name, config.transfer_dir / name.removeprefix(f"{INSTANCE}/transfers/"))
    sync_tree(archive.store.root)
    fsync_dir(config.instance_dir)
    result.reindexed = setup.initialise(archive).reindexed
    with archive.db.write() as session:
        audit.append(session, actor, "backup.restore", target_type="backup",
                     target_id=source.name[:80],
                     details={"folder": str(source), "made_at": str(manifest["made_at"]),
                              "files": result.files, "missing": len(result.missing)})
        result.audit_entries = session.scalar(select(func.count(AuditEntry.seq))) or 0
    return result
