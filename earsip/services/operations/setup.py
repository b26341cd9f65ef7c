"""Initialising an archive: schema migrations, seed data, the first admin, folders and index."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import text

from earsip.errors import SearchUnavailable
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import ensure_first_admin
from earsip.services.operations import recovery
from earsip.services.records.classification import seed_if_empty
from earsip.services.search import indexing

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"
# The PostgreSQL advisory lock that lets one process at a time migrate and seed (the audit
# chain's head uses 727274).
INIT_LOCK = 727275


def _alembic_config(archive: Archive) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", archive.config.database_url.replace("%", "%%"))
    return cfg


@contextlib.contextmanager
def one_at_a_time(archive: Archive) -> Iterator[None]:
    """Hold the deployment's initialisation lock (PostgreSQL) while the block runs.

    Several `earsip serve` processes started together (the first start of a deployment, or a
    restart after an upgrade) would otherwise apply the same migration twice, or each create
    the first admin, and all but one would fail. The lock is waited for without a time limit
    (a migration may take long); SQLite, one machine, serialises its writers itself.
    """
    if not archive.db.url.startswith("postgresql"):
        yield
        return
    with archive.db.engine.connect() as conn:
        conn.execute(text("SELECT set_config('lock_timeout', '0', false)"))
        conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": INIT_LOCK})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INIT_LOCK})
            conn.execute(text("SELECT set_config('lock_timeout', :t, false)"),
                         {"t": f"{int(archive.config.db_busy_timeout_s)}s"})
            conn.commit()


def migrate(archive: Archive, revision: str = "head") -> None:
    """Apply every pending Alembic migration (up to `revision`).

    Migration 0015 creates the archive's one office from the configuration's
    EARSIP_OFFICE_CODE, _NAME and _PLACE, handed over in `attributes["office"]`.
    """
    _run_alembic(archive, lambda cfg: command.upgrade(cfg, revision))


def downgrade(archive: Archive, revision: str) -> None:
    """Take the schema back to `revision` (the migration tests; an operator's way back)."""
    _run_alembic(archive, lambda cfg: command.downgrade(cfg, revision))


def _run_alembic(archive: Archive, step: Callable[[AlembicConfig], None]) -> None:
    """Run an Alembic command in one transaction of the archive's database.

    On SQLite the foreign keys are off while the migrations rebuild tables that other tables
    refer to (a table copied, dropped and renamed), and checked before the commit.
    """
    cfg = _alembic_config(archive)
    cfg.attributes["office"] = offices.first_office(archive.config)
    with archive.db.engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        raw = conn.connection.driver_connection
        if sqlite and raw is not None:  # a PRAGMA that only works outside a transaction
            raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                step(cfg)
                if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise RuntimeError("a migration left rows whose references are broken")
        finally:
            if sqlite and raw is not None:
                raw.execute("PRAGMA foreign_keys = ON")


@dataclass(frozen=True)
class InitResult:
    """What `initialise` did."""

    seeded: bool
    admin_password: str | None  # generated password, shown once
    reindexed: int
    queued_indexed: int


def initialise(archive: Archive) -> InitResult:
    """Bring the database, folders, seed data and index to a usable state (idempotent)."""
    archive.store.ensure()
    with one_at_a_time(archive):
        migrate(archive)
        with archive.db.write() as session:
            offices.ensure_office(session, archive.config)
            seeded = seed_if_empty(session)
            password = ensure_first_admin(session, archive.config.admin_password,
                                          hash_with=archive.config.password_hash_method)
    recovery.recover_interrupted_filings(archive)
    recovery.recover_interrupted_steps(archive)
    reindexed = 0
    if indexing.rebuild_pending(archive):
        # An interrupted rebuild is finished first (it continues where it stopped); one that
        # another process is running right now is left to it.
        try:
            reindexed = indexing.reindex(archive)
        except SearchUnavailable as e:
            log.warning("index rebuild not resumed: %s", e.message)
            archive.index.ensure()
            return InitResult(seeded, password, 0, indexing.process_queue(archive))
    try:
        archive.index.ensure()
    except SearchUnavailable as e:
        if archive.index.is_healthy():  # a commit elsewhere raced the opening: open again
            archive.index.ensure()
        else:
            # Damaged (truncated or missing segment files): the database is the source of truth.
            log.warning("search index cannot be read (%s): rebuilding it", e.message)
            reindexed = indexing.reindex(archive)
            archive.index.ensure()
    done = indexing.process_queue(archive)
    if not reindexed and not indexing.index_matches_database(archive):
        # A deleted, replaced or stale index is rebuilt from the database, the source of truth.
        log.warning("search index does not match the database: rebuilding it")
        reindexed = indexing.reindex(archive)
    return InitResult(seeded, password, reindexed, done)
