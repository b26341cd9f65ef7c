"""Decoded postings of frequent terms, kept per index segment across searchers.

Whoosh stores postings in zlib-compressed pickled blocks of 128; decoding a term found in most
of 100,000 documents costs ~50 ms of Python, on every query that names it. Segments never
change once written (only their deletion lists do), so the postings of a segment's frequent
terms are decoded once, kept as numpy arrays (local docnums and a one-byte weight code each),
and reused by every later searcher for as long as the segment exists. For fields that keep word
positions, the positions come along (a count per posting and the positions in one flat array),
so a phrase of frequent words is checked with array operations instead of unpickling the
positions of tens of thousands of documents.

A background thread reads them ahead ("warms" the cache) when a segment of at least
`WARM_MIN_DOCS` documents first appears, most frequent terms first, until the memory budget
(``EARSIP_SEARCH_CACHE_MB``) is spent. It reads through a reader of its own, so searches do not
wait for it; a term a search needs before it is warmed is decoded by the search and kept.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
from whoosh.searching import Searcher

from earsip.search.postings import Postings, open_postings, positions_arrays, read_leaf

logger = logging.getLogger(__name__)

#: Fields whose terms are cached: the text fields words are searched in, and the unstemmed
#: words prefixes expand against.
CACHED_FIELDS = ("content", "title", "meta", "filename", "raw")
#: Segments smaller than this are not cached: their postings decode in well under a millisecond.
WARM_MIN_DOCS = 1000
#: A term is worth keeping when it is in at least this share of its segment's documents.
MIN_SHARE = 1 / 32
#: Bytes a cached posting costs at most: a 4-byte docnum and a 1-byte weight code.
_POSTING_BYTES = 5


class TermArrays:
    """One term's postings in one segment: local docnums, their weights, maybe positions.

    A weight is kept as a one-byte code into a table of the term's distinct weights, or not
    at all when every posting weighs the same (presence-only fields). Positions, when read,
    are `counts` (how many in each posting) and `positions` (all of them, posting by posting,
    in the smallest unsigned type that holds them).
    """

    __slots__ = ("codes", "counts", "ids", "positions", "table")

    def __init__(self, ids: np.ndarray, weights: np.ndarray, counts: np.ndarray | None = None,
                 positions: np.ndarray | None = None) -> None:
        self.ids = ids.astype(np.int32)
        self.counts: np.ndarray | None = None
        self.positions: np.ndarray | None = None
        if counts is not None and positions is not None and len(counts) == len(self.ids):
            self.counts = counts.astype(_smallest(counts))
            self.positions = positions.astype(_smallest(positions))
        table, codes = np.unique(weights, return_inverse=True)
        self.codes: np.ndarray | None
        if len(table) <= 1:
            self.table = table.astype(np.float64)
            self.codes = None
        elif len(table) <= 256:
            self.table = table.astype(np.float64)
            self.codes = codes.astype(np.uint8)
        else:  # more distinct weights than a byte can code: keep them as they are
            self.table = weights.astype(np.float64)
            self.codes = None

    @classmethod
    def of(cls, postings: Postings, fmt=None) -> TermArrays:  # noqa: ANN001 - a Whoosh Format
        """Return the arrays of postings read with `postings.read_leaf` at offset 0; their
        positions too when they were read with values and `fmt` is the field's format."""
        counts = positions = None
        values = postings.values
        if fmt is not None and values is not None and None not in values:
            counts, positions = positions_arrays(values, fmt)  # type: ignore[arg-type]  # no None
        return cls(np.array(postings.ids, dtype=np.int32),
                   np.array(postings.weights, dtype=np.float64), counts, positions)

    def position_keys(self, wanted: np.ndarray, offset: int) -> np.ndarray:
        """Return `(docnum << 32) + position` for every position of the term in the
        segment's documents marked in `wanted` (a boolean array over its local docnums),
        docnums made global with `offset`; sorted. Needs the positions."""
        assert self.counts is not None and self.positions is not None
        chosen = wanted[self.ids]
        if not chosen.any():
            return _NO_KEYS
        counts = self.counts
        docs = np.repeat(self.ids[chosen].astype(np.int64) + offset, counts[chosen])
        return (docs << 32) + self.positions[np.repeat(chosen, counts)]

    def weights(self) -> np.ndarray:
        """Return the weight of each posting (float64)."""
        if self.codes is not None:
            return self.table[self.codes]
        if len(self.table) == len(self.ids):
            return self.table
        return np.full(len(self.ids), self.table[0] if len(self.table) else 0.0)

    @property
    def nbytes(self) -> int:
        return int(sum(a.nbytes for a in (self.ids, self.table, self.codes, self.counts,
                                          self.positions) if a is not None))


_NO_KEYS = np.zeros(0, dtype=np.int64)


def _smallest(values: np.ndarray) -> type:
    """Return the smallest unsigned integer type holding every one of `values` (>= 0)."""
    top = int(values.max()) if len(values) else 0
    for kind in (np.uint8, np.uint16, np.uint32):
        if top <= np.iinfo(kind).max:
            return kind
    return np.int64


class PostingsCache:
    """Frequent terms' postings per segment, shared by the searchers of one `SearchIndex`."""

    def __init__(self, budget_mb: int = 256, *, min_docs: int = WARM_MIN_DOCS,
                 min_share: float = MIN_SHARE) -> None:
        self.budget = max(0, budget_mb) * 1024 * 1024
        self.min_docs = min_docs
        self.min_share = min_share
        self._used = 0
        self._segments: dict[str, dict[tuple[str, bytes], TermArrays]] = {}
        self._warmed: set[str] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again = False
        self._idle = threading.Event()
        self._idle.set()
        self._synced: Searcher | None = None
        self._stopping = False

    # -- use ---------------------------------------------------------------------------------

    def postings(self, leaf, fieldname: str, btext: bytes, terminfo,  # noqa: ANN001
                 ) -> TermArrays:
        """Return the term's postings in the segment `leaf` (deleted documents included)."""
        segid = getattr(leaf, "_segid", "")  # "": not a segment reader
        segment = self._segments.get(segid) if self.budget and segid else None
        if segment is not None:
            found = segment.get((fieldname, btext))
            if found is not None:
                return found
        arrays = _read(leaf, fieldname, btext, terminfo, positions=False)
        if segment is not None and self._worth(leaf.doc_count_all(), terminfo.doc_frequency()):
            self._keep(segid, segment, (fieldname, btext), arrays)
        return arrays

    def peek(self, leaf, fieldname: str, btext: bytes) -> TermArrays | None:  # noqa: ANN001
        """Return the term's postings in the segment `leaf` if they are held, reading nothing."""
        segid = getattr(leaf, "_segid", "")  # "": not a segment reader
        segment = self._segments.get(segid) if self.budget and segid else None
        return segment.get((fieldname, btext)) if segment is not None else None

    def positions(self, leaf, fieldname: str, btext: bytes, terminfo,  # noqa: ANN001
                  ) -> TermArrays | None:
        """Return the term's postings with positions in the segment `leaf` when the cache
        keeps them (reading and keeping them now if it should), else None: the caller then
        reads just the documents it needs."""
        segid = getattr(leaf, "_segid", "")  # "": not a segment reader
        segment = self._segments.get(segid) if self.budget and segid else None
        if segment is None or not self._worth(leaf.doc_count_all(), terminfo.doc_frequency()):
            return None
        found = segment.get((fieldname, btext))
        if found is not None and found.positions is not None:
            return found
        # With the budget spent, reading the whole term would be wasted on every such search.
        estimate = terminfo.doc_frequency() * _POSTING_BYTES + int(terminfo.weight()) * 2
        if self._used - (found.nbytes if found is not None else 0) + estimate > self.budget:
            return None
        arrays = _read(leaf, fieldname, btext, terminfo, positions=True)
        if arrays.positions is None or not self._keep(segid, segment, (fieldname, btext), arrays):
            return None
        return arrays

    def _worth(self, docs: int, df: int) -> bool:
        return docs >= self.min_docs and df >= docs * self.min_share

    def _keep(self, segid: str, segment: dict, key: tuple[str, bytes],
              arrays: TermArrays) -> bool:
        """Keep `arrays` for the term unless the budget is spent; one read with positions
        replaces one without."""
        with self._lock:
            if self._segments.get(segid) is not segment:
                return False  # the segment was merged away meanwhile: keep nothing for it
            held = segment.get(key)
            if held is not None and (held.positions is not None or arrays.positions is None):
                return True
            freed = held.nbytes if held is not None else 0
            if self._used - freed + arrays.nbytes > self.budget:
                return False
            segment[key] = arrays
            self._used += arrays.nbytes - freed
            return True

    @property
    def used_bytes(self) -> int:
        """Return the memory the cached postings take."""
        return self._used

    # -- the segments' life ----------------------------------------------------------------

    def sync(self, searcher: Searcher, open_reader: Callable[[], object]) -> None:
        """Forget segments `searcher` no longer has; warm its new large ones in the background.

        `open_reader` returns a fresh reader of the index (the warming thread's own files).
        """
        if not self.budget or searcher is self._synced:
            return
        self._synced = searcher
        reader = searcher.reader()
        leaves = [leaf for leaf, _ in reader.leaf_readers()]
        current = {leaf._segid for leaf in leaves if hasattr(leaf, "_segid")}
        with self._lock:
            for segid in list(self._segments):
                if segid not in current:
                    freed = self._segments.pop(segid)
                    self._used -= sum(a.nbytes for a in freed.values())
                    self._warmed.discard(segid)
            for leaf in leaves:
                if getattr(leaf, "_segid", "") and leaf.doc_count_all() >= self.min_docs:
                    self._segments.setdefault(leaf._segid, {})
            pending = [s for s in self._segments if s not in self._warmed]
            if not pending:
                return
            if self._thread is not None and self._thread.is_alive():
                self._again = True
                return
            self._idle.clear()
            self._thread = threading.Thread(target=self._warm_loop, args=(open_reader,),
                                            name="search-cache-warm", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop warming (between two terms) and wait for the thread; forget everything."""
        self._stopping = True
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        with self._lock:
            self._segments.clear()
            self._warmed.clear()
            self._used = 0
            self._synced = None
        self._stopping = False

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait until no segment is being warmed; return False on timeout."""
        return self._idle.wait(timeout)

    def _warm_loop(self, open_reader: Callable[[], object]) -> None:
        try:
            while True:
                self._again = False
                try:
                    self._warm_once(open_reader)
                except Exception:  # noqa: BLE001 - a merge may delete files under us
                    logger.debug("warming the postings cache stopped", exc_info=True)
                with self._lock:
                    if not self._again or self._stopping:
                        break
        finally:
            self._idle.set()

    def _warm_once(self, open_reader: Callable[[], Any]) -> None:  # a Whoosh reader (untyped)
        reader = open_reader()
        try:
            leaves = [leaf for leaf, _ in reader.leaf_readers()]
            for leaf in leaves:
                if self._stopping:
                    return
                segid = getattr(leaf, "_segid", "")  # "": not a segment reader
                with self._lock:
                    segment = self._segments.get(segid) if segid else None
                    if segment is None or segid in self._warmed:
                        continue
                self._warm_segment(leaf, segid, segment)
                with self._lock:
                    if segid in self._segments:
                        self._warmed.add(segid)
        finally:
            reader.close()

    def _warm_segment(self, leaf, segid: str, segment: dict) -> None:  # noqa: ANN001
        """Decode the segment's frequent terms, most frequent first, within the budget."""
        docs = leaf.doc_count_all()
        floor = docs * self.min_share
        candidates = []
        for fieldname in CACHED_FIELDS:
            if fieldname not in leaf.schema:
                continue
            for btext, terminfo in leaf.iter_field(fieldname):
                df = terminfo.doc_frequency()
                if df >= floor:
                    candidates.append((df, fieldname, btext, terminfo))
        candidates.sort(key=lambda c: -c[0])
        for df, fieldname, btext, terminfo in candidates:
            if self._stopping:
                return
            if self._used + df * _POSTING_BYTES > self.budget:
                break
            held = segment.get((fieldname, btext))
            positions = _has_positions(leaf, fieldname)
            if held is not None and (held.positions is not None or not positions):
                continue
            arrays = _read(leaf, fieldname, btext, terminfo, positions=positions)
            if not self._keep(segid, segment, (fieldname, btext), arrays):
                break


def _has_positions(leaf, fieldname: str) -> bool:  # noqa: ANN001
    fmt = leaf.schema[fieldname].format
    return fmt is not None and fmt.supports("positions")


def _read(leaf, fieldname: str, btext: bytes, terminfo, *, positions: bool,  # noqa: ANN001
          ) -> TermArrays:
    """Decode a term's postings in one segment, with positions if asked and the field has
    them."""
    positions = positions and _has_positions(leaf, fieldname)
    out = Postings(with_values=positions)
    read_leaf(open_postings(leaf, fieldname, btext, terminfo), 0, out, None)
    return TermArrays.of(out, leaf.schema[fieldname].format if positions else None)
