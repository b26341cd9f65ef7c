"""Offices (satuan kerja): one office at init, more by `earsip office create`; users join an
office, every new document, letter and case belongs to its maker's office, each office numbers
on its own, and the API names the office of every record."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from config import Config
from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.models import AuditEntry, Case, Document, IncomingLetter, Office, OutgoingLetter, User
from earsip.schemas.base import parse
from earsip.schemas.desk import IncomingInput, NumberRequest
from earsip.schemas.offices import NewOffice
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import create_user
from earsip.services.desk import letters, outgoing
from tests import filegen
from tests.conftest import USER_PASSWORD
from tests.helpers import principal_of

REQUEST = {"name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}
CLI = Principal(0, "cli:test", frozenset({"admin_provinsi"}), "sangat_rahasia")


def letter_input() -> IncomingInput:
    """Return a valid incoming letter, received now, dated yesterday."""
    return parse(IncomingInput, {
        "received_at": dt.datetime.now(dt.UTC).isoformat(), "channel": "pos",
        "letter_number": "197/PM.00.02/K.JI-11.07/06/2024",
        "letter_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "sender": "Panwaslu Kecamatan Prajurit Kulon",
        "subject": "Laporan hasil pengawasan kampanye", "classification": "PM.00.02",
        "urgency": "segera"})


def _office(archive: Archive, code: str, name: str, place: str, **extra: str) -> None:
    offices.create_office(archive, CLI, parse(NewOffice, {
        "code": code, "name": name, "place": place, **extra}))


def _user_in(archive: Archive, username: str, code: str, *roles: str,
             clearance: str = "rahasia") -> Principal:
    with archive.db.write() as session:
        office_id = offices.by_code(session, code).id
        create_user(session, username, USER_PASSWORD, roles=list(roles), clearance=clearance,
                    actor=SYSTEM, office_id=office_id,
                    hash_with=archive.config.password_hash_method)
    return principal_of(archive, username)


def test_a_fresh_archive_has_exactly_one_office_made_from_the_configuration(
        archive: Archive, config: Config) -> None:
    with archive.db.read() as session:
        [office] = session.scalars(select(Office)).all()
        assert (office.code, office.name, office.place, office.level, office.parent_id) == (
            config.office_code, config.office_name, config.office_place, "kabkota", None)
        admin = session.scalar(select(User).where(User.username == "admin"))
        assert admin is not None and admin.office_id == office.id


def test_the_cli_creates_and_lists_offices_and_refuses_a_duplicate_or_an_unknown_parent(
        archive: Archive, runner: Callable[..., object]) -> None:
    made = runner("office", "create", "JI", "--name", "Bawaslu Provinsi Jawa Timur",
                  "--place", "Surabaya", "--level", "provinsi")
    assert made.exit_code == 0, made.output
    made = runner("office", "create", "JI-01", "--name", "Bawaslu Kota Surabaya",
                  "--place", "Surabaya", "--parent", "JI")
    assert made.exit_code == 0, made.output
    again = runner("office", "create", "ji-01", "--name", "Lagi", "--place", "Surabaya")
    assert again.exit_code == 1 and "sudah ada" in again.output
    orphan = runner("office", "create", "JI-02", "--name", "Bawaslu Kabupaten Sidoarjo",
                    "--place", "Sidoarjo", "--parent", "JX")
    assert orphan.exit_code == 1 and "induk JX tidak ada" in orphan.output
    bad = runner("office", "create", "JI 03", "--name", "X", "--place", "Y")
    assert bad.exit_code == 1 and "tidak sah" in bad.output
    listed = runner("office", "list")
    assert listed.exit_code == 0
    lines = [line.split("\t") for line in listed.output.strip().splitlines()]
    assert [(c, level, parent) for c, level, parent, *_ in lines] == [
        ("JI", "provinsi", "-"), ("JI-01", "kabkota", "JI"), ("JI-XX", "kabkota", "-")]
    with archive.db.read() as session:
        made_entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "office.create").order_by(AuditEntry.seq)).all()
    assert [e.details["code"] for e in made_entries] == ["JI", "JI-01"]
    assert made_entries[1].details["parent"] == "JI"


def test_a_user_joins_the_only_office_by_default_and_must_name_one_when_there_are_several(
        archive: Archive, runner: Callable[..., object]) -> None:
    one = runner("user", "create", "siti", "--role", "staf", "--clearance", "biasa",
                 "--password-stdin", input=USER_PASSWORD + "\n")
    assert one.exit_code == 0, one.output
    _office(archive, "JI-01", "Bawaslu Kota Surabaya", "Surabaya")
    refused = runner("user", "create", "budi", "--role", "staf", "--clearance", "biasa",
                     "--password-stdin", input=USER_PASSWORD + "\n")
    assert refused.exit_code == 1 and "--office KODE" in refused.output
    unknown = runner("user", "create", "budi", "--role", "staf", "--clearance", "biasa",
                     "--office", "JI-99", "--password-stdin", input=USER_PASSWORD + "\n")
    assert unknown.exit_code == 1 and "JI-99 tidak ada" in unknown.output
    named = runner("user", "create", "budi", "--role", "supervisor_provinsi",
                   "--clearance", "rahasia", "--office", "JI-01", "--password-stdin",
                   input=USER_PASSWORD + "\n")
    assert named.exit_code == 0, named.output
    with archive.db.read() as session:
        codes = dict(session.execute(select(User.username, Office.code).join(
            Office, Office.id == User.office_id)).all())
    assert codes == {"admin": "JI-XX", "siti": "JI-XX", "budi": "JI-01"}


def test_only_the_province_administrator_manages_offices(archive: Archive) -> None:
    import pytest

    from earsip.errors import Forbidden

    admin = Principal(5, "admin", frozenset({"admin", "arsiparis"}), "sangat_rahasia")
    with pytest.raises(Forbidden):
        offices.create_office(archive, admin, parse(NewOffice, {
            "code": "JI-01", "name": "Bawaslu Kota Surabaya", "place": "Surabaya"}))


def test_two_offices_number_their_letters_and_cases_on_their_own_and_own_what_they_make(
        archive: Archive, tmp_path: Path) -> None:
    _office(archive, "JI-01", "Bawaslu Kota Surabaya", "Surabaya")
    home = _user_in(archive, "loket", "JI-XX", "petugas_layanan")
    other = _user_in(archive, "loket_sby", "JI-01", "petugas_layanan")
    year = dt.date.today().year
    scan = filegen.make_text_pdf(tmp_path / "surat.pdf", ["Laporan pengawasan Surabaya"])
    from earsip.services.desk.filing import Upload

    first = letters.register(archive, home, letter_input())
    theirs = letters.register(archive, other, letter_input(), [Upload(scan, "surat.pdf")])
    second = letters.register(archive, home, letter_input())
    assert (first.agenda_number, theirs.agenda_number, second.agenda_number) == (
        f"1/SM/{year}", f"1/SM/{year}", f"2/SM/{year}")
    assert (first.office.code, theirs.office.code) == ("JI-XX", "JI-01")
    number = parse(NumberRequest, {"classification": "KA.00", "signatory": "sekretariat",
                                   "letter_date": dt.date.today().isoformat(),
                                   "subject": "Undangan rapat"})
    mine = outgoing.issue_number(archive, home, number)
    yours = outgoing.issue_number(archive, other, number)
    # The same place in each office's own sequence, each number with its own office's code.
    month = f"{dt.date.today().month:02}"
    assert (mine.number, yours.number) == (f"1/KA.00/JI-XX/{month}/{year}",
                                           f"1/KA.00/JI-01/{month}/{year}")
    assert (mine.office.code, yours.office.code) == ("JI-XX", "JI-01")
    with archive.db.read() as session:
        owner = {o.id: o.code for o in session.scalars(select(Office))}
        assert {owner[letter.office_id] for letter in session.scalars(
            select(IncomingLetter).where(IncomingLetter.id == theirs.id))} == {"JI-01"}
        [doc] = session.scalars(select(Document)).all()
        assert owner[doc.office_id] == "JI-01"
        assert sorted(owner[r.office_id] for r in session.scalars(select(OutgoingLetter))) \
            == ["JI-01", "JI-XX"]


def test_the_api_lists_the_offices_and_names_the_office_of_documents_letters_and_cases(
        client: FlaskClient, archive: Archive, make_user: Callable[..., str],
        token_for: Callable[[str], dict[str, str]], tmp_path: Path) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    _office(archive, "JI", "Bawaslu Provinsi Jawa Timur", "Surabaya", level="provinsi")
    _office(archive, "JI-01", "Bawaslu Kota Surabaya", "Surabaya", parent="JI")
    _user_in(archive, "loket_sby", "JI-01", "petugas_layanan")
    assert client.get("/api/v1/offices").status_code == 401
    listed = client.get("/api/v1/offices", headers=token_for("loket"))
    assert listed.status_code == 200
    assert listed.get_json() == [
        {"code": "JI", "name": "Bawaslu Provinsi Jawa Timur", "place": "Surabaya",
         "level": "provinsi", "parent": None},
        {"code": "JI-01", "name": "Bawaslu Kota Surabaya", "place": "Surabaya",
         "level": "kabkota", "parent": "JI"},
        {"code": "JI-XX", "name": "Bawaslu Kota Mojokerto", "place": "Mojokerto",
         "level": "kabkota", "parent": None}]
    sby = token_for("loket_sby")
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["Surat edaran pengawasan"])
    r = client.post("/api/v1/letters/incoming", headers=sby, data={
        "received_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "channel": "pos", "letter_number": "1/HK/2026",
        "letter_date": (dt.date.today() - dt.timedelta(days=1)).isoformat(),
        "sender": "Bawaslu RI", "subject": "Surat edaran", "classification": "HK.01.01",
        "urgency": "biasa", "file": [(io.BytesIO(pdf.read_bytes()), "a.pdf")]},
        content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    letter = r.get_json()
    surabaya = {"code": "JI-01", "name": "Bawaslu Kota Surabaya"}
    assert letter["office"] == surabaya
    _user_in(archive, "pengawas", "JI", "supervisor_provinsi")
    doc = client.get(f"/api/v1/documents/{letter['document_ids'][0]}",
                     headers=token_for("pengawas"))
    assert doc.status_code == 200 and doc.get_json()["office"] == surabaya
    # Another office's document answers like a missing one.
    assert client.get(f"/api/v1/documents/{letter['document_ids'][0]}",
                      headers=token_for("admin")).status_code == 404
    case = client.post("/api/v1/cases", headers=sby, json={
        **REQUEST, "type": "permohonan_informasi", "channel": "loket",
        "received_at": dt.datetime.now(dt.UTC).isoformat()})
    assert case.status_code == 201, case.get_json()
    assert case.get_json()["office"] == surabaya
    # The public's request, made by no user, goes to the deployment's default office.
    public = client.post("/api/v1/public/information-requests", data=REQUEST,
                         content_type="multipart/form-data")
    assert public.status_code == 201, public.get_json()
    with archive.db.read() as session:
        cases = sorted(session.execute(select(Case.registration_number, Office.code).join(
            Office, Office.id == Case.office_id)).all(), key=tuple)
    year = archive.local_today().year
    # Each office numbers its cases on its own.
    assert cases == [(f"0001/LSP/{year}", "JI-01"), (f"0001/LSP/{year}", "JI-XX")]


def test_documents_a_hold_a_destruction_list_and_a_transfer_belong_to_who_made_them(
        archive: Archive, tmp_path: Path) -> None:
    from earsip.models import DisposalList, LegalHold, Transfer
    from earsip.schemas.retention import DisposalProposal, HoldInput
    from earsip.services.records import ingest
    from earsip.services.records.documents import DocumentInput
    from earsip.services.retention import destruction, holds, transfer
    from tests.helpers import handing

    _office(archive, "JI-01", "Bawaslu Kota Surabaya", "Surabaya")
    officer = _user_in(archive, "arsip_sby", "JI-01", "arsiparis", clearance="sangat_rahasia")
    ids = []
    for n, (code, day) in enumerate((("KA.00", "2015-01-01"), ("KA.00", "2015-02-01"),
                                     ("KU.00.00", "2010-01-05"))):
        pdf = filegen.make_text_pdf(tmp_path / f"{n}.pdf", [f"Surat lama nomor {n}"])
        ids.append(ingest.file_document(archive, officer.actor(), pdf, pdf.name, DocumentInput(
            title=f"Surat {n}", classification=code,
            document_date=dt.date.fromisoformat(day)), clearance=officer.clearance).document_id)
    holds.place_hold(archive, officer, HoldInput(reference="REG-1", reason="Sengketa",
                                                 document_ids=[ids[1]]))
    destruction.propose(archive, officer, DisposalProposal(document_ids=[ids[0]]))
    transfer.prepare(archive, officer, handing([ids[2]]))
    with archive.db.read() as session:
        surabaya = offices.by_code(session, "JI-01").id
        assert {d.office_id for d in session.scalars(select(Document))} == {surabaya}
        assert [h.office_id for h in session.scalars(select(LegalHold))] == [surabaya]
        assert [d.office_id for d in session.scalars(select(DisposalList))] == [surabaya]
        assert [t.office_id for t in session.scalars(select(Transfer))] == [surabaya]


def test_init_keeps_the_one_office_in_line_with_the_configuration_but_not_several(
        archive: Archive, config: Config) -> None:
    from dataclasses import replace

    from earsip.services.operations import setup

    later = Archive.open(replace(config, office_code="JI-16"))
    try:
        setup.initialise(later)
        _office(later, "JI-01", "Bawaslu Kota Surabaya", "Surabaya")
        again = Archive.open(replace(config, office_code="JI-99"))
        try:
            setup.initialise(again)
        finally:
            again.close()
        with later.db.read() as session:
            assert sorted(session.scalars(select(Office.code))) == ["JI-01", "JI-16"]
            [changed] = session.scalars(select(AuditEntry).where(
                AuditEntry.action == "office.update")).all()
            assert changed.details == {"changes": {"code": ["JI-XX", "JI-16"]}}
    finally:
        later.close()


def test_a_list_of_letters_reads_their_office_once_not_once_a_row(
        app: Flask, client: FlaskClient, archive: Archive, make_user: Callable[..., str],
        token_for: Callable[[str], dict[str, str]]) -> None:
    from sqlalchemy import event

    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    desk = principal_of(archive, "loket")
    for _ in range(5):
        letters.register(archive, desk, letter_input())
    headers = token_for("loket")
    statements: list[str] = []

    def seen(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    engine = app.extensions["earsip"].db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        listed = client.get("/api/v1/letters/incoming", headers=headers)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert listed.status_code == 200 and listed.get_json()["total"] == 5
    assert {item["office"]["code"] for item in listed.get_json()["items"]} == {"JI-XX"}
    assert len([s for s in statements if "FROM offices" in s]) == 1
