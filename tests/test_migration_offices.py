"""Migration 0015 (offices) takes an archive of revision 0014 as today's code fills it —
documents, letters in and out, a case, a hold, a destruction list, users, numbering rows, a
calendar correction — into its one office, every row kept as it was. Runs on SQLite and, with
EARSIP_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select

from config import Config, make_test_config
from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.models import Base, Office
from earsip.schemas.base import parse
from earsip.schemas.cases import CalendarChange, CaseInput
from earsip.schemas.desk import IncomingInput, NumberRequest
from earsip.schemas.retention import DisposalProposal, HoldInput
from earsip.services import Archive
from earsip.services.access.users import create_user
from earsip.services.audit.review import verify_chain
from earsip.services.cases import calendar, intake
from earsip.services.desk import letters, outgoing
from earsip.services.desk.filing import Upload
from earsip.services.operations import setup
from earsip.services.retention import destruction, holds
from tests import filegen
from tests.conftest import PG_URL, USER_PASSWORD, _reset_postgres
from tests.helpers import file_doc, principal_of

OWNED = ("users", "documents", "incoming_letters", "outgoing_letters", "cases",
         "number_sequences", "calendar_days", "legal_holds", "disposal_lists", "transfers")


def _fresh_config(tmp_path: Path) -> Config:
    folder = tmp_path / "old"
    folder.mkdir()
    if PG_URL:
        _reset_postgres(PG_URL)
        return make_test_config(folder, database_url=PG_URL, office_code="JI-16",
                                office_name="Bawaslu Kota Mojokerto", office_place="Mojokerto")
    return make_test_config(folder, office_code="JI-16")


def _schema(archive: Archive) -> dict[str, Any]:
    """Each table's columns (with nullability), key, unique constraints and indexes."""
    with archive.db.engine.connect() as conn:
        found = inspect(conn)
        return {t: ({c["name"]: c["nullable"] for c in found.get_columns(t)},
                    found.get_pk_constraint(t)["constrained_columns"],
                    sorted(tuple(u["column_names"]) for u in found.get_unique_constraints(t)),
                    sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(t)))
                for t in found.get_table_names()}


def _rows(archive: Archive) -> dict[str, list[str]]:
    """Every row of every table but the offices, without its office, in a stable order."""
    with archive.db.engine.connect() as conn:
        return {t.name: sorted(repr(sorted((k, v) for k, v in row._mapping.items()
                                           if k != "office_id"))
                               for row in conn.execute(select(t)))
                for t in Base.metadata.sorted_tables if t.name != "offices"}


def _fill(archive: Archive, tmp_path: Path) -> None:
    """File, register, number, hold and propose as the services of today do."""
    with archive.db.write() as session:
        for name, roles in (("arsip1", ["arsiparis"]), ("loket", ["petugas_layanan"]),
                            ("ppid1", ["ppid"])):
            create_user(session, name, USER_PASSWORD, roles=roles, clearance="sangat_rahasia",
                        actor=SYSTEM, hash_with=archive.config.password_hash_method)
    officer, desk = principal_of(archive, "arsip1"), principal_of(archive, "loket")
    old = file_doc(archive, tmp_path, code="KA.00", date="2015-01-01")
    spare = file_doc(archive, tmp_path, code="KA.00", date="2015-02-01")
    scan = filegen.make_text_pdf(tmp_path / "surat.pdf", ["Laporan pengawasan kampanye"])
    letters.register(archive, desk, parse(IncomingInput, {
        "received_at": dt.datetime.now(dt.UTC).isoformat(), "channel": "pos",
        "letter_number": "197/PM.00.02/K.JI-11.07/06/2024",
        "letter_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "sender": "Panwaslu Kecamatan Prajurit Kulon", "subject": "Laporan pengawasan",
        "classification": "PM.00.02", "urgency": "segera"}), [Upload(scan, "surat.pdf")])
    outgoing.issue_number(archive, desk, parse(NumberRequest, {
        "classification": "KA.00", "signatory": "sekretariat",
        "letter_date": dt.date.today().isoformat(), "subject": "Undangan rapat"}))
    intake.register(archive, principal_of(archive, "ppid1"), CaseInput.model_validate({
        "type": "permohonan_informasi", "received_at": dt.datetime.now(dt.UTC).isoformat(),
        "channel": "loket", "name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
        "occupation": "Mahasiswa", "identity_number": "3576014403900001",
        "phone": "081234567890", "email": "siti@example.id",
        "information": "Salinan keputusan penetapan pengawas TPS", "purpose": "penelitian",
        "obtain_method": "salinan_softcopy", "copy_method": "email"}))
    holds.place_hold(archive, officer, HoldInput(reference="REG-1", reason="Sengketa",
                                                 document_ids=[spare]))
    destruction.propose(archive, officer, DisposalProposal(document_ids=[old]))
    admin = Principal(1, "admin", frozenset({"admin"}), "sangat_rahasia")
    calendar.change(archive, admin, parse(CalendarChange, {
        "date": f"{dt.date.today().year}-12-24", "name": "Cuti bersama kantor",
        "reason": "Keputusan Ketua"}))


def test_an_archive_of_revision_0014_moves_whole_into_its_one_office(tmp_path: Path) -> None:
    archive = Archive.open(_fresh_config(tmp_path))
    try:
        setup.migrate(archive, "0014")
        written_0014 = _schema(archive)
        # Today's code fills the archive; taken back to 0014, it is an archive of 0014.
        setup.initialise(archive)
        _fill(archive, tmp_path)
        before = _rows(archive)
        assert all(before[t] for t in OWNED if t != "transfers"), before
        setup.downgrade(archive, "0014")
        assert _schema(archive) == written_0014
        assert "offices" not in written_0014
        assert not any("office_id" in cols for cols, *_ in written_0014.values())

        setup.migrate(archive)
        assert _rows(archive) == before
        with archive.db.read() as session:
            [office] = session.scalars(select(Office)).all()
            assert (office.code, office.name, office.place, office.level) == (
                "JI-16", "Bawaslu Kota Mojokerto", "Mojokerto", "kabkota")
        with archive.db.engine.connect() as conn:
            for table in OWNED:
                column = Base.metadata.tables[table].c.office_id
                owners = conn.execute(select(column).distinct()).all()
                assert owners in ([(office.id,)], []), (table, owners)
            # The PostgreSQL search backend's table (migration 0016) is no model.
            context = MigrationContext.configure(conn, opts={
                "compare_type": False,
                "include_name": lambda name, kind, _parents: not (
                    kind == "table" and name == "search_entries")})
            assert compare_metadata(context, Base.metadata) == []
        assert verify_chain(archive).intact
    finally:
        archive.close()
