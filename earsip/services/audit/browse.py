"""Browsing the audit trail: filtered pages of entries and single entries, for auditors.

Entries name documents of every security class (as targets, and as lists of ids in the details
of holds, disposition steps, transfers and retention runs), and a search's entry counts its
hits: reading the trail, like exporting it, is for auditors cleared for every class. Any
auditor may run the verification, which reveals nothing about records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import SECURITY_CLASSES, Principal
from earsip.errors import Forbidden, NotFound
from earsip.models import AuditEntry
from earsip.schemas.operations import AuditPage, AuditQuery, AuditRecord
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.audit.words import ACTIONS, Described, describe

PER_PAGE = 50


@dataclass(frozen=True)
class EntryPage:
    """One page of entries, newest first."""

    entries: list[Described]
    total: int
    page: int
    pages: int
    actions: list[tuple[str, str]]  # (code, label) for the filter


def _filtered(filters: AuditQuery) -> Select[AuditEntry]:
    query = select(AuditEntry)
    if filters.since:
        query = query.where(AuditEntry.occurred_at >= dt.datetime.combine(filters.since,
                                                                          dt.time()))
    if filters.until:
        query = query.where(AuditEntry.occurred_at < dt.datetime.combine(
            filters.until + dt.timedelta(days=1), dt.time()))
    if filters.actor:
        query = query.where(AuditEntry.actor_name == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.document:
        query = query.where(AuditEntry.target_type == "document",
                            AuditEntry.target_id == str(filters.document))
    return query


def _page(session: Session, query: Select[AuditEntry], wanted: int,
          ) -> tuple[list[AuditEntry], int, int, int]:
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(wanted, pages)
    rows = list(session.scalars(query.order_by(AuditEntry.seq.desc())
                                .offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    return rows, total, page, pages


def entries(archive: Archive, principal: Principal, filters: AuditQuery) -> EntryPage:
    """Return one page of the entries matching `filters` that the principal may see."""
    require_full_clearance(principal)
    with archive.db.read() as session:
        rows, total, page, pages = _page(session, _filtered(filters), filters.page)
        codes = list(session.scalars(select(AuditEntry.action).distinct()))
        described = describe(session, principal, rows)
    actions = sorted(((c, ACTIONS.get(c, c)) for c in codes), key=lambda a: a[1])
    return EntryPage(described, total, page, pages, actions)


def stored(entry: AuditEntry) -> AuditRecord:
    """Return `entry` as stored and hashed (the export's record, `audit.record`)."""
    return AuditRecord.model_validate(audit.record(entry))


def records(archive: Archive, principal: Principal, filters: AuditQuery) -> AuditPage:
    """Return one page of the entries matching `filters`, as stored and hashed."""
    require_full_clearance(principal)
    with archive.db.read() as session:
        rows, total, page, pages = _page(session, _filtered(filters), filters.page)
        return AuditPage(total=total, page=page, pages=pages, per_page=PER_PAGE,
                         entries=[stored(e) for e in rows])


@dataclass(frozen=True)
class OneEntry:
    """One entry: as stored (hashed) and in words."""

    record: AuditRecord
    words: Described
    last_seq: int


def entry(archive: Archive, principal: Principal, seq: int) -> OneEntry:
    """Return one entry by its sequence number (NotFound when hidden by clearance)."""
    require_full_clearance(principal)
    with archive.db.read() as session:
        found = session.scalar(select(AuditEntry).where(AuditEntry.seq == seq))
        if found is None:
            raise NotFound("Entri audit #%(seq)s tidak ditemukan.", params={"seq": seq})
        words = describe(session, principal, [found])[0]
        last = session.scalar(select(func.max(AuditEntry.seq))) or 0
        return OneEntry(stored(found), words, last)


def cleared_for_all(principal: Principal) -> bool:
    """Return True when the principal is cleared for every security class."""
    return principal.clearance == SECURITY_CLASSES[-1]


def require_full_clearance(principal: Principal) -> None:
    """Refuse the trail (pages and export) to a reader not cleared for every security class."""
    require(principal, "audit.read")
    if not cleared_for_all(principal):
        raise Forbidden("Jejak audit memuat entri tentang dokumen semua klasifikasi keamanan; "
                        "hanya untuk auditor dengan izin akses Sangat Rahasia.")
