"""The PostgreSQL search backend: its vectors keep our analysis's terms whole, and its entries
are written in the transaction that changes the document (no queue, no catch-up, no rebuild).

Runs when the tests run on PostgreSQL (EARSIP_TEST_DATABASE_URL); the tests of what the
services do with it, when it is also the configured backend (EARSIP_SEARCH_BACKEND=postgres).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, delete, select, text, update

from earsip.models import Document, DocumentText, IndexQueue
from earsip.search import IndexDoc, SearchQuery
from earsip.search.pg import PostgresIndex
from earsip.search.pg_terms import vector_literal
from earsip.services import Archive
from earsip.services.operations import setup
from earsip.services.search import indexing
from tests.conftest import PG_URL, SEARCH_BACKEND
from tests.test_reindex import add_documents

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL (EARSIP_TEST_DATABASE_URL)")
configured = pytest.mark.skipif(SEARCH_BACKEND != "postgres",
                                reason="needs EARSIP_SEARCH_BACKEND=postgres")

NUMBER = "012/HK.01.01/K.JI-29/03/2024"


def _doc(**overrides: object) -> IndexDoc:
    values: dict[str, object] = {
        "id": 1, "title": "Serah terima perangkat", "number": NUMBER,
        "classification": "pm.01.02", "document_date": dt.date(2024, 3, 12), "security": 0,
        "mime": "application/pdf",
        "content": "Diserahkan printer TOPAS-8820 sesuai Peraturan Bawaslu Nomor 5 Tahun 2020.",
    }
    values.update(overrides)
    return IndexDoc(**values)  # type: ignore[arg-type]  # the fields' own types, as given


def _matches(vector: str, tsquery: str) -> bool:
    engine = create_engine(PG_URL or "")
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(text("SELECT CAST(:v AS tsvector) @@ CAST(:q AS tsquery)"),
                                    {"v": vector, "q": tsquery}))
    finally:
        engine.dispose()


@pytest.mark.parametrize("tsquery", [
    "'n=012/hk.01.01/k.ji-29/03/2024'",  # the letter number, whole and lowercased
    "'c=PM.01.02'", "'c=PM.':*",  # the classification code, and as a parent's child
    "'topas-8820'", "'topas'", "'8820'",  # a hyphenated identifier, whole and by its parts
    "'k.ji-29'", "'hk.01.01'",  # the letter number's parts, as our tokenizer splits it
    "'f=5/2020'",  # the regulation it cites
    "'serah':A <-> 'terima':A", "'serah'", "'r=diserahkan'", "'r=diser':*",  # stems, prefixes
    "'printer' <-> 'topas-8820'",  # a phrase through an identifier (its parts share its place)
])
def test_numbers_codes_and_hyphenated_parts_survive_in_the_stored_vector(tsquery):
    assert _matches(vector_literal(_doc()), tsquery)


@pytest.mark.parametrize("tsquery", [
    "'-8820'",  # what to_tsvector('simple', …) makes of TOPAS-8820 (with 'topas', no whole)
    "'terima' <-> 'printer'",  # a phrase does not run from the title into the content
    "'perangkat':D",  # a word of the title only is weighted as the title's
    "'g=5/2020'",  # the letter cites the regulation; it is not the regulation
])
def test_the_stored_vector_holds_nothing_postgresql_would_have_made_up(tsquery):
    assert not _matches(vector_literal(_doc()), tsquery)


def test_quotes_and_backslashes_in_a_number_are_stored_as_typed():
    vector = vector_literal(_doc(number="it's 5\\2020"))
    assert _matches(vector, "'n=it''s 5\\\\2020'")


def test_a_huge_text_stays_within_postgresqls_limit_of_one_vector(config):
    backend = PostgresIndex(PG_URL or "")
    try:
        backend.ensure()
        words = " ".join(f"kata{i}x" for i in range(300_000))
        assert backend.upsert([_doc(content="Printer TOPAS-8820. " + words)]) == 1
        for typed in ("serah", "perangkat", "perang*", NUMBER, "topas-8820"):
            page = backend.search(SearchQuery(text=typed, max_security=3))
            assert [h.id for h in page.hits] == [1], typed
    finally:
        backend.delete([1])
        backend.close()


# -- written in the document's own transaction ------------------------------------------------


def _rows(archive: Archive) -> set[int]:
    return archive.index.indexed_ids()


def _queue(archive: Archive) -> list[IndexQueue]:
    with archive.db.read() as session:
        return list(session.scalars(select(IndexQueue)).all())


@configured
def test_a_committed_change_is_searchable_at_once_with_no_queue_left(archive):
    ids = add_documents(archive, 3, words="kudaterbang")
    assert _rows(archive) == set()  # inserted straight into the tables, nothing queued
    with archive.db.write() as session:
        for doc_id in ids:
            indexing.enqueue(session, doc_id)
    assert _queue(archive) == []
    page = archive.index.search(SearchQuery(text="kudaterbang", max_security=3))
    assert sorted(h.id for h in page.hits) == ids
    assert indexing.process_queue(archive) == 0


@configured
def test_a_transaction_that_fails_leaves_neither_the_change_nor_its_search_entry(archive):
    ids = add_documents(archive, 1)
    with pytest.raises(RuntimeError), archive.db.write() as session:
        session.execute(update(Document).where(Document.id == ids[0])
                        .values(title="Surat zebrakuda"))
        indexing.enqueue(session, ids[0])
        session.flush()
        raise RuntimeError("the filing fails after its index work was queued")
    assert _rows(archive) == set()
    assert _queue(archive) == []
    assert archive.index.search(SearchQuery(text="zebrakuda", max_security=3)).total == 0


@configured
def test_a_search_entry_commits_and_rolls_back_with_its_document(archive):
    ids = add_documents(archive, 2)
    with archive.db.write() as session:
        indexing.enqueue(session, ids[0])
        indexing.enqueue(session, ids[1])
    with pytest.raises(RuntimeError), archive.db.write() as session:
        session.execute(update(Document).where(Document.id == ids[0]).values(title="Rahasia",
                                                                              security="rahasia"))
        indexing.enqueue(session, ids[0])
        session.flush()
        raise RuntimeError("rolled back")
    # The raised class was rolled back with the row: a biasa reader still finds the document.
    page = archive.index.search(SearchQuery(text="surat", max_security=0))
    assert sorted(h.id for h in page.hits) == ids
    with archive.db.write() as session:
        session.execute(delete(DocumentText).where(DocumentText.document_id == ids[1]))
        session.execute(delete(Document).where(Document.id == ids[1]))
        indexing.enqueue(session, ids[1], "delete")
    assert _rows(archive) == {ids[0]}


@configured
def test_a_personal_document_never_gets_a_search_entry(archive):
    ids = add_documents(archive, 1, words="identitasku")
    with archive.db.write() as session:
        session.execute(update(Document).where(Document.id == ids[0]).values(personal=True))
        indexing.enqueue(session, ids[0])
    assert _rows(archive) == set()


@configured
def test_start_up_rebuilds_nothing_and_reindex_recomputes_the_entries(archive):
    ids = add_documents(archive, 5)
    with archive.db.write() as session:
        for doc_id in ids:
            indexing.enqueue(session, doc_id)
    result = setup.initialise(archive)
    assert (result.reindexed, result.queued_indexed) == (0, 0)
    archive.index.delete(ids[:2])
    archive.index.upsert([_doc(id=999_999)])  # an entry without a document
    assert indexing.reindex(archive) == 5
    assert _rows(archive) == set(ids)
    assert indexing.index_matches_database(archive)


def test_the_relevance_set_ranks_alike_on_both_backends(config, tmp_path, monkeypatch):
    from bench.relevance import evaluate

    results = {}
    for backend in ("whoosh", "postgres"):
        monkeypatch.setenv("EARSIP_SEARCH_BACKEND", backend)
        results[backend] = evaluate(tmp_path / backend)
    whoosh, postgres = results["whoosh"], results["postgres"]
    for cls, figures in whoosh["classes"].items():
        for name, value in figures.items():
            assert abs(postgres["classes"][cls][name] - value) <= 0.05, (cls, name)
    assert [c["rank"] for c in postgres["cases"]] == [c["rank"] for c in whoosh["cases"]]


class _Source:
    """A rebuild source of two documents; a transaction writes the first's newer state
    between the rebuild's reading of its batch and its writing."""

    def __init__(self, backend: PostgresIndex) -> None:
        self.backend = backend

    def count(self) -> int:
        return 2

    def mark(self):  # noqa: ANN201 - a RebuildMark
        from earsip.search import RebuildMark

        return RebuildMark(queued_before=0, started_at=dt.datetime(2026, 1, 1))

    def batches(self, after_id: int):  # noqa: ANN201 - batches of IndexDoc
        stale = [_doc(id=1, title="Judul lama"), _doc(id=2, title="Kedua")]
        self.backend.upsert([_doc(id=1, title="Judul baru")])  # committed meanwhile
        yield 2, stale

    def catch_up(self, touched: set[int], mark: object) -> int:
        return 0


def test_a_rebuild_never_overwrites_an_entry_written_after_it_read_the_batch(config):
    backend = PostgresIndex(PG_URL or "")
    try:
        backend.ensure()
        backend.upsert([_doc(id=3, title="Dokumen yang sudah dihapus")])
        result = backend.rebuild(_Source(backend))
        assert result.indexed == 2
        assert backend.indexed_ids() == {1, 2}  # the entry of no document given is removed
        found = backend.search(SearchQuery(text="baru", max_security=3))
        assert [h.id for h in found.hits] == [1]
        assert backend.search(SearchQuery(text="lama", max_security=3)).total == 0
    finally:
        backend.close()
