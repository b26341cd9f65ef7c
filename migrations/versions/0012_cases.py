"""the front desk's cases: typed submissions on their legal clock, the working-day calendar,
deadline rules (version 1 seeded with the clocks of the law), the guest book

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 21:23:41.757207
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Version 1 of the deadline rules: the clocks of the law as docs/DESK.md lists them. Later
# versions are made in the application (a new version never moves a running case's dates).
RULES_V1 = [
    # (case type, clock, days, count, basis)
    ("permohonan_informasi", "answer", 10, "working", "UU 14/2008 Pasal 22 ayat (7)"),
    ("permohonan_informasi", "extension", 7, "working", "UU 14/2008 Pasal 22 ayat (8)"),
    ("keberatan", "filing", 30, "working", "UU 14/2008 Pasal 36 ayat (1)"),
    ("keberatan", "answer", 30, "working", "UU 14/2008 Pasal 36 ayat (2)"),
    ("laporan_pelanggaran", "filing", 7, "working", "UU 7/2017 Pasal 454 ayat (2) (Pemilu)"),
    ("laporan_pelanggaran", "answer", 7, "working", "Perbawaslu 7/2022"),
    ("laporan_pelanggaran", "extension", 7, "working", "Perbawaslu 7/2022"),
    ("sengketa_proses", "filing", 3, "working", "Perbawaslu 9/2022"),
    ("sengketa_proses", "answer", 12, "calendar", "Perbawaslu 9/2022"),
]


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal', sa.Boolean(), server_default='0',
                                      nullable=False))
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('working', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by_name', sa.String(length=80), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    op.create_table('calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('seeded_at', sa.DateTime(), nullable=False),
    sa.Column('source_version', sa.String(length=40), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_years'))
    )
    op.create_table('deadline_rule_versions',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_deadline_rule_versions'))
    )
    op.create_table('deadline_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('regime', sa.String(length=20), nullable=False),
    sa.Column('case_type', sa.String(length=40), nullable=False),
    sa.Column('clock', sa.String(length=20), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('count', sa.String(length=10), nullable=False),
    sa.Column('basis', sa.String(length=300), nullable=True),
    sa.CheckConstraint("count IN ('working', 'calendar')", name=op.f('ck_deadline_rules_count')),
    sa.CheckConstraint('days >= 0', name=op.f('ck_deadline_rules_days')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_rules')),
    sa.UniqueConstraint('version', 'regime', 'case_type', 'clock', name='uq_deadline_rules_version_clock')
    )
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_rules_version'), ['version'], unique=False)

    op.create_table('election_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_name', sa.String(length=80), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_election_periods'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_number', sa.String(length=80), nullable=False),
    sa.Column('reg_year', sa.Integer(), nullable=False),
    sa.Column('reg_seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.String(length=1000), nullable=False),
    sa.Column('security', sa.String(length=20), nullable=False),
    sa.Column('classification_code', sa.String(length=64), nullable=False),
    sa.Column('owner_role', sa.String(length=40), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('tracking_hash', sa.String(length=64), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('first_due_date', sa.Date(), nullable=True),
    sa.Column('rule_version', sa.Integer(), nullable=True),
    sa.Column('regime', sa.String(length=20), nullable=True),
    sa.Column('calendar_revision', sa.Integer(), nullable=True),
    sa.Column('extended_at', sa.DateTime(), nullable=True),
    sa.Column('extension_reason', sa.Text(), nullable=True),
    sa.Column('timely', sa.Boolean(), nullable=True),
    sa.Column('timeliness_note', sa.Text(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('related_id', sa.Integer(), nullable=True),
    sa.Column('external_number', sa.String(length=120), nullable=True),
    sa.Column('outcome', sa.String(length=40), nullable=True),
    sa.Column('exemption', sa.Text(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_name', sa.String(length=80), nullable=True),
    sa.Column('answer_outgoing_id', sa.Integer(), nullable=True),
    sa.Column('delivered_at', sa.DateTime(), nullable=True),
    sa.Column('delivery_method', sa.String(length=40), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.Column('registered_at', sa.DateTime(), nullable=False),
    sa.Column('registered_by_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['answer_outgoing_id'], ['outgoing_letters.id'], name=op.f('fk_cases_answer_outgoing_id_outgoing_letters')),
    sa.ForeignKeyConstraint(['classification_code'], ['classifications.code'], name=op.f('fk_cases_classification_code_classifications')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_cases_owner_id_users')),
    sa.ForeignKeyConstraint(['related_id'], ['cases.id'], name=op.f('fk_cases_related_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reg_year', 'reg_seq', name='uq_cases_reg_seq'),
    sa.UniqueConstraint('registration_number', name=op.f('uq_cases_registration_number'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_due_date'), ['due_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_received_on'), ['received_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_related_id'), ['related_id'], unique=False)
        batch_op.create_index('ix_cases_type_status', ['type', 'status'], unique=False)

    op.create_table('case_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_documents_case_id_cases')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_case_documents_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_documents')),
    sa.UniqueConstraint('case_id', 'document_id', name='uq_case_documents_case_document')
    )
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_documents_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_documents_document_id'), ['document_id'],
                              unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('actor_name', sa.String(length=80), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('case_persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('identity_number', sa.String(length=40), nullable=True),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('occupation', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_persons_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_persons'))
    )
    with op.batch_alter_table('case_persons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_persons_case_id'), ['case_id'], unique=False)

    op.create_table('guest_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('visited_at', sa.DateTime(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=300), nullable=True),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('meets', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('registered_by_name', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_guest_visits_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guest_visits'))
    )
    with op.batch_alter_table('guest_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guest_visits_visited_at'), ['visited_at'], unique=False)

    op.bulk_insert(sa.table('deadline_rule_versions', sa.column('version', sa.Integer),
                            sa.column('created_at', sa.DateTime),
                            sa.column('created_by_name', sa.String), sa.column('note', sa.Text)),
                   [{"version": 1, "created_at": dt.datetime(2026, 12, 7), "created_by_name": "sistem",
                     "note": "Jangka waktu menurut undang-undang (versi awal)"}])
    op.bulk_insert(sa.table('deadline_rules', sa.column('version', sa.Integer),
                            sa.column('regime', sa.String), sa.column('case_type', sa.String),
                            sa.column('clock', sa.String), sa.column('days', sa.Integer),
                            sa.column('count', sa.String), sa.column('basis', sa.String)),
                   [{"version": 1, "regime": "normal", "case_type": t, "clock": c, "days": d,
                     "count": n, "basis": b} for t, c, d, n, b in RULES_V1])


def downgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('personal')
    with op.batch_alter_table('guest_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guest_visits_visited_at'))

    op.drop_table('guest_visits')
    with op.batch_alter_table('case_persons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_persons_case_id'))

    op.drop_table('case_persons')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('case_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_documents_document_id'))
        batch_op.drop_index(batch_op.f('ix_case_documents_case_id'))

    op.drop_table('case_documents')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_type_status')
        batch_op.drop_index(batch_op.f('ix_cases_related_id'))
        batch_op.drop_index(batch_op.f('ix_cases_received_on'))
        batch_op.drop_index(batch_op.f('ix_cases_due_date'))

    op.drop_table('cases')
    op.drop_table('election_periods')
    with op.batch_alter_table('deadline_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deadline_rules_version'))

    op.drop_table('deadline_rules')
    op.drop_table('deadline_rule_versions')
    op.drop_table('calendar_years')
    op.drop_table('calendar_days')
