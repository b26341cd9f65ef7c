"""`earsip ocr`: read scans with Tesseract (one document, every document without text, or the
documents waiting for OCR)."""

from __future__ import annotations

import sys

import click

from earsip.cli.common import cli_actor, fail, main, open_archive
from earsip.errors import EarsipError


@main.command()
@click.option("--document", "document_id", type=int, default=None, help="Id satu dokumen.")
@click.option("--all-empty", is_flag=True,
              help="Semua dokumen gambar atau PDF yang belum memiliki teks.")
@click.option("--pending", is_flag=True, help="Dokumen yang menunggu OCR (ocr_pending).")
def ocr(document_id: int | None, all_empty: bool, pending: bool) -> None:
    """Recognise the text of scanned documents (Bahasa Indonesia and English)."""
    from earsip.ocr import OcrUnavailable
    from earsip.services.operations import ocr as service

    if sum([document_id is not None, all_empty, pending]) != 1:
        fail("pilih tepat satu: --document ID, --all-empty atau --pending.", 2)
    from earsip.services.operations import jobs

    archive = open_archive()
    failed = 0
    try:
        if pending:
            # Jobs queued for the worker are claimed and run here (the worker skips them).
            for job_id, state in jobs.run_pending(archive, kinds=["ocr"]).items():
                if state is not None:
                    click.echo(f"tugas {job_id}: {state}")
                    failed += state == "failed"
        ids = [document_id] if document_id is not None else service.documents_to_read(
            archive, pending_only=pending)
        for doc_id in ids:
            try:
                outcome = service.ocr_document(archive, cli_actor(), doc_id)
            except OcrUnavailable as e:
                fail(e.message)
            except EarsipError as e:
                failed += 1
                click.echo(f"#{doc_id}: {e.message}", err=True)
                continue
            failed += outcome.status == "failed"
            click.echo(f"#{doc_id}: {outcome.status}, {outcome.pages} halaman dibaca, "
                       f"{outcome.chars} karakter.")
        click.echo(f"Selesai: {len(ids)} dokumen.")
    finally:
        archive.close()
    sys.exit(1 if failed else 0)
