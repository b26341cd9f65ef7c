"""The file types E-Arsip accepts: canonical MIME types and their labels. Standard library only."""

from __future__ import annotations

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
    TEXT: "Teks",
    DOCX: "DOCX",
    XLSX: "XLSX",
    ODT: "ODT",
}
