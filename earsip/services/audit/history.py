"""A document's history: the audit entries about it, in words, for the roles that review
records."""

from __future__ import annotations

from sqlalchemy import select

from earsip.access import Principal
from earsip.models import AuditEntry
from earsip.services import Archive
from earsip.services.audit.words import Described, describe
from earsip.services.records.documents import load_visible


def document_history(archive: Archive, principal: Principal, document_id: int, *,
                     limit: int = 200) -> list[Described]:
    """Return the newest `limit` audit entries about a document the principal may see."""
    with archive.db.read() as session:
        load_visible(session, principal, document_id)
        rows = list(session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "document",
                   AuditEntry.target_id == str(document_id))
            .order_by(AuditEntry.seq.desc()).limit(limit)))
        return describe(session, principal, rows)
