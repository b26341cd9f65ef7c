"""Paperwork of destruction and transfer as PDF (reportlab): lists and berita acara.

Plain values in, PDF bytes out. Every piece of user text is escaped before reportlab's paragraph
parser sees it, so a title like `<b>x</b> & <script>` is printed literally. Text is set in DejaVu
Sans (Debian's `fonts-dejavu-core`) when installed; without it Helvetica is used and characters
outside Latin-1 become `?`. Characters the chosen font cannot draw become `?` too, so nothing
silently disappears from a legal document.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from earsip.paperwork_documents import _Writer
from earsip.paperwork_fonts import (  # noqa: F401 - re-exported
    _LATIN1,
    _STAND_INS,
    _font_lock,
    _Fonts,
    _load_fonts,
    _plain,
)
from earsip.paperwork_layout import (  # noqa: F401 - re-exported
    _LANDSCAPE_WIDTH,
    _PORTRAIT_WIDTH,
    _Layout,
    _paged_canvas,
)
from earsip.paperwork_records import (  # noqa: F401 - re-exported
    _HEX64,
    MIN_WITNESSES,
    PERSON_LABELS,
    DestructionRecord,
    ListRow,
    Person,
    TransferRecord,
    _check_person,
    _check_rows,
    _require,
    _same_person,
    check_destruction,
    check_transfer,
)
from earsip.paperwork_words import (  # noqa: F401 - re-exported
    _LIMIT,
    _MONTHS,
    _ONES,
    _SCALES,
    _WEEKDAYS,
    _below_thousand,
    _formal_date,
    date_in_words,
    number_in_words,
)

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

# What the services use (the private names above stay importable for the tests).
__all__ = [
    "FONT_DIR", "MIN_WITNESSES", "PERSON_LABELS", "DestructionRecord", "ListRow", "Person",
    "TransferRecord", "berita_acara_pemusnahan_pdf", "berita_acara_penyerahan_pdf",
    "check_destruction", "check_transfer", "date_in_words", "destruction_list_pdf",
    "number_in_words",
]


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
