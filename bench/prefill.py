"""Prefill accuracy: how often each field read from an incoming letter is exactly right.

The seeded corpus of ``tests/letters_corpus.py`` (36 letters by default: nine sender layouts
and citizens' letters, two thirds typed PDFs, one third scans as PNG or image-only PDF) is
written, each file's text is taken as the archive takes it (the extraction workers for a PDF's
text layer; the project's Tesseract wrapper, ``ind+eng`` at 300 dpi, for pages without one),
``earsip.letterparse.parse_letter`` reads it, and each field is compared with the truth:
numbers, codes and dates exactly; subject and sender after folding case and spaces. Reported
per field for the typed letters, the scans and all, with the seconds per letter (extraction,
OCR and parsing). The corpus seed used to tune the parser is 19; other seeds are held out.

Usage: ``python -m bench.prefill [--quick] [--seed N] [--count N] [--json] [--workdir DIR]``
prints the table (``--json``: the result). ``--quick`` reads 12 letters.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

from bench import DEFAULT_WORKDIR
from earsip import extract
from tests import letters_corpus


def run(workdir: Path, *, quick: bool, seed: int = letters_corpus.SEED,
        count: int | None = None) -> dict:
    """Generate the corpus, read and parse every letter, and return the field accuracy."""
    if shutil.which("tesseract") is None:
        raise RuntimeError("tesseract is not installed (make system-deps)")
    folder = workdir / "prefill"
    shutil.rmtree(folder, ignore_errors=True)
    letters = letters_corpus.generate(folder, count=count or (12 if quick else 36), seed=seed)
    outcomes = letters_corpus.measure(folder, letters)
    groups = {"typed": [o for o in outcomes if not o.letter.scanned],
              "scanned": [o for o in outcomes if o.letter.scanned], "all": outcomes}
    misses = [{"file": o.letter.name, "field": f, "found": o.found[f],
               "true": letters_corpus.norm(getattr(o.letter, f))}
              for o in outcomes for f in letters_corpus.FIELDS if not o.right[f]]
    return {
        "name": "prefill", "quick": quick, "seed": seed,
        "letters": {name: len(group) for name, group in groups.items()},
        **{f"accuracy_{name}": letters_corpus.accuracy(group) for name, group in groups.items()},
        "seconds_per_letter_median": {
            name: round(statistics.median(o.seconds for o in group), 2)
            for name, group in groups.items() if group},
        "table": letters_corpus.table(groups),
        "misses": misses,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the prefill accuracy table (or the JSON result)."""
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="12 letters")
    parser.add_argument("--seed", type=int, default=letters_corpus.SEED)
    parser.add_argument("--count", type=int, default=None)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    try:
        result = run(args.workdir, quick=args.quick, seed=args.seed, count=args.count)
    finally:
        extract.shutdown()
    if args.json:
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    print(f"seed {result['seed']}: {result['letters']}")
    print(result["table"])
    print(f"seconds per letter (median): {result['seconds_per_letter_median']}")
    for miss in result["misses"]:
        print(f"  {miss['file']}: {miss['field']} {miss['found']!r} (true {miss['true']!r})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
