"""Run the benchmark suite: ``python -m bench [--quick] [--only NAMES] [--out FILE] [--report]``.

Each part runs its baselines in the same run on the same data and returns its targets. The
result (with the machine, versions and commit) is written as JSON. With ``--quick`` (what CI
runs through ``make bench-quick``) the exit status is 1 when a ratio target is missed by more
than 25%, or when a count that must stay at zero is not (the public pages' errors and lost
receipts); absolute times are never gated (the machine is shared and noisy). With ``--report``,
docs/PERFORMANCE.md's results block and docs/performance.png are regenerated from the result.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path

from config import PROJECT_ROOT

# reindex before search: it leaves the search archives freshly indexed for it.
PARTS = ("filing", "reindex", "search", "memory", "ocr", "prefill", "suggest", "public")
# memory needs a 500-page PDF: full suite only; public runs 20 s instead of 2 minutes (its
# errors and losses gate, not its times).
QUICK_PARTS = ("filing", "reindex", "search", "ocr", "public")
WORKDIR = PROJECT_ROOT / "bench" / "work"
RESULTS = PROJECT_ROOT / "bench" / "results"
PACKAGES = ("whoosh-reloaded", "pypdf", "SQLAlchemy", "Flask", "waitress", "PySastrawi",
            "reportlab", "ocrmypdf")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return 0.0


def _command_version(cmd: list[str]) -> str | None:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, check=False)
    except OSError:
        return None
    text = (out.stdout or out.stderr).strip().splitlines()
    return text[0] if text else None


def environment() -> dict[str, object]:
    """Describe the machine, the versions and the code measured."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    commit = _command_version(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"])
    dirty = _command_version(["git", "-C", str(PROJECT_ROOT), "status", "--porcelain",
                              "--untracked-files=no"])
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": commit, "uncommitted_changes": bool(dirty),
        "cpu": _cpu_model(), "cores": os.cpu_count(), "memory_gb": _mem_gb(),
        "kernel": platform.release(), "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version, "packages": versions,
        "pdftotext": _command_version(["pdftotext", "-v"]),
        "load_average_at_start": os.getloadavg(),
    }


def gate_failures(result: dict) -> list[str]:
    """Return the ratio targets missed by more than the allowed slack, and the counts that must
    stay at most `gate_max` (errors, losses)."""
    failures = []
    for part in result["parts"].values():
        for target in part.get("targets", []):
            floor = target.get("gate_min")
            if floor is not None and target["measured"] < floor:
                failures.append(f"{target['name']}: {target['measured']} < {floor} "
                                f"(target {target['target']})")
            ceiling = target.get("gate_max")
            if ceiling is not None and (target["measured"] > ceiling or not target["met"]):
                failures.append(f"{target['name']}: {target['measured']} > {ceiling} "
                                f"(target {target['target']})")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes; gate ratio targets")
    parser.add_argument("--only", default=None,
                        help=f"comma-separated parts (default: {','.join(PARTS)}; "
                             f"with --quick {','.join(QUICK_PARTS)})")
    parser.add_argument("--workdir", type=Path, default=WORKDIR)
    parser.add_argument("--out", type=Path, default=None, help="result JSON file")
    parser.add_argument("--merge", type=Path, default=None,
                        help="an earlier result: keep its other parts, replace the ones run now")
    parser.add_argument("--report", action="store_true",
                        help="regenerate docs/PERFORMANCE.md results and the plot")
    args = parser.parse_args(argv)
    only = args.only or ",".join(QUICK_PARTS if args.quick else PARTS)
    parts = [p.strip() for p in only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    result: dict = {"suite": "quick" if args.quick else "full", "environment": environment(),
                    "parts": {}}
    started = time.perf_counter()
    failed: dict[str, str] = {}
    for name in parts:
        print(f"== {name}", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        try:
            result["parts"][name] = module.run(args.workdir, quick=args.quick)
        except Exception as e:  # noqa: BLE001 - the other parts' results are still written
            traceback.print_exc()
            failed[name] = f"{type(e).__name__}: {e}"
            print(f"   {name}: FAILED", file=sys.stderr, flush=True)
            continue
        result["parts"][name]["wall_seconds"] = round(time.perf_counter() - t0, 1)
        print(f"   {name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    if failed:
        result["failed_parts"] = failed
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    result["environment"]["load_average_at_end"] = os.getloadavg()
    if args.merge:
        earlier = json.loads(args.merge.read_text(encoding="utf-8"))
        result["merged_from"] = {"file": args.merge.name, "parts_kept": [
            name for name in earlier["parts"] if name not in result["parts"]],
            "environment": earlier["environment"]}
        result["parts"] = {**earlier["parts"], **result["parts"]}
        result["wall_seconds"] = round(sum(p.get("wall_seconds", 0)
                                           for p in result["parts"].values()), 1)
    out = args.out
    if out is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        out = (args.workdir / "quick-latest.json" if args.quick
               else RESULTS / f"full-{stamp}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"result: {out}", file=sys.stderr)
    if args.report:
        from bench.report import write_report

        write_report(result, out)
    for part in result["parts"].values():
        for target in part.get("targets", []):
            mark = "ok " if target["met"] else "MISSED"
            print(f"{mark:6} {target['name']}: {target['measured']} {target['unit']} "
                  f"(target {target['target']})", file=sys.stderr)
    for name, error in failed.items():
        print(f"PART FAILED: {name}: {error}", file=sys.stderr)
    if failed:
        return 1
    if args.quick:
        failures = gate_failures(result)
        for failure in failures:
            print(f"GATE FAILED: {failure}", file=sys.stderr)
        return 1 if failures else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
