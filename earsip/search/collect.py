"""The reference evaluation: Whoosh's collectors scoring every match (`collect`).

Searches are evaluated with boolean arrays (`boolean_arrays.ArrayEvaluation`); `collect` is the
reference that evaluation is tested against, and the fallback for a query or weighting it does
not know (`Unsupported`). Also here: what both share (`phrase_terms`, `newest`). The
per-searcher filter sets and facet columns are in `filters`, the postings reader in `postings`.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from whoosh import collectors, scoring, sorting
from whoosh import query as wq
from whoosh.idsets import BitSet
from whoosh.searching import Results, Searcher

from earsip.search.filters import DocnumCache
from earsip.search.stats import VisibleBM25F, VisibleStats


class Unsupported(Exception):
    """The array evaluation does not know this query node or weighting; use `collect`."""


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
