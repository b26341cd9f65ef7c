#!/usr/bin/env python3
"""Verify an E-Arsip audit-trail export on any machine (standard library + cryptography only).

    python3 verify_audit_export.py EXPORT [--public-key FILE] [--checkpoints FILE]

EXPORT is the folder written by `earsip audit export`, or the zip downloaded from the browser.
It checks that every line of audit.jsonl is an entry in canonical form, that the entries are
numbered 1..n without a gap, that each links to the hash of the one before and that each hash
recomputes; then that every checkpoint is signed by the public key and matches the entry it
covers, and that none covers more entries than the export holds (a cut-off tail).

--public-key   the copy of the server's public key you kept yourself; without it the export's
               own key is used, which only proves that the export is consistent with itself.
--checkpoints  checkpoints you received earlier (JSON lines, as exported): each must be in the
               export unchanged and match its entries. This catches a trail that was rewritten
               and signed again by whoever holds the server's key.

Exit status: 0 intact, 1 broken (the first broken entry is named), 2 unusable input.
This file must stay self-contained: auditors copy it alone, so it imports nothing of E-Arsip.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - depends on the auditor's machine
    sys.stderr.write("TIDAK DAPAT DIPERIKSA (CANNOT VERIFY): paket `cryptography` belum "
                     "terpasang; jalankan `pip install cryptography` (package not installed).\n")
    sys.exit(2)

INTACT, BROKEN, UNUSABLE = 0, 1, 2
GENESIS = "0" * 64
CHECKPOINT_FORMAT = "earsip-audit-checkpoint/1"
CHECKPOINT_FIELDS = ("id", "created_at", "size", "head_hash", "key_id", "signature")
SHOWN = 50


class Unusable(Exception):
    """The input cannot be checked at all (exit status 2)."""


@dataclass(order=True)
class Finding:
    """One problem, at the entry number where it shows."""

    seq: int
    message: str = field(compare=False)


def canonical(value: object) -> bytes:
    """Return the canonical JSON bytes E-Arsip hashes and signs (sorted keys, no spaces)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def is_int(value: object) -> bool:
    """Return True for a JSON integer (not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool)


# --------------------------------------------------------------------------- reading the export


class Export:
    """The files of an export, in a folder or a zip (at its top level or in one folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._prefix = ""
        if path.is_dir():
            return
        if not path.is_file():
            raise Unusable(f"{path} tidak ada (does not exist)")
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise Unusable(f"{path} bukan folder atau zip ekspor (not an export folder or zip): "
                           f"{e}") from e
        names = [PurePosixPath(n) for n in self._zip.namelist()]
        found = [n for n in names if n.name == "audit.jsonl" and len(n.parts) <= 2]
        if len(found) == 1 and len(found[0].parts) == 2:
            self._prefix = found[0].parts[0] + "/"

    def has(self, name: str) -> bool:
        """Return True when the export holds the file `name`."""
        if self._zip is None:
            return (self.path / name).is_file()
        try:
            self._zip.getinfo(self._prefix + name)
        except KeyError:
            return False
        return True

    def open(self, name: str) -> io.BufferedIOBase:
        """Open the file `name` of the export for reading bytes."""
        if not self.has(name):
            raise Unusable(f"{name} tidak ada di ekspor (missing from the export)")
        if self._zip is None:
            return open(self.path / name, "rb")  # noqa: SIM115 - the caller closes it
        return self._zip.open(self._prefix + name)

    def read(self, name: str) -> bytes:
        """Return the bytes of the file `name` of the export."""
        with self.open(name) as f:
            return f.read()


def lines(stream: io.BufferedIOBase) -> Iterator[tuple[int, bytes]]:
    """Yield (line number, line without its line break) of a JSON-lines file."""
    for number, raw in enumerate(stream, start=1):
        line = raw[:-1] if raw.endswith(b"\n") else raw
        yield number, line[:-1] if line.endswith(b"\r") else line


def load_public_key(data: bytes, where: str) -> tuple[Ed25519PublicKey, str]:
    """Return the Ed25519 public key in the PEM `data` and its key id."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as e:
        raise Unusable(f"{where}: bukan kunci publik PEM (not a PEM public key): {e}") from e
    if not isinstance(key, Ed25519PublicKey):
        raise Unusable(f"{where}: bukan kunci Ed25519 (not an Ed25519 key)")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return key, hashlib.sha256(raw).hexdigest()[:16]


def parse_checkpoint(line: bytes) -> dict[str, Any] | None:
    """Return the checkpoint record on `line`, or None when it is not one."""
    try:
        record = json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or any(k not in record for k in CHECKPOINT_FIELDS):
        return None
    if not is_int(record["size"]) or record["size"] < 0:
        return None
    if not all(isinstance(record[k], str) for k in CHECKPOINT_FIELDS[3:] + ("created_at",)):
        return None
    return record


def read_checkpoints(stream: io.BufferedIOBase, *, strict: bool,
                     findings: list[Finding]) -> list[dict[str, Any]]:
    """Read checkpoint lines; a bad line is a finding, or unusable input when `strict`."""
    found = []
    for number, line in lines(stream):
        if not line.strip():
            continue
        record = parse_checkpoint(line)
        if record is None:
            if strict:
                raise Unusable(f"baris {number} bukan titik periksa (line {number} is not a "
                               "checkpoint)")
            findings.append(Finding(0, f"checkpoints.jsonl baris {number} bukan titik periksa "
                                       f"(line {number} is not a checkpoint)"))
            continue
        found.append(record)
    return found


# --------------------------------------------------------------------------- checking


@dataclass
class Chain:
    """What the entries turned out to be."""

    count: int = 0
    last_seq: int = 0
    head: str | None = None
    last: dict[str, Any] | None = None
    hashes: dict[int, str] = field(default_factory=dict)


def check_entries(stream: io.BufferedIOBase, wanted: set[int],
                  findings: list[Finding]) -> Chain:
    """Check every line of audit.jsonl in turn; remember the hashes at the `wanted` seqs."""
    chain = Chain()
    prev: str | None = GENESIS
    expected = 1
    for number, line in lines(stream):
        try:
            record = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            record = None
        if (not isinstance(record, dict) or not is_int(record.get("seq"))
                or not isinstance(record.get("prev_hash"), str)
                or not isinstance(record.get("entry_hash"), str)):
            findings.append(Finding(expected, f"baris {number} bukan entri audit yang terbaca "
                                              f"(line {number} is not a readable entry)"))
            chain.count += 1
            prev, expected = None, expected + 1
            continue
        seq = record["seq"]
        if canonical(record) != line:
            findings.append(Finding(seq, f"baris {number} tidak dalam bentuk kanonik, isinya "
                                         f"diubah (line {number} is not in canonical form)"))
        if seq != expected:
            findings.append(Finding(seq, f"nomor urut seharusnya #{expected}, ada entri yang "
                                         f"hilang atau berpindah (expected seq {expected})"))
        if prev is not None and record["prev_hash"] != prev:
            findings.append(Finding(seq, "prev_hash tidak cocok dengan entri sebelumnya "
                                         "(prev_hash does not match the previous entry)"))
        body = {k: v for k, v in record.items() if k != "entry_hash"}
        if hashlib.sha256(canonical(body)).hexdigest() != record["entry_hash"]:
            findings.append(Finding(seq, "isi entri diubah, hash tidak cocok "
                                         "(entry was altered: hash mismatch)"))
        if seq in wanted:
            chain.hashes[seq] = record["entry_hash"]
        chain.count += 1
        chain.last_seq, chain.head, chain.last = seq, record["entry_hash"], record
        prev, expected = record["entry_hash"], seq + 1
    return chain


def payload(checkpoint: dict[str, Any]) -> bytes:
    """Return the bytes a checkpoint's signature covers."""
    return canonical({"format": CHECKPOINT_FORMAT, "size": checkpoint["size"],
                      "head_hash": checkpoint["head_hash"],
                      "created_at": checkpoint["created_at"], "key_id": checkpoint["key_id"]})


def signed(key: Ed25519PublicKey, checkpoint: dict[str, Any]) -> bool:
    """Return True when the checkpoint's signature is valid under `key`."""
    try:
        key.verify(bytes.fromhex(str(checkpoint["signature"])), payload(checkpoint))
    except (InvalidSignature, ValueError):
        return False
    return True


def check_checkpoint(cp: dict[str, Any], label: str, key: Ed25519PublicKey, key_id: str,
                     chain: Chain, findings: list[Finding]) -> None:
    """Check one checkpoint's key, signature, and the entry at its size."""
    size = cp["size"]
    day = str(cp["created_at"])[:16].replace("T", " ")
    name_id, name_en = f"{label[0]} #{cp['id']} tanggal {day}", f"{label[1]} #{cp['id']} of {day}"
    if cp["key_id"] != key_id:
        findings.append(Finding(size, f"{name_id} ditandatangani kunci lain {cp['key_id']}, "
                                      f"bukan {key_id} ({name_en} was signed by another key)"))
    elif not signed(key, cp):
        findings.append(Finding(size, f"{name_id}: tanda tangan tidak sah "
                                      f"({name_en}: the signature is not valid)"))
    if size > chain.last_seq:
        findings.append(Finding(chain.last_seq + 1,
                                f"ekspor berisi {chain.count} entri tetapi {name_id} mencakup "
                                f"{size}: ujung jejak terpotong (the export holds {chain.count} "
                                f"entries but {name_en} covers {size}: tail cut off)"))
        return
    stored = GENESIS if size == 0 else chain.hashes.get(size)
    if stored is None:
        findings.append(Finding(size, f"{name_id} mencakup entri #{size} yang tidak ada "
                                      f"({name_en} covers entry #{size}, which is missing)"))
    elif stored != cp["head_hash"]:
        findings.append(Finding(size, f"{name_id} tidak cocok dengan entri #{size} "
                                      f"({name_en} does not match entry #{size})"))


# --------------------------------------------------------------------------- the command


def arguments(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        description="Periksa ekspor jejak audit E-Arsip (verify an E-Arsip audit export).")
    parser.add_argument("export", type=Path, help="folder atau .zip ekspor (export folder or zip)")
    parser.add_argument("--public-key", type=Path,
                        help="kunci publik yang Anda simpan (the public key you kept)")
    parser.add_argument("--checkpoints", type=Path,
                        help="titik periksa yang Anda terima sebelumnya (checkpoints you "
                             "received earlier, JSON lines)")
    return parser.parse_args(argv)


def verify(args: argparse.Namespace, out: list[str]) -> list[Finding]:
    """Check the export named by `args`; append the summary to `out`; return the findings."""
    export = Export(args.export)
    findings: list[Finding] = []
    out.append(f"Ekspor (export): {args.export}")
    if args.public_key is not None:
        try:
            data = args.public_key.read_bytes()
        except OSError as e:
            raise Unusable(f"{args.public_key}: {e.strerror or e}") from e
        key, key_id = load_public_key(data, str(args.public_key))
        out.append(f"Kunci publik (public key): {args.public_key}, id {key_id}")
        if export.has("public_key.pem"):
            _, theirs = load_public_key(export.read("public_key.pem"), "public_key.pem")
            if theirs != key_id:
                out.append(f"PERINGATAN (WARNING): kunci publik di ekspor ({theirs}) berbeda "
                           f"dari kunci Anda (the export's public key differs from yours).")
    else:
        key, key_id = load_public_key(export.read("public_key.pem"), "public_key.pem")
        out.append(f"Kunci publik (public key): public_key.pem dari ekspor, id {key_id}")
        out.append("PERINGATAN (WARNING): kunci diambil dari ekspor itu sendiri; ini hanya "
                   "membuktikan konsistensi internal. Gunakan --public-key dengan salinan Anda "
                   "(the export's own key only proves internal consistency; pass --public-key).")
    with export.open("checkpoints.jsonl") as f:
        ours = read_checkpoints(f, strict=False, findings=findings)
    received: list[dict[str, Any]] = []
    if args.checkpoints is not None:
        try:
            with open(args.checkpoints, "rb") as f:
                received = read_checkpoints(f, strict=True, findings=findings)
        except OSError as e:
            raise Unusable(f"{args.checkpoints}: {e.strerror or e}") from e
    wanted = {cp["size"] for cp in ours + received}
    with export.open("audit.jsonl") as f:
        chain = check_entries(f, wanted, findings)
    if chain.count == 0:
        findings.append(Finding(1, "ekspor tidak berisi entri, padahal selalu memuat entri "
                                   "pembuatannya sendiri (the export holds no entries)"))
    for cp in ours:
        check_checkpoint(cp, ("titik periksa", "checkpoint"), key, key_id, chain, findings)
    by_id = {str(cp["id"]): cp for cp in ours}
    for cp in received:
        same = by_id.get(str(cp["id"]))
        if same is not None and all(same[k] == cp[k] for k in CHECKPOINT_FIELDS):
            continue  # checked above as part of the export
        findings.append(Finding(cp["size"], f"titik periksa Anda #{cp['id']} tidak ada atau "
                                            f"berbeda di ekspor (your checkpoint #{cp['id']} "
                                            "is missing or different in the export)"))
        check_checkpoint(cp, ("titik periksa Anda", "your checkpoint"), key, key_id, chain,
                         findings)
    out.append(f"Entri (entries): {chain.count}; hash terakhir (head): {chain.head}")
    last = chain.last
    if last is not None and last.get("action") == "audit.export":
        out.append(f"Ekspor dibuat (export made): {last.get('occurred_at')} oleh (by) "
                   f"{last.get('actor_name')}")
    out.append(f"Titik periksa (checkpoints): {len(ours)} di ekspor (in the export), "
               f"{len(received)} dari Anda (yours)")
    if not ours and not received:
        out.append("PERINGATAN (WARNING): tidak ada titik periksa; hanya rantai hash yang "
                   "terbukti utuh (no checkpoints: only the hash chain is proven).")
    if args.checkpoints is None:
        out.append("CATATAN (NOTE): tanpa --checkpoints, jejak yang ditulis ulang lalu "
                   "ditandatangani ulang dengan kunci server tidak terdeteksi (without "
                   "--checkpoints a rewritten, re-signed trail is not detected).")
    return sorted(findings)


def main(argv: list[str] | None = None) -> int:
    """Run the verifier; return the exit status."""
    args = arguments(argv)
    out: list[str] = []
    try:
        findings = verify(args, out)
    except (Unusable, OSError, zipfile.BadZipFile) as e:
        print("\n".join(out))
        print(f"TIDAK DAPAT DIPERIKSA (CANNOT VERIFY): {e}", file=sys.stderr)
        return UNUSABLE
    print("\n".join(out))
    if not findings:
        print("HASIL (RESULT): UTUH (INTACT)")
        return INTACT
    first = findings[0]
    print(f"HASIL (RESULT): RUSAK mulai entri #{first.seq} (BROKEN from entry #{first.seq}): "
          f"{first.message}")
    for finding in findings[1:SHOWN]:
        print(f"  entri #{finding.seq}: {finding.message}")
    if len(findings) > SHOWN:
        print(f"  … dan {len(findings) - SHOWN} temuan lain (and {len(findings) - SHOWN} more)")
    return BROKEN


if __name__ == "__main__":
    sys.exit(main())
