"""The PPID's registers on paper: the Buku Register Permohonan Informasi Publik and the
Register Keberatan of a year (or a period in it) as CSV, XLSX or PDF, every export audited.

A register holds the cases the reader may read, by the same rule as the register of cases on
screen (`views.readable`, asked of each row). Personal data stays with the case's owner: the
identity number is always masked; the address, occupation, telephone and e-mail of a requester
are written only for a reader who holds the role that owns the case (the PPID for requests, the
Atasan PPID for objections), and left blank for anyone else (an auditor, the desk), as the case
page shows them only to its owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit, paperwork_cases, tabular, workdays
from earsip.access import Principal
from earsip.errors import N_, ValidationError
from earsip.models import Case, CasePerson, utcnow
from earsip.paperwork_words import formal_date, local_moment
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import calendar, views

FORMATS = ("csv", "xlsx", "pdf")
XLSX_DATE = "[$-421]d mmmm yyyy"
OUTCOME_WORDS = {"dikabulkan": "Dikabulkan", "dikabulkan_sebagian": "Dikabulkan sebagian",
                 "ditolak": "Ditolak", "tidak_dikuasai": "Informasi tidak dikuasai"}
OBTAIN_WORDS = {"melihat": "Melihat", "membaca": "Membaca", "mendengarkan": "Mendengarkan",
                "mencatat": "Mencatat", "salinan_hardcopy": "Salinan (hardcopy)",
                "salinan_softcopy": "Salinan (softcopy)"}
COPY_WORDS = {"ambil_langsung": "Mengambil langsung", "kurir": "Kurir", "pos": "Pos",
              "faksimili": "Faksimili", "email": "E-mail"}
STATUS_WORDS = {"registered": "terdaftar", "in_progress": "diproses", "answered": "dijawab",
                "closed": "selesai"}
# UU 14/2008 Pasal 35 ayat (1): the reasons an objection may be brought.
REASONS = {
    "a": N_("penolakan atas permintaan informasi berdasarkan alasan pengecualian (Pasal 17)"),
    "b": N_("tidak disediakannya informasi berkala (Pasal 9)"),
    "c": N_("tidak ditanggapinya permintaan informasi"),
    "d": N_("permintaan informasi ditanggapi tidak sebagaimana yang diminta"),
    "e": N_("tidak dipenuhinya permintaan informasi"),
    "f": N_("pengenaan biaya yang tidak wajar"),
    "g": N_("penyampaian informasi yang melebihi waktu yang diatur"),
}


@dataclass(frozen=True)
class Period:
    """The year of a register and, within it, the days wanted (inclusive)."""

    year: int
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def bounds(self) -> tuple[dt.date, dt.date]:
        """Return the first and last day covered, checking they lie in the year."""
        if not calendar.FIRST_YEAR <= self.year <= calendar.LAST_YEAR:
            raise ValidationError("Tahun di luar rentang kalender (%(first)d–%(last)d).",
                                  field="year", params={"first": calendar.FIRST_YEAR,
                                                        "last": calendar.LAST_YEAR})
        start = self.date_from or dt.date(self.year, 1, 1)
        end = self.date_to or dt.date(self.year, 12, 31)
        if start.year != self.year or end.year != self.year:
            raise ValidationError("Rentang tanggal harus di dalam tahun %(year)d.",
                                  field="from", params={"year": self.year})
        if end < start:
            raise ValidationError("Tanggal akhir lebih awal dari tanggal mulai.", field="to")
        return start, end


def check_format(fmt: str, formats: Sequence[str] = FORMATS) -> None:
    """Refuse a file format the export does not make."""
    if fmt not in formats:
        raise ValidationError("Format ekspor harus salah satu dari: %(choices)s.",
                              field="format", params={"choices": ", ".join(formats)})


def readable_cases(session: Session, principal: Principal, case_type: str, start: dt.date,
                   end: dt.date) -> list[Case]:
    """Return the cases of `case_type` received from `start` to `end` that the principal may
    read (the register's rule, `views.readable`), in the order of their numbers."""
    rows = session.scalars(select(Case).where(
        Case.type == case_type, Case.received_on >= start, Case.received_on <= end)
        .order_by(Case.received_on, Case.reg_year, Case.reg_seq, Case.id))
    return [c for c in rows if views.readable(principal, c)]


def ensure_calendar(archive: Archive, start: dt.date, end: dt.date) -> None:
    """Seed the calendar years the clocks of `start`..`end` read (a write of its own, so the
    registers and the report read in one read transaction)."""
    last = end + dt.timedelta(days=366)
    with archive.db.write() as session:
        calendar.ensure_years(session, range(start.year, last.year + 1))


def decided_on(archive: Archive, case: Case) -> dt.date | None:
    """Return the office's day of the written decision on a case, if any."""
    return None if case.decided_at is None else archive.local_date(case.decided_at)


def working_days(cal: workdays.WorkCalendar, case: Case, day: dt.date | None) -> int | None:
    """Return the working days after the day of receipt up to `day` (None without a day)."""
    if day is None:
        return None
    return workdays.days_between(case.received_on, day, "working", cal)


def timeliness(case: Case, decided: dt.date | None, today: dt.date) -> str:
    """Return how a case stands to its clock: within_time (by its first due date),
    within_extension, late, open (not decided, not yet due) or overdue."""
    if decided is None:
        return "overdue" if case.due_date is not None and today > case.due_date else "open"
    if case.first_due_date is None or decided <= case.first_due_date:
        return "within_time"
    if case.due_date is not None and decided <= case.due_date:
        return "within_extension"
    return "late"


def _applicant(session: Session, case: Case) -> CasePerson | None:
    return session.scalar(select(CasePerson).where(
        CasePerson.case_id == case.id, CasePerson.role == "pemohon").order_by(CasePerson.id)
        .limit(1))


def _day(value: dt.date | None, fmt: str) -> object:
    if value is None:
        return ""
    return value if fmt == "xlsx" else formal_date(value)


def _decision(case: Case) -> str:
    if case.outcome is None:
        return ""
    words = OUTCOME_WORDS.get(case.outcome, case.outcome)
    if case.exemption:
        words += f" ({case.exemption})"
    return words


def _term(case: Case, fmt: str) -> object:
    if case.due_date is None:
        return ""
    if case.extended_at is None or case.first_due_date is None:
        return _day(case.due_date, fmt)
    return (f"{formal_date(case.due_date)}, diperpanjang dari {formal_date(case.first_due_date)}"
            f" ({case.extension_reason or '-'})")


_STANDING = {"within_time": "tepat waktu", "within_extension": "dalam masa perpanjangan",
             "late": "terlambat", "open": "belum diputus", "overdue": "belum diputus, lewat "
             "jangka waktu"}


def _remark(case: Case, taken: int | None, standing: str) -> str:
    words = STATUS_WORDS.get(case.status, case.status)
    if taken is not None:
        words += f"; diputus {taken} hari kerja setelah diterima"
    words += f"; {_STANDING[standing]}"
    if case.delivery_method:
        words += f"; disampaikan melalui {case.delivery_method}"
    return words


def _contact(person: CasePerson | None) -> str:
    if person is None:
        return ""
    return " / ".join(v for v in (person.phone, person.email) if v)


def request_rows(archive: Archive, principal: Principal, period: Period,
                 fmt: str = "csv") -> list[list[object]]:
    """Return the rows of the Buku Register Permohonan (see the module for personal data)."""
    start, end = period.bounds()
    ensure_calendar(archive, start, max(end, archive.local_today()))
    today = archive.local_today()
    rows: list[list[object]] = []
    with archive.db.read() as session:
        cal = calendar.load(session, start, max(end, today))
        for n, case in enumerate(readable_cases(session, principal, "permohonan_informasi",
                                                start, end), start=1):
            person = _applicant(session, case)
            mine = views.owns(principal, case)
            details = dict(case.details or {})
            decided = decided_on(archive, case)
            taken = working_days(cal, case, decided)
            rows.append([
                n, case.registration_number, _day(case.received_on, fmt),
                person.name if person else "",
                (views.mask(person.identity_number) or "") if person else "",
                (person.address or "") if person and mine else "",
                (person.occupation or "") if person and mine else "",
                _contact(person) if mine else "",
                details.get("information") or case.summary, details.get("purpose") or "",
                OBTAIN_WORDS.get(str(details.get("obtain_method")), ""),
                COPY_WORDS.get(str(details.get("copy_method")), ""),
                _decision(case), _day(decided, fmt), _term(case, fmt),
                _remark(case, taken, timeliness(case, decided, today))])
    return rows


def objection_rows(archive: Archive, principal: Principal, period: Period,
                   fmt: str = "csv") -> list[list[object]]:
    """Return the rows of the Register Keberatan (the identity number masked)."""
    start, end = period.bounds()
    rows: list[list[object]] = []
    today = archive.local_today()
    with archive.db.read() as session:
        for n, case in enumerate(readable_cases(session, principal, "keberatan", start, end),
                                 start=1):
            person = _applicant(session, case)
            request = None if case.related_id is None else session.get(Case, case.related_id)
            details = dict(case.details or {})
            reason = str(details.get("reason") or "")
            decided = decided_on(archive, case)
            standing = timeliness(case, decided, today)
            remark = STATUS_WORDS.get(case.status, case.status) + f"; {_STANDING[standing]}"
            if case.timely is False:
                remark += "; diajukan melewati batas waktu"
            rows.append([
                n, case.registration_number, _day(case.received_on, fmt),
                request.registration_number if request else (case.external_number or ""),
                person.name if person else "",
                f"{reason}. {REASONS[reason]}" if reason in REASONS else reason,
                details.get("description") or case.summary,
                _decision(case) + (f": {case.decision_note}" if case.decision_note else ""),
                _day(decided, fmt), remark])
    return rows


def export_register(archive: Archive, principal: Principal, kind: str, period: Period,
                    fmt: str, *, client_addr: str | None = None) -> tuple[bytes, str]:
    """Return the register of `kind` ("requests" or "objections") as CSV, XLSX or PDF, and its
    file name; audit the export (`case.export`)."""
    require(principal, "case.read")
    check_format(fmt)
    if kind not in paperwork_cases.REGISTERS:
        raise ValidationError("Register tidak dikenal: %(value)s.", field="kind",
                              params={"value": kind[:40]})
    rows = (request_rows if kind == "requests" else objection_rows)(
        archive, principal, period, fmt)
    spec = paperwork_cases.REGISTERS[kind]
    headers = list(spec.columns)
    if fmt == "csv":
        body = tabular.to_csv(headers, rows)
    elif fmt == "xlsx":
        body = tabular.to_xlsx(headers, rows, title=spec.short, date_format=XLSX_DATE)
    else:
        start, end = period.bounds()
        now = utcnow()
        body = paperwork_cases.register_pdf(paperwork_cases.CaseRegister(
            kind=kind, office=archive.config.office_name, year=period.year, date_from=start,
            date_to=end, rows=rows, printed_at=now, zone=archive.config.timezone))
    audit_export(archive, principal, kind, fmt, period, len(rows), client_addr)
    stamp = local_moment(utcnow(),
                         archive.config.timezone).date().isoformat()
    return body, f"{spec.filename}-{period.year}-{stamp}.{fmt}"


def audit_export(archive: Archive, principal: Principal, kind: str, fmt: str, period: Period,
                 count: int, client_addr: str | None) -> None:
    """Record that a register or the annual report left the system, and in which form."""
    details: dict[str, object] = {"register": kind, "format": fmt, "year": period.year,
                                  "rows": count}
    if period.date_from:
        details["from"] = period.date_from.isoformat()
    if period.date_to:
        details["to"] = period.date_to.isoformat()
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "case.export", details=details)
