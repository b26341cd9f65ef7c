"""the front desk (Layanan Satu Pintu, part 1): numbering sequences, incoming letters and their
dispositions, outgoing letter numbers, the documents of each, and the classification suggester

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('classifier_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('trained_at', sa.DateTime(), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('codes', sa.Integer(), nullable=False),
    sa.Column('top1', sa.Float(), nullable=True),
    sa.Column('top3', sa.Float(), nullable=True),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_classifier_models'))
    )
    op.create_table('number_sequences',
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_number_sequences'))
    )
    op.create_table('incoming_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agenda_number', sa.String(length=80), nullable=False),
    sa.Column('agenda_year', sa.Integer(), nullable=False),
    sa.Column('agenda_seq', sa.Integer(), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('letter_number', sa.String(length=200), nullable=False),
    sa.Column('letter_date', sa.Date(), nullable=False),
    sa.Column('sender', sa.String(length=300), nullable=False),
    sa.Column('sender_person', sa.String(length=200), nullable=True),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('classification_code', sa.String(length=64), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('security', sa.String(length=20), nullable=False),
    sa.Column('attachments', sa.Integer(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_name', sa.String(length=80), nullable=False),
    sa.Column('signatures', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['classification_code'], ['classifications.code'], name=op.f('fk_incoming_letters_classification_code_classifications')),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_incoming_letters_registered_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incoming_letters')),
    sa.UniqueConstraint('agenda_number', name=op.f('uq_incoming_letters_agenda_number')),
    sa.UniqueConstraint('agenda_year', 'agenda_seq', name='uq_incoming_letters_agenda_seq')
    )
    with op.batch_alter_table('incoming_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incoming_letters_letter_number'), ['letter_number'], unique=False)
        batch_op.create_index('ix_incoming_letters_received_at', ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_incoming_letters_security'), ['security'], unique=False)

    op.create_table('dispositions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('from_user_id', sa.Integer(), nullable=True),
    sa.Column('from_name', sa.String(length=80), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('to_name', sa.String(length=80), nullable=False),
    sa.Column('instruction', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('started_at', sa.DateTime(), nullable=True),
    sa.Column('done_at', sa.DateTime(), nullable=True),
    sa.Column('done_note', sa.Text(), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('new', 'read', 'in_progress', 'done', 'withdrawn')", name=op.f('ck_dispositions_status')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_dispositions_from_user_id_users')),
    sa.ForeignKeyConstraint(['letter_id'], ['incoming_letters.id'], name=op.f('fk_dispositions_letter_id_incoming_letters')),
    sa.ForeignKeyConstraint(['parent_id'], ['dispositions.id'], name=op.f('fk_dispositions_parent_id_dispositions')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_dispositions_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispositions'))
    )
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispositions_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispositions_letter_id'), ['letter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispositions_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_dispositions_to_status', ['to_user_id', 'status'], unique=False)

    op.create_table('outgoing_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=200), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('insert', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('classification_code', sa.String(length=64), nullable=False),
    sa.Column('signatory', sa.String(length=40), nullable=False),
    sa.Column('unit', sa.String(length=60), nullable=False),
    sa.Column('letter_date', sa.Date(), nullable=False),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=True),
    sa.Column('security', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_by_name', sa.String(length=80), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('filed_at', sa.DateTime(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('issued', 'reserved', 'filed', 'cancelled')", name=op.f('ck_outgoing_letters_status')),
    sa.ForeignKeyConstraint(['classification_code'], ['classifications.code'], name=op.f('fk_outgoing_letters_classification_code_classifications')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_outgoing_letters_document_id_documents')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_outgoing_letters_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outgoing_letters')),
    sa.UniqueConstraint('number', name=op.f('uq_outgoing_letters_number')),
    sa.UniqueConstraint('scope', 'seq', 'insert', name='uq_outgoing_letters_scope_seq')
    )
    with op.batch_alter_table('outgoing_letters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outgoing_letters_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_outgoing_letters_year'), ['year'], unique=False)

    op.create_table('letter_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('incoming_id', sa.Integer(), nullable=True),
    sa.Column('outgoing_id', sa.Integer(), nullable=True),
    sa.Column('disposition_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['disposition_id'], ['dispositions.id'], name=op.f('fk_letter_documents_disposition_id_dispositions')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_letter_documents_document_id_documents')),
    sa.ForeignKeyConstraint(['incoming_id'], ['incoming_letters.id'], name=op.f('fk_letter_documents_incoming_id_incoming_letters')),
    sa.ForeignKeyConstraint(['outgoing_id'], ['outgoing_letters.id'], name=op.f('fk_letter_documents_outgoing_id_outgoing_letters')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_letter_documents')),
    sa.UniqueConstraint('document_id', name=op.f('uq_letter_documents_document_id'))
    )
    with op.batch_alter_table('letter_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_documents_disposition_id'), ['disposition_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_documents_incoming_id'), ['incoming_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_documents_outgoing_id'), ['outgoing_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('letter_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_documents_outgoing_id'))
        batch_op.drop_index(batch_op.f('ix_letter_documents_incoming_id'))
        batch_op.drop_index(batch_op.f('ix_letter_documents_disposition_id'))

    op.drop_table('letter_documents')
    with op.batch_alter_table('outgoing_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outgoing_letters_year'))
        batch_op.drop_index(batch_op.f('ix_outgoing_letters_status'))

    op.drop_table('outgoing_letters')
    with op.batch_alter_table('dispositions', schema=None) as batch_op:
        batch_op.drop_index('ix_dispositions_to_status')
        batch_op.drop_index(batch_op.f('ix_dispositions_parent_id'))
        batch_op.drop_index(batch_op.f('ix_dispositions_letter_id'))
        batch_op.drop_index(batch_op.f('ix_dispositions_due_date'))

    op.drop_table('dispositions')
    with op.batch_alter_table('incoming_letters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incoming_letters_security'))
        batch_op.drop_index('ix_incoming_letters_received_at')
        batch_op.drop_index(batch_op.f('ix_incoming_letters_letter_number'))

    op.drop_table('incoming_letters')
    op.drop_table('number_sequences')
    op.drop_table('classifier_models')
