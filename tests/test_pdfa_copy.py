"""The searchable copy brings the text of its pages: each scanned page is recognised once.

Real OCRmyPDF and Tesseract; recognitions are counted by a `tesseract` on the PATH that notes
its arguments and runs the real one (the extraction workers are restarted to take that PATH).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from earsip import extract, pdfa_copy
from earsip.audit import SYSTEM
from earsip.extractors import pdfa
from earsip.models import Document, DocumentText
from earsip.services import Archive
from earsip.services.operations import ocr as service
from tests import filegen, scangen

pytestmark = pytest.mark.usefixtures("ocr_tools")


def test_the_sidecar_is_split_into_pages_and_runs_of_skipped_pages() -> None:
    sidecar = ("[OCR skipped on page(s) 1-2]\fsurat satu\n\f\fsurat empat\f"
               "[OCR skipped on page(s) 6]")
    assert pdfa._pages(sidecar) == [None, None, "surat satu", "", "surat empat", None]
    assert pdfa._pages("[OCR skipped on page(s) 3]") is None  # not where page 3 would be


def test_the_rasteriser_plugin_finds_ocrmypdfs_pdfium_helpers() -> None:
    """Canary: without these names the plugin steps aside and OCRmyPDF's own, slower, PNG
    writer is used; the copy still works, but revisit earsip/extractors/pdfa.py."""
    from ocrmypdf.builtin_plugins import pypdfium

    for name in ("_pdfium_lock", "_open_pdf_document", "_render_page_to_bitmap",
                 "_bitmap_to_pil", "_process_image_for_output", "pdfium"):
        assert hasattr(pypdfium, name), f"OCRmyPDF changed: {name} is gone"


@pytest.fixture
def tesseract_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Put a `tesseract` first on the PATH that notes its arguments; yield the notes file."""
    real = shutil.which("tesseract")
    assert real is not None
    folder = tmp_path / "bin"
    folder.mkdir()
    notes = tmp_path / "tesseract-calls.txt"
    wrapper = folder / "tesseract"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{notes}"\nexec "{real}" "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    extract.shutdown()  # new workers (and their forkserver) take the PATH below
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    yield notes
    extract.shutdown()


def _recognitions(notes: Path) -> int:
    if not notes.exists():
        return 0
    return sum(1 for line in notes.read_text(encoding="utf-8").splitlines()
               if not line.startswith(("--version", "--list-langs", "--print-parameters")))


def _mixed_pdf(tmp_path: Path, *, blank: bool = False) -> Path:
    typed = filegen.make_text_pdf(tmp_path / "ketik.pdf", ["Nota dinas sampul berkas zamrud"])
    parts = [typed, scangen.save_scan(tmp_path / "pindai.pdf")]
    if blank:
        white = tmp_path / "kosong.pdf"
        Image.new("L", (2480, 3508), 255).save(white, "PDF", resolution=300)
        parts.append(white)
    writer = PdfWriter()
    for source in parts:
        for page in PdfReader(source).pages:
            writer.add_page(page)
    mixed = tmp_path / "campuran.pdf"
    with open(mixed, "wb") as f:
        writer.write(f)
    return mixed


def test_the_copy_brings_each_pages_text_recognising_only_the_scanned_page_once(
        tmp_path: Path, tesseract_calls: Path) -> None:
    work = tmp_path / "kerja"
    work.mkdir()
    made = pdfa_copy.make_copy(_mixed_pdf(tmp_path), work / "salinan.pdf", work_dir=work)
    # The typed page carries a page transition, which PDF/A forbids: the same run wrote a
    # plain searchable PDF (asking for PDF/A, then for PDF, recognised the page twice).
    assert made.kind == "pdf" and made.pages is not None
    (typed, typed_ocr), (scanned, scanned_ocr) = made.pages
    assert "zamrud" in typed and not typed_ocr
    assert scanned_ocr
    found = set(scangen.words(scanned))
    assert sum(1 for w in scangen.words() if w in found) / len(scangen.words()) >= 0.95
    assert _recognitions(tesseract_calls) == 1
    assert [p.name for p in work.iterdir()] == ["salinan.pdf"]  # OCRmyPDF's files are gone


def test_a_scan_job_with_its_copy_recognises_each_page_once_and_stores_the_same_text(
        archive: Archive, tmp_path: Path, tesseract_calls: Path) -> None:
    # A PDF: OCRmyPDF and the job render its pages alike (PDFium, 300 dpi), so Tesseract reads
    # the same image either way. (An image's frames are drawn by Pillow in the job and through
    # img2pdf and PDFium in OCRmyPDF: a stray full stop may differ; recall: test_ocr.py.)
    scan = scangen.save_scan(tmp_path / "berkas.pdf", pages=2)
    doc_id = scangen.file_scan(archive, scan)
    without = replace(archive, config=replace(archive.config, searchable_copy=False))
    assert service.ocr_document(without, SYSTEM, doc_id).pages == 2
    assert _recognitions(tesseract_calls) == 2  # the job alone, one process a page
    with archive.db.read() as session:
        alone = session.get(DocumentText, doc_id).text
        assert session.get(Document, doc_id).searchable_path is None
    tesseract_calls.unlink()
    outcome = service.ocr_document(archive, SYSTEM, doc_id)  # now with the copy
    assert (outcome.status, outcome.pages) == ("extracted", 2)
    assert _recognitions(tesseract_calls) == 2  # not 4: OCRmyPDF's reading is the text
    with archive.db.read() as session:
        assert session.get(DocumentText, doc_id).text == alone
        assert session.get(Document, doc_id).searchable_kind == "pdfa"


def test_a_blank_scanned_page_is_read_by_the_job_itself_as_a_timed_out_one_would_be(
        archive: Archive, tmp_path: Path, tesseract_calls: Path) -> None:
    doc_id = scangen.file_scan(archive, _mixed_pdf(tmp_path, blank=True))
    outcome = service.ocr_document(archive, SYSTEM, doc_id)
    assert (outcome.status, outcome.pages) == ("extracted", 2)
    # OCRmyPDF read the two scanned pages; the blank one gave no text, so the job read it too.
    assert _recognitions(tesseract_calls) == 3
    with archive.db.read() as session:
        text = session.get(DocumentText, doc_id).text
        assert session.get(Document, doc_id).searchable_path is not None
    typed, scanned = text.split("\n\f\n")
    assert "zamrud" in typed and "Mojokerto" in scanned
