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


class Unreadable(Exception):
    """The file is not a parseable instance of its claimed type."""


class Cut(Exception):
    """Enough text has been gathered (max_text_chars reached)."""


def failed(message: str, pages: int | None = None) -> Result:
    """Return a failed result."""
    return {"status": "failed", "text": "", "pages": pages, "message": message}


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
