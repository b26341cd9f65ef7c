"""OCR throughput: pages per minute per core of the worker's OCR jobs, beside raw Tesseract.

Synthetic scans (A4 pages of Indonesian words drawn from ``vocab_id.txt``, rendered at 300 dpi,
rotated 1.2 degrees, with salt-and-pepper noise; see ``tests/scangen.py``) are filed as
image-only PDFs into a fresh archive, one page each, and their queued OCR jobs are run in this
process one after another (``jobs.run_pending``, what one worker thread does), measured:

- ``earsip_text``: the jobs with the searchable copy switched off: render the page in an
  extraction worker, Tesseract (``ind+eng``, one process per page, ``OMP_THREAD_LIMIT=1``),
  store, index, audit. One job runs on one core, so pages per minute of wall time is pages per
  minute per core; CPU time (this process and its children) is reported beside it.
- ``earsip_copy``: OCRmyPDF making the searchable PDF/A copy of the same files (`pdfa_copy`).
- ``earsip_job``: the two together, what a worker does for each scan by default.
- ``tesseract``: the baseline, the ``tesseract`` command alone on the same pages already
  rendered to PNG at 300 dpi, one process per page, ``OMP_THREAD_LIMIT=1``.

Word recall (share of each page's known words of three letters or more found in its text) is
reported too. Target: ``earsip_text`` at least 0.8 x raw Tesseract pages per minute.

Usage: ``python -m bench.ocr [--quick] [--workdir DIR]`` prints the result as JSON.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import part_main
from bench.corpus import Vocabulary
from bench.load import open_archive
from earsip import audit, pdfa_copy
from earsip.models import DocumentText
from earsip.services import ingest, jobs
from earsip.services.documents import DocumentInput
from tests import scangen

TARGET_RATIO = 0.8
GATE_SLACK = 0.75


def _cpu_s() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _texts(n: int, seed: int = 11) -> list[str]:
    vocab = Vocabulary.load()
    rng = random.Random(seed)
    return [" ".join(rng.choices(vocab.words, cum_weights=vocab.cum_weights, k=180))
            for _ in range(n)]


def _recall(found: str, text: str) -> float:
    expected = scangen.words(text)
    seen = set(scangen.words(found))
    return sum(1 for w in expected if w in seen) / max(len(expected), 1)


def _rate(pages: int, seconds: float) -> float:
    return round(pages / seconds * 60, 1) if seconds > 0 else 0.0


def run(workdir: Path, *, quick: bool) -> dict:
    """File synthetic scans, run their OCR jobs, and time them beside raw Tesseract."""
    if shutil.which("tesseract") is None:
        raise RuntimeError("tesseract is not installed (make system-deps)")
    n = 3 if quick else 30
    folder = workdir / "ocr"
    shutil.rmtree(folder, ignore_errors=True)
    scans = folder / "scans"
    scans.mkdir(parents=True)
    texts = _texts(n)
    pdfs, pngs = [], []
    for i, text in enumerate(texts):
        image = scangen.page(text, seed=i)
        pdf, png = scans / f"pindaian-{i:03d}.pdf", scans / f"pindaian-{i:03d}.png"
        image.save(pdf, "PDF", resolution=300)
        image.save(png, dpi=(300, 300))
        pdfs.append(pdf)
        pngs.append(png)

    # Baseline: Tesseract alone on the rendered pages.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    t0 = time.perf_counter()
    for png in pngs:
        subprocess.run(["tesseract", str(png), "stdout", "-l", "ind+eng", "--dpi", "300"],
                       capture_output=True, check=True, env=env)
    raw_s = time.perf_counter() - t0

    archive = open_archive(folder / "archive", searchable_copy=False)
    try:
        ids = []
        for pdf in pdfs:
            ids.append(ingest.file_document(archive, audit.SYSTEM, pdf, pdf.name, DocumentInput(
                title=pdf.stem, classification="KA.00", document_date=dt.date(2024, 1, 2)),
                clearance=None).document_id)
        cpu0, t0 = _cpu_s(), time.perf_counter()
        states = jobs.run_pending(archive, kinds=["ocr"])
        text_s, text_cpu = time.perf_counter() - t0, _cpu_s() - cpu0
        done = sum(1 for s in states.values() if s == "done")
        with archive.db.read() as session:
            recalls = [_recall(session.get(DocumentText, doc_id).text, text)
                       for doc_id, text in zip(ids, texts, strict=True)]
    finally:
        archive.close()

    cpu0, t0 = _cpu_s(), time.perf_counter()
    kinds = [pdfa_copy.make_copy(pdf, folder / f"{pdf.stem}.ocr.pdf").kind for pdf in pdfs]
    copy_s, copy_cpu = time.perf_counter() - t0, _cpu_s() - cpu0

    ratio = round(_rate(n, text_s) / _rate(n, raw_s), 3)
    result = {
        "name": "ocr", "quick": quick, "pages": n, "jobs_done": done,
        "pages_per_minute_per_core": {
            "tesseract": _rate(n, raw_s), "earsip_text": _rate(n, text_s),
            "earsip_copy": _rate(n, copy_s), "earsip_job": _rate(n, text_s + copy_s)},
        "pages_per_cpu_minute": {"earsip_text": _rate(n, text_cpu),
                                 "earsip_copy": _rate(n, copy_cpu)},
        "seconds_per_page": {"tesseract": round(raw_s / n, 2), "earsip_text": round(text_s / n, 2),
                             "earsip_copy": round(copy_s / n, 2)},
        "word_recall": {"mean": round(sum(recalls) / n, 3), "min": round(min(recalls), 3)},
        "copies_pdfa": sum(1 for k in kinds if k == "pdfa"),
        "text_vs_tesseract": ratio,
    }
    result["targets"] = [
        {"name": "OCR text job: pages/min ÷ raw Tesseract pages/min (one core)",
         "target": TARGET_RATIO, "measured": ratio, "unit": "×", "kind": "ratio",
         "met": ratio >= TARGET_RATIO, "gate_min": round(TARGET_RATIO * GATE_SLACK, 3)},
    ]
    return result


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
