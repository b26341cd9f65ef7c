"""Factories that write real test files (PDF, images, office documents, hostile inputs).

Each factory takes the ``pathlib.Path`` to write and returns it. The Indonesian sentences in
``SAMPLE_ID_TEXT`` are known content that other tests can search for.
"""

from __future__ import annotations

import io
import shutil
import zipfile
import zlib
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from PIL import Image

SAMPLE_ID_TEXT: list[str] = [
    "Berita acara pemusnahan arsip inaktif yang telah melewati jadwal retensi arsip.",
    "Surat keputusan ketua tentang penetapan jadwal retensi arsip kepegawaian.",
    "Notulen rapat koordinasi pengawasan pemilu tingkat kabupaten dan kecamatan.",
    "Laporan hasil pengawasan tahapan pemutakhiran data pemilih berkelanjutan.",
    "Surat edaran tentang penyelenggaraan kearsipan di lingkungan badan pengawas pemilu.",
    "Daftar arsip usul musnah disusun oleh unit kearsipan dan disetujui pimpinan.",
]

_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --------------------------------------------------------------------------- PDFs


def make_text_pdf(path: Path, pages: list[str], *, title: str | None = None) -> Path:
    """Write a PDF with a real text layer, one string per page (wrapped to fit)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    if title:
        c.setTitle(title)
    for text in pages:
        y = 800
        for line in _wrap(text, 80):
            c.drawString(50, y, line)
            y -= 14
        c.showPage()
    c.save()
    return path


def _wrap(text: str, width: int) -> list[str]:
    """Split text into lines of at most ``width`` characters on word boundaries."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        lines.append(line)
    return lines


def make_image_pdf(path: Path, text: str = "Dokumen hasil pindai tanpa lapisan teks") -> Path:
    """Write an image-only PDF (text rendered into pixels by Pillow, no text layer)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (800, 400), "white")
    ImageDraw.Draw(img).text((20, 20), text, fill="black")
    img.save(path, "PDF", resolution=100.0)
    return path


def _encrypt(src: Path, dest: Path, *, user_password: str, owner_password: str) -> Path:
    """Encrypt ``src`` into ``dest`` with RC4-128 (pure Python in pypdf: no crypto library)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password, owner_password, algorithm="RC4-128")
    with dest.open("wb") as fh:
        writer.write(fh)
    return dest


def make_encrypted_pdf(path: Path, text: str, user_password: str = "rahasia") -> Path:  # noqa: S107
    """Write a PDF that needs a user password to open."""
    plain = path.with_name(path.stem + ".plain.pdf")
    make_text_pdf(plain, [text])
    _encrypt(plain, path, user_password=user_password, owner_password="pemilik-" + user_password)
    plain.unlink()
    return path


def make_owner_only_encrypted_pdf(path: Path, text: str) -> Path:
    """Write an encrypted PDF whose user password is empty (restrictions only)."""
    plain = path.with_name(path.stem + ".plain.pdf")
    make_text_pdf(plain, [text])
    _encrypt(plain, path, user_password="", owner_password="kunci-pemilik")
    plain.unlink()
    return path


def make_truncated_pdf(path: Path, text: str, *, pages: int = 6, keep: float = 0.5) -> Path:
    """Write a real multi-page text PDF and keep only its first ``keep`` fraction of bytes."""
    full = io.BytesIO()
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(full, pagesize=A4)
    for i in range(pages):
        c.drawString(50, 800, f"Halaman {i + 1}. {text}")
        c.showPage()
    c.save()
    data = full.getvalue()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _raw_pdf(content: bytes, *, compress: bool = True, pages: int = 1) -> bytes:
    """Build a PDF by hand whose pages all share the given content stream (hostile inputs)."""
    if compress:
        return _raw_pdf_stream(zlib.compress(content, 9), "/Filter /FlateDecode ", pages=pages)
    return _raw_pdf_stream(content, "", pages=pages)


def _raw_pdf_stream(stream: bytes, filt: str, *, pages: int = 1) -> bytes:
    """Build a PDF around an already encoded content stream shared by ``pages`` pages."""
    kids = " ".join(f"{5 + i} 0 R" for i in range(pages))
    return _hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                      f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode(),
                      f"<< {filt}/Length {len(stream)} >>\nstream\n".encode() + stream
                      + b"\nendstream", _FONT, *[_PAGE] * pages])


def make_slow_pdf(path: Path, *, pages: int = 8, operations: int = 900_000) -> Path:
    """Write a small PDF whose pages share a stream of ~1 million tiny text operations.

    pypdf caps a content stream at 2 million tokens (LimitReachedError), so each page stays
    under the cap and the cost comes from extracting the shared stream again for every page:
    the default 8 pages took 152 s unbounded with pypdf 7.1.1 on the 2-core development machine.
    """
    body = b"BT /F1 1 Tf 0 0 Td\n" + b"(a) Tj\n" * operations + b"ET\n"
    path.write_bytes(_raw_pdf(body, pages=pages))
    return path


def make_flate_bomb_pdf(path: Path, inflated_mb: int = 1024) -> Path:
    """Write a PDF whose content stream inflates from a few MB to ``inflated_mb`` MB."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    parts = [comp.compress(b"BT /F1 12 Tf 72 720 Td (bom) Tj ET\n")]
    parts.extend(comp.compress(chunk) for _ in range(inflated_mb))
    parts.append(comp.flush())
    path.write_bytes(_raw_pdf_stream(b"".join(parts), "/Filter /FlateDecode "))
    return path


def _hand_pdf(objects: list[bytes], *, trailer: str = "") -> bytes:
    """Write numbered objects (1 is the catalog) and a classic xref table by hand."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{num} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    trailer = trailer.replace("{xref}", str(xref))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R {trailer}>>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


_PAGE = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
         b"/Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>")
_TEXT = b"BT /F1 12 Tf 72 720 Td (Surat biasa) Tj ET"
_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< {extra}/Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def _lzw_codes_packed(codes: list[int]) -> bytes:
    """Pack LZW codes into bytes as PDF's LZWDecode (EarlyChange 1) reads them: 9 to 12 bits,
    high-order bit first, the width growing one code early; 256 clears the table."""
    width, next_code, acc, bits = 9, 258, 0, 0
    out = bytearray()
    for code in codes:
        acc, bits = (acc << width) | code, bits + width
        while bits >= 8:
            bits -= 8
            out.append((acc >> bits) & 0xFF)
        acc &= (1 << bits) - 1
        if code == 256:
            width, next_code = 9, 258
        elif code != 257:
            next_code += 1
            if next_code > (1 << width) - 1 and width < 12:
                width += 1
    if bits:
        out.append((acc << (8 - bits)) & 0xFF)
    return bytes(out)


def make_lzw_bomb_pdf(path: Path, inflated_mb: int = 512) -> Path:
    """Write a PDF whose LZW content stream of spaces expands ~1,300-fold to ``inflated_mb`` MB.

    Repeating one byte makes each new table entry one byte longer than the last, so a table
    cycle of ~3,800 codes (about 5 KB) stands for ~7 MB; the table is cleared and it repeats.
    """
    cycle = [256, 32, *range(258, 4094)]
    per_cycle = 1 + sum(code - 256 for code in range(258, 4094))
    cycles = -(-inflated_mb * 1024 * 1024 // per_cycle)
    data = _lzw_codes_packed(cycle * cycles + [257])
    path.write_bytes(_hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
                                _stream(data, "/Filter /LZWDecode "), _FONT, _PAGE]))
    return path


def make_circular_xref_pdf(path: Path) -> Path:
    """Write a PDF whose trailer's /Prev points back at its own cross-reference table."""
    path.write_bytes(_hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", _stream(_TEXT),
                                _FONT, _PAGE], trailer="/Prev {xref} "))
    return path


def make_cyclic_outline_pdf(path: Path) -> Path:
    """Write a PDF whose outline (bookmarks) item is its own next sibling and child."""
    path.write_bytes(_hand_pdf([
        b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R /PageMode /UseOutlines >>",
        b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>", _stream(_TEXT), _FONT, _PAGE,
        b"<< /Type /Outlines /First 7 0 R /Last 7 0 R /Count 1 >>",
        b"<< /Title (Bab) /Parent 6 0 R /Next 7 0 R /Prev 7 0 R /First 7 0 R /Last 7 0 R "
        b"/Count 1 /Dest [5 0 R /Fit] >>"]))
    return path


def make_page_tree_loop_pdf(path: Path) -> Path:
    """Write a PDF whose page tree lists itself among its own kids."""
    path.write_bytes(_hand_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                b"<< /Type /Pages /Kids [2 0 R 5 0 R] /Count 2 >>",
                                _stream(_TEXT), _FONT, _PAGE]))
    return path


def make_deeply_nested_pdf(path: Path, depth: int = 100_000) -> Path:
    """Write a PDF with arrays nested ``depth`` deep, in a page property and in its content."""
    deep = b"[" * depth + b"]" * depth
    content = deep + b" pop\n" + _TEXT
    path.write_bytes(_hand_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [5 0 R] /Count 1 >>",
        _stream(content), _FONT,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Deep " + deep
        + b" /Resources << /Font << /F1 4 0 R >> >> /Contents 3 0 R >>"]))
    return path


# --------------------------------------------------------------------------- office documents


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    """Write a DOCX with one paragraph per string (python-docx)."""
    import docx

    doc = docx.Document()
    for para in paragraphs:
        doc.add_paragraph(para)
    doc.save(str(path))
    return path


def make_hostile_docx(path: Path, document_xml: str) -> Path:
    """Write a minimal DOCX whose word/document.xml is the given (possibly hostile) XML."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_CONTENT_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        zf.writestr("word/document.xml", document_xml)
    return path


def billion_laughs_document_xml() -> str:
    """Return a word/document.xml with an exponential entity expansion (billion laughs)."""
    ents = ['<!ENTITY lol "lol">']
    ents += [f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
             for i in range(1, 10)]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE w:document [' + "".join(ents) + "]>\n"
        f'<w:document xmlns:w="{_W_NS}"><w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )


def xxe_document_xml(target: str = "/etc/passwd") -> str:
    """Return a word/document.xml that tries to include a local file (XXE)."""
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{target}">]>\n'
        f'<w:document xmlns:w="{_W_NS}"><w:body><w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )


_DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def make_xlsx(path: Path, rows: list[list[str | int | float]]) -> Path:
    """Write a minimal valid XLSX (one sheet; strings shared, numbers inline) by hand."""
    shared: list[str] = []
    index: dict[str, int] = {}
    row_xml = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            if isinstance(value, str):
                if value not in index:
                    index[value] = len(shared)
                    shared.append(value)
                cells.append(f'<c r="{ref}" t="s"><v>{index[value]}</v></c>')
            else:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        row_xml.append(f'<row r="{r}">{"".join(cells)}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ct}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{main}" xmlns:r="{rel}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            "</Relationships>"
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="{main}"><sheetData>{"".join(row_xml)}</sheetData></worksheet>'
        ),
        "xl/sharedStrings.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<sst xmlns="{main}" count="{len(shared)}" uniqueCount="{len(shared)}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in shared)
            + "</sst>"
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def _col(index: int) -> str:
    """Return the spreadsheet column letters for a zero-based column index."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def make_odt(path: Path, paragraphs: list[str]) -> Path:
    """Write a minimal valid ODT by hand (mimetype first and stored)."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(f"<text:p>{escape(p)}</text:p>" for p in paragraphs)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content xmlns:office="{office}" xmlns:text="{text_ns}" '
        'office:version="1.2"><office:body><office:text>'
        f"{body}</office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.text",
            compress_type=zipfile.ZIP_STORED,
        )
        zf.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    """Write a plain zip archive with the given member names and contents."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
    return path


# --------------------------------------------------------------------------- images and text


def _sample_image() -> Image.Image:
    """Return a small RGB image with a line of text."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (200, 60), "white")
    ImageDraw.Draw(img).text((5, 20), "Arsip Bawaslu", fill="black")
    return img


def make_pixel_flood(path: Path, kind: str) -> Path:
    """Write a small image whose header declares too many pixels: `png` (100 million, a few
    kB), `jpeg` (a 64 x 48 image whose header says 9,500 x 9,000) or `tiff` (a small first
    page, a 108-million-pixel second frame)."""
    from PIL import Image

    if kind == "png":
        Image.new("1", (10_000, 10_000), 1).save(path)
    elif kind == "jpeg":
        Image.new("L", (64, 48), 255).save(path)
        data = bytearray(path.read_bytes())
        sof = data.index(b"\xff\xc0")
        data[sof + 5:sof + 9] = (9_000).to_bytes(2, "big") + (9_500).to_bytes(2, "big")
        path.write_bytes(bytes(data))
    else:
        Image.new("L", (800, 600), 255).save(path, save_all=True, compression="tiff_lzw",
                                             append_images=[Image.new("1", (12_000, 9_000))])
    return path


def make_png(path: Path) -> Path:
    """Write a small PNG."""
    _sample_image().save(path, "PNG")
    return path


def make_jpeg(path: Path) -> Path:
    """Write a small JPEG."""
    _sample_image().save(path, "JPEG", quality=85)
    return path


def make_tiff(path: Path, frames: int = 1) -> Path:
    """Write a TIFF with the given number of frames."""
    img = _sample_image()
    if frames == 1:
        img.save(path, "TIFF")
    else:
        img.save(path, "TIFF", save_all=True, append_images=[img.copy() for _ in range(frames - 1)])
    return path


def make_text_file(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write a plain text file in the given encoding."""
    path.write_bytes(text.encode(encoding))
    return path


# --------------------------------------------------------------------------- impostors


_HTML = (
    "<!DOCTYPE html>\n<html><head><title>Bukan PDF</title></head>\n"
    "<body><h1>Halaman web</h1><p>Ini adalah halaman HTML, bukan arsip.</p>"
    "<script>alert(1)</script></body></html>\n"
)


def make_html_renamed_pdf(path: Path) -> Path:
    """Write an HTML page (typically saved with a .pdf name)."""
    path.write_text(_HTML, encoding="utf-8")
    return path


def make_svg(path: Path) -> Path:
    """Write an SVG image with a script element."""
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        "<script>alert(1)</script><rect width='10' height='10'/></svg>\n",
        encoding="utf-8",
    )
    return path


def make_elf_renamed_pdf(path: Path) -> Path:
    """Write the first 64 KB of a real executable (/bin/true), or a synthetic ELF header."""
    true_bin = shutil.which("true") or "/bin/true"
    try:
        with open(true_bin, "rb") as fh:
            data = fh.read(64 * 1024)
    except OSError:
        data = b""
    if not data.startswith(b"\x7fELF"):
        data = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x02\x00\x3e\x00" + b"\x00" * 4096
    path.write_bytes(data)
    return path


def make_pdf_header_over_html(path: Path) -> Path:
    """Write a %PDF header followed by an HTML body (passes a header-only check)."""
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + _HTML.encode() * 20)
    return path
