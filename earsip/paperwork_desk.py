"""The front desk's paper as PDF (reportlab): the lembar disposisi of a letter and the agenda
registers (surat masuk, surat keluar) in their legal layout.

Plain values in, PDF bytes out, drawn with the paperwork layer's fonts, blocks and numbered
pages (`paperwork_layout`), dates written the Indonesian way (`paperwork_words`). Every piece of
user text is escaped and reduced to what the font can draw, as in the other paperwork.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from earsip import paperwork
from earsip.paperwork_fonts import _load_fonts, _plain
from earsip.paperwork_layout import _PORTRAIT_WIDTH, _Layout
from earsip.paperwork_words import formal_date, formal_moment, local_moment, number_in_words

# Column headings of the registers, shared with their CSV and XLSX exports.
INCOMING_COLUMNS = ("No.", "Nomor Agenda", "Tanggal Diterima", "Nomor Surat", "Tanggal Surat",
                    "Pengirim", "Perihal", "Kode Klasifikasi", "Sifat", "Keterangan")
OUTGOING_COLUMNS = ("No.", "Nomor Surat", "Tanggal", "Perihal", "Tujuan", "Kode Klasifikasi",
                    "Penanda Tangan", "Status")
_WIDTHS = {"masuk": (10, 22, 26, 40, 22, 34, 41, 22, 22, 28),
           "keluar": (10, 45, 26, 75, 45, 22, 24, 20)}
_TITLES = {"masuk": "AGENDA SURAT MASUK", "keluar": "AGENDA SURAT KELUAR"}
# Rows a sheet always offers, filled or not: room for the handwritten steps.
SHEET_ROWS = 8
MIN_BLANK_ROWS = 2
# A long note would push the sheet onto a second page; the whole note stays in the system.
SHEET_NOTE_CHARS = 600
_GREY = colors.Color(0.88, 0.88, 0.88)


@dataclass(frozen=True)
class SheetStep:
    """One routing step printed on a sheet: to whom, from whom, what, by when, sent when."""

    to: str
    sender: str
    instruction: str
    sent_on: dt.date
    note: str = ""
    due: dt.date | None = None
    done_on: dt.date | None = None


@dataclass(frozen=True)
class DispositionSheet:
    """The facts of a lembar disposisi; moments are stored (naive UTC) ones, shown in `zone`."""

    office: str
    agenda_number: str
    received_at: dt.datetime
    security: str
    urgency: str
    letter_number: str
    letter_date: dt.date
    sender: str
    subject: str
    classification: str
    printed_at: dt.datetime
    zone: str = "Asia/Jakarta"
    deadline: dt.date | None = None
    note: str = ""
    steps: Sequence[SheetStep] = field(default_factory=tuple)


@dataclass(frozen=True)
class Register:
    """An agenda register: its kind, office, period and rows (already written as text)."""

    kind: Literal["masuk", "keluar"]
    office: str
    rows: Sequence[Sequence[object]]
    printed_at: dt.datetime
    zone: str = "Asia/Jakarta"
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    filters: str = ""


def period_words(date_from: dt.date | None, date_to: dt.date | None) -> str:
    """Return the period of a register in words: 1 Desember 2026 s.d. 7 Desember 2026."""
    if date_from and date_to:
        return f"{formal_date(date_from)} s.d. {formal_date(date_to)}"
    if date_from:
        return f"sejak {formal_date(date_from)}"
    if date_to:
        return f"sampai dengan {formal_date(date_to)}"
    return "semua tanggal"


class _DeskWriter(_Layout):
    """Write the desk's paper in one font set."""

    def _grid(self, data: list[list[Any]], widths: Sequence[float], **kwargs: Any) -> Table:
        table = Table(data, colWidths=list(widths), **kwargs)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]))
        return table

    def _label(self, text: str) -> Any:
        return self.para(f"<b>{self.text(text)}</b>", self.cell)

    def _value(self, value: object) -> Any:
        return self.para(self.text(value), self.cell)

    def sheet(self, s: DispositionSheet) -> bytes:
        """Render one lembar disposisi (A4 portrait)."""
        story: list[Flowable] = self.heading(s.office, "LEMBAR DISPOSISI", "Nomor Agenda",
                                             s.agenda_number)
        lab, val, width = self._label, self._value, _PORTRAIT_WIDTH
        facts = [
            [lab("Nomor Agenda"), val(s.agenda_number), lab("Tanggal Diterima"),
             val(formal_moment(s.received_at, s.zone))],
            [lab("Nomor Surat"), val(s.letter_number), lab("Tanggal Surat"),
             val(formal_date(s.letter_date))],
            [lab("Klasifikasi Keamanan"), val(s.security), lab("Sifat"), val(s.urgency)],
            [lab("Batas Waktu"), val(formal_date(s.deadline) if s.deadline else ""),
             lab("Kode Klasifikasi"), val(s.classification)],
            [lab("Pengirim"), val(s.sender), "", ""],
            [lab("Perihal / Ringkasan"), val(s.subject), "", ""],
        ]
        table = self._grid(facts, [28 * mm, 62 * mm, 26 * mm, width - 116 * mm])
        table.setStyle(TableStyle([("SPAN", (1, 4), (3, 4)), ("SPAN", (1, 5), (3, 5)),
                                   ("BACKGROUND", (0, 0), (0, -1), _GREY),
                                   ("BACKGROUND", (2, 0), (2, 3), _GREY)]))
        story += [table, Spacer(1, 5 * mm), self._steps(s.steps, width), Spacer(1, 5 * mm)]
        note = _plain(s.note).strip()
        if len(note) > SHEET_NOTE_CHARS:
            note = note[:SHEET_NOTE_CHARS].rstrip() + "..."
        box = self._grid([[lab("Catatan")], [val(note)]], [width],
                         rowHeights=[None, 24 * mm])
        story += [box, Spacer(1, 3 * mm),
                  self.para(f"Dicetak dari E-Arsip pada {formal_moment(s.printed_at, s.zone)}",
                            self.cell)]
        return self.render(
            story, first="portrait", day=local_moment(s.printed_at, s.zone).date(),
            title=f"Lembar Disposisi {_plain(s.agenda_number)}", author=_plain(s.office),
            subject="Lembar disposisi", label=f"Lembar Disposisi Nomor Agenda {s.agenda_number}",
        )

    def _steps(self, steps: Sequence[SheetStep], width: float) -> Table:
        """Return the routing table: the steps made, then empty rows to write on."""
        head = ["No.", "Diteruskan kepada", "Dari", "Instruksi / Catatan", "Batas Waktu",
                "Paraf dan Tanggal"]
        data: list[list[Any]] = [[self.para(h, self.head) for h in head]]
        for n, step in enumerate(steps, start=1):
            what = f"<b>{self.text(step.instruction)}</b>"
            if step.note:
                what += f"<br/>{self.text(step.note)}"
            signed = f"dikirim {formal_date(step.sent_on)}"
            if step.done_on:
                signed += f"<br/>selesai {formal_date(step.done_on)}"
            data.append([self.para(str(n), self.cell_center), self._value(step.to),
                         self._value(step.sender), self.para(what, self.cell),
                         self._value(formal_date(step.due) if step.due else ""),
                         self.para(signed, self.cell)])
        blank = max(MIN_BLANK_ROWS, SHEET_ROWS - len(steps))
        for n in range(len(steps) + 1, len(steps) + blank + 1):
            data.append([self.para(str(n), self.cell_center), "", "", "", "", ""])
        widths = [m * mm for m in (10, 32, 27, 46, 24)]
        widths.append(width - sum(widths))
        heights: list[float | None] = [None] * (len(steps) + 1) + [10 * mm] * blank
        table = self._grid(data, widths, rowHeights=heights, repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), _GREY)]))
        return table

    def register(self, r: Register) -> bytes:
        """Render an agenda register (landscape A4, its header repeated on every page)."""
        title = _TITLES[r.kind]
        columns = INCOMING_COLUMNS if r.kind == "masuk" else OUTGOING_COLUMNS
        period = period_words(r.date_from, r.date_to)
        story: list[Flowable] = [
            self.para(self.text(r.office.upper()), self.kop),
            self.para(title, self.title),
            self.para(f"Periode: {self.text(period)}", self.center),
        ]
        if r.filters:
            story.append(self.para(self.text(r.filters), self.center))
        story.append(Spacer(1, 4 * mm))
        data: list[list[Any]] = [[self.para(h, self.head) for h in columns]]
        for row in r.rows:
            if len(row) != len(columns):
                raise ValueError(f"row has {len(row)} cells, the register has {len(columns)}")
            data.append([self.para(self.text(v), self.cell_center if i == 0 else self.cell)
                         for i, v in enumerate(row)])
        table = self._grid(data, [m * mm for m in _WIDTHS[r.kind]], repeatRows=1,
                           splitInRow=1)
        table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), _GREY),
                                   ("VALIGN", (0, 0), (-1, 0), "MIDDLE")]))
        count = len(r.rows)
        story += [table, Spacer(1, 3 * mm), self.para(
            f"Jumlah: <b>{count} ({number_in_words(count)}) surat</b>. Dicetak dari E-Arsip "
            f"pada {formal_moment(r.printed_at, r.zone)}.", self.left)]
        name = title.title()
        return self.render(
            story, first="landscape", day=local_moment(r.printed_at, r.zone).date(),
            title=f"{name} {period}", author=_plain(r.office), subject=name,
            label=f"{name}, {r.office}, {period}",
        )


def disposition_sheet_pdf(sheet: DispositionSheet) -> bytes:
    """Render a letter's lembar disposisi: its facts, its steps, empty rows to write on."""
    return _DeskWriter(_load_fonts(paperwork.FONT_DIR)).sheet(sheet)


def register_pdf(register: Register) -> bytes:
    """Render an agenda register (surat masuk or surat keluar) in its legal layout."""
    return _DeskWriter(_load_fonts(paperwork.FONT_DIR)).register(register)
