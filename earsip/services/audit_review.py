"""Reviewing the audit trail: verifying its hash chain (checkpoints come with issue 5)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from earsip import audit
from earsip.models import AuditEntry
from earsip.services import Archive


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking the whole chain."""

    entries: int
    head: str | None
    findings: list[audit.Finding]

    @property
    def intact(self) -> bool:
        """Return True when nothing is wrong."""
        return not self.findings


def verify_chain(archive: Archive) -> ChainReport:
    """Check every entry, in sequence, against its predecessor and its own hash."""
    counted = 0
    head: str | None = None
    with archive.db.read() as session:

        def entries() -> Iterator[AuditEntry]:
            nonlocal counted, head
            query = select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=2000)
            for entry in session.scalars(query):
                counted += 1
                head = entry.entry_hash
                yield entry

        findings = audit.verify(entries())
    return ChainReport(counted, head, findings)
