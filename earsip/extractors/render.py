"""Page images for OCR, made inside an extraction worker (so PDFium and Pillow parse a hostile
file under the worker's memory limit and the caller's time limit, never in the worker that runs
the jobs).

A PDF page that has a text layer is not rendered: its text is returned instead. Every other page
(and every frame of an image) is written as a grayscale PNG into the folder the caller gives,
at the asked resolution, capped at a pixel count. Every outcome is a dict.
"""

from __future__ import annotations

import os
import unicodedata

from earsip.extractors.text import Result, failed
from earsip.filetypes import PDF

MAX_IMAGE_PIXELS = 80_000_000


def render_pages(path: str, mime: str, out_dir: str, dpi: int, max_pages: int) -> Result:
    """Return {"status": "rendered", "pages": [{"text": ..., "image": ...}, ...]}."""
    try:
        pages = _pdf(path, out_dir, dpi, max_pages) if mime == PDF else _image(
            path, out_dir, max_pages)
    except Exception as e:  # any parser failure is an outcome, never a crash
        return failed(f"Halaman tidak dapat dirender untuk OCR ({type(e).__name__}: {e}).")
    return {"status": "rendered", "pages": pages, "text": "", "message": None}


def _pdf(path: str, out_dir: str, dpi: int, max_pages: int) -> list[dict[str, str | None]]:
    import pypdfium2 as pdfium

    pages: list[dict[str, str | None]] = []
    pdf = pdfium.PdfDocument(path)
    try:
        for number in range(min(len(pdf), max_pages)):
            page = pdf[number]
            layer = unicodedata.normalize("NFKC", page.get_textpage().get_text_range()).strip()
            if layer:
                pages.append({"text": layer, "image": None})
                continue
            width, height = page.get_size()
            scale = dpi / 72
            if width * height * scale * scale > MAX_IMAGE_PIXELS:
                scale = (MAX_IMAGE_PIXELS / max(width * height, 1.0)) ** 0.5
            target = os.path.join(out_dir, f"{number:05d}.png")
            page.render(scale=scale, grayscale=True).to_pil().save(target)
            pages.append({"text": None, "image": target})
    finally:
        pdf.close()
    return pages


def _image(path: str, out_dir: str, max_pages: int) -> list[dict[str, str | None]]:
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # a pixel flood raises, and becomes an outcome
    pages: list[dict[str, str | None]] = []
    with Image.open(path) as image:
        for number, frame in enumerate(ImageSequence.Iterator(image)):
            if number >= max_pages:
                break
            target = os.path.join(out_dir, f"{number:05d}.png")
            converted = frame.convert("L")
            dpi = frame.info.get("dpi")
            converted.save(target, dpi=dpi) if dpi else converted.save(target)
            pages.append({"text": None, "image": target})
    return pages
