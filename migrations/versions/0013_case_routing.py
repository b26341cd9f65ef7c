"""cases are routed like letters: a disposition names its letter or its case; role names up to
40 characters (penanganan_pelanggaran)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 21:40:58.072859
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=20),
                              type_=sa.String(length=40), existing_nullable=False)
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.alter_column('letter_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_dispositions_case_id'), ['case_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_dispositions_case_id_cases'), 'cases',
                                    ['case_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_dispositions_subject'),
                                         '(letter_id IS NULL) <> (case_id IS NULL)')


def downgrade() -> None:
    op.execute("DELETE FROM dispositions WHERE case_id IS NOT NULL")
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_dispositions_subject'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_dispositions_case_id_cases'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_dispositions_case_id'))
        batch_op.alter_column('letter_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('case_id')
    with op.batch_alter_table('user_roles', schema=None) as batch_op:
        batch_op.alter_column('role', existing_type=sa.String(length=40),
                              type_=sa.String(length=20), existing_nullable=False)
