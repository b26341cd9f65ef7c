"""The agenda surat keluar: numbers in sequence, back-dated inserts, reservations that expire
as cancelled, the signed letter filed under its number."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from earsip.access import Principal
from earsip.errors import Conflict, ValidationError
from earsip.models import OutgoingLetter
from earsip.schemas.base import parse
from earsip.schemas.desk import NumberRequest
from earsip.services import Archive
from earsip.services.desk import outgoing
from earsip.services.desk.filing import Upload
from tests import filegen
from tests.helpers import entries, principal_of

TODAY = dt.date.today()


def request(day: dt.date = TODAY, **overrides: object) -> NumberRequest:
    values: dict[str, object] = {"classification": "KA.00", "letter_date": day.isoformat(),
                                 "signatory": "sekretariat", "subject": "Undangan rapat"}
    values.update(overrides)
    return parse(NumberRequest, values)


@pytest.fixture
def desk(archive: Archive, make_user: Callable[..., str]) -> Principal:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    return principal_of(archive, "loket")


def test_numbers_follow_the_office_pattern_in_sequence(archive: Archive, desk: Principal) -> None:
    first = outgoing.issue_number(archive, desk, request())
    second = outgoing.issue_number(archive, desk, request(signatory="ketua",
                                                          classification="PM.00.02"))
    m, y = f"{TODAY.month:02}", TODAY.year
    assert first.number == f"1/KA.00/JI-XX/{m}/{y}"
    assert second.number == f"2/PM.00.02/K.JI-XX/{m}/{y}"
    assert first.status == "issued" and first.expires_at is None
    assert [e.target_id for e in entries(archive, "number.issue")] == [str(first.id),
                                                                        str(second.id)]


def test_a_back_dated_letter_gets_an_inserted_number_not_a_new_one(
        archive: Archive, desk: Principal) -> None:
    if TODAY.day < 4:
        pytest.skip("needs three earlier days in this month's year")
    early = TODAY - dt.timedelta(days=3)
    outgoing.issue_number(archive, desk, request(early))                  # 1
    outgoing.issue_number(archive, desk, request(TODAY))                  # 2
    mid = TODAY - dt.timedelta(days=1)
    late = outgoing.issue_number(archive, desk, request(mid))             # 1.1
    again = outgoing.issue_number(archive, desk, request(mid))            # 1.2
    nxt = outgoing.issue_number(archive, desk, request(TODAY))            # 3
    assert [late.number.split("/")[0], again.number.split("/")[0],
            nxt.number.split("/")[0]] == ["1.1", "1.2", "3"]


def test_a_padded_pattern_writes_inserted_numbers_the_tata_naskah_way(
        archive: Archive, desk: Principal) -> None:
    padded = dataclasses.replace(archive.config, letter_number_format="{seq:04}/{code}/{year}")
    office = dataclasses.replace(archive, config=padded)
    if TODAY.day < 2:
        pytest.skip("needs an earlier day this year")
    outgoing.issue_number(office, desk, request(TODAY - dt.timedelta(days=1)))
    outgoing.issue_number(office, desk, request(TODAY))
    inserted = outgoing.issue_number(office, desk, request(TODAY - dt.timedelta(days=1)))
    assert inserted.number == f"0001.1/KA.00/{TODAY.year}"


def test_a_sequence_per_code_and_year_keeps_codes_apart(archive: Archive, desk: Principal) -> None:
    office = dataclasses.replace(archive, config=dataclasses.replace(
        archive.config, letter_number_scope="code_year"))
    a = outgoing.issue_number(office, desk, request(classification="KA.00"))
    b = outgoing.issue_number(office, desk, request(classification="PM.00.02"))
    assert a.number.startswith("1/KA.00/") and b.number.startswith("1/PM.00.02/")


def test_an_expired_reservation_is_cancelled_and_its_number_never_reissued(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    held = outgoing.issue_number(archive, desk, request(reserve=True))
    assert held.status == "reserved" and held.expires_at is not None
    with archive.db.write() as session:
        session.execute(update(OutgoingLetter).where(OutgoingLetter.id == held.id)
                        .values(expires_at=dt.datetime(2000, 1, 1)))
    following = outgoing.issue_number(archive, desk, request())
    assert following.number.split("/")[0] == "2"
    cancelled = outgoing.get_number(archive, desk, held.id)
    assert cancelled.status == "cancelled" and cancelled.cancel_reason
    letter = filegen.make_text_pdf(tmp_path / "s.pdf", ["surat"])
    with pytest.raises(Conflict):
        outgoing.file_letter(archive, desk, held.id, Upload(letter, "s.pdf"))
    assert len(entries(archive, "number.cancel")) == 1


def test_the_signed_letter_is_filed_under_its_number_and_leaves_the_waiting_list(
        archive: Archive, desk: Principal, tmp_path: Path) -> None:
    issued = outgoing.issue_number(archive, desk, request())
    waiting = outgoing.list_numbers(archive, desk, outgoing.NumberQuery(status="waiting"))
    assert [i.id for i in waiting.items] == [issued.id]
    signed = filegen.make_text_pdf(tmp_path / "ttd.pdf", ["Surat undangan bertanda tangan"])
    filed = outgoing.file_letter(archive, desk, issued.id, Upload(signed, "ttd.pdf"))
    assert filed.status == "filed" and filed.document_id is not None
    assert outgoing.list_numbers(archive, desk, outgoing.NumberQuery(status="waiting")).total == 0
    with pytest.raises(Conflict):
        outgoing.file_letter(archive, desk, issued.id, Upload(signed, "ttd.pdf"))


@pytest.mark.parametrize(("overrides", "field"), [
    ({"signatory": "bendahara"}, "signatory"),
    ({"classification": "QQ.01"}, "classification"),
    ({"letter_date": (TODAY + dt.timedelta(days=2)).isoformat()}, "letter_date"),
    ({"subject": ""}, "subject"),
])
def test_a_bad_number_request_is_refused_and_takes_no_number(
        archive: Archive, desk: Principal, overrides: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        outgoing.issue_number(archive, desk, request(**overrides))
    assert refused.value.field == field
    assert outgoing.issue_number(archive, desk, request()).number.startswith("1/")


def test_a_letter_dated_before_every_number_of_its_year_takes_the_next_number(
        archive: Archive, desk: Principal) -> None:
    if TODAY.day < 3 and TODAY.month == 1:
        pytest.skip("needs earlier days in this year")
    outgoing.issue_number(archive, desk, request(TODAY))
    earliest = outgoing.issue_number(archive, desk, request(dt.date(TODAY.year, 1, 1)))
    assert earliest.number.split("/")[0] == "2"
