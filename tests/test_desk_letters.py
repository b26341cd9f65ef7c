"""The agenda surat masuk: registration with its files in one transaction, agenda numbers
without gaps, and the refusals that leave nothing half-registered."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from earsip.access import Principal
from earsip.errors import Duplicate, NotFound, UnsupportedType, ValidationError
from earsip.models import Document, IncomingLetter, LetterDocument, NumberSequence
from earsip.schemas.base import parse
from earsip.schemas.desk import IncomingInput
from earsip.services import Archive
from earsip.services.desk import letters
from earsip.services.desk.filing import Upload
from earsip.services.search import searching
from tests import filegen
from tests.helpers import entries, principal_of
from tests.signing_fixtures import flip_signed_byte, make_pki, signed_pdf

TODAY = dt.date.today()


def letter_input(**overrides: object) -> IncomingInput:
    """Return a valid incoming letter, received now, dated yesterday."""
    values: dict[str, object] = {
        "received_at": dt.datetime.now(dt.UTC).isoformat(),
        "channel": "pos",
        "letter_number": "197/PM.00.02/K.JI-11.07/06/2024",
        "letter_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        "sender": "Panwaslu Kecamatan Prajurit Kulon",
        "subject": "Laporan hasil pengawasan kampanye",
        "classification": "PM.00.02",
        "urgency": "segera",
    }
    values.update(overrides)
    return parse(IncomingInput, values)


@pytest.fixture
def desk(archive: Archive, make_user: Callable[..., str]) -> Principal:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    return principal_of(archive, "loket")


def pdf(tmp_path: Path, name: str, text: str) -> Upload:
    path = filegen.make_text_pdf(tmp_path / name, [text])
    return Upload(path, name)


def test_a_letter_is_registered_with_its_scan_filed_and_linked_both_ways(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    out = letters.register(archive, desk, letter_input(),
                           [pdf(tmp_path, "surat.pdf", "Laporan pengawasan kampanye Prajurit"),
                            pdf(tmp_path, "lampiran.pdf", "Daftar hadir rapat")])
    assert out.agenda_number == f"1/SM/{TODAY.year}"
    assert [d.role for d in out.documents] == ["surat", "lampiran"]
    assert len(out.document_ids) == 2
    with archive.db.read() as session:
        docs = {d.id: d for d in session.scalars(select(Document))}
        links = list(session.scalars(select(LetterDocument)))
    assert {link.document_id for link in links} == set(out.document_ids)
    assert all(link.incoming_id == out.id for link in links)
    first = docs[out.document_ids[0]]
    assert first.number == "197/PM.00.02/K.JI-11.07/06/2024"
    assert first.classification_code == "PM.00.02" and first.title.startswith("Laporan")
    assert [e.target_id for e in entries(archive, "letter.register")] == [str(out.id)]
    assert len(entries(archive, "document.file")) == 2
    found = searching.search(archive, desk, searching.parse_params({"q": "hadir"}), None)
    assert [h.id for h in found.results] == [out.document_ids[1]]


def test_agenda_numbers_run_on_without_gaps_and_a_refused_registration_takes_none(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    p = desk
    first = letters.register(archive, p, letter_input())
    bad = tmp_path / "x.exe"
    bad.write_bytes(b"MZ" + b"\x00" * 4000)
    with pytest.raises(UnsupportedType):
        letters.register(archive, p, letter_input(), [Upload(bad, "x.exe")])
    with pytest.raises(ValidationError):
        letters.register(archive, p, letter_input(classification="ZZ.99"))
    second = letters.register(archive, p, letter_input())
    assert (first.agenda_number, second.agenda_number) == (
        f"1/SM/{TODAY.year}", f"2/SM/{TODAY.year}")
    with archive.db.read() as session:
        assert session.scalar(select(func.count(IncomingLetter.id))) == 2
        assert session.scalar(select(func.count(Document.id))) == 0
        seq = session.scalar(select(NumberSequence).where(
            NumberSequence.scope == f"agenda:{TODAY.year}"))
        assert seq is not None and seq.value == 2
    refused = [e for e in entries(archive, "letter.register") if e.outcome == "refused"]
    assert len(refused) == 2


def test_a_refused_lampiran_leaves_neither_the_letter_nor_its_first_file(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    empty = tmp_path / "kosong.pdf"
    empty.write_bytes(b"")
    with pytest.raises(Exception):  # noqa: B017  # the refusal of an empty file, whatever its class
        letters.register(archive, desk, letter_input(),
                         [pdf(tmp_path, "surat.pdf", "isi surat"), Upload(empty, "kosong.pdf")])
    with archive.db.read() as session:
        assert session.scalar(select(func.count(IncomingLetter.id))) == 0
        assert session.scalar(select(func.count(Document.id))) == 0
    stored = [p for p in archive.config.upload_dir.rglob("*.pdf")]
    assert stored == []


def test_a_scan_already_in_the_archive_is_refused_as_a_duplicate(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    upload = pdf(tmp_path, "surat.pdf", "surat yang sama")
    letters.register(archive, desk, letter_input(), [upload])
    with pytest.raises(Duplicate):
        letters.register(archive, desk, letter_input(), [upload])


@pytest.mark.parametrize(("overrides", "field"), [
    ({"letter_date": (TODAY + dt.timedelta(days=3)).isoformat()}, "letter_date"),
    ({"received_at": "2020-01-01T08:00:00+07:00", "letter_date": "2020-02-01"}, "received_at"),
    ({"received_at": "2026-03-16T09:30:00"}, "received_at"),
    ({"letter_number": "nomor surat tanpa garis miring"}, "letter_number"),
    ({"classification": "XX.00"}, "classification"),
    ({"channel": "merpati"}, "channel"),
    ({"urgency": "santai"}, "urgency"),
    ({"sender": "  "}, "sender"),
])
def test_bad_letter_input_is_refused_naming_the_field(
        archive: Archive, desk: Principal, overrides: dict[str, object],
        field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        letters.register(archive, desk, letter_input(**overrides))
    assert refused.value.field == field
    with archive.db.read() as session:
        assert session.scalar(select(func.count(IncomingLetter.id))) == 0


def test_a_letter_above_the_desk_officers_clearance_is_refused(
        archive: Archive, make_user: Callable[..., str]) -> None:
    make_user("loket2", roles=("petugas_layanan",), clearance="biasa")
    with pytest.raises(ValidationError) as refused:
        letters.register(archive, principal_of(archive, "loket2"),
                         letter_input(security="rahasia"))
    assert refused.value.field == "security"


def test_a_scan_is_attached_later_and_the_register_no_longer_lists_it_as_waiting(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    p = desk
    out = letters.register(archive, p, letter_input())
    waiting = letters.list_letters(archive, p, letters.LetterQuery(status="no_scan"))
    assert [i.id for i in waiting.items] == [out.id]
    after = letters.attach(archive, p, out.id, [pdf(tmp_path, "s.pdf", "pindaian")])
    assert [d.role for d in after.documents] == ["surat"]
    waiting = letters.list_letters(archive, p, letters.LetterQuery(status="no_scan"))
    assert waiting.total == 0


def test_the_register_is_filtered_and_limited_by_clearance(
        archive: Archive, desk: Principal, make_user: Callable[..., str]) -> None:
    p = desk
    letters.register(archive, p, letter_input(subject="Undangan rapat pleno"))
    secret = letters.register(archive, p, letter_input(subject="Laporan rahasia",
                                                       security="rahasia"))
    make_user("kepala", roles=("pimpinan",), clearance="terbatas")
    head = principal_of(archive, "kepala")
    seen = letters.list_letters(archive, head, letters.LetterQuery())
    assert seen.total == 1 and seen.items[0].subject == "Undangan rapat pleno"
    with pytest.raises(NotFound):
        letters.get_letter(archive, head, secret.id)
    found = letters.list_letters(archive, p, letters.LetterQuery(q="pleno"))
    assert [i.subject for i in found.items] == ["Undangan rapat pleno"]
    make_user("staf1", roles=("staf",), clearance="sangat_rahasia")
    assert letters.list_letters(archive, principal_of(archive, "staf1"),
                                letters.LetterQuery()).total == 0


def test_a_signed_pdf_is_verified_at_registration_and_its_result_kept_and_audited(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    office = dataclasses.replace(archive, config=dataclasses.replace(
        archive.config, trust_roots=pki.trust_dir))
    good = signed_pdf(pki, tmp_path / "ttd.pdf", text="Surat bertanda tangan elektronik")
    out = letters.register(office, desk, letter_input(), [Upload(good, "ttd.pdf")])
    [fact] = out.signatures
    assert (fact.status, fact.intact, fact.trusted) == ("valid", True, True)
    assert fact.signer is not None and "Budi Santoso" in fact.signer
    assert fact.document_id == out.document_ids[0]
    [entry] = entries(archive, "letter.register")
    assert entry.details["signatures"][0]["status"] == "valid"


def test_a_signature_that_fails_integrity_is_flagged_but_the_letter_is_registered(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    office = dataclasses.replace(archive, config=dataclasses.replace(
        archive.config, trust_roots=pki.trust_dir))
    forged = flip_signed_byte(signed_pdf(pki, tmp_path / "palsu.pdf"))
    out = letters.register(office, desk, letter_input(), [Upload(forged, "palsu.pdf")])
    [fact] = out.signatures
    assert fact.status == "broken" and fact.intact is False
    assert out.agenda_number.startswith("1/")
    unchecked = letters.register(archive, desk, letter_input(),
                                 [Upload(signed_pdf(pki, tmp_path / "lain.pdf", text="lain"),
                                         "lain.pdf")])
    assert unchecked.signatures[0].trusted is None  # no trust roots configured


def test_a_filed_scan_names_its_letter_and_its_signatures_to_readers_of_the_letter(
        archive: Archive, desk: Principal, tmp_path: Path,
        make_user: Callable[..., str]) -> None:
    pki = make_pki(tmp_path)
    out = letters.register(archive, desk, letter_input(),
                           [Upload(signed_pdf(pki, tmp_path / "ttd.pdf"), "ttd.pdf")])
    seen = letters.letter_of_document(archive, desk, out.document_ids[0])
    assert seen is not None and (seen.kind, seen.role, seen.letter_id, seen.number) == (
        "incoming", "surat", out.id, out.agenda_number)
    assert [s.status for s in seen.signatures] == ["untrusted"]
    make_user("pembaca", roles=("staf",), clearance="biasa")
    other = letters.letter_of_document(archive, principal_of(archive, "pembaca"),
                                       out.document_ids[0])
    assert other is not None and other.letter_id is None and other.number is None


def test_the_same_file_twice_in_one_registration_is_refused_not_a_server_error(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    upload = pdf(tmp_path, "surat.pdf", "satu berkas")
    with pytest.raises(ValidationError) as refused:
        letters.register(archive, desk, letter_input(), [upload, upload])
    assert refused.value.field == "file"
    with archive.db.read() as session:
        assert session.scalar(select(func.count(Document.id))) == 0
        assert session.scalar(select(func.count(IncomingLetter.id))) == 0


def test_a_received_time_beyond_the_calendar_is_refused_with_its_field() -> None:
    for moment in ("0001-01-01T00:00:00+07:00", "9999-12-31T23:59:00-05:00"):
        with pytest.raises(ValidationError) as refused:
            letter_input(received_at=moment)
        assert refused.value.field == "received_at"
