"""Phrase evaluation for `boolean_arrays`: candidates from the arrays, then position keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from earsip.search.cache import PostingsCache, TermArrays
from earsip.search.collect import Unsupported, phrase_terms
from earsip.search.postings import SPARSE, positions_arrays

if TYPE_CHECKING:
    from earsip.search.postings import PostingsReader


class PhraseEvaluation:
    """The phrase part of `ArrayEvaluation` (a mixin: it uses that class's arrays and caches)."""

    # Set by ArrayEvaluation.__init__; declared here for the type checker.
    schema: Any
    n: int
    universe: np.ndarray
    leaves: list[Any]
    postings: PostingsCache

    if TYPE_CHECKING:  # ArrayEvaluation's methods this mixin calls

        def _reader(self) -> PostingsReader: ...

        def _term_mask(self, fieldname: str, text: str | bytes) -> np.ndarray: ...

    def _phrase(self, q: wq.Phrase) -> np.ndarray:
        """The documents holding every word (from the arrays), then the words' positions in
        those only, compared as arrays of keys."""
        if q.slop != 1:
            raise Unsupported("a phrase with a slop")  # supports() sends it to Whoosh
        btexts = phrase_terms(self.schema, q)
        if not btexts:
            return np.zeros(self.n, dtype=bool)
        reader = self._reader()
        # Rarest word first. Once few documents are left, a frequent word is read only in
        # the blocks that hold one of them (by `postings.PostingsReader`) rather than whole.
        candidates = self.universe.copy()
        for btext in sorted(set(btexts), key=lambda b: reader.doc_frequency(q.fieldname, b)):
            left = int(np.count_nonzero(candidates))
            if left < reader.doc_frequency(q.fieldname, btext) * SPARSE:
                candidates = self._holding(q.fieldname, btext, candidates)
            else:
                candidates &= self._term_mask(q.fieldname, btext)
            if not candidates.any():
                return candidates
        if len(btexts) == 1:
            return candidates
        mask = np.zeros(self.n, dtype=bool)
        # A phrase starts at position p of document d when word k is at p + k for every k:
        # each word's positions as keys (d << 32) + position - k, and the keys common to all.
        starts: np.ndarray | None = None
        for place, btext in enumerate(btexts):
            keys = self._position_keys(q.fieldname, btext, candidates) - place
            starts = keys if starts is None else _common(starts, keys)
            if not len(starts):
                return mask
        assert starts is not None
        mask[starts >> 32] = True
        return mask

    def _split(self, fieldname: str, btext: bytes, docs: np.ndarray,
               ) -> tuple[list[tuple[int, TermArrays, np.ndarray]], np.ndarray | None]:
        """Split `docs` (a boolean array) by segment: those whose postings of the term the
        cache holds, as (offset, arrays, local part of `docs`), and the rest as one array of
        docnums (None when there are none)."""
        held: list[tuple[int, TermArrays, np.ndarray]] = []
        rest: list[np.ndarray] = []
        for leaf, offset in self.leaves:
            local = docs[offset:offset + leaf.doc_count_all()]
            if not local.any():
                continue
            arrays = self.postings.peek(leaf, fieldname, btext)
            if arrays is not None:
                held.append((offset, arrays, local))
            else:
                rest.append(np.flatnonzero(local) + offset)
        return held, (np.concatenate(rest) if rest else None)

    def _holding(self, fieldname: str, btext: bytes, docs: np.ndarray) -> np.ndarray:
        """Return which of `docs` hold the term: from the cache where it holds the term, else
        read in the blocks holding one of them."""
        out = np.zeros(self.n, dtype=bool)
        held, rest = self._split(fieldname, btext, docs)
        for offset, arrays, local in held:
            out[arrays.ids[local[arrays.ids]].astype(np.int64) + offset] = True
        if rest is not None:
            kept = self._reader().term_docs(fieldname, btext, set(rest.tolist()))
            if kept:
                out[np.fromiter(kept, dtype=np.int64, count=len(kept))] = True
            out &= docs
        return out

    def _position_keys(self, fieldname: str, btext: bytes, wanted: np.ndarray) -> np.ndarray:
        """Return `(docnum << 32) + position` for each position of the term in the documents
        marked in `wanted`, sorted: from the postings cache where it keeps the term's
        positions, else read from the index for just those documents."""
        parts: list[np.ndarray] = []
        unread: list[np.ndarray] = []
        for leaf, offset in self.leaves:
            end = offset + leaf.doc_count_all()
            local = wanted[offset:end]
            if not local.any():
                continue
            arrays = self.postings.peek(leaf, fieldname, btext)
            if arrays is None or arrays.positions is None:
                try:
                    terminfo = leaf.term_info(fieldname, btext)
                except TermNotFound:
                    continue
                arrays = self.postings.positions(leaf, fieldname, btext, terminfo)
            if arrays is not None:
                parts.append(arrays.position_keys(local, offset))
            else:
                unread.append(np.flatnonzero(local) + offset)
        if unread:
            docs = np.concatenate(unread).tolist()
            encoded = self._reader().positions_in(fieldname, btext, docs)
            present = [doc for doc in docs if doc in encoded]
            counts, flat = positions_arrays([encoded[doc] for doc in present],
                                            self.schema[fieldname].format)
            parts.append((np.repeat(np.array(present, dtype=np.int64), counts) << 32) + flat)
        if not parts:
            return _NO_KEYS
        keys = np.concatenate(parts) if len(parts) > 1 else parts[0]
        return np.sort(keys) if unread and len(parts) > 1 else keys


_NO_KEYS = np.zeros(0, dtype=np.int64)


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Return the values of sorted, duplicate-free `a` also in sorted `b`."""
    if not len(a) or not len(b):
        return _NO_KEYS
    at = np.searchsorted(b, a)
    inside = at < len(b)
    keep = np.zeros(len(a), dtype=bool)
    keep[inside] = b[at[inside]] == a[inside]
    return a[keep]
