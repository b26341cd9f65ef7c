"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from earsip.models import Base
from earsip.schemas.scheme import SchemeRow
from earsip.services import Archive


def test_the_migrated_database_matches_the_models(archive: Archive) -> None:
    with archive.db.engine.connect() as conn:
        # The PostgreSQL search backend's table is no model (earsip/search/pg.py writes it).
        context = MigrationContext.configure(conn, opts={
            "compare_type": False,
            "include_name": lambda name, kind, _parents: not (kind == "table"
                                                              and name == "search_entries")})
        diff = compare_metadata(context, Base.metadata)
    assert diff == []


# The seed scheme as E-Arsip shipped it before migration 0008 (with PW, without sub-codes).
SEED_BEFORE_0008 = """\
code,name,parent,active_years,active_trigger,inactive_years,final_fate,default_security,needs_review,note
PM,Pengawasan Pemilu,,,,,,biasa,1,
PP,Penanganan Pelanggaran,,,,,,terbatas,1,
PS,Penyelesaian Sengketa,,,,,,terbatas,1,
PR,Perencanaan,,,,,,biasa,1,
OT,Organisasi dan Tata Laksana,,,,,,biasa,1,
KA,Persuratan dan Kearsipan,,,,,,biasa,1,
KU,Keuangan,,,,,,biasa,1,
PL,Perlengkapan,,,,,,biasa,1,
HK,Hukum,,,,,,biasa,1,
HM,Hubungan Masyarakat,,,,,,biasa,1,
KP,Kepegawaian,,,,,,terbatas,1,
RT,Ketatausahaan dan Kerumahtanggaan,,2,document_date,3,musnah,biasa,1,{N}
TI,Teknologi Informasi,,,,,,biasa,1,
PW,Pengawasan (internal),,,,,,biasa,1,
PM.00.02,Teknis Pengawasan Pemilu Tingkat Kab/Kota,PM,2,document_date,3,musnah,,1,{N}
PM.01.02,Hasil Pengawasan Pemilu Tingkat Kab/Kota,PM,2,tahapan pemilu berakhir,8,permanen,,1,{N}
PM.02.02,Rekomendasi Hasil Pengawasan Tingkat Kab/Kota,PM,2,document_date,8,permanen,,1,{N}
PP.00.02,Penanganan Temuan Pelanggaran Tingkat Kab/Kota,PP,2,putusan akhir,8,permanen,,1,{N}
PP.01.02,Penanganan Laporan Pelanggaran Tingkat Kab/Kota,PP,2,putusan akhir,8,permanen,,1,{N}
PS.00.02,Penyelesaian Sengketa Pemilu Tingkat Kab/Kota,PS,2,putusan sengketa,8,permanen,,1,{N}
HK.01.01,Produk Hukum Penetapan (SK),HK,2,tidak berlaku lagi,3,permanen,,1,{N}
HM.00.02,"Penerangan, Publikasi dan Layanan Informasi",HM,2,document_date,3,musnah,,1,{N}
KA.00,Administrasi Persuratan,KA,2,document_date,3,musnah,,1,{N}
KA.01.04,"Penyusutan Arsip (usul musnah, berita acara)",KA,2,document_date,0,permanen,,1,{N}
KU.00.00,DIPA / POK,KU,3,document_date,7,permanen,,1,{N}
KU.00.03,"Pengeluaran Anggaran (SPP, SPM, SP2D, SPJ)",KU,2,laporan hasil audit,8,musnah,,1,{N}
KP.07.00,Data dan Keterangan Pegawai,KP,0,pegawai berhenti,5,dinilai_kembali,,1,"{K} {N}"
PL.07,Inventarisasi Barang Milik Negara,PL,2,penghapusan barang,3,musnah,,1,{N}
""".replace("{N}", "Nilai retensi contoh: periksa terhadap JRA kantor.").replace(
    "{K}", "Aktif selama pegawai bekerja.")


def _migration_0008():
    import importlib.util
    from pathlib import Path

    path = next((Path(__file__).resolve().parent.parent / "migrations" / "versions")
                .glob("0008_*.py"))
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _archive_seeded_before_0008(config):
    """Return an archive whose scheme came from the seed of before 0008 (then initialised)."""
    from earsip.audit import SYSTEM
    from earsip.services.operations import setup
    from earsip.services.records.classification import import_csv

    archive = Archive.open(config)
    with archive.db.write() as session:
        import_csv(session, SEED_BEFORE_0008, SYSTEM)
    setup.initialise(archive)  # finds a scheme: seeds nothing more
    return archive


def _scheme(archive: Archive) -> dict[str, tuple[object, ...]]:
    from sqlalchemy import select

    from earsip.models import Classification

    with archive.db.read() as session:
        return {c.code: (c.name, c.parent_code, c.active_years, c.active_trigger,
                         c.inactive_years, c.final_fate, c.default_security, c.retired,
                         c.needs_review, c.note)
                for c in session.scalars(select(Classification))}


def _seed_scheme() -> dict[str, tuple[object, ...]]:
    """Return the scheme today's seed file describes, as `_scheme` reads one."""
    import csv
    import io

    from earsip.services.records.classification import seed_text

    def number(value: str) -> int | None:
        return int(value) if value else None

    return {r["code"]: (r["name"], r["parent"] or None, number(r["active_years"]),
                        r["active_trigger"] or None, number(r["inactive_years"]),
                        r["final_fate"] or None, r["default_security"] or None, False,
                        r["needs_review"] == "1", r["note"] or None)
            for r in csv.DictReader(io.StringIO(seed_text()))}


def _seed_updates(archive: Archive) -> list[dict[str, object]]:
    from sqlalchemy import select

    from earsip.models import AuditEntry

    with archive.db.read() as session:
        return [e.details for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action == "classification.seed_update").order_by(AuditEntry.seq))]


def _chain_is_intact(archive: Archive) -> bool:
    from sqlalchemy import select

    from earsip import audit
    from earsip.models import AuditEntry

    with archive.db.read() as session:
        return audit.verify(list(session.scalars(select(AuditEntry)
                                                 .order_by(AuditEntry.seq)))) == []


def test_a_new_archive_is_seeded_without_pw_and_with_the_bawaslu_sub_codes(
        archive: Archive) -> None:
    scheme = _scheme(archive)
    assert "PW" not in scheme and not [c for c in scheme if c.startswith("PW.")]
    assert scheme == _seed_scheme()
    for code in ("PM.00", "PM.06", "PP.02", "PS.01.03", "KA.01.02", "HK.03.06", "KP.07"):
        assert code in scheme, code
    # Every year value is a flagged placeholder.
    assert all(row[8] for row in scheme.values())
    assert scheme["PM.00.02"][1] == "PM.00" and scheme["PS.01.03"][1] == "PS.01"
    assert _seed_updates(archive) == []  # the migration found an empty scheme


def test_migration_0008_brings_an_unused_seed_scheme_to_the_new_seed_and_audits_it(
        config) -> None:
    archive = _archive_seeded_before_0008(config)
    try:
        assert "PW" in _scheme(archive)
        with archive.db.engine.begin() as conn:
            changes = _migration_0008().apply(conn)
        assert changes["removed"] == ["PW"] and len(changes["created"]) == 35
        assert _scheme(archive) == _seed_scheme()
        [entry] = _seed_updates(archive)
        assert entry["migration"] == "0008" and entry["removed"] == ["PW"]
        assert "PM.00.02" in entry["reparented"]
        assert _chain_is_intact(archive)
        with archive.db.engine.begin() as conn:  # a second run finds nothing to do
            assert _migration_0008().apply(conn) == {}
        assert len(_seed_updates(archive)) == 1
    finally:
        archive.close()


def test_migration_0008_leaves_pw_alone_where_records_are_filed_under_it(
        config, tmp_path) -> None:
    import datetime as dt

    from earsip.audit import SYSTEM
    from earsip.services.records import ingest, scheme
    from earsip.services.records.documents import DocumentInput
    from tests import filegen

    archive = _archive_seeded_before_0008(config)
    try:
        scheme.create_code(archive, SYSTEM, SchemeRow.model_validate({
            "code": "PW.01", "name": "Pengawasan internal", "active_years": "2",
            "active_trigger": "document_date", "inactive_years": "3", "final_fate": "musnah"}))
        pdf = filegen.make_text_pdf(tmp_path / "lhp.pdf", ["laporan hasil pengawasan internal"])
        doc_id = ingest.file_document(archive, SYSTEM, pdf, pdf.name, DocumentInput(
            title="LHP internal", classification="PW.01",
            document_date=dt.date.today() - dt.timedelta(days=30)), clearance=None).document_id
        before = _scheme(archive)
        with archive.db.engine.begin() as conn:
            changes = _migration_0008().apply(conn)
        after = _scheme(archive)
        assert after["PW"] == before["PW"] and after["PW.01"] == before["PW.01"]
        assert changes["kept"] == {"code": "PW", "used": True, "sub_codes": 1,
                                   "changed": False}
        assert "removed" not in changes and len(changes["created"]) == 35
        # Everything else is the new seed.
        assert {c: r for c, r in after.items() if not c.startswith("PW")} == _seed_scheme()
        from earsip.models import Document

        with archive.db.read() as session:
            assert session.get(Document, doc_id).classification_code == "PW.01"
        [entry] = _seed_updates(archive)
        assert entry["kept"]["used"] is True and _chain_is_intact(archive)
    finally:
        archive.close()
