"""The index rebuild: the fast analysis path, the bulk writer, resuming and the switch-over.

Rebuilds go through the configured backend (`indexing.rebuild` -> `SearchBackend.rebuild`);
the tests of the Whoosh engine's own mechanics (its analysis path and writers, the REBUILD
files and record, the postings cache) are marked `whoosh`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, select, update
from whoosh import fields, index
from whoosh.filedb.filestore import FileStorage

from earsip.errors import SearchUnavailable
from earsip.models import Document, DocumentText, IndexQueue
from earsip.search import SearchQuery, bulkwrite, open_backend
from earsip.search import rebuild as rebuild_mod
from earsip.search.analysis import (
    STOPWORDS,
    IndonesianAnalyzer,
    indonesian_analyzer,
    raw_analyzer,
    reference_analyzer,
)
from earsip.search.index import SearchIndex
from earsip.search.schema import build_schema, check_schema, doc_fields
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.operations import setup
from earsip.services.search import indexing

WORDS = (  # noqa: SIM905 - a word list reads better as text
    "pemusnahan dimusnahkan musnah arsip surat keputusan keberatan pelanggaran pengawasan "
    "undang-undang perundang-undangan PM.01.02 K.JI-29 1.000.000 Rp. 012/HK.01.01/2024 "
    "Pemilu kepemiluan peserta tembusan PENGUMUMAN Bawaslu Mojokerto ÀÉÎ İstanbul Straße "
    "ﬁle naïve x_y __ a..b -x- 2024 keberatannya diawasi pengawas"
).split() + sorted(STOPWORDS)[:15]
SEPARATORS = (" ", ", ", "/", "\n", ". ", "-", "..", " (", ") ", "\t", "—")


def varied_texts(count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    texts = ["", "   ", "yang dan di", "arsip"]
    for _ in range(count):
        words = [rnd.choice(WORDS) for _ in range(rnd.randint(1, 80))]
        texts.append("".join(w + rnd.choice(SEPARATORS) for w in words))
    return texts


def add_documents(archive: Archive, count: int, *, words: str = "") -> list[int]:
    """Insert `count` documents with their texts straight into the database (not indexed)."""
    rnd = random.Random(count)
    rows, texts = [], []
    for i in range(count):
        text = " ".join(rnd.choice(WORDS) for _ in range(60)) + f" dokumen{i} {words}"
        rows.append({
            "title": f"Surat nomor {i}", "number": f"{i:03d}/HK.01/2024",
            "document_date": dt.date(2020 + i % 5, 1 + i % 12, 1 + i % 28),
            "classification_code": "KA.00", "security": "biasa", "sender": "Bawaslu",
            "recipient": None, "description": None, "original_filename": f"{i}.pdf",
            "mime": "application/pdf", "size": len(text),
            "sha256": hashlib.sha256(f"{text}{time.time_ns()}".encode()).hexdigest(),
            "pages": 1, "storage_path": f"synthetic/{time.time_ns()}-{i}.pdf",
            "text_status": "extracted", "phase": "aktif",
        })
        texts.append(text)
    with archive.db.write() as session:
        office_id = offices.default_office_id(session)
        for row in rows:
            row["office_id"] = office_id
        ids = session.scalars(
            insert(Document).returning(Document.id, sort_by_parameter_order=True), rows).all()
        session.execute(insert(DocumentText), [
            {"document_id": i, "text": t} for i, t in zip(ids, texts, strict=True)])
    return list(ids)


def database_ids(archive: Archive) -> set[int]:
    with archive.db.read() as session:
        return set(session.scalars(select(Document.id)).all())


def everything(archive: Archive) -> SearchQuery:
    return SearchQuery(text="", max_security=3, per_page=1)


class Interrupt(Exception):
    """Raised by a progress callback to stop a rebuild midway."""


def stop_after(commits: int):  # noqa: ANN201 - a callback
    seen = []

    def progress(n: int) -> None:
        seen.append(n)
        if len(seen) >= commits:
            raise Interrupt

    return progress


# -- the fast analysis path ---------------------------------------------------------------------


@pytest.mark.parametrize("stemming", [True, False])
@pytest.mark.parametrize("options", [
    {}, {"positions": True}, {"positions": True, "start_pos": 5}, {"mode": "query"},
    {"mode": "index", "positions": True}, {"chars": True, "positions": True},
    {"removestops": False, "positions": True}, {"keeporiginal": True},
])
@pytest.mark.whoosh
def test_the_fast_analyzer_yields_exactly_the_reference_tokens(stemming, options):
    fast, reference = IndonesianAnalyzer(stemming), reference_analyzer(stemming=stemming)
    keys = ("text", "pos", "startchar", "endchar", "stopped", "boost", "original")
    for text in varied_texts(400):
        expected = [tuple(getattr(t, k, None) for k in keys) for t in reference(text, **options)]
        got = [tuple(getattr(t, k, None) for k in keys) for t in fast(text, **options)]
        assert got == expected, text


@pytest.mark.whoosh
@pytest.mark.parametrize("stemming", [True, False])
def test_term_positions_group_the_positions_of_the_reference_tokens(stemming):
    reference = reference_analyzer(stemming=stemming)
    for text in varied_texts(300):
        expected: dict[str, list[int]] = {}
        for t in reference(text, positions=True):
            expected.setdefault(t.text, []).append(t.pos)
        assert IndonesianAnalyzer(stemming).term_positions(text) == expected, text


@pytest.mark.whoosh
def test_the_fast_analyzer_equals_its_reference_for_the_schema_check(tmp_path, caplog):
    old = build_schema()
    for name in ("title", "meta", "content"):
        old[name].analyzer = reference_analyzer(stemming=True)
    old["raw"].analyzer = reference_analyzer(stemming=False)
    ix = index.create_in(str(tmp_path), old, indexname="MAIN")
    with caplog.at_level(logging.WARNING):
        check_schema(index.open_dir(str(tmp_path), indexname="MAIN").schema)
    assert "analysis differs" not in caplog.text
    assert ix.schema["content"].analyzer != indonesian_analyzer()  # different classes ...
    assert raw_analyzer() != indonesian_analyzer()


@pytest.mark.whoosh
def test_a_really_different_analysis_still_warns(tmp_path, caplog):
    changed = build_schema()
    changed["content"].analyzer = reference_analyzer(stemming=False)
    with caplog.at_level(logging.WARNING):
        check_schema(changed)
    assert "analysis differs" in caplog.text and "content" in caplog.text


# -- the bulk writer ----------------------------------------------------------------------------


def index_contents(path: Path, indexname: str) -> dict[str, object]:
    """Everything searchable in an index, keyed by document id rather than docnum."""
    ix = index.open_dir(str(path), indexname=indexname)
    with ix.reader() as reader:
        ids = {docnum: stored["id"] for docnum, stored in reader.iter_docs()}
        postings = {}
        for fieldname, term in reader.all_terms():
            m = reader.postings(fieldname, term)
            entries = []
            while m.is_active():
                entries.append((ids[m.id()], m.weight(), m.value()))
                m.next()
            postings[(fieldname, term)] = sorted(entries)
        lengths = {(ids[d], f): reader.doc_field_length(d, f)
                   for d in ids for f in ("title", "meta", "content")}
        columns = {f: sorted((ids[d], v) for d, v in enumerate(reader.column_reader(f))
                             if d in ids)  # deleted documents keep their column values
                   for f in ("classification", "year", "date")}
        stats = {f: (reader.field_length(f), reader.max_field_length(f))
                 for f in ("title", "meta", "content")}
    return {"postings": postings, "lengths": lengths, "columns": columns, "stats": stats}


def whoosh_own_index(path: Path, batches: list[tuple[list, list[int]]]) -> None:
    """Write `batches` of (documents to add or replace, ids to delete) with Whoosh's own
    writer, one commit per batch: the reference for our writers."""
    reference = SearchIndex(path)
    reference.ensure()
    reference.close()
    ix = index.open_dir(str(path), indexname="MAIN")
    for docs, deleted in batches:
        writer = ix.writer()
        for doc in docs:
            writer.update_document(**doc_fields(doc))
        for doc_id in deleted:
            writer.delete_by_term("id", str(doc_id))
        writer.commit()
    ix.close()


@pytest.mark.whoosh
def test_the_live_writer_builds_the_same_index_as_whooshs_own_writer(tmp_path, archive):
    """Batches added, replaced and deleted through `SearchIndex` (merges included) leave the
    same postings, lengths and columns as Whoosh's own writer given the same batches."""
    add_documents(archive, 160)
    with archive.db.read() as session:
        docs = indexing._load(session, sorted(database_ids(archive)))
    changed = [replace(d, content=d.content + " arsip tambahan " + d.title) for d in docs[10:40]]
    batches = [(docs[i:i + 20], []) for i in range(0, 160, 20)]
    batches += [(changed, [3, 50, 51]), (docs[100:105], [])]
    whoosh_own_index(tmp_path / "whoosh", batches)
    live = SearchIndex(tmp_path / "live")
    live.ensure()
    for upserted, deleted in batches:
        live.upsert(upserted)
        if deleted:
            live.delete(deleted)
    live.close()
    assert index_contents(tmp_path / "live", "MAIN") == index_contents(tmp_path / "whoosh", "MAIN")


@pytest.mark.whoosh
def test_the_bulk_writer_builds_the_same_index_as_whooshs_own_writer(tmp_path, archive):
    add_documents(archive, 250)
    with archive.db.read() as session:
        docs = indexing._load(session, sorted(database_ids(archive)))
    whoosh_own_index(tmp_path / "plain", [(docs, [])])
    indexing.rebuild(archive, procs=1, commit_every=10_000)
    archive.index.close()
    assert index_contents(archive.config.index_dir, "MAIN") == index_contents(
        tmp_path / "plain", "MAIN")


@pytest.mark.whoosh
def test_the_bulk_writer_spills_sorted_runs_and_merges_them_back(tmp_path, archive, monkeypatch):
    add_documents(archive, 120)
    monkeypatch.setattr(bulkwrite, "_POSTING_BYTES", 10**9)  # a run every 10,000 postings
    monkeypatch.setattr(bulkwrite, "_RUN_CHUNK", 777)
    with archive.db.read() as session:
        docs = indexing._load(session, sorted(database_ids(archive)))
    whoosh_own_index(tmp_path / "plain", [(docs, [])])
    indexing.rebuild(archive, procs=1, commit_every=10_000)
    archive.index.close()
    assert index_contents(archive.config.index_dir, "MAIN") == index_contents(
        tmp_path / "plain", "MAIN")


# -- rebuilding, interrupted and resumed ---------------------------------------------------------


@pytest.mark.queue
def test_a_rebuild_interrupted_midway_resumes_and_ends_equal_to_the_database(archive):
    add_documents(archive, 1000)
    with pytest.raises(Interrupt):
        indexing.rebuild(archive, procs=1, commit_every=200, progress=stop_after(2))
    assert indexing.rebuild_pending(archive)
    assert archive.index.doc_count() == 0  # the live index was not touched
    result = indexing.rebuild(archive, procs=1, commit_every=200)
    assert result.resumed == 400
    assert result.indexed == 1000
    assert not indexing.rebuild_pending(archive)
    assert indexing.index_matches_database(archive)
    assert archive.index.indexed_ids() == database_ids(archive)


@pytest.mark.queue
def test_searches_during_an_interrupted_rebuild_answer_from_the_old_index(archive):
    old = add_documents(archive, 30, words="lamapertama")
    indexing.rebuild(archive, procs=1)
    add_documents(archive, 600, words="barukedua")
    with pytest.raises(Interrupt):
        indexing.rebuild(archive, procs=1, commit_every=200, progress=stop_after(2))
    searcher_view = open_backend(archive.config)  # another process's view
    for ix in (archive.index, searcher_view):
        assert ix.search(SearchQuery(text="lamapertama", max_security=3)).total == len(old)
        assert ix.search(SearchQuery(text="barukedua", max_security=3)).total == 0
        assert ix.doc_count() == len(old)
    searcher_view.close()
    indexing.rebuild(archive, procs=1)
    assert archive.index.search(SearchQuery(text="barukedua", max_security=3)).total == 600
    assert indexing.index_matches_database(archive)


@pytest.mark.whoosh
def test_without_a_live_index_an_interrupted_rebuild_makes_searches_fail_not_come_back_empty(
        archive):
    add_documents(archive, 400)
    archive.index.close()
    for name in os.listdir(archive.config.index_dir):
        if "MAIN" in name:
            os.remove(archive.config.index_dir / name)
    with pytest.raises(Interrupt):
        indexing.rebuild(archive, procs=1, commit_every=100, progress=stop_after(1))
    fresh = SearchIndex(archive.config.index_dir)
    with pytest.raises(SearchUnavailable, match="dibangun ulang"):
        fresh.search(everything(archive))
    fresh.close()
    setup.initialise(archive)  # start-up finishes the rebuild
    assert indexing.index_matches_database(archive)


@pytest.mark.queue
def test_documents_changed_during_a_rebuild_are_replayed_after_the_switch(archive):
    ids = add_documents(archive, 600)
    indexing.rebuild(archive, procs=1)
    changed, removed = ids[0], ids[1]

    def meanwhile(n: int) -> None:
        if meanwhile.done:
            return
        meanwhile.done = True
        # An edit and a deletion of documents the rebuild has already passed, indexed live.
        with archive.db.write() as session:
            session.execute(update(Document).where(Document.id == changed)
                            .values(title="Surat zebrakuda"))
            session.execute(delete(DocumentText).where(DocumentText.document_id == removed))
            session.execute(delete(Document).where(Document.id == removed))
            indexing.enqueue(session, changed)
            indexing.enqueue(session, removed, "delete")
        assert indexing.process_queue(archive) == 2

    meanwhile.done = False
    result = indexing.rebuild(archive, procs=1, commit_every=200, progress=meanwhile)
    assert result.replayed >= 2
    hits = archive.index.search(SearchQuery(text="zebrakuda", max_security=3))
    assert [h.id for h in hits.hits] == [changed]
    assert removed not in archive.index.indexed_ids()
    assert indexing.index_matches_database(archive)
    with archive.db.read() as session:
        assert session.scalars(select(IndexQueue)).all() == []


def test_a_document_filed_during_a_rebuild_and_left_queued_is_indexed_after_the_switch(archive):
    add_documents(archive, 300)

    def meanwhile(n: int) -> None:
        if not meanwhile.ids:
            meanwhile.ids = add_documents(archive, 1, words="terlambatdatang")
            with archive.db.write() as session:
                indexing.enqueue(session, meanwhile.ids[0])

    meanwhile.ids = []
    indexing.rebuild(archive, procs=1, commit_every=100, progress=meanwhile)
    hits = archive.index.search(SearchQuery(text="terlambatdatang", max_security=3))
    assert [h.id for h in hits.hits] == meanwhile.ids
    assert indexing.index_matches_database(archive)


@pytest.mark.whoosh
def test_the_switch_over_leaves_no_stale_files(archive):
    add_documents(archive, 500)
    with pytest.raises(Interrupt):
        indexing.rebuild(archive, procs=1, commit_every=100, progress=stop_after(2))
    indexing.rebuild(archive, procs=1, commit_every=100)
    folder = archive.config.index_dir
    ix = index.open_dir(str(folder), indexname="MAIN")
    live = {s.segment_id() for s in ix._segments()}
    for name in os.listdir(folder):
        assert "REBUILD" not in name and not name.startswith(".rebuild"), name
        if name.startswith("MAIN_") and name != "MAIN_WRITELOCK":
            assert name.split(".")[0] in live, name
    tocs = [n for n in os.listdir(folder) if n.endswith(".toc")]
    assert tocs == [f"_MAIN_{ix.latest_generation()}.toc"]


@pytest.mark.whoosh
def test_a_second_rebuild_while_one_runs_is_refused(archive):
    with rebuild_mod.Rebuild(archive.config.index_dir), pytest.raises(
            SearchUnavailable, match="proses lain"):
        indexing.rebuild(archive, procs=1)


@pytest.mark.whoosh
def test_a_rebuild_killed_with_sigkill_resumes_in_a_new_process(archive, config):
    add_documents(archive, 2400)
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path

        from config import make_test_config
        from earsip.search import reindex
        from earsip.services import Archive
        from earsip.services.search import indexing

        if __name__ == "__main__":
            reindex.MIN_PARALLEL = 0
            folder = Path({str(config.index_dir.parent)!r})
            archive = Archive.open(make_test_config(folder, database_url={config.database_url!r}))

            def progress(n):
                print("committed", n, flush=True)
                time.sleep(3600)  # stay killable right after the first commit

            indexing.rebuild(archive, procs=2, commit_every=800, progress=progress)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[1])
    try:
        line = proc.stdout.readline()
        assert line.startswith("committed"), line
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()
    progress = rebuild_mod.read_progress(archive.config.index_dir)
    assert progress is not None and progress.count >= 800
    result = indexing.rebuild(archive, procs=2, commit_every=800)
    assert result.resumed == progress.count
    assert result.indexed == 2400
    assert indexing.index_matches_database(archive)
    assert archive.index.indexed_ids() == database_ids(archive)


@pytest.mark.queue
def test_earsip_reindex_says_it_continues_an_interrupted_rebuild(runner, archive):
    add_documents(archive, 300)
    with pytest.raises(Interrupt):
        indexing.rebuild(archive, procs=1, commit_every=100, progress=stop_after(1))
    archive.index.close()
    result = runner("reindex")
    assert result.exit_code == 0, result.output
    assert "Melanjutkan" in result.output
    assert "tidak diulang" in result.output
    assert "300 dokumen" in result.output
    assert indexing.index_matches_database(archive)


@pytest.mark.whoosh
def test_a_schema_made_by_hand_with_the_fast_analyzer_pickles_by_reference(tmp_path):
    schema = fields.Schema(body=fields.TEXT(analyzer=indonesian_analyzer()))
    index.create_in(str(tmp_path), schema, indexname="X")
    restored = index.open_dir(str(tmp_path), indexname="X").schema
    assert restored["body"].analyzer == indonesian_analyzer()
    assert FileStorage(str(tmp_path)).file_exists("_X_0.toc")


@pytest.mark.whoosh
def test_warming_an_unreadable_index_at_server_start_is_logged_not_raised(archive, caplog):
    from earsip.services.search.indexing import warm_search

    archive.index.close()
    folder = archive.config.index_dir
    tocs = [name for name in os.listdir(folder) if name.endswith(".toc")]
    assert tocs
    for name in tocs:
        os.truncate(folder / name, 10)
    warm_search(archive)
    assert "not warmed" in caplog.text


@pytest.mark.whoosh
def test_warming_a_readable_index_at_server_start_returns_at_once(archive):
    from earsip.services.search.indexing import warm_search

    warm_search(archive)
    assert archive.index.wait_warm(30)
