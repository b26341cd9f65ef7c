"""the public pages' rate limits: requests per client address and window, shared by every
server process

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('public_limit_counts',
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('window_start', sa.DateTime(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'client', 'window_start',
                            name=op.f('pk_public_limit_counts'))
    )
    op.create_index(op.f('ix_public_limit_counts_window_start'), 'public_limit_counts',
                    ['window_start'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_public_limit_counts_window_start'), table_name='public_limit_counts')
    op.drop_table('public_limit_counts')
