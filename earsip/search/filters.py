"""Per-searcher sets and columns: filter docnums, facet columns and counts, exclusions.

Everything here is keyed on one searcher's docnums, so `DocnumCache` is emptied whenever the
searcher changes. Used by the array evaluation and by the reference collectors alike.
"""

from __future__ import annotations

import heapq
from collections import Counter, OrderedDict
from collections.abc import Iterable

from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.searching import Searcher

from earsip.search.query import CappedPrefix, normalize_classification
from earsip.search.values import SearchQuery

#: Highest security level (sangat rahasia); a clearance at or above it needs no filter.
MAX_SECURITY = 3
FACETS = ("classification", "year")
_FILTER_CACHE_SIZE = 64
_PREFIX_CACHE_SIZE = 512



class DocnumCache:
    """Per-searcher sets and columns (filters, live docs, facets, field lengths, prefixes).

    Everything here holds docnums of one searcher: clear it whenever the searcher changes.
    """

    def __init__(self) -> None:
        self._filters: OrderedDict[tuple, frozenset[int]] = OrderedDict()
        self._groups: dict[tuple[str, str], dict[object, frozenset[int]]] = {}
        self._facets: dict[str, list[object]] = {}
        self._lengths: dict[str, bytes] = {}
        self._prefixes: OrderedDict[tuple, list[tuple[bytes, object]]] = OrderedDict()
        self._live: frozenset[int] | None = None
        self._live_known = False
        #: numpy forms of the above, for `boolean_arrays.ArrayEvaluation` (same lifetime).
        self.arrays: dict[object, object] = {}

    def clear(self) -> None:
        """Forget everything cached (the docnums belong to a searcher now gone)."""
        self._filters.clear()
        self._groups.clear()
        self._facets.clear()
        self._lengths.clear()
        self._prefixes.clear()
        self._live = None
        self._live_known = False
        self.arrays.clear()

    def live(self, searcher: Searcher) -> frozenset[int] | None:
        """Return the undeleted docnums, or None when no segment has deletions."""
        if not self._live_known:
            reader = searcher.reader()
            self._live = frozenset(reader.all_doc_ids()) if reader.has_deletions() else None
            self._live_known = True
        return self._live

    def allowed(self, searcher: Searcher, query: SearchQuery) -> frozenset[int] | None:
        """Return the live docnums the filters allow (cached per searcher), or None for all."""
        if query.security is not None and query.security > query.max_security:
            return frozenset()
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
        parts: list[frozenset[int]] = []
        if query.security is not None:
            parts.append(self._security(searcher, query.security, query.security))
        elif query.max_security < MAX_SECURITY:
            parts.append(self._security(searcher, None, query.max_security))
        if query.classification:
            code = normalize_classification(query.classification).rstrip(".")
            # The code and its children on code boundaries (PM -> PM, PM.01), by column value.
            parts.append(self._by_value(searcher, "classification", lambda v: isinstance(v, str)
                                        and (v == code or v.startswith(code + "."))))
        if query.year_from is not None or query.year_to is not None:
            low = query.year_from if query.year_from is not None else -(2**31)
            high = query.year_to if query.year_to is not None else 2**31
            parts.append(self._by_value(searcher, "year", lambda v: isinstance(v, int)
                                        and low <= v <= high))
        if query.mime:
            parts.append(self._clause(searcher, wq.Term("mime", query.mime.strip().lower())))
        if not parts:
            return self.live(searcher)
        parts.sort(key=len)
        docs = parts[0].intersection(*parts[1:])
        live = self.live(searcher)
        if live is not None:
            docs &= live
        result = frozenset(docs)
        self._filters[key] = result
        if len(self._filters) > _FILTER_CACHE_SIZE:
            self._filters.popitem(last=False)
        return result

    def _clause(self, searcher: Searcher, q: wq.Query) -> frozenset[int]:
        """Return the docnums matching a filter query (cached per searcher)."""
        key = ("query", repr(q))
        cached = self._groups.get(key)
        if cached is None:
            cached = self._groups[key] = {None: frozenset(searcher.docs_for_query(q))}
        return cached[None]

    def _security(self, searcher: Searcher, low: int | None, high: int) -> frozenset[int]:
        return self._clause(searcher, wq.NumericRange("security", low, high))

    def _by_value(self, searcher: Searcher, name: str, wanted) -> frozenset[int]:  # noqa: ANN001
        """Return the docnums whose column `name` holds a value `wanted` accepts."""
        groups = self._groups.get(("column", name))
        if groups is None:
            # Docnums grouped by the column's value, once per searcher: a filter is then a
            # union of a few groups.
            lists: dict[object, list[int]] = {}
            for docnum, value in enumerate(self.facet_values(searcher, name)):
                lists.setdefault(value, []).append(docnum)
            groups = self._groups[("column", name)] = {
                value: frozenset(docnums) for value, docnums in lists.items()
            }
        chosen = [docs for value, docs in groups.items() if wanted(value)]
        if not chosen:
            return frozenset()
        return chosen[0].union(*chosen[1:]) if len(chosen) > 1 else chosen[0]

    def facet_values(self, searcher: Searcher, name: str) -> list[object]:
        """Return the column field's value for every docnum (cached per searcher)."""
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
        """Return, per facet, how many of `docnums` have each value, the most common first.

        (The reference evaluation's count; searches count with arrays in `boolean_arrays`.)
        """
        facets = {}
        for name in FACETS:
            values = self.facet_values(searcher, name)
            counts = Counter(map(values.__getitem__, docnums))
            facets[name] = {str(key): count for key, count in counts.most_common() if count}
        return facets

    def length_bytes(self, searcher: Searcher, fieldname: str) -> bytes:
        """Return every docnum's encoded length of `fieldname` (one byte each), cached."""
        cached = self._lengths.get(fieldname)
        if cached is None:
            out = bytearray()
            for leaf, offset in searcher.reader().leaf_readers():
                out.extend(bytes(offset - len(out)))
                column = _length_column(leaf, fieldname)
                if column is None:
                    out.extend(bytes(leaf.doc_count_all()))
                else:
                    out.extend(column)
            cached = self._lengths[fieldname] = bytes(out)
        return cached

    def prefix_terms(self, leaf, offset: int, q: wq.Prefix,  # noqa: ANN001
                     ) -> list[tuple[bytes, object]]:
        """Return the (term, terminfo)s `q` expands to in one segment (cached per searcher).

        A CappedPrefix keeps its `cap` most frequent terms, as its own expansion does.
        """
        key = (offset, type(q), q.fieldname, q.text, getattr(q, "cap", None))
        cached = self._prefixes.get(key)
        if cached is not None:
            self._prefixes.move_to_end(key)
            return cached
        expansion = leaf.iter_prefix(q.fieldname, q.text)
        if isinstance(q, CappedPrefix):
            best = heapq.nlargest(q.cap, ((ti.doc_frequency(), btext, ti)
                                          for btext, ti in expansion))
            cached = [(btext, ti) for _, btext, ti in best]
        else:
            cached = list(expansion)
        self._prefixes[key] = cached
        if len(self._prefixes) > _PREFIX_CACHE_SIZE:
            self._prefixes.popitem(last=False)
        return cached


def _length_column(leaf, fieldname: str) -> Iterable[int] | None:  # noqa: ANN001
    """Return one segment's encoded field lengths (0 = field absent), or None."""
    perdoc = getattr(leaf, "_perdoc", None)
    cached_reader = getattr(perdoc, "_cached_reader", None)
    if cached_reader is not None:
        return cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    from whoosh.util.numeric import length_to_byte

    return [
        length_to_byte(leaf.doc_field_length(d, fieldname, 0) or 0)
        for d in range(leaf.doc_count_all())
    ]


def masked(searcher: Searcher, exclude_ids: frozenset[int]) -> set[int]:
    """Return the docnums of the excluded document ids."""
    docnums: set[int] = set()
    for doc_id in exclude_ids:
        docnum = searcher.document_number(id=str(doc_id))
        if docnum is not None:
            docnums.add(docnum)
    return docnums
