"""The Whoosh schema of filed documents and the field values one document is indexed with."""

from __future__ import annotations

import logging

from whoosh import fields, formats
from whoosh.analysis import SpaceSeparatedTokenizer

from earsip.errors import SearchUnavailable
from earsip.search.analysis import (
    analysis_version,
    canonical,
    indonesian_analyzer,
    raw_analyzer,
)
from earsip.search.names import FilenameAnalyzer, name_words
from earsip.search.query import PREFIX_FIELD, normalize_classification, normalize_number
from earsip.search.regnum import mentions, own_numbers
from earsip.search.values import IndexDoc

logger = logging.getLogger(__name__)

#: Weight of a word of the original file name against the same word in the text (the title's
#: is 2).
FILENAME_BOOST = 1.5


class PrefixText(fields.FieldType):
    """Unstemmed words, presence only: the field prefix queries expand against."""

    def __init__(self) -> None:
        self.analyzer = raw_analyzer()
        self.format = formats.Existence()
        self.vector = None
        self.scorable = False
        self.stored = False
        self.unique = False


class Keys(fields.FieldType):
    """Space-separated keys, presence only, scored by the query's boost alone (not BM25)."""

    def __init__(self) -> None:
        self.analyzer = SpaceSeparatedTokenizer()
        self.format = formats.Existence()
        self.vector = None
        self.scorable = False
        self.stored = False
        self.unique = False


def build_schema() -> fields.Schema:
    """Return the index schema; almost nothing is stored, the database holds the text."""
    stemming = indonesian_analyzer()
    return fields.Schema(
        id=fields.ID(unique=True, stored=True),
        title=fields.TEXT(analyzer=stemming, field_boost=2.0),
        # number, sender, recipient, description and tags: one field keeps queries cheap.
        meta=fields.TEXT(analyzer=stemming),
        content=fields.TEXT(analyzer=stemming),
        # The original file name's words (search/names.py): a modest boost over the text, as a
        # name the clerk remembers is a strong hint but names are often generic (scan_0042).
        filename=fields.TEXT(analyzer=FilenameAnalyzer(), field_boost=FILENAME_BOOST),
        **{PREFIX_FIELD: PrefixText()},
        number=fields.ID(),
        # Regulation numbers (search/regnum.py): the one the document is, every one it cites.
        regno=Keys(),
        regref=Keys(),
        classification=fields.ID(sortable=True),
        year=fields.NUMERIC(int, sortable=True),
        date=fields.NUMERIC(int, sortable=True),  # yyyymmdd
        security=fields.NUMERIC(int),
        mime=fields.ID(),
    )


def doc_fields(doc: IndexDoc) -> dict[str, object]:
    """Return the field values `doc` is written to the index with."""
    meta = "\n".join(
        part for part in (doc.number, doc.sender, doc.recipient, doc.description, *doc.tags) if part
    )
    d = doc.document_date
    name = (doc.filename or "").strip()
    values: dict[str, object] = {
        "id": str(doc.id),
        "title": doc.title,
        "meta": meta,
        "content": doc.content,
        PREFIX_FIELD: "\n".join((doc.title, meta, doc.content, " ".join(name_words(name)))),
        "classification": normalize_classification(doc.classification),
        "year": d.year,
        "date": d.year * 10000 + d.month * 100 + d.day,
        "security": int(doc.security),
        "mime": doc.mime.strip().lower(),
    }
    if doc.number and doc.number.strip():
        values["number"] = normalize_number(doc.number)
    if name:
        values["filename"] = name
    own = own_numbers(doc.title, doc.content)
    if own:
        values["regno"] = " ".join(own)
    cited = mentions(doc.title, meta, doc.content)
    if cited:
        values["regref"] = " ".join(cited)
    return values


def _stale(stored: fields.FieldType, current: fields.FieldType) -> bool:
    """Return whether a field of ours was analysed under an older analysis version."""
    if not hasattr(current, "analyzer") or not hasattr(stored, "analyzer"):
        return False
    version = analysis_version(stored.analyzer)
    return version is not None and version != analysis_version(current.analyzer)


def check_schema(stored: fields.Schema) -> None:
    """Raise SearchUnavailable if the index lacks a field or was analysed under another
    `ANALYSIS_VERSION`; warn if its analysis differs otherwise."""
    current = build_schema()
    if set(stored.names()) != set(current.names()) or any(
        _stale(stored[name], current[name]) for name in current.names()
    ):
        # Start-up (and the serving process's catch-up) rebuild an index found unreadable.
        raise SearchUnavailable("Skema indeks pencarian sudah usang; jalankan `earsip reindex`.")
    # Whoosh analyses new documents with the analyzer pickled in the index, queries use the
    # current one: a changed stopword list only takes full effect after a reindex.
    changed = [
        name
        for name in ("title", "meta", "content", "filename", PREFIX_FIELD)
        # canonical(): an index built with the filter chain equals one with the fast analyzer.
        if canonical(stored[name].analyzer) != canonical(current[name].analyzer)
    ]
    if changed:
        logger.warning("search index analysis differs from the code (%s); reindex", changed)
