"""Reviewing the audit trail: its hash chain, signed checkpoints, and exports for auditors.

A checkpoint is the server's signature over the chain's size and head at one moment; it does not
vouch that the entries were sound then (that is what `verify_chain` checks), only that they are
not rewritten or cut off afterwards. An export carries the entries, the checkpoints and the
public key in the canonical forms of `earsip.audit`, for tools/verify_audit_export.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select

from earsip import audit, faults, signing
from earsip.atomic import fsync_dir, sync_tree
from earsip.errors import EarsipError, KeyMissing, StorageError, ValidationError
from earsip.models import AuditCheckpoint, AuditEntry, utcnow
from earsip.schemas.audit import Checkpoint
from earsip.schemas.base import JsonObject
from earsip.services import Archive

TRIGGERS = ("scheduled", "on_demand")
EXPORT_FILES = ("audit.jsonl", "checkpoints.jsonl", "public_key.pem", "README.txt")
# Lines are written in batches: one write call per entry is slow in a zip member.
_BATCH = 1000


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking the whole chain and every checkpoint."""

    entries: int
    head: str | None
    findings: list[audit.Finding]
    checkpoints: int = 0
    key_id: str | None = None

    @property
    def intact(self) -> bool:
        """Return True when nothing is wrong."""
        return not self.findings


def _server_public_key(archive: Archive) -> tuple[str | None, str | None]:
    """Return (public key PEM, None), or (None, why not) when the key cannot be read."""
    try:
        key = signing.load_key(archive.config.audit_key_file)
    except EarsipError as e:
        return None, e.message
    return signing.public_key_pem(key), None


def verify_chain(archive: Archive) -> ChainReport:
    """Check every entry against its predecessor and its own hash, then every checkpoint.

    Findings are in seq order, so the first names the first broken entry.
    """
    counted, last_seq = 0, 0
    head: str | None = None
    hashes: dict[int, str] = {}
    with archive.db.read() as session:
        # Checkpoints first: on PostgreSQL each statement sees its own snapshot, and every
        # checkpoint read now covers entries that the later statement sees too.
        checkpoints = [audit.checkpoint_record(cp) for cp in session.scalars(
            select(AuditCheckpoint).order_by(AuditCheckpoint.id))]
        covered = {cp["size"] for cp in checkpoints}

        def entries() -> Iterator[AuditEntry]:
            nonlocal counted, head, last_seq
            query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
            for entry in session.scalars(query):
                counted += 1
                head, last_seq = entry.entry_hash, entry.seq
                if entry.seq in covered:
                    hashes[entry.seq] = entry.entry_hash
                yield entry

        findings = audit.verify(entries())
    public_pem, key_problem = _server_public_key(archive)
    if checkpoints:
        findings += audit.verify_checkpoints(checkpoints, hashes=hashes, entries=counted,
                                             last_seq=last_seq, public_pem=public_pem,
                                             key_problem=key_problem)
        findings.sort(key=lambda f: f.seq)
    key_id = signing.key_id(public_pem) if public_pem else None
    return ChainReport(counted, head, findings, checkpoints=len(checkpoints), key_id=key_id)


def _signing_key(archive: Archive) -> signing.SigningKey:
    """Return the server's signing key, creating it only while no checkpoint exists.

    Once checkpoints are signed, a missing key file means a machine that does not share the
    deployment's key (docs/DEPLOYMENT.md) or a restore without it: a new key would sign on and
    leave every earlier checkpoint unverifiable, so nothing is signed until the key is back.
    """
    path = archive.config.audit_key_file
    if not path.exists():
        with archive.db.read() as session:
            signed_with = session.scalar(select(AuditCheckpoint.key_id)
                                         .order_by(AuditCheckpoint.id.desc()).limit(1))
        if signed_with is not None:
            raise KeyMissing(
                "Kunci tanda tangan audit %(path)s tidak ada, padahal titik periksa sudah "
                "ditandatangani dengan kunci %(key)s. Pulihkan kunci itu (dari cadangan, atau "
                "arahkan EARSIP_AUDIT_KEY ke kunci bersama); kunci baru tidak dibuat.",
                params={"path": str(path), "key": signed_with})
    return signing.load_or_create_key(path)


def make_checkpoint(archive: Archive, actor: audit.Actor, *, trigger: str) -> Checkpoint:
    """Sign the chain's current size and head, store the checkpoint and audit it; return it.

    The checkpoint covers the entries before its own `audit.checkpoint` entry, which is written
    in the same transaction: a checkpoint is stored with its signature and its entry, or not at
    all. The signing key is created on first use.
    """
    if trigger not in TRIGGERS:
        raise ValidationError("Pemicu titik periksa tidak dikenal: %(trigger)s",
                              params={"trigger": trigger})
    key = _signing_key(archive)
    key_id = signing.key_id(signing.public_key_pem(key))
    with archive.db.write() as session:
        size, head = audit.head(session)
        created_at = utcnow()
        signature = signing.sign(key, audit.checkpoint_payload(
            size=size, head_hash=head, created_at=created_at, key_id=key_id))
        faults.point("checkpoint.signed")
        checkpoint = AuditCheckpoint(created_at=created_at, size=size, head_hash=head,
                                     key_id=key_id, signature=signature, trigger=trigger)
        session.add(checkpoint)
        session.flush()
        audit.append(session, actor, "audit.checkpoint", target_type="audit_checkpoint",
                     target_id=checkpoint.id,
                     details={"size": size, "head_hash": head, "key_id": key_id})
        faults.point("checkpoint.recorded")
        made = Checkpoint.model_validate(audit.checkpoint_record(checkpoint))
    faults.point("checkpoint.committed")
    return made


def list_checkpoints(archive: Archive) -> list[Checkpoint]:
    """Return every checkpoint, oldest first (what an auditor keeps: its record is
    `model_dump(mode="json")`, the line of an export's checkpoints.jsonl)."""
    with archive.db.read() as session:
        return [Checkpoint.model_validate(audit.checkpoint_record(cp)) for cp in session.scalars(
            select(AuditCheckpoint).order_by(AuditCheckpoint.id))]


def checkpoint_line(checkpoint: Checkpoint) -> bytes:
    """Return a checkpoint as one line of checkpoints.jsonl, as an export writes it (the page's
    download and `earsip audit checkpoint` give the same bytes)."""
    return audit.canonical_json(checkpoint.model_dump(mode="json")) + b"\n"


def shown(checkpoint: Checkpoint, *, cleared_for_all: bool) -> Checkpoint:
    """Return `checkpoint` as a reader sees it: its size and head hash count entries about
    records of every class, so they are withheld (None) from a reader not cleared for all."""
    if cleared_for_all:
        return checkpoint
    return checkpoint.model_copy(update={"size": None, "head_hash": None})


def public_key(archive: Archive) -> str:
    """Return the PEM of the public key that checks checkpoints (creating the key pair)."""
    return signing.public_key_pem(_signing_key(archive))


@dataclass(frozen=True)
class ExportResult:
    """What an export holds: entries 1..`entries` ending with its own `audit.export` entry."""

    path: Path | None
    entries: int
    head: str
    checkpoints: int
    key_id: str


@dataclass(frozen=True)
class _Cut:
    """Where an export ends: its own entry, and the last checkpoint that existed then."""

    seq: int
    head: str
    last_checkpoint: int
    public_pem: str


def _begin_export(archive: Archive, actor: audit.Actor, details: JsonObject) -> _Cut:
    """Audit the export and commit, so that its own entry is the last one exported."""
    public_pem = public_key(archive)
    with archive.db.write() as session:
        size, head = audit.head(session)
        last_checkpoint = session.scalar(select(func.max(AuditCheckpoint.id))) or 0
        # The details name the trail as it stood when the export began; the export holds
        # those entries and this one.
        entry = audit.append(session, actor, "audit.export", target_type="audit_trail",
                             details={"entries": size, "head": head, **details})
        return _Cut(entry.seq, entry.entry_hash, last_checkpoint, public_pem)


Opener = Callable[[str], AbstractContextManager[BinaryIO]]


def _write_lines(out: BinaryIO, records: Iterator[JsonObject]) -> int:
    count, batch = 0, []
    for item in records:
        batch.append(audit.canonical_json(item) + b"\n")
        count += 1
        if len(batch) >= _BATCH:
            out.write(b"".join(batch))
            batch.clear()
    out.write(b"".join(batch))
    return count


def _write_members(archive: Archive, cut: _Cut, open_member: Opener) -> int:
    """Write the export's files through `open_member`; return the number of checkpoints."""
    with archive.db.read() as session:
        with open_member("audit.jsonl") as out:
            query = (select(AuditEntry).where(AuditEntry.seq <= cut.seq)
                     .order_by(AuditEntry.seq).execution_options(yield_per=2000))
            _write_lines(out, (audit.record(e) for e in session.scalars(query)))
        with open_member("checkpoints.jsonl") as out:
            # Only those that existed when the export was audited: a later one covers
            # entries the export does not hold.
            kept = (select(AuditCheckpoint).where(AuditCheckpoint.id <= cut.last_checkpoint)
                    .order_by(AuditCheckpoint.id))
            checkpoints = _write_lines(
                out, (audit.checkpoint_record(c) for c in session.scalars(kept)))
    with open_member("public_key.pem") as out:
        out.write(cut.public_pem.encode())
    with open_member("README.txt") as out:
        out.write(README.encode())
    return checkpoints


def export(archive: Archive, actor: audit.Actor, target: Path) -> ExportResult:
    """Write the trail, its checkpoints, the public key and a README into the folder `target`.

    `target` must not exist or be empty. The export is audited first and holds its own entry
    last. The files are written into a hidden folder beside `target`, renamed into place at the
    end, so an interrupted export leaves nothing that looks complete.
    """
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ValidationError("%(path)s sudah ada dan bukan folder kosong; pilih folder baru "
                              "atau kosong untuk ekspor.", params={"path": str(target)})
    staging = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    except OSError as e:
        raise StorageError("Ekspor tidak dapat ditulis ke %(path)s: %(reason)s",
                           params={"path": str(target), "reason": e.strerror or e}) from e
    try:
        cut = _begin_export(archive, actor, {"format": "folder",
                                             "target": str(target.resolve())})

        def member(name: str) -> BinaryIO:
            return open(staging / name, "xb")  # noqa: SIM115 - closed by the caller's `with`

        checkpoints = _write_members(archive, cut, member)
        sync_tree(staging)  # the rename never publishes empty or partial files
        os.replace(staging, target)  # replaces an empty folder; refuses a filled one
        fsync_dir(target.parent)
    except OSError as e:
        shutil.rmtree(staging, ignore_errors=True)
        raise StorageError("Ekspor tidak dapat ditulis ke %(path)s: %(reason)s",
                           params={"path": str(target), "reason": e.strerror or e}) from e
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return ExportResult(target, cut.seq, cut.head, checkpoints, signing.key_id(cut.public_pem))


def export_zip(archive: Archive, actor: audit.Actor, fileobj: BinaryIO) -> ExportResult:
    """Write the same files as `export` into a zip on `fileobj` (which need not be seekable)."""
    cut = _begin_export(archive, actor, {"format": "zip"})
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as zf:

        @contextlib.contextmanager
        def member(name: str) -> Iterator[BinaryIO]:
            # force_zip64: the trail's size is not known before it is streamed.
            with zf.open(name, "w", force_zip64=True) as out:
                yield out  # type: ignore[misc]  # zipfile's member writer is an IO[bytes]

        checkpoints = _write_members(archive, cut, member)
    return ExportResult(None, cut.seq, cut.head, checkpoints, signing.key_id(cut.public_pem))


README = """\
EKSPOR JEJAK AUDIT E-ARSIP / E-ARSIP AUDIT TRAIL EXPORT
=======================================================

Isi / Contents
  audit.jsonl        satu entri jejak audit per baris, urut nomor (one entry per line, in order)
  checkpoints.jsonl  titik periksa bertanda tangan Ed25519 (Ed25519-signed checkpoints)
  public_key.pem     kunci publik server yang menandatangani (the server's public key)
  README.txt         berkas ini (this file)

Entri terakhir adalah catatan pembuatan ekspor ini (action "audit.export").
The last entry records the making of this export (action "audit.export").

Cara memeriksa (how to verify), di komputer lain (on another machine):

  1. Ambil satu berkas tools/verify_audit_export.py dari kode sumber E-Arsip.
     (Take the single file tools/verify_audit_export.py from the E-Arsip sources.)
  2. python3 -m venv venv && venv/bin/pip install cryptography
  3. venv/bin/python verify_audit_export.py FOLDER_ATAU_ZIP \\
         --public-key KUNCI_PUBLIK_YANG_ANDA_SIMPAN.pem \\
         --checkpoints TITIK_PERIKSA_YANG_ANDA_TERIMA_SEBELUMNYA.jsonl

  Kode keluar (exit code): 0 utuh (intact), 1 rusak (broken), 2 masukan tidak dapat dipakai
  (unusable input).

Gunakan kunci publik dan titik periksa yang Anda simpan sendiri sebelumnya: kunci dan titik
periksa di dalam ekspor ini hanya membuktikan bahwa ekspor konsisten dengan dirinya sendiri.
Use the public key and checkpoints you kept yourself earlier: those inside this export only
prove that the export is consistent with itself.

Lihat docs/AUDITING.md (see docs/AUDITING.md).
"""
