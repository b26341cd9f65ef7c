"""Optical character recognition with Tesseract (Indonesian and English), page by page.

Wraps the `tesseract` command (Debian's `tesseract-ocr` and `tesseract-ocr-ind`): PDF pages are
rendered with PDFium at the configured resolution, image frames are read with Pillow, and each
page goes through one `tesseract` process with `OMP_THREAD_LIMIT=1` (so a page does not take
every core) and a time limit. Plain values in and out; only `earsip.errors` is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from earsip.errors import OcrFailed, OcrUnavailable

PDF = "application/pdf"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff"})
OCR_TYPES = IMAGE_TYPES | {PDF}
MAX_IMAGE_PIXELS = 80_000_000
__all__ = ["OcrFailed", "OcrSettings", "OcrUnavailable", "PageText", "check_available",
           "image_frames", "pdf_pages"]


@dataclass(frozen=True)
class OcrSettings:
    """How OCR runs: the command, languages, resolution and per-page time limit."""

    command: str = "tesseract"
    languages: str = "ind+eng"
    dpi: int = 300
    page_timeout_s: float = 120.0
    max_pages: int = 500


def check_available(settings: OcrSettings) -> None:
    """Raise OcrUnavailable, saying what is missing, unless Tesseract and its languages are."""
    binary = shutil.which(settings.command)
    if binary is None:
        raise OcrUnavailable("OCR tidak tersedia: perintah %(command)s tidak ditemukan (paket "
                             "Debian tesseract-ocr dan tesseract-ocr-ind).",
                             params={"command": settings.command})
    try:
        listed = subprocess.run([binary, "--list-langs"], capture_output=True, text=True,
                                timeout=30, check=False).stdout.split()
    except (OSError, subprocess.TimeoutExpired) as e:
        raise OcrUnavailable("OCR tidak tersedia: %(reason)s", params={"reason": str(e)}) from e
    missing = [lang for lang in settings.languages.split("+") if lang not in listed]
    if missing:
        raise OcrUnavailable("OCR tidak tersedia: data bahasa %(langs)s belum terpasang "
                             "(paket Debian tesseract-ocr-ind).",
                             params={"langs": ", ".join(missing)})


def _recognise(image: Path, settings: OcrSettings) -> str:
    """Return the text Tesseract reads on one page image."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        done = subprocess.run(
            [settings.command, str(image), "stdout", "-l", settings.languages, "--dpi",
             str(settings.dpi)],
            capture_output=True, timeout=settings.page_timeout_s, env=env, check=False)
    except subprocess.TimeoutExpired as e:
        raise OcrFailed("OCR melewati batas waktu %(s)d detik per halaman.",
                        params={"s": int(settings.page_timeout_s)}) from e
    except OSError as e:
        raise OcrUnavailable("OCR tidak tersedia: %(reason)s", params={"reason": str(e)}) from e
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()
        raise OcrFailed("Tesseract gagal membaca halaman: %(reason)s",
                        params={"reason": reason[-1] if reason else done.returncode})
    return done.stdout.decode("utf-8", errors="replace").strip()


@dataclass(frozen=True)
class PageText:
    """The text of one page, and whether it came from OCR (else from the text layer)."""

    text: str
    recognised: bool


def pdf_pages(path: str | os.PathLike[str], settings: OcrSettings) -> list[PageText]:
    """Return every page's text: its text layer where it has one, else what Tesseract reads."""
    import pypdfium2 as pdfium

    found: list[PageText] = []
    with tempfile.TemporaryDirectory(prefix="earsip-ocr-") as tmp:
        pdf = pdfium.PdfDocument(str(path))
        try:
            for number in range(min(len(pdf), settings.max_pages)):
                page = pdf[number]
                layer = unicodedata.normalize("NFKC", page.get_textpage().get_text_range())
                if layer.strip():
                    found.append(PageText(layer.strip(), recognised=False))
                    continue
                width, height = page.get_size()
                scale = settings.dpi / 72
                if width * height * scale * scale > MAX_IMAGE_PIXELS:
                    scale = (MAX_IMAGE_PIXELS / (width * height)) ** 0.5
                target = Path(tmp) / f"{number}.png"
                page.render(scale=scale, grayscale=True).to_pil().save(target)
                found.append(PageText(_recognise(target, settings), recognised=True))
                target.unlink()
        except pdfium.PdfiumError as e:
            raise OcrFailed("PDF tidak dapat dirender untuk OCR: %(reason)s",
                            params={"reason": str(e)}) from e
        finally:
            pdf.close()
    return found


def image_frames(path: str | os.PathLike[str], settings: OcrSettings) -> list[str]:
    """Return the text Tesseract reads on each frame of an image (TIFFs may hold several)."""
    from PIL import Image, ImageSequence

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    texts: list[str] = []
    with tempfile.TemporaryDirectory(prefix="earsip-ocr-") as tmp:
        try:
            with Image.open(path) as image:
                for n, frame in enumerate(ImageSequence.Iterator(image)):
                    if n >= settings.max_pages:
                        break
                    target = Path(tmp) / f"{n}.png"
                    frame.convert("L").save(target)
                    texts.append(_recognise(target, settings))
                    target.unlink()
        except (OSError, Image.DecompressionBombError) as e:
            raise OcrFailed("Gambar tidak dapat dibaca untuk OCR: %(reason)s",
                            params={"reason": str(e)}) from e
    return texts
