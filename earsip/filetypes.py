"""The file types E-Arsip accepts: canonical MIME types and their labels (no dependencies)."""

from __future__ import annotations

from earsip.errors import N_

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
TEXT = "text/plain"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"

LABELS: dict[str, str] = {
    PDF: "PDF",
    PNG: "PNG",
    JPEG: "JPEG",
    TIFF: "TIFF",
    TEXT: N_("Teks"),
    DOCX: "DOCX",
    XLSX: "XLSX",
    ODT: "ODT",
}
