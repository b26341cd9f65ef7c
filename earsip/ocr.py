"""Optical character recognition with Tesseract (Indonesian and English), page by page.

Wraps the `tesseract` command (Debian's `tesseract-ocr` and `tesseract-ocr-ind`). The pages come
rendered (PDFium for PDFs, Pillow for image frames) by an extraction worker under its limits
(`extract.render_pages`); each page image goes through one `tesseract` process with
`OMP_THREAD_LIMIT=1` (so a page does not take every core) and a time limit. Plain values in and
out; only `earsip.errors` is imported.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from earsip.errors import OcrFailed, OcrUnavailable

PDF = "application/pdf"
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/tiff"})
OCR_TYPES = IMAGE_TYPES | {PDF}
__all__ = ["OcrFailed", "OcrSettings", "OcrUnavailable", "PageText", "check_available",
           "read_pages"]


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


def read_pages(pages: list[dict[str, str | None]], settings: OcrSettings) -> list[PageText]:
    """Return the text of each rendered page: its text layer, or what Tesseract reads on its
    image (see `extract.render_pages`); each image is removed once read."""
    found: list[PageText] = []
    for page in pages:
        image = page.get("image")
        if not image:
            found.append(PageText((page.get("text") or "").strip(), recognised=False))
            continue
        try:
            found.append(PageText(_recognise(Path(image), settings), recognised=True))
        finally:
            Path(image).unlink(missing_ok=True)
    return found
