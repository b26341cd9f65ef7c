"""Plain-text extractor: decode by BOM, UTF-8 or cp1252, within the character budget."""

from __future__ import annotations

import codecs
import contextlib

from earsip.extractors.text import N_, Collector, Cut, Result, clean, finish


def extract_text(path: str, max_chars: int) -> Result:
    """Decode a text file (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252)."""
    budget = max_chars * 4 + 4
    with open(path, "rb") as fh:
        data = fh.read(budget + 1)
    partial = len(data) > budget
    data = data[:budget]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=not partial)
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    col = Collector(max_chars, "")
    with contextlib.suppress(Cut):
        col.add(clean(text))
    if partial:
        col.truncated = True
    return finish(col, None, [], N_("Berkas teks tidak berisi teks."))
