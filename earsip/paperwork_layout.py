"""Page layouts of the paperwork: styles, text cleaning, the blocks (headings, fields, lists,
signatures, attachments) and the A4 pages numbered "Halaman i dari n"."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from earsip.paperwork_fonts import _STAND_INS, _Fonts, _plain
from earsip.paperwork_records import (
    ListRow,
    Person,
)
from earsip.paperwork_words import _formal_date, number_in_words


class _Layout:
    """The styles, blocks and A4 pages of the paperwork in one font set (DejaVu, or the
    Helvetica fallback); `paperwork_documents._Writer` writes the documents with them."""

    def __init__(self, fonts: _Fonts) -> None:
        self.fonts = fonts
        base: dict[str, Any] = {"fontName": fonts.regular, "fontSize": 11, "leading": 15}
        self.body = ParagraphStyle("body", **base, alignment=TA_JUSTIFY, spaceAfter=6)
        self.left = ParagraphStyle("left", **base)
        large: dict[str, Any] = {"fontName": fonts.bold, "fontSize": 13, "leading": 17}
        self.kop = ParagraphStyle("kop", **large, alignment=TA_CENTER)
        self.title = ParagraphStyle("title", **large, alignment=TA_CENTER, spaceBefore=6)
        self.center = ParagraphStyle("center", **base, alignment=TA_CENTER)
        self.cell = ParagraphStyle("cell", fontName=fonts.regular, fontSize=8.5, leading=10.5)
        self.cell_center = ParagraphStyle("cell_center", parent=self.cell, alignment=TA_CENTER)
        self.head = ParagraphStyle("head", parent=self.cell_center, fontName=fonts.bold)
        self.sign = ParagraphStyle("sign", **base, alignment=TA_CENTER)
        self.digest = ParagraphStyle("digest", parent=self.center, fontSize=10, spaceBefore=2)

    # ----------------------------------------------------------------- text

    def text(self, value: object) -> str:
        """Return user text ready for a Paragraph: drawable by the font, markup escaped."""
        return escape(self.text_plain(value))

    def para(self, markup: str, style: ParagraphStyle | None = None) -> Paragraph:
        """Return a paragraph of markup whose user parts went through `text`."""
        return Paragraph(markup, style or self.body)

    # ----------------------------------------------------------------- blocks

    def heading(self, office: str, title: str, number_label: str, number: str) -> list[Flowable]:
        """Return the office name, a rule, the title and the number line."""
        return [
            self.para(self.text(office.upper()), self.kop),
            HRFlowable(width="100%", thickness=1.2, color=colors.black, spaceBefore=4,
                       spaceAfter=8),
            self.para(self.text(title), self.title),
            self.para(f"{number_label}: {self.text(number)}", self.center),
            Spacer(1, 6 * mm),
        ]

    def fields(self, pairs: list[tuple[str, str]], width: float) -> Table:
        """Return label/colon/value lines (Nama : ..., Jabatan : ...)."""
        data = [[self.para(label, self.left), ":", self.para(self.text(value), self.left)]
                for label, value in pairs]
        table = Table(data, colWidths=[32 * mm, 5 * mm, width - 37 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (1, 0), (1, -1), self.fonts.regular),
            ("FONTSIZE", (1, 0), (1, -1), 11),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ]))
        return table

    def list_table(self, rows: Sequence[ListRow]) -> list[Flowable]:
        """Return the list as a table whose header repeats on every page, then its total."""
        headers = ["No", "Kode Klasifikasi", "Jenis/Uraian Arsip", "Kurun Waktu", "Jumlah",
                   "Tingkat Perkembangan", "Media", "Keterangan"]
        data: list[list[Any]] = [[self.para(h, self.head) for h in headers]]
        for row in rows:
            data.append([
                self.para(self.text(row.no), self.cell_center),
                self.para(self.text(row.code), self.cell),
                self.para(self.text(row.description), self.cell),
                self.para(self.text(row.period), self.cell_center),
                self.para(self.text(row.quantity), self.cell_center),
                self.para(self.text(row.development), self.cell_center),
                self.para(self.text(row.media), self.cell_center),
                self.para(self.text(row.remarks), self.cell),
            ])
        widths = [m * mm for m in (11, 29, 89, 22, 18, 32, 24, 42)]
        # splitInRow lets a row with a very long description continue on the next page
        # instead of failing the whole document with a LayoutError.
        table = Table(data, colWidths=widths, repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.88, 0.88, 0.88)),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ]))
        count = len(rows)
        total = self.para(
            f"Jumlah keseluruhan: <b>{count} ({number_in_words(count)}) arsip</b>", self.left
        )
        return [table, Spacer(1, 3 * mm), total]

    def signature(self, lines: list[str], name: str) -> list[Flowable]:
        """Return one signature block: caption lines, room to sign, then the name in bold."""
        block: list[Flowable] = [self.para(self.text(line), self.sign) for line in lines]
        block.append(Spacer(1, 20 * mm))
        block.append(self.para(f"<b><u>{self.text(name)}</u></b>", self.sign))
        return block

    def signature_grid(self, blocks: list[list[Flowable]], width: float) -> Table:
        """Lay signature blocks out two per line."""
        cells = list(blocks)
        if len(cells) % 2:
            cells.append([])
        data = [cells[i:i + 2] for i in range(0, len(cells), 2)]
        table = Table(data, colWidths=[width / 2, width / 2])
        table.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 8 * mm),
        ]))
        return table

    def numbered(self, marker: str, content: list[Flowable]) -> Table:
        """Return content indented after a list marker (1., 2.)."""
        table = Table([[self.para(marker, self.left), content]],
                      colWidths=[8 * mm, _PORTRAIT_WIDTH - 8 * mm], hAlign="LEFT")
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                   ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
        return table

    def witness_table(self, witnesses: Sequence[Person]) -> Table:
        """Return the numbered witnesses with their positions."""
        data = [[self.para("No", self.head), self.para("Nama", self.head),
                 self.para("Jabatan", self.head)]]
        for i, w in enumerate(witnesses, start=1):
            data.append([self.para(str(i), self.cell_center), self.para(self.text(w.name),
                         self.cell), self.para(self.text(w.position), self.cell)])
        table = Table(data, colWidths=[12 * mm, 70 * mm, _PORTRAIT_WIDTH - 82 * mm],
                      repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    def attachment(self, caption: str, number: str, day: dt.date, list_title: str,
                   list_number: str | None, rows: Sequence[ListRow]) -> list[Flowable]:
        """Return the Lampiran: landscape pages naming the berita acara, then the list."""
        story: list[Flowable] = [
            NextPageTemplate("landscape"),
            PageBreak(),
            self.para(f"{self.text(caption)}<br/>Nomor: {self.text(number)}<br/>"
                      f"Tanggal: {_formal_date(day)}", self.left),
            Spacer(1, 4 * mm),
            self.para(list_title, self.title),
        ]
        if list_number is not None:
            story.append(self.para(f"Nomor: {self.text(list_number)}", self.center))
        story.append(Spacer(1, 4 * mm))
        return story + self.list_table(rows)

    # ----------------------------------------------------------------- output

    def render(self, story: list[Flowable], *, first: str, day: dt.date, title: str,
               author: str, subject: str, label: str) -> bytes:
        """Lay the story out on A4 pages numbered "Halaman i dari n" and return the PDF."""
        buf = io.BytesIO()
        doc = BaseDocTemplate(
            buf, pagesize=A4, title=title, author=author, subject=subject,
            creator="E-Arsip", lang="id-ID",
            # invariant: the same input gives the same bytes (no random ID, fixed dates).
            invariant=1,
        )
        portrait = PageTemplate("portrait", pagesize=A4, frames=[Frame(
            25 * mm, 20 * mm, _PORTRAIT_WIDTH, A4[1] - 40 * mm, id="portrait",
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )])
        wide = landscape(A4)
        landscape_template = PageTemplate("landscape", pagesize=wide, frames=[Frame(
            15 * mm, 18 * mm, _LANDSCAPE_WIDTH, wide[1] - 33 * mm, id="landscape",
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0,
        )])
        templates = [portrait, landscape_template]
        if first == "landscape":
            templates.reverse()
        doc.addPageTemplates(templates)
        doc.build(story, canvasmaker=_paged_canvas(self.fonts, self.text_plain(label), day))
        return buf.getvalue()

    def text_plain(self, value: object) -> str:
        """Return text the font can draw (not escaped): typographic marks as ASCII, else `?`."""
        drawable = self.fonts.drawable
        return "".join(
            ch if ord(ch) in drawable else _STAND_INS.get(ch, "?") for ch in _plain(value)
        )


_PORTRAIT_WIDTH = A4[0] - 45 * mm
_LANDSCAPE_WIDTH = A4[1] - 30 * mm


def _paged_canvas(fonts: _Fonts, label: str, day: dt.date) -> Callable[..., Canvas]:
    """Return a canvas class that writes "Halaman i dari n" once the page count is known."""
    stamp = f"D:{day.year:04d}{day.month:02d}{day.day:02d}000000+07'00'"

    class PagedCanvas(Canvas):
        """Hold pages back until save() so each footer can name the total."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []
            # The document's own date (in WIB), not 2000-01-01 as invariant mode would write.
            self.setDateFormatter(lambda *_parts: stamp)

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            """Keep the finished page's state; footers are drawn in save()."""
            self._held.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab's own, not in its stubs

        def save(self) -> None:
            """Draw every footer with the total page count, then write the file."""
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                Canvas.showPage(self)
            Canvas.save(self)

        def _footer(self, number: int, total: int) -> None:
            """Draw the document label and the page number at the foot of the page."""
            width, height = self._pagesize  # type: ignore[attr-defined]  # not in reportlab's stubs
            margin = 15 * mm if width > height else 25 * mm
            right = width - (15 * mm if width > height else 20 * mm)
            page_text = f"Halaman {number} dari {total}"
            self.setFont(fonts.regular, 8)
            self.setFillColor(colors.black)
            room = right - margin - pdfmetrics.stringWidth(page_text, fonts.regular, 8) - 10 * mm
            text = label
            if pdfmetrics.stringWidth(text, fonts.regular, 8) > room:
                while text and pdfmetrics.stringWidth(text + more, fonts.regular, 8) > room:
                    text = text[:-1]
                text = text.rstrip() + more
            self.drawString(margin, 10 * mm, text)
            self.drawRightString(right, 10 * mm, page_text)

    more = "\u2026" if 0x2026 in fonts.drawable else "..."  # an ellipsis the font can draw
    return PagedCanvas
