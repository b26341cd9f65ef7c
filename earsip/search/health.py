"""The search index's searcher upkeep and damage checks: refresh, segment files, probes."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
import traceback
import warnings
from typing import TYPE_CHECKING

from whoosh import index
from whoosh.searching import Searcher

from earsip.errors import N_, SearchUnavailable

if TYPE_CHECKING:
    from earsip.search.filters import DocnumCache

logger = logging.getLogger("earsip.search.index")

_INDEX_NAME = "MAIN"  # Whoosh's default: files are _MAIN_<gen>.toc, MAIN_<segment>.*
_LOCK_NAME = _INDEX_NAME + "_WRITELOCK"

_UNAVAILABLE = N_("Indeks pencarian tidak dapat dibaca; jalankan `earsip reindex`.")
_BUSY = N_("Indeks pencarian sedang diperbarui oleh proses lain; coba lagi sebentar lagi.")
_REBUILDING = N_("Indeks pencarian sedang dibangun ulang; coba lagi setelah `earsip reindex` "
                 "selesai.")


class SearcherUpkeep:
    """The searcher part of `SearchIndex` (a mixin: it uses the index's path, lock and caches)."""

    # Set by SearchIndex.__init__; declared here for the type checker.
    _path: str
    _lock: threading.RLock
    _ix: index.Index | None
    _searcher: Searcher | None
    _files: dict[str, tuple[int, int]]
    _docnums: DocnumCache

    if TYPE_CHECKING:  # SearchIndex's own

        def ensure(self) -> None: ...

    # -- internals -------------------------------------------------------------------------

    def _has_index_files(self) -> bool:
        return any(
            name.startswith((_INDEX_NAME + "_", "_" + _INDEX_NAME + "_")) and name != _LOCK_NAME
            for name in os.listdir(self._path)
        )

    def _index(self) -> index.Index:
        with self._lock:
            if self._ix is None:
                self.ensure()
            assert self._ix is not None
            return self._ix

    def _current_searcher(self) -> Searcher:
        """Return the cached searcher, refreshed if another writer committed (lock held).

        Raise SearchUnavailable when a file of its segments was deleted or changed under it:
        Whoosh never changes a committed segment, so that is damage, and reading on would give
        wrong results (or a SIGBUS from a truncated memory map).
        """
        if self._searcher is None:
            self.ensure()
        else:
            self._refresh()
            if not self._intact():
                self._refresh()  # a commit between the two checks may have merged files away
                if not self._intact():
                    logger.error("search index files at %s changed under the open index",
                                 self._path)
                    self._drop_searcher()
                    self._ix = None
                    raise SearchUnavailable(_UNAVAILABLE)
        assert self._searcher is not None
        return self._searcher

    def _intact(self) -> bool:
        for name, (inode, size) in self._files.items():
            try:
                st = os.stat(os.path.join(self._path, name))
            except OSError:
                return False
            if (st.st_ino, st.st_size) != (inode, size):
                return False
        return True

    def _refresh(self) -> None:
        if self._searcher is None:
            return
        try:
            if not self._searcher.up_to_date():
                # Not Searcher.refresh(): in whoosh-reloaded 2.7.5 it keeps readers of merged-away
                # segments and stale deletions (an updated document is then found twice).
                assert self._ix is not None
                fresh = self._open_searcher()
                self._searcher.close()
                self._searcher = fresh
                self._files = _segment_files(self._path, fresh)
                self._docnums.clear()
        except Exception as e:
            self._drop_searcher()
            raise _unavailable(e) from e

    def _open_searcher(self, attempts: int = 4) -> Searcher:
        """Open a searcher on the newest generation, retrying a commit race a few times.

        A writer (in this or another process) that commits while we read the table of contents
        may delete the segment files it named; reading the next generation then succeeds.
        """
        assert self._ix is not None
        for attempt in range(attempts):
            try:
                return self._ix.searcher()
            except Exception as e:
                if attempt == attempts - 1:
                    raise
                _unavailable(e)  # frees the files Whoosh left open in the failed attempt
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher.close()
            except Exception:
                logger.warning("closing the search index searcher failed", exc_info=True)
        self._searcher = None
        self._docnums.clear()


def _unavailable(error: BaseException) -> SearchUnavailable:
    """Return the error to raise for a damaged index, freeing what Whoosh left open."""
    # Whoosh does not close a segment file it failed to read; the file lives on in the
    # traceback's frames and would warn (ResourceWarning) whenever it is collected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        seen: set[int] = set()
        current: BaseException | None = error
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            traceback.clear_frames(current.__traceback__)
            current = current.__cause__ or current.__context__
        gc.collect()
    return SearchUnavailable(_UNAVAILABLE)


def _segment_files(folder: str, searcher: Searcher) -> dict[str, tuple[int, int]]:
    """Return (inode, size) of every file of the segments `searcher` reads."""
    prefixes = tuple(f"{reader.segment().segment_id()}."
                     for reader, _ in searcher.reader().leaf_readers()
                     if reader.segment() is not None)
    files = {}
    for name in os.listdir(folder) if prefixes else ():
        if name.startswith(prefixes):
            with contextlib.suppress(FileNotFoundError):
                st = os.stat(os.path.join(folder, name))
                files[name] = (st.st_ino, st.st_size)
    return files


def _probe(searcher: Searcher) -> None:
    """Read a little of every segment so a damaged index fails now rather than mid-search."""
    reader = searcher.reader()
    reader.doc_count_all()
    for fieldname in ("id", "content"):
        next(iter(reader.lexicon(fieldname)), None)
    first = next(iter(reader.all_doc_ids()), None)
    if first is not None:
        reader.stored_fields(first)
