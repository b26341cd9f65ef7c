"""The parsing half of earsip.extract: runs only inside a short-lived child process.

Preloaded into the forkserver so pypdf and defusedxml are imported once; every extraction is
a fork of that warm process. The child caps its own address space before touching the file,
and sends one plain dict back through a pipe. Nothing here raises to the caller: every outcome,
including "this is not a PDF", is a dict.
"""

from __future__ import annotations

import codecs
import contextlib
import importlib.machinery
import logging
import multiprocessing
import os
import re
import resource
import sys
import unicodedata
import warnings
import zipfile
from collections.abc import Iterator
from multiprocessing.connection import Connection
from typing import Any

import defusedxml.ElementTree as SafeET
import pypdf
from defusedxml import DefusedXmlException
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

from earsip._zipsafe import ZipRefused, check_members

PDF = "application/pdf"
TIFF = "image/tiff"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

PAGE_SEPARATOR = "\n\f\n"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_MANY_NEWLINES = re.compile(r"\n{3,}")

Result = dict[str, Any]


class Unreadable(Exception):
    """The file is not a parseable instance of its claimed type."""


class _Cut(Exception):
    """Enough text has been gathered (max_text_chars reached)."""


def pose_as_main() -> None:
    """Make this (forkserver) process's __main__ match the web process's main script.

    multiprocessing re-runs the parent's main script in every child unless the child's
    __main__ already has the same file or module name; our children never need it.
    """
    spec = os.environ.get("EARSIP_EXTRACT_PARENT_MAIN", "")
    key, _, value = spec.partition("=")
    main = sys.modules.get("__main__")
    if main is None or not value or getattr(main, "__file__", None):
        return
    if key == "init_main_from_path":
        main.__file__ = value
    elif key == "init_main_from_name":
        main.__spec__ = importlib.machinery.ModuleSpec(value, None)


if os.environ.get("EARSIP_EXTRACT_PARENT_MAIN") and multiprocessing.current_process().name in (
    "MainProcess",
):
    pose_as_main()


def run(conn: Connection, path: str, mime: str, memory_mb: int, max_chars: int) -> None:
    """Limit this process, extract, and send one result dict through ``conn``."""
    try:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        warnings.simplefilter("ignore")
        logging.getLogger("pypdf").setLevel(logging.CRITICAL)
        result = _dispatch(path, mime, max_chars)
    except Unreadable as e:
        result = {"unreadable": str(e)}
    except MemoryError:
        result = _failed(
            f"Ekstraksi teks dihentikan: memerlukan memori melebihi batas {memory_mb} MB."
        )
    except LimitReachedError as e:
        result = _failed(f"Ekstraksi teks dihentikan: batas keamanan pypdf tercapai ({e}).")
    except DefusedXmlException as e:
        result = _failed(_xml_refused(e))
    except ZipRefused as e:
        result = _failed(f"Isi dokumen tidak dibaca demi keamanan: {e}.")
    except BaseException as e:  # noqa: BLE001 - any failure must become a result, not a crash
        result = _failed(f"Ekstraksi teks gagal karena kesalahan tak terduga ({type(e).__name__}).")
    try:
        conn.send(result)
    except MemoryError:
        conn.send(_failed(f"Hasil ekstraksi terlalu besar untuk batas memori {memory_mb} MB."))
    conn.close()


def _failed(message: str, pages: int | None = None) -> Result:
    """Return a failed result."""
    return {"status": "failed", "text": "", "pages": pages, "message": message}


def _xml_refused(e: Exception) -> str:
    """Explain a defusedxml refusal."""
    return (
        "Isi dokumen tidak dibaca demi keamanan: XML-nya memuat deklarasi DTD/entitas yang "
        f"tidak diizinkan ({type(e).__name__}; kemungkinan serangan XXE atau 'billion laughs')."
    )


def _dispatch(path: str, mime: str, max_chars: int) -> Result:
    """Run the extractor registered for ``mime``."""
    extractor = _EXTRACTORS.get(mime)
    if extractor is None:
        return {"status": "not_applicable", "text": "", "pages": None, "message": None}
    return extractor(path, max_chars)


# --------------------------------------------------------------------------- text handling


def clean(text: str) -> str:
    """Normalise extracted text: NFKC, no control characters, no trailing spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    text = _TRAILING_SPACE.sub("\n", text)
    text = _MANY_NEWLINES.sub("\n\n", text)
    return text.strip()


class _Collector:
    """Gather cleaned text pieces up to a character budget."""

    def __init__(self, max_chars: int, separator: str) -> None:
        self.max_chars = max_chars
        self.separator = separator
        self.parts: list[str] = []
        self.size = 0
        self.truncated = False

    def add(self, piece: str) -> None:
        """Add a cleaned piece; raise _Cut once the budget is spent."""
        if not piece:
            return
        extra = len(self.separator) if self.parts else 0
        room = self.max_chars - self.size - extra
        if room <= 0:
            self.truncated = True
            raise _Cut
        if len(piece) > room:
            piece = piece[:room]
            self.truncated = True
        self.parts.append(piece)
        self.size += len(piece) + extra
        if self.truncated:
            raise _Cut

    def text(self) -> str:
        """Return the joined text."""
        return self.separator.join(self.parts)

    def note(self) -> str | None:
        """Return the truncation note, if any."""
        if not self.truncated:
            return None
        limit = f"{self.max_chars:,}".replace(",", ".")
        return f"Teks dipotong pada {limit} karakter (batas ekstraksi)."


def _finish(col: _Collector, pages: int | None, notes: list[str], empty_message: str) -> Result:
    """Build an extracted or empty result from a collector."""
    trunc = col.note()
    if trunc:
        notes.append(trunc)
    text = col.text()
    if not text.strip():
        return {"status": "empty", "text": "", "pages": pages,
                "message": " ".join([empty_message, *notes])}
    return {"status": "extracted", "text": text, "pages": pages,
            "message": " ".join(notes) or None}


# --------------------------------------------------------------------------- PDF


def _pdf(path: str, max_chars: int) -> Result:
    """Extract the text layer of a PDF page by page."""
    try:
        reader = pypdf.PdfReader(path, strict=False)
    except (MemoryError, LimitReachedError):
        raise
    except DependencyError as e:
        # pypdf opens AES-encrypted files (empty password attempt) while reading the trailer.
        return _encrypted(None, _cannot_open(e))
    except Exception as e:
        if _declares_encryption(path):
            # A broken encryption dictionary fails inside the reader's own decrypt attempt.
            return _encrypted(None, _cannot_open(e))
        raise Unreadable(f"pypdf tidak menemukan struktur PDF ({type(e).__name__}: {e})") from e

    encrypted = reader.is_encrypted
    if encrypted:
        try:
            opened = reader.decrypt("")
        except (MemoryError, LimitReachedError):
            raise
        except Exception as e:
            return _encrypted(reader, _cannot_open(e))
        if opened == pypdf.PasswordType.NOT_DECRYPTED:
            return _encrypted(reader, "Diperlukan kata sandi untuk membuka berkas.")

    try:
        pages = reader.pages
        count = len(pages)
    except (MemoryError, LimitReachedError):
        raise
    except Exception as e:
        if encrypted:
            # An encryption pypdf could not really undo (e.g. a broken key) shows up here.
            return _encrypted(None, _cannot_open(e))
        raise Unreadable(f"daftar halamannya tidak terbaca ({type(e).__name__}: {e})") from e
    if count == 0:
        raise Unreadable("tidak ada halaman")

    col = _Collector(max_chars, PAGE_SEPARATOR)
    bad: list[tuple[int, str]] = []
    blank = 0
    try:
        for number in range(count):
            try:
                raw = pages[number].extract_text()
            except MemoryError:
                raise
            except Exception as e:
                bad.append((number + 1, _page_reason(e)))
                continue
            piece = clean(raw)
            if not piece:
                blank += 1
            col.add(piece)
    except _Cut:
        pass

    notes: list[str] = []
    if blank and col.parts:
        notes.append(f"{blank} dari {count} halaman tanpa lapisan teks (hasil pindai?).")
    if bad:
        listed = ", ".join(str(n) for n, _ in bad[:20]) + (" ..." if len(bad) > 20 else "")
        kinds = ", ".join(sorted({k for _, k in bad}))
        notes.append(f"{len(bad)} dari {count} halaman tidak terbaca (halaman {listed}; {kinds}).")
        if not col.parts:
            return _failed("Tidak ada halaman yang bisa dibaca teksnya: " + notes[0], count)
    return _finish(col, count, notes, "PDF tidak memiliki lapisan teks (hasil pindai?).")


_AES_MISSING = (
    "Berkas memakai enkripsi AES, dan pustaka 'cryptography' yang diperlukan untuk membukanya "
    "belum terpasang di server."
)


def _declares_encryption(path: str, window: int = 1024 * 1024) -> bool:
    """Return True when the head or tail of a PDF names an /Encrypt dictionary."""
    with open(path, "rb") as f:
        head = f.read(window)
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - window))
        tail = f.read(window)
    return b"/Encrypt" in head or b"/Encrypt" in tail


def _page_reason(e: Exception) -> str:
    """Name why a page could not be read, in words where the cause is known."""
    if isinstance(e, LimitReachedError):
        return "batas keamanan pypdf tercapai (bom dekompresi?)"
    if isinstance(e, DependencyError):
        return "memerlukan dekoder gambar/filter yang tidak terpasang"
    return type(e).__name__


def _cannot_open(e: Exception) -> str:
    """Explain why an encrypted PDF could not be opened with the empty password."""
    if isinstance(e, DependencyError) and "AES" in str(e):
        return _AES_MISSING
    return f"Enkripsinya tidak bisa dibuka ({type(e).__name__}: {e})."


def _encrypted(reader: pypdf.PdfReader | None, why: str) -> Result:
    """Return an encrypted result, with the page count if the page tree is readable."""
    pages: int | None = None
    if reader is not None:
        try:
            pages = len(reader.pages)
        except (FileNotDecryptedError, Exception):  # noqa: BLE001 - page count is best effort
            pages = None
    return {"status": "encrypted", "text": "", "pages": pages,
            "message": f"PDF terenkripsi; teksnya tidak bisa dibaca. {why}"}


# --------------------------------------------------------------------------- plain text


def _text(path: str, max_chars: int) -> Result:
    """Decode a text file (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252)."""
    budget = max_chars * 4 + 4
    with open(path, "rb") as fh:
        data = fh.read(budget + 1)
    partial = len(data) > budget
    data = data[:budget]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(data, final=not partial)
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    col = _Collector(max_chars, "")
    with contextlib.suppress(_Cut):
        col.add(clean(text))
    if partial:
        col.truncated = True
    return _finish(col, None, [], "Berkas teks tidak berisi teks.")


# --------------------------------------------------------------------------- office documents


def _open_zip(path: str) -> tuple[zipfile.ZipFile, set[str]]:
    """Open an office zip after the safety checks; raise Unreadable if it is not a zip."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as e:
        raise Unreadable(f"arsip zip rusak ({type(e).__name__})") from e
    try:
        names = {i.filename for i in check_members(zf)}
    except BaseException:
        zf.close()
        raise
    return zf, names


def _iterparse(zf: zipfile.ZipFile, name: str) -> Iterator[tuple[str, Any]]:
    """Stream-parse one zip member, refusing DTDs, entities and external references."""
    try:
        with zf.open(name) as fh:
            yield from SafeET.iterparse(
                fh, events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                forbid_external=True,
            )
    except zipfile.BadZipFile as e:
        raise Unreadable(f"entri {name} rusak ({e})") from e


def _local(tag: Any) -> str:
    """Return the local part of a namespaced tag."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _docx(path: str, max_chars: int) -> Result:
    """Extract paragraphs (w:t runs, tabs and breaks) from word/document.xml."""
    zf, names = _open_zip(path)
    with zf:
        if "word/document.xml" not in names:
            raise Unreadable("word/document.xml tidak ada")
        col = _Collector(max_chars, "\n")
        buf: list[str] = []
        try:
            for event, el in _iterparse(zf, "word/document.xml"):
                tag = _local(el.tag)
                if event == "start":
                    if tag == "tab":
                        buf.append("\t")
                    elif tag in ("br", "cr"):
                        buf.append("\n")
                    continue
                if tag == "t":
                    buf.append(el.text or "")
                elif tag == "p":
                    col.add(clean("".join(buf)))
                    buf.clear()
                    el.clear()
        except _Cut:
            pass
    return _finish(col, None, [], "Dokumen tidak berisi teks.")


def _odt(path: str, max_chars: int) -> Result:
    """Extract paragraphs and headings from content.xml of an ODF text document."""
    zf, names = _open_zip(path)
    with zf:
        if "content.xml" not in names:
            raise Unreadable("content.xml tidak ada")
        col = _Collector(max_chars, "\n")
        depth = 0
        try:
            for event, el in _iterparse(zf, "content.xml"):
                if _local(el.tag) not in ("p", "h"):
                    continue
                if event == "start":
                    depth += 1
                    continue
                depth -= 1
                if depth == 0:
                    col.add(clean(_odf_text(el)))
                    el.clear()
        except _Cut:
            pass
    return _finish(col, None, [], "Dokumen tidak berisi teks.")


def _odf_text(root: Any) -> str:
    """Render an ODF paragraph, expanding text:s, text:tab and text:line-break."""
    out: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, done = stack.pop()
        if done:
            if _local(el.tag) in ("p", "h") and el is not root:
                out.append("\n")
            if el is not root and el.tail:
                out.append(el.tail)
            continue
        tag = _local(el.tag)
        if tag == "s":
            try:
                out.append(" " * min(int(el.get(f"{{{el.tag.rsplit('}', 1)[0][1:]}}}c", "1")), 100))
            except ValueError:
                out.append(" ")
        elif tag == "tab":
            out.append("\t")
        elif tag == "line-break":
            out.append("\n")
        if el.text:
            out.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(list(el)))
    return "".join(out)


def _xlsx(path: str, max_chars: int) -> Result:
    """Extract shared strings, inline strings and numbers, sheet by sheet."""
    zf, names = _open_zip(path)
    with zf:
        if "xl/workbook.xml" not in names:
            raise Unreadable("xl/workbook.xml tidak ada")
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            pieces: list[str] = []
            for event, el in _iterparse(zf, "xl/sharedStrings.xml"):
                tag = _local(el.tag)
                if event != "end":
                    continue
                if tag == "t":
                    pieces.append(el.text or "")
                elif tag == "rPh":
                    # Phonetic guide (East Asian) is not part of the cell text.
                    pieces.clear()
                elif tag == "si":
                    shared.append("".join(pieces))
                    pieces.clear()
                    el.clear()
        sheets = sorted(
            (n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")),
            key=_natural,
        )
        col = _Collector(max_chars, "\n")
        try:
            for sheet in sheets:
                _xlsx_sheet(zf, sheet, shared, col)
        except _Cut:
            pass
    return _finish(col, None, [], "Lembar kerja tidak berisi teks atau angka.")


def _xlsx_sheet(zf: zipfile.ZipFile, sheet: str, shared: list[str], col: _Collector) -> None:
    """Add one worksheet's rows (cells joined by tabs) to the collector."""
    row: list[str] = []
    inline: list[str] = []
    value: str | None = None
    for event, el in _iterparse(zf, sheet):
        tag = _local(el.tag)
        if event == "start":
            if tag == "c":
                value = None
                inline.clear()
            continue
        if tag == "v":
            value = el.text
        elif tag == "t":
            inline.append(el.text or "")
        elif tag == "c":
            kind = el.get("t", "n")
            cell = ""
            if kind == "s" and value is not None:
                try:
                    cell = shared[int(value)]
                except (ValueError, IndexError):
                    cell = ""
            elif kind == "inlineStr":
                cell = "".join(inline)
            elif kind in ("n", "str", "d") and value is not None:
                cell = value
            elif kind == "b" and value is not None:
                cell = "TRUE" if value == "1" else "FALSE"
            if cell:
                row.append(cell)
            el.clear()
        elif tag == "row":
            col.add(clean("\t".join(row)))
            row.clear()
            el.clear()


def _natural(name: str) -> list[Any]:
    """Sort key that puts sheet2 before sheet10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


# --------------------------------------------------------------------------- images


def _tiff(path: str, max_chars: int) -> Result:
    """Count TIFF frames by walking the IFD chain (no pixel decoding)."""
    return {"status": "not_applicable", "text": "", "pages": tiff_frames(path),
            "message": "Gambar: teks belum dibaca (OCR belum tersedia)."}


def tiff_frames(path: str, limit: int = 10_000) -> int:
    """Return the number of IFDs (frames) of a classic TIFF, or 1 if it cannot tell."""
    with open(path, "rb") as fh:
        head = fh.read(8)
        if head[:4] == b"II*\x00":
            order = "little"
        elif head[:4] == b"MM\x00*":
            order = "big"
        else:
            return 1
        size = os.fstat(fh.fileno()).st_size
        offset = int.from_bytes(head[4:8], order)
        seen: set[int] = set()
        while 8 <= offset < size and offset not in seen and len(seen) < limit:
            seen.add(offset)
            fh.seek(offset)
            raw = fh.read(2)
            if len(raw) < 2:
                break
            entries = int.from_bytes(raw, order)
            fh.seek(offset + 2 + 12 * entries)
            nxt = fh.read(4)
            if len(nxt) < 4:
                break
            offset = int.from_bytes(nxt, order)
    return max(len(seen), 1)


_EXTRACTORS = {PDF: _pdf, TEXT: _text, DOCX: _docx, XLSX: _xlsx, ODT: _odt, TIFF: _tiff}
