"""What a transfer package holds besides the originals: each record's place in the package and
its row on the transfer list, the metadata columns, and the decisions about the records from the
audit trail, as the receiving archive reads them (names and positions, nothing of the office's
network or accounts)."""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import paperwork
from earsip.access import ROLE_LABELS, ROLES
from earsip.filetypes import LABELS
from earsip.models import AuditEntry, Document, User

METADATA_COLUMNS = ("id", "number", "title", "classification", "document_date", "security",
                    "sender", "recipient", "original_filename", "mime", "size", "sha256",
                    "package_path", "active_until", "inactive_until", "final_fate")


def arcname(doc: Document) -> str:
    suffix = PurePath(doc.storage_path).suffix.lower()
    return f"arsip/{doc.id:08d}{suffix}"


def list_row(n: int, doc: Document) -> paperwork.ListRow:
    description = doc.title if not doc.number else f"{doc.title} (No. {doc.number})"
    return paperwork.ListRow(n, doc.classification_code, description,
                             str(doc.document_date.year), "1 berkas", "Asli",
                             f"Elektronik ({LABELS.get(doc.mime, doc.mime)})",
                             f"data/{arcname(doc)}")


# What the receiving archive gets of the trail: the decisions about each record (filed,
# described, reclassified, its class changed, read by OCR), when, and who decided, by name and
# position. Not the readings (views, downloads, previews), not refusals, and nothing of the
# office's network or accounts: no client address, no username or user id, no storage path, no
# entry hash (a hash over a few known fields lets anyone confirm a guessed address).
READINGS = frozenset({"document.view", "document.download", "document.preview",
                      "document.delete"})
PRIVATE_DETAILS = frozenset({"storage_path", "client_addr", "username", "user_id", "actor_id",
                             "actor_name"})


class Person(TypedDict):
    """Who acted, as the package's metadata.json and riwayat.jsonl write it (a JSON object
    written as it is: {"name", "position"}, either null when unknown)."""

    name: str | None
    position: str | None


SYSTEM_PERSON: Person = {"name": "Sistem E-Arsip", "position": None}


def person(session: Session, user_id: int | None, cache: dict[int, Person]) -> Person:
    """Return who acted as the receiving archive reads it: full name and position (the
    labels of their roles, as no position is recorded), never the account name."""
    if user_id is None:
        return SYSTEM_PERSON
    if user_id not in cache:
        user = session.get(User, user_id)
        roles = set(user.role_names) if user is not None else set()
        cache[user_id] = Person(
            name=(user.full_name or None) if user is not None else None,
            position=", ".join(str(ROLE_LABELS[r]) for r in ROLES if r in roles) or None)
    return cache[user_id]


def _public(value: object) -> object:
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if k not in PRIVATE_DETAILS}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def history_lines(session: Session, ids: list[int]) -> bytes:
    """Return the decisions about these documents as JSON lines (see READINGS above)."""
    entries = session.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "document", AuditEntry.outcome == "success",
        AuditEntry.action.not_in(READINGS),
        AuditEntry.target_id.in_([str(i) for i in ids])).order_by(AuditEntry.seq))
    people: dict[int, Person] = {}
    lines = []
    for e in entries:
        lines.append(json.dumps({
            "document_id": int(e.target_id or 0), "action": e.action,
            "at": e.occurred_at.replace(microsecond=0).isoformat() + "Z",
            "by": person(session, e.actor_id, people), "details": _public(e.details or {}),
        }, ensure_ascii=False, sort_keys=True).encode() + b"\n")
    return b"".join(lines)
