"""The annual Laporan Layanan Informasi Publik (UU 14/2008; due 31 March of the next year):
the requests received in a year, the time taken for each in working days after the day of
receipt (on the office's calendar), how they were decided, the exemptions cited, the objections
and their outcomes, the disputes, month by month; as figures (the API's JSON), PDF or XLSX.

The figures count the cases the reader may read (`views.readable`), as the registers do; no
personal data is in them.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter

from earsip import paperwork_cases, tabular
from earsip.access import Principal
from earsip.models import Case, utcnow
from earsip.schemas.case_reports import (
    Disputes,
    ExemptionCount,
    InformationServiceReport,
    MonthFigures,
    Objections,
    Outcomes,
    ReasonCount,
    RequestTime,
    Timeliness,
)
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import calendar, papers

REPORT_FORMATS = ("json", "pdf", "xlsx")
_OUTCOME_FIELDS = {"dikabulkan": "granted", "dikabulkan_sebagian": "granted_in_part",
                   "ditolak": "refused", "tidak_dikuasai": "not_held"}


def _outcomes(cases: list[Case]) -> Outcomes:
    counts: Counter[str] = Counter()
    for case in cases:
        counts[_OUTCOME_FIELDS.get(case.outcome, "open") if case.outcome else "open"] += 1
    return Outcomes(**counts)


def _exemption(text: str) -> str:
    return " ".join(text.split())


def report(archive: Archive, principal: Principal, year: int) -> InformationServiceReport:
    """Return the figures of `year` (the requests the principal may read)."""
    require(principal, "case.read")
    start, end = papers.Period(year).bounds()
    today = archive.local_today()
    papers.ensure_calendar(archive, start, max(end, today))
    with archive.db.read() as session:
        cal = calendar.load(session, start, max(end, today))
        requests = papers.readable_cases(session, principal, "permohonan_informasi", start, end)
        objections = papers.readable_cases(session, principal, "keberatan", start, end)
        disputes = papers.readable_cases(session, principal, "sengketa_proses", start, end)
        items: list[RequestTime] = []
        for case in requests:
            decided = papers.decided_on(archive, case)
            items.append(RequestTime(
                registration_number=case.registration_number, received_on=case.received_on,
                due_date=case.due_date, first_due_date=case.first_due_date,
                extended=case.extended_at is not None, decided_on=decided,
                working_days=papers.working_days(cal, case, decided), outcome=case.outcome,
                timeliness=papers.timeliness(case, decided, today)))
        objection_standing = [papers.timeliness(c, papers.decided_on(archive, c), today)
                              for c in objections]
        reasons = Counter(str((c.details or {}).get("reason") or "") for c in objections)
        received = Counter(i.received_on.month for i in items)
        decided_in = Counter(i.decided_on.month for i in items
                             if i.decided_on is not None and i.decided_on.year == year)
        objected = Counter(c.received_on.month for c in objections)
        months = [MonthFigures(month=m, requests=received[m], decided=decided_in[m],
                               objections=objected[m]) for m in range(1, 13)]
        refused = Counter(_exemption(c.exemption) for c in requests
                          if c.outcome == "ditolak" and c.exemption)
        outcomes = _outcomes(requests)
        objection_figures = Objections(
            received=len(objections), filed_late=sum(1 for c in objections if c.timely is False),
            outcomes=_outcomes(objections),
            answered_late=objection_standing.count("late"),
            by_reason=[ReasonCount(reason=r, words=str(papers.REASONS[r]), count=reasons[r])
                       for r in papers.REASONS if reasons[r]])
        dispute_figures = Disputes(received=len(disputes),
                                   decided=sum(1 for c in disputes if c.outcome),
                                   open=sum(1 for c in disputes if not c.outcome))
    taken = [i.working_days for i in items if i.working_days is not None]
    standing = Counter(i.timeliness for i in items)
    return InformationServiceReport(
        year=year, due_on=dt.date(year + 1, 3, 31), generated_on=today, requests=len(items),
        timeliness=Timeliness(
            decided=len(taken),
            average_days=round(statistics.fmean(taken), 1) if taken else None,
            median_days=float(statistics.median(taken)) if taken else None,
            longest_days=max(taken) if taken else None,
            within_time=standing["within_time"], within_extension=standing["within_extension"],
            late=standing["late"], extended=sum(1 for i in items if i.extended),
            open=standing["open"] + standing["overdue"], open_overdue=standing["overdue"]),
        outcomes=outcomes,
        exemptions=[ExemptionCount(exemption=e, count=n)
                    for e, n in sorted(refused.items(), key=lambda p: (-p[1], p[0]))],
        objections=objection_figures, disputes=dispute_figures, months=months, items=items)


def figure_rows(r: InformationServiceReport) -> list[list[object]]:
    """Return the report as (section, item, value) rows: the XLSX sheet and the PDF's tables."""
    t, o, k = r.timeliness, r.outcomes, r.objections
    rows: list[list[object]] = [
        ["Permohonan", "Permohonan informasi diterima", r.requests],
        ["Waktu", "Sudah diputus", t.decided],
        ["Waktu", "Rata-rata waktu (hari kerja)", t.average_days if t.average_days is not None
         else "-"],
        ["Waktu", "Median waktu (hari kerja)", t.median_days if t.median_days is not None
         else "-"],
        ["Waktu", "Waktu terlama (hari kerja)", t.longest_days if t.longest_days is not None
         else "-"],
        ["Waktu", "Diputus dalam 10 hari kerja", t.within_time],
        ["Waktu", "Diputus dalam masa perpanjangan", t.within_extension],
        ["Waktu", "Diputus melewati jangka waktu", t.late],
        ["Waktu", "Diperpanjang", t.extended],
        ["Waktu", "Belum diputus", t.open],
        ["Waktu", "Belum diputus, lewat jangka waktu", t.open_overdue],
        ["Keputusan", "Dikabulkan seluruhnya", o.granted],
        ["Keputusan", "Dikabulkan sebagian", o.granted_in_part],
        ["Keputusan", "Ditolak", o.refused],
        ["Keputusan", "Informasi tidak dikuasai", o.not_held],
        ["Keputusan", "Belum diputus", o.open],
    ]
    rows += [["Pengecualian", e.exemption, e.count] for e in r.exemptions]
    rows += [
        ["Keberatan", "Keberatan diterima", k.received],
        ["Keberatan", "Diajukan melewati batas waktu", k.filed_late],
        ["Keberatan", "Dikabulkan", k.outcomes.granted],
        ["Keberatan", "Dikabulkan sebagian", k.outcomes.granted_in_part],
        ["Keberatan", "Ditolak", k.outcomes.refused],
        ["Keberatan", "Belum ditanggapi", k.outcomes.open],
        ["Keberatan", "Ditanggapi melewati jangka waktu", k.answered_late],
    ]
    rows += [["Alasan keberatan", f"{c.reason}. {c.words}", c.count] for c in k.by_reason]
    rows += [["Sengketa", "Sengketa proses diterima", r.disputes.received],
             ["Sengketa", "Sudah diputus", r.disputes.decided],
             ["Sengketa", "Belum diputus", r.disputes.open]]
    rows += [["Per bulan", f"{paperwork_cases.MONTHS[m.month - 1]}: permohonan / diputus / "
              "keberatan", f"{m.requests} / {m.decided} / {m.objections}"] for m in r.months]
    return rows


def export_report(archive: Archive, principal: Principal, year: int, fmt: str, *,
                  client_addr: str | None = None) -> tuple[bytes, str]:
    """Return the annual report as PDF or XLSX and its file name; audit the export."""
    papers.check_format(fmt, ("pdf", "xlsx"))
    figures = report(archive, principal, year)
    if fmt == "xlsx":
        body = tabular.to_xlsx(["Bagian", "Uraian", "Jumlah"], figure_rows(figures),
                               title=f"Laporan Layanan {year}")
    else:
        body = paperwork_cases.report_pdf(paperwork_cases.AnnualReport(
            office=archive.config.office_name, figures=figures, rows=figure_rows(figures),
            printed_at=utcnow(),
            zone=archive.config.timezone))
    papers.audit_export(archive, principal, "report", fmt, papers.Period(year),
                        figures.requests, client_addr)
    return body, f"laporan-layanan-informasi-publik-{year}.{fmt}"
