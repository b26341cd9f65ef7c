"""When a case was brought: the dates a registration may not have (received in the future, an
event after its receipt) and whether it came within the filing window its type has by law (an
objection after its cause, a report after the violation became known, a dispute after the
decision). A late case is still registered, marked with the reason."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from earsip.errors import ValidationError
from earsip.models import Case, utcnow
from earsip.schemas.cases import FIELD_LABELS, CaseInput
from earsip.services import Archive
from earsip.services.cases import rules


def objection_cause(archive: Archive, request: Case | None) -> dt.date | None:
    """An objection counts from the decision on its request, or from the day its answer was
    due when none came."""
    if request is None:
        return None
    if request.decided_at is not None:
        return archive.local_date(request.decided_at)
    return request.due_date


# A received moment may run ahead of the server's clock by this much (a clerk's watch).
CLOCK_SKEW = dt.timedelta(minutes=10)
DAY_FIELDS = ("occurred_on", "known_on", "decision_date", "cause_date")


def check_dates(archive: Archive, data: CaseInput) -> None:
    """Refuse a received moment or an event date in the future."""
    now = utcnow()
    if data.received_at > now + CLOCK_SKEW:
        raise ValidationError("Waktu diterima ada di masa depan.", field="received_at")
    received = archive.local_date(data.received_at)
    for name in DAY_FIELDS:
        day = getattr(data, name)
        if day is not None and day > received:
            raise ValidationError("%(field)s sesudah tanggal layanan diterima.", field=name,
                                  params={"field": FIELD_LABELS[name]})


def check_window(session: Session, case: Case, start: dt.date | None, label: str) -> None:
    """Mark whether the case came within its filing window (a late one stays registered)."""
    if start is None:
        return
    window = rules.compute(session, case.type, "filing", start,
                           version=case.rule_version, regime=case.regime)
    if window is None:
        return
    case.timely = case.received_on <= window.due
    unit = "hari kerja" if window.count == "working" else "hari"
    taken = rules.elapsed(session, start, case.received_on, window.count)
    if case.timely:
        case.timeliness_note = (f"Disampaikan {taken} {unit} setelah {label} "
                                f"(batas {window.days} {unit}, sampai {window.due.isoformat()}).")
    else:
        case.timeliness_note = (f"Melewati batas waktu: disampaikan {taken} {unit} setelah "
                                f"{label} ({start.isoformat()}); "
                                f"batasnya {window.days} {unit}, sampai "
                                f"{window.due.isoformat()}.")
