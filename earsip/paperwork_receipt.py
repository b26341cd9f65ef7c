"""The receipt the public is given for a request for information or an objection, as PDF
(reportlab): the registration number, the day it was registered, the due date of the answer
written the Indonesian way, and the secret tracking code with the warning to keep it.

Plain values in, PDF bytes out, with the paperwork layer's fonts and A4 layout. The PDF is made
when the person asks for it and never stored (earsip/web/public_guard.py says how the code gets
there without being kept).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer, Table, TableStyle

from earsip import paperwork
from earsip.paperwork_fonts import _load_fonts, _plain
from earsip.paperwork_layout import _PORTRAIT_WIDTH, _Layout
from earsip.paperwork_words import formal_date, formal_moment, local_moment

_TITLES = {"permohonan": "TANDA BUKTI PERMOHONAN INFORMASI PUBLIK",
           "keberatan": "TANDA BUKTI PENGAJUAN KEBERATAN"}
_GREY = colors.Color(0.9, 0.9, 0.9)


@dataclass(frozen=True)
class Receipt:
    """The facts of a receipt; `registered_at` is a stored (naive UTC) moment shown in `zone`."""

    office: str
    kind: str  # "permohonan" or "keberatan"
    registration_number: str
    tracking_code: str
    case_type: str
    registered_at: dt.datetime
    due_date: dt.date | None
    zone: str
    printed_at: dt.datetime


class _ReceiptWriter(_Layout):
    def receipt(self, r: Receipt) -> bytes:
        story: list[Flowable] = self.heading(r.office, _TITLES[r.kind], "Nomor Pendaftaran",
                                             r.registration_number)
        due = formal_date(r.due_date) if r.due_date else "-"
        story.append(self.fields([
            ("Jenis layanan", r.case_type),
            ("Nomor pendaftaran", r.registration_number),
            ("Diterima", formal_moment(r.registered_at, r.zone)),
            ("Batas waktu jawaban", due),
        ], _PORTRAIT_WIDTH))
        story.append(Spacer(1, 6 * mm))
        code = Table([[self.para("Kode pelacakan", self.center)],
                      [self.para(f"<b>{self.text(r.tracking_code)}</b>", self.kop)]],
                     colWidths=[_PORTRAIT_WIDTH * 0.7])
        code.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                                  ("BACKGROUND", (0, 0), (-1, 0), _GREY),
                                  ("TOPPADDING", (0, 0), (-1, -1), 4),
                                  ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
        story += [code, Spacer(1, 6 * mm)]
        story.append(self.para(
            "<b>Simpan kode pelacakan ini.</b> Kode ini hanya diberikan sekali dan tidak dapat "
            "ditampilkan lagi: kantor hanya menyimpan sidiknya, bukan kodenya. Dengan nomor "
            "pendaftaran dan kode ini Anda dapat melacak status layanan di halaman Layanan "
            "Informasi (Lacak) dan mengajukan keberatan. Jangan berikan kode ini kepada orang "
            "lain.", self.body))
        if r.kind == "permohonan":
            story.append(self.para(
                "Batas waktu jawaban adalah hari terakhir jawaban tertulis wajib diberikan: "
                "10 hari kerja sejak hari setelah permohonan diterima, dan dapat diperpanjang "
                "paling lama 7 hari kerja dengan alasan tertulis (UU 14/2008 Pasal 22).",
                self.body))
        else:
            story.append(self.para(
                "Keberatan ditanggapi oleh atasan PPID paling lambat 30 hari kerja sejak "
                "dicatat (UU 14/2008 Pasal 36).", self.body))
        story.append(Spacer(1, 4 * mm))
        story.append(self.para(
            f"Dicetak dari E-Arsip pada {formal_moment(r.printed_at, r.zone)}", self.cell))
        number = _plain(r.registration_number)
        return self.render(
            story, first="portrait", day=local_moment(r.printed_at, r.zone).date(),
            title=f"{_TITLES[r.kind].title()} {number}", author=_plain(r.office),
            subject="Tanda bukti layanan informasi", label=f"Tanda Bukti {number}")


def receipt_pdf(receipt: Receipt) -> bytes:
    """Render the receipt of a request or an objection (one A4 page)."""
    return _ReceiptWriter(_load_fonts(paperwork.FONT_DIR)).receipt(receipt)
