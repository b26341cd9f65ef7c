"""OCR of scans with the real Tesseract: known Indonesian text, read back and found by search."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.models import AuditEntry, Document, DocumentText, Job
from earsip.ocr import OcrUnavailable
from earsip.services import Archive
from earsip.services.operations import ocr as service
from earsip.services.search import searching as search_service
from tests import filegen, scangen

# Skipped without Tesseract/OCRmyPDF, except under `make test` (EARSIP_REQUIRE_OCR=1): a failure.
pytestmark = pytest.mark.usefixtures("ocr_tools")
READER = Principal(1, "admin", frozenset({"arsiparis"}), "sangat_rahasia")


_file = scangen.file_scan


def _text(archive: Archive, doc_id: int) -> str:
    with archive.db.read() as session:
        stored = session.get(DocumentText, doc_id)
        return stored.text if stored else ""


def recall(found: str, expected: list[str]) -> float:
    """Return the share of the expected words that the recognised text contains."""
    seen = set(scangen.words(found))
    return sum(1 for w in expected if w in seen) / len(expected)


@pytest.mark.parametrize("suffix", [".png", ".tif", ".pdf"])
def test_a_scan_is_read_with_at_least_95_percent_word_recall_and_then_found_by_search(
        archive: Archive, tmp_path: Path, suffix: str) -> None:
    scan = scangen.save_scan(tmp_path / f"pindaian{suffix}", pages=2 if suffix == ".tif" else 1)
    doc_id = _file(archive, scan)
    with archive.db.read() as session:
        assert session.get(Document, doc_id).text_status == "ocr_pending"
    outcome = service.ocr_document(archive, SYSTEM, doc_id)
    assert outcome.status == "extracted"
    assert outcome.pages == (2 if suffix == ".tif" else 1)
    text = _text(archive, doc_id)
    assert recall(text, scangen.words()) >= 0.95, text
    hits = search_service.search(archive, READER, search_service.parse_params(
        {"q": "rekomendasi penertiban"}))
    assert [h.id for h in hits.results] == [doc_id]
    with archive.db.read() as session:
        entries = list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == "document.ocr")))
    assert [(e.target_id, e.details["pages"]) for e in entries] == [(str(doc_id),
                                                                     outcome.pages)]


def test_a_pdf_with_a_typed_page_and_a_scanned_page_gets_only_the_scan_read(
        archive: Archive, tmp_path: Path) -> None:
    typed = filegen.make_text_pdf(tmp_path / "ketik.pdf", ["Nota dinas sampul berkas zamrud"])
    scan = scangen.save_scan(tmp_path / "pindai.pdf")
    writer = PdfWriter()
    for source in (typed, scan):
        for page in PdfReader(source).pages:
            writer.add_page(page)
    mixed = tmp_path / "campuran.pdf"
    with open(mixed, "wb") as f:
        writer.write(f)
    doc_id = _file(archive, mixed)
    with archive.db.read() as session:  # the typed page is searchable at once; OCR is queued
        assert session.get(Document, doc_id).text_status == "extracted"
        assert [j.kind for j in session.scalars(select(Job).where(
            Job.document_id == doc_id))] == ["ocr"]
    outcome = service.ocr_document(archive, SYSTEM, doc_id)
    assert outcome.pages == 1 and outcome.status == "extracted"
    first, second = _text(archive, doc_id).split("\n\f\n")
    assert "zamrud" in first
    assert recall(second, scangen.words()) >= 0.95


def test_without_tesseract_nothing_changes_and_the_reason_is_clear(
        archive: Archive, tmp_path: Path, runner, cli_env) -> None:
    doc_id = _file(archive, scangen.save_scan(tmp_path / "pindaian.png"))
    missing = replace(archive, config=replace(archive.config,
                                              ocr_command="/tidak/ada/tesseract"))
    with pytest.raises(OcrUnavailable) as refused:
        service.ocr_document(missing, SYSTEM, doc_id)
    assert "tesseract-ocr" in refused.value.message
    with archive.db.read() as session:
        assert session.get(Document, doc_id).text_status == "ocr_pending"
    cli_env["EARSIP_TESSERACT"] = "/tidak/ada/tesseract"
    result = runner("ocr", "--document", str(doc_id))
    assert result.exit_code == 1 and "OCR tidak tersedia" in result.output


def test_the_ocr_command_reads_every_document_without_text(
        archive: Archive, tmp_path: Path, runner) -> None:
    scan = _file(archive, scangen.save_scan(tmp_path / "pindaian.png"))
    typed = _file(archive, filegen.make_text_pdf(tmp_path / "ketik.pdf", ["surat biasa"]))
    assert service.documents_to_read(archive) == [scan]
    result = runner("ocr", "--all-empty")
    assert result.exit_code == 0, result.output
    assert f"#{scan}: extracted" in result.output and f"#{typed}:" not in result.output
    assert service.documents_to_read(archive) == []
    assert runner("ocr").exit_code == 2
