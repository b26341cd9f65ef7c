"""Office extractors (DOCX, ODT, XLSX): zip checked first, XML streamed with DTDs refused."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from typing import Any

import defusedxml.ElementTree as SafeET

from earsip._zipsafe import check_members
from earsip.extractors.text import (
    N_,
    Collector,
    Cut,
    Result,
    Unreadable,
    clean,
    finish,
    technical,
)


def _open_zip(path: str) -> tuple[zipfile.ZipFile, set[str]]:
    """Open an office zip after the safety checks; raise Unreadable if it is not a zip."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError) as e:
        raise Unreadable(f"damaged zip ({technical(e)})") from e
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
        raise Unreadable(f"damaged zip member {name} ({technical(e)})") from e


def _local(tag: Any) -> str:
    """Return the local part of a namespaced tag."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


# --------------------------------------------------------------------------- DOCX


def extract_docx(path: str, max_chars: int) -> Result:
    """Extract paragraphs (w:t runs, tabs and breaks) from word/document.xml."""
    zf, names = _open_zip(path)
    with zf:
        if "word/document.xml" not in names:
            raise Unreadable("word/document.xml missing")
        col = Collector(max_chars, "\n")
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
        except Cut:
            pass
    return finish(col, None, [], N_("Dokumen tidak berisi teks."))


# --------------------------------------------------------------------------- ODT


def extract_odt(path: str, max_chars: int) -> Result:
    """Extract paragraphs and headings from content.xml of an ODF text document."""
    zf, names = _open_zip(path)
    with zf:
        if "content.xml" not in names:
            raise Unreadable("content.xml missing")
        col = Collector(max_chars, "\n")
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
        except Cut:
            pass
    return finish(col, None, [], N_("Dokumen tidak berisi teks."))


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


# --------------------------------------------------------------------------- XLSX


def extract_xlsx(path: str, max_chars: int) -> Result:
    """Extract shared strings, inline strings and numbers, sheet by sheet."""
    zf, names = _open_zip(path)
    with zf:
        if "xl/workbook.xml" not in names:
            raise Unreadable("xl/workbook.xml missing")
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
        col = Collector(max_chars, "\n")
        try:
            for sheet in sheets:
                _xlsx_sheet(zf, sheet, shared, col)
        except Cut:
            pass
    return finish(col, None, [], N_("Lembar kerja tidak berisi teks atau angka."))


def _xlsx_sheet(zf: zipfile.ZipFile, sheet: str, shared: list[str], col: Collector) -> None:
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
