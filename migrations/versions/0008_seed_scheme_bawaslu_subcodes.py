"""seed scheme: drop the unused PW code, add the Bawaslu sub-codes (data only)

`../shared/DOMAIN.md` was corrected: no Bawaslu source uses `PW`, and it lists the sub-codes seen
in Bawaslu offices. A new archive gets both from `earsip/data/classification_seed.csv`; this
migration brings an archive seeded before to the same scheme without touching what its office
made its own:

- `PW` is removed only while it is exactly the seed's row (name, no rule of its own, not
  retired), has no code beneath it, and no document or legal hold names it. Otherwise the PW
  codes stay as they are (they are the office's now: used, changed or extended).
- Each sub-code the archive lacks is added, flagged `needs_review` with its placeholder years
  (an office that already has the code keeps its own row).
- A seed code whose parent was the top-level code (`PM.00.02` under `PM`) moves under the new
  intermediate code (`PM.00`) when that parent is still the seed's; the intermediate codes carry
  no rule, so no document's retention changes.

What changed is one audit entry, `classification.seed_update`, appended to the chain. An empty
scheme (a new archive, seeded after the migrations) is left alone. Downgrading changes nothing:
the rows are data the office may have used since.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:00:00
"""

import datetime as dt
import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from earsip.audit import GENESIS, canonical_json, timestamp

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SAMPLE = "Nilai retensi contoh: periksa terhadap JRA kantor."
GENERIC_NOTE = ("Nilai retensi contoh (nasib akhir dinilai kembali sampai JRA kantor dimuat): "
                "periksa terhadap JRA kantor.")
GENERIC = (2, "document_date", 3, "dinilai_kembali")
TIER_PM00 = (2, "document_date", 3, "musnah")  # as PM.00.02
TIER_PP01 = (2, "putusan akhir", 8, "permanen")  # as PP.01.02
TIER_PS = (2, "putusan sengketa", 8, "permanen")  # as PS.00.02
LAW = (2, "tidak berlaku lagi", 3, "permanen")  # as HK.01.01

# (code, name, rule): parents first. Frozen here: the seed file may change after this migration.
ADDED: tuple[tuple[str, str, tuple[int, str, int, str] | None], ...] = (
    ("HK.01", "Produk Hukum", None),
    ("HK.03", "Advokasi Hukum", None),
    ("HM.00", "Penerangan dan Publikasi", None),
    ("KA.01", "Kearsipan", None),
    ("KA.02", "Rapat/Rakor/Rakernis", GENERIC),
    ("KP.07", "Administrasi Pegawai", None),
    ("KU.00", "Pelaksanaan Anggaran", None),
    ("PM.00", "Pengawasan Pemilu", None),
    ("PM.01", "Hasil Pengawasan", None),
    ("PM.02", "Rekomendasi Hasil Pengawasan", None),
    ("PM.03", "Sosialisasi Pengawasan", GENERIC),
    ("PM.04", "Kerjasama Pengawasan", GENERIC),
    ("PM.05", "Partisipasi Masyarakat", GENERIC),
    ("PM.06", "Analisis Teknis Pengawasan dan Potensi Pelanggaran", GENERIC),
    ("PP.00", "Penanganan Temuan Pelanggaran", None),
    ("PP.01", "Penanganan Laporan/Pengaduan Pelanggaran", None),
    ("PP.02", "Laporan Pelanggaran yang Tidak Diregistrasi", GENERIC),
    ("PS.00", "Sengketa Pemilu", None),
    ("PS.01", "Sengketa Pemilihan", None),
    ("PS.02", "Sosialisasi", GENERIC),
    ("PS.03", "Pendampingan, Monitoring dan Evaluasi", GENERIC),
    ("HK.01.00", "Produk Hukum Pengaturan", LAW),
    ("HK.03.06", "Pengaduan dan Konsultasi Hukum", GENERIC),
    ("KA.01.00", "Pembinaan Kearsipan", GENERIC),
    ("KA.01.01", "Penyusunan Sistem Kearsipan", GENERIC),
    ("KA.01.02", "Pemeliharaan dan Penyimpanan Arsip", GENERIC),
    ("KA.01.03", "Penggunaan Arsip", GENERIC),
    ("PM.00.00", "Teknis Pengawasan Pemilu Tingkat Pusat", TIER_PM00),
    ("PM.00.01", "Teknis Pengawasan Pemilu Tingkat Provinsi", TIER_PM00),
    ("PP.01.00", "Penanganan Laporan Pelanggaran Tingkat Pusat", TIER_PP01),
    ("PP.01.01", "Penanganan Laporan Pelanggaran Tingkat Provinsi", TIER_PP01),
    ("PS.01.00", "Sengketa Pemilihan Tingkat Pusat", TIER_PS),
    ("PS.01.01", "Sengketa Pemilihan Tingkat Provinsi", TIER_PS),
    ("PS.01.02", "Sengketa Pemilihan Tingkat Kabupaten/Kota", TIER_PS),
    ("PS.01.03", "Sengketa Pemilihan Tingkat Kecamatan", TIER_PS),
)
# Seed codes that move under a new intermediate code: (code, seed parent, new parent).
REPARENTED = (
    ("HK.01.01", "HK", "HK.01"), ("HM.00.02", "HM", "HM.00"), ("KA.01.04", "KA", "KA.01"),
    ("KP.07.00", "KP", "KP.07"), ("KU.00.00", "KU", "KU.00"), ("KU.00.03", "KU", "KU.00"),
    ("PM.00.02", "PM", "PM.00"), ("PM.01.02", "PM", "PM.01"), ("PM.02.02", "PM", "PM.02"),
    ("PP.00.02", "PP", "PP.00"), ("PP.01.02", "PP", "PP.01"), ("PS.00.02", "PS", "PS.00"),
)
# The PW row exactly as the earlier seed made it.
PW_SEED = {"name": "Pengawasan (internal)", "parent_code": None, "active_years": None,
           "active_trigger": None, "inactive_years": None, "final_fate": None,
           "default_security": "biasa", "retired": False, "note": None}

classifications = sa.table(
    "classifications", sa.column("code", sa.String), sa.column("name", sa.String),
    sa.column("parent_code", sa.String), sa.column("active_years", sa.Integer),
    sa.column("active_trigger", sa.String), sa.column("inactive_years", sa.Integer),
    sa.column("final_fate", sa.String), sa.column("default_security", sa.String),
    sa.column("retired", sa.Boolean), sa.column("needs_review", sa.Boolean),
    sa.column("note", sa.Text))
documents = sa.table("documents", sa.column("classification_code", sa.String))
holds = sa.table("legal_holds", sa.column("classification_code", sa.String))
entries = sa.table(
    "audit_entries", sa.column("seq", sa.BigInteger), sa.column("occurred_at", sa.DateTime),
    sa.column("actor_id", sa.Integer), sa.column("actor_name", sa.String),
    sa.column("action", sa.String), sa.column("target_type", sa.String),
    sa.column("target_id", sa.String), sa.column("outcome", sa.String),
    sa.column("client_addr", sa.String), sa.column("details", sa.JSON),
    sa.column("prev_hash", sa.String), sa.column("entry_hash", sa.String))


def upgrade() -> None:
    apply(op.get_bind())


def downgrade() -> None:
    """Nothing to undo in the schema; the scheme's rows stay as the office has them."""


def _is_pw(column):  # type: ignore[no-untyped-def]
    return sa.or_(column == "PW", column.like("PW.%"))


def apply(conn: sa.Connection) -> dict[str, object]:
    """Bring a seeded scheme to the corrected seed (see the module's doc); return what changed."""
    codes = {row.code: row for row in conn.execute(sa.select(classifications))}
    if not codes:
        return {}
    changes: dict[str, object] = {}
    pw = codes.get("PW")
    if pw is not None:
        below = [c for c in codes if c.startswith("PW.")]
        used = conn.execute(sa.select(documents.c.classification_code).where(
            _is_pw(documents.c.classification_code)).limit(1)).first() or conn.execute(
            sa.select(holds.c.classification_code).where(
                _is_pw(holds.c.classification_code)).limit(1)).first()
        unchanged = all(getattr(pw, k) == v for k, v in PW_SEED.items())
        if used or below or not unchanged:
            changes["kept"] = {"code": "PW", "used": bool(used), "sub_codes": len(below),
                               "changed": not unchanged}
        else:
            conn.execute(classifications.delete().where(classifications.c.code == "PW"))
            changes["removed"] = ["PW"]
    created = []
    for code, name, rule in ADDED:
        if code in codes:
            continue
        parent = code.rsplit(".", 1)[0]
        while parent not in codes and "." in parent:
            parent = parent.rsplit(".", 1)[0]
        active, trigger, inactive, fate = rule or (None, None, None, None)
        row = {"code": code, "name": name, "parent_code": parent if parent in codes else None,
               "active_years": active, "active_trigger": trigger, "inactive_years": inactive,
               "final_fate": fate, "default_security": None, "retired": False,
               "needs_review": True,
               "note": None if rule is None else GENERIC_NOTE if rule is GENERIC else SAMPLE}
        conn.execute(classifications.insert().values(**row))
        codes[code] = row  # type: ignore[assignment]
        created.append(code)
    if created:
        changes["created"] = created
    moved = []
    for code, seed_parent, parent in REPARENTED:
        if parent in created and code in codes:
            done = conn.execute(classifications.update().where(
                classifications.c.code == code, classifications.c.parent_code == seed_parent)
                .values(parent_code=parent))
            if done.rowcount:
                moved.append(code)
    if moved:
        changes["reparented"] = moved
    if changes.keys() - {"kept"}:
        _audit(conn, changes)
    return changes


def _audit(conn: sa.Connection, details: dict[str, object]) -> None:
    """Append the migration's entry to the hash chain (as earsip.audit.append would)."""
    last = conn.execute(sa.select(entries.c.seq, entries.c.entry_hash)
                        .order_by(entries.c.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    details = {"migration": "0008", **details}
    fields = {"seq": seq, "occurred_at": timestamp(now),
              "actor_id": None, "actor_name": "system", "action": "classification.seed_update",
              "target_type": "classification", "target_id": None, "outcome": "success",
              "client_addr": None, "details": details, "prev_hash": prev}
    digest = hashlib.sha256(canonical_json(fields)).hexdigest()
    conn.execute(entries.insert().values({**fields, "occurred_at": now, "entry_hash": digest}))
