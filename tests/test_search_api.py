"""Finding documents through the API: Indonesian stemming, exact numbers, filters, clearance."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, update

from earsip.models import AuditEntry, Document
from earsip.services import Archive
from earsip.services.search import indexing
from tests import filegen
from tests.conftest import SEARCH_BACKEND


@pytest.fixture
def file_pdf(upload, tmp_path: Path):
    """Return a function filing a PDF with the given page texts; it returns the document id."""
    counter = iter(range(1000))

    def make(*pages: str, **fields: str) -> int:
        path = filegen.make_text_pdf(tmp_path / f"doc{next(counter)}.pdf", list(pages))
        r = upload(path, **fields)
        assert r.status_code == 201, r.get_json()
        return r.get_json()["id"]

    return make


def _search(client, headers, **params: str) -> dict:
    r = client.get("/api/v1/search", query_string=params, headers=headers)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_a_filed_pdf_is_found_by_a_word_of_its_text(file_pdf, client, token_for) -> None:
    doc_id = file_pdf("Notulen rapat koordinasi pengawasan pemilu di kecamatan Prajurit Kulon.")
    body = _search(client, token_for("admin"), q="kecamatan")
    assert body["total"] == 1
    hit = body["results"][0]
    assert hit["id"] == doc_id
    assert set(hit) >= {"id", "title", "number", "classification", "document_date", "score",
                        "snippet"}
    assert "<mark>" in hit["snippet"]


@pytest.mark.parametrize("query", ["pemusnahan", "dimusnahkan", "musnah", "memusnahkan"])
def test_indonesian_affixes_do_not_hide_a_document(file_pdf, client, token_for,
                                                   query: str) -> None:
    doc_id = file_pdf("Arsip inaktif tersebut telah dimusnahkan sesuai berita acara.")
    body = _search(client, token_for("admin"), q=query)
    assert [r["id"] for r in body["results"]] == [doc_id]


def test_a_document_is_found_by_the_name_it_was_filed_under(upload, tmp_path: Path, client,
                                                            token_for) -> None:
    path = filegen.make_text_pdf(tmp_path / "berkas.pdf", ["Pencairan dana honorarium."])
    r = upload(path, filename="SP2D_panwascam_2024.pdf", title="Surat perintah")
    assert r.status_code == 201, r.get_json()
    for q in ("SP2D", "panwascam"):
        assert [hit["id"] for hit in _search(client, token_for("admin"), q=q)["results"]] == [
            r.get_json()["id"]], q


def test_a_regulation_asked_for_by_its_number_comes_before_the_documents_citing_it(
        file_pdf, client, token_for) -> None:
    citing = [
        file_pdf("Berdasarkan Peraturan Bawaslu Nomor 5 Tahun 2020, pengawasan dilaksanakan "
                 "sesuai Peraturan Bawaslu Nomor 5 Tahun 2020 dan Nomor 5 Tahun 2020.",
                 title="Surat pemberitahuan pengawasan"),
        file_pdf("LAPORAN SOSIALISASI PERATURAN BAWASLU NOMOR 5 TAHUN 2020. Perbawaslu 5/2020 "
                 "dibahas; Perbawaslu No. 5 Th. 2020 dijelaskan.",
                 title="Laporan Sosialisasi Peraturan Bawaslu Nomor 5 Tahun 2020"),
    ]
    regulation = file_pdf("SALINAN\nPERATURAN BADAN PENGAWAS PEMILIHAN UMUM\nNOMOR 5 TAHUN 2020"
                          "\nTENTANG\nPENGAWASAN PEMUTAKHIRAN DATA PEMILIH",
                          "Pasal 1 Pengawasan dilakukan oleh pengawas pemilu.",
                          title="Perbawaslu tentang pengawasan pemutakhiran data pemilih")
    h = token_for("admin")
    for q in ("Nomor 5 Tahun 2020", "No. 5 Th. 2020", "5/2020", "Peraturan Bawaslu 5/2020"):
        found = [r["id"] for r in _search(client, h, q=q)["results"]]
        assert found[0] == regulation and set(found[1:]) == set(citing), q


def test_a_letter_number_typed_whole_finds_its_letter(file_pdf, client, token_for) -> None:
    target = file_pdf("Undangan rapat pleno.", number="012/HK.01.01/K.JI-29/03/2024",
                      classification="HK.01.01")
    file_pdf("Undangan rapat pleno lain.", number="013/HK.01.01/K.JI-29/03/2024",
             classification="HK.01.01")
    body = _search(client, token_for("admin"), q="012/HK.01.01/K.JI-29/03/2024")
    assert body["results"][0]["id"] == target
    assert body["total"] == 1


def test_phrases_or_not_and_prefixes_follow_the_documented_syntax(file_pdf, client,
                                                                  token_for) -> None:
    a = file_pdf("Rapat koordinasi pengawasan tahapan kampanye.")
    b = file_pdf("Koordinasi rapat anggaran perlengkapan kantor.")
    h = token_for("admin")
    assert {r["id"] for r in _search(client, h, q='"rapat koordinasi"')["results"]} == {a}
    assert {r["id"] for r in _search(client, h, q="kampanye OR anggaran")["results"]} == {a, b}
    assert {r["id"] for r in _search(client, h, q="rapat NOT kampanye")["results"]} == {b}
    assert {r["id"] for r in _search(client, h, q="perlengk*")["results"]} == {b}
    assert {r["id"] for r in _search(client, h, q="rapat kampanye")["results"]} == {a}


def test_filters_narrow_by_code_prefix_year_security_and_type(file_pdf, client,
                                                              token_for) -> None:
    pm = file_pdf("laporan pengawasan", classification="PM.00.02", document_date="2022-05-01")
    ka = file_pdf("laporan persuratan", classification="KA.00", document_date="2024-05-01")
    rahasia = file_pdf("laporan sengketa", classification="KA.00", document_date="2024-06-01",
                       security="rahasia")
    h = token_for("admin")

    def ids(**params: str) -> set[int]:
        return {r["id"] for r in _search(client, h, q="laporan", **params)["results"]}

    assert ids(classification="PM") == {pm}
    assert ids(classification="ka") == {ka, rahasia}
    assert ids(classification="K") == set()  # a prefix matches whole code levels only
    assert ids(year_from="2023") == {ka, rahasia}
    assert ids(year_to="2023") == {pm}
    assert ids(security="rahasia") == {rahasia}
    assert ids(mime="application/pdf") == {pm, ka, rahasia}
    assert ids(mime="image/png") == set()


def test_facets_count_matching_documents_by_full_code_and_year_and_add_up_to_the_total(
        file_pdf, client, token_for) -> None:
    file_pdf("anggaran tahunan", classification="KU.00.00", document_date="2023-01-10")
    file_pdf("anggaran perubahan", classification="KU.00.00", document_date="2024-01-10")
    file_pdf("anggaran belanja", classification="KU.00.03", document_date="2024-02-10")
    body = _search(client, token_for("admin"), q="anggaran", per_page="1")
    assert body["total"] == 3
    assert len(body["results"]) == 1
    assert body["facets"]["classification"] == {"KU.00.00": 2, "KU.00.03": 1}
    assert body["facets"]["year"] == {"2023": 1, "2024": 2}
    assert sum(body["facets"]["classification"].values()) == body["total"]


def test_results_are_paginated(file_pdf, client, token_for) -> None:
    ids = {file_pdf(f"surat edaran nomor {i}") for i in range(5)}
    h = token_for("admin")
    pages = [_search(client, h, q="edaran", per_page="2", page=str(p)) for p in (1, 2, 3, 4)]
    assert [len(p["results"]) for p in pages] == [2, 2, 1, 0]
    assert [r["score"] for p in pages for r in p["results"]] == [1.0, 0.5, 0.3333, 0.25, 0.2]
    assert all(p["total"] == 5 for p in pages)
    assert {r["id"] for p in pages for r in p["results"]} == ids


def test_a_user_never_learns_of_documents_above_their_clearance(file_pdf, client, token_for,
                                                                 make_user) -> None:
    open_id = file_pdf("perkara pelanggaran kampanye", security="biasa",
                       classification="KA.00", document_date="2023-01-01")
    file_pdf("perkara pelanggaran kampanye rahasia", security="rahasia",
             classification="PP.01.02", document_date="2024-01-01")
    file_pdf("perkara pelanggaran kampanye sangat", security="sangat_rahasia",
             classification="PS.00.02", document_date="2025-01-01")
    make_user("staf1", clearance="biasa")
    body = _search(client, token_for("staf1"), q="perkara")
    assert body["total"] == 1
    assert [r["id"] for r in body["results"]] == [open_id]
    assert body["facets"] == {"classification": {"KA.00": 1}, "year": {"2023": 1}}
    # Asking for the hidden class explicitly reveals nothing either.
    assert _search(client, token_for("staf1"), q="perkara", security="rahasia")["total"] == 0
    assert _search(client, token_for("admin"), q="perkara")["total"] == 3


def test_raising_a_documents_security_hides_it_at_once_even_before_the_index_catches_up(
        file_pdf, client, token_for, make_user, archive: Archive) -> None:
    doc_id = file_pdf("laporan dana kampanye")
    make_user("staf2", clearance="biasa")
    assert _search(client, token_for("staf2"), q="kampanye")["total"] == 1
    with archive.db.write() as session:  # as an edit would: change the row, queue the index
        session.execute(update(Document).where(Document.id == doc_id)
                        .values(security="rahasia"))
        indexing.enqueue(session, doc_id)
    body = _search(client, token_for("staf2"), q="kampanye")
    assert body["total"] == 0 and body["results"] == [] and body["facets"]["year"] == {}
    indexing.process_queue(archive)
    assert _search(client, token_for("staf2"), q="kampanye")["total"] == 0


def test_snippets_escape_html_from_the_document_text(upload, tmp_path: Path, client,
                                                     token_for) -> None:
    path = filegen.make_text_pdf(tmp_path / "xss.pdf",
                                 ["laporan <script>alert(1)</script> <img src=x onerror=alert(2)>"])
    assert upload(path).status_code == 201
    snippet = _search(client, token_for("admin"), q="laporan")["results"][0]["snippet"]
    assert "<script>" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet
    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0


def test_a_bad_query_is_a_400_with_a_message(file_pdf, client, token_for) -> None:
    file_pdf("arsip")
    r = client.get("/api/v1/search", query_string={"q": "ar*"}, headers=token_for("admin"))
    assert r.status_code == 400
    assert r.get_json()["error"]["message"]
    r = client.get("/api/v1/search", query_string={"q": "arsip", "year_from": "abc"},
                   headers=token_for("admin"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "year_from"


def test_searches_are_audited_with_their_query(file_pdf, client, token_for,
                                               archive: Archive) -> None:
    file_pdf("arsip statis")
    _search(client, token_for("admin"), q="statis")
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "search")).one()
    assert entry.details["q"] == "statis"


@pytest.mark.whoosh  # holds Whoosh's write lock
def test_filing_succeeds_while_the_index_is_locked_and_the_index_catches_up(
        upload, tmp_path: Path, client, token_for, archive: Archive) -> None:
    from whoosh import index as whoosh_index

    from earsip.search.index import SearchIndex

    archive.index = SearchIndex(archive.config.index_dir, writer_timeout=0.2)
    client.application.extensions["earsip"].index = archive.index
    writer = whoosh_index.open_dir(str(archive.config.index_dir)).writer()
    try:
        path = filegen.make_text_pdf(tmp_path / "kunci.pdf", ["laporan terkunci sementara"])
        r = upload(path)
        assert r.status_code == 201
        with archive.db.read() as session:
            assert indexing.pending_count(session) == 1
    finally:
        writer.cancel()
    assert indexing.process_queue(archive) == 1
    assert _search(client, token_for("admin"), q="terkunci")["total"] == 1


@pytest.mark.whoosh  # holds Whoosh's write lock
def test_the_catch_up_loop_indexes_what_filing_could_not(upload, tmp_path: Path, client,
                                                         token_for, archive: Archive) -> None:
    import threading

    from whoosh import index as whoosh_index

    from earsip.search.index import SearchIndex

    archive.index = SearchIndex(archive.config.index_dir, writer_timeout=0.2)
    client.application.extensions["earsip"].index = archive.index
    writer = whoosh_index.open_dir(str(archive.config.index_dir)).writer()
    try:
        assert upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["susulan indeks"])).status_code \
            == 201
    finally:
        writer.cancel()
    stop = threading.Event()
    loop = threading.Thread(target=indexing.catch_up_forever, args=(archive, stop),
                            kwargs={"interval_s": 0.05})
    loop.start()
    try:
        for _ in range(100):
            with archive.db.read() as session:
                if indexing.pending_count(session) == 0:
                    break
            stop.wait(0.05)
    finally:
        stop.set()
        loop.join()
    assert _search(client, token_for("admin"), q="susulan")["total"] == 1


def test_the_order_a_user_sees_does_not_change_when_documents_above_their_clearance_are_filed(
        file_pdf, client, token_for, make_user) -> None:
    # Alone, "alfa" three times outranks "zulu" twice. Hidden documents full of "alfa" make it
    # a common word over the whole index, which would turn the order round.
    strong = file_pdf("alfa alfa alfa kata lain", security="biasa", title="Catatan")
    weak = file_pdf("zulu zulu kata lain lagi", security="biasa", title="Catatan")
    make_user("staf3", clearance="biasa")
    before = _search(client, token_for("staf3"), q="alfa OR zulu")["results"]
    assert [r["id"] for r in before] == [strong, weak]
    for i in range(5):
        file_pdf(f"alfa alfa rahasia {i}", security="rahasia", title="Catatan")
    after = _search(client, token_for("staf3"), q="alfa OR zulu")["results"]
    assert after == before
    if SEARCH_BACKEND == "whoosh":
        # A user cleared for them ranks with them: the hidden documents did change the figures
        # (Whoosh's BM25 reads corpus statistics; PostgreSQL's rank reads none at all).
        admin = [r["id"] for r in _search(client, token_for("admin"),
                                          q="alfa OR zulu")["results"]]
        assert admin.index(weak) < admin.index(strong)


def test_the_order_and_scores_of_visible_hits_reveal_nothing_about_hidden_documents(
        file_pdf, client, token_for, make_user) -> None:
    # Two visible hits whose order rests on how rare each word is: many hidden records with
    # one of the words make it common, which must not move the visible hits.
    rare = file_pdf("laporan alfa kegiatan pengawasan tahapan kampanye", security="biasa")
    frequent = file_pdf("laporan zulu zulu zulu kegiatan pengawasan tahapan", security="biasa")
    make_user("staf4", clearance="biasa")

    def seen() -> list[tuple[int, float]]:
        hits = _search(client, token_for("staf4"), q="alfa OR zulu")["results"]
        return [(r["id"], r["score"]) for r in hits]

    before = seen()
    assert sorted(i for i, _ in before) == sorted([rare, frequent])
    for i in range(6):
        file_pdf(f"zulu rahasia berkas {i}", security="rahasia")
    assert seen() == before


def test_results_can_be_sorted_by_relevance_or_by_newest_date(file_pdf, client,
                                                              token_for) -> None:
    old_strong = file_pdf("anggaran anggaran anggaran anggaran belanja", title="Lama",
                          document_date="2019-05-01")
    new_weak = file_pdf("laporan kegiatan dengan satu kata anggaran saja di antara banyak "
                        "kata lain yang tidak berhubungan sama sekali", title="Baru",
                        document_date="2024-05-01")
    middle = file_pdf("rencana anggaran kegiatan", title="Tengah", document_date="2021-05-01")
    h = token_for("admin")
    by_relevance = _search(client, h, q="anggaran")
    by_date = _search(client, h, q="anggaran", sort="date")
    assert [r["id"] for r in by_relevance["results"]][0] == old_strong
    assert [r["id"] for r in by_date["results"]] == [new_weak, middle, old_strong]
    assert by_date["sort"] == "date" and by_date["total"] == by_relevance["total"] == 3
    assert [r["score"] for r in by_date["results"]] == [1.0, 0.5, 0.3333]
    second_page = _search(client, h, q="anggaran", sort="date", per_page="1", page="2")
    assert [r["id"] for r in second_page["results"]] == [middle]


def test_an_unknown_sort_is_refused_with_the_field_named(client, token_for) -> None:
    r = client.get("/api/v1/search", query_string={"q": "x", "sort": "judul"},
                   headers=token_for("admin"))
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "sort"
