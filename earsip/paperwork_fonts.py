"""Paperwork fonts: DejaVu Sans registration (or the Helvetica fallback) and text cleaning."""


from __future__ import annotations

import functools
import hashlib
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
