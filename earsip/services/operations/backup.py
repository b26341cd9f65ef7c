"""Backing up a whole deployment (docs/DEPLOYMENT.md); `restore` puts a backup back.

A backup is a folder: `database.pgdump` (PostgreSQL's `pg_dump` custom format) or
`database.sqlite3` (SQLite's online backup), `files/` (the stored originals and searchable
copies the dumped rows name), `instance/` (the session secret, the transfer packages the dumped
transfers name) and `keys/audit_ed25519.pem` (the key that signed the audit checkpoints), and
`manifest.json` naming every file with its size and SHA-256. The search index is not kept: it is
rebuilt from the database.

The list of files to copy is read in the same snapshot as the dump: on PostgreSQL `pg_dump
--snapshot` runs inside a REPEATABLE READ transaction that reads the list, on SQLite the list
is read from the copied database file. A record destroyed meanwhile is therefore either still
kept in the dump, with its file copied, or destroyed in it, with no file copied; a file a kept
row needs that is gone fails the backup, naming it. A failed backup removes what it wrote.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from earsip import audit
from earsip.atomic import sync_tree, write_atomic
from earsip.errors import BackupFailed
from earsip.models import utcnow
from earsip.services import Archive

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_COPY = "database.sqlite3"
FILES = "files"
INSTANCE = "instance"
TRANSFERS = f"{INSTANCE}/transfers"
SECRET = f"{INSTANCE}/secret_key"
AUDIT_KEY = "keys/audit_ed25519.pem"
CHUNK = 1024 * 1024
# The files the rows of a database need: those of documents not destroyed (a transferred
# record keeps its file; `earsip verify` checks it), and the packages of transfers not
# cancelled (cancelling destroys the package).
KEPT_FILES = text("SELECT storage_path, searchable_path FROM documents "
                  "WHERE disposition IS NULL OR disposition <> 'destroyed'")
KEPT_PACKAGES = text("SELECT package_name FROM transfers "
                     "WHERE status <> 'cancelled' AND package_name IS NOT NULL")
COUNTS = text("SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM audit_entries)")


@dataclass(frozen=True)
class BackupResult:
    """What a backup holds."""

    folder: Path
    database: str  # "postgresql" or "sqlite"
    documents: int
    audit_entries: int
    files: int
    size: int


@dataclass(frozen=True)
class Needed:
    """What the dumped rows need, read in the dump's snapshot."""

    files: list[str]
    packages: list[str]
    documents: int
    audit_entries: int


def read_needed(conn: Connection) -> Needed:
    """Return the stored files and transfer packages the rows seen by `conn` need."""
    files = sorted({p for row in conn.execute(KEPT_FILES) for p in row if p})
    packages = sorted(conn.scalars(KEPT_PACKAGES))
    documents, entries = conn.execute(COUNTS).one()
    return Needed(files, packages, int(documents), int(entries))


def make_dirs(root: Path, relative: Path, mode: int) -> None:
    """Make the folders of `relative` below `root`, each with `mode`."""
    folder = root
    for part in relative.parts:
        folder = folder / part
        if not folder.is_dir():
            folder.mkdir(mode=mode)
            folder.chmod(mode)


def copy_file(source: Path, target: Path, *, mode: int = 0o644) -> tuple[int, str]:
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


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq URL without its password for the PostgreSQL tools, and their environment
    (the password goes there, never onto a command line)."""
    parsed = make_url(url)
    env = {**os.environ}
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_tool(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools
    except FileNotFoundError as e:
        raise BackupFailed("%(tool)s tidak ditemukan: pasang postgresql-client (Debian).",
                           params={"tool": command[0]}) from e
    if done.returncode != 0:
        raise BackupFailed("%(tool)s gagal: %(error)s",
                           params={"tool": command[0], "error": done.stderr.strip()[-800:]})


def sqlite_path(url: str) -> Path:
    return Path(make_url(url).database or "")


def inside(path: Path, folder: Path) -> bool:
    """Whether `path` is `folder` or below it (both resolved)."""
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def _check_target(archive: Archive, target: Path) -> None:
    config = archive.config
    for folder in (config.upload_dir, config.instance_dir, config.index_dir):
        if inside(target, folder):
            raise BackupFailed("Cadangan tidak boleh ditulis ke dalam %(folder)s (folder milik "
                               "aplikasi); pilih folder di luarnya.",
                               params={"folder": str(folder)})
    if target.exists() and any(target.iterdir()):
        raise BackupFailed("Folder %(path)s tidak kosong; cadangan ditulis ke folder baru.",
                           params={"path": str(target)})


@contextlib.contextmanager
def _dump(archive: Archive, target: Path) -> Iterator[tuple[str, Needed]]:
    """Dump the database into `target`; yield its file name and what its rows need, read in the
    dump's snapshot (kept open while the files are copied)."""
    if archive.db.is_sqlite:
        copy = target / SQLITE_COPY
        with contextlib.closing(sqlite3.connect(sqlite_path(archive.config.database_url))) \
                as src, contextlib.closing(sqlite3.connect(copy)) as dst:
            src.backup(dst)
        copy.chmod(0o600)
        engine = create_engine(f"sqlite:///{copy}")
        try:
            with engine.connect() as conn:
                needed = read_needed(conn)
        finally:
            engine.dispose()
        yield SQLITE_COPY, needed
        return
    url, env = libpq(archive.config.database_url)
    with archive.db.engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.scalar(text("SELECT pg_export_snapshot()"))
            os.close(os.open(target / PG_DUMP, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            run_tool(["pg_dump", "--format=custom", "--no-owner", "--no-privileges",
                      f"--snapshot={snapshot}", "--file", str(target / PG_DUMP),
                      "--dbname", url], env)
            yield PG_DUMP, read_needed(conn)


def backup(archive: Archive, target: Path, actor: audit.Actor) -> BackupResult:
    """Write a backup of the database, the stored files its rows need and the keys into
    `target` (a new or empty folder outside the app's folders); the backup holds its own audit
    entry (`backup.create`). On failure what was written is removed (BackupFailed)."""
    _check_target(archive, target)
    made = not target.exists()
    try:
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o700)  # it holds every document and the keys
        with archive.db.write() as session:
            audit.append(session, actor, "backup.create", target_type="backup",
                         target_id=target.name[:80], details={"folder": str(target)})
        return _write(archive, target)
    except (BackupFailed, OSError) as e:
        _remove_written(target, made)
        if isinstance(e, BackupFailed):
            raise
        raise BackupFailed("Pencadangan gagal pada %(path)s: %(error)s",
                           params={"path": e.filename or str(target),
                                   "error": e.strerror or str(e)}) from e


def _remove_written(target: Path, made: bool) -> None:
    if made:
        shutil.rmtree(target, ignore_errors=True)
    elif target.is_dir():  # it was empty: empty it again
        for entry in target.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)


def _write(archive: Archive, target: Path) -> BackupResult:
    listed: list[dict[str, object]] = []

    def keep(source: Path, name: str) -> None:
        make_dirs(target, Path(name).parent, 0o700)
        size, sha = copy_file(source, target / name, mode=0o600)
        listed.append({"path": name, "size": size, "sha256": sha})

    config = archive.config
    kind = "sqlite" if archive.db.is_sqlite else "postgresql"
    with _dump(archive, target) as (database_file, needed):
        for relative in needed.files:
            source = archive.store.path_of(relative)
            if not source.is_file():
                raise BackupFailed("Berkas %(path)s yang dibutuhkan basis data tidak ada di "
                                   "penyimpanan; jalankan `earsip verify`.",
                                   params={"path": relative})
            keep(source, f"{FILES}/{relative}")
        for name in needed.packages:
            package = config.transfer_dir / name
            if not inside(package, config.transfer_dir) or not package.is_dir():
                raise BackupFailed("Paket penyerahan %(path)s tidak ada.",
                                   params={"path": str(package)})
            for path in sorted(package.rglob("*")):
                if path.is_file():
                    keep(path, f"{TRANSFERS}/{path.relative_to(config.transfer_dir).as_posix()}")
    if (config.instance_dir / "secret_key").is_file():
        keep(config.instance_dir / "secret_key", SECRET)
    if config.audit_key_file.is_file():
        keep(config.audit_key_file, AUDIT_KEY)
    size = (target / database_file).stat().st_size
    manifest = {"format": FORMAT, "made_at": utcnow().isoformat() + "Z", "database": kind,
                "database_file": database_file,
                "database_sha256": sha256_of(target / database_file),
                "documents": needed.documents, "audit_entries": needed.audit_entries,
                "files": listed}
    write_atomic(target / MANIFEST, json.dumps(manifest, indent=1).encode(), mode=0o600)
    sync_tree(target)
    return BackupResult(target, kind, needed.documents, needed.audit_entries, len(listed),
                        size + sum(int(str(f["size"])) for f in listed))

