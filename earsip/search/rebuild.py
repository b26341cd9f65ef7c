"""Rebuilding the index beside the live one, in worker processes, then switching over at once.

The replacement is a second Whoosh index in the same folder under the name ``REBUILD``. Worker
processes each write their own segments of it (one per worker and commit) with a writer tuned
for bulk adds; the parent commits the segments in a new ``REBUILD`` table of contents and, in
the same step, the record ``REBUILD.json`` of the last document id committed. Searches keep
reading the live ``MAIN`` index meanwhile. At the end the segment files are hard-linked under
the live index's name and one new ``MAIN`` table of contents naming them is written: Whoosh
renames a table of contents into place, so readers see the old index or the new one, never a
mix. An interrupted rebuild (even killed) leaves the record and the committed segments; the
next run continues after the recorded id.

Writes to the live index while a rebuild is under way append the document ids they touch to
``REBUILD.journal`` (see `journal`); the rebuild replays those documents onto the new index
once it is live, so nothing changed meanwhile is lost.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import fcntl
import itertools
import json
import logging
import marshal
import multiprocessing
import os
import shutil
import struct
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from whoosh import formats, index
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.fields import FieldType, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from earsip.errors import SearchUnavailable
from earsip.search.analysis import IndonesianAnalyzer
from earsip.search.schema import build_schema, doc_fields
from earsip.search.values import IndexDoc

logger = logging.getLogger(__name__)

NAME = "REBUILD"
LIVE = "MAIN"  # SearchIndex's index name
RECORD = "REBUILD.json"
JOURNAL = "REBUILD.journal"
RUN_LOCK = "REBUILD.lock"
TEMP_PREFIX = ".rebuild-"
_LIVE_LOCK = LIVE + "_WRITELOCK"

# Each pooled posting is a (field, term, docnum, weight, value) tuple of about this many bytes.
_POSTING_BYTES = 200
_RUN_CHUNK = 50_000  # postings marshalled together in a spilled run
_CHUNK_HEADER = struct.Struct("<Q")
_ENCODED_MAX = 200_000  # term texts kept encoded (each posting then shares its term's bytes)

_BUSY = "Indeks pencarian sedang dibangun ulang oleh proses lain."
_SWITCH_BUSY = "Indeks pencarian sedang diperbarui oleh proses lain; coba lagi sebentar lagi."


# -- the bulk segment writer --------------------------------------------------------------------


class _Pool(PostingPool):
    """Whoosh's posting pool with cheaper bookkeeping.

    Adding a posting is a bare list append (the writer checks the size once per document), and
    spilled runs are marshalled in large chunks instead of pickled one posting at a time.
    """

    def __init__(self, tempstore: FileStorage, segment: Any, limitmb: int) -> None:
        super().__init__(tempstore, segment, limitmb=limitmb)
        self.max_postings = max(10_000, limitmb * 1024 * 1024 // _POSTING_BYTES)
        self.add = self.current.append  # shadows PostingPool.add

    def save(self) -> None:
        super().save()
        self.add = self.current.append

    def _write_run(self, f: Any, items: Iterable[tuple]) -> None:
        it = iter(items)
        while chunk := list(itertools.islice(it, _RUN_CHUNK)):
            data = marshal.dumps(chunk)
            f.write(_CHUNK_HEADER.pack(len(data)))
            f.write(data)
        f.close()

    def _read_run(self, path: str) -> Iterable[tuple]:
        f = self._open_run(path)
        try:
            while header := f.read(_CHUNK_HEADER.size):
                (size,) = _CHUNK_HEADER.unpack(header)
                yield from marshal.loads(f.read(size))  # noqa: S302 - our own run file
        finally:
            f.close()
            self._remove_run(path)


class _Lengths:
    """The field lengths of a finished segment, decoded once per field instead of per posting.

    Answers like Whoosh's per-document reader (which looks the column file up on disk again for
    every posting of a field without lengths).
    """

    def __init__(self, pdr: Any, fieldnames: Iterable[str], doccount: int) -> None:
        self._by_field: dict[str, list[int | None]] = {}
        for name in fieldnames:
            lenfield = _lenfield(name)
            if pdr.has_column(lenfield):
                column = pdr.column_reader(lenfield, LENGTHS_COLUMN)
                self._by_field[name] = [
                    byte_to_length(b) if b else None for b in (column[i] for i in range(doccount))
                ]

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int | None:
        lengths = self._by_field.get(fieldname)
        return default if lengths is None else lengths[docnum]


def _fast_schema(schema: Schema) -> Schema:
    """Return a copy of `schema` whose text fields index without Token objects.

    Only the writer's copy changes; the schema saved with the index is the original.
    """
    fast = copy.copy(schema)
    fast._fields = dict(schema._fields)
    for name, field in schema.items():
        if (
            isinstance(getattr(field, "analyzer", None), IndonesianAnalyzer)
            and not field.vector
            and type(field.format) in (formats.Positions, formats.Existence)
        ):
            fast_field = copy.copy(field)
            fast_field.index = _fast_index(field)
            fast._fields[name] = fast_field
    return fast


def _fast_index(field: FieldType) -> Callable[..., list[tuple[bytes, int, float, bytes]]]:
    """Return `field.index` computed from `IndonesianAnalyzer.term_positions`.

    Yields what Whoosh's Positions/Existence formats yield for the same analyzer: each term
    (UTF-8) with its frequency, weight (frequency x field boost, or the boost) and value.
    """
    analyzer: IndonesianAnalyzer = field.analyzer
    fmt = field.format
    boost = fmt.field_boost
    encode = fmt.encode
    original = field.index
    encoded: dict[str, bytes] = {}

    def utf8(term: str) -> bytes:
        b = encoded.get(term)
        if b is None:
            if len(encoded) > _ENCODED_MAX:
                encoded.clear()
            b = encoded[term] = term.encode("utf-8")
        return b

    if type(fmt) is formats.Positions:
        def index(value: object, **kwargs: object) -> list[tuple[bytes, int, float, bytes]]:
            if not isinstance(value, str):
                return list(original(value, **kwargs))
            return [
                (utf8(term), len(places), float(len(places)) * boost, encode(places))
                for term, places in analyzer.term_positions(value).items()
            ]
    else:
        def index(value: object, **kwargs: object) -> list[tuple[bytes, int, float, bytes]]:
            if not isinstance(value, str):
                return list(original(value, **kwargs))
            return [(utf8(term), 1, boost, b"") for term in analyzer.term_positions(value)]

    return index


class _SegmentBuilder(SegmentWriter):
    """A writer of one new segment of the rebuild index, without locking or merging."""

    def __init__(self, ix: index.FileIndex, tempdir: str, limitmb: int) -> None:
        # Not compound: a compound file names its parts after the index, and the switch-over
        # renames the segments (by hard links, file by file).
        super().__init__(ix, _lk=False, limitmb=limitmb, compound=False)
        # Whoosh names the temporary folder after the index, so parallel builders would share
        # (and delete) it: each gets its own.
        shared = self._tempstorage
        self._tempstorage = FileStorage(tempdir).create()
        with contextlib.suppress(OSError):
            os.rmdir(shared.folder)
        self.pool = _Pool(self._tempstorage, self.newsegment, limitmb)
        self.schema = _fast_schema(self.schema)

    def add(self, doc: IndexDoc) -> None:
        self.add_document(**doc_fields(doc))
        if len(self.pool.current) >= self.pool.max_postings:
            self.pool.save()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        pdr = self.per_document_reader()
        try:
            lengths = _Lengths(pdr, self.schema.names(), self.docnum)
            self.fieldwriter.add_postings(self.schema, lengths, self.pool.iter_postings())
            self.fieldwriter.close()
        finally:
            pdr.close()

    def finish(self) -> Any:
        """Write the segment's files and return the segment (not yet in any table of contents)."""
        segment = self._finalize_segment()
        self._tempstorage.destroy()
        self.is_closed = True
        return segment

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self._close_segment()
        with contextlib.suppress(Exception):
            self._tempstorage.destroy()
        self.is_closed = True


class _LocalSink:
    """Builds segments in this process."""

    def __init__(self, folder: str, limitmb: int) -> None:
        self._folder = folder
        self._limitmb = limitmb
        self._ix = index.open_dir(folder, indexname=NAME)
        self._builder: _SegmentBuilder | None = None

    def add(self, docs: list[IndexDoc]) -> None:
        if self._builder is None:
            tempdir = os.path.join(self._folder, f"{TEMP_PREFIX}{os.getpid()}-{time.time_ns()}")
            self._builder = _SegmentBuilder(self._ix, tempdir, self._limitmb)
        for doc in docs:
            self._builder.add(doc)

    def finish(self) -> Any | None:
        builder, self._builder = self._builder, None
        return builder.finish() if builder is not None else None

    def close(self) -> None:
        if self._builder is not None:
            self._builder.discard()
            self._builder = None


def _worker(conn: Connection, folder: str, limitmb: int) -> None:
    """Run in a worker process: build segments from batches until told to stop."""
    sink = _LocalSink(folder, limitmb)
    try:
        while True:
            try:
                message = conn.recv()
            except EOFError:  # the parent is gone
                return
            if message is None:
                return
            kind, payload = message
            if kind == "add":
                sink.add(payload)
            else:
                conn.send(("segment", sink.finish()))
    except BaseException:
        with contextlib.suppress(OSError):
            conn.send(("error", traceback.format_exc()))
    finally:
        sink.close()
        conn.close()


class _RemoteSink:
    """Builds segments in a worker process (spawned, so it shares nothing with this one)."""

    def __init__(self, folder: str, limitmb: int) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child = ctx.Pipe()
        self._process = ctx.Process(
            target=_worker, args=(child, folder, limitmb), name="earsip-reindex", daemon=True
        )
        self._process.start()
        child.close()

    def _check(self) -> None:
        if self._conn.poll():
            self._reply()

    def _reply(self) -> Any:
        try:
            kind, payload = self._conn.recv()
        except (EOFError, OSError) as e:
            raise RuntimeError("index rebuild worker died") from e
        if kind == "error":
            raise RuntimeError(f"index rebuild worker failed:\n{payload}")
        return payload

    def add(self, docs: list[IndexDoc]) -> None:
        self._check()
        try:
            self._conn.send(("add", docs))
        except OSError as e:
            raise RuntimeError("index rebuild worker died") from e

    def finish(self) -> Any | None:
        self._check()
        try:
            self._conn.send(("finish", None))
        except OSError as e:
            raise RuntimeError("index rebuild worker died") from e
        return self._reply()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.send(None)
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._conn.close()


# -- the rebuild record and journal -------------------------------------------------------------


@dataclass
class Progress:
    """What the record of a rebuild says."""

    started_at: str  # UTC, ISO format: queue entries after this are replayed
    queued_before: int  # the last queue entry id when the rebuild started
    last_id: int  # every document with a smaller or equal id is in the committed segments
    count: int  # documents in the committed segments
    generation: int  # the REBUILD table of contents holding them (-1: none yet)
    phase: str = "building"  # then "switched": the new index is live, replay remains
    attempt: dict[str, int] | None = None  # a commit under way: generation, last_id, count


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_progress(folder: str | os.PathLike[str]) -> Progress | None:
    """Return the record of an unfinished rebuild in `folder`, None when there is none."""
    path = Path(folder) / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return Progress(**data)


def journal(folder: str | os.PathLike[str], ids: Iterable[int]) -> None:
    """Note documents written to the live index while a rebuild is under way (else nothing).

    Called with the live index's write lock held, so the switch-over (which takes that lock
    and reads the journal) sees every write that reached the old index.
    """
    folder = Path(folder)
    if not (folder / RECORD).exists():
        return
    lines = "".join(f"{int(i)}\n" for i in ids)
    if not lines:
        return
    with open(folder / JOURNAL, "a", encoding="ascii") as f:
        f.write(lines)
        f.flush()
        os.fsync(f.fileno())


def _read_journal(folder: Path) -> set[int]:
    try:
        text = (folder / JOURNAL).read_text(encoding="ascii")
    except FileNotFoundError:
        return set()
    # A line cut short by a crash is dropped; the write it noted was not acknowledged.
    return {int(line) for line in text.splitlines() if line.strip().isdigit()}


# -- the rebuild --------------------------------------------------------------------------------


class Rebuild:
    """One run of a rebuild: fresh or resumed. Use as a context manager (it holds a lock)."""

    def __init__(self, folder: str | os.PathLike[str], *, procs: int = 2, limitmb: int = 160,
                 lock_timeout: float = 60.0) -> None:
        self.folder = Path(folder)
        self._procs = procs
        self._limitmb = limitmb
        self._lock_timeout = lock_timeout
        self._lock_fd: int | None = None
        self._sinks: list[_LocalSink | _RemoteSink] = []
        self._next_sink = 0
        self._uncommitted = 0
        self.progress: Progress | None = None
        self.resumed = False

    # lifecycle

    def __enter__(self) -> Rebuild:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock_fd = _try_lock(self.folder / RUN_LOCK)
        if self._lock_fd is None:
            raise SearchUnavailable(_BUSY)
        try:
            for entry in self.folder.iterdir():  # temporary folders of a killed run
                if entry.name.startswith(TEMP_PREFIX) or entry.name == f"{NAME}.tmp":
                    shutil.rmtree(entry, ignore_errors=True)
            self.progress = self._recover()
            self.resumed = self.progress is not None
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop_sinks()
        self._unlock()

    def start(self, *, queued_before: int, started_at: dt.datetime, parallel: bool) -> None:
        """Begin a fresh rebuild (an empty REBUILD index and its record)."""
        storage = FileStorage(str(self.folder))
        self._delete_named(NAME)
        (self.folder / JOURNAL).unlink(missing_ok=True)
        TOC.create(storage, build_schema(), NAME)
        self.progress = Progress(started_at=started_at.isoformat(), queued_before=queued_before,
                                 last_id=0, count=0, generation=0)
        self._save()
        self._start_sinks(parallel)

    def resume(self, *, parallel: bool) -> None:
        """Go on with the recovered rebuild."""
        self._start_sinks(parallel)

    # building

    def add(self, docs: list[IndexDoc]) -> None:
        """Hand a batch of documents to the next builder (round robin)."""
        if not docs:
            return
        sink = self._sinks[self._next_sink]
        self._next_sink = (self._next_sink + 1) % len(self._sinks)
        sink.add(docs)
        self._uncommitted += len(docs)

    def commit(self, last_id: int) -> int:
        """Commit the documents added so far; return how many that was."""
        assert self.progress is not None
        segments = [s for s in (sink.finish() for sink in self._sinks) if s is not None]
        added, self._uncommitted = self._uncommitted, 0
        if not segments and last_id == self.progress.last_id:
            return 0
        storage = FileStorage(str(self.folder))
        toc = TOC.read(storage, NAME)
        generation = toc.generation + 1
        count = self.progress.count + added
        # The record names the commit before it happens: after a crash, the generation on disk
        # tells whether it happened.
        self.progress.attempt = {"generation": generation, "last_id": last_id, "count": count}
        self._save()
        TOC(toc.schema, toc.segments + segments, generation).write(storage, NAME)
        self.progress.attempt = None
        self.progress.generation, self.progress.last_id = generation, last_id
        self.progress.count = count
        self._save()
        clean_files(storage, NAME, generation, toc.segments + segments)
        return added

    # switching over

    def switch(self, *, writer_timeout: float) -> set[int]:
        """Make the rebuilt index the live one; return the ids written to the old one meanwhile.

        The segment files get hard links under the live name, then one new live table of
        contents names them (an atomic rename). The live index's write lock is held throughout,
        so no write to the old index can slip past the journal read here.
        """
        assert self.progress is not None
        self._stop_sinks()
        storage = FileStorage(str(self.folder))
        toc = TOC.read(storage, NAME)
        lock = storage.lock(_LIVE_LOCK)
        deadline = time.monotonic() + writer_timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                raise SearchUnavailable(_SWITCH_BUSY)
            time.sleep(0.05)
        try:
            live_segments = []
            for segment in toc.segments:
                for name in list(storage):
                    if name.startswith(f"{NAME}_{segment.segid}."):
                        source = self.folder / name
                        target = self.folder / (LIVE + name[len(NAME):])
                        if target.exists() and os.path.samefile(source, target):
                            continue  # linked by an earlier, interrupted switch
                        target.unlink(missing_ok=True)
                        os.link(source, target)
                segment.indexname = LIVE
                live_segments.append(segment)
            generation = TOC._latest_generation(storage, LIVE) + 1
            TOC(toc.schema, live_segments, generation).write(storage, LIVE)
            clean_files(storage, LIVE, generation, live_segments)
            touched = _read_journal(self.folder)
            self.progress.phase = "switched"
            self._save()
        finally:
            lock.release()
        self._delete_named(NAME)
        return touched

    def touched(self) -> set[int]:
        """Return the ids in the journal (for a resumed run that had already switched)."""
        return _read_journal(self.folder)

    def finish(self) -> None:
        """Forget the rebuild: remove its files, record and journal."""
        self._delete_named(NAME)
        (self.folder / RECORD).unlink(missing_ok=True)
        (self.folder / JOURNAL).unlink(missing_ok=True)
        self.progress = None

    # internals

    def _recover(self) -> Progress | None:
        progress = read_progress(self.folder)
        if progress is None:
            return None
        if progress.phase == "switched":
            return progress
        storage = FileStorage(str(self.folder))
        on_disk = TOC._latest_generation(storage, NAME)
        attempt = progress.attempt
        if attempt is not None and on_disk == attempt["generation"]:
            progress.generation = attempt["generation"]
            progress.last_id, progress.count = attempt["last_id"], attempt["count"]
        elif on_disk != progress.generation:
            logger.warning("index rebuild record does not match its files: starting over")
            return None
        progress.attempt = None
        self.progress = progress
        self._save()
        # Segments written after the last commit (by killed builders) are not in it.
        toc = TOC.read(storage, NAME)
        clean_files(storage, NAME, toc.generation, toc.segments)
        return progress

    def _start_sinks(self, parallel: bool) -> None:
        folder = str(self.folder)
        if parallel and self._procs > 1:
            self._sinks = [_RemoteSink(folder, self._limitmb) for _ in range(self._procs)]
        else:
            self._sinks = [_LocalSink(folder, self._limitmb)]

    def _stop_sinks(self) -> None:
        sinks, self._sinks = self._sinks, []
        for sink in sinks:
            try:
                sink.close()
            except Exception:
                logger.warning("stopping an index rebuild worker failed", exc_info=True)

    def _save(self) -> None:
        assert self.progress is not None
        _write_json(self.folder / RECORD, self.progress.__dict__)

    def _delete_named(self, name: str) -> None:
        for entry in self.folder.iterdir():
            if entry.name.startswith((f"{name}_", f"_{name}_", f"{name}.tmp")):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                elif entry.name != RUN_LOCK:
                    entry.unlink(missing_ok=True)

    def _unlock(self) -> None:
        fd, self._lock_fd = self._lock_fd, None
        if fd is not None:
            with contextlib.suppress(OSError):
                os.unlink(self.folder / RUN_LOCK)
            os.close(fd)


def _try_lock(path: Path) -> int | None:
    """Take an exclusive lock on `path` (released by the kernel if this process dies)."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)  # the holder removed the file as we opened it: try the new one
