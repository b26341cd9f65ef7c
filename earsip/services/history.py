"""A document's history: the audit entries about it, for the roles that review records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from earsip.models import AuditEntry
from earsip.services import Archive
from earsip.services.documents import load_visible
from earsip.services.users import Principal


@dataclass(frozen=True)
class Event:
    """One audit entry about a document, as the document page lists it."""

    seq: int
    at: dt.datetime
    actor: str | None
    action: str
    outcome: str


def document_history(archive: Archive, principal: Principal, document_id: int, *,
                     limit: int = 200) -> list[Event]:
    """Return the newest `limit` audit entries about a document the principal may see."""
    with archive.db.read() as session:
        load_visible(session, principal, document_id)
        rows = session.execute(
            select(AuditEntry.seq, AuditEntry.occurred_at, AuditEntry.actor_name,
                   AuditEntry.action, AuditEntry.outcome)
            .where(AuditEntry.target_type == "document",
                   AuditEntry.target_id == str(document_id))
            .order_by(AuditEntry.seq.desc()).limit(limit)).all()
    return [Event(*row) for row in rows]
