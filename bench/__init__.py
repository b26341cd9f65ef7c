"""Benchmarks of E-Arsip: filing, search, reindex, memory, OCR and suggested classification,
each beside its baseline."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

DEFAULT_WORKDIR = Path(__file__).resolve().parent / "work"


def part_main(run: Callable[..., dict], doc: str, argv: list[str] | None = None) -> int:
    """Run one part from the command line (--quick, --workdir) and print its result as JSON."""
    parser = argparse.ArgumentParser(description=doc.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    json.dump(run(args.workdir, quick=args.quick), sys.stdout, indent=2, ensure_ascii=False)
    print()
    return 0
