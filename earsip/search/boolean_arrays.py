"""Evaluating parsed queries as boolean numpy arrays over one searcher's docnums.

Everything the parser builds (words, phrases and prefixes combined by AND, OR and NOT; letter
numbers and classification codes) is evaluated here: each term's postings
(decoded once per segment by `cache.PostingsCache`) become a boolean array over the searcher's
docnums; AND, OR and NOT are array operations; the total is a count, the facets one
``bincount`` per facet; BM25F scores are computed for the matches only, with Whoosh's formula
evaluated element by element in the same order (so the same floats), and the top page is taken
from a partition. A phrase's candidates come from the arrays; its words' positions in them
become sorted ``(docnum << 32) + position`` keys, from the cache where it holds the word's
positions (frequent words, the costly case) and read from the index for just the candidates
otherwise, and the phrase starts are the keys common to every word once shifted by its place.
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher

from earsip.search.collect import Unsupported
from earsip.search.filters import FACETS, DocnumCache
from earsip.search.phrases import _NO_KEYS, PhraseEvaluation, _common  # noqa: F401
from earsip.search.postings import SPARSE, PostingsReader
from earsip.search.query import CappedPrefix
from earsip.search.stats import VisibleStats, mask_of, norms

_EMPTY = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64))


def supports(q: wq.Query) -> bool:
    """Return whether `q` is made only of what `ArrayEvaluation` evaluates."""
    kind = type(q)
    if kind is wq.Term:
        return True
    if kind is wq.Or or kind is wq.And:
        return all(supports(sub) for sub in q.subqueries)
    if kind is wq.AndNot:
        return supports(q.a) and supports(q.b)
    # A plain prefix is what a typed classification code adds (PM.01 -> PM.01.*); a capped one
    # is a typed "word*".
    # A phrase with a slop (the parser never builds one) is left to Whoosh's collectors.
    return ((kind is wq.Every and q.fieldname is None) or kind is wq.Prefix
            or kind is CappedPrefix or (kind is wq.Phrase and q.slop == 1))


class ArrayEvaluation(PhraseEvaluation):
    """Evaluates one word query on one searcher: the matches, the top scores, the facets."""

    def __init__(self, searcher: Searcher, docnums: DocnumCache, stats: VisibleStats,
                 allow: frozenset[int] | None, exclude: set[int]) -> None:
        weighting = searcher.weighting
        if type(weighting) is not scoring.BM25F:
            raise Unsupported(f"weighting {type(weighting).__name__}")
        self.weighting = weighting
        self.searcher = searcher
        self.schema = searcher.schema
        self.n = searcher.doc_count_all()
        self.leaves = list(searcher.reader().leaf_readers())
        self.docnums = docnums
        self.stats = stats
        self.postings = stats.postings
        universe = mask_of(docnums, self.n, allow) if allow is not None else self._live()
        if exclude:
            universe = universe.copy()
            universe[np.fromiter(exclude, dtype=np.int64, count=len(exclude))] = False
        #: The docnums the user may see: filters, clearance, exclusions, deletions.
        self.universe = universe
        #: Whole postings read for this search, shared with the statistics.
        self._terms = stats.terms
        self._masks: dict[int, np.ndarray] = {}
        self._sparse: PostingsReader | None = None

    def _reader(self) -> PostingsReader:
        """The postings reader on the same searcher: phrase positions, postings read sparsely."""
        if self._sparse is None:
            self._sparse = PostingsReader(self.searcher, self.docnums)
        return self._sparse

    # -- per-searcher arrays (kept in the DocnumCache, emptied with the searcher) ----------

    def _memo(self, key: object, make):  # noqa: ANN001, ANN202
        arrays = self.docnums.arrays
        found = arrays.get(key)
        if found is None:
            found = arrays[key] = make()
        return found

    def _live(self) -> np.ndarray:
        def make() -> np.ndarray:
            live = self.docnums.live(self.searcher)
            if live is None:
                return np.ones(self.n, dtype=bool)
            return mask_of(self.docnums, self.n, live)

        return self._memo("live", make)

    def _lengths(self, fieldname: str) -> np.ndarray:
        return self._memo(("lengths", fieldname), lambda: np.frombuffer(
            self.docnums.length_bytes(self.searcher, fieldname), dtype=np.uint8))

    def _norms(self, fieldname: str, b: float, k1: float) -> np.ndarray:
        avgfl = self.stats.avg_field_length(fieldname)
        return self._memo(("norms", fieldname, b, k1, avgfl), lambda: np.array(
            norms(b, k1, avgfl), dtype=np.float64))

    def _codes(self, name: str) -> tuple[np.ndarray, list[object]]:
        def make() -> tuple[np.ndarray, list[object]]:
            values = self.docnums.facet_values(self.searcher, name)
            distinct = list(dict.fromkeys(values))
            code = {value: i for i, value in enumerate(distinct)}
            return np.fromiter(map(code.__getitem__, values), dtype=np.int32,
                               count=len(values)), distinct

        return self._memo(("codes", name), make)

    # -- terms -----------------------------------------------------------------------------

    def _term(self, fieldname: str, text: str | bytes) -> tuple[np.ndarray, np.ndarray]:
        """Return the term's global docnums (int64) and weights (float64), deleted included."""
        return self.stats.term(fieldname, text)

    def _term_for(self, fieldname: str, text: str | bytes, docs: np.ndarray,
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Return the term's postings, at least those of `docs`: when they are few beside the
        term's documents, only the blocks holding one of them are read."""
        if fieldname not in self.schema:
            return _EMPTY
        btext = text if isinstance(text, bytes) else self.schema[fieldname].to_bytes(text)
        if (fieldname, btext) not in self._terms:
            reader = self._reader()
            left = int(np.count_nonzero(docs))
            if left < reader.doc_frequency(fieldname, btext) * SPARSE:
                return self._postings_of(fieldname, btext, docs)
        return self._term(fieldname, btext)

    def _postings_of(self, fieldname: str, btext: bytes, docs: np.ndarray,
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Return the term's docnums and weights in `docs` (at least): from the cache where it
        holds the term, else read in the blocks holding one of them."""
        held, rest = self._split(fieldname, btext, docs)
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        for offset, arrays, local in held:
            chosen = local[arrays.ids]
            ids.append(arrays.ids[chosen].astype(np.int64) + offset)
            weights.append(arrays.weights()[chosen])
        if rest is not None:
            postings = self._reader().postings_within(fieldname, btext, set(rest.tolist()))
            read = np.array(postings.ids, dtype=np.int64)
            inside = np.zeros(self.n, dtype=bool)
            inside[rest] = True
            chosen = inside[read]  # leave out what the read holds of the cached segments
            ids.append(read[chosen])
            weights.append(np.array(postings.weights, dtype=np.float64)[chosen])
        if not ids:
            return _EMPTY
        return np.concatenate(ids), np.concatenate(weights)

    # -- matching --------------------------------------------------------------------------

    def matches(self, q: wq.Query) -> np.ndarray:
        """Return the boolean array of the docnums matching `q` within the universe."""
        found = self._masks.get(id(q))
        if found is not None:
            return found
        kind = type(q)
        if kind is wq.Term:
            mask = self._term_mask(q.fieldname, q.text)
        elif kind is wq.Phrase:
            mask = self._phrase(q)
        elif kind is wq.Or:
            mask = np.zeros(self.n, dtype=bool)
            for sub in q.subqueries:
                mask |= self.matches(sub)
        elif kind is wq.And:
            mask = self.universe.copy()
            # Rarest operand first: an empty intersection stops early.
            for sub in sorted(q.subqueries, key=lambda s: s.estimate_size(self.searcher.reader())):
                mask &= self.matches(sub)
                if not mask.any():
                    break
        elif kind is wq.AndNot:
            mask = self.matches(q.a) & ~self.matches(q.b)
        elif kind is wq.Every:
            mask = self.universe.copy()
        elif kind is CappedPrefix:
            mask = self._capped_prefix(q)
        elif kind is wq.Prefix:
            mask = np.zeros(self.n, dtype=bool)
            if q.fieldname in self.schema:
                for leaf, offset in self.leaves:
                    for btext, terminfo in leaf.iter_prefix(q.fieldname, q.text):
                        arrays = self.postings.postings(leaf, q.fieldname, btext, terminfo)
                        mask[arrays.ids.astype(np.int64) + offset] = True
            mask &= self.universe
        else:
            raise Unsupported(kind.__name__)
        self._masks[id(q)] = mask
        return mask

    def _term_mask(self, fieldname: str, text: str | bytes) -> np.ndarray:
        ids, _ = self._term(fieldname, text)
        mask = np.zeros(self.n, dtype=bool)
        mask[ids] = True
        mask &= self.universe
        return mask

    def _capped_prefix(self, q: CappedPrefix) -> np.ndarray:
        """Union the prefix's expansions (the most frequent first) in each segment, stopping
        once every document of the segment the user may see is matched."""
        mask = np.zeros(self.n, dtype=bool)
        if q.fieldname not in self.schema:
            return mask
        for leaf, offset in self.leaves:
            end = offset + leaf.doc_count_all()
            part, visible = mask[offset:end], self.universe[offset:end]
            unmatched = int(visible.sum())
            for btext, terminfo in self.docnums.prefix_terms(leaf, offset, q):
                if not unmatched:
                    break
                part[self.postings.postings(leaf, q.fieldname, btext, terminfo).ids] = True
                unmatched = int(np.count_nonzero(visible & ~part))
        mask &= self.universe
        return mask

    # -- scores ----------------------------------------------------------------------------

    def top(self, q: wq.Query, match: np.ndarray, limit: int) -> list[tuple[float, int]]:
        """Return the best `limit` (score, docnum) of the matches by BM25F, ties by docnum."""
        if limit < 1:
            return []
        docs = np.flatnonzero(match)
        if not len(docs):
            return []
        scores = np.zeros(self.n, dtype=np.float64)
        self._score(q, match, scores, 1.0)
        values = scores[docs]
        if len(docs) > limit:
            # The scores above the limit-th best, then the lowest docnums (docs are in
            # ascending order) of those equal to it: many may tie (a prefix scores every match
            # alike), and only the page is sorted below.
            threshold = np.partition(values, len(values) - limit)[len(values) - limit]
            above = np.flatnonzero(values > threshold)
            tied = np.flatnonzero(values == threshold)[: limit - len(above)]
            chosen = np.concatenate((above, tied))
            docs, values = docs[chosen], values[chosen]
        ranked = sorted(zip(values.tolist(), docs.tolist(), strict=True),
                        key=lambda item: (-item[0], item[1]))
        return ranked[:limit]

    def _score(self, q: wq.Query, docs: np.ndarray, scores: np.ndarray, boost: float) -> None:
        """Add `q`'s score, as Whoosh's matchers sum it, to each of `docs` (all match `q`)."""
        kind = type(q)
        boost *= q.boost
        if kind is wq.Term:
            self._score_term(q.fieldname, q.text, docs, scores, boost)
        elif kind is wq.Or:
            for sub in q.subqueries:  # each matching alternative adds its score
                if type(sub) is wq.Term:
                    self._score_term(sub.fieldname, sub.text, docs, scores, boost * sub.boost)
                    continue
                sub_docs = self.matches(sub) & docs
                if sub_docs.any():
                    self._score(sub, sub_docs, scores, boost)
        elif kind is wq.And:
            for sub in q.subqueries:
                self._score(sub, docs, scores, boost)
        elif kind is wq.AndNot:
            self._score(q.a, docs, scores, boost)
        elif kind is wq.Phrase:
            # Whoosh scores a phrase as the intersection of its words' term matchers.
            for word in q.words:
                self._score_term(q.fieldname, word, docs, scores, boost)
        elif kind is wq.Every or kind is wq.Prefix or kind is CappedPrefix:
            scores[docs] += boost  # constant-score matchers: each match weighs the boost
        else:
            raise Unsupported(kind.__name__)

    def _score_term(self, fieldname: str, text: str | bytes, docs: np.ndarray,
                    scores: np.ndarray, boost: float) -> None:
        if fieldname not in self.schema:
            return
        field = self.schema[fieldname]
        # First: counting the term's visible documents reads its whole postings (unless every
        # document is visible), which the sparse read below then reuses.
        idf = self.stats.idf(fieldname, text) if field.scorable else 0.0
        ids, weights = self._term_for(fieldname, text, docs)
        if not len(ids):
            return
        keep = docs[ids]
        ids, weights = ids[keep], weights[keep]
        if not len(ids):
            return
        if field.scorable:
            # idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl))), as Whoosh's
            # bm25() computes it, the length part taken from the same table as `_norms`.
            w = self.weighting
            b = w._field_B.get(fieldname, w.B)
            k1 = w.K1
            norms = self._norms(fieldname, b, k1)[self._lengths(fieldname)[ids]]
            values = idf * ((weights * (k1 + 1)) / (weights + norms))
        else:
            values = weights  # Whoosh's WeightScorer: the posting weight
        if boost != 1.0:
            values = values * boost
        scores[ids] += values

    # -- facets ----------------------------------------------------------------------------

    def facets(self, match: np.ndarray) -> dict[str, dict[str, int]]:
        """Return, per facet, how many matches have each value, the most common first."""
        out = {}
        for name in FACETS:
            codes, values = self._codes(name)
            counts = np.bincount(codes[match], minlength=len(values)).tolist()
            found = [(values[i], count) for i, count in enumerate(counts) if count]
            found.sort(key=lambda item: -item[1])  # stable: ties keep the column's order
            out[name] = {str(value): count for value, count in found}
        return out

    @staticmethod
    def matched(match: np.ndarray) -> list[int]:
        """Return the matching docnums as a list."""
        return np.flatnonzero(match).tolist()
