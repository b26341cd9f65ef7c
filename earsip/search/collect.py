"""Postings as Python sets, and the reference evaluation.

(Searches are evaluated with arrays by `vector.VectorPlanner`; the per-searcher filter sets
and facet columns are in `filters`, the postings reader in `postings`.)

- `Planner`: a term's postings read block by block at C speed (zlib, pickle,
  ``itertools.accumulate``), all of them or only the blocks holding wanted documents, with
  their encoded positions if asked. `VectorPlanner` uses it for the reads that are cheaper
  sparse than whole (rare words' postings and positions, in the segments the cache does not
  hold them for).
- `collect` (the straightforward evaluation): Whoosh's collectors scoring every match. It is
  the reference the array planner is tested against, and the fallback for a query or
  weighting that planner does not know.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from itertools import compress

from whoosh import collectors, scoring, sorting
from whoosh import query as wq
from whoosh.idsets import BitSet
from whoosh.reading import TermNotFound
from whoosh.searching import Results, Searcher

from earsip.search.filters import DocnumCache
from earsip.search.postings import (
    Postings,
    any_between,
    open_postings,
    read_leaf,
)
from earsip.search.stats import VisibleBM25F, VisibleStats


class Unsupported(Exception):
    """The array planner does not know this query node or weighting; use `collect` instead."""


#: Read only the blocks holding wanted documents when there are fewer wanted documents than
#: this share of the term's postings (each block is 128 postings; its header is read anyway).
SPARSE = 0.25

_Docs = set[int] | frozenset[int]


class Planner:
    """Reads postings of one searcher into sets: whole, or only the blocks wanted ones are in;
    checks phrase positions."""

    def __init__(self, searcher: Searcher, cache: DocnumCache) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = [(leaf, offset, leaf.doc_count_all())
                       for leaf, offset in self.reader.leaf_readers()]
        self.schema = searcher.schema
        self.cache = cache
        self._postings: dict[tuple[str, bytes], tuple[_Docs | None, Postings]] = {}
        self._terms: dict[tuple[str, bytes], tuple[int, list[tuple]]] = {}

    def _btext(self, fieldname: str, text: str | bytes) -> bytes:
        return text if isinstance(text, bytes) else self.schema[fieldname].to_bytes(text)

    def _lookup(self, fieldname: str, btext: bytes) -> tuple[int, list[tuple]]:
        """Return the term's document frequency and its (leaf, offset, size, terminfo)s."""
        key = (fieldname, btext)
        found = self._terms.get(key)
        if found is None:
            parts = []
            df = 0
            for leaf, offset, size in self.leaves:
                try:
                    terminfo = leaf.term_info(fieldname, btext)
                except TermNotFound:
                    continue
                parts.append((leaf, offset, size, terminfo))
                df += terminfo.doc_frequency()
            found = self._terms[key] = (df, parts)
        return found

    def _read(self, fieldname: str, btext: bytes, within: list[int] | None,
              with_values: bool = False) -> Postings:
        """Read the term's postings in every segment (with `within`: only blocks holding one)."""
        postings = Postings(with_values)
        for leaf, offset, size, terminfo in self._lookup(fieldname, btext)[1]:
            if within is not None and not any_between(within, offset, offset + size):
                continue
            read_leaf(open_postings(leaf, fieldname, btext, terminfo), offset, postings, within)
        return postings

    def postings_within(self, fieldname: str, text: str | bytes, within: _Docs | None,
                        ) -> Postings:
        """Return the term's postings: all, or at least those of the docnums in `within`."""
        if fieldname not in self.schema:
            return Postings()
        btext = self._btext(fieldname, text)
        key = (fieldname, btext)
        cached = self._postings.get(key)
        if cached is not None:
            read_within, postings = cached
            if read_within is None or (within is not None and within <= read_within):
                return postings
        df = self._lookup(fieldname, btext)[0]
        sparse = within is not None and len(within) < df * SPARSE
        postings = self._read(fieldname, btext, sorted(within) if sparse and within else None)
        self._postings[key] = (within if sparse else None, postings)
        return postings

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        """Return the term's document frequency over all segments (deletions included)."""
        return self._lookup(fieldname, btext)[0]

    def term_docs(self, fieldname: str, text: str | bytes, within: _Docs) -> _Docs:
        """Return which of the docnums in `within` hold the term."""
        return within.intersection(self.postings_within(fieldname, text, within).ids)

    def positions_in(self, fieldname: str, btext: bytes, wanted: list[int]) -> dict[int, bytes]:
        """Return the encoded positions of the term in each of the `wanted` docnums."""
        postings = self._read(fieldname, btext, wanted, with_values=True)
        assert postings.values is not None
        chosen = set(wanted)
        keep = list(map(chosen.__contains__, postings.ids))
        return dict(zip(compress(postings.ids, keep),
                        compress(postings.values, keep),  # type: ignore[arg-type]  # all read
                        strict=True))

def phrase_terms(schema, q: wq.Phrase) -> list[bytes]:  # noqa: ANN001 - a Whoosh Schema
    """Return the phrase's words as index terms ([] when it can match nothing); raise
    Unsupported for a field without positions."""
    if q.fieldname not in schema or not q.words:
        return []
    field = schema[q.fieldname]
    if field.format is None or not field.format.supports("positions"):
        raise Unsupported(f"phrase on {q.fieldname}, a field without positions")
    try:
        return [field.to_bytes(word) for word in q.words]
    except ValueError:
        return []


def newest(cache: DocnumCache, searcher: Searcher, docs: Iterable[int], limit: int,
           ) -> list[int]:
    """Return the `limit` newest of `docs` by the date column (ties: the earlier docnum)."""
    dates = cache.facet_values(searcher, "date")
    chosen = list(docs)
    keyed = zip(map(dates.__getitem__, chosen), chosen, strict=True)
    return [doc for _, doc in heapq.nlargest(limit, keyed, key=_date_key)]


def _date_key(item: tuple[object, int]) -> tuple[int, int]:
    date, doc = item
    return (date if isinstance(date, int) else -1, -doc)


# -- the straightforward evaluation -----------------------------------------------------------


def collect(
    searcher: Searcher,
    whoosh_query: wq.Query,
    *,
    scored: bool,
    limit: int,
    allow: Iterable[int] | None,
    mask: set[int],
    stats: VisibleStats | None = None,
) -> tuple[Results, list[int]]:
    """Run the query with Whoosh's collectors; return the top `limit` and every match.

    With `stats`, scores use its statistics (the visible documents') instead of the index's.
    """
    # Total and facets must count every match, so the scored collector neither skips
    # blocks (usequality) nor swaps in a "top N only" matcher (replace): with
    # either, Whoosh leaves documents out of len(results); even optimize=False
    # keeps the latter.
    base: collectors.Collector
    if scored:
        base = collectors.TopCollector(limit=limit, usequality=False, replace=0)
    else:
        base = collectors.SortingCollector(sorting.FieldFacet("date", reverse=True), limit=limit)
    recorder = _RecordingCollector(base)
    if allow is not None and not isinstance(allow, BitSet):
        allow = BitSet(allow, size=searcher.doc_count_all())
    collector = (
        collectors.FilterCollector(recorder, allow, mask or None)
        if allow is not None or mask
        else recorder
    )
    context = None
    if scored and stats is not None:
        if type(searcher.weighting) is not scoring.BM25F:
            raise TypeError("visible statistics need BM25F")
        context = searcher.context(weighting=VisibleBM25F(searcher.weighting, stats))
    searcher.search_with_collector(whoosh_query, collector, context=context)
    return collector.results(), recorder.docnums


class _RecordingCollector(collectors.WrappingCollector):
    """Pass matches on to a child collector, keeping every matching docnum."""

    def __init__(self, child: collectors.Collector) -> None:
        super().__init__(child)
        self.docnums: list[int] = []

    def collect(self, sub_docnum: int):  # noqa: ANN201 - returns the child's sort key
        self.docnums.append(self.child.offset + sub_docnum)
        return self.child.collect(sub_docnum)
