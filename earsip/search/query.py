"""Parse the user's query text into a Whoosh query.

Syntax: words (all must match), "phrases", OR, AND, NOT, -word, +word, (groups), prefix*.
A letter number (012/HK.01.01/K.JI-29/03/2024) or a classification code (PM.01.02) typed as
it is also matches the number and classification fields. There is no field syntax: a user
cannot reach the id, security or any other field by typing its name.

A prefix needs at least PREFIX_MIN_CHARS (3) characters before the "*" and expands to at
most PREFIX_MAX_TERMS (200) indexed words per segment, the most frequent first: rarer
completions of a short common prefix such as "pen*" are not searched.
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher

from earsip.errors import QuerySyntaxError
from earsip.search.analysis import analyze
from earsip.search.regnum import QUERY_RE, query_key

TEXT_FIELDS = ("title", "meta", "content", "filename")
PREFIX_FIELD = "raw"

#: Fewest characters before a trailing "*".
PREFIX_MIN_CHARS = 3
#: Most terms one prefix expands to, most frequent first (per index segment). Indonesian
#: prefixes such as "pen*" or "ber*" match thousands of words; unioning them all took
#: seconds, and the rarest of them are the least likely to be what the user meant.
PREFIX_MAX_TERMS = 200

_CLASSIFICATION_RE = re.compile(r"[A-Za-z]{1,4}(?:\.\d{1,4})+")
_LEX_RE = re.compile(
    r'\s*(?:(?P<phrase>"[^"]*")|(?P<open>\()|(?P<close>\))|(?P<quote>")|'
    rf"(?P<reg>{QUERY_RE.pattern})|"
    r'(?P<word>[^\s()"]+))'
)
#: A regulation asked for by its number (search/regnum.py): the document that is it ranks
#: above every one that only cites it (a tier apart from the words' BM25 scores), and one that
#: cites it in any wording ranks above one that merely holds the typed words.
REGNO_BOOST = 1000.0
REGREF_BOOST = 100.0
_OPERATORS = {"OR", "AND", "NOT"}


class CappedPrefix(wq.Prefix):
    """A prefix query that expands to at most `cap` terms, the most frequent first."""

    def __init__(self, fieldname: str, text: str, cap: int = PREFIX_MAX_TERMS) -> None:
        super().__init__(fieldname, text)
        self.cap = cap

    def _btexts(self, ixreader):  # noqa: ANN001, ANN202 - Whoosh's signature
        candidates = (
            (terminfo.doc_frequency(), btext)
            for btext, terminfo in ixreader.iter_prefix(self.fieldname, self.text)
        )
        return [btext for _, btext in heapq.nlargest(self.cap, candidates)]

    def matcher(self, searcher, context=None):  # noqa: ANN001, ANN201 - Whoosh's signature
        # Every match scores the same, so read the postings into one sorted id list instead
        # of unioning hundreds of term matchers document by document (p95 322 -> 40 ms measured).
        reader = searcher.reader()
        docnums: set[int] = set()
        for btext in self._btexts(reader):
            docnums.update(reader.postings(self.fieldname, btext).all_ids())
        if not docnums:
            return NullMatcher()
        return ListMatcher(sorted(docnums), all_weights=self.boost)


def normalize_number(number: str) -> str:
    """Return a letter number in the form stored in the index (trimmed, lowercase)."""
    return " ".join(number.split()).lower()


def normalize_classification(code: str) -> str:
    """Return a classification code in the form stored in the index (trimmed, uppercase)."""
    return code.strip().upper()


def classification_query(code: str) -> wq.Query:
    """Return a query for `code` and its children on code boundaries (PM -> PM, PM.01)."""
    code = normalize_classification(code).rstrip(".")
    return wq.Or([wq.Term("classification", code), wq.Prefix("classification", code + ".")])


@dataclass
class _Lexeme:
    kind: str  # "word", "phrase", "reg", "open", "close", "OR", "AND", "NOT"
    text: str = ""


def _lex(text: str) -> list[_Lexeme]:
    lexemes: list[_Lexeme] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _LEX_RE.match(text, pos)
        if m is None:  # only trailing whitespace is left
            break
        pos = m.end()
        if m.group("phrase") is not None:
            lexemes.append(_Lexeme("phrase", m.group("phrase")[1:-1]))
        elif m.group("reg") is not None:
            lexemes.append(_Lexeme("reg", m.group("reg")))
        elif m.group("open"):
            lexemes.append(_Lexeme("open"))
        elif m.group("close"):
            lexemes.append(_Lexeme("close"))
        elif m.group("quote"):
            raise QuerySyntaxError('Tanda kutip (") tidak ditutup.', field="q")
        else:
            word = m.group("word")
            lexemes.append(_Lexeme(word if word in _OPERATORS else "word", word))
    return lexemes


class _Parser:
    """Recursive descent over the lexemes; returns a Whoosh query or None (nothing to find)."""

    def __init__(self, lexemes: list[_Lexeme]) -> None:
        self.lexemes = lexemes
        self.pos = 0

    def peek(self) -> _Lexeme | None:
        return self.lexemes[self.pos] if self.pos < len(self.lexemes) else None

    def next(self) -> _Lexeme:
        lexeme = self.lexemes[self.pos]
        self.pos += 1
        return lexeme

    def parse(self) -> wq.Query | None:
        result = self.parse_or()
        if self.peek() is not None:  # only a stray ")" stops parse_or early
            raise QuerySyntaxError("Tanda kurung tutup tanpa pasangan.", field="q")
        return result

    def parse_or(self) -> wq.Query | None:
        branches = [self.parse_and()]
        while (lexeme := self.peek()) is not None and lexeme.kind == "OR":
            self.next()
            branches.append(self.parse_and())
        kept = [b for b in branches if b is not None]
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else wq.Or(kept)

    def parse_and(self) -> wq.Query | None:
        required: list[wq.Query] = []
        banned: list[wq.Query] = []
        seen_operand = False
        while (lexeme := self.peek()) is not None and lexeme.kind not in ("OR", "close"):
            if lexeme.kind == "AND":
                self.next()
                nxt = self.peek()
                if not seen_operand or nxt is None or nxt.kind in ("OR", "AND", "close"):
                    raise _operator_error("AND")
                continue
            negated, q = self.parse_unary()
            seen_operand = True
            if q is not None:
                (banned if negated else required).append(q)
        if not seen_operand:
            nxt = self.peek()
            prev = self.lexemes[self.pos - 1] if self.pos > 0 else None
            if (prev is not None and prev.kind == "OR") or (nxt is not None and nxt.kind == "OR"):
                raise _operator_error("OR")
            if nxt is not None and nxt.kind == "close":
                raise QuerySyntaxError("Tanda kurung tutup tanpa pasangan.", field="q")
            raise QuerySyntaxError("Kueri pencarian tidak berisi kata.", field="q")
        if not required and not banned:
            return None
        if not required:
            positive: wq.Query = wq.Every()
        elif len(required) == 1:
            positive = required[0]
        else:
            positive = wq.And(required)
        if not banned:
            return positive
        return wq.AndNot(positive, banned[0] if len(banned) == 1 else wq.Or(banned))

    def parse_unary(self) -> tuple[bool, wq.Query | None]:
        lexeme = self.peek()
        assert lexeme is not None
        if lexeme.kind == "NOT":
            self.next()
            nxt = self.peek()
            if nxt is None or nxt.kind in _OPERATORS or nxt.kind == "close":
                raise _operator_error("NOT")
            negated, q = self.parse_unary()
            return (not negated), q
        if lexeme.kind == "word" and len(lexeme.text) > 1 and lexeme.text[0] in "-+":
            self.next()
            return lexeme.text[0] == "-", word_query(lexeme.text[1:])
        return False, self.parse_primary()

    def parse_primary(self) -> wq.Query | None:
        lexeme = self.next()
        if lexeme.kind == "open":
            if (nxt := self.peek()) is not None and nxt.kind == "close":
                raise QuerySyntaxError("Tanda kurung kosong.", field="q")
            inner = self.parse_or()
            if (nxt := self.peek()) is None or nxt.kind != "close":
                raise QuerySyntaxError("Tanda kurung buka tidak ditutup.", field="q")
            self.next()
            return inner
        if lexeme.kind == "phrase":
            return phrase_query(lexeme.text)
        if lexeme.kind == "reg":
            return regulation_query(lexeme.text)
        return word_query(lexeme.text)


def _operator_error(op: str) -> QuerySyntaxError:
    return QuerySyntaxError("Operator %(op)s harus diapit kata pencarian.", field="q",
                            params={"op": op})


def _text_query(terms: list[str]) -> wq.Query | None:
    if not terms:
        return None
    if len(terms) == 1:
        return wq.Or([wq.Term(f, terms[0]) for f in TEXT_FIELDS])
    return wq.Or([wq.Phrase(f, terms) for f in TEXT_FIELDS])


def phrase_query(text: str) -> wq.Query | None:
    """Return the query for a quoted phrase (None when it holds only stopwords)."""
    return _text_query(analyze(text))


def prefix_query(word: str) -> wq.Query:
    """Return the capped prefix query for `word` ending in "*"; validate its length."""
    stem = word[:-1].lower()
    if "*" in stem or "?" in stem:
        raise QuerySyntaxError("Tanda * hanya boleh di akhir kata.", field="q")
    if len(stem) < PREFIX_MIN_CHARS:
        raise QuerySyntaxError(
            "Pencarian awalan memerlukan minimal %(n)d huruf sebelum tanda *, misalnya pemus*.",
            field="q", params={"n": PREFIX_MIN_CHARS},
        )
    return CappedPrefix(PREFIX_FIELD, stem)


def word_query(word: str) -> wq.Query | None:
    """Return the query for one typed word: text fields, plus number/classification if it fits."""
    if word.endswith("*"):
        return prefix_query(word)
    if "*" in word:
        raise QuerySyntaxError("Tanda * hanya boleh di akhir kata.", field="q")
    alternatives: list[wq.Query] = []
    text_q = _text_query(analyze(word))
    if text_q is not None:
        alternatives.extend(text_q.subqueries)
    if any(c.isdigit() for c in word):
        alternatives.append(wq.Term("number", normalize_number(word)))
    if _CLASSIFICATION_RE.fullmatch(word):
        alternatives.extend(classification_query(word).subqueries)
    if not alternatives:
        return None
    return wq.Or(alternatives)


def regulation_query(text: str) -> wq.Query | None:
    """Return the query for a regulation number typed in any wording ("Nomor 5 Tahun 2020",
    "UU 11/2008"): the regulation itself, documents citing it, or all the typed words."""
    key = query_key(text)
    words = [q for q in map(word_query, text.split()) if q is not None]
    typed = words[0] if len(words) == 1 else wq.And(words) if words else None
    if key is None:
        return typed
    alternatives: list[wq.Query] = [wq.Term("regno", key, boost=REGNO_BOOST),
                                    wq.Term("regref", key, boost=REGREF_BOOST)]
    if typed is not None:
        alternatives.append(typed)
    return wq.Or(alternatives)


def parse_query(text: str) -> wq.Query | None:
    """Return the Whoosh query for the user's text; None when nothing searchable is left."""
    lexemes = _lex(text)
    if not lexemes:
        return None
    return _Parser(lexemes).parse()


def highlight_spec(text: str) -> tuple[set[str], list[str]]:
    """Return (stemmed terms, raw prefixes) a snippet should mark for the query `text`."""
    terms: set[str] = set()
    prefixes: list[str] = []
    try:
        lexemes = _lex(text)
    except QuerySyntaxError:
        lexemes = [_Lexeme("word", w) for w in text.replace('"', " ").split()]
    negate_next = False
    for lexeme in lexemes:
        if lexeme.kind == "NOT":
            negate_next = True
            continue
        if lexeme.kind not in ("word", "phrase", "reg"):
            negate_next = False
            continue
        word = lexeme.text
        if negate_next or (lexeme.kind == "word" and word[:1] == "-"):
            negate_next = False
            continue
        negate_next = False
        if lexeme.kind == "word" and word[:1] == "+":
            word = word[1:]
        if lexeme.kind == "word" and word.endswith("*"):
            stem = word.rstrip("*").lower()
            if len(stem) >= PREFIX_MIN_CHARS and "*" not in stem:
                prefixes.append(stem)
            continue
        terms.update(analyze(word))
    return terms, prefixes
