"""The desk's paper: a letter's lembar disposisi, and the agenda registers (surat masuk,
surat keluar) exported as CSV, XLSX or PDF in their legal layout.

Everything is limited to what the reader may see, as on the screen; the registers hold every
row matching the filters (not one page of them), oldest first as in the agenda book. Dates are
written the Indonesian way and times in the office's zone; the XLSX keeps typed date cells
shown in Indonesian (`[$-421]`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from earsip import audit, paperwork_desk, tabular
from earsip.access import SECURITY_LABELS, Principal
from earsip.errors import ValidationError
from earsip.models import Disposition, User
from earsip.paperwork_words import formal_date, formal_moment, local_moment, zone_name
from earsip.schemas.desk import IncomingLetterOut, LetterPage, OutgoingOut, OutgoingPage
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.desk import letters, outgoing
from earsip.services.desk.views import RegisterQuery, readable_letter

FORMATS = ("csv", "xlsx", "pdf")
PAGE = 200
URGENCY_WORDS = {"biasa": "Biasa", "segera": "Segera", "amat_segera": "Amat Segera"}
LETTER_STATUS_WORDS = {"registered": "dicatat", "disposed": "didisposisikan", "done": "selesai"}
NUMBER_STATUS_WORDS = {"issued": "menunggu surat", "reserved": "dipesan",
                       "filed": "diarsipkan", "cancelled": "batal"}
FILTER_STATUS_WORDS = {**LETTER_STATUS_WORDS, **NUMBER_STATUS_WORDS, "no_scan": "menunggu pindaian",
                       "waiting": "belum ada suratnya"}
# Excel and LibreOffice show these in Indonesian whatever their own language (LCID 0421).
XLSX_DATE = "[$-421]d mmmm yyyy"


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError("Format ekspor harus salah satu dari: %(choices)s.",
                              field="format", params={"choices": ", ".join(FORMATS)})


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-") or "surat"


# --------------------------------------------------------------------------- lembar disposisi


def disposition_sheet(archive: Archive, principal: Principal, letter_id: int, *,
                      client_addr: str | None = None) -> tuple[bytes, str]:
    """Return a letter's lembar disposisi as a PDF, and its file name; audit the print."""
    zone = archive.config.timezone
    with archive.db.read() as session:
        letter = readable_letter(session, principal, letter_id)
        steps = list(session.scalars(select(Disposition).where(
            Disposition.letter_id == letter.id, Disposition.status != "withdrawn")
            .order_by(Disposition.id)))
        ids = {s.to_user_id for s in steps} | {s.from_user_id for s in steps}
        names = {u.id: u.full_name or u.username for u in session.scalars(
            select(User).where(User.id.in_([i for i in ids if i is not None])))}

        def name(user_id: int | None, fallback: str) -> str:
            return names.get(user_id, fallback) if user_id is not None else fallback

        printed = [paperwork_desk.SheetStep(
            to=name(s.to_user_id, s.to_name), sender=name(s.from_user_id, s.from_name),
            instruction=s.instruction, note=s.note or "", due=s.due_date,
            sent_on=local_moment(s.created_at, zone).date(),
            done_on=local_moment(s.done_at, zone).date() if s.done_at else None)
            for s in steps]
        dues = [s.due_date for s in steps if s.due_date is not None]
        sheet = paperwork_desk.DispositionSheet(
            office=archive.config.office_name, agenda_number=letter.agenda_number,
            received_at=letter.received_at, zone=zone,
            security=SECURITY_LABELS.get(letter.security, letter.security),
            urgency=URGENCY_WORDS.get(letter.urgency, letter.urgency),
            letter_number=letter.letter_number, letter_date=letter.letter_date,
            sender=_sender(letter.sender, letter.sender_person), subject=letter.subject,
            classification=letter.classification_code, note=letter.note or "",
            deadline=min(dues) if dues else None, steps=printed,
            printed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))
        agenda = letter.agenda_number
    body = paperwork_desk.disposition_sheet_pdf(sheet)
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "letter.print",
                     target_type="letter", target_id=letter_id,
                     details={"agenda_number": agenda, "steps": len(printed)})
    return body, f"lembar-disposisi-{_slug(agenda)}.pdf"


def _sender(institution: str, person: str | None) -> str:
    return f"{institution} ({person})" if person else institution


# --------------------------------------------------------------------------- agenda registers


def _every(page_of: Callable[[RegisterQuery], LetterPage | OutgoingPage],
           query: RegisterQuery) -> list[Any]:
    """Return every row of a register matching `query`, page by page, each once."""
    seen: dict[int, Any] = {}
    offset = 0
    while True:
        page = page_of(dataclasses.replace(query, limit=PAGE, offset=offset))
        for item in page.items:
            seen.setdefault(item.id, item)
        offset += PAGE
        if not page.items or offset >= page.total:
            return list(seen.values())


def all_letters(archive: Archive, principal: Principal,
                query: letters.LetterQuery) -> list[IncomingLetterOut]:
    """Return every letter matching the filters within clearance, oldest first."""
    found: list[IncomingLetterOut] = _every(
        lambda q: letters.list_letters(archive, principal, q), query)
    return sorted(found, key=lambda i: (i.received_at, i.id))


def all_numbers(archive: Archive, principal: Principal,
                query: outgoing.NumberQuery) -> list[OutgoingOut]:
    """Return every outgoing number matching the filters within clearance, oldest first."""
    found: list[OutgoingOut] = _every(
        lambda q: outgoing.list_numbers(archive, principal, q), query)
    return list(reversed(found))


def _remark(letter: IncomingLetterOut) -> str:
    words = LETTER_STATUS_WORDS.get(letter.status, letter.status)
    first = [d.to for d in letter.dispositions if d.parent_id is None and d.status != "withdrawn"]
    if first:
        words += " kepada " + ", ".join(dict.fromkeys(first))
    if not letter.document_ids:
        words += "; menunggu pindaian"
    return words


def _nature(letter: IncomingLetterOut) -> str:
    words = URGENCY_WORDS.get(letter.urgency, letter.urgency)
    if letter.security != "biasa":
        words += ", " + SECURITY_LABELS.get(letter.security, letter.security)
    return words


def _filters(query: letters.LetterQuery | outgoing.NumberQuery) -> str:
    parts = []
    if query.classification:
        parts.append(f"kode {query.classification.upper()}")
    if query.status:
        parts.append(f"status {FILTER_STATUS_WORDS.get(query.status, query.status)}")
    if query.q:
        parts.append(f"pencarian \"{query.q.strip()[:100]}\"")
    return ("Saringan: " + "; ".join(parts)) if parts else ""


def export_incoming(archive: Archive, principal: Principal, query: letters.LetterQuery,
                    fmt: str, *, client_addr: str | None = None) -> tuple[bytes, str]:
    """Return the agenda surat masuk (every row matching the filters, within clearance) as CSV,
    XLSX or PDF, and its file name; audit the export."""
    _check_format(fmt)
    require(principal, "letter.read")
    zone = archive.config.timezone
    items = all_letters(archive, principal, query)
    rows: list[list[object]] = []
    for n, i in enumerate(items, start=1):
        received: object = formal_moment(i.received_at, zone)
        dated: object = formal_date(i.letter_date)
        if fmt == "xlsx":  # typed cells, shown in Indonesian
            received = local_moment(i.received_at, zone).replace(tzinfo=None)
            dated = i.letter_date
        rows.append([n, i.agenda_number, received, i.letter_number, dated,
                     _sender(i.sender, i.sender_person), i.subject, i.classification,
                     _nature(i), _remark(i)])
    body = _write(archive, "masuk", rows, query, fmt)
    _audit_export(archive, principal, "masuk", fmt, query, len(rows), client_addr)
    return body, f"agenda-surat-masuk-{archive.local_today().isoformat()}.{fmt}"


def export_outgoing(archive: Archive, principal: Principal, query: outgoing.NumberQuery,
                    fmt: str, *, client_addr: str | None = None) -> tuple[bytes, str]:
    """Return the agenda surat keluar (every number matching the filters, within clearance)
    as CSV, XLSX or PDF, and its file name; audit the export."""
    _check_format(fmt)
    require(principal, "letter.read")
    items = all_numbers(archive, principal, query)
    rows: list[list[object]] = []
    for n, o in enumerate(items, start=1):
        status = NUMBER_STATUS_WORDS.get(o.status, o.status)
        if o.status == "cancelled" and o.cancel_reason:
            status += f" ({o.cancel_reason})"
        rows.append([n, o.number, o.letter_date if fmt == "xlsx" else formal_date(o.letter_date),
                     o.subject, o.recipient or "", o.classification,
                     f"{o.signatory} ({o.unit})", status])
    body = _write(archive, "keluar", rows, query, fmt)
    _audit_export(archive, principal, "keluar", fmt, query, len(rows), client_addr)
    return body, f"agenda-surat-keluar-{archive.local_today().isoformat()}.{fmt}"


def _write(archive: Archive, kind: str, rows: list[list[object]],
           query: letters.LetterQuery | outgoing.NumberQuery, fmt: str) -> bytes:
    headers = list(paperwork_desk.INCOMING_COLUMNS if kind == "masuk"
                   else paperwork_desk.OUTGOING_COLUMNS)
    title = f"Agenda Surat {kind.title()}"
    if fmt == "csv":
        return tabular.to_csv(headers, rows)
    if fmt == "xlsx":
        zone = zone_name(archive.local_now())
        return tabular.to_xlsx(headers, rows, title=title, date_format=XLSX_DATE,
                               datetime_format=f'{XLSX_DATE} hh:mm "{zone}"')
    register = paperwork_desk.Register(
        kind="masuk" if kind == "masuk" else "keluar", office=archive.config.office_name,
        rows=rows, printed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        zone=archive.config.timezone, date_from=query.date_from, date_to=query.date_to,
        filters=_filters(query))
    return paperwork_desk.register_pdf(register)


def _audit_export(archive: Archive, principal: Principal, kind: str, fmt: str,
                  query: letters.LetterQuery | outgoing.NumberQuery, count: int,
                  client_addr: str | None) -> None:
    filters = {k: (v.isoformat() if isinstance(v, dt.date) else v)
               for k, v in dataclasses.asdict(query).items()
               if k not in ("limit", "offset") and v not in (None, "")}
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "letter.export",
                     details={"register": kind, "format": fmt, "rows": count,
                              "filters": filters})
