"""Synthetic scans of known Indonesian text: rendered at 300 dpi, slightly rotated, with noise."""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TEXT = (
    "Badan Pengawas Pemilihan Umum Kota Mojokerto menyampaikan laporan hasil pengawasan "
    "tahapan kampanye di Kecamatan Prajurit Kulon dan Kecamatan Magersari. Pengawas "
    "menemukan alat peraga kampanye yang dipasang di tempat ibadah dan sekolah, sehingga "
    "direkomendasikan penertiban kepada Komisi Pemilihan Umum Kota Mojokerto sesuai "
    "peraturan yang berlaku. Rapat koordinasi dilaksanakan pada hari Senin di kantor "
    "sekretariat dengan dihadiri seluruh panitia pengawas kecamatan."
)


def words(text: str = TEXT) -> list[str]:
    """Return the words of `text` a recall check counts (letters only, three or more)."""
    cleaned = "".join(c.lower() if c.isalpha() else " " for c in text)
    return [w for w in cleaned.split() if len(w) >= 3]


def page(text: str = TEXT, *, dpi: int = 300, angle: float = 1.2, noise: float = 0.01,
         seed: int = 7) -> Image.Image:
    """Return an A4 page image of `text` as a scanner would give it."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, size=int(12 / 72 * dpi))
    margin, y, line = int(dpi), int(dpi), []
    for word in text.split():
        trial = " ".join([*line, word])
        if draw.textlength(trial, font=font) > width - 2 * margin:
            draw.text((margin, y), " ".join(line), font=font, fill=0)
            y, line = y + int(font.size * 1.6), [word]
        else:
            line.append(word)
    draw.text((margin, y), " ".join(line), font=font, fill=0)
    image = image.rotate(angle, fillcolor=255, resample=Image.Resampling.BICUBIC)
    rng = random.Random(seed)
    pixels = image.load()
    for _ in range(int(width * height * noise)):
        x, yy = rng.randrange(width), rng.randrange(height)
        pixels[x, yy] = rng.choice((0, 255))
    return image


def save_scan(path: Path, *, pages: int = 1, **kwargs: object) -> Path:
    """Write a scan as PNG, TIFF (several frames) or an image-only PDF, by the suffix."""
    images = [page(**kwargs) for _ in range(pages)]
    first, rest = images[0], images[1:]
    if path.suffix == ".pdf":
        first.save(path, "PDF", resolution=300, save_all=True, append_images=rest)
    elif path.suffix in (".tif", ".tiff"):
        first.save(path, "TIFF", compression="tiff_lzw", save_all=True, append_images=rest)
    else:
        first.save(path)
    return path


def file_scan(archive, path: Path) -> int:
    """File a scan under KA.00 as the system would (the operator's import); return its id."""
    import datetime as dt

    from earsip.audit import SYSTEM
    from earsip.services.records import ingest
    from earsip.services.records.documents import DocumentInput

    data = DocumentInput(title=f"Pindaian {path.name}", classification="KA.00",
                         document_date=dt.date(2024, 3, 1))
    return ingest.file_document(archive, SYSTEM, path, path.name, data,
                                clearance=None).document_id
