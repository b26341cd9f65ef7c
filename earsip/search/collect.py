"""Evaluating a parsed query on one searcher: the matching set, exact totals, the top page.

(The per-searcher filter sets and facet columns are in `filters`, the postings reader in
`postings`.)

Queries of words only are evaluated with arrays by `vector.VectorPlanner`. Two evaluations of
any parsed query live here:

- `Planner` (what searches with phrases or prefixes use): the set of matching docnums is
  computed from the postings, read block by block at C speed (zlib, pickle,
  ``itertools.accumulate``), with set operations; an AND reads its rarest operand first, a
  phrase checks word positions only on the documents that hold all its words and pass the
  filters, a prefix unions its capped expansions. Totals and facets come from that set. Only
  the matches are then scored, with Whoosh's own BM25F formula evaluated by ``map`` over the
  postings, and the top page is taken with a heap.
- `collect` (the straightforward evaluation): Whoosh's collectors scoring every match. It is
  the reference the planner is tested against, and the fallback for a query or weighting the
  planner does not know.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections import deque
from collections.abc import Iterable
from itertools import chain, compress, repeat
from operator import add, ge, getitem, mul, neg, rshift

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
    phrase_at,
    positions_of,
    read_leaf,
)
from earsip.search.query import CappedPrefix


class Unsupported(Exception):
    """The planner does not know this query node or weighting; use `collect` instead."""


#: Read only the blocks holding wanted documents when there are fewer wanted documents than
#: this share of the term's postings (each block is 128 postings; its header is read anyway).
SPARSE = 0.25

_Docs = set[int] | frozenset[int]


class Planner:
    """Evaluates one parsed query on one searcher: the matching set, then the top scores."""

    def __init__(self, searcher: Searcher, cache: DocnumCache, universe: _Docs | None) -> None:
        self.searcher = searcher
        self.reader = searcher.reader()
        self.leaves = [(leaf, offset, leaf.doc_count_all())
                       for leaf, offset in self.reader.leaf_readers()]
        self.schema = searcher.schema
        self.cache = cache
        #: The docnums the user may see (filters, clearance, exclusions); None: all.
        self.universe = universe
        self._postings: dict[tuple[str, bytes], tuple[_Docs | None, Postings]] = {}
        self._terms: dict[tuple[str, bytes], tuple[int, list[tuple]]] = {}
        weighting = searcher.weighting
        if type(weighting) is not scoring.BM25F:
            raise Unsupported(f"weighting {type(weighting).__name__}")
        self.weighting = weighting

    # -- matching sets -------------------------------------------------------------------

    def matches(self, q: wq.Query) -> _Docs:
        """Return the docnums matching `q` within the universe."""
        return self._eval(q, self.universe)

    def _eval(self, q: wq.Query, within: _Docs | None) -> _Docs:
        """Return the docnums matching `q`, intersected with `within` unless it is None."""
        kind = type(q)
        if kind is wq.Term:
            return self._term_docs(q.fieldname, q.text, within)
        if kind is wq.Or:
            docs: set[int] = set()
            for sub in q.subqueries:
                docs |= self._eval(sub, within)
            return docs
        if kind is wq.And:
            # Rarest operand first; each next one is read only within what is left.
            ordered = sorted(q.subqueries, key=lambda sub: sub.estimate_size(self.reader))
            result = within
            for sub in ordered:
                result = self._eval(sub, result)
                if not result:
                    return set()
            return result if result is not None else set()
        if kind is wq.AndNot:
            positive = self._eval(q.a, within)
            if not positive:
                return set()
            return positive - self._eval(q.b, positive)
        if kind is wq.Phrase:
            return self._phrase(q, within)
        if kind is CappedPrefix or kind is wq.Prefix:
            return self._prefix(q, within)
        if kind is wq.Every and q.fieldname is None:
            if within is not None:
                return within
            live = self.cache.live(self.searcher)
            return live if live is not None else set(range(self.searcher.doc_count_all()))
        raise Unsupported(kind.__name__)

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

    def _postings_of(self, fieldname: str, text: str | bytes, within: _Docs | None,
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

    def postings_within(self, fieldname: str, text: str | bytes, within: _Docs) -> Postings:
        """Return the term's postings, at least those of the docnums in `within`."""
        return self._postings_of(fieldname, text, within)

    def term_docs(self, fieldname: str, text: str | bytes, within: _Docs | None) -> _Docs:
        """Return the docnums holding the term, within `within` (the whole index if None)."""
        return self._term_docs(fieldname, text, within)

    def _term_docs(self, fieldname: str, text: str | bytes, within: _Docs | None) -> _Docs:
        ids = self._postings_of(fieldname, text, within).ids
        if within is None:
            live = self.cache.live(self.searcher)
            return set(ids) if live is None else live.intersection(ids)
        return within.intersection(ids)

    def _phrase(self, q: wq.Phrase, within: _Docs | None) -> _Docs:
        btexts = phrase_terms(self.schema, q)
        if not btexts:
            return set()
        # The documents holding every word (rarest first) within what the user may see; only
        # these have their positions read.
        by_rarity = sorted(set(btexts), key=lambda b: self._lookup(q.fieldname, b)[0])
        candidates = within
        for btext in by_rarity:
            candidates = self._term_docs(q.fieldname, btext, candidates)
            if not candidates:
                return set()
        assert candidates is not None
        if len(btexts) == 1:
            return candidates
        return self.phrase_docs(q, sorted(candidates))

    def phrase_docs(self, q: wq.Phrase, wanted: list[int]) -> set[int]:
        """Return which of `wanted` (sorted docnums, each holding every word) hold the phrase."""
        field = self.schema[q.fieldname]
        btexts = [field.to_bytes(word) for word in q.words]
        if q.slop != 1:
            return self._phrase_each(q, field, btexts, wanted)
        # Each word's positions as one set of (docnum << 32) + position - its place in the
        # phrase: the keys common to all words are the phrase's starts. Built by C loops.
        keys: set[int] | None = None
        decoded: dict[bytes, list[list[int]]] = {}
        for place, btext in enumerate(btexts):
            if btext not in decoded:
                by_doc = self._positions(q.fieldname, btext, wanted)
                decoded[btext] = positions_of([by_doc[doc] for doc in wanted], field.format)
            bases = [(doc << 32) - place for doc in wanted]
            word_keys = set(chain.from_iterable(map(map, repeat(add), decoded[btext],
                                                    map(repeat, bases))))
            keys = word_keys if keys is None else keys & word_keys
            if not keys:
                return set()
        return set(map(rshift, keys, repeat(32))) if keys else set()

    def _phrase_each(self, q: wq.Phrase, field, btexts: list[bytes],  # noqa: ANN001
                     wanted: list[int]) -> set[int]:
        """Check a phrase with a slop document by document."""
        positions = {b: self._positions(q.fieldname, b, wanted) for b in set(btexts)}
        decode = field.format.decode_positions
        first, rest = positions[btexts[0]], [positions[b] for b in btexts[1:]]
        found: set[int] = set()
        for doc in wanted:
            following = [set(decode(p[doc])) for p in rest]
            if phrase_at(decode(first[doc]), following, q.slop):
                found.add(doc)
        return found

    def _positions(self, fieldname: str, btext: bytes, wanted: list[int]) -> dict[int, bytes]:
        """Return the encoded positions of the term in each of the `wanted` docnums."""
        postings = self._read(fieldname, btext, wanted, with_values=True)
        assert postings.values is not None
        chosen = set(wanted)
        keep = list(map(chosen.__contains__, postings.ids))
        return dict(zip(compress(postings.ids, keep), compress(postings.values, keep),
                        strict=True))

    def _prefix(self, q: wq.Prefix, within: _Docs | None) -> _Docs:
        ordered = sorted(within) if within is not None else None
        found: set[int] = set()
        for leaf, offset, size in self.leaves:
            # This segment's documents not matched yet: a term with many more postings than
            # those is read only in the blocks holding one of them; once none is left, the
            # segment's remaining terms are not read at all.
            if ordered is None:
                candidates: set[int] | range = range(offset, offset + size)
            else:
                candidates = set(ordered[bisect_left(ordered, offset):
                                         bisect_left(ordered, offset + size)])
            remaining = set(candidates)
            wanted: list[int] | None = None
            for btext, terminfo in self.cache.prefix_terms(leaf, offset, q):
                if not remaining:
                    break
                sparse = len(remaining) < terminfo.doc_frequency() * SPARSE
                if sparse and (wanted is None or len(remaining) < len(wanted) * 0.8):
                    wanted = sorted(remaining)  # a superset of the remaining ones is enough
                postings = Postings()
                read_leaf(open_postings(leaf, q.fieldname, btext, terminfo), offset, postings,
                           wanted if sparse else None)
                remaining.difference_update(postings.ids)
            found.update(candidates)
            found.difference_update(remaining)
        if within is not None:
            return found
        live = self.cache.live(self.searcher)
        return found if live is None else found & live

    # -- scores --------------------------------------------------------------------------

    def top(self, q: wq.Query, docs: _Docs, limit: int) -> list[tuple[float, int]]:
        """Return the best `limit` (score, docnum) of `docs` by BM25F, ties by docnum."""
        if not docs or limit < 1:
            return []
        if type(q) is CappedPrefix or type(q) is wq.Every:
            # Every match weighs the query's boost: the page is the lowest docnums.
            return [(q.boost, doc) for doc in heapq.nsmallest(limit, docs)]
        # One slot per docnum: scores are added in place by C loops (map over setitem).
        scores = [0.0] * self.searcher.doc_count_all()
        self._score(q, docs, scores, 1.0, True)
        chosen = list(docs)
        values = list(map(scores.__getitem__, chosen))
        if len(chosen) > limit:
            threshold = heapq.nlargest(limit, values)[-1]
            keep = list(map(ge, values, repeat(threshold)))
            chosen = list(compress(chosen, keep))
            values = list(compress(values, keep))
        best = heapq.nlargest(limit, zip(values, map(neg, chosen), strict=True))
        return [(score, -negdoc) for score, negdoc in best]

    def _score(self, q: wq.Query, docs: _Docs, scores: list[float], boost: float,
               free: bool) -> None:
        """Add `q`'s score, as Whoosh's matchers sum it, to each of `docs` (all match `q`).

        `free`: every match of the query within the universe is in `docs` (true from the top
        through ANDs, the positive side of AND NOT, then ORs), so a term may add its score to
        all its postings: those outside `docs` are never read.
        """
        kind = type(q)
        boost *= q.boost
        if kind is wq.Term:
            self._score_term(q.fieldname, q.text, docs, scores, boost, free)
        elif kind is wq.Or:
            for sub in q.subqueries:
                if free and type(sub) is wq.Term:
                    self._score_term(sub.fieldname, sub.text, docs, scores, boost * sub.boost,
                                     True)
                    continue
                sub_docs = self._eval(sub, docs)
                if sub_docs:
                    self._score(sub, sub_docs, scores, boost, free and type(sub) is wq.Or)
        elif kind is wq.And:
            for sub in q.subqueries:
                self._score(sub, docs, scores, boost, free)
        elif kind is wq.AndNot:
            self._score(q.a, docs, scores, boost, free)
        elif kind is wq.Phrase:
            # Whoosh scores a phrase as the intersection of its words' term matchers.
            for word in q.words:
                self._score_term(q.fieldname, word, docs, scores, boost, False)
        elif kind is CappedPrefix or kind is wq.Prefix or kind is wq.Every:
            # Constant-score matchers: each match weighs the query's boost.
            _add(scores, list(docs), repeat(boost))
        else:
            raise Unsupported(kind.__name__)

    def _score_term(self, fieldname: str, text: str | bytes, docs: _Docs,
                    scores: list[float], boost: float, free: bool) -> None:
        postings = self._postings_of(fieldname, text, docs)
        if not postings.ids:
            return
        ids, weights = postings.ids, postings.weights
        # Adding to every posting (free) saves the membership test, unless most are not wanted.
        if not free or len(docs) * 2 < len(ids):
            chosen = list(map(docs.__contains__, ids))
            ids = list(compress(ids, chosen))
            if not ids:
                return
            weights = list(compress(weights, chosen))
        _add(scores, ids, self._term_values(fieldname, text, ids, weights, boost))

    def _term_values(self, fieldname: str, text: str | bytes, ids: list[int],
                     weights: list[float], boost: float) -> Iterable[float]:
        """Return the term's BM25F score (as Whoosh computes it) for each posting given."""
        field = self.schema[fieldname]
        values: Iterable[float]
        if field.scorable:
            rows = self._rows(fieldname, text, weights)
            lengths = self.cache.length_bytes(self.searcher, fieldname)
            values = map(getitem, map(rows.__getitem__, weights), map(lengths.__getitem__, ids))
        else:
            values = weights  # Whoosh's WeightScorer: the posting weight
        if boost != 1.0:
            values = map(mul, values, repeat(boost))
        return values

    def _rows(self, fieldname: str, text: str | bytes, weights: Iterable[float],
              ) -> dict[float, list[float]]:
        """Return a row of scores per distinct weight (term frequency), one per encoded length.

        idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), as in Whoosh.
        """
        w = self.weighting
        b = w._field_B.get(fieldname, w.B)
        k1 = w.K1
        idf = self.searcher.idf(fieldname, self._btext(fieldname, text))
        norms = self.cache.norms(self.searcher, fieldname, b, k1)
        return {tf: [idf * ((tf * (k1 + 1)) / (tf + norm)) for norm in norms]
                for tf in set(weights)}


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


def _add(scores: list[float], ids: list[int], values: Iterable[float]) -> None:
    """Add `values` to the scores of `ids` (distinct docnums), in C loops."""
    deque(map(scores.__setitem__, ids, map(add, map(scores.__getitem__, ids), values)),
          maxlen=0)


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
) -> tuple[Results, list[int]]:
    """Run the query with Whoosh's collectors; return the top `limit` and every match."""
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
