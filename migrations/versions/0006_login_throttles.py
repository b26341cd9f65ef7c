"""runs of throttled sign-ins (counted instead of audited one by one); when a token was revoked

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_throttles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('username', sa.String(length=80), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('last_at', sa.DateTime(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttles'))
    )
    op.create_index(op.f('ix_login_throttles_started_at'), 'login_throttles', ['started_at'],
                    unique=False)
    op.create_index('ix_login_throttles_username_address', 'login_throttles',
                    ['username', 'address'], unique=False)
    op.add_column('api_tokens', sa.Column('revoked_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('revoked_at')
    op.drop_index('ix_login_throttles_username_address', table_name='login_throttles')
    op.drop_index(op.f('ix_login_throttles_started_at'), table_name='login_throttles')
    op.drop_table('login_throttles')
