"""Search latency at 10k and 100k synthetic documents, beside SQLite FTS5 on the same texts.

For each size an archive is built once under the work folder (rows and texts loaded by
`bench.load`, the index by the application's own `indexing.reindex`) and reused by later runs.
A separate SQLite file holds an FTS5 table (title + content, `unicode61` tokenizer) of the very
same texts: the C reference.

Query classes, drawn deterministically from the corpus vocabulary and documents (see
`../shared/bench/README.md`):

- ``single``: a mid-frequency word (ranks 100-1,000 of the vocabulary, stopwords skipped);
- ``two_words``: two such words (all must match);
- ``common``: one of the 10 most frequent words that are not stopwords;
- ``phrase``: two adjacent words taken from a document, quoted;
- ``prefix``: the first 4 letters of a word of 6+ letters, then ``*``;
- ``number``: a document's letter number, typed whole;
- ``filtered``: a mid-frequency word with a top-level classification and a year filter;
- ``low_clearance``: a mid-frequency word searched by a user of clearance ``biasa``.

Each query is timed through the service layer as the API calls it
(`earsip.services.search.searching.search`: pending exclusions, the index, row loading, snippets,
the audit entry), and FTS5 right after it on the same query (top 20 by bm25 plus a total count,
the filter as a WHERE on columns), so both engines see the same machine load. A warm-up with a
different set of queries comes first, so caches keyed on the query text cannot flatter the
figures.
Wall-clock percentiles are what the targets are about; each class also reports this process's
CPU time per query (p50/p95), which a shared, loaded machine disturbs far less, plus the load
average before and after and the number of index segments.

Run alone: ``python -m bench.search [--quick] [--workdir DIR] [--per-class N]``; prints JSON.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from bench.corpus import SEED, Vocabulary, generate
from bench.load import load_synthetic, open_archive
from earsip.access import Principal
from earsip.models import Document, DocumentText, User
from earsip.search.analysis import analyze
from earsip.services import Archive
from earsip.services.search import indexing
from earsip.services.search.searching import SearchParams, search

DEFAULT_WORKDIR = Path(__file__).resolve().parent / "work"
CLASSES = ("single", "two_words", "common", "phrase", "prefix", "number", "filtered",
           "low_clearance")
#: (class, target p95 in ms) checked at 100k documents.
TARGETS = (("single", 50), ("two_words", 50), ("number", 50), ("filtered", 50),
           ("phrase", 150), ("prefix", 150))
TARGET_LABELS = {"single": "single word", "two_words": "two words", "number": "letter number",
                 "filtered": "word + classification + year filter", "phrase": "phrase",
                 "prefix": "prefix"}
QUERY_SEED = 7041
WARMUP_PER_CLASS = 10
MID_RANKS = (100, 1000)
PREFIX_RANKS = (0, 1000)
_ALPHA_RE = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class BenchQuery:
    """One query of a class: the typed text and the filters the user set."""

    cls: str
    text: str
    classification: str | None = None
    year: int | None = None
    low_clearance: bool = False


# -- archives ------------------------------------------------------------------------------------


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def ensure_archive(folder: Path, n: int, log: Callable[[str], None]) -> Archive:
    """Open the archive under `folder`, loading and indexing `n` documents if it has fewer."""
    archive = open_archive(folder)  # also rebuilds an index that does not match the database
    with archive.db.read() as session:
        have = session.scalar(select(func.count()).select_from(Document)) or 0
    if have < n:
        log(f"loading {n - have} documents into {folder}")
        load_synthetic(archive, n)
        started = time.perf_counter()
        indexing.reindex(archive)
        log(f"indexed {n} documents in {time.perf_counter() - started:.0f} s")
    elif have > n:
        raise SystemExit(f"{folder} holds {have} documents, more than {n}")
    return archive


def ensure_fts(path: Path, archive: Archive, n: int, log: Callable[[str], None]) -> None:
    """Build (once) an FTS5 table of the archive's titles and texts with the filter columns."""
    if path.exists():
        con = sqlite3.connect(path)
        try:
            done = con.execute("SELECT value FROM meta WHERE key = 'docs'").fetchone()
        except sqlite3.Error:
            done = None
        con.close()
        if done and int(done[0]) == n:
            return
        path.unlink()
    log(f"building FTS5 table {path}")
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    con = sqlite3.connect(tmp)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(title, content, classification UNINDEXED, "
                "year UNINDEXED, security UNINDEXED, tokenize = 'unicode61')")
    last = 0
    while True:
        with archive.db.read() as session:
            rows = session.execute(
                select(Document.id, Document.title, DocumentText.text,
                       Document.classification_code, Document.document_date, Document.security)
                .join(DocumentText, DocumentText.document_id == Document.id)
                .where(Document.id > last).order_by(Document.id).limit(5000)).all()
        if not rows:
            break
        con.executemany("INSERT INTO docs(rowid, title, content, classification, year, security)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        [(r[0], r[1], r[2], r[3], r[4].year, r[5]) for r in rows])
        last = rows[-1][0]
    con.execute("INSERT INTO docs(docs) VALUES ('optimize')")
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('docs', ?)", (str(n),))
    con.commit()
    con.close()
    tmp.replace(path)


# -- queries -------------------------------------------------------------------------------------


def _searchable(word: str) -> bool:
    return bool(_ALPHA_RE.fullmatch(word)) and bool(analyze(word))


def draw_queries(n_docs: int, per_class: int, seed: int) -> list[BenchQuery]:
    """Return `per_class` queries of every class, the same for the same arguments."""
    vocab = Vocabulary.load()
    rng = random.Random(seed)
    words = vocab.words
    mid = [w for w in words[MID_RANKS[0]:MID_RANKS[1]] if _searchable(w)]
    common = [w for w in words if _searchable(w)][:10]
    long_words = [w for w in words[PREFIX_RANKS[0]:PREFIX_RANKS[1]]
                  if len(w) >= 6 and _ALPHA_RE.fullmatch(w)]

    def doc(seq: int):  # noqa: ANN202 - a SynthDoc
        return next(generate(1, seed=SEED, start=seq, max_pages=1, words_per_page=300,
                             vocab=vocab))

    def phrase() -> str:
        while True:
            tokens = doc(rng.randrange(n_docs)).text.split()
            for _ in range(50):
                i = rng.randrange(len(tokens) - 1)
                a, b = tokens[i].lower(), tokens[i + 1].lower()
                if _searchable(a) and _searchable(b):
                    return f'"{a} {b}"'

    queries: list[BenchQuery] = []
    for _ in range(per_class):
        queries.append(BenchQuery("single", rng.choice(mid)))
        queries.append(BenchQuery("two_words", " ".join(rng.sample(mid, 2))))
        queries.append(BenchQuery("common", rng.choice(common)))
        queries.append(BenchQuery("phrase", phrase()))
        queries.append(BenchQuery("prefix", rng.choice(long_words)[:4] + "*"))
        queries.append(BenchQuery("number", doc(rng.randrange(n_docs)).number))
        code = doc(rng.randrange(n_docs)).classification.split(".")[0]
        queries.append(BenchQuery("filtered", rng.choice(mid), classification=code,
                                  year=rng.randrange(2016, 2026)))
        queries.append(BenchQuery("low_clearance", rng.choice(mid), low_clearance=True))
    return queries


# -- the two engines -----------------------------------------------------------------------------


def earsip_runner(archive: Archive) -> Callable[[BenchQuery], int]:
    """Return a function running a query through the search service; it returns the total."""
    with archive.db.read() as session:
        admin = session.scalars(select(User).order_by(User.id).limit(1)).one()
        full = Principal.of(admin)
    full = Principal(full.id, full.username, full.roles, "sangat_rahasia")
    low = Principal(full.id, full.username, frozenset({"staf"}), "biasa")

    def run_query(q: BenchQuery) -> int:
        params = SearchParams(q=q.text, classification=q.classification, year_from=q.year,
                              year_to=q.year)
        result = search(archive, low if q.low_clearance else full, params)
        return result.total

    return run_query


def _fts_match(q: BenchQuery) -> str:
    text = q.text
    if text.startswith('"'):
        return text
    if text.endswith("*"):
        return f'"{text[:-1]}"*'
    if "/" in text:  # a letter number: its tokens as one phrase
        return '"' + text.replace('"', " ") + '"'
    return " ".join(f'"{w}"' for w in text.split())


def fts_runner(path: Path) -> tuple[Callable[[BenchQuery], int], sqlite3.Connection]:
    """Return a function running a query on the FTS5 table (top 20 by bm25 and the total)."""
    con = sqlite3.connect(path, check_same_thread=False)

    def run_query(q: BenchQuery) -> int:
        where = "docs MATCH ?"
        args: list[object] = [_fts_match(q)]
        if q.classification:
            where += " AND (classification = ? OR classification LIKE ?)"
            args += [q.classification, q.classification + ".%"]
        if q.year is not None:
            where += " AND year = ?"
            args.append(q.year)
        if q.low_clearance:
            where += " AND security = 'biasa'"
        # `where` is built from the constant pieces above; every value is a parameter.
        top = f"SELECT rowid FROM docs WHERE {where} ORDER BY bm25(docs, 2.0, 1.0) LIMIT 20"  # noqa: S608
        count = f"SELECT count(*) FROM docs WHERE {where}"  # noqa: S608
        con.execute(top, args).fetchall()
        return con.execute(count, args).fetchone()[0]

    return run_query, con


# -- measuring -----------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Return the nearest-rank `p`-th percentile of `values`."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _summary(times: list[float]) -> dict[str, float | int]:
    return {"p50": round(percentile(times, 50), 2), "p95": round(percentile(times, 95), 2),
            "p99": round(percentile(times, 99), 2), "n": len(times)}


def measure(archive: Archive, fts_path: Path, n_docs: int, per_class: int,
            log: Callable[[str], None]) -> dict[str, object]:
    """Time every query class on both engines; return the latencies and total agreement."""
    earsip = earsip_runner(archive)
    fts, con = fts_runner(fts_path)
    # "With the index warm": the searcher is opened and the frequent terms' postings are read
    # into memory (what a server does in the background once at start and after a merge).
    started = time.perf_counter()
    archive.index.warm()
    archive.index.wait_warm()
    warm = {"seconds": round(time.perf_counter() - started, 2),
            "cache_mb": round(archive.index.cache_bytes / 2**20, 1)}
    log(f"{n_docs}: index warm in {warm['seconds']} s, {warm['cache_mb']} MB of postings")
    try:
        for q in draw_queries(n_docs, WARMUP_PER_CLASS, QUERY_SEED + 1):
            earsip(q)
            fts(q)
        times: dict[str, dict[str, list[float]]] = {"earsip": {}, "fts5": {}}
        cpu: dict[str, dict[str, list[float]]] = {"earsip": {}, "fts5": {}}
        totals: dict[str, list[tuple[int, int]]] = {}
        for q in draw_queries(n_docs, per_class, QUERY_SEED):
            started, cpu_started = time.perf_counter(), time.process_time()
            mine = earsip(q)
            middle, cpu_middle = time.perf_counter(), time.process_time()
            theirs = fts(q)
            ended, cpu_ended = time.perf_counter(), time.process_time()
            times["earsip"].setdefault(q.cls, []).append((middle - started) * 1000)
            times["fts5"].setdefault(q.cls, []).append((ended - middle) * 1000)
            cpu["earsip"].setdefault(q.cls, []).append((cpu_middle - cpu_started) * 1000)
            cpu["fts5"].setdefault(q.cls, []).append((cpu_ended - cpu_middle) * 1000)
            totals.setdefault(q.cls, []).append((mine, theirs))
    finally:
        con.close()
    # Wall-clock latency (what the targets are about), and this process's CPU time, which a
    # loaded machine disturbs much less (CPU time does not count waiting for the disk).
    out: dict[str, object] = {
        engine: {cls: {**_summary(by_class[cls]),
                       "cpu_p50": round(percentile(cpu[engine][cls], 50), 2),
                       "cpu_p95": round(percentile(cpu[engine][cls], 95), 2)}
                 for cls in CLASSES}
        for engine, by_class in times.items()
    }
    agreement = {}
    for cls in CLASSES:
        pairs = totals[cls]
        both = [(a, b) for a, b in pairs if a and b]
        agreement[cls] = {
            "earsip_found": sum(1 for a, _ in pairs if a),
            "fts5_found": sum(1 for _, b in pairs if b),
            "both_found": len(both),
            "n": len(pairs),
            "median_total_ratio": round(sorted(a / b for a, b in both)[len(both) // 2], 3)
            if both else None,
        }
    out["totals"] = agreement
    out["warm"] = warm
    log(f"{n_docs}: " + ", ".join(
        f"{cls} {out['earsip'][cls]['p95']:.0f}/{out['fts5'][cls]['p95']:.0f}"
        for cls in CLASSES) + " ms p95 (earsip/fts5)")
    return out


def _segments(archive: Archive) -> int:
    """Return how many segments the archive's index has (each adds per-term work)."""
    with archive.index._lock:
        reader = archive.index._current_searcher().reader()
        return 1 if reader.is_atomic() else len(reader.leaf_readers())


def run(workdir: Path, *, quick: bool, per_class: int = 60) -> dict:
    """Measure search latency per query class at 10k and 100k documents (quick: 2k only)."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)

    def log(message: str) -> None:
        print(f"[bench.search] {message}", file=sys.stderr, flush=True)

    sizes = (2000,) if quick else (10_000, 100_000)
    result: dict = {"name": "search", "sizes": {}, "targets": []}
    for n in sizes:
        archive = ensure_archive(workdir / f"search-{_label(n)}", n, log)
        try:
            fts_path = workdir / f"fts5-{_label(n)}.sqlite3"
            ensure_fts(fts_path, archive, n, log)
            load_before = os.getloadavg()
            measured = measure(archive, fts_path, n, per_class, log)
            # The machine is shared: the load average says how much the figures were disturbed.
            measured["machine"] = {"cpus": os.cpu_count(),
                                   "loadavg_before": [round(x, 2) for x in load_before],
                                   "loadavg_after": [round(x, 2) for x in os.getloadavg()]}
            measured["index_segments"] = _segments(archive)
            result["sizes"][str(n)] = measured
        finally:
            archive.close()
    measured_at = str(sizes[-1])
    for cls, target in TARGETS:
        p95 = result["sizes"][measured_at]["earsip"][cls]["p95"]
        entry = {"name": f"Search {_label(int(measured_at))} p95: {TARGET_LABELS[cls]}",
                 "target": target,
                 "measured": p95, "unit": "ms", "met": p95 <= target, "kind": "absolute"}
        if quick:
            entry["gate"] = False
            entry["note"] = f"measured at {measured_at} documents (quick mode)"
        result["targets"].append(entry)
    return result


def main(argv: list[str] | None = None) -> None:
    """Command line: print the result of `run` as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 documents only")
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORKDIR)
    parser.add_argument("--per-class", type=int, default=60, help="queries measured per class")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.workdir, quick=args.quick, per_class=args.per_class), indent=2))


if __name__ == "__main__":
    main()
