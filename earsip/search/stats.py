"""BM25's collection statistics over the documents the searcher may see.

Whoosh takes a term's document frequency, the document count and the average field length
over the whole index. Those figures set the order of the hits, so a document above the user's
clearance that holds a query word would change the order of what the user sees, and a user
could test guessed words against hidden documents. Here they are taken over the documents the
user may see (security class up to the clearance, not deleted, not excluded), whatever filters
the user chose: the order of visible hits depends on visible documents only.

`VisibleStats` gives both evaluations the same figures: the array evaluation
(`boolean_arrays`) reads them directly, Whoosh's collectors through `VisibleBM25F`, a weighting
model whose scorers take them instead of the searcher's.

Lengths are the one-byte codes Whoosh keeps per document (what BM25 reads for a document's
own length), summed over the visible documents, so the average is the same whichever
documents are hidden. When every document is visible (nothing deleted, hidden or excluded) a
term's document frequency is read from the term dictionary instead of counting its postings:
the same number, without reading them.
"""

from __future__ import annotations

from collections import OrderedDict
from math import log
from typing import cast

import numpy as np
from whoosh import scoring
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from earsip.search.cache import PostingsCache
from earsip.search.filters import DocnumCache
from earsip.search.values import SearchQuery

#: Filter arrays kept per searcher (each one byte per document).
MASK_CACHE_SIZE = 64
_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.int64)


def mask_of(docnums: DocnumCache, n: int, docs: frozenset[int]) -> np.ndarray:
    """Return a boolean array over `n` docnums marking `docs` (cached per filter set).

    Filter sets are cached per searcher, so the same object comes back for the same filters:
    its array is kept beside it (holding the set keeps its id from being reused), for as many
    filter sets as MASK_CACHE_SIZE.
    """
    masks = cast("OrderedDict[int, tuple[frozenset[int], np.ndarray]] | None",
                 docnums.arrays.get("masks"))
    if masks is None:
        masks = docnums.arrays["masks"] = OrderedDict()
    found = masks.get(id(docs))
    if found is not None and found[0] is docs:
        masks.move_to_end(id(docs))
        return found[1]
    mask = np.zeros(n, dtype=bool)
    if docs:
        mask[np.fromiter(docs, dtype=np.int64, count=len(docs))] = True
    masks[id(docs)] = (docs, mask)
    if len(masks) > MASK_CACHE_SIZE:
        masks.popitem(last=False)
    return mask


def norms(b: float, k1: float, avgfl: float) -> list[float]:
    """Return BM25's length normalisation for each of the 256 encoded lengths."""
    # The same expression, in the same order, as whoosh.scoring.bm25 (equal floats).
    return [k1 * ((1 - b) + b * byte_to_length(i) / avgfl) for i in range(256)]


class VisibleStats:
    """Document count, document frequencies and average field lengths over the visible set.

    Also reads (and keeps, for this search) terms' whole postings, which counting a document
    frequency needs and the array evaluation then reuses.
    """

    def __init__(self, searcher: Searcher, docnums: DocnumCache, postings: PostingsCache,
                 max_security: int, exclude: set[int]) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.n_all = searcher.doc_count_all()
        self.leaves = list(searcher.reader().leaf_readers())
        self.docnums = docnums
        self.postings = postings
        #: (fieldname, term bytes) -> whole postings (global docnums, weights), this search.
        self.terms: dict[tuple[str, bytes], tuple[np.ndarray, np.ndarray]] = {}
        visible = docnums.allowed(searcher, SearchQuery(text="", max_security=max_security))
        if visible is None and not exclude:
            universe = None  # every docnum: nothing deleted, hidden or excluded
        else:
            universe = (mask_of(docnums, self.n_all, visible) if visible is not None
                        else np.ones(self.n_all, dtype=bool))
            if exclude:
                universe = universe.copy()
                universe[np.fromiter(exclude, dtype=np.int64, count=len(exclude))] = False
        #: The documents the statistics are taken over (None: all docnums).
        self.universe = universe
        # Per-searcher memo of the figures that do not depend on the query (not with
        # exclusions, which vary from search to search).
        self._memo_key = None if exclude else ("stats", max_security)
        self._df: dict[tuple[str, bytes], int] = {}
        self._count: int | None = None

    # -- the figures -------------------------------------------------------------------------

    @property
    def doc_count(self) -> int:
        """Return how many documents the statistics are taken over."""
        if self._count is None:
            self._count = (self.n_all if self.universe is None
                           else int(np.count_nonzero(self.universe)))
        return self._count

    def doc_frequency(self, fieldname: str, text: str | bytes) -> int:
        """Return how many visible documents hold the term."""
        btext = self._btext(fieldname, text)
        key = (fieldname, btext)
        found = self._df.get(key)
        if found is None:
            if fieldname not in self.schema:
                found = 0
            elif self.universe is None:
                try:
                    found = self.searcher.reader().doc_frequency(fieldname, btext)
                except TermNotFound:
                    found = 0
            else:
                ids, _ = self.term(fieldname, btext)
                found = int(np.count_nonzero(self.universe[ids]))
            self._df[key] = found
        return found

    def idf(self, fieldname: str, text: str | bytes) -> float:
        """Return the term's inverse document frequency, as Whoosh computes it."""
        return log(self.doc_count / (self.doc_frequency(fieldname, text) + 1)) + 1

    def avg_field_length(self, fieldname: str) -> float:
        """Return the field's average length over the visible documents (1 when it is 0)."""
        def make() -> float:
            codes = np.frombuffer(self.docnums.length_bytes(self.searcher, fieldname),
                                  dtype=np.uint8)
            if self.universe is not None:
                codes = codes[self.universe]
            total = int(np.bincount(codes, minlength=256) @ _LENGTHS)
            return (total / (self.doc_count or 1)) or 1

        if self._memo_key is None:
            return make()
        key = (*self._memo_key, fieldname)
        found = self.docnums.arrays.get(key)
        if found is None:
            found = self.docnums.arrays[key] = make()
        return found  # type: ignore[return-value]  # what make() made for this key

    # -- postings ----------------------------------------------------------------------------

    def term(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """Return the term's global docnums (int64) and weights (float64), deleted included."""
        if fieldname not in self.schema:
            return _EMPTY
        btext = self._btext(fieldname, text)
        key = (fieldname, btext)
        found = self.terms.get(key)
        if found is None:
            ids, weights = [], []
            for leaf, offset in self.leaves:
                arrays = self.postings.peek(leaf, fieldname, btext)
                if arrays is None:
                    try:
                        terminfo = leaf.term_info(fieldname, btext)
                    except TermNotFound:
                        continue
                    arrays = self.postings.postings(leaf, fieldname, btext, terminfo)
                ids.append(arrays.ids.astype(np.int64) + offset)
                weights.append(arrays.weights())
            if not ids:
                found = _EMPTY
            elif len(ids) == 1:
                found = (ids[0], weights[0])
            else:
                found = (np.concatenate(ids), np.concatenate(weights))
            self.terms[key] = found
        return found

    def _btext(self, fieldname: str, text: str | bytes) -> bytes:
        if isinstance(text, bytes):
            return text
        return self.schema[fieldname].to_bytes(text) if fieldname in self.schema else b""


class VisibleBM25F(scoring.BM25F):
    """Whoosh's BM25F with the statistics of `VisibleStats` (for Whoosh's collectors)."""

    def __init__(self, base: scoring.BM25F, stats: VisibleStats) -> None:
        super().__init__(B=base.B, K1=base.K1)
        self._field_B: dict[str, float] = dict(base._field_B)
        self.stats = stats

    def idf(self, searcher: Searcher, fieldname: str, text: str | bytes) -> float:
        return self.stats.idf(fieldname, text)

    def scorer(self, searcher: Searcher, fieldname: str, text: bytes, qf: int = 1,
               ) -> scoring.BaseScorer:
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        b = self._field_B[fieldname] if fieldname in self._field_B else float(self.B)
        return _Scorer(searcher, fieldname, text, b, self.K1, self.stats.idf(fieldname, text),
                       self.stats.avg_field_length(fieldname))


class _Scorer(scoring.WeightLengthScorer):
    """BM25FScorer with the idf and average length given rather than read from the searcher."""

    def __init__(self, searcher: Searcher, fieldname: str, text: bytes, b: float,  # noqa: PLR0913
                 k1: float, idf: float, avgfl: float) -> None:
        self.idf = idf
        self.avgfl = avgfl
        self.B = b
        self.K1 = k1
        self.setup(searcher, fieldname, text)

    def _score(self, weight: float, length: int) -> float:
        return scoring.bm25(self.idf, weight, length, self.avgfl, self.B, self.K1)
