"""What a document is stored under in PostgreSQL: one `tsvector` of our own analysis's terms.

PostgreSQL never analyses our text: the vector is written as a tsvector literal of the terms
`analysis` gives (Sastrawi stems, protected words, hyphenated parts), so PostgreSQL's 'simple'
parser never sees (and never splits or lowercases) a letter number such as
``012/hk.01.01/k.ji-29/03/2024``. Queries are built the same way (`pg_query`).

One vector holds every field of the Whoosh schema (`schema.build_schema`):

- the stemmed words of the title (weight A), the file name (B, `names.filename_terms`), the
  metadata (C) and the content (D), with positions for phrases. Each field starts
  `FIELD_GAP` positions after the previous one ends, so a phrase never spans two fields;
- keys without positions, in their own namespaces (a prefix with "=", which no word holds):
  ``n=`` the letter number, ``c=`` the classification code, ``g=`` the regulation the
  document is, ``f=`` every regulation it cites (`regnum`), ``r=`` every unstemmed word (what
  a prefix query expands against).

PostgreSQL's limits are kept: positions above 16383 are stored as 16383 (a phrase deeper in a
long text is not found as a phrase, its words still are), at most 256 positions per term, terms
of at most 2046 bytes, and the whole vector under 1 MB (`MAX_VECTOR_BYTES`: keys and title
first, the content's rarest late words are the ones left out).
"""

from __future__ import annotations

from earsip.search.analysis import IndonesianAnalyzer
from earsip.search.names import filename_terms, name_words
from earsip.search.query import normalize_classification, normalize_number
from earsip.search.regnum import mentions, own_numbers
from earsip.search.values import IndexDoc

#: Positions between the end of one field and the start of the next (no phrase spans them).
FIELD_GAP = 100
MAX_POSITION = 16383
MAX_POSITIONS_PER_TERM = 256
MAX_TERM_BYTES = 2046
#: Below PostgreSQL's 1 MB limit of one tsvector, with room for its own headers.
MAX_VECTOR_BYTES = 900_000

NUMBER, CLASSIFICATION, REGNO, REGREF, RAW = "n=", "c=", "g=", "f=", "r="

_STEMMING = IndonesianAnalyzer(stemming=True)
_RAW = IndonesianAnalyzer(stemming=False)


def quote(lexeme: str) -> str:
    """Return `lexeme` quoted for a tsvector or tsquery literal (backslash and quote escaped)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def meta_text(doc: IndexDoc) -> str:
    """Return the metadata field's text (number, sender, recipient, description, tags)."""
    return "\n".join(part for part in (doc.number, doc.sender, doc.recipient, doc.description,
                                       *doc.tags) if part)


class _Vector:
    """Terms with their positions and weights, in the order they were first added."""

    def __init__(self) -> None:
        self.terms: dict[str, list[str]] = {}
        self.size = 0
        self.full = False

    def _room(self, term: str) -> bool:
        if term in self.terms:
            return True
        length = len(term.encode("utf-8"))
        if not term or length > MAX_TERM_BYTES or self.full:
            return False
        if self.size + length + 8 > MAX_VECTOR_BYTES:
            self.full = True
            return False
        self.size += length + 8
        self.terms[term] = []
        return True

    def key(self, term: str) -> None:
        self._room(term)

    def field(self, kept: list[tuple[int, str]], start: int, weight: str) -> int:
        """Add a field's (position, term)s from position `start`; return the next free one."""
        end = start
        for pos, term in kept:
            at = min(start + pos, MAX_POSITION)
            end = max(end, at + 1)
            if not self._room(term):
                continue
            places = self.terms[term]
            if len(places) < MAX_POSITIONS_PER_TERM:
                places.append(f"{at}{weight}")
                self.size += 2
        return min(end + FIELD_GAP, MAX_POSITION)

    def literal(self) -> str:
        return " ".join(quote(term) + (":" + ",".join(places) if places else "")
                        for term, places in self.terms.items())

    def length(self) -> int:
        """Return how many distinct words the text fields hold (keys not counted)."""
        return sum(1 for places in self.terms.values() if places)


def vector_literal(doc: IndexDoc) -> str:
    """Return the tsvector literal `doc` is stored under (see the module)."""
    return vector(doc)[0]


def vector(doc: IndexDoc) -> tuple[str, int]:
    """Return the tsvector literal `doc` is stored under (see the module) and the number of
    distinct words of its text fields (the length its rank is normalised by)."""
    v = _Vector()
    if doc.number and doc.number.strip():
        v.key(NUMBER + normalize_number(doc.number))
    v.key(CLASSIFICATION + normalize_classification(doc.classification))
    for key in own_numbers(doc.title, doc.content):
        v.key(REGNO + key)
    meta = meta_text(doc)
    for key in mentions(doc.title, meta, doc.content):
        v.key(REGREF + key)
    name = (doc.filename or "").strip()
    pos = 1
    pos = v.field(_STEMMING._kept(doc.title), pos, "A")
    if name:
        pos = v.field(filename_terms(name), pos, "B")
    pos = v.field(_STEMMING._kept(meta), pos, "C")
    # The unstemmed words (the Whoosh schema's prefix field: every text field and the file
    # name's words): the short fields' before the content, should the content fill the vector.
    for _, term in _RAW._kept("\n".join((doc.title, meta, " ".join(name_words(name))))):
        v.key(RAW + term)
    v.field(_STEMMING._kept(doc.content), pos, "")
    for _, term in _RAW._kept(doc.content):
        v.key(RAW + term)
    return v.literal(), v.length()
