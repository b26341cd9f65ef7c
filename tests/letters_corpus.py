"""A seeded corpus of synthetic incoming letters (typed PDFs and scans) with their true fields.

Every office, person, number and sentence is invented. Layouts: Bawaslu kabupaten/kota and
kecamatan (tata naskah dinas numbers), Bawaslu RI, a Bawaslu province in the older format (Roman
months), the KPU, a city or regency department (pemda dinas), a political party, a university,
and a citizen's letter without a letterhead. Labels, date formats and date positions vary; the
bodies carry distractors (another letter's number and date, the date of a meeting). Two thirds
are typed PDFs drawn with reportlab; one third are scans: the same page rendered at 300 dpi with
PDFium, slightly rotated, speckled, saved as PNG or as an image-only PDF.

``python -m tests.letters_corpus FOLDER`` writes the corpus and its ``truth.json``.
``measure(folder, letters)`` reads each file through the project's extraction (and Tesseract
for scans), parses it and returns per-field results (used by tests and ``bench/prefill.py``).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FIELDS = ("letter_number", "letter_date", "subject", "sender", "classification")
SEED = 19
TODAY = dt.date(2026, 1, 15)  # the corpus's "today": every letter is older
MONTHS_ID = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
             "September", "Oktober", "November", "Desember"]
MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
MONTHS_ABBR = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov",
               "Des"]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@dataclass(frozen=True)
class Letter:
    """One generated letter: its file, how it was made, and its true fields."""

    name: str
    layout: str
    scanned: bool
    letter_number: str | None
    letter_date: dt.date | None
    subject: str | None
    sender: str | None
    classification: str | None
    variant: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- institutions

@dataclass(frozen=True)
class Office:
    """A sender: its letterhead lines, contact lines, true name and number maker."""

    layout: str
    kop: list[str]
    contact: list[str]
    sender: str
    place: str
    number: Callable[[random.Random, dt.date, str | None], str]
    codes: list[str | None]
    signer: str


def _bawaslu_kota(rng: random.Random, d: dt.date, code: str | None) -> str:
    unit = rng.choice(["K.JI-38", "JI-38", "K.JI-17", "JI-17"])
    return f"{rng.randint(1, 480):03d}/{code}/{unit}/{d.month:02d}/{d.year}"


def _bawaslu_kecamatan(rng: random.Random, d: dt.date, code: str | None) -> str:
    return f"{rng.randint(20, 260)}/{code}/K.JI-38.0{rng.randint(1, 2)}/{d.month:02d}/{d.year}"


def _bawaslu_ri(rng: random.Random, d: dt.date, code: str | None) -> str:
    seq = f"{rng.randint(100, 999)}" if rng.random() < 0.6 else \
        f"{rng.randint(1, 480):04d}.{rng.randint(1, 3)}"
    return f"{seq}/{code}/K1/{d.month:02d}/{d.year}"


def _bawaslu_prov_old(rng: random.Random, d: dt.date, code: str | None) -> str:
    return f"B.{rng.randint(1, 420):03d}/BAWASLU-PROV.JT-07/{code}/{ROMAN[d.month - 1]}/{d.year}"


def _kpu(rng: random.Random, d: dt.date, code: str | None) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(100, 999)}/{rng.randint(1000, 2999)}/KPU-Kot/" \
               f"{ROMAN[d.month - 1]}/{d.year}"
    return f"{rng.randint(10, 480)}/PL.02.{rng.randint(1, 6)}-SD/3576/{d.year}"


def _pemda(rng: random.Random, d: dt.date, code: str | None) -> str:
    return rng.choice([f"005/{rng.randint(100, 1999)}/417.302/{d.year}",
                       f"200.1/{rng.randint(10, 999)}/416-303/{d.year}",
                       f"045.2/{rng.randint(10, 999)}/417.106/{d.year}"])


def _partai(rng: random.Random, d: dt.date, code: str | None) -> str:
    return f"{rng.randint(1, 150):03d}/DPC-PPNR/MJK/{ROMAN[d.month - 1]}/{d.year}"


def _kampus(rng: random.Random, d: dt.date, code: str | None) -> str:
    if rng.random() < 0.5:
        return f"{rng.randint(100, 2999)}/UBR.F3/KM.00.01/{d.year}"
    return f"{rng.randint(10, 999)}/UBR/FISIP/{ROMAN[d.month - 1]}/{d.year}"


BAWASLU_CODES: list[str | None] = ["PM.00.02", "PM.01.02", "PP.01.02", "HM.00.02", "KA.02.00",
                                   "HK.01.00", "PS.02.02", "KP.07.00"]
OFFICES = [
    Office("bawaslu_kabkota", ["BADAN PENGAWAS PEMILIHAN UMUM", "KABUPATEN KEDUNGSARI"],
           ["Jalan Raya Wringinanom Nomor 41 Kedungsari 61382",
            "Telepon (0321) 551 270, Laman: kedungsari.bawaslu.example, Surel: "
            "set.kedungsari@bawaslu.example"],
           "Badan Pengawas Pemilihan Umum Kabupaten Kedungsari", "Kedungsari", _bawaslu_kota,
           BAWASLU_CODES, "Ketua Bawaslu Kabupaten Kedungsari"),
    Office("bawaslu_kecamatan", ["PANITIA PENGAWAS PEMILIHAN UMUM", "KECAMATAN TELAGAREJO"],
           ["Jl. Kenanga Nomor 3 Telagarejo, Telp. (0321) 880 114"],
           "Panitia Pengawas Pemilihan Umum Kecamatan Telagarejo", "Telagarejo",
           _bawaslu_kecamatan, ["PM.00.02", "PM.01.02", "PP.00.02"],
           "Ketua Panwaslu Kecamatan Telagarejo"),
    Office("bawaslu_ri", ["BADAN PENGAWAS PEMILIHAN UMUM", "REPUBLIK INDONESIA"],
           ["Jalan Merpati Putih Nomor 14, Jakarta Pusat 10310",
            "Telepon (021) 390 5899, Faksimili (021) 390 5898, www.bawaslu.example"],
           "Badan Pengawas Pemilihan Umum Republik Indonesia", "Jakarta", _bawaslu_ri,
           ["HK.01.00", "PP.00.00", "KA.01.00", "PM.00.00", "OT.01.00"], "Ketua Bawaslu RI"),
    Office("bawaslu_prov_old", ["BADAN PENGAWAS PEMILIHAN UMUM", "PROVINSI JAWA TENGAH"],
           ["Jalan Tanjung Sari Nomor 9 Semarang 50132",
            "Telp. (024) 761 0093 Fax. (024) 761 0094 E-mail: bawaslu.jt@example.org"],
           "Badan Pengawas Pemilihan Umum Provinsi Jawa Tengah", "Semarang", _bawaslu_prov_old,
           ["KP.01.00", "HM.02.00", "PR.01.00", "KA.00.00"], "Ketua Bawaslu Provinsi Jawa Tengah"),
    Office("kpu", ["KOMISI PEMILIHAN UMUM", "KOTA MOJOKERTO"],
           ["Jl. Cempaka Wangi No. 22 Kota Mojokerto, Telp. (0321) 322 410"],
           "Komisi Pemilihan Umum Kota Mojokerto", "Mojokerto", _kpu, [None],
           "Ketua KPU Kota Mojokerto"),
    Office("pemda", ["PEMERINTAH KOTA MOJOKERTO", "DINAS KOMUNIKASI DAN INFORMATIKA"],
           ["Jalan Bhayangkara Raya Nomor 57 Mojokerto 61318",
            "Telepon (0321) 391 006 Laman diskominfo.mojokertokota.example"],
           "Dinas Komunikasi dan Informatika Kota Mojokerto", "Mojokerto", _pemda, [None],
           "Kepala Dinas Komunikasi dan Informatika"),
    Office("pemda_kab", ["PEMERINTAH KABUPATEN KEDUNGSARI",
                         "BADAN KESATUAN BANGSA DAN POLITIK"],
           ["Jl. Pahlawan Nomor 8 Kedungsari, Telp. (0321) 551 900"],
           "Badan Kesatuan Bangsa dan Politik Kabupaten Kedungsari", "Kedungsari", _pemda,
           [None], "Kepala Badan Kesatuan Bangsa dan Politik"),
    Office("partai", ["DEWAN PIMPINAN CABANG", "PARTAI PERSATUAN NUSANTARA RAYA",
                      "KOTA MOJOKERTO"],
           ["Sekretariat: Jalan Anggrek Bulan Nomor 5 Mojokerto, Telp. 0812 3300 4411"],
           "Dewan Pimpinan Cabang Partai Persatuan Nusantara Raya Kota Mojokerto", "Mojokerto",
           _partai, [None], "Ketua DPC"),
    Office("kampus", ["UNIVERSITAS BRANTAS RAYA", "FAKULTAS ILMU SOSIAL DAN ILMU POLITIK"],
           ["Jalan Kampus Brantas Nomor 1 Mojokerto 61364, Telepon (0321) 877 100",
            "Laman: fisip.ubr.example"],
           "Universitas Brantas Raya Fakultas Ilmu Sosial dan Ilmu Politik", "Mojokerto",
           _kampus, [None], "Dekan"),
]

SUBJECTS = [
    "Undangan Rapat Koordinasi",
    "Undangan Rapat Koordinasi Persiapan Pengawasan Tahapan Pemungutan dan Penghitungan Suara",
    "Permohonan Data Daftar Pemilih Tetap",
    "Penyampaian Laporan Hasil Pengawasan Kampanye",
    "Permohonan Narasumber Seminar Demokrasi",
    "Pemberitahuan Kegiatan Kampanye Rapat Umum",
    "Penyampaian Salinan Keputusan",
    "Permohonan Izin Penelitian Mahasiswa",
    "Surat Edaran Penertiban Alat Peraga Kampanye",
    "Penugasan Pegawai untuk Bimbingan Teknis Kearsipan",
    "Permintaan Klarifikasi Dugaan Pelanggaran Netralitas Aparatur Sipil Negara",
    "Pemberitahuan Jadwal Pemeliharaan Jaringan Internet",
]
PEOPLE = ["Ahmad Fauzan Ramadhani", "Sri Wahyuningsih", "Bagus Prasetyo Nugroho",
          "Dewi Lestari Anggraeni", "Rizky Maulana Hakim", "Nur Aini Fitriyah",
          "Hendra Gunawan Saputra", "Lilis Suryani"]
CITIZENS = [("Wahyu Santoso", "Jalan Kutilang Nomor 7, Kelurahan Wates, Kota Mojokerto"),
            ("Siti Rohmah", "Perumahan Griya Asri Blok C-12, Kota Mojokerto")]


# --------------------------------------------------------------------------- drawing

class _Page:
    """An A4 reportlab canvas with a cursor, in the fonts of one letter."""

    def __init__(self, path: Path, regular: str, bold: str) -> None:
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen.canvas import Canvas

        self.canvas = Canvas(str(path), pagesize=A4, invariant=1)  # the same bytes every run
        self.width, self.height = A4
        self.regular, self.bold = regular, bold
        self.left_x, self.right_x = 72.0, self.width - 64.0
        self.y = self.height - 56.0

    def center(self, text: str, *, bold: bool = False, size: float = 11) -> None:
        self.canvas.setFont(self.bold if bold else self.regular, size)
        self.canvas.drawCentredString(self.width / 2 + 20, self.y, text)
        self.y -= size * 1.35

    def line(self, text: str, *, x: float | None = None, size: float = 11,
             bold: bool = False) -> None:
        self.canvas.setFont(self.bold if bold else self.regular, size)
        self.canvas.drawString(self.left_x if x is None else x, self.y, text)
        self.y -= size * 1.45

    def row(self, left: str, right: str, *, size: float = 11) -> None:
        """Draw a left text and a right-aligned text on the same baseline."""
        self.canvas.setFont(self.regular, size)
        self.canvas.drawString(self.left_x, self.y, left)
        self.canvas.drawRightString(self.right_x, self.y, right)
        self.y -= size * 1.45

    def field(self, label: str, value: str, *, colon: str = ":", tab: float = 70) -> None:
        self.canvas.setFont(self.regular, 11)
        self.canvas.drawString(self.left_x, self.y, label)
        self.canvas.drawString(self.left_x + tab, self.y, f"{colon} {value}" if colon else value)
        self.y -= 11 * 1.45

    def rule(self) -> None:
        self.y += 4
        self.canvas.setLineWidth(2)
        self.canvas.line(self.left_x - 10, self.y, self.right_x + 10, self.y)
        self.canvas.setLineWidth(0.6)
        self.canvas.line(self.left_x - 10, self.y - 3, self.right_x + 10, self.y - 3)
        self.y -= 22

    def logo(self) -> None:
        """Draw a simple emblem left of the letterhead (a scan gets specks from it)."""
        c = self.canvas
        c.setLineWidth(1.5)
        c.circle(self.left_x + 8, self.y - 12, 24)
        c.rect(self.left_x - 4, self.y - 24, 24, 24, fill=1)

    def paragraph(self, text: str, *, size: float = 11, indent: float = 0) -> None:
        from reportlab.pdfbase.pdfmetrics import stringWidth

        width = self.right_x - self.left_x - indent
        line = ""
        for word in text.split():
            trial = f"{line} {word}".strip()
            if stringWidth(trial, self.regular, size) > width:
                self.line(line, x=self.left_x + indent, size=size)
                line = word
            else:
                line = trial
        if line:
            self.line(line, x=self.left_x + indent, size=size)
        self.y -= 4

    def gap(self, points: float = 10) -> None:
        self.y -= points

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()


_FONT_SETS: list[tuple[str, str]] = [("Times-Roman", "Times-Bold"),
                                     ("Helvetica", "Helvetica-Bold")]


def _font_sets() -> list[tuple[str, str]]:
    """Return the font pairs letters are set in (DejaVu too when installed)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    sets = list(_FONT_SETS)
    for name, regular, bold in (("LcSans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
                                ("LcSerif", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")):
        if (FONT_DIR / regular).is_file() and (FONT_DIR / bold).is_file():
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / regular)))
                pdfmetrics.registerFont(TTFont(f"{name}-Bold", str(FONT_DIR / bold)))
            sets.append((name, f"{name}-Bold"))
    return sets


# --------------------------------------------------------------------------- one letter

def _date_text(d: dt.date, style: str) -> str:
    if style == "id":
        return f"{d.day} {MONTHS_ID[d.month - 1]} {d.year}"
    if style == "id0":
        return f"{d.day:02d} {MONTHS_ID[d.month - 1]} {d.year}"
    if style == "dash":
        return f"{d.day:02d}-{d.month:02d}-{d.year}"
    if style == "slash":
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if style == "abbr":
        return f"{d.day} {MONTHS_ABBR[d.month - 1]} {d.year}"
    if style == "en":
        return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    if style == "en_us":
        return f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"
    if style == "hijri":
        return f"{rng_free_hijri(d)} / {d.day} {MONTHS_ID[d.month - 1]} {d.year} M"
    raise ValueError(style)


def rng_free_hijri(d: dt.date) -> str:
    """Return an invented Hijri date for the double date some letters carry (not computed)."""
    months = ["Muharram", "Safar", "Rabiul Awal", "Rabiul Akhir", "Jumadil Awal",
              "Jumadil Akhir", "Rajab", "Syakban", "Ramadan", "Syawal", "Zulkaidah", "Zulhijah"]
    return f"{(d.day * 7) % 28 + 1} {months[d.month - 1]} {d.year - 579} H"


def _draw(path: Path, office: Office, truth: Letter, v: dict[str, str], fonts: tuple[str, str],
          rng: random.Random) -> None:
    """Draw one letter as a typed PDF."""
    page = _Page(path, *fonts)
    if office.kop:
        page.logo()
        for i, name in enumerate(office.kop):
            if v["kop_case"] == "title":
                name = " ".join(w if w in ("dan",) else w.capitalize() for w in
                                name.lower().split())
            page.center(name, bold=True, size=15 if i == 0 else 13)
        for contact in office.contact:
            page.center(contact, size=8.5)
        page.rule()
    else:
        page.y -= 20
    d = truth.letter_date
    assert d is not None
    date_line = f"{office.place}, {_date_text(d, v['date_style'])}" if v["date_place"] else \
        _date_text(d, v["date_style"])
    number = truth.letter_number or ""
    if v["spaced_number"]:
        number = number.replace("/", " / ")
    label = v["number_label"]
    if v["title"]:
        page.center(v["title"], bold=True, size=13)
        page.center(f"{label} {number}".strip() if label else number)
        page.gap(8)
    if v["date_pos"] == "top_own" and office.kop:
        page.row("", date_line)
    if not office.kop:
        page.row("", date_line)
        page.gap(6)
    if not v["title"]:
        if v["date_pos"] == "top_row":
            page.canvas.setFont(page.regular, 11)
            page.canvas.drawRightString(page.right_x, page.y, date_line)
        if not number:
            pass
        elif label in ("Nomor", "NOMOR"):
            page.field(label, number)
        else:
            page.line(f"{label} {number}".strip())
        header_y = page.y
        page.field("Sifat", v["sifat"])
        page.field("Lampiran", v["lampiran"])
    if truth.subject:
        sub_label = v["subject_label"]
        first, rest = truth.subject, ""
        if v["wrap_subject"]:
            words = truth.subject.split()
            cut = len(words) // 2 + 1
            first, rest = " ".join(words[:cut]), " ".join(words[cut:])
        if sub_label.endswith(":") and " " not in sub_label:
            page.line(f"{sub_label} {first}")
            if rest:
                page.line(rest, x=page.left_x + 40)
        else:
            page.field(sub_label.rstrip(" :"), first)
            if rest:
                page.line(rest, x=page.left_x + 78)
    if v["addr_right"] and not v["title"]:
        # The addressee in the right column beside Sifat/Lampiran/Perihal (a common layout).
        end_y, page.y = page.y, header_y
        column = page.width / 2 + 60
        for text in ("Kepada", f"Yth. {v['addressee_short']}", "di -", "    Tempat"):
            page.line(text, x=column)
        page.y = min(end_y, page.y)
    else:
        page.gap(14)
        page.line("Kepada")
        page.line(f"Yth. {v['addressee']}")
        page.line("di -")
        page.line("Tempat", x=page.left_x + 20)
    page.gap(10)
    page.line("Dengan hormat,")
    for para in v["body"].split("\n"):
        page.paragraph(para, indent=0)
    page.paragraph("Demikian kami sampaikan, atas perhatian dan kerja samanya kami ucapkan "
                   "terima kasih.")
    page.gap(10)
    sign_x = page.width / 2 + 40
    if v["date_pos"] == "bottom":
        page.line(date_line, x=sign_x)
    page.line(office.signer if office.kop else "Hormat saya,", x=sign_x)
    page.gap(36)
    if office.kop:
        page.line(v["signer_name"], x=sign_x, bold=True)
    else:
        citizen, address = CITIZENS[int(v["citizen"])]
        page.line(citizen, x=sign_x, bold=True)
        page.line(address, x=sign_x - 120, size=9)
    if v["tembusan"]:
        page.gap(14)
        page.line("Tembusan:", size=9)
        page.line("1. Arsip.", size=9)
    page.save()


def _variant(rng: random.Random, office: Office, index: int,
             occurrence: int) -> dict[str, str]:
    """Choose the label styles, date style and position, body and distractors of a letter."""
    old = office.layout == "bawaslu_prov_old"
    v = {
        "number_label": rng.choice(["Nomor", "Nomor", "Nomor :", "No.", "Nomor:", "NOMOR", ""]),
        "subject_label": rng.choice(["Perihal", "Perihal", "Hal", "Perihal :", "Hal :", "HAL",
                                     "Perihal:"]),
        "date_style": rng.choice(["id", "id", "id", "id0", "dash", "slash", "abbr", "en"]),
        "date_pos": rng.choice(["top_row", "top_own", "bottom", "bottom"]),
        "title": "",
        "sifat": rng.choice(["Biasa", "Segera", "Penting"]),
        "lampiran": rng.choice(["-", "1 (satu) berkas", "2 (dua) lembar"]),
        "wrap_subject": "",
        "signer_name": rng.choice(PEOPLE),
        "tembusan": rng.choice(["", "1"]),
        "addressee": rng.choice(["Ketua Bawaslu Kota Mojokerto",
                                 "Koordinator Sekretariat Bawaslu Kota Mojokerto",
                                 "Pimpinan Badan Pengawas Pemilihan Umum Kota Mojokerto"]),
        "citizen": str(index % 2),
        "spaced_number": "",
        "kop_case": "upper",
        "date_place": "1",
    }
    if office.layout in ("partai", "kampus") and rng.random() < 0.5:
        v["date_style"] = "hijri" if office.layout == "partai" else "en_us"
    if old:
        v["number_label"] = rng.choice(["Nomor", "Nomor :"])
    if rng.random() < 0.15 and office.kop:
        v["title"] = rng.choice(["SURAT UNDANGAN", "SURAT PEMBERITAHUAN"])
        v["number_label"] = rng.choice(["Nomor:", "NOMOR :"])
        v["date_pos"] = "bottom"
    v["addr_right"] = "1" if rng.random() < 0.3 else ""
    v["addressee_short"] = rng.choice(["Ketua Bawaslu Kota Mojokerto",
                                       "Ketua Bawaslu Kota", "Bawaslu Kota Mojokerto"])
    if office.layout in ("kpu", "pemda", "pemda_kab") and rng.random() < 0.4:
        v["spaced_number"] = "1"
    if office.layout == "kampus" and occurrence % 2 == 1:
        v["kop_case"] = "title"
    if office.layout.startswith("pemda") and occurrence % 2 == 1 and not v["title"]:
        v["date_pos"], v["date_place"] = "top_own", ""  # a date without its place
    if v["number_label"] == "" and not office.kop:
        v["number_label"] = "Nomor :"
    return v


def _body(rng: random.Random, d: dt.date, office: Office, subject: str) -> str:
    """Return body paragraphs with a distracting date and letter number."""
    meet = d + dt.timedelta(days=rng.randint(3, 12))
    earlier = d - dt.timedelta(days=rng.randint(5, 40))
    days = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
    ref = f"{rng.randint(10, 300)}/PM.00.01/K.JI/{earlier.month:02d}/{earlier.year}"
    parts = [
        f"Menindaklanjuti surat Ketua Bawaslu Provinsi Jawa Timur Nomor {ref} tanggal "
        f"{earlier.day} {MONTHS_ID[earlier.month - 1]} {earlier.year}, bersama ini kami "
        f"sampaikan hal {subject.lower()}.",
        f"Kegiatan dilaksanakan pada hari {days[meet.weekday()]}, {meet.day} "
        f"{MONTHS_ID[meet.month - 1]} {meet.year} pukul 09.00 WIB sampai dengan selesai "
        f"bertempat di Aula {office.place}.",
    ]
    rng.shuffle(parts)
    return "\n".join(parts[: rng.randint(1, 2)])


def _letters_plan(rng: random.Random, count: int) -> list[tuple[Office, int]]:
    """Return which office writes each letter: every office, then round robin shuffled."""
    plan = [(OFFICES[i % len(OFFICES)], i) for i in range(count - 2)]
    plan += [(_citizen_office(), count - 2), (_citizen_office(), count - 1)]
    rng.shuffle(plan)
    return plan


def _citizen_office() -> Office:
    return Office("warga", [], [], "", "Mojokerto", lambda rng, d, code: "", [None], "")


def generate(folder: Path, *, count: int = 36, scanned_every: int = 3,
             seed: int = SEED) -> list[Letter]:
    """Write `count` letters into `folder` (every `scanned_every`-th a scan); return the truth."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    fonts = _font_sets()
    letters: list[Letter] = []
    seen: dict[str, int] = {}
    for n, (office, index) in enumerate(_letters_plan(rng, count)):
        year = rng.randint(2015, 2018) if office.layout == "bawaslu_prov_old" else \
            rng.randint(2022, 2025)
        d = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
        code = rng.choice(office.codes)
        number = office.number(rng, d, code)
        subject: str | None = rng.choice(SUBJECTS)
        if rng.random() < 0.08:
            subject = None  # a letter without a Perihal line
        seen[office.layout] = seen.get(office.layout, -1) + 1
        v = _variant(rng, office, index, seen[office.layout])
        if subject and len(subject) > 45 and rng.random() < 0.7:
            v["wrap_subject"] = "1"
        v["body"] = _body(rng, d, office, subject or "kegiatan")
        scanned = n % scanned_every == scanned_every - 1
        fmt = "png" if scanned and n % 2 == 0 else "pdf"
        name = f"surat-{n:02d}-{office.layout}{'-pindai' if scanned else ''}.{fmt}"
        cls = next((s for s in number.split("/") if re.fullmatch(r"[A-Z]{2}(\.\d{2})+", s)),
                   None)
        truth = Letter(name, office.layout, scanned, number or None, d, subject,
                       office.sender or None, cls, v)
        pdf = folder / (name if fmt == "pdf" and not scanned else f".typed-{n:02d}.pdf")
        _draw(pdf, office, truth, v, fonts[n % len(fonts)], rng)
        if scanned:
            _scan(pdf, folder / name, rng)
            pdf.unlink()
        letters.append(truth)
    (folder / "truth.json").write_text(json.dumps(
        [{**asdict(t), "letter_date": t.letter_date.isoformat() if t.letter_date else None}
         for t in letters], indent=1, ensure_ascii=False), encoding="utf-8")
    return letters


def _scan(pdf: Path, target: Path, rng: random.Random) -> None:
    """Render the typed page as a scanner would: 300 dpi grey, rotated, speckled."""
    import pypdfium2 as pdfium
    from PIL import Image, ImageFilter

    doc = pdfium.PdfDocument(str(pdf))
    try:
        image = doc[0].render(scale=300 / 72).to_pil().convert("L")
    finally:
        doc.close()
    image = image.rotate(rng.uniform(-1.5, 1.5), fillcolor=255,
                         resample=Image.Resampling.BICUBIC)
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(0.6))
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    for _ in range(int(width * height * rng.uniform(0.002, 0.008))):
        pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 90, 255))
    if target.suffix == ".pdf":
        image.save(target, "PDF", resolution=300)
    else:
        image.save(target, dpi=(300, 300))


# --------------------------------------------------------------------------- measuring

def letter_text(path: Path) -> str:
    """Return a file's text as the archive would get it: the PDF text layer by the extraction
    workers, and Tesseract (through the project's OCR module) for pages without one."""
    from earsip import extract, ocr
    from earsip.filetypes import PDF, PNG

    mime = PDF if path.suffix == ".pdf" else PNG
    got = extract.extract(path, mime)
    if got.status == "extracted" and not got.blank_pages:
        return got.text
    settings = ocr.OcrSettings()
    with tempfile.TemporaryDirectory(prefix="prefill-") as tmp:
        rendered, _total = extract.render_pages(path, mime, tmp, dpi=settings.dpi, start=0,
                                                count=2, limits=extract.Limits())
        pages = ocr.read_pages(rendered, settings)
    return "\n\f\n".join(p.text for p in pages if p.text.strip())


def norm(value: object) -> str | None:
    """Return a value as compared: dates in ISO form, text case-folded with single spaces."""
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split()).casefold().strip(" .:;")


@dataclass(frozen=True)
class Outcome:
    """One letter's parse against its truth: which fields were right, and which were close
    (a subject or sender at least 90 % similar: one OCR slip for the clerk to correct)."""

    letter: Letter
    found: dict[str, str | None]
    right: dict[str, bool]
    seconds: float
    close: dict[str, bool] = field(default_factory=dict)


def measure(folder: Path, letters: list[Letter], *, scanned: bool | None = None,
            today: dt.date = TODAY) -> list[Outcome]:
    """Extract, parse and score the letters (only the scans or only the typed when asked)."""
    import time

    from earsip.letterparse import parse_letter

    outcomes = []
    for letter in letters:
        if scanned is not None and letter.scanned != scanned:
            continue
        started = time.perf_counter()
        text = letter_text(folder / letter.name)
        parsed = parse_letter(text, today=today)
        seconds = time.perf_counter() - started
        found = {f: norm(getattr(parsed, f)) for f in FIELDS}
        right = {f: found[f] == norm(getattr(letter, f)) for f in FIELDS}
        close = {f: right[f] or _similar(found[f], norm(getattr(letter, f))) for f in FIELDS}
        outcomes.append(Outcome(letter, found, right, seconds, close))
    return outcomes


def _similar(found: str | None, true: str | None) -> bool:
    """Tell whether a found text is at least 90 % like the true one (subject, sender)."""
    from difflib import SequenceMatcher

    if found is None or true is None or len(true) < 12:
        return False
    return SequenceMatcher(None, found, true).ratio() >= 0.9


def accuracy(outcomes: list[Outcome], *, close: bool = False) -> dict[str, float]:
    """Return the share of letters with each field right (or, with `close`, nearly right)."""
    if not outcomes:
        return {}
    return {f: round(sum((o.close if close else o.right)[f] for o in outcomes) / len(outcomes),
                     3) for f in FIELDS}


def table(rows: dict[str, list[Outcome]]) -> str:
    """Return a Markdown table of field accuracy (exact, and within 90 % for the texts) for
    each named group of outcomes."""
    head = "| field | " + " | ".join(f"{name} (n={len(o)})" for name, o in rows.items()) + " |"
    lines = [head, "|---|" + "---:|" * len(rows)]
    exact = {name: accuracy(o) for name, o in rows.items()}
    near = {name: accuracy(o, close=True) for name, o in rows.items()}
    for f in FIELDS:
        cells = [f"{exact[name].get(f, 0) * 100:.1f} %" if rows[name] else "–"
                 for name in rows]
        lines.append(f"| {f} | " + " | ".join(cells) + " |")
    for f in ("subject", "sender"):
        cells = [f"{near[name].get(f, 0) * 100:.1f} %" if rows[name] else "–"
                 for name in rows]
        lines.append(f"| {f}, ≥ 90 % similar | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write the corpus into the folder given as the first argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m tests.letters_corpus FOLDER", file=sys.stderr)
        return 2
    letters = generate(Path(args[0]))
    print(f"{len(letters)} letters ({sum(t.scanned for t in letters)} scanned) in {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
