"""Page images for OCR, made inside an extraction worker (so PDFium and Pillow parse a hostile
file under the worker's memory limit and the caller's time limit, never in the worker that runs
the jobs).

A PDF page that has a text layer is not rendered: its text is returned instead. Every other page
(and every frame of an image) is written as a grayscale PGM (uncompressed: quicker to write and
for Tesseract to read than PNG, which cost a fifth of a page's time) into the folder the caller
gives, at the asked resolution, capped at a pixel count. Every outcome is a dict.
"""

from __future__ import annotations

import os
import unicodedata

from earsip.extractors.text import N_, Result, failed, technical
from earsip.filetypes import PDF

MAX_IMAGE_PIXELS = 80_000_000


def render_pages(path: str, mime: str, out_dir: str, dpi: int, start: int, count: int) -> Result:
    """Render pages `start` to `start + count - 1`; return {"status": "rendered", "pages":
    [{"text": ..., "image": ...}, ...], "total": pages in the file}."""
    try:
        pages, total = _pdf(path, out_dir, dpi, start, count) if mime == PDF else _image(
            path, out_dir, start, count)
    except Exception as e:  # any parser failure is an outcome, never a crash
        return failed(N_("Halaman tidak dapat dibaca untuk OCR: berkas rusak atau tidak bisa "
                         "dibuka."), detail=technical(e))
    return {"status": "rendered", "pages": pages, "total": total, "text": "", "message": None}


def _pdf(path: str, out_dir: str, dpi: int, start: int,
         count: int) -> tuple[list[dict[str, str | None]], int]:
    import pypdfium2 as pdfium

    pages: list[dict[str, str | None]] = []
    pdf = pdfium.PdfDocument(path)
    try:
        total = len(pdf)
        for number in range(start, min(total, start + count)):
            page = pdf[number]
            layer = unicodedata.normalize("NFKC", page.get_textpage().get_text_range()).strip()
            if layer:
                pages.append({"text": layer, "image": None})
                continue
            width, height = page.get_size()
            scale = dpi / 72
            if width * height * scale * scale > MAX_IMAGE_PIXELS:
                scale = (MAX_IMAGE_PIXELS / max(width * height, 1.0)) ** 0.5
            target = os.path.join(out_dir, f"{number:05d}.pgm")
            page.render(scale=scale, grayscale=True).to_pil().save(target)
            pages.append({"text": None, "image": target})
    finally:
        pdf.close()
    return pages, total


def _image(path: str, out_dir: str, start: int,
           count: int) -> tuple[list[dict[str, str | None]], int]:
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # a pixel flood raises, and becomes an outcome
    pages: list[dict[str, str | None]] = []
    with Image.open(path) as image:
        total = getattr(image, "n_frames", 1)
        for number in range(start, min(total, start + count)):
            image.seek(number)
            target = os.path.join(out_dir, f"{number:05d}.pgm")
            image.convert("L").save(target)
            pages.append({"text": None, "image": target})
    return pages, total
