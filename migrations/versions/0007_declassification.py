"""declassification requests: lowering a record to biasa, or by more than one level, waits for
a leader's approval

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('declassification_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('old_security', sa.String(length=20), nullable=False),
    sa.Column('new_security', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_by_name', sa.String(length=80), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=80), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                            name=op.f('fk_declassification_requests_document_id_documents')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_declassification_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                            name=op.f('fk_declassification_requests_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declassification_requests'))
    )
    op.create_index(op.f('ix_declassification_requests_document_id'),
                    'declassification_requests', ['document_id'], unique=False)
    op.create_index(op.f('ix_declassification_requests_status'),
                    'declassification_requests', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_declassification_requests_status'),
                  table_name='declassification_requests')
    op.drop_index(op.f('ix_declassification_requests_document_id'),
                  table_name='declassification_requests')
    op.drop_table('declassification_requests')
