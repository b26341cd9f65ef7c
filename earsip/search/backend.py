"""What services know of search: the `SearchBackend` protocol, and the factory that builds the
configured one (`EARSIP_SEARCH_BACKEND`).

Services call a backend only through this protocol and the plain values of `values`; what
engine answers is the configuration's choice: Whoosh (embedded, the default, always installed:
`index.SearchIndex` and the modules beside it) or PostgreSQL's full-text search over the
archive's own database (`pg.PostgresIndex`, which needs a PostgreSQL EARSIP_DATABASE_URL).
Each is one class with these methods and one entry in `BACKENDS`; see docs/CHOICES.md, "One
search interface".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from earsip.search.values import IndexDoc, RebuildMark, RebuildResult, SearchPage, SearchQuery

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from config import Config


class RebuildSource(Protocol):
    """What a rebuild reads from the database; the services give it (`services/indexing`)."""

    def count(self) -> int:
        """Return how many documents the database holds (how a backend sizes its commits)."""
        ...

    def mark(self) -> RebuildMark:
        """Return where the pending-index queue stands now, as a rebuild starts."""
        ...

    def batches(self, after_id: int) -> Iterator[tuple[int, list[IndexDoc]]]:
        """Yield, by increasing id from after `after_id`, (the last id read, its documents to
        index); destroyed records are read but never given."""
        ...

    def catch_up(self, touched: set[int], mark: RebuildMark) -> int:
        """Once the new index is live: apply the database's state of `touched` (written to the
        old index meanwhile) and the queue's work since `mark`; return how many entries."""
        ...


class SearchBackend(Protocol):
    """A full-text index of filed documents that answers searches within a clearance.

    Every method raises `SearchUnavailable` (a 503 for the doors) when the engine cannot be
    read or written now; `search` raises `QuerySyntaxError` for a query it cannot parse.
    """

    # -- opening and health --------------------------------------------------------------

    def ensure(self) -> None:
        """Open the index, creating an empty one where there is none."""
        ...

    def is_healthy(self) -> bool:
        """Return whether the index can be opened and read right now (no side effects)."""
        ...

    def warm(self) -> None:
        """Start whatever makes the first searches fast (a server calls it at start)."""
        ...

    def close(self) -> None:
        """Release files, connections and caches; the next use opens the index again."""
        ...

    # -- writing -------------------------------------------------------------------------

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace `docs` (by id) together; return how many were written."""
        ...

    def delete(self, ids: Iterable[int]) -> int:
        """Remove the documents with these ids; return how many were in the index."""
        ...

    def erase_traces(self) -> None:
        """After a destruction: leave nothing of deleted documents' words in the index's files
        or caches (deletions are otherwise only marks until a merge)."""
        ...

    def writes_with_database(self) -> bool:
        """Return whether index writes belong in the database's write transactions: then the
        services call `write_in` in each transaction that queued index work, and the queue
        is emptied there (Whoosh: False, it is written after the commit)."""
        ...

    def write_in(self, connection: Connection, docs: Iterable[IndexDoc],
                 deleted: Iterable[int]) -> None:
        """Write `docs` and remove the `deleted` ids through `connection`, inside the caller's
        transaction (only for a backend that `writes_with_database`)."""
        ...

    # -- reading -------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of documents matching `query` that its clearance may see, with the
        exact total and facet counts over all of them."""
        ...

    def doc_count(self) -> int:
        """Return how many documents the index holds."""
        ...

    def indexed_ids(self) -> set[int]:
        """Return the ids of the documents the index holds."""
        ...

    def highlighter(self, query_text: str, *, max_chars: int = 300) -> Callable[[str], str]:
        """Return a function giving escaped fragments of a text with the query's words (as this
        engine matches them) wrapped in <mark>."""
        ...

    # -- rebuilding ----------------------------------------------------------------------

    def rebuild(self, source: RebuildSource, *, progress: Callable[[int], None] | None = None,
                procs: int | None = None, commit_every: int | None = None) -> RebuildResult:
        """Rebuild the index from `source` while the live one keeps answering, then switch
        over and let `source` catch up; resume an interrupted rebuild where it stopped.

        `progress` is called with the documents of each commit; `procs` and `commit_every`
        tune the engine (None: its own choice).
        """
        ...

    def rebuild_pending(self) -> bool:
        """Return whether a rebuild was started and not finished (running or interrupted)."""
        ...


class OwnStorage:
    """What a backend with storage of its own (not the database's) answers to `write_in`."""

    def writes_with_database(self) -> bool:
        """Return False: this index is written after the database commits (the queue)."""
        return False

    def write_in(self, connection: Connection, docs: Iterable[IndexDoc],
                 deleted: Iterable[int]) -> None:
        """Refuse: this index cannot join a database transaction."""
        raise NotImplementedError("this search backend does not write through the database")


#: Why `postgres` was refused (the start stops with it, as for other bad settings).
POSTGRES_NEEDS_POSTGRES = ("Invalid configuration:\nEARSIP_SEARCH_BACKEND: postgres keeps the "
                           "search index in the archive's database, so EARSIP_DATABASE_URL must "
                           "name a PostgreSQL database (postgresql+psycopg://...), not {url}")


def check_database(search_backend: str, database_url: str) -> None:
    """Stop the start (SystemExit) when `postgres` is chosen over a database that is not."""
    if search_backend == "postgres" and not database_url.startswith("postgresql"):
        raise SystemExit(POSTGRES_NEEDS_POSTGRES.format(url=database_url.split(":", 1)[0]))


def _whoosh(config: Config) -> SearchBackend:
    from earsip.search.index import SearchIndex

    return SearchIndex(config.index_dir, writer_timeout=config.index_writer_timeout_s,
                       cache_mb=config.search_cache_mb)


def _postgres(config: Config) -> SearchBackend:
    from earsip.search.pg import PostgresIndex

    check_database("postgres", config.database_url)
    return PostgresIndex(config.database_url, lock_timeout_s=config.index_writer_timeout_s)


#: The engines `EARSIP_SEARCH_BACKEND` may name, each with how it is built from the settings.
BACKENDS: dict[str, Callable[[Config], SearchBackend]] = {
    "whoosh": _whoosh,
    "postgres": _postgres,
}


def open_backend(config: Config) -> SearchBackend:
    """Build the search backend the configuration names (nothing is opened yet).

    An unknown name stops the start with a message naming the setting and the choices, as
    other bad settings do.
    """
    make = BACKENDS.get(config.search_backend)
    if make is None:
        raise SystemExit(f"EARSIP_SEARCH_BACKEND must be one of {', '.join(sorted(BACKENDS))}, "
                         f"got {config.search_backend!r}")
    return make(config)
