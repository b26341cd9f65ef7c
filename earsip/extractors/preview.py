"""First-page previews (PNG thumbnails) of PDFs and images, made inside an extraction worker.

PDFium renders PDFs (it is a different parser from pypdf, so a file pypdf reads may still fail
here, and the other way round); Pillow reads images, with its decompression-bomb limit left on.
Like extraction, every outcome is a dict and nothing raises to the caller.
"""

from __future__ import annotations

import os

from earsip.extractors.text import N_, Result, failed, technical
from earsip.filetypes import JPEG, PDF, PNG, TIFF

PREVIEW_TYPES = frozenset({PDF, PNG, JPEG, TIFF})
# Pillow refuses images above this many pixels (a "pixel flood") instead of decoding them.
MAX_IMAGE_PIXELS = 80_000_000


def render_preview(path: str, mime: str, out_path: str, max_px: int) -> Result:
    """Write a PNG of the first page of `path`, at most `max_px` on its longer side."""
    if mime not in PREVIEW_TYPES:
        return failed("Pratinjau tidak tersedia untuk jenis berkas ini.")
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        image = _pdf_first_page(path, max_px) if mime == PDF else _image_first_frame(path)
        image.thumbnail((max_px, max_px))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        tmp = f"{out_path}.{os.getpid()}.tmp"
        image.save(tmp, "PNG", optimize=True)
        os.replace(tmp, out_path)
    except Exception as e:  # any parser failure means "no preview", never a crash
        return failed(N_("Pratinjau tidak dapat dibuat: berkas rusak atau tidak bisa dibuka."),
                      detail=technical(e))
    return {"status": "preview", "pages": None, "text": "", "message": None}


def _pdf_first_page(path: str, max_px: int):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[0]
        width, height = page.get_size()
        scale = min(4.0, max_px / max(width, height, 1.0))
        return page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def _image_first_frame(path: str):  # type: ignore[no-untyped-def]
    from PIL import Image

    with Image.open(path) as im:
        im.seek(0)
        im.draft("RGB", (2048, 2048))  # JPEG: decode at a reduced size when it can
        return im.copy()
