"""Full-text search over filed documents; the only package that imports Whoosh.

Services use only what this module exports: the `SearchBackend` protocol, the factory that
builds the configured backend (`open_backend`) and the plain values passed in and out. The
Whoosh engine (`earsip.search.index.SearchIndex` and the modules beside it) is one backend.
"""

from earsip.search.backend import BACKENDS, RebuildSource, SearchBackend, open_backend
from earsip.search.values import (
    Hit,
    IndexDoc,
    RebuildMark,
    RebuildResult,
    SearchPage,
    SearchQuery,
)

__all__ = [
    "BACKENDS",
    "Hit",
    "IndexDoc",
    "RebuildMark",
    "RebuildResult",
    "RebuildSource",
    "SearchBackend",
    "SearchPage",
    "SearchQuery",
    "open_backend",
]
