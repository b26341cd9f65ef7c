"""Full-text search over filed documents; the only package that imports Whoosh."""

from earsip.search.index import SearchIndex
from earsip.search.query import PREFIX_MAX_TERMS, PREFIX_MIN_CHARS
from earsip.search.values import Hit, IndexDoc, SearchPage, SearchQuery

__all__ = [
    "PREFIX_MAX_TERMS",
    "PREFIX_MIN_CHARS",
    "Hit",
    "IndexDoc",
    "SearchIndex",
    "SearchPage",
    "SearchQuery",
]
