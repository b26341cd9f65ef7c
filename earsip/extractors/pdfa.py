"""The searchable copy made inside an extraction worker: OCRmyPDF through its Python API.

The worker imports OCRmyPDF on its first copy (not in the forkserver, which stays small) and
keeps it imported for the next ones, so a one-page scan does not pay the ~0.7 s of starting
Python and importing OCRmyPDF each time. OCRmyPDF keeps the pages that have text as they are
(skip mode), recognises the others once with Tesseract and writes both the copy and its
*sidecar*: the text Tesseract read, page by page. That text is returned with the copy, so the
caller does not recognise the same pages a second time; a page OCRmyPDF skipped comes back with
its own text layer (PDFium, as `render.py` reads it), and a page of which neither has text
comes back as None: the caller reads it itself, with its own time limit (OCRmyPDF leaves a page
whose Tesseract ran out of time silently empty, and skips a page whose text layer is blank).

Pages are rasterised for Tesseract by this module's OCRmyPDF plugin: OCRmyPDF's own PDFium
rasteriser, with the PNG written at zlib level 1 instead of 6 (the image is only read once, by
Tesseract; level 6 cost a fifth of a page's time). Every outcome is a dict.
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import unicodedata
import zlib
from pathlib import Path
from typing import Any

from earsip.extractors.text import N_, Result, failed, technical
from earsip.filetypes import PDF

PNG_LEVEL = 1
_SKIPPED = re.compile(r"\[OCR skipped on page\(s\) (\d+)(?:-(\d+))?\]")

try:  # the plugin hook below; absent (and unused) when OCRmyPDF is not installed
    from ocrmypdf import hookimpl
except ImportError:  # pragma: no cover
    def hookimpl(fn: Any) -> Any:  # type: ignore[misc]  # noqa: ANN401 - a stand-in for OCRmyPDF's marker
        return fn


def make_copy(source: str, target: str, mime: str, languages: str, work_dir: str) -> Result:
    """Write the searchable copy of `source` to `target`; return {"status": "copied", "kind":
    "pdfa" | "pdf", "pages": [(text, recognised) or None per page]} (pages None when the
    sidecar cannot be read page by page), or a failed result with OCRmyPDF's exit "code"."""
    os.environ["OMP_THREAD_LIMIT"] = "1"  # Tesseract's threads: one core per job
    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)  # its failures come back as results
    saved = tempfile.tempdir
    tempfile.tempdir = work_dir  # OCRmyPDF's working folder: document content, kept with ours
    sidecar = Path(work_dir) / "salinan.txt"
    try:
        code, reason = _ocrmypdf(source, target, languages, sidecar)
        if code != 0 or not os.path.isfile(target):
            Path(target).unlink(missing_ok=True)
            result = failed(reason or f"OCRmyPDF exit code {code}", detail=reason)
            result["code"] = code
            return result
        kind = _kind(target)
        texts = _pages(sidecar.read_text(encoding="utf-8"))
        pages = None if texts is None else _with_layers(source, texts) if mime == PDF else [
            (text, True) if text else None for text in texts]
        return {"status": "copied", "kind": kind, "pages": pages, "text": "", "message": None}
    except Exception as e:  # any failure is an outcome, never a crash
        Path(target).unlink(missing_ok=True)
        return failed(N_("Salinan teks-cari tidak dapat dibuat."), detail=technical(e))
    finally:
        tempfile.tempdir = saved
        sidecar.unlink(missing_ok=True)


def _ocrmypdf(source: str, target: str, languages: str,
              sidecar: Path) -> tuple[int, str | None]:
    """Run OCRmyPDF once: PDF/A-2b where its own backend can make it, else a plain PDF
    (`output_type="auto"`; asking for "pdfa" and then "pdf" recognised every page twice)."""
    import ocrmypdf
    from ocrmypdf.exceptions import ExitCodeException

    try:
        code = ocrmypdf.ocr(
            source, target, skip_text=True, language=languages.split("+"),
            output_type="auto", pdfa_backend="internal", jobs=1, use_threads=True,
            optimize=0, image_dpi=300, tesseract_timeout=120, sidecar=sidecar,
            progress_bar=False, plugins=[__name__])
    except ExitCodeException as e:
        return int(e.exit_code), (str(e).strip() or type(e).__name__)[:300]
    return int(code), None


def _kind(target: str) -> str:
    """Return "pdfa" when the copy declares PDF/A-2b (OCRmyPDF validated it), else "pdf"."""
    import pikepdf

    with pikepdf.open(target) as pdf:
        return "pdfa" if pdf.open_metadata().pdfa_status == "2B" else "pdf"


def _pages(sidecar: str) -> list[str | None] | None:
    """Split OCRmyPDF's sidecar into the text of each page (None: a page it skipped).

    Pages are separated by form feeds; a run of skipped pages is one "[OCR skipped on page(s)
    a-b]" naming those pages. Return None when the text does not follow that shape.
    """
    pages: list[str | None] = []
    for chunk in sidecar.split("\f"):
        skipped = _SKIPPED.fullmatch(chunk.strip())
        first = len(pages) + 1
        if skipped:
            last = int(skipped.group(2) or first)
            if int(skipped.group(1)) != first or last < first:
                return None  # not where those pages would be: the pages cannot be told apart
            pages += [None] * (last - first + 1)
        else:
            pages.append(chunk.strip())
    return pages


def _with_layers(source: str,
                 pages: list[str | None]) -> list[tuple[str, bool] | None] | None:
    """Give each page its recognised text, or its text layer when OCRmyPDF skipped it (None
    when neither has any); None when the sidecar does not have the PDF's number of pages."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(source)
    try:
        if len(pdf) != len(pages):
            return None
        filled: list[tuple[str, bool] | None] = []
        for number, text in enumerate(pages):
            if text is None:
                layer = unicodedata.normalize(
                    "NFKC", pdf[number].get_textpage().get_text_range()).strip()
                filled.append((layer, False) if layer else None)
            else:
                filled.append((text, True) if text else None)
        return filled
    finally:
        pdf.close()


@hookimpl
def rasterize_pdf_page(input_file: Path, output_file: Path, raster_device: str,
                       raster_dpi: Any, pageno: int, page_dpi: Any,  # noqa: ANN401
                       rotation: int | None, filter_vector: bool, stop_on_soft_error: bool,
                       options: Any, use_cropbox: bool) -> Path | None:  # noqa: ANN401
    """OCRmyPDF's PDFium rasteriser, saving PNG at zlib level 1 (None: OCRmyPDF's own)."""
    try:
        from ocrmypdf.builtin_plugins import pypdfium as builtin
        helpers = (builtin._pdfium_lock, builtin._open_pdf_document,
                   builtin._render_page_to_bitmap, builtin._bitmap_to_pil,
                   builtin._process_image_for_output)
    except (ImportError, AttributeError):  # another OCRmyPDF: its own rasteriser does it
        return None
    lock, open_pdf, render, to_pil, process = helpers
    if builtin.pdfium is None or (options is not None and options.rasterizer == "ghostscript"):
        return None
    from contextlib import closing

    with lock, closing(open_pdf(input_file)) as pdf, closing(pdf[pageno - 1]) as page:
        bitmap, width, height = render(page, raster_device, raster_dpi, rotation, use_cropbox)
        with closing(bitmap):
            image = to_pil(bitmap, width, height)
    image, format_name = process(image, raster_device, raster_dpi, page_dpi,
                                 stop_on_soft_error, width, height)
    extra: dict[str, Any] = {"dpi": image.info["dpi"]} if "dpi" in image.info else {}
    if format_name == "PNG":
        extra.update(compress_level=PNG_LEVEL, compress_type=zlib.Z_RLE)
    image.save(output_file, format=format_name, **extra)
    return output_file
