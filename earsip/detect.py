"""Decide what a file is from its content, against an allowlist, and check its name agrees.

libmagic (python-magic) reads the first 64 KB. Office formats are confirmed by opening the zip
(libmagic may call them ``application/zip`` or ``application/octet-stream``): ``word/document.xml``
means DOCX, ``xl/workbook.xml`` XLSX, a ``mimetype`` entry of ODF text means ODT; the zip must
pass the caps in ``earsip._zipsafe`` (entries, uncompressed size, ratio, no ``..`` or absolute
names). libmagic looks only at the header, so a ``%PDF`` header over an HTML body is reported as
PDF here: ``earsip.extract`` parses what is accepted and raises ``UnreadableFile``.

Name agreement. Extensions are compared case-insensitively. Each allowed type has a list of
accepted extensions (the first is canonical): ``.pdf``; ``.png``; ``.jpg .jpeg .jpe``;
``.tif .tiff``; ``.txt .text .csv .tsv .log``; ``.docx``; ``.xlsx``; ``.odt``. libmagic's
``text/csv`` is plain text, canonical ``text/plain``. A file whose extension belongs to another
allowed type or to a well-known other type (``.exe``, ``.html``, ``.svg``, ``.zip``, ``.doc`` ...)
is refused; no extension or an unknown one is accepted on content alone.
"""

from __future__ import annotations

import os
import re
import threading
import zipfile
from dataclasses import dataclass

import magic

from earsip import imagesize
from earsip._zipsafe import ZipRefused, check_members
from earsip.errors import UnsupportedType
from earsip.filetypes import DOCX, JPEG, ODT, PDF, PNG, TEXT, TIFF, XLSX

HEAD_BYTES = 64 * 1024


ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg", ".jpe"),
    TIFF: (".tif", ".tiff"),
    TEXT: (".txt", ".text", ".csv", ".tsv", ".log"),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
    ODT: (".odt",),
}

_LABELS = "PDF, PNG, JPEG, TIFF, teks, DOCX, XLSX, ODT"
# The most pixels a page image may have (an A4 page at 600 dpi has 35 million); the extraction
# workers' Pillow limit is the same.
MAX_IMAGE_PIXELS = 80_000_000

# Extensions of types we know are not what an allowed content claims to be; a name ending in
# one of these over allowed content is a mismatch (e.g. a PDF named .exe, a text named .html).
_OTHER_KNOWN_EXTENSIONS = frozenset(
    {
        ".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".jar",
        ".apk", ".sh", ".bin", ".elf", ".so", ".dmg", ".app", ".html", ".htm", ".xhtml",
        ".shtml", ".svg", ".svgz", ".xml", ".xsl", ".php", ".asp", ".aspx", ".jsp", ".zip",
        ".rar", ".7z", ".gz", ".tgz", ".bz2", ".xz", ".tar", ".iso", ".doc", ".dot", ".xls",
        ".xlt", ".ppt", ".pptx", ".ppsx", ".odp", ".ods", ".odg", ".rtf", ".docm", ".xlsm",
        ".pptm", ".dotx", ".xltx", ".gif", ".bmp", ".webp", ".heic", ".ico", ".psd", ".eps",
        ".ps", ".mp3", ".mp4", ".wav", ".avi", ".mov", ".mkv", ".ogg", ".flac", ".webm", ".eml",
        ".msg", ".json", ".py", ".pl", ".rb", ".sql",
    }
)

# libmagic names that are confirmed or refined by looking inside the zip container.
_ZIPLIKE = frozenset(
    {
        "application/zip",
        "application/x-zip-compressed",
        "application/octet-stream",
        DOCX,
        XLSX,
        ODT,
    }
)

# libmagic names that are the same as one of ours.
_ALIASES = {"text/csv": TEXT, "application/csv": TEXT, "image/jpg": JPEG, "image/pjpeg": JPEG}

_local = threading.local()


@dataclass(frozen=True)
class Detected:
    """The canonical content type of a file and its canonical extension."""

    mime: str
    extension: str


def _magic() -> magic.Magic:
    """Return this thread's Magic object (one object is not safe across threads)."""
    m = getattr(_local, "magic", None)
    if m is None:
        m = magic.Magic(mime=True)
        _local.magic = m
    return m


def _refuse(found: str) -> UnsupportedType:
    """Build the error for content that is not on the allowlist."""
    return UnsupportedType(
        "Jenis berkas tidak diizinkan: terdeteksi %(found)s. Yang diterima: %(accepted)s.",
        params={"found": found, "accepted": _LABELS}, detected=found,
    )


def _technical(e: BaseException) -> str:
    """Return an exception's class and text, for the audit entry's details (never for users)."""
    return f"{type(e).__name__}: {e}"[:500]


def _zip_kind(path: str | os.PathLike[str]) -> str:
    """Return DOCX, XLSX or ODT for an office zip, or raise UnsupportedType."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = check_members(zf)
            names = {i.filename for i in infos}
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "mimetype" in names or "META-INF/manifest.xml" in names:
                declared = _odf_type(zf, names)
                if declared == ODT:
                    return ODT
                raise _refuse(declared or "application/zip")
    except ZipRefused as e:
        raise UnsupportedType(
            "Berkas ditolak demi keamanan: isinya (arsip zip) terlalu banyak, terlalu besar "
            "setelah dibuka, atau memuat nama yang tidak aman. Bila berkas ini sah, simpan ulang "
            "dari aplikasi aslinya lalu unggah lagi.", detail=_technical(e)) from e
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as e:
        raise UnsupportedType(
            "Berkas tampak seperti dokumen kantor (zip) tetapi rusak dan tidak bisa dibuka; "
            "simpan ulang dari aplikasi aslinya lalu unggah lagi.", detail=_technical(e)) from e
    raise _refuse("application/zip")


_MANIFEST_ROOT = re.compile(rb"<manifest:file-entry\b[^>]*manifest:full-path=\"/\"[^>]*>")
_MEDIA_TYPE = re.compile(rb"manifest:media-type=\"([^\"]{1,200})\"")


def _odf_type(zf: zipfile.ZipFile, names: set[str]) -> str | None:
    """Return the declared ODF type: the mimetype entry, else the manifest's root entry.

    Some real files have a damaged first local header (Python's zipfile cannot read the
    ``mimetype`` entry, unzip warns) while the rest of the package reads fine.
    """
    if "mimetype" in names:
        info = zf.getinfo("mimetype")
        if info.file_size <= 200:
            try:
                return zf.read(info).decode("ascii", "replace").strip()
            except (zipfile.BadZipFile, OSError, ValueError, EOFError):
                pass
    if "META-INF/manifest.xml" in names:
        info = zf.getinfo("META-INF/manifest.xml")
        if info.file_size <= 1024 * 1024:
            tag = _MANIFEST_ROOT.search(zf.read(info))
            media = _MEDIA_TYPE.search(tag.group(0)) if tag else None
            if media:
                return media.group(1).decode("ascii", "replace")
    return None


def detect_file(path: str | os.PathLike[str], filename: str | None = None) -> Detected:
    """Detect the content type of a file, check the allowlist and the name; raise if refused."""
    with open(path, "rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head:
        raise UnsupportedType("Berkas kosong: ukurannya 0 byte, tidak ada yang bisa diarsipkan.")
    found = _magic().from_buffer(head)
    mime = _ALIASES.get(found, found)
    if mime in _ZIPLIKE:
        if head.startswith(b"PK\x03\x04"):
            mime = _zip_kind(path)
        elif b"%PDF-" in head[:1024]:
            # Readers accept a few junk bytes before the header (libmagic then says
            # octet-stream); extraction proves whether it is a real PDF.
            mime = PDF
        else:
            raise _refuse(found)
    if mime not in ALLOWED_TYPES:
        raise _refuse(found)
    _check_name(mime, filename)
    if mime in (PNG, JPEG, TIFF):
        _check_pixels(path, mime)
    return Detected(mime=mime, extension=ALLOWED_TYPES[mime][0])


def _check_pixels(path: str | os.PathLike[str], mime: str) -> None:
    """Refuse an image (any frame of a TIFF) above MAX_IMAGE_PIXELS: a pixel flood."""
    for width, height in imagesize.sizes(path, mime):
        if width * height > MAX_IMAGE_PIXELS:
            raise UnsupportedType(
                "Gambar terlalu besar: %(width)d × %(height)d piksel, batasnya %(limit)d juta "
                "piksel per halaman.",
                params={"width": width, "height": height, "limit": MAX_IMAGE_PIXELS // 10**6},
                detected=mime)


def _check_name(mime: str, filename: str | None) -> None:
    """Refuse a name whose extension says another known type than the content."""
    if not filename:
        return
    ext = os.path.splitext(os.path.basename(filename.replace("\\", "/")))[1].lower()
    if not ext or ext in ALLOWED_TYPES[mime]:
        return
    known_elsewhere = ext in _OTHER_KNOWN_EXTENSIONS or any(
        ext in exts for exts in ALLOWED_TYPES.values()
    )
    if known_elsewhere:
        raise UnsupportedType(
            "Isi berkas tidak sesuai dengan namanya: nama berakhiran %(ext)s tetapi isinya "
            "%(mime)s. Periksa apakah berkas yang dipilih sudah benar, atau ganti akhiran "
            "namanya menjadi %(expected)s.",
            params={"ext": ext, "mime": mime, "expected": ALLOWED_TYPES[mime][0]},
            detected=mime,
        )
