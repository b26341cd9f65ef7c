"""disposition and audit review: legal holds, destruction lists, transfers, signed audit
checkpoints (append-only like the entries), fixity runs and the scheduler's task record

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 07:02:10.934642
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('audit_checkpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('head_hash', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.String(length=64), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints'))
    )
    op.create_table('fixity_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('checked', sa.Integer(), nullable=False),
    sa.Column('changed', sa.JSON(), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('untracked', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fixity_runs'))
    )
    op.create_table('task_runs',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('last_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_outcome', sa.String(length=20), nullable=True),
    sa.Column('last_details', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_task_runs'))
    )
    op.create_table('disposal_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by_name', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_by_name', sa.String(length=80), nullable=True),
    sa.Column('approved_at', sa.DateTime(), nullable=True),
    sa.Column('approval_reference', sa.String(length=200), nullable=True),
    sa.Column('approval_date', sa.Date(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('executed_at', sa.DateTime(), nullable=True),
    sa.Column('executed_by_name', sa.String(length=80), nullable=True),
    sa.Column('berita_acara_number', sa.String(length=200), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('method', sa.String(length=300), nullable=True),
    sa.Column('official_name', sa.String(length=200), nullable=True),
    sa.Column('official_position', sa.String(length=200), nullable=True),
    sa.Column('witnesses', sa.JSON(), nullable=True),
    sa.Column('berita_acara_document_id', sa.Integer(), nullable=True),
    sa.Column('list_document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name=op.f('fk_disposal_lists_approved_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_disposal_lists_proposed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disposal_lists')),
    sa.UniqueConstraint('number', name=op.f('uq_disposal_lists_number'))
    )
    with op.batch_alter_table('disposal_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposal_lists_status'), ['status'], unique=False)

    op.create_table('legal_holds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('classification_code', sa.String(length=64), nullable=True),
    sa.Column('placed_by_id', sa.Integer(), nullable=True),
    sa.Column('placed_by_name', sa.String(length=80), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=False),
    sa.Column('lifted_at', sa.DateTime(), nullable=True),
    sa.Column('lifted_by_name', sa.String(length=80), nullable=True),
    sa.Column('lift_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['classification_code'], ['classifications.code'], name=op.f('fk_legal_holds_classification_code_classifications')),
    sa.ForeignKeyConstraint(['placed_by_id'], ['users.id'], name=op.f('fk_legal_holds_placed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legal_holds'))
    )
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legal_holds_lifted_at'), ['lifted_at'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_name', sa.String(length=80), nullable=False),
    sa.Column('package_name', sa.String(length=300), nullable=True),
    sa.Column('package_digest', sa.String(length=64), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(), nullable=True),
    sa.Column('confirmed_by_name', sa.String(length=80), nullable=True),
    sa.Column('receipt_reference', sa.String(length=200), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_transfers_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers')),
    sa.UniqueConstraint('number', name=op.f('uq_transfers_number'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_status'), ['status'], unique=False)

    op.create_table('disposal_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('list_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('classification_code', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('period', sa.String(length=40), nullable=False),
    sa.Column('quantity', sa.String(length=40), nullable=False),
    sa.Column('development', sa.String(length=40), nullable=False),
    sa.Column('media', sa.String(length=80), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('removed_at', sa.DateTime(), nullable=True),
    sa.Column('removed_by_name', sa.String(length=80), nullable=True),
    sa.Column('removed_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_disposal_items_document_id_documents')),
    sa.ForeignKeyConstraint(['list_id'], ['disposal_lists.id'], name=op.f('fk_disposal_items_list_id_disposal_lists')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disposal_items')),
    sa.UniqueConstraint('list_id', 'document_id', name=op.f('uq_disposal_items_list_id'))
    )
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disposal_items_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_disposal_items_list_id'), ['list_id'], unique=False)

    op.create_table('hold_documents',
    sa.Column('hold_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_hold_documents_document_id_documents')),
    sa.ForeignKeyConstraint(['hold_id'], ['legal_holds.id'], name=op.f('fk_hold_documents_hold_id_legal_holds')),
    sa.PrimaryKeyConstraint('hold_id', 'document_id', name=op.f('pk_hold_documents'))
    )
    with op.batch_alter_table('hold_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hold_documents_document_id'), ['document_id'], unique=False)

    op.create_table('transfer_items',
    sa.Column('transfer_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_transfer_items_document_id_documents')),
    sa.ForeignKeyConstraint(['transfer_id'], ['transfers.id'], name=op.f('fk_transfer_items_transfer_id_transfers')),
    sa.PrimaryKeyConstraint('transfer_id', 'document_id', name=op.f('pk_transfer_items'))
    )
    with op.batch_alter_table('transfer_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_items_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disposition', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('disposed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('disposal_list_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('transfer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_disposition'), ['disposition'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_documents_transfer_id_transfers'), 'transfers', ['transfer_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_documents_disposal_list_id_disposal_lists'), 'disposal_lists', ['disposal_list_id'], ['id'])

    _append_only('audit_checkpoints')


MESSAGE = "audit checkpoints are append-only"


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION {table}_append_only() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END;
            $$""")
        op.execute(f"""
            CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
        op.execute(f"""
            CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    table = 'audit_checkpoints'
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {table}_no_truncate ON {table}")
        op.execute(f"DROP TRIGGER {table}_no_change ON {table}")
        op.execute(f"DROP FUNCTION {table}_append_only()")
    else:
        op.execute(f"DROP TRIGGER {table}_no_delete")
        op.execute(f"DROP TRIGGER {table}_no_update")
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_disposal_list_id_disposal_lists'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_documents_transfer_id_transfers'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_documents_disposition'))
        batch_op.drop_column('transfer_id')
        batch_op.drop_column('disposal_list_id')
        batch_op.drop_column('disposed_at')
        batch_op.drop_column('disposition')

    with op.batch_alter_table('transfer_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_items_document_id'))

    op.drop_table('transfer_items')
    with op.batch_alter_table('hold_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hold_documents_document_id'))

    op.drop_table('hold_documents')
    with op.batch_alter_table('disposal_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposal_items_list_id'))
        batch_op.drop_index(batch_op.f('ix_disposal_items_document_id'))

    op.drop_table('disposal_items')
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_status'))

    op.drop_table('transfers')
    with op.batch_alter_table('legal_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_legal_holds_lifted_at'))

    op.drop_table('legal_holds')
    with op.batch_alter_table('disposal_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disposal_lists_status'))

    op.drop_table('disposal_lists')
    op.drop_table('task_runs')
    op.drop_table('fixity_runs')
    op.drop_table('audit_checkpoints')
