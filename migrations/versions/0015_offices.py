"""offices (satuan kerja): the one office of an existing archive, and its id on every row an
office owns (documents, letters in and out, cases, numbering sequences, calendar days, holds,
destruction lists, transfers, users); letter and case numbers unique within their office

The office is created from what `earsip.services.operations.setup.migrate` passes in
`config.attributes["office"]` (the configuration's EARSIP_OFFICE_CODE, _NAME and _PLACE);
run without it (Alembic's own command line), it takes the configuration's defaults. Every
existing row goes to that office, unchanged otherwise (docs/OFFICES.md).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = '0015'
down_revision: str | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables whose rows belong to an office (number_sequences too, handled apart: its key).
OWNED = ("users", "documents", "incoming_letters", "outgoing_letters", "cases",
         "calendar_days", "legal_holds", "disposal_lists", "transfers")
# Numbers that were unique in the archive and are now unique within their office:
# table -> [(constraint, old columns)].
PER_OFFICE_UNIQUE = {
    "incoming_letters": [("uq_incoming_letters_agenda_number", ["agenda_number"]),
                         ("uq_incoming_letters_agenda_seq", ["agenda_year", "agenda_seq"])],
    "outgoing_letters": [("uq_outgoing_letters_number", ["number"]),
                         ("uq_outgoing_letters_scope_seq", ["scope", "seq", "insert"])],
    "cases": [("uq_cases_registration_number", ["registration_number"]),
              ("uq_cases_reg_seq", ["reg_year", "reg_seq"])],
}
# What an office is when nothing is passed (the configuration's defaults, config.py).
DEFAULT_OFFICE = {"code": "JI-XX", "name": "Bawaslu Kota Mojokerto", "place": "Mojokerto",
                  "level": "kabkota"}


def _office() -> dict[str, str]:
    given = context.config.attributes.get("office") or {}
    return {k: given.get(k) or v for k, v in DEFAULT_OFFICE.items()}


def upgrade() -> None:
    op.create_table('offices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("level IN ('provinsi', 'kabkota')", name=op.f('ck_offices_level')),
    sa.ForeignKeyConstraint(['parent_id'], ['offices.id'],
                            name=op.f('fk_offices_parent_id_offices')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offices')),
    sa.UniqueConstraint('code', name=op.f('uq_offices_code'))
    )
    op.create_index(op.f('ix_offices_parent_id'), 'offices', ['parent_id'], unique=False)
    conn = op.get_bind()
    office = _office()
    conn.execute(sa.text("INSERT INTO offices (code, name, place, level, created_at) "
                         "VALUES (:code, :name, :place, :level, CURRENT_TIMESTAMP)"), office)
    office_id = conn.execute(sa.text("SELECT id FROM offices WHERE code = :code"),
                             {"code": office["code"]}).scalar_one()

    for table in OWNED:
        op.add_column(table, sa.Column('office_id', sa.Integer(), nullable=True))
        conn.execute(sa.text(f"UPDATE {table} SET office_id = :id"), {"id": office_id})
        with op.batch_alter_table(table) as batch:
            batch.alter_column('office_id', existing_type=sa.Integer(), nullable=False)
            batch.create_index(batch.f(f'ix_{table}_office_id'), ['office_id'], unique=False)
            batch.create_foreign_key(batch.f(f'fk_{table}_office_id_offices'), 'offices',
                                     ['office_id'], ['id'])
            for name, columns in PER_OFFICE_UNIQUE.get(table, []):
                batch.drop_constraint(name, type_='unique')
                batch.create_unique_constraint(name, ['office_id', *columns])

    # number_sequences: its key becomes (office, scope). Few rows: read, rebuild, write back.
    rows = conn.execute(sa.text("SELECT scope, value FROM number_sequences")).all()
    op.drop_table('number_sequences')
    sequences = op.create_table('number_sequences',
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'],
                            name=op.f('fk_number_sequences_office_id_offices')),
    sa.PrimaryKeyConstraint('office_id', 'scope', name=op.f('pk_number_sequences'))
    )
    op.create_index(op.f('ix_number_sequences_office_id'), 'number_sequences', ['office_id'],
                    unique=False)
    if rows:
        op.bulk_insert(sequences, [{"office_id": office_id, "scope": r.scope, "value": r.value}
                                   for r in rows])


def downgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM offices")).scalar_one() > 1:
        raise RuntimeError("more than one office: their records cannot go back into one "
                           "archive without offices")
    rows = conn.execute(sa.text("SELECT scope, value FROM number_sequences")).all()
    op.drop_table('number_sequences')
    sequences = op.create_table('number_sequences',
    sa.Column('scope', sa.String(length=120), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('scope', name=op.f('pk_number_sequences'))
    )
    if rows:
        op.bulk_insert(sequences, [{"scope": r.scope, "value": r.value} for r in rows])
    for table in reversed(OWNED):
        with op.batch_alter_table(table) as batch:
            for name, columns in PER_OFFICE_UNIQUE.get(table, []):
                batch.drop_constraint(name, type_='unique')
                batch.create_unique_constraint(name, columns)
            batch.drop_constraint(batch.f(f'fk_{table}_office_id_offices'), type_='foreignkey')
            batch.drop_index(batch.f(f'ix_{table}_office_id'))
            batch.drop_column('office_id')
    op.drop_index(op.f('ix_offices_parent_id'), table_name='offices')
    op.drop_table('offices')
