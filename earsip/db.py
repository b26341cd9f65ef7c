"""Database engine and sessions: SQLite in WAL mode with BEGIN IMMEDIATE writes, or PostgreSQL.

Two kinds of session exist. `Database.read()` opens an ordinary (deferred) transaction.
`Database.write()` opens a write transaction: on SQLite it starts with BEGIN IMMEDIATE so the
write lock is taken (waiting up to the busy timeout) before anything is read, which avoids the
"database is locked" error of a deferred transaction that upgrades from read to write.

A writer waits for another's lock up to the busy timeout (SQLite's busy_timeout, PostgreSQL's
lock_timeout); past it the transaction is rolled back and `DatabaseBusy` (HTTP 503) is raised,
so a client is told to try again rather than shown a server error.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable, Iterator
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, Result, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from earsip.errors import DatabaseBusy

log = logging.getLogger(__name__)


def _configure_sqlite(engine: Engine, busy_timeout_s: int) -> None:
    """Install WAL, busy timeout, foreign keys and explicit BEGIN handling on SQLite."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy (not the sqlite3 module) decide when transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
        cur.execute("PRAGMA journal_mode = WAL")
        # FULL: a filing acknowledged to the client survives a power cut (NORMAL may lose it).
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        # Deleted rows are overwritten with zeros, so the text of a destroyed record does not
        # linger in free pages of the database file (deletes are rare here: the cost is small).
        cur.execute("PRAGMA secure_delete = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        immediate = conn.get_execution_options().get("earsip_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _configure_postgres(engine: Engine, busy_timeout_s: int) -> None:
    """Make a PostgreSQL writer give up waiting for a lock after the busy timeout."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = '{int(busy_timeout_s)}s'")
        dbapi_conn.commit()


def rowcount(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE run by `Session.execute` matched.

    `Session.execute` is typed as returning a `Result`; for these statements it is a
    `CursorResult`, which has the count.
    """
    return cast("CursorResult[Any]", result).rowcount


def _busy(error: OperationalError) -> bool:
    """Return whether `error` is a lock wait that ran out (not a broken database)."""
    if getattr(error.orig, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    text = str(error.orig).lower()
    return "database is locked" in text or "database table is locked" in text


def _busy_error(error: OperationalError) -> DatabaseBusy:
    log.warning("database busy: %s", error.orig)
    return DatabaseBusy("Basis data sedang dipakai proses lain terlalu lama; tidak ada yang "
                        "disimpan. Coba lagi sebentar lagi.")


class Database:
    """An engine plus session factories for reads and writes."""

    def __init__(self, url: str, *, busy_timeout_s: int = 15) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, object] = {}
        if self.is_sqlite:
            kwargs["connect_args"] = {"timeout": busy_timeout_s, "check_same_thread": False}
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True
        self.engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, busy_timeout_s)
        elif url.startswith("postgresql"):
            _configure_postgres(self.engine, busy_timeout_s)
        self._pid = os.getpid()
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        self._write = sessionmaker(
            self.engine.execution_options(earsip_immediate=True), expire_on_commit=False
        )

    def on_sessions(self, name: str, listener: Callable[..., None]) -> None:
        """Call `listener` on the session event `name` (e.g. before_commit) of every session
        this database gives, for writing and for reading."""
        event.listen(self._write, name, listener)
        event.listen(self._read, name, listener)

    def _check_fork(self) -> None:
        # Connections must not cross a fork: a child gets fresh ones.
        if os.getpid() != self._pid:
            self.engine.dispose(close=False)
            self._pid = os.getpid()

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """Yield a session for reading; closing it ends (rolls back) its transaction."""
        self._check_fork()
        try:
            with self._read() as session:
                yield session
        except OperationalError as e:
            if _busy(e):
                raise _busy_error(e) from e
            raise

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """Yield a session in a write transaction, committed on success, rolled back on error."""
        self._check_fork()
        try:
            with self._write() as session, session.begin():
                yield session
        except OperationalError as e:
            if _busy(e):
                raise _busy_error(e) from e
            raise

    def flush_deleted(self) -> None:
        """Move committed deletions into the database file and empty the write-ahead log.

        On SQLite (with secure_delete) the deleted bytes are then gone from both files; the
        log's truncation waits for no reader and is skipped while one holds it. PostgreSQL
        keeps dead rows until VACUUM reuses their space (see docs/RETENTION.md).
        """
        if not self.is_sqlite:
            return
        self._check_fork()
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
