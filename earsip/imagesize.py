"""Pixel sizes of PNG, JPEG and TIFF files read from their headers, without decoding pixels.

Filing refuses an image whose pixels (of any TIFF frame) exceed a limit, so a "pixel flood" (a
small file that decodes to gigabytes) never reaches a decoder. Standard library only.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator

JPEG_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # start-of-frame markers
MAX_SEGMENTS = 10_000


def sizes(path: str | os.PathLike[str], mime: str) -> Iterator[tuple[int, int]]:
    """Yield (width, height) of each frame the header declares (nothing when unreadable)."""
    with open(path, "rb") as fh:
        if mime == "image/png":
            head = fh.read(24)
            if len(head) == 24 and head[12:16] == b"IHDR":
                yield struct.unpack(">II", head[16:24])
        elif mime == "image/jpeg":
            yield from _jpeg(fh)
        elif mime == "image/tiff":
            yield from _tiff(fh)


def _jpeg(fh) -> Iterator[tuple[int, int]]:
    if fh.read(2) != b"\xff\xd8":
        return
    for _ in range(MAX_SEGMENTS):
        marker = fh.read(2)
        while len(marker) == 2 and marker[0] == 0xFF and marker[1] == 0xFF:  # fill bytes
            marker = marker[1:] + fh.read(1)
        if len(marker) < 2 or marker[0] != 0xFF:
            return
        length = fh.read(2)
        if len(length) < 2:
            return
        size = struct.unpack(">H", length)[0]
        if marker[1] in JPEG_SOF:
            data = fh.read(5)
            if len(data) == 5:
                height, width = struct.unpack(">HH", data[1:5])
                yield width, height
            return
        fh.seek(size - 2, os.SEEK_CUR)


def _tiff(fh) -> Iterator[tuple[int, int]]:
    head = fh.read(8)
    order = {b"II*\x00": "<", b"MM\x00*": ">"}.get(head[:4])
    if order is None:
        return
    end = fh.seek(0, os.SEEK_END)
    offset = struct.unpack(order + "I", head[4:8])[0]
    seen: set[int] = set()
    while 8 <= offset < end and offset not in seen and len(seen) < MAX_SEGMENTS:
        seen.add(offset)
        fh.seek(offset)
        raw = fh.read(2)
        if len(raw) < 2:
            return
        count = struct.unpack(order + "H", raw)[0]
        entries = fh.read(12 * count)
        width = height = 0
        for i in range(len(entries) // 12):
            tag, kind = struct.unpack(order + "HH", entries[12 * i:12 * i + 4])
            if tag in (256, 257):
                fmt = "H" if kind == 3 else "I"
                value = struct.unpack(order + fmt, entries[12 * i + 8:12 * i + 8 +
                                                           struct.calcsize(fmt)])[0]
                width, height = (value, height) if tag == 256 else (width, value)
        yield width, height
        nxt = fh.read(4)
        if len(nxt) < 4:
            return
        offset = struct.unpack(order + "I", nxt)[0]
