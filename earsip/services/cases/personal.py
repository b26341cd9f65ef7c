"""The retention of a case's identity scans (personal data, UU 27/2022).

`EARSIP_IDENTITY_RETENTION` says how long they are kept: `case` (the default) leaves them on the
retention of the case's classification code, like the case's other documents; a number of
years keeps them that many years after the case is closed and then proposes them for
destruction (final fate `musnah`, no inactive period), whatever the code's own rule is.
`on_case_closed` applies the setting when a case is closed (called from `handling.deliver`, in
its write transaction); it is audited there as `document.retention`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit, retention
from earsip.models import Case, CaseDocument, Document
from earsip.services import Archive

# The event an identity scan's retention counts from.
CLOSING = "penutupan layanan"
SYSTEM = audit.Actor(None, "sistem", None)
# How an identity scan's retention note starts once its own rule applies: a change of its
# code's JRA rule leaves such a scan alone (records/classification.py).
NOTE_PREFIX = "Pindaian identitas:"


def keeps_own_rule(doc: Document) -> bool:
    """Return True when an identity scan's retention was set by its case's closing."""
    return doc.personal and (doc.retention_note or "").startswith(NOTE_PREFIX)


def identity_years(setting: str) -> int | None:
    """Return the years after closing an identity scan is kept, or None to follow the case's
    classification code (`case`)."""
    value = setting.strip().lower()
    return None if value in ("", "case") else int(value)


def on_case_closed(session: Session, archive: Archive, case: Case,
                   actor: audit.Actor | None = None) -> list[int]:
    """Set the retention dates of the case's identity scans from its closing day, when the
    setting asks for a number of years; return the ids of the documents changed. Each change
    is audited in the caller's transaction, in the name of `actor` (the one who closed the
    case; the system when none is given)."""
    years = identity_years(archive.config.identity_retention)
    if years is None or case.closed_at is None:
        return []
    closed = archive.local_date(case.closed_at)
    rule = retention.Rule(active_years=years, active_trigger=CLOSING, inactive_years=0,
                          final_fate="musnah")
    today = archive.local_today()
    docs = session.scalars(select(Document).join(
        CaseDocument, CaseDocument.document_id == Document.id).where(
        CaseDocument.case_id == case.id, CaseDocument.role == "identitas",
        Document.disposition.is_(None)).order_by(Document.id)).all()
    changed: list[int] = []
    for doc in docs:
        ret = retention.compute(rule, doc.document_date, trigger_date=closed,
                                counting=archive.config.retention_counting, as_of=today)
        before = {"active_until": _iso(doc.active_until),
                  "inactive_until": _iso(doc.inactive_until), "final_fate": doc.final_fate}
        doc.trigger_date = closed
        doc.active_until, doc.inactive_until = ret.active_until, ret.inactive_until
        doc.final_fate, doc.phase = ret.final_fate, ret.phase
        doc.retention_note = (f"{NOTE_PREFIX} disimpan {years} tahun setelah layanan "
                              f"{case.registration_number} ditutup, lalu dimusnahkan "
                              "(EARSIP_IDENTITY_RETENTION).")
        audit.append(session, actor or SYSTEM, "document.retention",
                     target_type="document", target_id=doc.id,
                     details={"case": case.registration_number, "years": years,
                              "closed_on": closed.isoformat(), "before": before,
                              "active_until": _iso(ret.active_until),
                              "inactive_until": _iso(ret.inactive_until),
                              "final_fate": ret.final_fate})
        changed.append(doc.id)
    return changed


def _iso(day: object) -> str | None:
    return None if day is None else str(day)
