"""background jobs (OCR, re-index, fixity) and the searchable PDF/A copy of a document

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 09:55:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('not_before', sa.DateTime(), nullable=True),
    sa.Column('queued_at', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('worker', sa.String(length=120), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                            name=op.f('fk_jobs_document_id_documents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    op.create_index('ix_jobs_state', 'jobs', ['state'], unique=False)
    op.create_index('ix_jobs_kind_document', 'jobs', ['kind', 'document_id'], unique=False)
    op.add_column('documents', sa.Column('searchable_path', sa.String(length=500), nullable=True))
    op.add_column('documents', sa.Column('searchable_sha256', sa.String(length=64), nullable=True))
    op.add_column('documents', sa.Column('searchable_size', sa.BigInteger(), nullable=True))
    op.add_column('documents', sa.Column('searchable_kind', sa.String(length=10), nullable=True))
    op.create_index('uq_documents_searchable_path', 'documents', ['searchable_path'],
                    unique=True)


def downgrade() -> None:
    op.drop_index('uq_documents_searchable_path', table_name='documents')
    with op.batch_alter_table('documents') as batch:
        batch.drop_column('searchable_kind')
        batch.drop_column('searchable_size')
        batch.drop_column('searchable_sha256')
        batch.drop_column('searchable_path')
    op.drop_index('ix_jobs_kind_document', table_name='jobs')
    op.drop_index('ix_jobs_state', table_name='jobs')
    op.drop_table('jobs')
