"""Filing every file under folders (the CLI import door), several extractions at a time."""

from __future__ import annotations

import csv
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from earsip import audit, extract
from earsip.errors import Duplicate, EarsipError, ValidationError
from earsip.services import Archive
from earsip.services.records.documents import parse_input, title_from_filename
from earsip.services.records.ingest import file_document
from earsip.services.search import indexing

log = logging.getLogger(__name__)
CSV_ALIASES = {"file": "file", "filename": "file", "path": "file", "title": "title",
               "perihal": "title", "number": "number", "nomor": "number",
               "date": "document_date", "document_date": "document_date",
               "tanggal": "document_date", "code": "classification",
               "classification": "classification", "kode": "classification",
               "security": "security", "keamanan": "security", "sender": "sender",
               "recipient": "recipient", "description": "description", "tags": "tags",
               "trigger_date": "trigger_date"}
INDEX_INTERVAL_S = 1.0  # how often the import's indexer looks at the queue
INDEX_BATCH = 200  # it indexes once this many documents wait ...
INDEX_MAX_WAIT_S = 60.0  # ... or once the oldest has waited this long


@dataclass(frozen=True)
class Outcome:
    """What happened to one file."""

    path: str
    status: str  # "filed" | "duplicate" | "rejected"
    document_id: int | None = None
    message: str | None = None


def collect_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Return every regular file under `paths` (recursively), skipping hidden names, sorted."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_file():
            found.append(p)
        elif p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(root) / f for f in sorted(files) if not f.startswith("."))
        else:
            raise ValidationError("Jalur tidak ditemukan: %(path)s", field="path",
                                  params={"path": p})
    return found


def load_metadata(csv_path: str | os.PathLike[str]) -> dict[str, dict[str, str]]:
    """Read a metadata CSV: one row per file (column `file`), keyed by file name or path."""
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ValidationError("CSV metadata tidak dapat dibaca: %(reason)s", field="metadata",
                              params={"reason": e}) from e
    table: dict[str, dict[str, str]] = {}
    for n, row in enumerate(rows, start=2):
        clean = {CSV_ALIASES[k.strip().lower()]: (v or "").strip()
                 for k, v in row.items() if k and k.strip().lower() in CSV_ALIASES}
        key = clean.pop("file", "")
        if not key:
            raise ValidationError("CSV metadata baris %(line)d: kolom file kosong.",
                                  field="metadata", params={"line": n})
        table[key] = clean
    return table


def _fields_for(path: Path, roots: list[Path], defaults: dict[str, str],
                metadata: dict[str, dict[str, str]]) -> dict[str, str]:
    row: dict[str, str] = {}
    for root in roots:
        try:
            rel = str(path.relative_to(root))
        except ValueError:
            continue
        row = metadata.get(rel) or row
    row = row or metadata.get(path.name) or metadata.get(str(path)) or {}
    fields = dict(defaults)
    fields.update({k: v for k, v in row.items() if v})
    fields.setdefault("title", title_from_filename(path.name))
    if not fields.get("document_date"):
        # No date given: the file's modification date is the best evidence at hand.
        fields["document_date"] = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    return fields


def import_paths(archive: Archive, actor: audit.Actor, paths: list[str | os.PathLike[str]], *,
                 defaults: dict[str, str], metadata: dict[str, dict[str, str]] | None = None,
                 jobs: int = 1, on_outcome: Callable[[Outcome], None] | None = None,
                 skip: Iterable[str | os.PathLike[str]] = ()) -> list[Outcome]:
    """File every file under `paths`; return one Outcome per file, in the order of the files."""
    files = collect_files(paths)
    roots = [Path(p) for p in paths if Path(p).is_dir()]
    metadata = metadata or {}
    skipped = {Path(p).resolve() for p in skip}  # e.g. the metadata CSV itself

    def one(path: Path) -> Outcome:
        try:
            data = parse_input(_fields_for(path, roots, defaults, metadata))
            filed = file_document(archive, actor, path, path.name, data, clearance=None,
                                  index_now=False)
            return Outcome(str(path), "filed", filed.document_id, filed.text_status)
        except Duplicate as e:
            return Outcome(str(path), "duplicate", e.existing_id, e.message)
        except EarsipError as e:
            return Outcome(str(path), "rejected", None, e.message)
        except Exception:  # one bad file (vanished, unreadable) must not stop the import
            log.exception("unexpected error filing %s", path)
            return Outcome(str(path), "rejected", None,
                           "Kesalahan tak terduga saat mengarsipkan berkas ini; berkas tidak "
                           "diarsipkan. Beri tahu administrator (rinciannya ada di log server).")

    outcomes: list[Outcome] = []
    previous_cap = extract.max_concurrent()
    if jobs > previous_cap:
        extract.set_max_concurrent(jobs)  # --jobs N means N extraction processes at once
    indexer = _BackgroundIndexer(archive)
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for outcome in pool.map(one, [f for f in files if f.resolve() not in skipped]):
                outcomes.append(outcome)
                if on_outcome:
                    on_outcome(outcome)
    finally:
        indexer.stop()
        if jobs > previous_cap:
            extract.set_max_concurrent(previous_cap)
    indexing.process_queue(archive)
    return outcomes


class _BackgroundIndexer:
    """Index what the import has filed so far in large batches while extraction goes on.

    Filing queues each document for the index in its own transaction; this thread applies the
    queue once INDEX_BATCH documents wait or INDEX_MAX_WAIT_S has passed, so a long import
    becomes searchable as it goes. Batches are large on purpose: each Whoosh commit writes a
    segment (and merges), and indexing holds the GIL the filing threads need, so indexing
    every second made `earsip import` a third slower (measured, bench/filing.py). A failed
    round leaves the entries queued for the next one.
    """

    def __init__(self, archive: Archive, interval_s: float | None = None) -> None:
        self._archive = archive
        self._interval_s = INDEX_INTERVAL_S if interval_s is None else interval_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="import-indexer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        last = time.monotonic()
        while not self._stopping.wait(self._interval_s):
            try:
                with self._archive.db.read() as session:
                    waiting = indexing.pending_count(session)
                if waiting >= INDEX_BATCH or (
                        waiting and time.monotonic() - last >= INDEX_MAX_WAIT_S):
                    indexing.process_queue(self._archive)
                    last = time.monotonic()
            except Exception:  # the entries stay queued; the final pass or catch-up retries
                log.exception("indexing during the import failed")

    def stop(self) -> None:
        """Stop after the current round (the caller applies what is left)."""
        self._stopping.set()
        self._thread.join()
