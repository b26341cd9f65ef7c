"""The append-only, hash-chained audit trail.

Each entry's hash covers a canonical serialisation of its fields and the previous entry's hash,
so editing, deleting, reordering or inserting an entry breaks the chain from that point on.
`append` runs inside the caller's transaction: the action and its entry commit together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from earsip.models import AuditEntry, utcnow

GENESIS = "0" * 64


@dataclass(frozen=True)
class Actor:
    """Who did something, and from where."""

    user_id: int | None
    username: str | None
    client_addr: str | None = None


SYSTEM = Actor(user_id=None, username="system", client_addr=None)


def canonical(entry: AuditEntry) -> bytes:
    """Return the canonical bytes hashed for `entry` (everything but its own hash)."""
    payload = {
        "seq": entry.seq,
        "occurred_at": entry.occurred_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
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
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


def _lock_chain(session: Session) -> None:
    # SQLite write transactions already hold the database's write lock (BEGIN IMMEDIATE).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727274)"))


def append(session: Session, actor: Actor, action: str, *, target_type: str | None = None,
           target_id: object = None, outcome: str = "success",
           details: dict[str, object] | None = None) -> AuditEntry:
    """Add one audit entry to the caller's transaction and return it."""
    _lock_chain(session)
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    entry = AuditEntry(
        seq=seq,
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
    return entry


@dataclass(frozen=True)
class Finding:
    """A problem found in the chain."""

    seq: int
    problem: str


def verify(entries: Iterable[AuditEntry]) -> list[Finding]:
    """Check the chain of `entries` (in seq order) and return what is wrong."""
    findings: list[Finding] = []
    prev, expected_seq = GENESIS, 1
    for entry in entries:
        if entry.seq != expected_seq:
            findings.append(Finding(entry.seq, f"expected seq {expected_seq}"))
        if entry.prev_hash != prev:
            findings.append(Finding(entry.seq, "prev_hash does not match the previous entry"))
        if hashlib.sha256(canonical(entry)).hexdigest() != entry.entry_hash:
            findings.append(Finding(entry.seq, "entry was altered (hash mismatch)"))
        prev, expected_seq = entry.entry_hash, entry.seq + 1
    return findings

