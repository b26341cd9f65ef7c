"""Image extractor: TIFF frame counting only (no OCR yet, no pixel decoding)."""

from __future__ import annotations

import os

from earsip.extractors.text import Result


def extract_tiff(path: str, max_chars: int) -> Result:
    """Count TIFF frames by walking the IFD chain (no pixel decoding)."""
    return {"status": "not_applicable", "text": "", "pages": tiff_frames(path),
            "message": "Gambar: teks belum dibaca (OCR belum tersedia)."}


def tiff_frames(path: str, limit: int = 10_000) -> int:
    """Return the number of IFDs (frames) of a classic TIFF, or 1 if it cannot tell."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head[:4] == b"II*\x00":
            order = "little"
        elif head[:4] == b"MM\x00*":
            order = "big"
        else:
            return 1
        size = os.fstat(fh.fileno()).st_size
        offset = int.from_bytes(head[4:8], order)
        seen: set[int] = set()
        while 8 <= offset < size and offset not in seen and len(seen) < limit:
            seen.add(offset)
            fh.seek(offset)
            raw = fh.read(2)
            if len(raw) < 2:
                break
            entries = int.from_bytes(raw, order)
            fh.seek(offset + 2 + 12 * entries)
            nxt = fh.read(4)
            if len(nxt) < 4:
                break
            offset = int.from_bytes(nxt, order)
    return max(len(seen), 1)
