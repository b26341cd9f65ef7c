"""The boolean-array evaluation gives what the straightforward one (Whoosh's collectors) gives.

A small random index of several segments, with deletions, is searched both ways for every kind
of query the parser builds, with and without filters, clearances and excluded documents: the
totals, the facets and the ranked page must be the same.
"""

from __future__ import annotations

import datetime
import random

import pytest

from earsip.search import IndexDoc, SearchQuery
from earsip.search import collect as collect_module
from earsip.search.boolean_arrays import ArrayEvaluation, supports
from earsip.search.cache import TermArrays
from earsip.search.collect import Unsupported
from earsip.search.index import SearchIndex
from earsip.search.stats import VisibleStats

# The equivalence of the Whoosh engine's two evaluations: Whoosh's own.
pytestmark = pytest.mark.whoosh

WORDS = (  # noqa: SIM905 - a word list reads better as text
    "arsip surat keputusan rapat anggaran pengawasan pemilu laporan kegiatan dinas kota "
    "pelanggaran sengketa berita acara undangan sekretariat panitia kecamatan daftar pemilih "
    "tahapan kampanye logistik rekapitulasi suara saksi pengumuman hasil keberatan perbaikan"
).split()
CODES = ("PM.01", "PM.01.02", "PP.02", "HK.01.01", "KU.03")


def _doc(rng: random.Random, doc_id: int) -> IndexDoc:
    words = [rng.choice(WORDS[: rng.randint(5, len(WORDS))]) for _ in range(rng.randint(5, 60))]
    code = rng.choice(CODES)
    date = datetime.date(rng.randint(2020, 2024), rng.randint(1, 12), rng.randint(1, 28))
    title = " ".join(rng.sample(WORDS, 3))
    # Some regulations (their number heads the title) and documents citing them.
    if doc_id % 11 == 0:
        title = f"Peraturan Bawaslu Nomor {doc_id % 5} Tahun 2021 tentang {title}"
    if doc_id % 7 == 0:
        words.append(f"sesuai Perbawaslu {doc_id % 5}/2021")
    return IndexDoc(
        id=doc_id,
        title=title,
        number=f"{doc_id:03d}/{code}/K.JI-29/{date.month:02d}/{date.year}",
        classification=code,
        document_date=date,
        security=rng.choice((0, 0, 0, 1, 2, 3)),
        mime="application/pdf",
        tags=tuple(rng.sample(("rapat", "pilkada", "anggaran"), rng.randint(0, 2))),
        content=" ".join(words),
    )


@pytest.fixture(scope="module", params=["cached", "uncached"])
def index(request, tmp_path_factory):
    """Several segments with deletions; `cached`: every segment's frequent terms preloaded."""
    rng = random.Random(11)
    cached = request.param == "cached"
    ix = SearchIndex(tmp_path_factory.mktemp("planning") / "index", writer_timeout=5,
                     cache_mb=64 if cached else 0, cache_min_docs=1)
    ix.ensure()
    # Several commits: several segments. Re-filing some documents leaves deletions behind.
    for start in range(1, 241, 60):
        ix.upsert([_doc(rng, i) for i in range(start, start + 60)])
    ix.upsert([_doc(rng, i) for i in range(5, 200, 9)])
    ix.delete([7, 8, 150])
    ix.warm()
    assert ix.wait_warm(30)
    assert (ix.cache_bytes > 0) == cached
    yield ix
    ix.close()


def _reference(index: SearchIndex, query: SearchQuery):
    """Search with the array evaluation switched off (Whoosh's collectors score every match)."""
    original = SearchIndex._by_arrays

    def refuse(*args, **kwargs):
        raise Unsupported("reference")

    SearchIndex._by_arrays = refuse
    try:
        return index.search(query)
    finally:
        SearchIndex._by_arrays = original


def _planned(index: SearchIndex, query: SearchQuery):
    calls = []
    original = collect_module.collect

    def spy(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    collect_module.collect = spy
    try:
        import earsip.search.index as index_module

        index_module.collect = spy
        page = index.search(query)
    finally:
        collect_module.collect = original
        index_module.collect = original
    assert not calls, "the array evaluation fell back to the collectors"
    return page


QUERIES = [
    "arsip",
    "pengawasan",
    "arsip rapat",
    "surat keputusan anggaran",
    '"berita acara"',
    '"rapat anggaran"',
    '"arsip arsip"',
    '"surat keputusan rapat"',
    "peng*",
    "ang*",
    "rek* suara",
    '"berita acara" pemilu',
    "arsip OR sengketa",
    "arsip -rapat",
    "NOT arsip",
    "(rapat OR kampanye) logistik",
    "+saksi -suara",
    "012/PM.01/K.JI-29/03/2021",
    "PM.01",
    "k.ji-29",
    "tidakada",
    '"tidakada arsip"',
    "Nomor 3 Tahun 2021",
    "3/2021 arsip",
    "UU 2/2021 OR rapat",
    "TOPAS-8820 OR k.ji",
    "",
]

FILTERS = [
    {},
    {"max_security": 0},
    {"max_security": 1},
    {"classification": "PM"},
    {"classification": "PM.01", "year_from": 2022, "year_to": 2023},
    {"year_from": 2021},
    {"security": 2},
    {"exclude_ids": frozenset({1, 2, 3, 40, 41, 99, 120})},
    {"max_security": 0, "classification": "PP", "exclude_ids": frozenset({10})},
]


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_the_array_evaluation_equals_the_reference(index, text, filters):
    query = SearchQuery(text=text, **{"max_security": 3, **filters})
    planned = _planned(index, query)
    reference = _reference(index, query)
    assert planned.total == reference.total
    assert planned.facets == reference.facets
    assert [h.id for h in planned.hits] == [h.id for h in reference.hits]
    for mine, theirs in zip(planned.hits, reference.hits, strict=True):
        assert mine.score == pytest.approx(theirs.score, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("page", [1, 2, 5])
def test_later_pages_equal_reference(index, page):
    query = SearchQuery(text="arsip", max_security=3, page=page, per_page=7)
    assert [h.id for h in _planned(index, query).hits] == [
        h.id for h in _reference(index, query).hits
    ]


def test_unsupported_query_falls_back(index):
    from whoosh import query as wq

    with index._lock:
        searcher = index._current_searcher()
        stats = VisibleStats(searcher, index._docnums, index._postings, 3, set())
        arrays = ArrayEvaluation(searcher, index._docnums, stats, None, set())
        assert not supports(wq.FuzzyTerm("content", "arsp"))
        assert not supports(wq.Phrase("content", ["berita", "acara"], slop=2))
        assert supports(wq.Phrase("content", ["berita", "acara"]))
        with pytest.raises(Unsupported):
            arrays.matches(wq.FuzzyTerm("content", "arsp"))


@pytest.mark.parametrize("text", ["arsip", "surat rapat", "k.ji-29", "arsip -rapat", "PM.01",
                                  "peng*", "rek* suara", '"berita acara"', '"arsip arsip"',
                                  '"berita acara" pemilu', "012/PM.01/K.JI-29/03/2021"])
@pytest.mark.parametrize("per_page", [1, 5, 20])
def test_word_queries_are_evaluated_with_arrays_as_the_reference_does(index, monkeypatch, text,
                                                                      per_page):
    vectored = []
    original = SearchIndex._by_arrays

    def spy(self, *args, **kwargs):
        vectored.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SearchIndex, "_by_arrays", spy)
    for page in (1, 2, 3):
        query = SearchQuery(text=text, max_security=3, page=page, per_page=per_page)
        planned = index.search(query)
        reference = _reference(index, query)
        assert planned.total == reference.total
        assert planned.facets == reference.facets
        assert [h.id for h in planned.hits] == [h.id for h in reference.hits]
        for mine, theirs in zip(planned.hits, reference.hits, strict=True):
            assert mine.score == pytest.approx(theirs.score, rel=1e-9, abs=1e-12)
    assert vectored


def test_postings_cache_forgets_segments_merged_away(index):
    """After an optimize only the new segment's terms are kept, and searches still agree."""
    if not index._postings.budget:
        pytest.skip("the cache is off in this variant")
    index.optimize()
    index.warm()
    assert index.wait_warm(30)
    with index._lock:
        segids = {leaf._segid for leaf, _ in index._current_searcher().reader().leaf_readers()}
    assert set(index._postings._segments) == segids
    query = SearchQuery(text="arsip", max_security=3)
    assert index.search(query).total == _reference(index, query).total


def test_postings_of_a_segment_merged_away_are_not_kept_or_counted():
    import numpy as np

    from earsip.search.cache import PostingsCache, TermArrays

    cache = PostingsCache(16)
    gone: dict = {}  # the dict of a segment that sync() has already forgotten
    arrays = TermArrays(np.arange(10), np.ones(10))
    assert not cache._keep("MAIN_gone", gone, ("content", b"arsip"), arrays)
    assert gone == {}
    assert cache.used_bytes == 0


def test_warming_keeps_the_positions_of_frequent_words_for_phrases(index):
    """In the cached variant a phrase of frequent words is checked on positions held in
    memory, and gives what the reference gives."""
    if not index._postings.budget:
        pytest.skip("the cache is off in this variant")
    with index._lock:
        leaf = next(leaf for leaf, _ in index._current_searcher().reader().leaf_readers())
        btext = b"acara"
        kept = index._postings._segments[leaf._segid].get(("content", btext))
    assert kept is not None and kept.positions is not None and kept.counts is not None
    assert int(kept.counts.sum()) == len(kept.positions)
    query = SearchQuery(text='"berita acara"', max_security=3)
    assert _planned(index, query).total == _reference(index, query).total > 0


@pytest.mark.parametrize("lists", [
    [[0]],
    [[3, 7, 300], [1], [65_536, 70_000, 5_000_000]],  # one, two and four bytes a number
    [list(range(0, 6000, 3)), [2, 4]],  # pickled in batches of 1,000
    [[5], [], [9, 10]],
])
def test_positions_decoded_together_equal_whoosh_decoding_each(lists):
    import numpy as np
    from whoosh.formats import Positions

    from earsip.search.postings import positions_arrays

    fmt = Positions()
    values = [fmt.encode(positions) for positions in lists]
    counts, flat = positions_arrays(values, fmt)
    assert counts.tolist() == [len(fmt.decode_positions(v)) for v in values]
    assert flat.tolist() == [p for v in values for p in fmt.decode_positions(v)]
    assert flat.dtype == np.int64


def test_positions_of_an_unexpected_encoding_are_decoded_one_by_one():
    from whoosh.formats import Positions

    from earsip.search.postings import positions_arrays

    class Odd(Positions):  # stores plain text: no pickle head
        def encode(self, poslist):
            return b"####" + ",".join(map(str, poslist)).encode()

        def decode_positions(self, valuestring):
            return [int(p) for p in valuestring[4:].decode().split(",")]

    fmt = Odd()
    counts, flat = positions_arrays([fmt.encode([1, 4]), fmt.encode([2])], fmt)
    assert counts.tolist() == [2, 1]
    assert flat.tolist() == [1, 4, 2]


def _small_index(tmp_path, *, seed: int, n: int) -> SearchIndex:
    """One segment of `n` documents, every segment cached (not yet warmed)."""
    rng = random.Random(seed)
    ix = SearchIndex(tmp_path / "index", writer_timeout=5, cache_mb=16, cache_min_docs=1)
    ix.ensure()
    ix.upsert([_doc(rng, i) for i in range(1, n + 1)])
    return ix


def test_with_the_budget_spent_positions_are_not_read_whole_and_phrases_still_match(tmp_path):
    ix = _small_index(tmp_path, seed=4, n=80)
    try:
        ix.warm()
        assert ix.wait_warm(30)
        cache = ix._postings
        with ix._lock:
            leaf = next(leaf for leaf, _ in ix._current_searcher().reader().leaf_readers())
        segment = cache._segments[leaf._segid]
        key = ("content", b"acara")
        held = segment[key]
        segment[key] = TermArrays(held.ids, held.weights())  # kept without its positions
        cache._used = cache.budget
        assert cache.positions(leaf, *key, leaf.term_info(*key)) is None
        assert segment[key].positions is None
        query = SearchQuery(text='"berita acara"', max_security=3)
        assert _planned(ix, query).total == _reference(ix, query).total > 0
    finally:
        ix.close()


def test_position_keys_place_each_position_after_its_document():
    import numpy as np

    from earsip.search.cache import TermArrays

    arrays = TermArrays(np.array([0, 2, 5]), np.ones(3), np.array([2, 1, 3]),
                        np.array([1, 7, 0, 3, 4, 300]))
    assert arrays.positions is not None and arrays.positions.dtype == np.uint16
    wanted = np.array([True, False, False, False, False, True])
    keys = arrays.position_keys(wanted, offset=10).tolist()
    assert keys == [(10 << 32) + 1, (10 << 32) + 7, (15 << 32) + 3, (15 << 32) + 4,
                    (15 << 32) + 300]
    assert arrays.position_keys(np.zeros(6, dtype=bool), offset=0).tolist() == []


def test_reading_positions_replaces_postings_kept_without_them_in_the_budget():
    import numpy as np

    from earsip.search.cache import PostingsCache, TermArrays

    cache = PostingsCache(16)
    segment: dict = {}
    cache._segments["MAIN_x"] = segment
    plain = TermArrays(np.arange(10), np.ones(10))
    assert cache._keep("MAIN_x", segment, ("content", b"arsip"), plain)
    with_positions = TermArrays(np.arange(10), np.ones(10), np.ones(10), np.arange(10))
    assert cache._keep("MAIN_x", segment, ("content", b"arsip"), with_positions)
    assert segment[("content", b"arsip")] is with_positions
    assert cache.used_bytes == with_positions.nbytes
    # ...but not the other way round
    assert cache._keep("MAIN_x", segment, ("content", b"arsip"), plain)
    assert segment[("content", b"arsip")] is with_positions


def test_filter_arrays_kept_per_searcher_are_bounded(index):
    from earsip.search.stats import MASK_CACHE_SIZE

    for year in range(1900, 1900 + MASK_CACHE_SIZE + 10):
        index.search(SearchQuery(text="arsip", max_security=3, year_from=year))
    assert len(index._docnums.arrays["masks"]) <= MASK_CACHE_SIZE


def test_the_first_search_starts_reading_frequent_terms_into_memory(tmp_path):
    ix = _small_index(tmp_path, seed=3, n=60)
    try:
        assert ix.cache_bytes == 0  # writing alone does not warm
        assert ix.search(SearchQuery(text="arsip", max_security=3)).total > 0
        assert ix.wait_warm(30)
        assert ix.cache_bytes > 0
    finally:
        ix.close()


@pytest.fixture(scope="module")
def clean_index(tmp_path_factory):
    """An index without deletions: facets of most documents come from the few others."""
    rng = random.Random(5)
    ix = SearchIndex(tmp_path_factory.mktemp("clean") / "index", writer_timeout=5)
    ix.ensure()
    ix.upsert([_doc(rng, i) for i in range(1, 121)])
    ix.upsert([_doc(rng, i) for i in range(121, 181)])
    yield ix
    ix.close()


@pytest.mark.parametrize("text", ["k.ji-29", "arsip", "", "sengketa", "arsip OR surat"])
def test_facets_of_most_documents_equal_reference(clean_index, text):
    query = SearchQuery(text=text, max_security=3)
    planned = _planned(clean_index, query)
    reference = _reference(clean_index, query)
    assert planned.total == reference.total
    assert planned.facets == reference.facets
    assert [h.id for h in planned.hits] == [h.id for h in reference.hits]
