"""The append-only, hash-chained audit trail and its signed checkpoints.

Each entry's hash covers a canonical serialisation of its fields and the previous entry's hash,
so editing, deleting, reordering or inserting an entry breaks the chain from that point on.
`append` runs inside the caller's transaction: the action and its entry commit together.

A checkpoint is the server's Ed25519 signature over (size, head hash, time, key id): whoever kept
one can later prove that the first `size` entries were not rewritten or cut off since. The
canonical forms defined here are also what an export holds, so that the standalone verifier
(tools/verify_audit_export.py) recomputes every hash and signed payload byte for byte.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from earsip import faults, signing
from earsip.access import Actor
from earsip.errors import N_
from earsip.models import AuditCheckpoint, AuditEntry, utcnow
from earsip.schemas.base import JsonObject

GENESIS = "0" * 64
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Names what a checkpoint signature is about, so it cannot be taken for another signed statement.
CHECKPOINT_FORMAT = "earsip-audit-checkpoint/1"


SYSTEM = Actor(user_id=None, username="system", client_addr=None)


def canonical_json(value: object) -> bytes:
    """Return the canonical JSON bytes of `value` (sorted keys, no spaces, UTF-8)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def timestamp(moment: dt.datetime) -> str:
    """Return `moment` (naive UTC) in the trail's canonical time format."""
    return moment.strftime(TIME_FORMAT)


def _hashed_fields(entry: AuditEntry) -> JsonObject:
    return {
        "seq": entry.seq,
        "occurred_at": timestamp(entry.occurred_at),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "outcome": entry.outcome,
        "client_addr": entry.client_addr,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }


def canonical(entry: AuditEntry) -> bytes:
    """Return the canonical bytes hashed for `entry` (everything but its own hash)."""
    return canonical_json(_hashed_fields(entry))


def record(entry: AuditEntry) -> JsonObject:
    """Return the export record of `entry`: its hashed fields plus `entry_hash`.

    Removing `entry_hash` and serialising the rest with `canonical_json` gives back the bytes of
    `canonical(entry)`, also after a round trip through JSON.
    """
    return {**_hashed_fields(entry), "entry_hash": entry.entry_hash}


def _lock_chain(session: Session) -> None:
    # SQLite write transactions already hold the database's write lock (BEGIN IMMEDIATE).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))


def head(session: Session) -> tuple[int, str]:
    """Lock the chain for the caller's transaction and return its (last seq, last hash)."""
    _lock_chain(session)
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    return (last[0], last[1]) if last else (0, GENESIS)


def append(session: Session, actor: Actor, action: str, *, target_type: str | None = None,
           target_id: object = None, outcome: str = "success",
           details: Mapping[str, object] | None = None) -> AuditEntry:
    """Add one audit entry to the caller's transaction and return it."""
    last_seq, prev = head(session)
    entry = AuditEntry(
        seq=last_seq + 1,
        occurred_at=utcnow(),
        actor_id=actor.user_id,
        actor_name=actor.username,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        outcome=outcome,
        client_addr=actor.client_addr,
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=prev,
    )
    entry.entry_hash = hashlib.sha256(canonical(entry)).hexdigest()
    session.add(entry)
    session.flush()
    faults.point("audit.appended")
    return entry


@dataclass(frozen=True)
class Finding:
    """A problem found in the chain: in English for logs and programs (`problem`), and as a
    message template with its values for people (`template`, `params`)."""

    seq: int
    problem: str
    template: str = ""
    params: Mapping[str, object] = field(default_factory=dict)

    @property
    def words(self) -> str:
        """Return the problem in Bahasa Indonesia (the CLI's language)."""
        return self.template % self.params if self.template else self.problem


def verify(entries: Iterable[AuditEntry]) -> list[Finding]:
    """Check the chain of `entries` (in seq order) and return what is wrong."""
    findings: list[Finding] = []
    prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            findings.append(Finding(
                entry.seq, f"expected seq {expected_seq}",
                N_("nomor urut tidak sesuai: seharusnya %(expected)s (ada entri yang hilang atau "
                   "berpindah)"), {"expected": expected_seq}))
        if entry.prev_hash != prev:
            findings.append(Finding(
                entry.seq, "prev_hash does not match the previous entry",
                N_("hash entri sebelumnya tidak cocok (ada entri yang hilang, disisipkan atau "
                   "diubah)")))
        if hashlib.sha256(canonical(entry)).hexdigest() != entry.entry_hash:
            findings.append(Finding(entry.seq, "entry was altered (hash mismatch)",
                                    N_("entri ini telah diubah (hash tidak cocok)")))
        prev, expected_seq = entry.entry_hash, entry.seq + 1
    return findings


def checkpoint_payload(*, size: int, head_hash: str, created_at: dt.datetime | str,
                       key_id: str) -> bytes:
    """Return the canonical bytes a checkpoint's signature covers."""
    return canonical_json({
        "format": CHECKPOINT_FORMAT,
        "size": size,
        "head_hash": head_hash,
        "created_at": created_at if isinstance(created_at, str) else timestamp(created_at),
        "key_id": key_id,
    })


def checkpoint_record(checkpoint: AuditCheckpoint) -> JsonObject:
    """Return the export record of `checkpoint` (what is signed, the signature, the trigger)."""
    return {
        "id": checkpoint.id,
        "created_at": timestamp(checkpoint.created_at),
        "size": checkpoint.size,
        "head_hash": checkpoint.head_hash,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
        "trigger": checkpoint.trigger,
    }


def _named(checkpoint: Mapping[str, Any]) -> str:
    day = str(checkpoint["created_at"])[:16].replace("T", " ")
    return f"checkpoint #{checkpoint['id']} of {day} UTC"


def _id(checkpoint: Mapping[str, Any]) -> JsonObject:
    return {"id": checkpoint["id"], "day": str(checkpoint["created_at"])[:10]}


def verify_checkpoints(checkpoints: Iterable[Mapping[str, Any]], *, hashes: Mapping[int, str],
                       entries: int, last_seq: int, public_pem: str | None,
                       key_problem: str | None = None) -> list[Finding]:
    """Check checkpoint records against the server's public key and the trail's entries.

    `hashes` maps the seq each checkpoint covers to the stored hash of that entry (absent when
    there is no such entry); `entries` and `last_seq` describe the trail. `key_problem` says
    why no public key is at hand, if so.
    """
    server_key_id = signing.key_id(public_pem) if public_pem else None
    findings: list[Finding] = []
    for cp in checkpoints:
        size, name, who = int(cp["size"]), _named(cp), _id(cp)
        if public_pem is None:
            findings.append(Finding(
                size, f"{name}: the signature cannot be checked "
                      f"({key_problem or 'no public key'})",
                N_("tanda tangan titik periksa #%(id)s (%(day)s) tidak dapat diperiksa: kunci "
                   "publik tidak tersedia"), who))
        elif cp["key_id"] != server_key_id:
            findings.append(Finding(
                size, f"{name} was signed by another key ({cp['key_id']}, "
                      f"the server's is {server_key_id})",
                N_("titik periksa #%(id)s (%(day)s) ditandatangani kunci lain (%(key)s), bukan "
                   "kunci server"), {**who, "key": cp["key_id"]}))
        elif not signing.verify(public_pem, checkpoint_payload(
                size=size, head_hash=str(cp["head_hash"]), created_at=str(cp["created_at"]),
                key_id=str(cp["key_id"])), str(cp["signature"])):
            findings.append(Finding(size, f"{name}: the signature is not valid",
                                    N_("tanda tangan titik periksa #%(id)s (%(day)s) tidak sah"),
                                    who))
        if size > last_seq:
            findings.append(Finding(
                last_seq + 1, f"the trail has {entries} entries but {name} covers {size}",
                N_("jejak hanya berisi %(entries)s entri, padahal titik periksa #%(id)s "
                   "(%(day)s) mencakup %(size)s (jejak dipotong)"),
                {**who, "entries": entries, "size": size}))
            continue
        stored = GENESIS if size == 0 else hashes.get(size)
        if stored is None:
            findings.append(Finding(
                size, f"{name} covers entry #{size}, which is missing",
                N_("titik periksa #%(id)s (%(day)s) mencakup entri #%(size)s, yang hilang"),
                {**who, "size": size}))
        elif stored != cp["head_hash"]:
            findings.append(Finding(
                size, f"{name} does not match entry #{size} "
                      "(its hash differs from the signed head)",
                N_("titik periksa #%(id)s (%(day)s) tidak cocok dengan entri #%(size)s (hash-nya "
                   "berbeda dari yang ditandatangani)"), {**who, "size": size}))
    return findings
