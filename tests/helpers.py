"""Helpers shared by several test modules (not fixtures: plain functions and context managers)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text

from config import Config


@contextmanager
def database_write_lock(config: Config, *, table: str = "documents") -> Iterator[None]:
    """Hold the database's write lock from another connection, as a long job elsewhere would.

    SQLite has one lock for the whole file; on PostgreSQL the lock is taken on `table`.
    """
    if config.database_url.startswith("sqlite"):
        conn = sqlite3.connect(config.database_url.split("///", 1)[1], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        engine = create_engine(config.database_url)
        with engine.connect() as conn:
            conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                conn.rollback()
        engine.dispose()
