"""Paperwork of destruction and transfer as PDF (reportlab): lists and berita acara.

Plain values in, PDF bytes out. Every piece of user text is escaped before reportlab's paragraph
parser sees it, so a title like `<b>x</b> & <script>` is printed literally. Text is set in DejaVu
Sans (Debian's `fonts-dejavu-core`) when installed; without it Helvetica is used and characters
outside Latin-1 become `?`. Characters the chosen font cannot draw become `?` too, so nothing
silently disappears from a legal document.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from earsip.errors import N_, ValidationError

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MIN_WITNESSES = 2

_ONES = (
    "nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan",
    "sepuluh", "sebelas",
)
_SCALES = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"))
_LIMIT = 10**15
_WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
_MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------- words


def number_in_words(n: int) -> str:
    """Spell a whole number from 0 to 999 triliun in Bahasa Indonesia (terbilang)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"number_in_words needs an int, got {type(n).__name__}")
    if n < 0 or n >= _LIMIT:
        raise ValueError(f"number_in_words supports 0 to {_LIMIT - 1}, got {n}")
    if n == 0:
        return "nol"
    words: list[str] = []
    for scale, name in _SCALES:
        count, n = divmod(n, scale)
        if count:
            words += [*_below_thousand(count), name]
    thousands, n = divmod(n, 1000)
    # "se-" replaces "satu" only for a lone thousand (seribu), never for millions (satu juta).
    if thousands == 1:
        words.append("seribu")
    elif thousands:
        words += [*_below_thousand(thousands), "ribu"]
    words += _below_thousand(n)
    return " ".join(words)


def _below_thousand(n: int) -> list[str]:
    """Return the words of 1..999 (nothing for 0)."""
    words: list[str] = []
    hundreds, rest = divmod(n, 100)
    if hundreds == 1:
        words.append("seratus")
    elif hundreds:
        words += [_ONES[hundreds], "ratus"]
    if 0 < rest < 12:
        words.append(_ONES[rest])
    elif 12 <= rest < 20:
        words += [_ONES[rest - 10], "belas"]
    elif rest >= 20:
        tens, ones = divmod(rest, 10)
        words += [_ONES[tens], "puluh"]
        if ones:
            words.append(_ONES[ones])
    return words


def date_in_words(day: dt.date) -> str:
    """Spell a date as a berita acara does: weekday, day, month and year in words."""
    return (
        f"{_WEEKDAYS[day.weekday()]} tanggal {number_in_words(day.day)} "
        f"bulan {_MONTHS[day.month - 1]} tahun {number_in_words(day.year)}"
    )


def _formal_date(day: dt.date) -> str:
    """Return a date as written in letters, e.g. 30 November 2026."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Person:
    """Someone named in a document, with their position (jabatan)."""

    name: str
    position: str


@dataclass(frozen=True)
class ListRow:
    """One line of a list of records (DAUM or list of static records handed over)."""

    no: int
    code: str
    description: str
    period: str
    quantity: int | str
    development: str
    media: str
    remarks: str = ""


@dataclass(frozen=True)
class DestructionRecord:
    """The facts of a Berita Acara Pemusnahan Arsip.

    `basis_reference` is the number of the head of office's approval decision; `list_number`
    is the number of the attached Daftar Arsip Usul Musnah.
    """

    number: str
    day: dt.date
    place: str
    office: str
    official: Person
    basis_reference: str
    basis_date: dt.date
    method: str
    witnesses: list[Person]
    rows: list[ListRow]
    list_number: str


@dataclass(frozen=True)
class TransferRecord:
    """The facts of a Berita Acara Penyerahan Arsip Statis.

    `package_digest` is the SHA-256 of the package's tagmanifest-sha256.txt, or "" when this
    berita acara travels inside the package itself (it cannot name its own container's digest).
    """

    number: str
    day: dt.date
    place: str
    office: str
    official: Person
    recipient_institution: str
    recipient: Person
    rows: list[ListRow]
    package_name: str
    package_digest: str


# --------------------------------------------------------------------------- public renderers


def destruction_list_pdf(office: str, list_number: str, made_on: dt.date, proposer: Person,
                         rows: list[ListRow], *, status_note: str | None = None) -> bytes:
    """Render the Daftar Arsip Usul Musnah (landscape A4) with its proposer's signature block."""
    return _Writer(_load_fonts(FONT_DIR)).destruction_list(
        office, list_number, made_on, proposer, rows, status_note=status_note
    )


def berita_acara_pemusnahan_pdf(record: DestructionRecord) -> bytes:
    """Render the Berita Acara Pemusnahan Arsip with the list attached as Lampiran."""
    return _Writer(_load_fonts(FONT_DIR)).pemusnahan(record)


def berita_acara_penyerahan_pdf(record: TransferRecord) -> bytes:
    """Render the Berita Acara Penyerahan Arsip Statis with the list attached as Lampiran."""
    return _Writer(_load_fonts(FONT_DIR)).penyerahan(record)


# --------------------------------------------------------------------------- checks
# The renderers run these too; a service calls them first so that nothing is destroyed or handed
# over on the strength of a berita acara that could then not be made.


def _require(value: str, field: str, label: str) -> None:
    """Refuse a blank required text."""
    if not str(value).strip():
        raise ValidationError("%(label)s wajib diisi.", field=field, params={"label": label})


def _same_person(a: Person, b: Person) -> bool:
    """Tell whether two entries name the same person (case and spacing ignored)."""
    def key(p: Person) -> str:
        return " ".join(unicodedata.normalize("NFKC", p.name).casefold().split())
    return key(a) == key(b)


# Whole labels, so each can be translated: (name label, position label) by role.
PERSON_LABELS = {
    "pelaksana": (N_("Nama pelaksana"), N_("Jabatan pelaksana")),
    "saksi": (N_("Nama saksi"), N_("Jabatan saksi")),
    "pihak yang menyerahkan": (N_("Nama pihak yang menyerahkan"),
                               N_("Jabatan pihak yang menyerahkan")),
    "pihak yang menerima": (N_("Nama pihak yang menerima"), N_("Jabatan pihak yang menerima")),
    "pengusul": (N_("Nama pengusul"), N_("Jabatan pengusul")),
}


def _check_person(person: Person, field: str, label: str) -> None:
    """Refuse a person without a name or position."""
    _require(person.name, f"{field}.name", PERSON_LABELS[label][0])
    _require(person.position, f"{field}.position", PERSON_LABELS[label][1])


def _check_rows(rows: Sequence[ListRow]) -> None:
    """Refuse an empty list: a document about no records is a mistake."""
    if not rows:
        raise ValidationError("Daftar arsip tidak boleh kosong.", field="rows")


def check_destruction(record: DestructionRecord) -> None:
    """Refuse a destruction record the records rules would not accept (call before destroying)."""
    _require(record.number, "number", N_("Nomor berita acara"))
    _require(record.place, "place", N_("Tempat pemusnahan"))
    _require(record.office, "office", N_("Nama kantor"))
    _require(record.basis_reference, "basis_reference", N_("Nomor keputusan persetujuan"))
    _require(record.method, "method", N_("Cara pemusnahan"))
    _require(record.list_number, "list_number", N_("Nomor daftar arsip usul musnah"))
    _check_person(record.official, "official", "pelaksana")
    if record.basis_date > record.day:
        raise ValidationError(
            "Tanggal persetujuan (%(basis)s) tidak boleh sesudah tanggal pemusnahan (%(day)s).",
            field="basis_date",
            params={"basis": _formal_date(record.basis_date), "day": _formal_date(record.day)},
        )
    if len(record.witnesses) < MIN_WITNESSES:
        raise ValidationError(
            "Pemusnahan harus disaksikan sekurang-kurangnya %(min)s orang saksi.",
            field="witnesses", params={"min": MIN_WITNESSES},
        )
    for i, witness in enumerate(record.witnesses):
        _check_person(witness, f"witnesses.{i}", "saksi")
        if _same_person(witness, record.official):
            raise ValidationError(
                "Pelaksana pemusnahan (%(name)s) tidak dapat sekaligus menjadi saksi.",
                field="witnesses", params={"name": witness.name},
            )
        if any(_same_person(witness, other) for other in record.witnesses[:i]):
            raise ValidationError(
                "Saksi %(name)s tercantum lebih dari sekali.",
                field="witnesses", params={"name": witness.name},
            )
    _check_rows(record.rows)


def check_transfer(record: TransferRecord) -> None:
    """Refuse a transfer record with missing parties, package or list."""
    _require(record.number, "number", N_("Nomor berita acara"))
    _require(record.place, "place", N_("Tempat penyerahan"))
    _require(record.office, "office", N_("Nama kantor"))
    _require(record.recipient_institution, "recipient_institution", N_("Lembaga penerima"))
    _require(record.package_name, "package_name", N_("Nama paket arsip"))
    _check_person(record.official, "official", "pihak yang menyerahkan")
    _check_person(record.recipient, "recipient", "pihak yang menerima")
    if record.package_digest and not _HEX64.fullmatch(record.package_digest):
        raise ValidationError(
            "Nilai hash paket harus berupa 64 karakter heksadesimal SHA-256.",
            field="package_digest",
        )
    _check_rows(record.rows)


# --------------------------------------------------------------------------- fonts and text


@dataclass(frozen=True)
class _Fonts:
    """The fonts a document is set in and the code points they can draw."""

    regular: str
    bold: str
    drawable: frozenset[int]


_LATIN1 = frozenset([*range(0x20, 0x7F), *range(0xA0, 0x100)])
# Punctuation common in Indonesian titles that Latin-1 lacks, for the Helvetica fallback.
_STAND_INS = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u2013": "-", "\u2014": "-", "\u2212": "-", "\u2026": "...", "\u2022": "*",
}
_font_lock = threading.Lock()


@functools.lru_cache(maxsize=4)
def _load_fonts(font_dir: Path) -> _Fonts:
    """Register DejaVu Sans from `font_dir` once, or fall back to Helvetica when it is absent."""
    regular_path = font_dir / "DejaVuSans.ttf"
    bold_path = font_dir / "DejaVuSans-Bold.ttf"
    if not (regular_path.is_file() and bold_path.is_file()):
        return _Fonts("Helvetica", "Helvetica-Bold", _LATIN1)
    # reportlab's font registry is global: name the fonts after their folder so two folders
    # (a test's and the system's) never overwrite each other's registration.
    suffix = hashlib.sha256(str(font_dir.resolve()).encode()).hexdigest()[:8]
    regular, bold = f"EarsipSans-{suffix}", f"EarsipSans-Bold-{suffix}"
    with _font_lock:
        regular_font = TTFont(regular, str(regular_path))
        bold_font = TTFont(bold, str(bold_path))
        pdfmetrics.registerFont(regular_font)
        pdfmetrics.registerFont(bold_font)
        pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold, italic=regular,
                                      boldItalic=bold)
    drawable = frozenset(regular_font.face.charToGlyph) & frozenset(bold_font.face.charToGlyph)
    return _Fonts(regular, bold, drawable)


def _plain(value: object) -> str:
    """Return text with line breaks as spaces and without control or format characters."""
    out = []
    for ch in unicodedata.normalize("NFC", str(value)):
        if ch in "\t\n\r\v\f\x85\u2028\u2029":
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf", "Cs"):
            out.append(ch)
    return "".join(out)


class _Writer:
    """Build the documents in one font set (DejaVu, or the Helvetica fallback)."""

    def __init__(self, fonts: _Fonts) -> None:
        self.fonts = fonts
        base = {"fontName": fonts.regular, "fontSize": 11, "leading": 15}
        self.body = ParagraphStyle("body", **base, alignment=TA_JUSTIFY, spaceAfter=6)
        self.left = ParagraphStyle("left", **base)
        large = {"fontName": fonts.bold, "fontSize": 13, "leading": 17}
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

    # ----------------------------------------------------------------- documents

    def destruction_list(self, office: str, list_number: str, made_on: dt.date, proposer: Person,
                         rows: Sequence[ListRow], *, status_note: str | None) -> bytes:
        """Render the DAUM."""
        _require(office, "office", N_("Nama kantor"))
        _require(list_number, "list_number", N_("Nomor daftar arsip usul musnah"))
        _check_person(proposer, "proposer", "pengusul")
        _check_rows(rows)
        story: list[Flowable] = self.heading(office, "DAFTAR ARSIP USUL MUSNAH", "Nomor",
                                             list_number)
        story.insert(-1, self.para(f"Tanggal: {_formal_date(made_on)}", self.center))
        if status_note:
            story.insert(-1, self.para(f"<b>{self.text(status_note)}</b>", self.center))
        story += self.list_table(rows)
        story.append(Spacer(1, 8 * mm))
        block = self.signature(["Yang mengusulkan,", proposer.position], proposer.name)
        sign = Table([[[], block]], colWidths=[_LANDSCAPE_WIDTH - 90 * mm, 90 * mm])
        story.append(KeepTogether([sign]))
        return self.render(
            story, first="landscape", day=made_on,
            title=f"Daftar Arsip Usul Musnah Nomor {_plain(list_number)}",
            author=_plain(office), subject="Daftar arsip usul musnah",
            label=f"Daftar Arsip Usul Musnah Nomor {list_number}",
        )

    def pemusnahan(self, record: DestructionRecord) -> bytes:
        """Render the Berita Acara Pemusnahan Arsip."""
        check_destruction(record)
        t = self.text
        count = len(record.rows)
        story = self.heading(record.office, "BERITA ACARA PEMUSNAHAN ARSIP", "Nomor",
                             record.number)
        story += [
            self.para(f"Pada hari ini {date_in_words(record.day)}, bertempat di {t(record.place)}, "
                      "yang bertanda tangan di bawah ini:"),
            self.fields([("Nama", record.official.name), ("Jabatan", record.official.position),
                         ("Instansi", record.office)], _PORTRAIT_WIDTH),
            Spacer(1, 3 * mm),
            self.para(
                "berdasarkan persetujuan pimpinan sebagaimana tertuang dalam keputusan Nomor "
                f"{t(record.basis_reference)} tanggal {_formal_date(record.basis_date)}, "
                f"telah melaksanakan pemusnahan arsip sebanyak {count} "
                f"({number_in_words(count)}) arsip sebagaimana tercantum dalam Daftar Arsip "
                f"Usul Musnah Nomor {t(record.list_number)} yang terlampir dan merupakan bagian "
                "tidak terpisahkan dari berita acara ini."
            ),
            self.para(f"Pemusnahan dilaksanakan dengan cara {t(record.method)}."),
            self.para(
                f"Pemusnahan tersebut disaksikan oleh {len(record.witnesses)} "
                f"({number_in_words(len(record.witnesses))}) orang saksi sebagai berikut:"
            ),
            self.witness_table(record.witnesses),
            Spacer(1, 3 * mm),
            self.para("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan "
                      "sebagaimana mestinya."),
            Spacer(1, 6 * mm),
        ]
        official = self.signature(["Yang melaksanakan pemusnahan,", record.official.position],
                                  record.official.name)
        witnesses = [self.signature([f"Saksi {i}", w.position], w.name)
                     for i, w in enumerate(record.witnesses, start=1)]
        head = Table([[[], official]], colWidths=[_PORTRAIT_WIDTH / 2, _PORTRAIT_WIDTH / 2])
        story.append(KeepTogether([head, Spacer(1, 4 * mm),
                                   self.signature_grid(witnesses, _PORTRAIT_WIDTH)]))
        story += self.attachment(
            "Lampiran Berita Acara Pemusnahan Arsip", record.number, record.day,
            "DAFTAR ARSIP USUL MUSNAH", record.list_number, record.rows,
        )
        return self.render(
            story, first="portrait", day=record.day,
            title=f"Berita Acara Pemusnahan Arsip Nomor {_plain(record.number)}",
            author=_plain(record.office),
            subject=f"Pemusnahan {count} arsip berdasarkan keputusan Nomor "
                    f"{_plain(record.basis_reference)}",
            label=f"Berita Acara Pemusnahan Arsip Nomor {record.number}",
        )

    def penyerahan(self, record: TransferRecord) -> bytes:
        """Render the Berita Acara Penyerahan Arsip Statis."""
        check_transfer(record)
        t = self.text
        count = len(record.rows)
        width = _PORTRAIT_WIDTH
        story = self.heading(record.office, "BERITA ACARA PENYERAHAN ARSIP STATIS", "Nomor",
                             record.number)
        story += [
            self.para(f"Pada hari ini {date_in_words(record.day)}, bertempat di {t(record.place)}, "
                      "kami yang bertanda tangan di bawah ini:"),
            self.numbered("1.", [
                self.fields([("Nama", record.official.name),
                             ("Jabatan", record.official.position)], width - 8 * mm),
                self.para(f"dalam hal ini bertindak untuk dan atas nama {t(record.office)}, "
                          "selanjutnya disebut <b>PIHAK PERTAMA</b>."),
            ]),
            self.numbered("2.", [
                self.fields([("Nama", record.recipient.name),
                             ("Jabatan", record.recipient.position)], width - 8 * mm),
                self.para("dalam hal ini bertindak untuk dan atas nama "
                          f"{t(record.recipient_institution)}, selanjutnya disebut "
                          "<b>PIHAK KEDUA</b>."),
            ]),
            self.para(
                "PIHAK PERTAMA menyerahkan arsip statis kepada PIHAK KEDUA sebanyak "
                f"{count} ({number_in_words(count)}) arsip sebagaimana tercantum dalam Daftar "
                "Arsip Statis yang Diserahkan yang terlampir dan merupakan bagian tidak "
                "terpisahkan dari berita acara ini."
            ),
            self.para("Arsip diserahkan dalam bentuk paket arsip elektronik berformat BagIt "
                      "dengan keterangan sebagai berikut:"),
        ]
        story.append(self.fields([("Nama paket", record.package_name)], width))
        if record.package_digest:
            # On a line of its own and in a smaller size so the 64 digits never wrap.
            story += [
                self.para("Nilai hash SHA-256 berkas tagmanifest-sha256.txt paket:", self.left),
                self.para(record.package_digest, self.digest),
            ]
        story += [
            Spacer(1, 2 * mm),
            self.para("Keutuhan setiap berkas di dalam paket dijamin oleh nilai hash SHA-256 dan "
                      "SHA-512 yang tercantum dalam manifest paket."),
            self.para("PIHAK KEDUA menyatakan telah menerima arsip statis tersebut dari "
                      "PIHAK PERTAMA."),
            self.para("Demikian berita acara ini dibuat dengan sebenarnya dalam rangkap dua, "
                      "masing-masing untuk PIHAK PERTAMA dan PIHAK KEDUA."),
            Spacer(1, 6 * mm),
        ]
        receiver = self.signature(
            ["PIHAK KEDUA,", "Yang menerima,", record.recipient.position], record.recipient.name
        )
        giver = self.signature(
            ["PIHAK PERTAMA,", "Yang menyerahkan,", record.official.position],
            record.official.name,
        )
        story.append(KeepTogether([self.signature_grid([receiver, giver], width)]))
        story += self.attachment(
            "Lampiran Berita Acara Penyerahan Arsip Statis", record.number, record.day,
            "DAFTAR ARSIP STATIS YANG DISERAHKAN", None, record.rows,
        )
        return self.render(
            story, first="portrait", day=record.day,
            title=f"Berita Acara Penyerahan Arsip Statis Nomor {_plain(record.number)}",
            author=_plain(record.office),
            subject=f"Penyerahan {count} arsip statis kepada "
                    f"{_plain(record.recipient_institution)}, paket {_plain(record.package_name)}",
            label=f"Berita Acara Penyerahan Arsip Statis Nomor {record.number}",
        )

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
            self._startPage()

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
            width = self._pagesize[0]
            margin = 15 * mm if width > self._pagesize[1] else 25 * mm
            right = width - (15 * mm if width > self._pagesize[1] else 20 * mm)
            page_text = f"Halaman {number} dari {total}"
            self.setFont(fonts.regular, 8)
            self.setFillColor(colors.black)
            room = right - margin - pdfmetrics.stringWidth(page_text, fonts.regular, 8) - 10 * mm
            text = label
            if pdfmetrics.stringWidth(text, fonts.regular, 8) > room:
                while text and pdfmetrics.stringWidth(text + ellipsis, fonts.regular, 8) > room:
                    text = text[:-1]
                text = text.rstrip() + ellipsis
            self.drawString(margin, 10 * mm, text)
            self.drawRightString(right, 10 * mm, page_text)

    ellipsis = "\u2026" if 0x2026 in fonts.drawable else "..."
    return PagedCanvas
