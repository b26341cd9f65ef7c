"""Zip-container safety checks shared by detect (web process) and the extraction child.

Standard library only, so the web process can use it without loading any parser.
"""

from __future__ import annotations

import zipfile

MAX_ENTRIES = 10_000
MAX_TOTAL_UNCOMPRESSED = 500 * 1024 * 1024
# Office XML compresses well (10-30x is common, 100x happens on repetitive sheets); a ratio far
# above that on a large member is the signature of a zip bomb.
MAX_RATIO = 200
RATIO_CHECK_MIN_SIZE = 1024 * 1024


class ZipRefused(Exception):
    """The archive breaks a safety cap; the message is in Bahasa Indonesia."""


def check_members(zf: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Check entry count, sizes, ratio and names of a zip; return its entries."""
    infos = zf.infolist()
    if len(infos) > MAX_ENTRIES:
        raise ZipRefused(f"arsip zip berisi {len(infos)} entri (batas {MAX_ENTRIES})")
    total = 0
    for info in infos:
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or (len(name) > 1 and name[1] == ":"):
            raise ZipRefused(f"arsip zip berisi nama entri yang tidak aman: {info.filename!r}")
        total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            limit_mb = MAX_TOTAL_UNCOMPRESSED // (1024 * 1024)
            raise ZipRefused(f"isi arsip zip melebihi {limit_mb} MB setelah dibuka")
        if info.file_size > RATIO_CHECK_MIN_SIZE and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_RATIO
        ):
            raise ZipRefused(
                f"entri {info.filename!r} mengembang lebih dari {MAX_RATIO} kali (bom zip?)"
            )
    return infos
