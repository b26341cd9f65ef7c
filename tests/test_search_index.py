"""The search backend, exercised through the `SearchBackend` protocol with a real index in
tmp_path: the configured one (EARSIP_SEARCH_BACKEND, built by the factory; Whoosh by default).

Tests of the Whoosh engine's own workings (its segments and write lock, its two evaluations)
are marked `whoosh`.
"""

from __future__ import annotations

import datetime
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy

from earsip.errors import QuerySyntaxError, SearchUnavailable
from earsip.search import IndexDoc, SearchBackend, SearchQuery
from tests.conftest import PG_URL, SEARCH_BACKEND

LETTER_NUMBER = "012/HK.01.01/K.JI-29/03/2024"


@pytest.fixture
def make_doc():
    def make(doc_id: int, **overrides: object) -> IndexDoc:
        values: dict[str, object] = {
            "id": doc_id,
            "title": f"Dokumen {doc_id}",
            "number": None,
            "classification": "UM.01",
            "document_date": datetime.date(2024, 1, 1),
            "security": 0,
            "mime": "application/pdf",
        }
        values.update(overrides)
        return IndexDoc(**values)

    return make


@pytest.fixture
def index(open_search):
    ix = open_search(index_writer_timeout_s=0.5)
    ix.ensure()
    return ix


@pytest.fixture
def archive(index, make_doc):
    """Index a few dozen small documents and return the index."""
    docs = [
        make_doc(
            1,
            title="Berita acara pemusnahan arsip",
            number=LETTER_NUMBER,
            classification="PM.01.02",
            document_date=datetime.date(2024, 3, 12),
            content="Arsip inaktif telah dimusnahkan sesuai jadwal retensi arsip.",
            tags=("pemusnahan",),
        ),
        make_doc(
            2,
            title="Usul musnah arsip keuangan",
            classification="PM.01.01",
            document_date=datetime.date(2023, 6, 1),
            content="Daftar arsip usul musnah tahun anggaran 2015.",
        ),
        make_doc(
            3,
            title="Surat keberatan peserta pemilu",
            classification="PP.02",
            document_date=datetime.date(2024, 2, 2),
            sender="Partai Contoh",
            content="Pihak pelapor mengajukan keberatan atas putusan.",
        ),
        make_doc(
            4,
            title="Pengiriman barang berat",
            classification="UM.01",
            document_date=datetime.date(2022, 5, 5),
            content="Barang berat dikirim lewat jalur darat.",
        ),
        make_doc(
            5,
            title="Agenda surat masuk dan surat keluar",
            classification="KA.01",
            document_date=datetime.date(2024, 1, 15),
            content="Register surat masuk dan keluar. Hal: laporan kasus sengketa.",
        ),
        make_doc(
            6,
            title="Laporan rahasia penanganan pelanggaran",
            classification="PM.01.02",
            document_date=datetime.date(2024, 4, 1),
            security=2,
            content="Laporan rahasia tentang pemusnahan dokumen.",
        ),
        make_doc(
            7,
            title="Kode PMX bukan PM",
            classification="PMX.01",
            document_date=datetime.date(2021, 1, 1),
            content="Dokumen klasifikasi lain.",
        ),
        make_doc(
            8,
            title="Memo kantor",
            classification="PM",
            document_date=datetime.date(2020, 7, 7),
            mime="image/png",
            content="Memo singkat tentang rapat koordinasi.",
        ),
    ]
    # Filler documents: enough to page through, all classified UM.01 in 2019.
    docs += [
        make_doc(
            100 + i,
            title=f"Nota dinas rutin {i}",
            classification="UM.01",
            document_date=datetime.date(2019, 1, 1) + datetime.timedelta(days=i),
            content="Nota dinas tentang kegiatan rutin kantor.",
        )
        for i in range(25)
    ]
    assert index.upsert(docs) == len(docs)
    return index


def ids(page) -> list[int]:
    return [hit.id for hit in page.hits]


def search(index: SearchBackend, text: str, *, max_security: int = 3, **kwargs: object):
    return index.search(SearchQuery(text=text, max_security=max_security, **kwargs))


# -- words, stemming and protected words -----------------------------------------------------


@pytest.mark.parametrize("word", ["pemusnahan", "dimusnahkan", "musnah"])
def test_pemusnahan_dimusnahkan_and_musnah_find_each_other(archive, word):
    assert set(ids(search(archive, word))) >= {1, 2, 6}


def test_keberatan_does_not_match_berat(archive):
    assert ids(search(archive, "keberatan")) == [3]
    assert ids(search(archive, "berat")) == [4]


@pytest.mark.parametrize("word", ["masuk", "keluar", "kasus", "hal"])
def test_words_common_lists_drop_are_searchable(archive, word):
    assert ids(search(archive, word)) == [5]


def test_pihak_is_searchable(archive):
    assert ids(search(archive, "pihak")) == [3]


def test_sender_and_tags_are_searched(archive):
    assert ids(search(archive, "partai")) == [3]
    assert 1 in ids(search(archive, "pemusnahan"))


def test_a_query_of_only_stopwords_finds_nothing(archive):
    page = search(archive, "yang dan di")
    assert page.total == 0
    assert page.hits == []


# -- query syntax -----------------------------------------------------------------------------


def test_all_words_must_match_by_default(archive):
    assert ids(search(archive, "arsip keuangan")) == [2]


def test_or_matches_either_word(archive):
    assert set(ids(search(archive, "keuangan OR keberatan"))) == {2, 3}


@pytest.mark.parametrize("text", ["arsip NOT keuangan", "arsip -keuangan"])
def test_not_and_minus_exclude_a_word(archive, text):
    found = ids(search(archive, text))
    assert 2 not in found
    assert 1 in found


def test_a_lone_negation_matches_everything_else(archive):
    page = search(archive, "-nota")
    assert page.total == 8


def test_parentheses_group_alternatives(archive):
    assert set(ids(search(archive, "arsip (keuangan OR inaktif)"))) == {1, 2}


def test_a_phrase_matches_the_words_in_order_only(archive):
    assert ids(search(archive, '"jadwal retensi"')) == [1]
    assert ids(search(archive, '"retensi jadwal"')) == []


def test_a_phrase_is_stemmed_like_words(archive):
    # "Usul musnah arsip" (2) is the same phrase once stemmed.
    assert set(ids(search(archive, '"pemusnahan arsip"', max_security=0))) == {1, 2}


def test_a_prefix_finds_words_that_stemming_changes(archive):
    assert set(ids(search(archive, "pemusna*"))) == {1, 6}


def test_a_prefix_also_matches_codes(archive):
    assert 1 in ids(search(archive, "hk.01*"))


@pytest.mark.parametrize("text", ["pe*", "a*", "*", "ab* arsip"])
def test_a_prefix_shorter_than_three_characters_is_a_syntax_error(archive, text):
    with pytest.raises(QuerySyntaxError, match="minimal 3 huruf"):
        search(archive, text)


@pytest.mark.parametrize("text", ["pem*san", "*arsip", "ar**"])
def test_a_star_that_is_not_at_the_end_is_a_syntax_error(archive, text):
    with pytest.raises(QuerySyntaxError):
        search(archive, text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"jadwal retensi', "kutip"),
        ("(arsip OR memo", "kurung"),
        ("arsip)", "kurung"),
        ("()", "kurung"),
        ("OR arsip", "OR"),
        ("arsip OR", "OR"),
        ("arsip AND", "AND"),
        ("NOT", "NOT"),
    ],
)
def test_bad_syntax_raises_a_message_in_bahasa_indonesia(archive, text, message):
    with pytest.raises(QuerySyntaxError, match=message) as info:
        search(archive, text)
    assert info.value.code == "invalid_query"


@pytest.mark.whoosh
def test_prefix_expansion_keeps_only_the_most_frequent_terms(index, make_doc):
    from earsip.search.query import PREFIX_MAX_TERMS

    common = " ".join(f"zzkata{n:03d}" for n in range(PREFIX_MAX_TERMS + 10))
    docs = [make_doc(i, content=common) for i in range(1, 4)]
    docs.append(make_doc(99, content="zzkatalangka"))
    index.upsert(docs)
    assert set(ids(search(index, "zzkata*"))) == {1, 2, 3}
    assert ids(search(index, "zzkatal*")) == [99]


def test_a_letter_number_typed_as_is_finds_its_letter(archive):
    assert ids(search(archive, LETTER_NUMBER)) == [1]
    assert ids(search(archive, LETTER_NUMBER.lower())) == [1]


@pytest.fixture
def identifiers(index, make_doc):
    index.upsert([
        make_doc(1, title="Serah terima perangkat",
                 content="Diserahkan satu unit printer TOPAS-8820 dalam keadaan baik."),
        make_doc(2, title="Inventaris barang",
                 content="Printer Topas tercatat; Topas kedua rusak; kode gudang 8820, 8820."),
        make_doc(3, title="Lain-lain", content="Tidak ada printer di sini."),
    ])
    return index


@pytest.mark.parametrize("text", ["TOPAS", "8820", "topas 8820", "topa*"])
def test_a_part_of_a_hyphenated_identifier_finds_it(identifiers, text):
    assert 1 in ids(search(identifiers, text))


def test_a_hyphenated_identifier_typed_whole_finds_that_identifier_first(identifiers):
    assert ids(search(identifiers, "TOPAS-8820")) == [1]
    assert ids(search(identifiers, '"printer TOPAS-8820"')) == [1]


def test_a_snippet_marks_an_identifier_found_by_a_part(index):
    assert "<mark>TOPAS-8820</mark>" in highlight(index, "8820", "Printer TOPAS-8820 baik.")


@pytest.fixture
def named(index, make_doc):
    index.upsert([
        make_doc(1, title="Surat perintah pencairan dana honorarium",
                 content="Pencairan dana honorarium bulan Januari.",
                 filename="SP2D_panwascam_2024.pdf"),
        make_doc(2, title="Surat perintah pencairan dana sewa",
                 content="Pencairan dana sewa kantor.", filename="scan_0042.pdf"),
        make_doc(3, title="Laporan bulanan", content="Kegiatan bulan Februari.",
                 filename="LaporanBimtekPengawasTPS2024.pdf"),
    ])
    return index


@pytest.mark.parametrize(("text", "expected"), [
    ("SP2D", [1]), ("panwascam", [1]), ("sp2d panwascam", [1]), ('"SP2D panwascam"', [1]),
    ("SP2D_panwascam_2024.pdf", [1]), ("panwas*", [1]), ("bimtek", [3]), ("TPS", [3]),
    ("pdf", []),
])
def test_the_original_file_name_is_searchable_by_its_words(named, text, expected):
    assert ids(search(named, text)) == expected


def test_a_word_of_the_file_name_ranks_its_document_above_one_that_only_shares_the_text(named):
    assert ids(search(named, "pencairan dana scan"))[0] == 2


def test_a_classification_code_typed_as_is_finds_documents_of_that_code(archive):
    assert set(ids(search(archive, "PM.01.02"))) == {1, 6}
    assert set(ids(search(archive, "pm.01.02", max_security=0))) == {1}


def test_field_syntax_cannot_reach_the_security_field(archive):
    page = search(archive, "security:2 laporan", max_security=0)
    assert page.total == 0


# -- filters, totals and facets ---------------------------------------------------------------


def test_a_document_above_the_clearance_is_never_returned_nor_counted(archive):
    page = search(archive, "pemusnahan", max_security=0)
    assert 6 not in ids(page)
    assert page.total == 2
    assert page.facets["classification"] == {"PM.01.02": 1, "PM.01.01": 1}
    assert sum(page.facets["year"].values()) == page.total

    everything = search(archive, "", max_security=0)
    assert everything.total == 32
    assert 6 not in ids(search(archive, "", max_security=0, per_page=100))


def _ranking_pair(make_doc):
    """Two visible documents: "alfa" three times outranks "zulu" twice while both are rare."""
    return [make_doc(1, title="Catatan", content="alfa alfa alfa kata lain"),
            make_doc(2, title="Catatan", content="zulu zulu kata lain lagi"),
            *(make_doc(3 + i, title="Catatan", content="kata lain saja") for i in range(4))]


@pytest.fixture(params=["arrays", "collectors"])
def evaluation(request, monkeypatch):  # Whoosh's: its tests are marked `whoosh`
    """Both evaluations: the array planner, and Whoosh's collectors (its reference)."""
    if request.param == "collectors":
        from earsip.search.collect import Unsupported
        from earsip.search.index import SearchIndex as Index

        def refuse(*args, **kwargs):
            raise Unsupported("reference")

        monkeypatch.setattr(Index, "_by_arrays", refuse)
    return request.param


@pytest.mark.whoosh
def test_hits_keep_their_order_and_scores_when_a_hidden_document_holds_a_query_word(
        index, make_doc, evaluation):
    index.upsert(_ranking_pair(make_doc))
    query = SearchQuery(text="alfa OR zulu", max_security=1)
    before = index.search(query).hits
    assert [h.id for h in before] == [1, 2]
    index.upsert([make_doc(20 + i, title="Rahasia", security=2 + i % 2,
                           content="alfa alfa alfa alfa catatan rahasia panjang sekali")
                  for i in range(6)])
    assert index.search(query).hits == before
    # The same words, searched by someone cleared for the new documents, rank otherwise.
    cleared = index.search(SearchQuery(text="alfa OR zulu", max_security=3)).hits
    assert [h.id for h in cleared][:2] == [2, 1]


@pytest.mark.whoosh
def test_documents_excluded_or_deleted_do_not_weigh_in_the_ranking(index, make_doc, evaluation):
    index.upsert(_ranking_pair(make_doc))
    query = SearchQuery(text="alfa OR zulu", max_security=3)
    before = index.search(query).hits
    # Documents the index still shows as visible but the database now hides (excluded by
    # id), and documents deleted from the index, count as absent.
    index.upsert([make_doc(30 + i, content="alfa alfa alfa alfa kata") for i in range(6)])
    index.delete([30, 31, 32])
    excluded = index.search(SearchQuery(text="alfa OR zulu", max_security=3,
                                        exclude_ids=frozenset({33, 34, 35}))).hits
    assert excluded == before


def test_excluded_ids_are_never_returned_nor_counted(archive):
    page = search(archive, "pemusnahan", exclude_ids=frozenset({1, 999}))
    assert set(ids(page)) == {2, 6}
    assert page.total == 2
    assert page.facets["year"] == {"2023": 1, "2024": 1}


def test_the_classification_filter_matches_on_code_boundaries(archive):
    page = search(archive, "", classification="PM", per_page=100)
    assert set(ids(page)) == {1, 2, 6, 8}
    assert set(ids(search(archive, "", classification="pm.01", per_page=100))) == {1, 2, 6}
    assert set(ids(search(archive, "", classification="PM.01.02"))) == {1, 6}


def test_the_year_range_filter_includes_both_ends(archive):
    page = search(archive, "", year_from=2022, year_to=2023)
    assert set(ids(page)) == {2, 4}
    assert set(page.facets["year"]) == {"2022", "2023"}
    assert set(ids(search(archive, "", year_from=2024, per_page=100))) == {1, 3, 5, 6}
    assert set(ids(search(archive, "", year_to=2020, per_page=100))) == {8} | set(range(100, 125))


def test_the_security_filter_is_still_capped_by_the_clearance(archive):
    assert ids(search(archive, "", security=2, max_security=3)) == [6]
    page = search(archive, "", security=2, max_security=1)
    assert page.total == 0
    assert page.hits == []


def test_the_mime_filter_keeps_one_type(archive):
    assert ids(search(archive, "", mime="image/png")) == [8]


def test_filters_combine_with_the_query_text(archive):
    page = search(archive, "arsip", classification="PM.01.01", year_from=2023)
    assert ids(page) == [2]


def test_an_empty_query_lists_visible_documents_newest_first(archive):
    page = search(archive, "", max_security=0, per_page=5)
    assert ids(page) == [1, 3, 5, 2, 4]
    assert page.total == 32


def test_facets_count_every_matching_document_not_just_the_page(archive):
    page = search(archive, "", per_page=3)
    assert len(page.hits) == 3
    assert page.total == 33
    assert page.facets["classification"]["UM.01"] == 26
    assert sum(page.facets["classification"].values()) == page.total
    assert sum(page.facets["year"].values()) == page.total
    assert page.facets["year"]["2019"] == 25


def test_total_and_facets_count_matches_that_cannot_reach_the_first_page(index, make_doc):
    # Whoosh's top-N shortcuts drop low-scoring alternatives of an OR from its count.
    docs = [
        make_doc(
            i,
            title="koordinasi" if i <= 50 else "catatan",
            classification="PM" if i % 2 else "UM",
            description="koordinasi" if i % 3 == 0 else None,
            content=("koordinasi " if i > 30 else "") + "lain " * (i % 13),
        )
        for i in range(1, 1001)
    ]
    index.upsert(docs)
    lain = sum(1 for i in range(1, 1001) if i % 13)
    both = sum(1 for i in range(1, 1001) if i % 13 and (i <= 50 or i > 30 or i % 3 == 0))
    for text, expected in [("koordinasi OR lain", 1000), ("koordinasi lain", both), ("lain", lain)]:
        page = search(index, text, per_page=5)
        assert page.total == expected, text
        assert sum(page.facets["classification"].values()) == expected
        assert len(page.hits) == 5


def test_pages_follow_each_other_and_a_page_beyond_the_end_is_empty(archive):
    pages = [search(archive, "nota", page=n, per_page=10) for n in (1, 2, 3, 4)]
    assert [len(p.hits) for p in pages] == [10, 10, 5, 0]
    assert {p.total for p in pages} == {25}
    seen = [doc_id for p in pages for doc_id in ids(p)]
    assert sorted(seen) == list(range(100, 125))


def test_results_are_ranked_by_relevance(archive, make_doc):
    archive.upsert(
        [
            make_doc(200, title="Rapat koordinasi", content="koordinasi " * 5),
            make_doc(201, title="Catatan", content="Sekali koordinasi di antara banyak kata lain."),
        ]
    )
    page = search(archive, "koordinasi")
    assert ids(page)[0] == 200
    assert page.hits[0].score > page.hits[-1].score > 0


def test_a_page_number_below_one_is_rejected(archive):
    with pytest.raises(ValueError):
        search(archive, "arsip", page=0)


# -- writing ----------------------------------------------------------------------------------


def test_upsert_replaces_the_document_with_the_same_id(archive, make_doc):
    assert archive.upsert([make_doc(4, title="Pengiriman barang ringan")]) == 1
    assert ids(search(archive, "berat")) == []
    assert ids(search(archive, "ringan")) == [4]
    assert archive.doc_count() == 33


def test_delete_removes_documents_and_counts_only_those_present(archive):
    assert archive.delete([1, 2, 12345]) == 2
    assert ids(search(archive, "musnah")) == [6]
    assert archive.doc_count() == 31
    assert archive.delete([]) == 0


def test_indexed_ids_and_doc_count_reflect_the_index(index, make_doc):
    assert index.indexed_ids() == set()
    assert index.doc_count() == 0
    index.upsert([make_doc(5), make_doc(7)])
    index.upsert([make_doc(5)])
    assert index.indexed_ids() == {5, 7}
    assert index.doc_count() == 2


@pytest.mark.whoosh
def test_optimize_merges_segments_without_changing_results(tmp_path, archive, make_doc):
    archive.upsert([make_doc(300, content="arsip tambahan")])
    before = search(archive, "arsip", per_page=50)
    archive.optimize()
    segments = [name for name in os.listdir(tmp_path / "index") if name.endswith(".seg")]
    assert len(segments) == 1
    after = search(archive, "arsip", per_page=50)
    assert after.total == before.total
    assert set(ids(after)) == set(ids(before))


def test_an_empty_batch_writes_nothing(index):
    assert index.upsert([]) == 0
    assert index.delete([]) == 0


def test_a_failing_batch_is_cancelled_and_leaves_the_index_unchanged(index, make_doc):
    def docs():
        yield make_doc(1)
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        index.upsert(docs())
    assert index.doc_count() == 0
    assert index.upsert([make_doc(2)]) == 1


@pytest.mark.whoosh
def test_a_second_writer_times_out_as_search_unavailable(open_search, index, make_doc):
    other = open_search(index_writer_timeout_s=0.2)

    def docs():
        started = time.monotonic()
        with pytest.raises(SearchUnavailable):
            other.upsert([make_doc(2)])
        assert time.monotonic() - started >= 0.2
        yield make_doc(1)

    assert index.upsert(docs()) == 1
    assert other.upsert([make_doc(2)]) == 1
    assert index.indexed_ids() == {1, 2}


def test_writes_by_another_process_are_seen_by_the_cached_searcher(open_search, index, make_doc):
    assert search(index, "").total == 0
    other = open_search()
    other.upsert([make_doc(1, content="arsip vital")])
    assert ids(search(index, "vital")) == [1]
    other.delete([1])
    assert search(index, "vital").total == 0


def test_concurrent_searches_and_writes_from_threads_stay_consistent(archive, make_doc):
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer() -> None:
        n = 0
        while not stop.is_set() and n < 20:
            archive.upsert([make_doc(500 + n, content="dokumen tambahan")])
            n += 1

    def reader(_: int) -> tuple[int, int]:
        try:
            page = search(archive, "pemusnahan", max_security=0)
            return page.total, len(page.hits)
        except BaseException as e:  # collected and re-raised below
            errors.append(e)
            raise

    thread = threading.Thread(target=writer)
    thread.start()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(reader, range(200)))
    stop.set()
    thread.join()
    assert errors == []
    assert set(results) == {(2, 2)}


# -- opening, health and corruption -----------------------------------------------------------


def test_ensure_creates_a_missing_index_and_can_be_called_again(tmp_path, open_search):
    ix = open_search(index_dir=tmp_path / "new" / "index")
    if SEARCH_BACKEND == "postgres":  # its index is a table of the migrated test database
        engine = sqlalchemy.create_engine(PG_URL or "")
        with engine.begin() as conn:
            conn.execute(sqlalchemy.text("DROP TABLE search_entries"))
        engine.dispose()
    assert ix.is_healthy() is False
    ix.ensure()
    ix.ensure()
    assert ix.is_healthy() is True
    assert ix.doc_count() == 0


def _truncate_segments(path) -> None:
    segments = [name for name in os.listdir(path) if name.endswith(".seg")]
    assert segments
    for name in segments:
        full = os.path.join(path, name)
        os.truncate(full, os.path.getsize(full) // 2)


@pytest.mark.whoosh
def test_a_truncated_segment_makes_the_index_unavailable_and_unhealthy(tmp_path, archive,
                                                                       open_search):
    archive.close()
    _truncate_segments(tmp_path / "index")

    damaged = open_search()
    assert damaged.is_healthy() is False
    with pytest.raises(SearchUnavailable):
        damaged.ensure()
    with pytest.raises(SearchUnavailable):
        search(damaged, "arsip")


@pytest.mark.whoosh
def test_damage_under_an_open_index_is_seen_by_health_checks_and_new_opens(tmp_path, archive,
                                                                           open_search):
    _truncate_segments(tmp_path / "index")
    other = open_search()
    with pytest.raises(SearchUnavailable):
        other.ensure()
    assert archive.is_healthy() is False


@pytest.mark.whoosh
def test_recreate_replaces_a_damaged_index_with_an_empty_one(tmp_path, archive, make_doc):
    from earsip.search.index import SearchIndex

    archive.close()
    _truncate_segments(tmp_path / "index")
    ix = SearchIndex(tmp_path / "index")
    ix.recreate()
    assert ix.is_healthy() is True
    assert ix.doc_count() == 0
    assert not [name for name in os.listdir(tmp_path / "index") if name.endswith(".seg")]
    ix.upsert([make_doc(1, content="arsip baru")])
    assert ids(search(ix, "arsip")) == [1]
    ix.close()


@pytest.mark.whoosh
def test_recreate_empties_a_healthy_index(archive):
    archive.recreate()
    assert archive.doc_count() == 0
    assert search(archive, "").total == 0


# -- snippets ---------------------------------------------------------------------------------


def highlight(index: SearchBackend, query_text: str, text: str, **kwargs: object) -> str:
    return index.highlighter(query_text, **kwargs)(text)


def test_a_snippet_marks_words_with_the_same_stem(index):
    text = "Arsip inaktif telah dimusnahkan. Berita acara pemusnahan ditandatangani."
    snippet = highlight(index, "pemusnahan", text)
    assert "<mark>dimusnahkan</mark>" in snippet
    assert "<mark>pemusnahan</mark>" in snippet
    assert "<mark>Arsip</mark>" not in snippet


def test_a_snippet_escapes_html_and_mark_is_the_only_markup(index):
    text = "<script>alert(1)</script> Surat keberatan & lampiran <b>penting</b>"
    snippet = highlight(index, "keberatan", text)
    assert "<mark>keberatan</mark>" in snippet
    assert "&lt;script&gt;" in snippet
    assert "&amp;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_snippet_does_not_mark_protected_words_for_their_false_stem(index):
    snippet = highlight(index, "berat", "Surat keberatan tentang barang berat.")
    assert "<mark>keberatan</mark>" not in snippet
    assert "<mark>berat</mark>" in snippet


def test_a_snippet_marks_prefixes_and_phrases_but_not_negated_words(index):
    text = "Pemusnahan arsip keuangan dan arsip kepegawaian."
    snippet = highlight(index, 'pemus* "arsip" -keuangan', text)
    assert "<mark>Pemusnahan</mark>" in snippet
    assert "<mark>arsip</mark>" in snippet
    assert "<mark>keuangan</mark>" not in snippet


def test_a_snippet_falls_back_to_the_start_of_the_text(index):
    text = "Isi <dokumen> " + "kata " * 200
    snippet = highlight(index, "tidakada", text, max_chars=50)
    assert snippet.startswith("Isi &lt;dokumen&gt;")
    assert "<mark>" not in snippet
    assert len(snippet) <= 60


def test_a_snippet_tolerates_bad_query_syntax(index):
    assert "<mark>arsip</mark>" in highlight(index, '"arsip (', "Daftar arsip aktif.")


def test_a_snippet_shows_separate_places_within_the_budget(index):
    text = "arsip " + "lorem ipsum " * 200 + "keberatan " + "dolor sit " * 200
    snippet = highlight(index, "arsip keberatan", text, max_chars=200)
    assert "<mark>arsip</mark>" in snippet
    assert "<mark>keberatan</mark>" in snippet
    plain = snippet.replace("<mark>", "").replace("</mark>", "")
    assert len(plain) <= 220


def test_a_snippet_stays_fast_on_multi_megabyte_text(index):
    text = "pemberitahuan penyelenggaraan kegiatan " * 150_000 + "arsip dimusnahkan"
    assert len(text) > 5_000_000
    started = time.perf_counter()
    snippet = highlight(index, "pemusnahan kegiatan", text)
    assert time.perf_counter() - started < 0.5
    assert "<mark>kegiatan</mark>" in snippet
    started = time.perf_counter()
    highlight(index, "hal", text)  # a short root that occurs inside many words
    assert time.perf_counter() - started < 0.5
