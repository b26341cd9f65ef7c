"""Reading Whoosh W3 postings straight from their blocks (`PostingsReader`, at the end).

Ids and weights are decoded from the start of each block's pickle; positions only for
phrases. This reads whoosh-reloaded 2.7.5's on-disk layout: anything it does not recognise
falls back to Whoosh's own decoding (`read_generic`) or raises `Unsupported`.
"""

from __future__ import annotations

import re
import zlib
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain, compress, islice, repeat
from pickle import loads

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import wrappers
from whoosh.reading import TermNotFound
from whoosh.searching import Searcher

from earsip.search.filters import DocnumCache


class Postings:
    """Postings of one term, global docnums: all of them, or those of some blocks only."""

    __slots__ = ("ids", "values", "weights")

    def __init__(self, with_values: bool = False) -> None:
        self.ids: list[int] = []
        self.weights: list[float] = []
        self.values: list[bytes | None] | None = [] if with_values else None


# The start of a W3 postings block's pickle (protocol 2): the tuple of delta-encoded ids, then
# the weights (None, one float, or a tuple of floats). What follows is the tuple of encoded
# values (positions), which costs most to unpickle and is only needed for phrases.
_INT = rb"(?:K.|M..|J....)"
_FLOAT = rb"(?:G.{8})"
_MEMO = rb"(?:q.|r....)"
_SMALL_TUPLE = rb"{1,3}[\x85\x86\x87]"
_IDS_AND_WEIGHTS = re.compile(
    rb"\x80\x02(?:\(" + _INT + rb"*t|" + _INT + _SMALL_TUPLE + rb")" + _MEMO
    + rb"(?:N|" + _FLOAT + rb"|(?:\(" + _FLOAT + rb"*t|" + _FLOAT + _SMALL_TUPLE + rb")" + _MEMO
    + rb")",
    re.S,
)
_TUPLE2_STOP = b"\x86."


def leaf_matcher(leaf, fieldname: str, btext: bytes):  # noqa: ANN001, ANN202 - Whoosh types
    """Return the segment's raw posting matcher (deleted documents included), or None."""
    if (fieldname, btext) not in leaf:
        return None
    m = leaf.postings(fieldname, btext)
    if isinstance(m, wrappers.FilterMatcher):  # the deletion filter: callers use live sets
        m = m.child
    return m


def open_postings(leaf, fieldname: str, btext: bytes, terminfo):  # noqa: ANN001, ANN202 - Whoosh types
    """Return the segment's raw posting matcher for a term already looked up."""
    terms = getattr(leaf, "_terms", None)
    codec = getattr(terms, "_codec", None)
    postfile = getattr(terms, "_postfile", None)
    if codec is None or postfile is None:
        return leaf_matcher(leaf, fieldname, btext)
    return codec.postings_reader(postfile, terminfo, leaf.schema[fieldname].format,
                                 term=(fieldname, btext))


def any_between(ordered: list[int], low: int, high: int) -> bool:
    """Return whether the sorted list holds a number in [low, high)."""
    i = bisect_left(ordered, low)
    return i < len(ordered) and ordered[i] < high


def read_leaf(m, offset: int, out: Postings, within: list[int] | None) -> None:  # noqa: ANN001
    """Add a segment's postings to `out`; with `within` (sorted), only blocks holding one."""
    if type(m) is not W3LeafMatcher or m._byteids:
        read_generic(m, offset, out, within)
        return
    postfile = m._postfile
    ids, weights, values = out.ids, out.weights, out.values
    previous_max = offset - 1
    while True:
        block_max = offset + m._maxid
        wanted = True
        if within is not None:
            i = bisect_right(within, previous_max)
            if i == len(within):
                return  # nothing wanted further on
            wanted = within[i] <= block_max
        if wanted:
            raw = postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
            if m._compression:
                raw = zlib.decompress(raw)
            head = None if values is not None else _IDS_AND_WEIGHTS.match(raw)
            # The index's own files, which Whoosh itself unpickles the same way.
            if head is not None:
                block_ids, block_weights = loads(raw[: head.end()] + _TUPLE2_STOP)  # noqa: S301
                block_values = None
            else:
                block_ids, block_weights, block_values = loads(raw)  # noqa: S301
            n = m._blocklength
            # Ids are delta-encoded from 0 in each block; `initial` adds the segment offset.
            ids.extend(islice(accumulate(block_ids, initial=offset), 1, None))
            if block_weights is None:
                weights.extend(repeat(1.0, n))
            elif isinstance(block_weights, float):
                weights.extend(repeat(block_weights, n))
            else:
                weights.extend(block_weights)
            if values is not None:
                values.extend(block_values if block_values is not None else repeat(None, n))
        if m._lastblock:
            return
        previous_max = block_max
        m._goto(m._nextoffset)


def read_generic(m, offset: int, out: Postings, within: list[int] | None,  # noqa: ANN001
                  ) -> None:
    wanted = None if within is None else set(within)
    while m.is_active():
        doc = m.id() + offset
        if wanted is None or doc in wanted:
            out.ids.append(doc)
            out.weights.append(m.weight())
            if out.values is not None:
                out.values.append(m.value())
        m.next()




def positions_arrays(values: list[bytes], fmt) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
    """Decode Whoosh Positions values (a 4-byte count, then a pickled list of deltas) in one
    go: return each value's count and all their positions, value after value (int64).

    The values are joined and their pickle heads and ends cut away with array operations, so a
    single C call unpickles all the deltas as one list of lists; the counts check the result.
    Anything unexpected is decoded one by one by `fmt` (the field's Whoosh Format).
    """
    n = len(values)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=n)
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)
    ends = np.cumsum(lengths)
    starts = ends - lengths
    if (lengths >= 7).all() and (raw[starts + 4] == 0x80).all() \
            and (raw[starts + 5] == 2).all() and (raw[ends - 1] == ord(".")).all():
        counts = ((raw[starts].astype(np.int64) << 24) | (raw[starts + 1].astype(np.int64) << 16)
                  | (raw[starts + 2].astype(np.int64) << 8) | raw[starts + 3])
        keep = np.ones(len(raw), dtype=bool)
        for cut in range(6):
            keep[starts + cut] = False
        keep[ends - 1] = False
        try:
            deltas = loads(b"\x80\x02(" + raw[keep].tobytes() + b"l.")  # noqa: S301 - the index's own data
        except Exception:  # noqa: BLE001 - fall back to Whoosh's own decoding
            deltas = None
        if isinstance(deltas, list) and len(deltas) == n and np.array_equal(
                np.fromiter(map(len, deltas), dtype=np.int64, count=n), counts):
            flat = np.fromiter(chain.from_iterable(deltas), dtype=np.int64,
                               count=int(counts.sum()))
            return counts, _running_sums(flat, counts)
    decoded = [fmt.decode_positions(v) for v in values]
    counts = np.fromiter(map(len, decoded), dtype=np.int64, count=n)
    return counts, np.fromiter(chain.from_iterable(decoded), dtype=np.int64,
                               count=int(counts.sum()))


def _running_sums(deltas: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the running sums of `deltas`, restarting at each group of `counts`."""
    sums = np.cumsum(deltas)
    before = np.concatenate((np.zeros(1, dtype=np.int64), sums))[np.cumsum(counts) - counts]
    return sums - np.repeat(before, counts)


# -- a searcher's postings, read sparsely -------------------------------------------------------

#: Read only the blocks holding wanted documents when there are fewer wanted documents than
#: this share of the term's postings (each block is 128 postings; its header is read anyway).
SPARSE = 0.25

_Docs = set[int] | frozenset[int]


class PostingsReader:
    """Reads a searcher's postings of a term as lists: whole, or only the blocks holding wanted
    docnums; and the encoded positions of a term in given docnums (for phrases)."""

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
