"""Image extractor: TIFF frame counting (no pixel decoding; the frames are read by OCR later)."""

from __future__ import annotations

from earsip import imagesize
from earsip.extractors.text import Result
from earsip.filetypes import TIFF


def extract_tiff(path: str, max_chars: int) -> Result:
    """Count TIFF frames by walking the IFD chain (no pixel decoding)."""
    return {"status": "not_applicable", "text": "", "pages": tiff_frames(path),
            "message": "Gambar: teks belum dibaca (OCR belum tersedia)."}


def tiff_frames(path: str) -> int:
    """Return the number of frames of a classic TIFF (its IFD chain, no pixel decoding), or 1
    if it cannot tell."""
    return max(sum(1 for _ in imagesize.sizes(path, TIFF)), 1)
