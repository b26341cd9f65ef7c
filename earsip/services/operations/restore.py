"""Restoring a backup (earsip.services.operations.backup) into an empty deployment.

The restore goes into an empty database and empty folders only (uploads, transfer packages,
keys). It copies the files the restored rows name and the transfer packages the restored
transfers name, each target checked to lie inside its folder and each copy checked against the
manifest's size and SHA-256 (a stored file also against its row); the audit key and the session
secret are checked the same way. `setup.initialise` then migrates (a backup of an older version)
and rebuilds the index. A file missing or damaged in the backup is left out and named in
`missing`; everything else is restored. `earsip audit verify` and `earsip verify` prove the
result; `make restore-drill` does all of it (scripts/restore_drill.py). A restore that fails
half-way leaves a partial database: docs/DEPLOYMENT.md says how to start again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, inspect, or_, select

from earsip import audit
from earsip.atomic import fsync_dir, sync_tree, write_atomic
from earsip.errors import BackupFailed
from earsip.models import AuditEntry, Document
from earsip.services import Archive
from earsip.services.operations import setup
from earsip.services.operations.backup import (
    AUDIT_KEY,
    FILES,
    FORMAT,
    KEPT_PACKAGES,
    MANIFEST,
    SECRET,
    TRANSFERS,
    copy_file,
    inside,
    libpq,
    run_tool,
    sha256_of,
    sqlite_path,
)


@dataclass
class RestoreResult:
    """What a restore put back, and what it could not."""

    documents: int = 0
    files: int = 0
    audit_entries: int = 0
    missing: list[str] = field(default_factory=list)  # files the rows name, absent or damaged
    reindexed: int = 0


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
    """Refuse a restore over anything: tables, stored files, transfer packages, keys."""
    with archive.db.engine.connect() as conn:
        tables = inspect(conn).get_table_names()
    if tables:
        raise BackupFailed("Basis data tujuan tidak kosong (%(n)d tabel); pulihkan ke basis "
                           "data baru.", params={"n": len(tables)})
    if next(archive.store.iter_files(), None) is not None:
        raise BackupFailed("Folder unggahan %(path)s tidak kosong.",
                           params={"path": str(archive.config.upload_dir)})
    transfers = archive.config.transfer_dir
    if transfers.is_dir() and any(transfers.iterdir()):
        raise BackupFailed("Folder paket penyerahan %(path)s tidak kosong.",
                           params={"path": str(transfers)})
    if archive.config.audit_key_file.exists():
        raise BackupFailed("%(path)s sudah ada; pulihkan ke folder instance yang kosong.",
                           params={"path": str(archive.config.audit_key_file)})


def restore(archive: Archive, source: Path, actor: audit.Actor) -> RestoreResult:
    """Restore the backup in `source` into this archive's empty database and folders, then
    initialise it (migrations, index); `missing` names the files a row needs and the backup
    lacks (or holds damaged). The restore is audited in the restored trail (`backup.restore`)."""
    try:
        return _restore(archive, source, actor)
    except OSError as e:
        raise BackupFailed("Pemulihan gagal pada %(path)s: %(error)s",
                           params={"path": e.filename or str(source),
                                   "error": e.strerror or str(e)}) from e


def _restore(archive: Archive, source: Path, actor: audit.Actor) -> RestoreResult:
    manifest = _read_manifest(source)
    listed = {str(f["path"]): f for f in manifest["files"]}  # type: ignore[attr-defined]  # JSON list of objects
    kind = "sqlite" if archive.db.is_sqlite else "postgresql"
    if manifest["database"] != kind:
        raise BackupFailed("Cadangan ini dari %(made)s, tujuan %(here)s.",
                           params={"made": manifest["database"], "here": kind})
    database_file = source / str(manifest["database_file"])
    if not inside(database_file, source) or sha256_of(database_file) != \
            manifest["database_sha256"]:
        raise BackupFailed("Berkas basis data cadangan rusak (SHA-256 tidak cocok).")
    _check_empty(archive)
    if archive.db.is_sqlite:
        archive.db.dispose()
        path = sqlite_path(archive.config.database_url)
        for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
            leftover.unlink(missing_ok=True)  # the empty file opening it made (no tables)
        copy_file(database_file, path, mode=0o600)
    else:
        url, env = libpq(archive.config.database_url)
        run_tool(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                  "--single-transaction", "--dbname", url, str(database_file)], env)
    result = RestoreResult()
    with archive.db.read() as session:
        rows = session.execute(select(Document.storage_path, Document.sha256,
                                      Document.searchable_path, Document.searchable_sha256)
                               .where(or_(Document.disposition.is_(None),
                                          Document.disposition != "destroyed"))).all()
        result.documents = session.scalar(select(func.count(Document.id))) or 0
        packages = list(session.scalars(KEPT_PACKAGES))
    archive.store.ensure()

    def put(name: str, target: Path, folder: Path, *, sha: str | None = None,
            mode: int = 0o644) -> bool:
        """Copy the backup's `name` to `target` (inside `folder`) when the manifest lists it
        and the copy matches it (and `sha`); else name it in `missing`."""
        entry = listed.get(name)
        if entry is None or not inside(source / name, source) or not inside(target, folder) \
                or (sha is not None and entry["sha256"] != sha):
            result.missing.append(name)
            return False
        size, copied = copy_file(source / name, target, mode=mode)
        if copied != entry["sha256"] or size != entry["size"]:  # damaged in the backup
            target.unlink()
            result.missing.append(name)
            return False
        return True

    store = archive.store
    for row in rows:
        for relative, sha in ((row[0], row[1]), (row[2], row[3])):
            if relative and put(f"{FILES}/{relative}", store.path_of(relative), store.root,
                                sha=sha):
                result.files += 1
    config = archive.config
    for package in packages:
        prefix = f"{TRANSFERS}/{package}/"
        for name in [n for n in listed if n.startswith(prefix)]:
            put(name, config.transfer_dir / name.removeprefix(f"{TRANSFERS}/"),
                config.transfer_dir)
    if AUDIT_KEY in listed:
        put(AUDIT_KEY, config.audit_key_file, config.audit_key_file.parent, mode=0o600)
    if SECRET in listed and listed[SECRET]["sha256"] == sha256_of(source / SECRET):
        # Replaces the one a fresh configuration made: sessions and signed cookies of the
        # backed-up deployment stay valid.
        write_atomic(config.instance_dir / "secret_key", (source / SECRET).read_bytes(),
                     mode=0o600)
    elif SECRET in listed:
        result.missing.append(SECRET)
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
