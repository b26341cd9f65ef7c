"""Signed checkpoints, exports for auditors, and the standalone verifier that checks them.

Each way of tampering with the trail (as the database's owner can, triggers lifted) must be
caught both by `earsip audit verify` on the server and by tools/verify_audit_export.py on an
export made afterwards, and both must name the first broken entry.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from earsip import audit, signing
from earsip.errors import KeyMissing, StorageError
from earsip.models import AuditCheckpoint, AuditEntry, utcnow
from earsip.schemas.audit import Checkpoint
from earsip.services import Archive
from earsip.services.audit.review import (
    EXPORT_FILES,
    export,
    export_zip,
    list_checkpoints,
    make_checkpoint,
    public_key,
    verify_chain,
)
from tests.helpers import entries as _entries
from tests.helpers import lift_append_only as _lift_append_only

TOOL = Path(__file__).resolve().parents[1] / "tools" / "verify_audit_export.py"


def _seqs(archive: Archive) -> list[int]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry.seq).order_by(AuditEntry.seq)))


def _verifier(export_path: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the standalone verifier the way an auditor does, in a process of its own."""
    return subprocess.run([sys.executable, str(TOOL), str(export_path), *map(str, args)],
                          capture_output=True, text=True, timeout=120, check=False)


def _jsonl(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
                   + "\n" for r in records)


def _records(checkpoints: list[Checkpoint]) -> list[dict[str, object]]:
    """Return the checkpoints as an auditor keeps them (one JSON object each)."""
    return [c.model_dump(mode="json") for c in checkpoints]


@pytest.fixture
def trail(archive: Archive) -> Archive:
    """Return the archive with a few more entries and a checkpoint covering all of them."""
    with archive.db.write() as session:
        for i in range(6):
            audit.append(session, audit.SYSTEM, "test.action", target_type="document",
                         target_id=i, details={"n": i, "teks": "berita acara pemusnahan"})
    make_checkpoint(archive, audit.SYSTEM, trigger="scheduled")
    return archive


@pytest.fixture
def kept(trail: Archive, tmp_path: Path) -> dict[str, Path]:
    """Return what the auditor received before anything happened: the key and checkpoints."""
    key = tmp_path / "kunci_saya.pem"
    key.write_text(public_key(trail))
    received = tmp_path / "titik_periksa_saya.jsonl"
    received.write_text(_jsonl(_records(list_checkpoints(trail))))
    return {"key": key, "checkpoints": received}


# --------------------------------------------------------------------------- the signing key


def test_the_signing_key_is_created_once_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "instance" / "audit_ed25519.pem"
    key = signing.load_or_create_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    again = signing.load_or_create_key(path)
    assert signing.key_id(signing.public_key_pem(again)) == \
        signing.key_id(signing.public_key_pem(key))


def test_concurrent_first_starts_end_up_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "audit_ed25519.pem"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(pool.map(lambda _: signing.load_or_create_key(path), range(16)))
    assert len({signing.public_key_pem(k) for k in keys}) == 1
    assert signing.public_key_pem(signing.load_key(path)) == signing.public_key_pem(keys[0])
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


def test_a_key_file_that_is_not_an_ed25519_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit_ed25519.pem"
    path.write_text("bukan kunci\n")
    with pytest.raises(StorageError, match="bukan kunci Ed25519"):
        signing.load_or_create_key(path)


def test_a_signature_holds_for_its_data_and_key_only(tmp_path: Path) -> None:
    key = signing.load_or_create_key(tmp_path / "k.pem")
    pem = signing.public_key_pem(key)
    signature = signing.sign(key, b"ukuran 10")
    assert len(signature) == 128 and signing.verify(pem, b"ukuran 10", signature)
    assert not signing.verify(pem, b"ukuran 11", signature)
    assert not signing.verify(pem, b"ukuran 10", "zz" + signature[2:])
    assert not signing.verify("bukan PEM", b"ukuran 10", signature)
    other = signing.public_key_pem(Ed25519PrivateKey.generate())
    assert not signing.verify(other, b"ukuran 10", signature)


# --------------------------------------------------------------------------- checkpoints


def test_a_checkpoint_signs_the_head_before_its_own_audited_entry(archive: Archive) -> None:
    before = _seqs(archive)[-1]
    checkpoint = make_checkpoint(archive, audit.SYSTEM, trigger="on_demand")
    entries = _entries(archive)
    assert checkpoint.size == before
    assert checkpoint.head_hash == entries[before - 1].entry_hash
    own = entries[-1]
    assert (own.seq, own.action, own.target_id) == (before + 1, "audit.checkpoint",
                                                    str(checkpoint.id))
    assert own.details == {"size": before, "head_hash": checkpoint.head_hash,
                           "key_id": checkpoint.key_id}
    pem = public_key(archive)
    assert checkpoint.key_id == signing.key_id(pem)
    assert signing.verify(pem, audit.checkpoint_payload(
        size=before, head_hash=str(checkpoint.head_hash),
        created_at=str(checkpoint.created_at), key_id=str(checkpoint.key_id)),
        str(checkpoint.signature))


def test_earsip_audit_checkpoint_prints_size_head_key_and_the_line_auditors_keep(
        archive: Archive, runner, tmp_path: Path) -> None:
    result = runner("audit", "checkpoint")
    assert result.exit_code == 0, result.output
    (checkpoint,) = list_checkpoints(archive)
    assert checkpoint.trigger == "on_demand"
    for value in (checkpoint.size, checkpoint.head_hash, checkpoint.key_id):
        assert str(value) in result.output
    line = result.output.splitlines()[-1]
    assert json.loads(line) == checkpoint.model_dump(mode="json")
    received = tmp_path / "diterima.jsonl"
    received.write_text(line + "\n")
    key = tmp_path / "kunci.pem"
    key.write_text(public_key(archive))
    folder = export(archive, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    checked = _verifier(folder, "--public-key", key, "--checkpoints", received)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize("statement", [
    update(AuditCheckpoint).values(size=1),
    update(AuditCheckpoint).values(head_hash="0" * 64),
    delete(AuditCheckpoint),
])
def test_the_database_refuses_to_change_or_remove_a_checkpoint(trail: Archive,
                                                               statement) -> None:
    before = list_checkpoints(trail)
    with pytest.raises(DBAPIError, match="append-only"), trail.db.write() as session:
        session.execute(statement)
    assert list_checkpoints(trail) == before


# --------------------------------------------------------------------------- intact trails


def test_an_intact_trail_passes_on_the_server_and_in_its_export(
        trail: Archive, kept: dict[str, Path], runner, tmp_path: Path) -> None:
    result = runner("audit", "verify")
    assert result.exit_code == 0, result.output
    assert f"utuh: {len(_seqs(trail))} entri" in result.output
    assert "1 titik periksa cocok" in result.output
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    checked = _verifier(folder, "--public-key", kept["key"], "--checkpoints",
                        kept["checkpoints"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "UTUH (INTACT)" in checked.stdout and "PERINGATAN" not in checked.stdout


def test_the_export_holds_the_trail_byte_for_byte_and_ends_with_its_own_entry(
        trail: Archive, tmp_path: Path) -> None:
    result = export(trail, audit.SYSTEM, tmp_path / "ekspor")
    folder = tmp_path / "ekspor"
    assert result.path == folder and sorted(p.name for p in folder.iterdir()) == \
        sorted(EXPORT_FILES)
    entries = _entries(trail)
    lines = (folder / "audit.jsonl").read_bytes().splitlines(keepends=True)
    assert lines == [audit.canonical_json(audit.record(e)) + b"\n" for e in entries]
    last = json.loads(lines[-1])
    assert (last["seq"], last["action"]) == (result.entries, "audit.export")
    assert last["entry_hash"] == result.head
    assert last["details"]["entries"] == result.entries - 1
    for line, entry in zip(lines, entries, strict=True):
        body = {k: v for k, v in json.loads(line).items() if k != "entry_hash"}
        assert audit.canonical_json(body) == audit.canonical(entry)
    assert (folder / "checkpoints.jsonl").read_text() == _jsonl(_records(list_checkpoints(trail)))
    assert (folder / "public_key.pem").read_text() == public_key(trail)
    assert "verify_audit_export.py" in (folder / "README.txt").read_text()


def test_a_zip_export_for_the_browser_verifies_like_a_folder(
        trail: Archive, kept: dict[str, Path], tmp_path: Path) -> None:
    buffer = io.BytesIO()
    result = export_zip(trail, audit.SYSTEM, buffer)
    assert result.path is None and result.checkpoints == 1
    archive_file = tmp_path / "jejak-audit.zip"
    archive_file.write_bytes(buffer.getvalue())
    checked = _verifier(archive_file, "--public-key", kept["key"], "--checkpoints",
                        kept["checkpoints"])
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert f"Entri (entries): {result.entries}" in checked.stdout


def test_earsip_audit_export_refuses_a_folder_that_is_not_empty(
        trail: Archive, runner, tmp_path: Path) -> None:
    target = tmp_path / "isi"
    target.mkdir()
    (target / "catatan.txt").write_text("milik orang lain")
    before = _seqs(trail)
    result = runner("audit", "export", str(target))
    assert result.exit_code == 1
    assert "bukan folder kosong" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["catatan.txt"]
    assert _seqs(trail) == before  # nothing exported, nothing audited
    empty = tmp_path / "kosong"
    empty.mkdir()
    result = runner("audit", "export", str(empty))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in empty.iterdir()) == sorted(EXPORT_FILES)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- tampering


def _edit(session: Session, seqs: list[int]) -> int:
    victim = seqs[-4]
    session.execute(update(AuditEntry).where(AuditEntry.seq == victim)
                    .values(details={"n": 99, "teks": "diubah"}))
    return victim


def _delete(session: Session, seqs: list[int]) -> int:
    victim = seqs[-4]
    session.execute(delete(AuditEntry).where(AuditEntry.seq == victim))
    return victim + 1  # the entry after the gap is the first that shows it


def _swap(session: Session, seqs: list[int]) -> int:
    first = seqs[-5]
    session.execute(update(AuditEntry).where(AuditEntry.seq == first).values(seq=-1))
    session.execute(update(AuditEntry).where(AuditEntry.seq == first + 1).values(seq=first))
    session.execute(update(AuditEntry).where(AuditEntry.seq == -1).values(seq=first + 1))
    return first


def _insert(session: Session, seqs: list[int]) -> int:
    after = seqs[-5]
    # Make room, then insert a well-formed entry that links to its predecessor: only the
    # entry it displaces shows the forgery.
    session.execute(update(AuditEntry).where(AuditEntry.seq > after)
                    .values(seq=-AuditEntry.seq))
    session.execute(update(AuditEntry).where(AuditEntry.seq < 0)
                    .values(seq=-AuditEntry.seq + 1))
    prev = session.scalar(select(AuditEntry.entry_hash).where(AuditEntry.seq == after))
    forged = AuditEntry(seq=after + 1, occurred_at=utcnow(), actor_id=1, actor_name="admin",
                        action="document.view", target_type="document", target_id="1",
                        outcome="success", client_addr="10.0.0.9", details={}, prev_hash=prev)
    forged.entry_hash = hashlib.sha256(audit.canonical(forged)).hexdigest()
    session.add(forged)
    return after + 2


@pytest.mark.parametrize("tamper", [_edit, _delete, _swap, _insert],
                         ids=["edit", "delete", "reorder", "insert"])
def test_tampering_is_named_by_the_server_and_by_the_standalone_verifier(
        trail: Archive, kept: dict[str, Path], runner, tmp_path: Path,
        tamper: Callable[[Session, list[int]], int]) -> None:
    seqs = _seqs(trail)
    with trail.db.write() as session:
        _lift_append_only(session)  # what someone with the database's owner rights can do
        first = tamper(session, seqs)
    result = runner("audit", "verify")
    assert result.exit_code == 1
    assert f"RUSAK mulai entri #{first}:" in result.output
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    checked = _verifier(folder, "--public-key", kept["key"], "--checkpoints",
                        kept["checkpoints"])
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert f"RUSAK mulai entri #{first} (BROKEN from entry #{first})" in checked.stdout


def test_a_truncated_tail_is_caught_against_the_checkpoint_that_covered_it(
        trail: Archive, kept: dict[str, Path], runner, tmp_path: Path) -> None:
    (checkpoint,) = list_checkpoints(trail)
    size = int(checkpoint.size or 0)
    with trail.db.write() as session:
        _lift_append_only(session)
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= size - 1))
    assert audit.verify(_entries(trail)) == []  # what is left is a perfect chain
    result = runner("audit", "verify")
    assert result.exit_code == 1
    assert (f"RUSAK mulai entri #{size - 1}: jejak hanya berisi {size - 2} entri, padahal "
            f"titik periksa #{checkpoint.id} (") in result.output
    assert (f"(the trail has {size - 2} entries but checkpoint #{checkpoint.id} of "
            ) in result.output
    assert f"covers {size}" in result.output
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    # The export's own entry took seq size - 1: the export holds one entry short of the cover.
    for args in ((), ("--public-key", kept["key"], "--checkpoints", kept["checkpoints"])):
        checked = _verifier(folder, *args)
        assert checked.returncode == 1, checked.stdout + checked.stderr
        assert f"RUSAK mulai entri #{size} (BROKEN from entry #{size})" in checked.stdout
        assert f"the export holds {size - 1} entries but checkpoint" in checked.stdout


def test_a_checkpoint_signed_by_another_key_is_refused(
        trail: Archive, kept: dict[str, Path], runner, tmp_path: Path) -> None:
    intruder = Ed25519PrivateKey.generate()
    intruder_id = signing.key_id(signing.public_key_pem(intruder))
    server_id = signing.key_id(public_key(trail))
    seq = _seqs(trail)[-1]
    head = _entries(trail)[-1].entry_hash
    created = utcnow()
    with trail.db.write() as session:
        for key_id in (intruder_id, server_id):  # another key, under its own or our key id
            payload = audit.checkpoint_payload(size=seq, head_hash=head, created_at=created,
                                               key_id=key_id)
            session.add(AuditCheckpoint(created_at=created, size=seq, head_hash=head,
                                        key_id=key_id, signature=signing.sign(intruder, payload),
                                        trigger="on_demand"))
    result = runner("audit", "verify")
    assert result.exit_code == 1
    assert f"RUSAK mulai entri #{seq}: titik periksa #2 (" in result.output
    assert "ditandatangani kunci lain" in result.output
    assert f"was signed by another key ({intruder_id}" in result.output
    assert "checkpoint #3 of" in result.output and "the signature is not valid" in result.output
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    checked = _verifier(folder, "--public-key", kept["key"])
    assert checked.returncode == 1
    assert f"RUSAK mulai entri #{seq} (BROKEN from entry #{seq})" in checked.stdout
    assert "ditandatangani kunci lain" in checked.stdout
    assert "tanda tangan tidak sah" in checked.stdout


def test_checkpoints_cannot_be_checked_without_the_server_key(trail: Archive,
                                                              runner) -> None:
    trail.config.audit_key_file.unlink()
    result = runner("audit", "verify")
    assert result.exit_code == 1
    assert "the signature cannot be checked" in result.output


def test_a_lost_key_is_not_replaced_by_a_new_one_once_checkpoints_were_signed(
        trail: Archive, runner) -> None:
    key_file = trail.config.audit_key_file
    kept_key = key_file.read_bytes()
    key_file.unlink()  # a machine without the deployment's key, or a restore that forgot it
    with pytest.raises(KeyMissing, match="kunci baru tidak dibuat") as missing:
        make_checkpoint(trail, audit.SYSTEM, trigger="scheduled")
    assert missing.value.http_status == 503  # unavailable until the key is back, not disk full
    with pytest.raises(KeyMissing):
        public_key(trail)
    assert not key_file.exists()
    assert runner("audit", "checkpoint").exit_code == 1
    key_file.write_bytes(kept_key)
    make_checkpoint(trail, audit.SYSTEM, trigger="on_demand")
    assert runner("audit", "verify").exit_code == 0


# --------------------------------------------------------------------------- edited exports


def test_editing_the_exported_trail_is_caught(trail: Archive, kept: dict[str, Path],
                                              tmp_path: Path) -> None:
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    lines = (folder / "audit.jsonl").read_text().splitlines(keepends=True)
    victim = json.loads(lines[3])
    victim["actor_name"] = "orang lain"
    lines[3] = _jsonl([victim])
    (folder / "audit.jsonl").write_text("".join(lines))
    checked = _verifier(folder, "--public-key", kept["key"])
    assert checked.returncode == 1
    assert "RUSAK mulai entri #4 (BROKEN from entry #4): isi entri diubah" in checked.stdout
    # The same content, merely not in canonical form, is named too (byte-for-byte export).
    lines[3] = lines[3].replace('"actor_name":"orang lain"', '"actor_name": "orang lain"')
    (folder / "audit.jsonl").write_text("".join(lines))
    assert "tidak dalam bentuk kanonik" in _verifier(folder).stdout


def _canonical(value: object) -> bytes:
    # Written out here on purpose: the format auditors rely on must not drift unnoticed.
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def test_a_rewritten_and_re_signed_export_is_caught_by_earlier_checkpoints(
        trail: Archive, kept: dict[str, Path], tmp_path: Path) -> None:
    original = export(trail, audit.SYSTEM, tmp_path / "asli").path
    assert original is not None
    forged = tmp_path / "palsu"
    shutil.copytree(original, forged)
    records = [json.loads(line) for line in (forged / "audit.jsonl").read_text().splitlines()]
    records[2]["actor_name"] = "orang lain"
    prev, hashes = "0" * 64, {}
    for record in records:  # recompute the whole chain from the altered entry on
        record["prev_hash"] = prev
        body = {k: v for k, v in record.items() if k != "entry_hash"}
        record["entry_hash"] = prev = hashlib.sha256(_canonical(body)).hexdigest()
        hashes[record["seq"]] = prev
    (forged / "audit.jsonl").write_text(_jsonl(records))
    new_key = Ed25519PrivateKey.generate()
    raw = new_key.public_key().public_bytes(serialization.Encoding.Raw,
                                            serialization.PublicFormat.Raw)
    new_id = hashlib.sha256(raw).hexdigest()[:16]
    checkpoints = [json.loads(line)
                   for line in (forged / "checkpoints.jsonl").read_text().splitlines()]
    for cp in checkpoints:
        cp["head_hash"], cp["key_id"] = hashes[cp["size"]], new_id
        cp["signature"] = new_key.sign(_canonical({
            "format": "earsip-audit-checkpoint/1", "size": cp["size"],
            "head_hash": cp["head_hash"], "created_at": cp["created_at"],
            "key_id": new_id})).hex()
    (forged / "checkpoints.jsonl").write_text(_jsonl(checkpoints))
    (forged / "public_key.pem").write_text(signing.public_key_pem(new_key))

    alone = _verifier(forged)
    assert alone.returncode == 0  # consistent with itself, as the warning says
    assert "hanya membuktikan konsistensi internal" in alone.stdout
    against_checkpoints = _verifier(forged, "--checkpoints", kept["checkpoints"])
    assert against_checkpoints.returncode == 1
    assert "titik periksa Anda #1 tidak ada atau berbeda di ekspor" in against_checkpoints.stdout
    size = json.loads(kept["checkpoints"].read_text())["size"]
    assert f"tidak cocok dengan entri #{size}" in against_checkpoints.stdout
    against_key = _verifier(forged, "--public-key", kept["key"])
    assert against_key.returncode == 1
    assert "ditandatangani kunci lain" in against_key.stdout


# --------------------------------------------------------------------------- the verifier itself


def test_the_verifier_calls_unusable_input_unusable(trail: Archive, tmp_path: Path) -> None:
    assert _verifier(tmp_path / "tidak-ada").returncode == 2
    (tmp_path / "kosong").mkdir()
    assert _verifier(tmp_path / "kosong").returncode == 2
    (tmp_path / "bukan.zip").write_bytes(b"PK bukan zip")
    assert _verifier(tmp_path / "bukan.zip").returncode == 2
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    assert folder is not None
    (tmp_path / "kunci.pem").write_text("bukan kunci")
    checked = _verifier(folder, "--public-key", tmp_path / "kunci.pem")
    assert checked.returncode == 2 and "TIDAK DAPAT DIPERIKSA" in checked.stderr
    (tmp_path / "cp.jsonl").write_text("{}\n")
    assert _verifier(folder, "--checkpoints", tmp_path / "cp.jsonl").returncode == 2


def test_the_verifier_imports_only_the_standard_library_and_cryptography() -> None:
    tree = ast.parse(TOOL.read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported - set(sys.stdlib_module_names) == {"cryptography"}


def test_the_verifier_runs_from_a_copy_outside_the_project(trail: Archive, kept: dict[str, Path],
                                                           tmp_path: Path) -> None:
    copy = tmp_path / "auditor" / "verify_audit_export.py"
    copy.parent.mkdir()
    shutil.copy(TOOL, copy)
    folder = export(trail, audit.SYSTEM, tmp_path / "ekspor").path
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    checked = subprocess.run([sys.executable, "-I", str(copy), str(folder), "--public-key",
                              str(kept["key"])], capture_output=True, text=True,
                             cwd=copy.parent, env=env, timeout=120, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_verify_chain_reports_its_counts(trail: Archive) -> None:
    report = verify_chain(trail)
    assert report.intact and report.entries == len(_seqs(trail)) and report.checkpoints == 1
    assert report.key_id == signing.key_id(public_key(trail))
    with trail.db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1
