"""The PostgreSQL search backend (`EARSIP_SEARCH_BACKEND=postgres`): one row per document in
`search_entries`, written in the database transaction that changes the document.

The row holds the filters and facets (security, classification, year, date, MIME type) and a
`tsvector` of our own analysis (`pg_terms`), under a GIN index (docs/CHOICES.md says why GIN).
Queries are parsed by the project's one parser and written as a `tsquery` (`pg_query`).

Writes: the services hand this backend the connection of their write transaction
(`write_in`, called just before that transaction commits), so a document and its search row
commit or roll back together: there is no queue to catch up and nothing to rebuild at start.
`upsert` and `delete` write in a transaction of their own (tests, a queue left by the Whoosh
backend, `rebuild`).

Ranking (`_rank`): for each word or phrase sought, the weights of the fields holding it
(Whoosh's field boosts), normalised by the document's length as BM25 does but against a fixed
average, plus the regulation boosts of `query`. It reads nothing but the document's own row,
so documents the searcher cannot see weigh in nothing. Totals and facets are exact counts over
the rows the clearance and filters let through, read in the same snapshot as the hits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from earsip.errors import SearchUnavailable
from earsip.search.backend import RebuildSource
from earsip.search.filters import FACETS
from earsip.search.pg_query import TsQuery, filters, translate, weighted
from earsip.search.pg_terms import vector
from earsip.search.query import normalize_classification, parse_query
from earsip.search.snippet import Highlighter
from earsip.search.values import Hit, IndexDoc, RebuildResult, SearchPage, SearchQuery

logger = logging.getLogger(__name__)

#: The table and its index, as migration 0016 creates them (`ensure` creates them where a
#: database was not migrated, e.g. a bench's scratch database).
DDL = (
    "CREATE TABLE IF NOT EXISTS search_entries ("
    " document_id integer PRIMARY KEY,"
    " security smallint NOT NULL,"
    " classification varchar(64) NOT NULL,"
    " year integer NOT NULL,"
    " date integer NOT NULL,"
    " mime varchar(255) NOT NULL,"
    " terms tsvector NOT NULL,"
    " length integer NOT NULL,"
    " written_at timestamptz NOT NULL DEFAULT clock_timestamp())",
    "CREATE INDEX IF NOT EXISTS ix_search_entries_terms ON search_entries USING gin (terms)",
)
#: Each field's weight in the rank (A title, B file name, C metadata, D content): the Whoosh
#: schema's field boosts.
FIELD_WEIGHTS = {"A": 2.0, "B": 1.5, "C": 1.0, "D": 1.0}
#: BM25's k1 and b, and the document length (distinct words) taken as average: a constant,
#: not the corpus's, so that no other document changes a document's score.
K1, B, AVERAGE_LENGTH = 1.2, 0.75, 300.0
_UNAVAILABLE = "Indeks pencarian (PostgreSQL) tidak dapat dibaca saat ini; coba lagi nanti."

_UPSERT = (
    "INSERT INTO search_entries (document_id, security, classification, year, date, mime, terms, "
    "length, written_at) VALUES (:id, :security, :classification, :year, :date, :mime, "
    "CAST(:terms AS tsvector), :length, clock_timestamp()) ON CONFLICT (document_id) DO UPDATE SET "
    "security = excluded.security, classification = excluded.classification, "
    "year = excluded.year, date = excluded.date, mime = excluded.mime, "
    "terms = excluded.terms, length = excluded.length, written_at = excluded.written_at"
)


def _rank(ts: TsQuery, params: dict[str, object]) -> str:
    """Return the SQL of a matching row's rank: for every word or phrase sought, the weights
    of the fields holding it, normalised by the document's length as BM25 does (presence, not
    frequency, counts)."""
    if not ts.sought:
        return "0.0"
    present = []
    for i, lexemes in enumerate(ts.sought):
        for weight, factor in FIELD_WEIGHTS.items():
            name = f"w{i}{weight}"
            params[name] = weighted(lexemes, weight)
            present.append(f"CASE WHEN terms @@ CAST(:{name} AS tsquery) THEN {factor} ELSE 0 END")
    return (f"({' + '.join(present)}) * {K1 + 1} / (1 + {K1} * ({1 - B} + {B} * length "
            f"/ {AVERAGE_LENGTH}))")


def row(doc: IndexDoc) -> dict[str, object]:
    """Return the values of `doc`'s search row."""
    d = doc.document_date
    terms, length = vector(doc)
    return {"id": doc.id, "security": int(doc.security),
            "classification": normalize_classification(doc.classification),
            "year": d.year, "date": d.year * 10000 + d.month * 100 + d.day,
            "mime": doc.mime.strip().lower(), "terms": terms, "length": length}


class PostgresIndex:
    """Search rows in the archive's PostgreSQL database (see the module)."""

    def __init__(self, url: str, *, lock_timeout_s: float = 10.0) -> None:
        self._url = url
        self._lock_timeout_s = lock_timeout_s
        self._engine: Engine | None = None
        self._opening = threading.Lock()

    def _db(self) -> Engine:
        with self._opening:
            return self._engine or self._open()

    def _open(self) -> Engine:
        # A writer waits for a row lock no longer than the index lock timeout.
        options = f"-c lock_timeout={int(self._lock_timeout_s * 1000)}"
        self._engine = create_engine(self._url, pool_pre_ping=True, pool_size=2,
                                     connect_args={"options": options})
        return self._engine

    def _fail(self, error: Exception) -> SearchUnavailable:
        logger.warning("PostgreSQL search failed: %s", error)
        return SearchUnavailable(_UNAVAILABLE)

    # -- opening and health ------------------------------------------------------------------

    def ensure(self) -> None:
        """Create the table and its index where a migration has not."""
        try:
            with self._db().begin() as conn:
                for statement in DDL:
                    conn.exec_driver_sql(statement)
        except DBAPIError as e:
            raise self._fail(e) from e

    def is_healthy(self) -> bool:
        """Return whether the table can be read now."""
        try:
            with self._db().connect() as conn:
                conn.exec_driver_sql("SELECT 1 FROM search_entries LIMIT 1").all()
            return True
        except DBAPIError as e:
            logger.warning("PostgreSQL search table is not readable: %s", e)
            return False

    def warm(self) -> None:
        """Nothing to warm: PostgreSQL's own cache serves the index."""

    def close(self) -> None:
        """Close this backend's connections (the next use opens new ones)."""
        with self._opening:
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    # -- writing -----------------------------------------------------------------------------

    def writes_with_database(self) -> bool:
        """Return True: the services write search rows in their own transactions."""
        return True

    def write_in(self, connection: Connection, docs: Iterable[IndexDoc],
                 deleted: Iterable[int]) -> None:
        """Write `docs` and remove the `deleted` ids through the caller's transaction."""
        gone = sorted(set(deleted))
        if gone:
            connection.execute(text("DELETE FROM search_entries WHERE document_id = ANY(:ids)"),
                               {"ids": gone})
        self._upsert(connection, docs)

    def _upsert(self, conn: Connection, docs: Iterable[IndexDoc], guard: str = "",
                **extra: object) -> int:
        rows: dict[int, dict[str, object]] = {}
        for doc in docs:
            if doc.id in rows:
                logger.warning("document %s given twice in one batch; kept the first", doc.id)
                continue
            rows[doc.id] = {**row(doc), **extra}
        if rows:
            conn.execute(text(_UPSERT + guard), list(rows.values()))
        return len(rows)

    def upsert(self, docs: Iterable[IndexDoc]) -> int:
        """Add or replace `docs` in one transaction of their own."""
        try:
            with self._db().begin() as conn:
                return self._upsert(conn, docs)
        except DBAPIError as e:
            raise self._fail(e) from e

    def delete(self, ids: Iterable[int]) -> int:
        """Remove the rows of these ids; return how many there were."""
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        try:
            with self._db().begin() as conn:
                result = conn.execute(text(
                    "DELETE FROM search_entries WHERE document_id = ANY(:ids)"), {"ids": wanted})
                return int(result.rowcount)
        except DBAPIError as e:
            raise self._fail(e) from e

    def erase_traces(self) -> None:
        """VACUUM the table, so deleted rows' vectors leave its pages and index."""
        try:
            with self._db().connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM search_entries")
        except DBAPIError as e:
            raise self._fail(e) from e

    # -- reading -----------------------------------------------------------------------------

    def doc_count(self) -> int:
        """Return how many rows there are."""
        return int(self._scalar("SELECT count(*) FROM search_entries") or 0)

    def indexed_ids(self) -> set[int]:
        """Return the document ids with a row."""
        try:
            with self._db().connect() as conn:
                return set(conn.scalars(text("SELECT document_id FROM search_entries")).all())
        except DBAPIError as e:
            raise self._fail(e) from e

    def _scalar(self, sql: str) -> Any:  # noqa: ANN401 - whatever the column holds
        try:
            with self._db().connect() as conn:
                return conn.scalar(text(sql))
        except DBAPIError as e:
            raise self._fail(e) from e

    def search(self, query: SearchQuery) -> SearchPage:
        """Return one page of hits within the clearance, the exact total and the facets."""
        if query.page < 1 or query.per_page < 1:
            raise ValueError("page and per_page must be at least 1")
        empty = SearchPage(total=0, hits=[], facets={name: {} for name in FACETS})
        typed = query.text.strip()
        parsed = parse_query(typed) if typed else None
        if (typed and parsed is None) or (query.security is not None
                                          and query.security > query.max_security):
            return empty
        where, params = filters(query)
        ts = translate(parsed) if parsed is not None else None
        if ts is not None and ts.text is not None:
            where.append("terms @@ CAST(:q AS tsquery)")
            params["q"] = ts.text
        matching = "FROM search_entries" + (" WHERE " + " AND ".join(where) if where else "")
        scored = ts is not None and query.sort != "date"
        if scored:
            assert ts is not None
            rank = _rank(ts, params)
            for i, (lexeme, boost) in enumerate(ts.boosts):
                rank += (f" + CASE WHEN terms @@ CAST(:boost_q{i} AS tsquery) "
                         f"THEN :boost{i} ELSE 0 END")
                params[f"boost_q{i}"] = lexeme
                params[f"boost{i}"] = boost
            order = f"{rank} AS score {matching} ORDER BY score DESC, document_id"
        else:
            order = f"0.0 AS score {matching} ORDER BY date DESC, document_id"
        params.update(limit=query.per_page, offset=(query.page - 1) * query.per_page)
        try:
            with self._db().connect() as conn:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
                with conn.begin():
                    conn.exec_driver_sql("SET TRANSACTION READ ONLY")
                    facets = self._facets(conn, matching, params)
                    total = sum(facets["classification"].values())
                    if not total:
                        return empty
                    hits = [Hit(id=r[0], score=float(r[1])) for r in conn.execute(
                        text(f"SELECT document_id, {order} LIMIT :limit OFFSET :offset"),
                        params)]
        except DBAPIError as e:
            raise self._fail(e) from e
        return SearchPage(total=total, hits=hits, facets=facets)

    @staticmethod
    def _facets(conn: Connection, matching: str, params: dict[str, object],
                ) -> dict[str, dict[str, int]]:
        """Count the matching rows by classification and by year in one pass, the most
        common first (every row has both: the classification counts add up to the total)."""
        assert FACETS == ("classification", "year")
        rows = conn.execute(text(
            "SELECT GROUPING(classification) AS by_year, classification, year, count(*) AS n "
            f"{matching} GROUP BY GROUPING SETS ((classification), (year)) "
            "ORDER BY by_year, n DESC, classification, year"), params)
        facets: dict[str, dict[str, int]] = {"classification": {}, "year": {}}
        for by_year, classification, year, n in rows:
            if by_year:
                facets["year"][str(year)] = int(n)
            else:
                facets["classification"][str(classification)] = int(n)
        return facets

    def highlighter(self, query_text: str, *, max_chars: int = 300) -> Callable[[str], str]:
        """Return the snippet maker of `snippet`: the same analysis finds the same words."""
        return Highlighter(query_text, max_chars=max_chars)

    # -- rebuilding --------------------------------------------------------------------------

    def rebuild(self, source: RebuildSource, *, progress: Callable[[int], None] | None = None,
                procs: int | None = None, commit_every: int | None = None) -> RebuildResult:
        """Recompute every row from `source`, batch by batch, while searches go on.

        A batch does not overwrite a row that a transaction wrote after the batch was read
        (its data is newer); rows of documents no longer given are removed at the end.
        `procs` and `commit_every` are Whoosh's: here each batch of `source` is one commit.
        """
        mark = source.mark()
        try:
            started = self._scalar("SELECT clock_timestamp()")
            given: list[int] = []
            batches = source.batches(0)
            while True:
                read_at = self._scalar("SELECT clock_timestamp()")
                step = next(batches, None)
                if step is None:
                    break
                docs = step[1]
                with self._db().begin() as conn:
                    self._upsert(conn, docs, " WHERE search_entries.written_at < :read_at",
                                 read_at=read_at)
                given.extend(d.id for d in docs)
                if progress is not None:
                    progress(len(docs))
            with self._db().begin() as conn:
                conn.execute(text("DELETE FROM search_entries WHERE NOT (document_id = ANY(:ids)) "
                                  "AND written_at < :started"), {"ids": given, "started": started})
        except DBAPIError as e:
            raise self._fail(e) from e
        replayed = source.catch_up(set(), mark)
        return RebuildResult(indexed=len(set(given)), resumed=0, replayed=replayed)

    def rebuild_pending(self) -> bool:
        """Return False: a rebuild leaves no half-built index (every batch is a live row)."""
        return False
