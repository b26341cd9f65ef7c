"""Shared by every extractor: the result dict, Unreadable, text cleaning and the collector."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")

Result = dict[str, Any]


def N_(message: str) -> str:
    """Mark a message for the translation catalog (the browser shows it translated)."""
    return message


# What a clerk reads when a file's text cannot be read: a plain reason and what to do, never
# a parser's exception. The technical detail travels beside it (a result's "detail") into the
# audit entry only. Fixed sentences, so the browser shows them translated.
DAMAGED_PDF = N_("Berkas PDF rusak atau terpotong; simpan ulang dari aplikasi aslinya lalu "
                 "unggah lagi.")
DAMAGED_FILE = N_("Berkas rusak atau terpotong sehingga tidak bisa dibuka; simpan ulang dari "
                  "aplikasi aslinya lalu unggah lagi.")
ENCRYPTED_PDF = N_("PDF ini dilindungi kata sandi atau enkripsi, jadi isinya tidak bisa dibaca "
                   "dan dicari. Berkas tetap tersimpan; bila isinya perlu dicari, simpan ulang "
                   "tanpa kata sandi lalu unggah lagi.")
TOO_HEAVY = N_("Teks berkas tidak dibaca: berkas ini terlalu berat untuk dibaca dalam batas "
               "memori server. Berkas tetap tersimpan; bila isinya perlu dicari, simpan ulang "
               "dalam ukuran lebih kecil (misalnya dipecah per bagian) lalu unggah lagi.")
UNSAFE = N_("Teks berkas tidak dibaca demi keamanan: isinya tersusun dengan cara yang dapat "
            "membebani server (misalnya bom dekompresi atau XML berbahaya). Berkas tetap "
            "tersimpan; bila berkas ini sah, simpan ulang dari aplikasi aslinya lalu unggah lagi.")
UNEXPECTED = N_("Teks berkas tidak dapat dibaca karena kesalahan yang tidak terduga. Berkas "
                "tetap tersimpan; beri tahu administrator bila isinya perlu dicari.")
NO_PAGE_READABLE = N_("Tidak ada halaman PDF yang bisa dibaca teksnya: berkas kemungkinan rusak. "
                      "Berkas tetap tersimpan; simpan ulang dari aplikasi aslinya lalu unggah "
                      "lagi bila isinya perlu dicari.")


def technical(e: BaseException) -> str:
    """Return an exception's class and text, for the audit entry's details (never for users)."""
    text = str(e).strip()
    return f"{type(e).__name__}: {text}"[:500] if text else type(e).__name__


class Unreadable(Exception):
    """The file is not a parseable instance of its claimed type; the argument is the technical
    detail (for the audit entry), not a message for the user."""


class Cut(Exception):
    """Enough text has been gathered (max_text_chars reached)."""


def failed(message: str, pages: int | None = None, *, detail: str | None = None) -> Result:
    """Return a failed result: `message` for the user, `detail` for the audit entry."""
    result: Result = {"status": "failed", "text": "", "pages": pages, "message": message}
    if detail:
        result["detail"] = detail
    return result


def clean(text: str) -> str:
    """Normalise extracted text: NFKC, no control characters, no trailing spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


class Collector:
    """Gather cleaned text pieces up to a character budget."""

    def __init__(self, max_chars: int, separator: str) -> None:
        self.max_chars = max_chars
        self.separator = separator
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, piece: str) -> None:
        """Add a cleaned piece; raise Cut once the budget is spent."""
        if not piece:
            return
        extra = len(self.separator) if self.parts else 0
        room = self.max_chars - self.size - extra
        if room <= 0:
            self.truncated = True
            raise Cut
        if len(piece) > room:
            piece = piece[:room]
            self.truncated = True
        self.parts.append(piece)
        self.size += len(piece) + extra
        if self.truncated:
            raise Cut

    def text(self) -> str:
        """Return the joined text."""
        return self.separator.join(self.parts)

    def note(self) -> str | None:
        """Return the truncation note, if any."""
        if not self.truncated:
            return None
        limit = f"{self.max_chars:,}".replace(",", ".")
        return f"Teks dipotong pada {limit} karakter (batas ekstraksi)."


def finish(col: Collector, pages: int | None, notes: list[str], empty_message: str) -> Result:
    """Build an extracted or empty result from a collector."""
    trunc = col.note()
    if trunc:
        notes.append(trunc)
    text = col.text()
    if not text.strip():
        return {"status": "empty", "text": "", "pages": pages,
                "message": " ".join([empty_message, *notes])}
    return {"status": "extracted", "text": text, "pages": pages,
            "message": " ".join(notes) or None}
