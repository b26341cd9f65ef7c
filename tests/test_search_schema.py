"""An index made by an older version of the schema or the analysis is rebuilt at start-up."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import os

import pytest
from sqlalchemy import insert
from whoosh import index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

from earsip.errors import SearchUnavailable
from earsip.models import Document, DocumentText
from earsip.search import SearchQuery
from earsip.search.analysis import (
    STOPWORDS,
    WORD_PATTERN,
    IndonesianAnalyzer,
    IndonesianStemFilter,
)
from earsip.search.schema import build_schema, check_schema, doc_fields
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.operations import setup
from earsip.services.search import indexing

# The Whoosh engine's schema and its versions.
pytestmark = pytest.mark.whoosh


def _file(archive: Archive, name: str, text: str) -> int:
    """Insert a document row and its text straight into the database (not indexed)."""
    with archive.db.write() as session:
        office_id = offices.default_office_id(session)
        doc_id = session.scalars(insert(Document).returning(Document.id), [{
            "title": "Surat perintah", "number": None, "document_date": dt.date(2024, 1, 2),
            "classification_code": "KA.00", "security": "biasa", "original_filename": name,
            "mime": "application/pdf", "size": len(text),
            "sha256": hashlib.sha256(name.encode()).hexdigest(), "pages": 1,
            "storage_path": f"synthetic/{name}", "text_status": "extracted", "phase": "aktif",
            "office_id": office_id,
        }]).one()
        session.execute(insert(DocumentText), [{"document_id": doc_id, "text": text}])
    return doc_id


def _replace_live_index(archive: Archive, schema, doc_id: int) -> None:  # noqa: ANN001
    """Put an index of `schema` holding the document where the archive's index is, written
    by Whoosh's own writer with the analysis pickled in that schema: an index that matches
    the database, so only its schema can make start-up rebuild it."""
    archive.index.close()
    folder = archive.config.index_dir
    for name in os.listdir(folder):
        if "MAIN" in name:
            os.remove(folder / name)
    ix = index.create_in(str(folder), schema, indexname="MAIN")
    with archive.db.read() as session:
        doc = session.get(Document, doc_id)
        text = session.get(DocumentText, doc_id)
        values = doc_fields(indexing.index_doc(doc, text.text if text else ""))
    writer = ix.writer()
    writer.add_document(**{k: v for k, v in values.items() if k in schema.names()})
    writer.commit()
    ix.close()


def _version_one_chain(stemming: bool):  # noqa: ANN202 - a Whoosh analyzer
    chain = (RegexTokenizer(WORD_PATTERN) | LowercaseFilter()
             | StopFilter(stoplist=STOPWORDS, minsize=1))
    return chain | IndonesianStemFilter() if stemming else chain


def _older_analysis(schema):  # noqa: ANN001, ANN202
    older = copy.deepcopy(schema)
    for name, field in older.items():
        analyzer = getattr(field, "analyzer", None)
        if isinstance(analyzer, IndonesianAnalyzer):
            analyzer.version = 1
        if name == "content":  # an index from before the fast analyzer: the chain of filters
            field.analyzer = _version_one_chain(stemming=True)
    return older


def test_an_index_without_the_file_name_field_is_rebuilt_at_start_up(archive):
    doc_id = _file(archive, "SP2D_panwascam_2024.pdf", "Pencairan dana honorarium.")
    older = build_schema()
    older.remove("filename")
    _replace_live_index(archive, older, doc_id)
    with pytest.raises(SearchUnavailable):
        check_schema(older)
    result = setup.initialise(archive)
    assert result.reindexed >= 1
    hits = archive.index.search(SearchQuery(text="panwascam", max_security=3)).hits
    assert [h.id for h in hits] == [doc_id]


def test_an_index_analysed_under_an_older_analysis_version_is_rebuilt_at_start_up(archive):
    doc_id = _file(archive, "berita.pdf", "Serah terima printer TOPAS-8820.")
    older = _older_analysis(build_schema())
    with pytest.raises(SearchUnavailable):
        check_schema(older)
    _replace_live_index(archive, older, doc_id)
    assert setup.initialise(archive).reindexed >= 1
    hits = archive.index.search(SearchQuery(text="8820", max_security=3)).hits
    assert [h.id for h in hits] == [doc_id]
    assert indexing.index_matches_database(archive)
