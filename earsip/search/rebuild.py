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
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC, clean_files

from earsip.atomic import write_atomic
from earsip.errors import N_, SearchUnavailable
from earsip.search.bulkwrite import NAME, TEMP_PREFIX, LocalSink, RemoteSink
from earsip.search.schema import build_schema
from earsip.search.values import IndexDoc

logger = logging.getLogger(__name__)

LIVE = "MAIN"  # SearchIndex's index name
RECORD = "REBUILD.json"
JOURNAL = "REBUILD.journal"
RUN_LOCK = "REBUILD.lock"
_LIVE_LOCK = LIVE + "_WRITELOCK"

_BUSY = N_("Indeks pencarian sedang dibangun ulang oleh proses lain.")
_SWITCH_BUSY = N_("Indeks pencarian sedang diperbarui oleh proses lain; coba lagi sebentar lagi.")


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
    write_atomic(path, json.dumps(data).encode("utf-8"))


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
        self._sinks: list[LocalSink | RemoteSink] = []
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
            self._sinks = [RemoteSink(folder, self._limitmb) for _ in range(self._procs)]
        else:
            self._sinks = [LocalSink(folder, self._limitmb)]

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
