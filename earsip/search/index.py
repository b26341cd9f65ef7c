"""The Whoosh index of filed documents: opening, writers, the cached searcher, searching."""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

from whoosh import index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.searching import Searcher

from earsip.errors import SearchUnavailable
from earsip.search import rebuild, reindex
from earsip.search.analysis import forget_stems, save_stems, use_stem_file
from earsip.search.backend import OwnStorage, RebuildSource
from earsip.search.boolean_arrays import ArrayEvaluation, supports
from earsip.search.bulkwrite import LiveWriter
from earsip.search.cache import WARM_MIN_DOCS, PostingsCache
from earsip.search.collect import Unsupported, collect, newest
from earsip.search.filters import FACETS, DocnumCache, masked
from earsip.search.health import (  # noqa: F401 - re-exported
    _BUSY,
    _INDEX_NAME,
    _LOCK_NAME,
    _REBUILDING,
    _UNAVAILABLE,
    SearcherUpkeep,
    _probe,
    _segment_files,
    _unavailable,
)
from earsip.search.query import parse_query
from earsip.search.schema import build_schema, check_schema, doc_fields
from earsip.search.snippet import Highlighter, make_snippet
from earsip.search.stats import VisibleStats
from earsip.search.values import Hit, IndexDoc, RebuildResult, SearchPage, SearchQuery

logger = logging.getLogger(__name__)

class SearchIndex(SearcherUpkeep, OwnStorage):
    """A Whoosh index in one folder, shared by threads of one process and by other processes."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        writer_timeout: float = 10.0,
        writer_limitmb: int = 128,
        writer_procs: int = 1,
        cache_mb: int = 256,
        cache_min_docs: int = WARM_MIN_DOCS,
    ) -> None:
        self._path = os.fspath(path)
        self._writer_timeout = writer_timeout
        self._writer_limitmb = writer_limitmb
        self._writer_procs = writer_procs
        # Whoosh searchers keep per-file read state, so searches on the shared one take turns.
        self._lock = threading.RLock()
        self._ix: index.Index | None = None
        self._searcher: Searcher | None = None
        self._files: dict[str, tuple[int, int]] = {}  # of the searcher's segments: see _intact
        # Its filters and facet columns hold docnums, so it is emptied whenever the searcher
        # changes.
        self._docnums = DocnumCache()
        # Decoded postings of frequent terms, per segment: they outlive searchers.
        self._postings = PostingsCache(cache_mb, min_docs=cache_min_docs)

    # -- opening ---------------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the index if absent; raise SearchUnavailable if it exists but is unreadable."""
        with self._lock:
            self._drop_searcher()
            self._ix = None
            try:
                os.makedirs(self._path, exist_ok=True)
                use_stem_file(self._path)
                if index.exists_in(self._path, indexname=_INDEX_NAME):
                    ix = index.open_dir(self._path, indexname=_INDEX_NAME)
                    check_schema(ix.schema)
                elif self._has_index_files():
                    raise SearchUnavailable(_UNAVAILABLE)
                elif rebuild.read_progress(self._path) is not None:
                    # No live index while one is being built: refuse rather than answer empty.
                    raise SearchUnavailable(_REBUILDING)
                else:
                    ix = index.create_in(self._path, build_schema(), indexname=_INDEX_NAME)
                searcher = ix.searcher()
                try:
                    _probe(searcher)
                except BaseException:
                    searcher.close()
                    raise
            except SearchUnavailable:
                raise
            except Exception as e:
                logger.exception("search index at %s cannot be opened", self._path)
                raise _unavailable(e) from e
            self._ix = ix
            self._searcher = searcher
            self._files = _segment_files(self._path, searcher)

    def is_healthy(self, attempts: int = 3) -> bool:
        """Return whether the index on disk can be opened and read right now.

        A writer committing (and deleting merged-away segments) between our reading of the
        table of contents and of the segments fails one attempt: only `attempts` failures in
        a row, a moment apart, say the index is damaged.
        """
        for attempt in range(attempts):
            try:
                if not index.exists_in(self._path, indexname=_INDEX_NAME):
                    return False
                ix = index.open_dir(self._path, indexname=_INDEX_NAME)
                check_schema(ix.schema)
                with ix.searcher() as searcher:
                    _probe(searcher)
                return True
            except Exception as e:
                _unavailable(e)
                if attempt == attempts - 1:
                    logger.warning("search index at %s is not healthy: %r", self._path, e)
                    return False
                time.sleep(0.2 * (attempt + 1))
        return False

    def recreate(self) -> None:
        """Replace the index with an empty one using the current schema (before a reindex)."""
        with self._lock:
            self._drop_searcher()
            self._ix = None
            os.makedirs(self._path, exist_ok=True)
            storage = FileStorage(self._path)
            lock = storage.lock(_LOCK_NAME)
            deadline = time.monotonic() + self._writer_timeout
            while not lock.acquire(blocking=False):
                if time.monotonic() > deadline:
                    raise SearchUnavailable(_BUSY)
                time.sleep(0.05)
            try:
                for name in list(storage):
                    if name.startswith(_INDEX_NAME + "_") and name != _LOCK_NAME:
                        storage.delete_file(name)
                index.create_in(self._path, build_schema(), indexname=_INDEX_NAME)
            except Exception as e:
                raise _unavailable(e) from e
            finally:
                lock.release()
        self.ensure()

    def warm(self) -> None:
        """Start reading the frequent terms' postings into memory, in the background.

        Searches do this themselves; a server calls it at start so that its first searches
        find the cache warm. Processes that only write (imports, reindex) never pay for it.
        """
        with self._lock:
            searcher = self._current_searcher()
            assert self._ix is not None
            self._postings.sync(searcher, self._ix.reader)

    def wait_warm(self, timeout: float | None = None) -> bool:
        """Wait until the frequent terms' postings are in memory; False on timeout."""
        return self._postings.wait_warm(timeout)

    @property
    def cache_bytes(self) -> int:
        """Return the memory the cached postings (and positions) take."""
        return self._postings.used_bytes

    def close(self) -> None:
        """Release the cached searcher, its open files and the postings cache."""
        self._postings.stop()
        with self._lock:
            self._drop_searcher()
            self._ix = None

    # -- writing ---------------------------------------------------------------------------

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace `docs` (by id) in one writer; return how many were written."""
        writer = self._writer()
        written = 0
        seen: set[int] = set()
        try:
            # On an empty index nothing needs deleting: plain adds are cheaper (bulk reindex).
            fresh = not writer.segments
            for doc in docs:
                if doc.id in seen:
                    logger.warning("document %s given twice in one batch; kept the first", doc.id)
                    continue
                seen.add(doc.id)
                values = doc_fields(doc)
                try:
                    if fresh:
                        writer.add_document(**values)
                    else:
                        writer.update_document(**values)
                except Exception as e:
                    logger.exception("indexing document %s failed", doc.id)
                    raise _unavailable(e) from e
                written += 1
            # With the write lock held: a rebuild under way replays these onto the new index.
            rebuild.journal(self._path, seen)
        except BaseException:
            writer.cancel()
            raise
        self._commit(writer, written)
        return written

    def delete(self, ids: Iterable[int]) -> int:
        """Remove the documents with these ids; return how many were in the index."""
        ids = list(ids)
        writer = self._writer()
        deleted = 0
        try:
            for doc_id in ids:
                try:
                    deleted += writer.delete_by_term("id", str(doc_id))
                except Exception as e:
                    raise _unavailable(e) from e
            rebuild.journal(self._path, ids)
        except BaseException:
            writer.cancel()
            raise
        self._commit(writer, deleted)
        return deleted

    def optimize(self) -> None:
        """Merge all segments into one, so searches read one segment (after a bulk reindex)."""
        writer = self._writer()
        try:
            writer.commit(optimize=True)
        except Exception as e:
            raise _unavailable(e) from e
        with self._lock:
            self._refresh()

    def forget_vocabulary(self) -> None:
        """Drop the shared stem cache (a list of every word seen), e.g. after a destruction."""
        forget_stems(self._path)

    def erase_traces(self) -> None:
        """Merge deleted documents out of the segment files and drop the stem cache."""
        self.optimize()
        self.forget_vocabulary()

    def rebuild(self, source: RebuildSource, *, progress: Callable[[int], None] | None = None,
                procs: int | None = None, commit_every: int | None = None) -> RebuildResult:
        """Rebuild beside the live index from `source`, then switch over (see `reindex`)."""
        return reindex.run(self, self._path, source, progress=progress, procs=procs,
                           commit_every=commit_every)

    def rebuild_pending(self) -> bool:
        """Return whether a rebuild was started and not finished (running or interrupted)."""
        return rebuild.read_progress(self._path) is not None

    def _writer(self):  # noqa: ANN202 - a Whoosh writer
        ix = self._index()
        try:
            if self._writer_procs <= 1:
                return LiveWriter(ix, timeout=self._writer_timeout,
                                  limitmb=self._writer_limitmb)
            return ix.writer(
                timeout=self._writer_timeout,
                limitmb=self._writer_limitmb,
                procs=self._writer_procs,
            )
        except LockError as e:
            raise SearchUnavailable(_BUSY) from e
        except Exception as e:
            raise _unavailable(e) from e

    def _commit(self, writer, changed: int) -> None:  # noqa: ANN001
        if not changed:
            writer.cancel()
            return
        try:
            writer.commit()
        except Exception as e:
            raise _unavailable(e) from e
        save_stems()
        with self._lock:
            self._refresh()

    # -- reading ---------------------------------------------------------------------------

    def indexed_ids(self) -> set[int]:
        """Return the ids of all documents in the index."""
        with self._lock:
            searcher = self._current_searcher()
            try:
                return {int(f["id"]) for f in searcher.reader().all_stored_fields()}
            except Exception as e:
                raise _unavailable(e) from e

    def doc_count(self) -> int:
        """Return the number of documents in the index."""
        with self._lock:
            searcher = self._current_searcher()
            try:
                return searcher.doc_count()
            except Exception as e:
                raise _unavailable(e) from e

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of documents matching `query` that the caller may see, with facets."""
        if query.page < 1 or query.per_page < 1:
            raise ValueError("page and per_page must be at least 1")
        text = query.text.strip()
        whoosh_query = parse_query(text) if text else wq.Every()
        empty = SearchPage(total=0, hits=[], facets={name: {} for name in FACETS})
        if whoosh_query is None:
            return empty
        with self._lock:
            searcher = self._current_searcher()
            assert self._ix is not None
            self._postings.sync(searcher, self._ix.reader)
            try:
                allow = self._docnums.allowed(searcher, query)
                if allow is not None and not allow:
                    return empty
                mask = masked(searcher, query.exclude_ids)
                # BM25's figures over what this user may see (see `stats`).
                stats = VisibleStats(searcher, self._docnums, self._postings,
                                     query.max_security, mask)
                limit = query.page * query.per_page
                start = (query.page - 1) * query.per_page
                scored = bool(text) and query.sort != "date"
                try:
                    page = self._by_arrays(searcher, whoosh_query, scored, allow, mask,
                                           stats, start, limit)
                except Unsupported as e:
                    logger.debug("query %r not for arrays (%s): collecting", text, e)
                    page = self._collected(searcher, whoosh_query, scored, allow, mask,
                                           stats, start, limit)
                return page
            except SearchUnavailable:
                raise
            except Exception as e:
                logger.exception("search failed for %r", text)
                raise _unavailable(e) from e

    def _by_arrays(self, searcher: Searcher, whoosh_query: wq.Query, scored: bool,  # noqa: PLR0913
                   allow: frozenset[int] | None, mask: set[int], stats: VisibleStats,
                   start: int, limit: int) -> SearchPage:
        """Search with boolean arrays (see `boolean_arrays`): the matching set first, then scores
        for the top only. Raises Unsupported for a query that evaluation does not know."""
        if not supports(whoosh_query):
            raise Unsupported(type(whoosh_query).__name__)
        arrays = ArrayEvaluation(searcher, self._docnums, stats, allow, mask)
        match = arrays.matches(whoosh_query)
        if scored:
            hits = [Hit(id=int(searcher.stored_fields(d)["id"]), score=score)
                    for score, d in arrays.top(whoosh_query, match, limit)[start:]]
        else:
            # A date-sorted hit's "score" is its sort key, not a relevance.
            hits = [Hit(id=int(searcher.stored_fields(d)["id"]), score=0.0)
                    for d in newest(self._docnums, searcher, arrays.matched(match),
                                    limit)[start:]]
        return SearchPage(total=int(match.sum()), hits=hits, facets=arrays.facets(match))

    def _collected(self, searcher: Searcher, whoosh_query: wq.Query, scored: bool,  # noqa: PLR0913
                   allow: frozenset[int] | None, mask: set[int], stats: VisibleStats,
                   start: int, limit: int) -> SearchPage:
        """Search with Whoosh's collectors, scoring every match (the reference evaluation)."""
        results, docnums = collect(
            searcher, whoosh_query, scored=scored, limit=limit, allow=allow, mask=mask,
            stats=stats,
        )
        hits = [
            # A date-sorted hit's "score" is its sort key, not a relevance.
            Hit(id=int(hit["id"]), score=float(hit.score or 0.0) if scored else 0.0)
            for hit in results[start:limit]
        ]
        facets = self._docnums.facet_counts(searcher, docnums)
        return SearchPage(total=len(docnums), hits=hits, facets=facets)

    def snippet(self, query_text: str, text: str, *, max_chars: int = 300) -> str:
        """Return escaped fragments of `text` with the query's words wrapped in <mark>."""
        return make_snippet(query_text, text, max_chars=max_chars)

    def highlighter(self, query_text: str, *, max_chars: int = 300) -> Callable[[str], str]:
        """Return a function giving `snippet(query_text, text)` for many texts, faster."""
        return Highlighter(query_text, max_chars=max_chars)
