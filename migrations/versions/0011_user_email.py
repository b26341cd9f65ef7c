"""notifications by e-mail: each user's address, and what each user has been mailed already

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))

    op.create_table('notification_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_marks_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_marks')),
    sa.UniqueConstraint('user_id', 'key', name='uq_notification_marks_user_key')
    )


def downgrade() -> None:
    op.drop_table('notification_marks')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('email')
