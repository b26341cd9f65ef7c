"""OCR throughput: pages per minute per core of the worker's OCR jobs, beside raw Tesseract.

Synthetic scans (A4 pages of Indonesian words drawn from ``vocab_id.txt``, rendered at 300 dpi,
rotated 1.2 degrees, with salt-and-pepper noise; see ``tests/scangen.py``) are filed as
image-only PDFs into a fresh archive, one page each, and their queued OCR jobs are run in this
process one after another (``jobs.run_pending``, what one worker thread does), measured:

- ``earsip_job``: the job as the worker runs it by default (searchable copy on): OCRmyPDF in an
  extraction worker recognises each page once (Tesseract ``ind+eng``, ``OMP_THREAD_LIMIT=1``)
  and writes the searchable PDF/A copy; the job takes the page texts from OCRmyPDF's sidecar,
  then stores, indexes and audits them and places the copy.
- ``earsip_text``: the job with the searchable copy switched off
  (``EARSIP_SEARCHABLE_COPY=0``): render the page in an extraction worker, one Tesseract
  process per page, store, index, audit.
- ``tesseract``: the baseline, the ``tesseract`` command alone on the same pages already
  rendered to PNG at 300 dpi, one process per page, ``OMP_THREAD_LIMIT=1``.

One job runs on one core, so pages per minute of wall time is pages per minute per core; CPU
time (this process and its children) is reported beside it. Word recall (share of each page's
known words of three letters or more found in its text) is reported for both jobs. Targets:
the default job at least 0.6 x raw Tesseract pages per minute, the text job at least 0.8 x.

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
from earsip import audit, extract
from earsip.models import Document, DocumentText
from earsip.services.operations import jobs
from earsip.services.records import ingest
from earsip.services.records.documents import DocumentInput
from tests import scangen

TARGET_RATIO = 0.8
JOB_TARGET_RATIO = 0.6
GATE_SLACK = 0.75


def _cpu_s() -> float:
    """CPU seconds of this process, its reaped children, and the extraction workers (children
    of the forkserver: their pages rendered, their OCRmyPDF and its reaped Tesseracts)."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    workers = 0.0
    for pid in extract.worker_pids():
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        workers += sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + workers


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


def _file_and_run(folder: Path, pdfs: list[Path], texts: list[str], *,
                  copy: bool) -> dict:
    """File the scans into a fresh archive, run their OCR jobs; return times and recalls."""
    archive = open_archive(folder, searchable_copy=copy)
    try:
        ids = []
        for pdf in pdfs:
            ids.append(ingest.file_document(archive, audit.SYSTEM, pdf, pdf.name, DocumentInput(
                title=pdf.stem, classification="KA.00", document_date=dt.date(2024, 1, 2)),
                clearance=None).document_id)
        cpu0, t0 = _cpu_s(), time.perf_counter()
        states = jobs.run_pending(archive, kinds=["ocr"])
        seconds, cpu = time.perf_counter() - t0, _cpu_s() - cpu0
        with archive.db.read() as session:
            recalls = [_recall(session.get(DocumentText, doc_id).text, text)
                       for doc_id, text in zip(ids, texts, strict=True)]
            kinds = [session.get(Document, doc_id).searchable_kind for doc_id in ids]
    finally:
        archive.close()
    return {"seconds": seconds, "cpu": cpu, "recalls": recalls, "kinds": kinds,
            "done": sum(1 for s in states.values() if s == "done")}


def run(workdir: Path, *, quick: bool, pages: int | None = None) -> dict:
    """File synthetic scans, run their OCR jobs, and time them beside raw Tesseract."""
    if shutil.which("tesseract") is None:
        raise RuntimeError("tesseract is not installed (make system-deps)")
    n = pages or (3 if quick else 30)
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
    cpu0, t0 = _cpu_s(), time.perf_counter()
    for png in pngs:
        subprocess.run(["tesseract", str(png), "stdout", "-l", "ind+eng", "--dpi", "300"],
                       capture_output=True, check=True, env=env)
    raw_s, raw_cpu = time.perf_counter() - t0, _cpu_s() - cpu0

    text = _file_and_run(folder / "text", pdfs, texts, copy=False)
    job = _file_and_run(folder / "job", pdfs, texts, copy=True)
    text_ratio = round(_rate(n, text["seconds"]) / _rate(n, raw_s), 3)
    job_ratio = round(_rate(n, job["seconds"]) / _rate(n, raw_s), 3)
    result = {
        "name": "ocr", "quick": quick, "pages": n,
        "jobs_done": {"earsip_job": job["done"], "earsip_text": text["done"]},
        "pages_per_minute_per_core": {
            "tesseract": _rate(n, raw_s), "earsip_job": _rate(n, job["seconds"]),
            "earsip_text": _rate(n, text["seconds"])},
        "pages_per_cpu_minute": {"tesseract": _rate(n, raw_cpu),
                                 "earsip_job": _rate(n, job["cpu"]),
                                 "earsip_text": _rate(n, text["cpu"])},
        "seconds_per_page": {"tesseract": round(raw_s / n, 2),
                             "earsip_job": round(job["seconds"] / n, 2),
                             "earsip_text": round(text["seconds"] / n, 2)},
        "word_recall": {"job_mean": round(sum(job["recalls"]) / n, 3),
                        "job_min": round(min(job["recalls"]), 3),
                        "text_mean": round(sum(text["recalls"]) / n, 3),
                        "text_min": round(min(text["recalls"]), 3)},
        "copies_pdfa": sum(1 for k in job["kinds"] if k == "pdfa"),
        "job_vs_tesseract": job_ratio,
        "job_vs_tesseract_cpu": round(_rate(n, job["cpu"]) / _rate(n, raw_cpu), 3),
        "text_vs_tesseract": text_ratio,
    }
    result["targets"] = [
        {"name": "OCR job with its searchable copy: pages/min ÷ raw Tesseract pages/min "
                 "(one core)",
         "target": JOB_TARGET_RATIO, "measured": job_ratio, "unit": "×", "kind": "ratio",
         "met": job_ratio >= JOB_TARGET_RATIO,
         "gate_min": round(JOB_TARGET_RATIO * GATE_SLACK, 3)},
        {"name": "OCR text job: pages/min ÷ raw Tesseract pages/min (one core)",
         "target": TARGET_RATIO, "measured": text_ratio, "unit": "×", "kind": "ratio",
         "met": text_ratio >= TARGET_RATIO, "gate_min": round(TARGET_RATIO * GATE_SLACK, 3)},
    ]
    return result


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
