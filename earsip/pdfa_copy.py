"""The searchable copy of a scan ("salinan teks-cari"), made by OCRmyPDF in an extraction worker.

OCRmyPDF keeps the pages that have a text layer as they are (skip mode) and lays Tesseract's
invisible text over the scanned ones; images become PDF pages. The copy is made as PDF/A-2b
by OCRmyPDF's own PDF/A backend (`pdfa_backend="internal"`: no Ghostscript, whose Debian 12
version OCRmyPDF refuses beside existing text). When that backend cannot make a page PDF/A
(some born-digital pages carry features PDF/A forbids) the same run writes a plain searchable
PDF instead (`output_type="auto"`), and the copy says so (`kind`).

OCRmyPDF runs through its Python API inside an extraction worker (`extract.searchable_copy`,
`extractors/pdfa.py`): under an address-space limit, a time limit (the worker is killed at the
deadline), `OMP_THREAD_LIMIT=1` and one job, ended by the kernel if the process that asked for
it dies; the worker keeps OCRmyPDF imported for the next copy. The text Tesseract read for the
copy comes back with it, page by page (`Copy.pages`), so the OCR job does not read those pages
again. Only `errors` and `extract` are imported from earsip.
"""

from __future__ import annotations

import importlib.util
import os
import time
from dataclasses import dataclass
from pathlib import Path

from earsip import extract
from earsip.errors import OcrFailed, OcrUnavailable

ENCRYPTED = 8  # OCRmyPDF: "encrypted PDF" (one that opens without a password, but has owner rights)
MEMORY_MB = 2048


@dataclass(frozen=True)
class Copy:
    """A searchable copy written to the asked path: "pdfa" (PDF/A-2b) or "pdf".

    `pages` holds, for each page of the copy, (its text, whether it was recognised), or None
    for a page with neither text layer nor recognised text (the caller reads it itself);
    `pages` is None when OCRmyPDF's text could not be matched to the pages.
    """

    kind: str
    pages: tuple[tuple[str, bool] | None, ...] | None = None


def available() -> bool:
    """Return True when OCRmyPDF is installed (not imported here: the worker runs it)."""
    return importlib.util.find_spec("ocrmypdf") is not None


def make_copy(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
              mime: str = "application/pdf", languages: str = "ind+eng",
              timeout_s: float = 1800.0, work_dir: str | os.PathLike[str] | None = None) -> Copy:
    """Write the searchable copy of `source` (a PDF or image of type `mime`) to `target`.

    OCRmyPDF's working files go to `work_dir` (default: the folder of `target`). Raise
    OcrUnavailable when OCRmyPDF is missing and OcrFailed when no copy can be made (encrypted
    or signed PDF, damaged file, memory or time limit).
    """
    if not available():
        raise OcrUnavailable("Salinan teks-cari tidak tersedia: paket ocrmypdf belum terpasang.")
    target = Path(target)
    started = time.monotonic()
    result = extract.searchable_copy(
        source, target, mime, languages=languages, work_dir=work_dir or target.parent,
        limits=extract.Limits(timeout_s=timeout_s, memory_mb=MEMORY_MB))
    if result.get("status") != "copied" or not target.is_file():
        target.unlink(missing_ok=True)
        if result.get("code") == ENCRYPTED:
            raise OcrFailed("Salinan teks-cari tidak dibuat: PDF terenkripsi (hak akses pemilik).")
        if time.monotonic() - started >= timeout_s:  # the worker was killed at the deadline
            raise OcrFailed("Salinan teks-cari melewati batas waktu %(s)d detik.",
                            params={"s": int(timeout_s)})
        reason = str(result.get("detail") or result.get("message") or "?")
        raise OcrFailed("Salinan teks-cari tidak dapat dibuat: %(reason)s",
                        params={"reason": reason[:300]})
    pages = result.get("pages")
    return Copy(str(result["kind"]), None if pages is None else tuple(
        None if page is None else (str(page[0]), bool(page[1])) for page in pages))
