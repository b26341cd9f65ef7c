"""The user's query as a PostgreSQL `tsquery` over the vectors of `pg_terms`, and the filters.

The text is parsed by the one parser of the project (`query.parse_query`: words, "phrases",
OR/AND/NOT, -word, +word, groups, prefix*, letter numbers, classification codes and regulation
numbers), so both backends read a query alike; its tree is then written as a tsquery:

- a word on the text fields: its stem (the fields are told apart by weight, not by name);
- a phrase: its stems joined by ``<->`` (hyphenated parts share their identifier's position,
  as in the Whoosh index);
- a prefix: ``'r=stem':*`` over the unstemmed words. Whoosh expands a prefix to its
  `PREFIX_MAX_TERMS` most frequent words; here every word with the prefix matches (GIN
  answers a prefix without expanding it term by term). `PREFIX_MIN_CHARS` holds alike;
- a letter number, a classification code (and its children), a regulation number: their
  keys (``n=``, ``c=``, ``g=``, ``f=``); the regulation's own and cited keys also give the
  boosts of `query.REGNO_BOOST` and `query.REGREF_BOOST`, added to the rank in SQL;
- AND, OR and NOT as ``&``, ``|`` and ``!`` (a query of negations only matches every other
  document, as in Whoosh).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import query as wq

from earsip.search.filters import MAX_SECURITY
from earsip.search.pg_terms import CLASSIFICATION, NUMBER, RAW, REGNO, REGREF, quote
from earsip.search.query import PREFIX_FIELD, TEXT_FIELDS, normalize_classification
from earsip.search.values import SearchQuery

_KEY_FIELDS = {"number": NUMBER, "classification": CLASSIFICATION, "regno": REGNO,
               "regref": REGREF}
_PREFIX_FIELDS = {PREFIX_FIELD: RAW, "classification": CLASSIFICATION}


@dataclass
class TsQuery:
    """A query as tsquery text (None: every document), the keys that add to the rank, and
    the words and phrases sought (not negated) that the rank weighs, as lists of lexemes."""

    text: str | None
    boosts: list[tuple[str, float]] = field(default_factory=list)
    sought: list[tuple[str, ...]] = field(default_factory=list)


def weighted(lexemes: tuple[str, ...], weight: str) -> str:
    """Return the tsquery of a word or phrase found in the fields of one weight only."""
    return " <-> ".join(f"{quote(lexeme)}:{weight}" for lexeme in lexemes)


class _Everything:
    """A query node matching every document (Whoosh's Every)."""


EVERY = _Everything()


def translate(q: wq.Query) -> TsQuery:
    """Return the tsquery of a parsed query (`query.parse_query`)."""
    boosts: list[tuple[str, float]] = []
    sought: list[tuple[str, ...]] = []
    node = _node(q, boosts, sought)
    return TsQuery(None if node is EVERY else str(node), boosts, list(dict.fromkeys(sought)))


def _node(q: wq.Query, boosts: list[tuple[str, float]],  # noqa: PLR0911, PLR0912
          sought: list[tuple[str, ...]]) -> str | _Everything:
    if isinstance(q, wq.Every):
        return EVERY
    if isinstance(q, wq.AndNot):
        positive = _node(q.a, boosts, sought)
        negative = _node(q.b, [], [])
        if negative is EVERY:
            return "!''"  # nothing: never produced by the parser
        if positive is EVERY:
            return f"!( {negative} )"
        return f"( {positive} ) & !( {negative} )"
    if isinstance(q, wq.And | wq.Or):
        parts = [_node(sub, boosts, sought) for sub in q.subqueries]
        if isinstance(q, wq.Or) and any(p is EVERY for p in parts):
            return EVERY
        texts = list(dict.fromkeys(p for p in parts if isinstance(p, str)))
        if not texts:
            return EVERY
        if len(texts) == 1:
            return texts[0]
        joiner = " & " if isinstance(q, wq.And) else " | "
        return joiner.join(f"( {t} )" for t in texts)
    if isinstance(q, wq.Prefix):  # CappedPrefix too
        namespace = _PREFIX_FIELDS.get(q.fieldname)
        if namespace is None:
            raise TypeError(f"no prefix search on {q.fieldname}")
        return quote(namespace + q.text) + ":*"
    if isinstance(q, wq.Phrase):
        if q.fieldname not in TEXT_FIELDS:
            raise TypeError(f"no phrase on {q.fieldname}")
        sought.append(tuple(q.words))
        return " <-> ".join(quote(w) for w in q.words)
    if isinstance(q, wq.Term):
        if q.fieldname in TEXT_FIELDS:
            sought.append((q.text,))
            return quote(q.text)
        namespace = _KEY_FIELDS.get(q.fieldname)
        if namespace is None:
            raise TypeError(f"no term search on {q.fieldname}")
        lexeme = quote(namespace + q.text)
        if q.boost != 1:
            boosts.append((lexeme, float(q.boost)))
        return lexeme
    raise TypeError(f"query node {type(q).__name__} has no tsquery form")


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def filters(query: SearchQuery) -> tuple[list[str], dict[str, object]]:
    """Return the SQL conditions (on search_entries) and parameters of the query's filters and
    clearance; the clearance and exclusions are also what the rank's statistics see."""
    where: list[str] = []
    params: dict[str, object] = {}
    if query.max_security < MAX_SECURITY:
        where.append("security <= :max_security")
        params["max_security"] = query.max_security
    if query.security is not None:
        where.append("security = :security")
        params["security"] = query.security
    if query.exclude_ids:
        where.append("NOT (document_id = ANY(:exclude))")
        params["exclude"] = sorted(query.exclude_ids)
    if query.classification:
        code = normalize_classification(query.classification).rstrip(".")
        where.append("(classification = :code OR classification LIKE :code_children "
                     "ESCAPE '\\')")
        params["code"] = code
        params["code_children"] = _like_escape(code + ".") + "%"
    if query.year_from is not None:
        where.append("year >= :year_from")
        params["year_from"] = query.year_from
    if query.year_to is not None:
        where.append("year <= :year_to")
        params["year_to"] = query.year_to
    if query.mime:
        where.append("mime = :mime")
        params["mime"] = query.mime.strip().lower()
    return where, params
