"""Filing speed: the whole pipeline beside raw pypdf and pdftotext on the same PDFs, same run.

Measured per round, in an order that alternates between rounds (the machine is shared and
noisy; the report gives medians of the rounds and the ratios between them):

- ``pypdf``: ``PdfReader`` + ``extract_text()`` of every page, in this process: the floor of
  our own pipeline, which extracts with pypdf too.
- ``pdftotext``: poppler's C tool, one process per file (the C reference), when installed.
- ``earsip_jobs1`` / ``earsip_jobs2``: ``bulk.import_paths`` (what ``earsip import`` runs) into
  a fresh copy of an archive in use (one that has filed other documents, see `warm_base`):
  detect, hash, store, extract, record, audit and index every file, with one and with two
  extraction workers. The extraction workers are stopped before each run, so each run pays for
  starting them, as a fresh ``earsip import`` does.
- ``earsip_jobs1_cold`` (full suite): the same into an empty archive, the first import ever.

Usage: ``python -m bench.filing [--quick] [--workdir DIR]`` prints the result as JSON.
"""

from __future__ import annotations

import logging
import shutil
import statistics
import subprocess
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench import part_main
from bench.corpus import write_pdf_corpus
from bench.load import open_archive
from earsip import audit, extract
from earsip.services import Archive
from earsip.services.records import bulk
from earsip.services.search import indexing

REALWORLD = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"
TARGET_OVERHEAD = 0.8  # end-to-end pages/s >= 0.8 x raw pypdf pages/s
TARGET_JOBS2 = 1.7  # --jobs 2 >= 1.7 x one process
GATE_SLACK = 0.75
WARMUP_SEED = 7  # bench-quick fails when a ratio misses its target by more than 25%


def _pypdf(paths: list[Path]) -> int:
    import pypdf

    pages = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("pypdf").setLevel(logging.CRITICAL)
        for path in paths:
            try:
                reader = pypdf.PdfReader(path, strict=False)
                for page in reader.pages:
                    page.extract_text()
                    pages += 1
            except Exception:  # noqa: S112 - a file pypdf cannot read costs what it cost
                continue
    return pages


def _pdftotext(paths: list[Path]) -> int:
    for path in paths:
        subprocess.run(["pdftotext", "-q", str(path), "-"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, check=False, timeout=120)
    return 0


def warm_base(workdir: Path, n: int) -> Path:
    """File `n` other documents into a new archive: the archive "in use" each import starts from.

    An office imports into an archive that already holds documents: its index has segments
    and its stem cache (index/stems.tsv) knows the common words. Only the very first import
    into an empty archive pays for stemming every word once; that case is measured too
    (``earsip_jobs1_cold``).
    """
    base = workdir / "filing-base"
    shutil.rmtree(base, ignore_errors=True)
    corpus = workdir / f"filing-warmup-{n}"
    write_pdf_corpus(corpus, n, seed=WARMUP_SEED)
    archive = open_archive(base)
    try:
        bulk.import_paths(archive, audit.Actor(None, "bench", "local"), [corpus],
                          defaults={"classification": "KA.00"},
                          metadata=bulk.load_metadata(corpus / "metadata.csv"), jobs=2,
                          skip=[corpus / "metadata.csv"])
    finally:
        archive.close()
    return base


def _earsip(workdir: Path, folder: Path, jobs: int, base: Path | None) -> dict:
    """Import `folder` into a copy of `base` (or an empty archive); return counts and time."""
    target = workdir / f"archive-jobs{jobs}"
    shutil.rmtree(target, ignore_errors=True)
    if base is not None:
        shutil.copytree(base, target)
    archive = open_archive(target)
    extract.shutdown()  # a fresh import starts its own workers
    try:
        before = _filed_pages(archive)
        csv_path = folder / "metadata.csv"
        metadata = bulk.load_metadata(csv_path) if csv_path.exists() else {}
        start = time.perf_counter()
        outcomes = bulk.import_paths(
            archive, audit.Actor(None, "bench", "local"), [folder],
            defaults={"classification": "KA.00"}, metadata=metadata, jobs=jobs,
            skip=[csv_path] if csv_path.exists() else [])
        seconds = time.perf_counter() - start
        statuses = Counter(o.status for o in outcomes)
        in_sync = indexing.index_matches_database(archive)
        pages = _filed_pages(archive) - before
    finally:
        archive.close()
    shutil.rmtree(target, ignore_errors=True)
    return {"seconds": seconds, "statuses": dict(statuses), "index_in_sync": in_sync,
            "pages": pages}


def _filed_pages(archive: Archive) -> int:
    from sqlalchemy import func, select

    from earsip.models import Document

    with archive.db.read() as session:
        return int(session.scalar(select(func.coalesce(func.sum(Document.pages), 0))) or 0)


def _timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def measure(workdir: Path, folder: Path, paths: list[Path], pages: int | None, rounds: int,
            *, base: Path, jobs2: bool = True, cold: bool = False) -> dict:
    """Run every contender `rounds` times over the same files; return medians and ratios.

    `pages` None: count the pages pypdf reads. The cold import runs in the first round only
    (it is reported, not compared).
    """
    have_pdftotext = shutil.which("pdftotext") is not None
    contenders: dict[str, Callable[[], object]] = {
        "pypdf": lambda: _pypdf(paths),
        "earsip_jobs1": lambda: _earsip(workdir, folder, 1, base),
    }
    if jobs2:
        contenders["earsip_jobs2"] = lambda: _earsip(workdir, folder, 2, base)
    if cold:
        contenders["earsip_jobs1_cold"] = lambda: _earsip(workdir, folder, 1, None)
    if have_pdftotext:
        contenders["pdftotext"] = lambda: _pdftotext(paths)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    checks: dict[str, object] = {}
    names = list(contenders)
    for r in range(rounds):
        for name in names if r % 2 == 0 else reversed(names):
            if name.endswith("_cold") and r > 0:
                continue
            seconds, value = _timed(contenders[name])
            if name == "pypdf" and pages is None:
                pages = int(value)
            if isinstance(value, dict):
                seconds = value["seconds"]  # the import alone, not the archive set-up
                checks[name] = {k: v for k, v in value.items() if k != "seconds"}
            times[name].append(seconds)
    result: dict[str, object] = {"files": len(paths), "pages": pages, "rounds": rounds,
                                 "checks": checks, "contenders": {}}
    for name, values in times.items():
        median = statistics.median(values)
        result["contenders"][name] = {
            "seconds_median": round(median, 3), "seconds_all": [round(v, 3) for v in values],
            "docs_per_s": round(len(paths) / median, 2), "pages_per_s": round(pages / median, 2)}
    c = result["contenders"]
    result["overhead_ratio"] = round(c["pypdf"]["seconds_median"]
                                     / c["earsip_jobs1"]["seconds_median"], 3)
    if jobs2:
        result["jobs2_speedup"] = round(c["earsip_jobs1"]["seconds_median"]
                                        / c["earsip_jobs2"]["seconds_median"], 3)
    return result


def realworld_pdfs() -> list[Path]:
    """Return the real-world PDFs with a text layer that pypdf reads (none if absent)."""
    folder = REALWORLD / "indonesian"
    return sorted(folder.glob("*.pdf")) if folder.is_dir() else []


def run(workdir: Path, *, quick: bool) -> dict:
    """Run the filing benchmark; return the result with its targets."""
    n, rounds = (40, 2) if quick else (200, 3)
    folder = workdir / f"filing-pdfs-{n}"
    corpus = write_pdf_corpus(folder, n)
    paths = [p for p, _ in corpus]
    pages = sum(len(d.pages) for _, d in corpus)
    base = warm_base(workdir, 20 if quick else 60)
    synthetic = measure(workdir, folder, paths, pages, rounds, base=base, cold=not quick)
    result: dict[str, object] = {"name": "filing", "quick": quick, "synthetic": synthetic}
    real = realworld_pdfs()
    if real and not quick:
        result["realworld"] = measure(workdir, real[0].parent, real, None, 1, base=base,
                                      jobs2=False)
    label = "quick" if quick else "full"
    result["targets"] = [
        {"name": f"Filing overhead ({label}): end-to-end pages/s ÷ raw pypdf pages/s",
         "target": TARGET_OVERHEAD, "measured": synthetic["overhead_ratio"], "unit": "×",
         "kind": "ratio", "met": synthetic["overhead_ratio"] >= TARGET_OVERHEAD,
         "gate_min": round(TARGET_OVERHEAD * GATE_SLACK, 3)},
        {"name": f"Filing --jobs 2 ({label}): speed-up over one process",
         "target": TARGET_JOBS2, "measured": synthetic["jobs2_speedup"], "unit": "×",
         "kind": "ratio", "met": synthetic["jobs2_speedup"] >= TARGET_JOBS2,
         "gate_min": round(TARGET_JOBS2 * GATE_SLACK, 3)},
    ]
    return result


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
