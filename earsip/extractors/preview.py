"""First-page previews (PNG thumbnails) of PDFs, images, plain text and DOCX, made inside an
extraction worker.

PDFium renders PDFs (it is a different parser from pypdf, so a file pypdf reads may still fail
here, and the other way round); Pillow reads images, with its decompression-bomb limit left on.
Plain text and DOCX have no page image: their first lines (a text file's own, a DOCX's extracted
text, read within a small character budget by the same extractors as for search) are drawn on
an A4-shaped white page in DejaVu Sans Mono (Debian's ``fonts-dejavu-core``), at most
``TEXT_LINES`` lines. The page says nothing about the original's layout: the document page
calls it a text preview. Like extraction, every outcome is a dict and nothing raises to the
caller.
"""

from __future__ import annotations

import textwrap
from typing import Any

from earsip.atomic import write_atomic
from earsip.extractors.office import extract_docx
from earsip.extractors.plain import extract_text
from earsip.extractors.text import N_, Result, failed, technical
from earsip.filetypes import DOCX, JPEG, PDF, PNG, TEXT, TIFF

TEXT_PREVIEW_TYPES = frozenset({TEXT, DOCX})
PREVIEW_TYPES = frozenset({PDF, PNG, JPEG, TIFF}) | TEXT_PREVIEW_TYPES
# Pillow refuses images above this many pixels (a "pixel flood") instead of decoding them.
MAX_IMAGE_PIXELS = 80_000_000
FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
TEXT_LINES = 60  # lines drawn on a text preview
TEXT_CHARS = 12_000  # at most this much text is read for it (60 full lines need ~6,000)


def render_preview(path: str, mime: str, out_path: str, max_px: int) -> Result:
    """Write a PNG of the first page of `path`, at most `max_px` on its longer side."""
    if mime not in PREVIEW_TYPES:
        return failed(N_("Pratinjau tidak tersedia untuk jenis berkas ini."))
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        if mime in TEXT_PREVIEW_TYPES:
            image = _text_page(path, mime, max_px)
        elif mime == PDF:
            image = _pdf_first_page(path, max_px)
        else:
            image = _image_first_frame(path)
        image.thumbnail((max_px, max_px))
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        write_atomic(out_path, lambda f: image.save(f, "PNG", optimize=True))
    except Exception as e:  # any parser failure means "no preview", never a crash
        return failed(N_("Pratinjau tidak dapat dibuat: berkas rusak atau tidak bisa dibuka."),
                      detail=technical(e))
    return {"status": "preview", "pages": None, "text": "", "message": None}


def _pdf_first_page(path: str, max_px: int):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        page = pdf[0]
        width, height = page.get_size()
        scale = min(4.0, max_px / max(width, height, 1.0))
        return page.render(scale=scale).to_pil()
    finally:
        pdf.close()


def _image_first_frame(path: str):
    from PIL import Image

    with Image.open(path) as im:
        im.seek(0)
        im.draft("RGB", (2048, 2048))  # JPEG: decode at a reduced size when it can
        return im.copy()


def first_lines(text: str, columns: int, lines: int = TEXT_LINES) -> list[str]:
    """Return the first `lines` lines of `text`, long lines wrapped at `columns` characters."""
    out: list[str] = []
    for line in text.expandtabs(4).splitlines():
        out.extend(textwrap.wrap(line, columns, break_long_words=True,
                                 drop_whitespace=True) or [""])
        if len(out) >= lines:
            break
    return out[:lines]


def _text_page(path: str, mime: str, max_px: int) -> Any:  # noqa: ANN401 - a PIL image
    """Draw the first lines of a text file or of a DOCX's text on an A4-shaped page."""
    from PIL import Image, ImageDraw, ImageFont

    extracted = extract_text(path, TEXT_CHARS) if mime == TEXT else extract_docx(path, TEXT_CHARS)
    height = max_px
    width = round(max_px * 210 / 297)
    margin = round(height * 0.04)
    line_h = (height - 2 * margin) / TEXT_LINES
    size = max(6, int(line_h * 0.85))
    try:
        font: Any = ImageFont.truetype(FONT_PATH, size)
    except OSError:  # fonts-dejavu-core missing: Pillow's own font still shows the words
        font = ImageFont.load_default(size)
    columns = max(10, int((width - 2 * margin) / max(font.getlength("M"), 1.0)))
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    for number, line in enumerate(first_lines(extracted.get("text") or "", columns)):
        draw.text((margin, margin + number * line_h), line, fill=0, font=font)
    return page
