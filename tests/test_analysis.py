"""The Indonesian analyzer: tokens, stopwords, stemming and protected words."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from earsip.search import analysis
from earsip.search.analysis import (
    PROTECTED,
    STOPWORDS,
    analyze,
    indonesian_analyzer,
    raw_terms,
    stem,
)

# The Whoosh engine's analyzer (a tokenizer and filters of Whoosh's).
pytestmark = pytest.mark.whoosh


def test_pemusnahan_dimusnahkan_and_musnah_share_one_stem():
    assert analyze("pemusnahan dimusnahkan musnah memusnahkan") == ["musnah"] * 4


def test_keberatan_keeps_its_meaning_instead_of_becoming_berat():
    assert analyze("keberatan") == ["keberatan"]
    assert analyze("berat") == ["berat"]


@pytest.mark.parametrize("word", sorted(PROTECTED))
def test_protected_words_are_not_stemmed(word):
    assert analyze(word) == [word]


def test_a_protected_word_with_a_clitic_is_reduced_to_the_protected_word():
    assert analyze("keberatannya") == ["keberatan"]


def test_other_legal_words_are_stemmed_to_one_concept():
    assert analyze("pelanggaran melanggar dilanggar") == ["langgar"] * 3
    assert analyze("pengawasan mengawasi") == ["awas"] * 2


@pytest.mark.parametrize("word", ["masuk", "keluar", "hal", "kasus", "pihak", "tidak", "nomor"])
def test_meaningful_words_are_not_stopwords(word):
    assert word not in STOPWORDS
    assert analyze(word) == [word]


def test_function_words_are_dropped():
    assert analyze("yang dan di ke dari untuk dengan pada ini itu atau juga dalam") == []


def test_text_is_lowercased():
    assert analyze("SURAT Masuk") == ["surat", "masuk"]


def test_words_with_digits_and_codes_stay_whole_and_unstemmed():
    assert analyze("Pasal 12 tahun 2024 kode PM.01.02 pemilu2024") == [
        "pasal",
        "12",
        "tahun",
        "2024",
        "kode",
        "pm.01.02",
        "pemilu2024",
    ]


def test_a_letter_number_splits_on_slashes_into_searchable_parts():
    assert analyze("012/HK.01.01/K.JI-29/03/2024") == ["012", "hk.01.01", "k.ji-29", "03", "2024"]


def test_a_hyphenated_identifier_is_indexed_whole_and_by_each_part_at_its_place():
    terms = indonesian_analyzer().term_positions("printer TOPAS-8820 baru, kode K.JI-29")
    assert terms == {"printer": [0], "topas-8820": [1], "topas": [1], "8820": [1],
                     "baru": [2], "kode": [3], "k.ji-29": [4], "k.ji": [4], "29": [4]}


def test_a_typed_identifier_stays_whole_in_a_query():
    assert analyze("TOPAS-8820") == ["topas-8820"]


def test_a_reduplicated_word_gets_no_parts():
    assert indonesian_analyzer().term_positions("undang-undang sehari-hari") == {
        "undang": [0], "hari": [1]}


def test_a_reduplicated_word_stems_to_its_root_but_undangan_stays_an_invitation():
    assert analyze("undang-undang perundang-undangan") == ["undang", "undang"]
    assert analyze("undangan") == ["undangan"]


def test_sentence_punctuation_is_not_part_of_a_word():
    assert analyze("arsip. Surat, (berkas)") == ["arsip", "surat", "berkas"]


def test_raw_terms_are_lowercased_but_not_stemmed():
    assert raw_terms("Pemusnahan yang dimusnahkan") == ["pemusnahan", "dimusnahkan"]


def test_stems_are_shared_through_the_index_folder_and_a_stale_file_is_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis, "_stems", {})
    monkeypatch.setattr(analysis, "_new_stems", [])
    monkeypatch.setattr(analysis, "_stem_file", None)
    analysis.use_stem_file(tmp_path)
    assert stem("dimusnahkan") == "musnah"
    analysis.save_stems()
    lines = (tmp_path / analysis.STEM_FILE_NAME).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# earsip stems v1 ")
    assert "dimusnahkan\tmusnah" in lines

    # Another process of the same archive reads it instead of stemming again ...
    monkeypatch.setattr(analysis, "_stems", {})
    monkeypatch.setattr(analysis, "_stem_file", None)
    analysis.use_stem_file(tmp_path)
    assert analysis._stems == {"dimusnahkan": "musnah"}
    # ... skips lines that are not a word and its stem ...
    with (tmp_path / analysis.STEM_FILE_NAME).open("a", encoding="utf-8") as f:
        f.write("<script>\tx\nrusak\n")
    monkeypatch.setattr(analysis, "_stems", {})
    monkeypatch.setattr(analysis, "_stem_file", None)
    analysis.use_stem_file(tmp_path)
    assert analysis._stems == {"dimusnahkan": "musnah"}
    # ... and a file written under other stemming rules is dropped.
    (tmp_path / analysis.STEM_FILE_NAME).write_text("# earsip stems v0 old\nsurat\tsalah\n",
                                                    encoding="utf-8")
    monkeypatch.setattr(analysis, "_stems", {})
    monkeypatch.setattr(analysis, "_stem_file", None)
    analysis.use_stem_file(tmp_path)
    assert analysis._stems == {}
    assert stem("surat") == "surat"


def test_the_analyzer_pickles_by_reference_for_the_index_schema():
    analyzer = indonesian_analyzer()
    data = pickle.dumps(analyzer)
    assert b"earsip.search.analysis" in data
    assert len(data) < 10_000
    restored = pickle.loads(data)  # noqa: S301 - our own bytes
    assert [t.text for t in restored("Pemusnahan arsip")] == ["musnah", "arsip"]
    assert pickle.loads(pickle.dumps(stem)) is stem  # noqa: S301
