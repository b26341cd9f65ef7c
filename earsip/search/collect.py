"""Collecting matches on one searcher: filter and exclusion docnums, exact totals, facet counts."""

from __future__ import annotations

from collections import Counter, OrderedDict

from whoosh import collectors, sorting
from whoosh import query as wq
from whoosh.idsets import BitSet
from whoosh.searching import Results, Searcher

from earsip.search.query import classification_query, normalize_classification
from earsip.search.values import SearchQuery

#: Highest security level (sangat rahasia); a clearance at or above it needs no filter.
MAX_SECURITY = 3
FACETS = ("classification", "year")
_FILTER_CACHE_SIZE = 64


class DocnumCache:
    """Filter docnum sets and facet columns of one searcher; clear it when the searcher changes."""

    def __init__(self) -> None:
        self._filters: OrderedDict[tuple, BitSet] = OrderedDict()
        self._facets: dict[str, list[object]] = {}

    def clear(self) -> None:
        """Forget everything cached (the docnums belong to a searcher now gone)."""
        self._filters.clear()
        self._facets.clear()

    def allowed(self, searcher: Searcher, query: SearchQuery) -> BitSet | None:
        """Return the docnums the filters allow (cached per searcher), or None for all."""
        clauses: list[wq.Query] = []
        if query.security is not None:
            if query.security > query.max_security:
                return BitSet()
            clauses.append(wq.NumericRange("security", query.security, query.security))
        elif query.max_security < MAX_SECURITY:
            clauses.append(wq.NumericRange("security", None, query.max_security))
        if query.classification:
            clauses.append(classification_query(query.classification))
        if query.year_from is not None or query.year_to is not None:
            clauses.append(wq.NumericRange("year", query.year_from, query.year_to))
        if query.mime:
            clauses.append(wq.Term("mime", query.mime.strip().lower()))
        if not clauses:
            return None
        key = (
            query.security,
            min(query.max_security, MAX_SECURITY),
            normalize_classification(query.classification or ""),
            query.year_from,
            query.year_to,
            (query.mime or "").strip().lower(),
        )
        cached = self._filters.get(key)
        if cached is not None:
            self._filters.move_to_end(key)
            return cached
        fq = clauses[0] if len(clauses) == 1 else wq.And(clauses)
        docs = BitSet(searcher.docs_for_query(fq), size=searcher.doc_count_all())
        self._filters[key] = docs
        if len(self._filters) > _FILTER_CACHE_SIZE:
            self._filters.popitem(last=False)
        return docs

    def facet_values(self, searcher: Searcher, name: str) -> list[object]:
        """Return the facet field's value for every docnum (cached per searcher)."""
        cached = self._facets.get(name)
        if cached is None:
            values: list[object] = []
            for leaf, offset in searcher.reader().leaf_readers():
                values.extend([None] * (offset - len(values)))
                if leaf.has_column(name):
                    values.extend(leaf.column_reader(name))
                else:
                    values.extend([None] * leaf.doc_count_all())
            cached = self._facets[name] = values
        return cached

    def facet_counts(self, searcher: Searcher, docnums: list[int]) -> dict[str, dict[str, int]]:
        """Return, per facet, how many of `docnums` have each value, the most common first."""
        facets = {}
        for name in FACETS:
            values = self.facet_values(searcher, name)
            counts = Counter(map(values.__getitem__, docnums))
            facets[name] = {str(key): count for key, count in counts.most_common()}
        return facets


def masked(searcher: Searcher, exclude_ids: frozenset[int]) -> set[int]:
    """Return the docnums of the excluded document ids."""
    docnums: set[int] = set()
    for doc_id in exclude_ids:
        docnum = searcher.document_number(id=str(doc_id))
        if docnum is not None:
            docnums.add(docnum)
    return docnums


def collect(
    searcher: Searcher,
    whoosh_query: wq.Query,
    *,
    scored: bool,
    limit: int,
    allow: BitSet | None,
    mask: set[int],
) -> tuple[Results, list[int]]:
    """Run the query; return the top `limit` results (by score, else newest) and every match."""
    # Total and facets must count every match, so the scored collector neither skips
    # blocks (usequality) nor swaps in a "top N only" matcher (replace): with
    # either, Whoosh leaves documents out of len(results); even optimize=False
    # keeps the latter. Facets come from cached columns, several times faster
    # than Whoosh's FacetCollector.
    base: collectors.Collector
    if scored:
        base = collectors.TopCollector(limit=limit, usequality=False, replace=0)
    else:
        base = collectors.SortingCollector(sorting.FieldFacet("date", reverse=True), limit=limit)
    recorder = _RecordingCollector(base)
    collector = (
        collectors.FilterCollector(recorder, allow, mask or None)
        if allow is not None or mask
        else recorder
    )
    searcher.search_with_collector(whoosh_query, collector)
    return collector.results(), recorder.docnums


class _RecordingCollector(collectors.WrappingCollector):
    """Pass matches on to a child collector, keeping every matching docnum."""

    def __init__(self, child: collectors.Collector) -> None:
        super().__init__(child)
        self.docnums: list[int] = []

    def collect(self, sub_docnum: int):  # noqa: ANN201 - returns the child's sort key
        self.docnums.append(self.child.offset + sub_docnum)
        return self.child.collect(sub_docnum)
