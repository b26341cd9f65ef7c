"""jobs: drop queued_at (the moment a job was handed to Huey; the worker takes its work from the
jobs table itself since Huey went, so nothing writes or reads it)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.drop_column('queued_at')


def downgrade() -> None:
    with op.batch_alter_table('jobs') as batch:
        batch.add_column(sa.Column('queued_at', sa.DateTime(), nullable=True))
