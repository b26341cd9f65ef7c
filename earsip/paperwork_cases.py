"""The PPID's paper as PDF (reportlab): the Buku Register Permohonan Informasi Publik and the
Register Keberatan (landscape A4, the header repeated on every page), and the annual Laporan
Layanan Informasi Publik (portrait A4) with its bar chart of the months drawn by reportlab's
graphics.

Plain values in, PDF bytes out, in the paperwork layer's fonts and numbered pages; user text is
escaped and reduced to what the font can draw, as in the other paperwork.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from earsip import paperwork
from earsip.paperwork_fonts import _Fonts, _load_fonts, _plain
from earsip.paperwork_layout import _LANDSCAPE_WIDTH, _PORTRAIT_WIDTH, _Layout
from earsip.paperwork_words import formal_date, formal_moment, local_moment, number_in_words

MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
_GREY = colors.Color(0.88, 0.88, 0.88)
# The chart's two series: requests, objections.
BAR_COLOURS = (colors.Color(0.16, 0.38, 0.62), colors.Color(0.85, 0.55, 0.13))


@dataclass(frozen=True)
class RegisterSpec:
    """A register's title, its columns (shared with its CSV and XLSX) and their widths."""

    title: str
    short: str
    filename: str
    columns: tuple[str, ...]
    widths: tuple[float, ...]  # mm, summing to the landscape frame's width


REGISTERS = {
    "requests": RegisterSpec(
        "BUKU REGISTER PERMOHONAN INFORMASI PUBLIK", "Register Permohonan",
        "register-permohonan-informasi",
        ("No.", "Nomor Pendaftaran", "Tanggal Permohonan", "Nama", "Nomor Identitas",
         "Alamat", "Pekerjaan", "Telepon / E-mail", "Rincian Informasi", "Tujuan Penggunaan",
         "Cara Memperoleh", "Cara Mendapatkan Salinan", "Keputusan",
         "Tanggal Pemberitahuan Tertulis", "Jangka Waktu", "Keterangan"),
        (6, 19, 17, 16, 23, 17, 15, 19, 18, 16, 15, 15, 16, 20, 18, 17)),
    "objections": RegisterSpec(
        "REGISTER KEBERATAN", "Register Keberatan", "register-keberatan",
        ("No.", "Nomor Registrasi Keberatan", "Tanggal", "Nomor Pendaftaran Permohonan",
         "Nama", "Alasan (UU 14/2008 Pasal 35 ayat (1))", "Uraian",
         "Tanggapan Atasan PPID", "Tanggal Tanggapan", "Keterangan"),
        (8, 24, 20, 24, 24, 42, 42, 36, 20, 27)),
}


@dataclass(frozen=True)
class CaseRegister:
    """A register of a year (or a period in it), its rows already written as text."""

    kind: str
    office: str
    year: int
    date_from: dt.date
    date_to: dt.date
    rows: Sequence[Sequence[object]]
    printed_at: dt.datetime
    zone: str = "Asia/Jakarta"


@dataclass(frozen=True)
class AnnualReport:
    """The annual report: its figures (`schemas.case_reports.InformationServiceReport`) and
    the same figures as (section, item, value) rows."""

    office: str
    figures: Any
    rows: Sequence[Sequence[object]]
    printed_at: dt.datetime
    zone: str = "Asia/Jakarta"


_TIMELINESS = {"within_time": "tepat waktu", "within_extension": "dalam perpanjangan",
               "late": "terlambat", "open": "belum diputus", "overdue": "belum diputus, lewat"}


class _CasesWriter(_Layout):
    """Write the PPID's paper in one font set."""

    def __init__(self, fonts: _Fonts) -> None:
        super().__init__(fonts)
        self.small = ParagraphStyle("small", parent=self.cell, fontSize=6.5, leading=8)
        self.small_head = ParagraphStyle("small_head", parent=self.small, fontSize=6,
                                         leading=7.5, fontName=fonts.bold)

    def _grid(self, data: list[list[Any]], widths: Sequence[float]) -> Table:
        table = Table(data, colWidths=list(widths), repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), _GREY),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]))
        return table

    def register(self, r: CaseRegister) -> bytes:
        """Render a register (landscape A4)."""
        spec = REGISTERS[r.kind]
        period = f"{formal_date(r.date_from)} s.d. {formal_date(r.date_to)}"
        story: list[Flowable] = [
            self.para(self.text(r.office.upper()), self.kop),
            self.para(spec.title, self.title),
            self.para(f"Tahun {r.year}; periode {self.text(period)}", self.center),
            Spacer(1, 4 * mm),
        ]
        data: list[list[Any]] = [[self.para(h, self.small_head) for h in spec.columns]]
        for row in r.rows:
            if len(row) != len(spec.columns):
                raise ValueError(f"row has {len(row)} cells, the register has "
                                 f"{len(spec.columns)}")
            data.append([self.para(self.text(v), self.small) for v in row])
        assert abs(sum(spec.widths) * mm - _LANDSCAPE_WIDTH) < 1, "widths fill the frame"
        count = len(r.rows)
        story += [self._grid(data, [w * mm for w in spec.widths]), Spacer(1, 3 * mm),
                  self.para(f"Jumlah: <b>{count} ({number_in_words(count)})</b>. Dicetak dari "
                            f"E-Arsip pada {formal_moment(r.printed_at, r.zone)}.", self.left)]
        name = spec.title.title()
        return self.render(story, first="landscape",
                           day=local_moment(r.printed_at, r.zone).date(),
                           title=f"{name} {r.year}", author=_plain(r.office), subject=name,
                           label=f"{name}, {r.office}, {period}")

    def chart(self, months: Sequence[Any], width: float) -> Drawing:
        """Return the bar chart of requests and objections received per month."""
        requests = [m.requests for m in months]
        objections = [m.objections for m in months]
        top = max([1, *requests, *objections])
        step = max(1, -(-top // 5))
        drawing = Drawing(width, 72 * mm)
        chart = VerticalBarChart()
        chart.x, chart.y = round(12 * mm), round(14 * mm)
        chart.width, chart.height = round(width - 16 * mm), round(50 * mm)
        chart.data = [tuple(requests), tuple(objections)]
        chart.categoryAxis.categoryNames = [m[:3] for m in MONTHS]
        chart.categoryAxis.labels.fontName = self.fonts.regular
        chart.categoryAxis.labels.fontSize = 7
        chart.valueAxis.labels.fontName = self.fonts.regular
        chart.valueAxis.labels.fontSize = 7
        chart.valueAxis.valueMin = 0
        chart.valueAxis.valueMax = step * -(-top // step)
        chart.valueAxis.valueStep = step
        for i, colour in enumerate(BAR_COLOURS):
            chart.bars[i].fillColor = colour
            chart.bars[i].strokeColor = colour
        drawing.add(chart)
        for i, (colour, label) in enumerate(zip(BAR_COLOURS, ("Permohonan", "Keberatan"),
                                                strict=True)):
            left = 12 * mm + i * 40 * mm
            swatch = Rect(left, 3 * mm, 4 * mm, 3 * mm)
            swatch.fillColor = swatch.strokeColor = colour
            drawing.add(swatch)
            drawing.add(String(left + 6 * mm, 3.4 * mm, label, fontName=self.fonts.regular,
                               fontSize=8))
        return drawing

    def report(self, a: AnnualReport) -> bytes:
        """Render the annual report (portrait A4): the figures, the chart, each request."""
        f = a.figures
        width = _PORTRAIT_WIDTH
        story: list[Flowable] = self.heading(
            a.office, "LAPORAN LAYANAN INFORMASI PUBLIK", "Tahun", str(f.year))
        story.append(self.para(
            f"Laporan tahun {f.year}, disampaikan paling lambat {formal_date(f.due_on)}; "
            f"disusun pada {formal_date(f.generated_on)}. Waktu dihitung dalam hari kerja "
            "setelah hari diterimanya permohonan, menurut kalender kerja kantor.", self.body))
        data: list[list[Any]] = [[self.para(h, self.head) for h in ("Bagian", "Uraian",
                                                                    "Jumlah")]]
        data += [[self.para(self.text(s), self.cell), self.para(self.text(i), self.cell),
                  self.para(self.text(v), self.cell_center)] for s, i, v in a.rows]
        story += [self._grid(data, [30 * mm, width - 60 * mm, 30 * mm]), Spacer(1, 5 * mm),
                  self.para("<b>Permohonan dan keberatan per bulan</b>", self.left),
                  self.chart(f.months, width), Spacer(1, 4 * mm),
                  self.para("<b>Waktu layanan setiap permohonan</b>", self.left),
                  Spacer(1, 2 * mm)]
        items: list[list[Any]] = [[self.para(h, self.head) for h in (
            "No.", "Nomor Pendaftaran", "Diterima", "Diputus", "Hari Kerja", "Keterangan")]]
        for n, item in enumerate(f.items, start=1):
            items.append([self.para(str(n), self.cell_center),
                          self.para(self.text(item.registration_number), self.cell),
                          self.para(formal_date(item.received_on), self.cell),
                          self.para(formal_date(item.decided_on) if item.decided_on else "-",
                                    self.cell),
                          self.para(self.text(item.working_days if item.working_days
                                              is not None else "-"), self.cell_center),
                          self.para(_TIMELINESS.get(item.timeliness, item.timeliness)
                                    + (", diperpanjang" if item.extended else ""), self.cell)])
        story += [self._grid(items, [10 * mm, 40 * mm, 30 * mm, 30 * mm, 20 * mm,
                                     width - 130 * mm]), Spacer(1, 3 * mm),
                  self.para(f"Dicetak dari E-Arsip pada {formal_moment(a.printed_at, a.zone)}.",
                            self.left)]
        return self.render(story, first="portrait",
                           day=local_moment(a.printed_at, a.zone).date(),
                           title=f"Laporan Layanan Informasi Publik {f.year}",
                           author=_plain(a.office), subject="Laporan Layanan Informasi Publik",
                           label=f"Laporan Layanan Informasi Publik {f.year}, {a.office}")


def register_pdf(register: CaseRegister) -> bytes:
    """Render the Buku Register Permohonan or the Register Keberatan."""
    return _CasesWriter(_load_fonts(paperwork.FONT_DIR)).register(register)


def report_pdf(report: AnnualReport) -> bytes:
    """Render the annual Laporan Layanan Informasi Publik."""
    return _CasesWriter(_load_fonts(paperwork.FONT_DIR)).report(report)
