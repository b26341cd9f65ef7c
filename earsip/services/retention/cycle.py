"""Retention (JRA) in use: the daily run that moves documents into their next phase, and the
reports of what is due now, what falls due soon, what is on hold and what awaits its event.

A document's due dates are computed when it is filed or edited and whenever its code's rule
changes (services/classification.recompute); its stored `phase` is the phase it was last moved
into. The run moves documents forward only, once their dates have passed, and is idempotent:
running it again on the same date moves nothing. Documents destroyed or transferred have left
the cycle and are never moved.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select, update

from earsip import audit, faults, retention
from earsip.access import SECURITY_LABELS, Principal, classes_up_to
from earsip.errors import N_, ValidationError
from earsip.models import Document
from earsip.retention import FATE_LABELS, PHASE_LABELS
from earsip.schemas.retention import Report, ReportRow
from earsip.services import Archive
from earsip.services.access.reach import in_reach
from earsip.services.access.users import require
from earsip.services.records.classification import list_effective
from earsip.services.records.documents import listed_title
from earsip.services.retention.holds import held_ids

REPORT_KINDS = ("due", "upcoming", "hold", "awaiting")
MAX_MONTHS = 120
BATCH = 1000


@dataclass(frozen=True)
class RunResult:
    """What one retention run moved, by transition ("aktif>inaktif": [ids])."""

    as_of: dt.date
    moved: dict[str, list[int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        """Return how many documents moved."""
        return sum(len(ids) for ids in self.moved.values())


def run(archive: Archive, actor: audit.Actor, *, as_of: dt.date | None = None) -> RunResult:
    """Move every kept document whose due date has passed into its next phase; audit the run.

    One audit entry records the run: the date it ran as of and the documents moved, by
    transition. A run that moves nothing is recorded too (it shows the schedule is alive).
    The moves and the entry are one transaction: a run cut short moved nothing.
    """
    day = as_of or dt.date.today()
    moved: dict[str, list[int]] = {}
    with archive.db.write() as session:
        due = session.execute(select(
            Document.id, Document.phase, Document.active_until, Document.inactive_until,
            Document.final_fate,
        ).where(
            Document.disposition.is_(None), Document.final_fate.is_not(None),
            or_(and_(Document.phase == "aktif", Document.active_until <= day),
                and_(Document.phase == "inaktif", Document.inactive_until <= day)),
        ).order_by(Document.id)).all()
        for doc_id, phase, active_until, inactive_until, fate in due:
            if fate is None:  # left out by the query already
                continue
            new = retention.phase_on(active_until, inactive_until, fate, day)
            if new != phase:
                moved.setdefault(f"{phase}>{new}", []).append(doc_id)
        for transition, ids in moved.items():
            new = transition.split(">")[1]
            for start in range(0, len(ids), BATCH):
                session.execute(update(Document).where(Document.id.in_(ids[start:start + BATCH]))
                                .values(phase=new))
            faults.point("retention.moved")
        audit.append(session, actor, "retention.run", details={
            "as_of": day.isoformat(),
            "moved": {k: len(v) for k, v in moved.items()},
            "document_ids": moved,
        })
    faults.point("retention.committed")
    return RunResult(day, moved)


def add_months(day: dt.date, months: int) -> dt.date:
    """Return `day` plus whole months (the 31st becomes the month's last day)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _next_change(doc: Document, day: dt.date) -> tuple[str | None, dt.date | None]:
    """Return the phase the document enters next after `day`, and when (or the last change)."""
    if doc.active_until is None or doc.final_fate is None:
        return None, None
    if day < doc.active_until:
        return "inaktif", doc.active_until
    return retention.FATE_PHASE[doc.final_fate], doc.inactive_until


def report(archive: Archive, principal: Principal, kind: str, *, months: int = 12,
           as_of: dt.date | None = None, limit: int | None = None) -> Report:
    """Return one retention report, counting only documents the principal may see.

    - due: documents whose retention has ended (the final fate is due), on hold or not;
    - upcoming: documents whose next date (end of the active or inactive period) falls
      after the report date and within `months` months;
    - hold: documents covered by an active legal hold;
    - awaiting: documents of event-triggered rules whose event date is not set yet.
    """
    require(principal, "retention.read")
    if kind not in REPORT_KINDS:
        raise ValidationError("Jenis laporan tidak dikenal: %(kind)s (pilih %(kinds)s).",
                              field="kind", params={"kind": kind,
                                                    "kinds": ", ".join(REPORT_KINDS)})
    if not 1 <= months <= MAX_MONTHS:
        raise ValidationError("Jangka waktu harus 1 sampai %(max)d bulan.", field="months",
                              params={"max": MAX_MONTHS})
    day = as_of or dt.date.today()
    until = add_months(day, months) if kind == "upcoming" else None
    with archive.db.read() as session:
        query = select(Document).where(
            Document.disposition.is_(None), in_reach(Document.office_id, principal),
            Document.security.in_(classes_up_to(principal.clearance)))
        held: set[int] | None = None
        if kind == "due":
            query = query.where(Document.inactive_until <= day).order_by(
                Document.inactive_until, Document.id)
        elif kind == "upcoming":
            query = query.where(or_(
                and_(Document.active_until > day, Document.active_until <= until),
                and_(Document.active_until <= day, Document.inactive_until > day,
                     Document.inactive_until <= until)),
            ).order_by(Document.id)
        elif kind == "hold":
            held = held_ids(session)
            query = query.where(Document.id.in_(held)).order_by(Document.id)
        else:
            query = query.where(Document.active_until.is_(None)).order_by(Document.id)
        if limit is not None:
            query = query.limit(limit)
        docs = list(session.scalars(query))
        if held is None:
            held = held_ids(session, [d.id for d in docs])
        triggers = ({c.code: c.active_trigger for c in list_effective(session)}
                    if kind == "awaiting" else {})
        rows = []
        for doc in docs:
            next_phase, due_on = _next_change(doc, day)
            if kind == "awaiting":
                trigger = triggers.get(doc.classification_code)
                if trigger in (None, retention.DOCUMENT_DATE):
                    continue  # no rule at all (scheme gap), not an awaited event
            rows.append(ReportRow(
                id=doc.id, number=None if doc.personal else doc.number,
                title=listed_title(doc.title, doc.personal),
                classification=doc.classification_code, document_date=doc.document_date,
                security=doc.security, active_until=doc.active_until,
                inactive_until=doc.inactive_until, final_fate=doc.final_fate,
                phase=retention.phase_on(doc.active_until, doc.inactive_until, doc.final_fate,
                                         day) if doc.final_fate else doc.phase,
                next_phase=next_phase, due_on=due_on, on_hold=doc.id in held,
                note=doc.retention_note))
    if kind == "upcoming":
        rows.sort(key=lambda r: (r.due_on or day, r.id))
    return Report(kind=kind, as_of=day, months=months, until=until, total=len(rows),
                  results=rows)


REPORT_COLUMNS = ("id", "number", "title", "classification", "document_date", "security",
                  "active_until", "inactive_until", "final_fate", "phase", "next_phase",
                  "due_on", "on_hold", "note")


def view_report(archive: Archive, principal: Principal, kind: str, *, months: int = 12,
                client_addr: str | None = None) -> Report:
    """Return a report for the browser's page; its titles are read, so audit it
    (`retention.view`)."""
    result = report(archive, principal, kind, months=months)
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "retention.view",
                     details={"kind": result.kind, "as_of": result.as_of.isoformat(),
                              "months": result.months, "rows": len(result.results)})
    return result


def read_report(archive: Archive, principal: Principal, kind: str, *, months: int = 12,
                as_of: dt.date | None = None, client_addr: str | None = None) -> Report:
    """Return a report for a door that hands its rows over whole (the API's JSON); audit it.

    The rows carry titles, so reading them this way is recorded like an export
    (`retention.export`, format `json`).
    """
    result = report(archive, principal, kind, months=months, as_of=as_of)
    _audit_export(archive, principal, result, "json", client_addr)
    return result


# Column headings of the exports as people read them (message templates).
REPORT_HEADERS = {
    "id": N_("ID"), "number": N_("Nomor"), "title": N_("Judul"),
    "classification": N_("Kode klasifikasi"), "document_date": N_("Tanggal dokumen"),
    "security": N_("Klasifikasi keamanan"), "active_until": N_("Masa aktif berakhir"),
    "inactive_until": N_("Masa inaktif berakhir"), "final_fate": N_("Nasib akhir"),
    "phase": N_("Fase"), "next_phase": N_("Fase berikutnya"), "due_on": N_("Jatuh tempo"),
    "on_hold": N_("Ditahan"), "note": N_("Catatan"),
}


@dataclass(frozen=True)
class Wording:
    """How an export speaks to a person: the door's translation and its way of writing a date.

    Without one, an export keeps the codes and ISO 8601 dates (for programs: the API, the CLI).
    """

    translate: Callable[[str], str]
    day: Callable[[dt.date], str]


def _export_value(row: ReportRow, column: str, fmt: str, wording: Wording | None) -> object:
    value = getattr(row, column)
    if wording is None:
        return ("ya" if value else "tidak") if column == "on_hold" else value
    say = wording.translate
    if column == "on_hold":
        return say(N_("ya") if value else N_("tidak"))
    if column == "security":
        return say(SECURITY_LABELS[value])
    if column in ("phase", "next_phase") and value:
        return say(PHASE_LABELS.get(value, value))
    if column == "final_fate" and value:
        return say(FATE_LABELS.get(value, value))
    if isinstance(value, dt.date) and fmt == "csv":
        return wording.day(value)  # a spreadsheet keeps real date cells instead
    return value


def export_report(archive: Archive, principal: Principal, kind: str, fmt: str, *,
                  months: int = 12, as_of: dt.date | None = None,
                  client_addr: str | None = None,
                  wording: Wording | None = None) -> tuple[bytes, str]:
    """Return a report as CSV or XLSX bytes and its file name; audit the export.

    With `wording` (the browser's export), headings and values are in the reader's language
    and dates written out; XLSX keeps typed date cells, shown as "7 Desember 2026".
    """
    from earsip import tabular

    if fmt not in ("csv", "xlsx"):
        raise ValidationError("Format ekspor harus csv atau xlsx.", field="format")
    result = report(archive, principal, kind, months=months, as_of=as_of)
    rows = [[_export_value(r, c, fmt, wording) for c in REPORT_COLUMNS] for r in result.results]
    headers = [wording.translate(REPORT_HEADERS[c]) for c in REPORT_COLUMNS] if wording \
        else list(REPORT_COLUMNS)
    if fmt == "csv":
        body = tabular.to_csv(headers, rows)
    else:
        body = tabular.to_xlsx(headers, rows, title=f"retensi {kind}",
                               date_format="d mmmm yyyy" if wording else "yyyy-mm-dd")
    name = f"retensi-{kind}-{result.as_of.isoformat()}.{fmt}"
    _audit_export(archive, principal, result, fmt, client_addr)
    return body, name


def _audit_export(archive: Archive, principal: Principal, result: Report, fmt: str,
                  client_addr: str | None) -> None:
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "retention.export",
                     details={"kind": result.kind, "format": fmt,
                              "as_of": result.as_of.isoformat(), "months": result.months,
                              "rows": len(result.results)})
