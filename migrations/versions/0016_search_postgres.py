"""the PostgreSQL search backend's table: one row per indexed document with its tsvector
(nothing on SQLite, whose archives search with Whoosh)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 01:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0016'
down_revision: str | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The same table as earsip/search/pg.py's DDL (which also creates it on a database that was
# not migrated); written out here so the migration stays what it was.
STATEMENTS = (
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


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in STATEMENTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE IF EXISTS search_entries")
