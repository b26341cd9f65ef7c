"""Reindex time, peak memory and resumability: `earsip reindex` over 100k synthetic documents.

The archive (rows and texts loaded by `bench.load`, no index) is built once under the work
folder and reused by later runs. `earsip reindex` then runs as a child process, as an operator
runs it: its wall time, documents per second and peak memory are measured. The memory figure
is the largest sum, sampled every 0.1 s from /proc, of the resident sizes of the command and all
its descendants (the rebuild's worker processes), so it is what the machine must hold at once;
``ru_maxrss`` of the largest single process is reported beside it.

Then resumability (at 10k documents in the full suite): a second `earsip reindex` is killed
(SIGKILL, the whole process group) after 40% of the first run's time, and a third one is
run. It must report how many documents it did not redo, and the index must then match the
database (`indexing.index_matches_database`).

Run alone: ``python -m bench.reindex [--quick] [--workdir DIR]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from bench.load import archive_env, bench_config, load_synthetic, open_archive
from earsip.models import Document
from earsip.search.rebuild import read_progress
from earsip.services import Archive
from earsip.services.search import indexing

DEFAULT_WORKDIR = Path(__file__).resolve().parent / "work"
FULL_N = 100_000
QUICK_N = 2_000
RESUME_N = 10_000
TIME_TARGET_S = 600
MEMORY_TARGET_MB = 1024
KILL_AT = 0.4  # of the first run's time
RESUMED_RE = re.compile(r"(\d+) dokumen sudah terindeks sebelum terputus")
INDEXED_RE = re.compile(r"Indeks dibangun ulang: (\d+) dokumen")


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _log(message: str) -> None:
    print(f"[reindex] {message}", file=sys.stderr, flush=True)


def _open(folder: Path) -> Archive:
    """Open the archive under `folder`, initialising it only when it does not exist yet.

    (`bench.load.open_archive` initialises, and initialising an archive whose index does not
    match its database rebuilds the index in this process.)
    """
    if (folder / "earsip.sqlite3").exists():
        return Archive.open(bench_config(folder))
    return open_archive(folder)


def ensure_archive(folder: Path, n: int) -> None:
    """Load `n` synthetic documents into the archive under `folder` unless already there."""
    archive = _open(folder)
    try:
        with archive.db.read() as session:
            have = session.scalar(select(func.count()).select_from(Document)) or 0
        if have < n:
            _log(f"loading {n - have} documents into {folder}")
            started = time.perf_counter()
            load_synthetic(archive, n)
            _log(f"loaded in {time.perf_counter() - started:.0f} s")
    finally:
        archive.close()


def child_env(folder: Path) -> dict[str, str]:
    """Return the environment pointing `earsip` at the archive under `folder`."""
    return archive_env(folder)


def _command() -> list[str]:
    script = Path(sys.executable).with_name("earsip")
    if script.exists():
        return [str(script), "reindex"]
    return [sys.executable, "-c", "from earsip.cli import main; main()", "reindex"]


def _tree_rss(root: int) -> int:
    """Return the summed resident size in bytes of `root` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/statm") as f:
                resident = int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = resident
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, ()))
    return total


def run_reindex(folder: Path, *, kill_after: float | None = None) -> dict:
    """Run `earsip reindex` for the archive under `folder`; measure it (or kill it)."""
    started = time.perf_counter()
    proc = subprocess.Popen(_command(), env=child_env(folder), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    peak = 0
    killed = False
    while proc.poll() is None:
        peak = max(peak, _tree_rss(proc.pid))
        if kill_after is not None and time.perf_counter() - started >= kill_after:
            os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            break
        time.sleep(0.1)
    output = proc.communicate()[0]
    seconds = time.perf_counter() - started
    if killed:
        # The workers are in the same process group; wait until they are gone too.
        with_workers_gone = time.perf_counter() + 10
        while _tree_rss(proc.pid) and time.perf_counter() < with_workers_gone:
            time.sleep(0.1)
    elif proc.returncode != 0:
        raise RuntimeError(f"earsip reindex failed ({proc.returncode}):\n{output}")
    resumed = RESUMED_RE.search(output)
    indexed = INDEXED_RE.search(output)
    return {
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(peak / 2**20),
        "killed": killed,
        "resumed": int(resumed.group(1)) if resumed else 0,
        "indexed": int(indexed.group(1)) if indexed else None,
        "output": output.strip().splitlines()[-3:],
    }


def index_matches(folder: Path) -> bool:
    archive = _open(folder)
    try:
        return indexing.index_matches_database(archive)
    finally:
        archive.close()


def run(workdir: Path, *, quick: bool) -> dict:
    """Measure a full reindex and an interrupted, resumed one; return results and targets.

    The archives are the search benchmark's (``search-<n>``): run before it, this part leaves
    them freshly indexed, so the suite builds each large index once. The resume check runs at
    10k in the full suite (it doubles the time of the size it runs at; resuming is a property
    of the rebuild, not of the size).
    """
    n = QUICK_N if quick else FULL_N
    resume_n = QUICK_N if quick else RESUME_N
    folder = Path(workdir) / f"search-{_label(n)}"
    ensure_archive(folder, n)
    shutil.rmtree(folder / "index", ignore_errors=True)  # measure a rebuild from scratch

    _log(f"reindexing {n} documents")
    full = run_reindex(folder)
    single_mb = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    if full["indexed"] != n:
        raise RuntimeError(f"expected {n} documents indexed: {full}")
    full_matches = index_matches(folder)

    resume_folder = Path(workdir) / f"search-{_label(resume_n)}"
    ensure_archive(resume_folder, resume_n)
    shutil.rmtree(resume_folder / "index", ignore_errors=True)
    _log(f"reindexing {resume_n} documents, then again killed after {KILL_AT:.0%}")
    first = full if resume_folder == folder else run_reindex(resume_folder)
    interrupted = run_reindex(resume_folder, kill_after=KILL_AT * first["seconds"])
    record = read_progress(resume_folder / "index")
    committed = record.count if record is not None else 0
    _log(f"killed with {committed} documents committed; running it again")
    again = run_reindex(resume_folder)
    resume = {
        "documents": resume_n,
        "uninterrupted_s": first["seconds"],
        "killed_after_s": interrupted["seconds"],
        "committed_before_kill": committed,
        "not_redone": again["resumed"],
        "resumed": again["resumed"] > 0 and again["resumed"] == committed,
        "rerun_seconds": again["seconds"],
        "rerun_peak_rss_mb": again["peak_rss_mb"],
        "index_matches_database": index_matches(resume_folder),
    }
    label = _label(n)  # absolute targets are never gated; at 2k they are only indicative
    return {
        "name": "reindex",
        "n": n,
        "seconds": full["seconds"],
        "docs_per_s": round(n / full["seconds"], 1),
        "peak_rss_mb": full["peak_rss_mb"],
        "peak_rss_single_process_mb": single_mb,
        "index_matches_database": full_matches,
        "resume": resume,
        "targets": [
            {"name": f"Reindex {label}: time", "target": TIME_TARGET_S,
             "measured": full["seconds"], "unit": "s",
             "met": full["seconds"] <= TIME_TARGET_S, "kind": "absolute"},
            {"name": f"Reindex {label}: peak memory", "target": MEMORY_TARGET_MB,
             "measured": full["peak_rss_mb"], "unit": "MB",
             "met": full["peak_rss_mb"] <= MEMORY_TARGET_MB, "kind": "absolute"},
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_N} documents")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args()
    print(json.dumps(run(args.workdir, quick=args.quick), indent=2))


if __name__ == "__main__":
    main()
