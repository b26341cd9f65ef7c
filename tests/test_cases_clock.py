"""The legal clock in working days: the calendar seeded from the real `holidays` data for
Indonesia, the deadline rules as versioned data, and what a change of either does (and does
not do) to running cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from earsip import workdays
from earsip.errors import Conflict, Forbidden
from earsip.models import AuditEntry, Case
from earsip.schemas.cases import CalendarChange, CaseInput, ExtendInput
from earsip.services import Archive
from earsip.services.cases import calendar, handling, intake, rules
from tests.helpers import principal_of

D = dt.date
MONDAY_16_MARCH = "2026-03-16T09:00:00+07:00"


@pytest.fixture
def ppid(archive: Archive, make_user: Callable[..., str]):
    return principal_of(archive, make_user("ppid1", roles=("ppid",), clearance="terbatas"))


@pytest.fixture
def admin(archive: Archive):
    return principal_of(archive, "admin")


def _request(received_at: str = MONDAY_16_MARCH, **fields: object) -> CaseInput:
    data: dict[str, object] = {
        "type": "permohonan_informasi", "received_at": received_at, "channel": "loket",
        "name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
        "identity_number": "3576014403900001", "phone": "081234567890",
        "information": "Salinan keputusan penetapan pengawas TPS 2024",
        "purpose": "penelitian", "obtain_method": "salinan_softcopy", "copy_method": "email",
        "email": "siti@example.id"}
    data.update(fields)
    return CaseInput.model_validate(data)


def test_the_calendar_of_2026_holds_nyepi_idul_fitri_and_their_cuti_bersama() -> None:
    days = dict(workdays.seed_days(2026))
    assert "Nyepi" in days[D(2026, 3, 19)]
    assert "Idul Fitri" in days[D(2026, 3, 21)]
    assert "Cuti Bersama" in days[D(2026, 3, 18)] and "Cuti Bersama" in days[D(2026, 3, 24)]


def test_a_request_received_on_monday_16_march_2026_is_due_on_7_april_and_16_april_extended(
        archive: Archive, ppid) -> None:
    out = intake.register(archive, ppid, _request())
    assert out.due_date == D(2026, 4, 7) and out.rule_version == 1
    assert out.tracking_code and len(out.tracking_code) == 14
    with archive.db.write() as session:  # the extension's clock, with the case's own rules
        extension = rules.compute(session, "permohonan_informasi", "extension", out.due_date,
                                  version=out.rule_version, regime=out.regime)
    assert extension is not None and extension.due == D(2026, 4, 16)


def test_an_extension_runs_seven_working_days_from_the_first_due_date_and_is_kept(
        archive: Archive, ppid) -> None:
    out = intake.register(archive, ppid, _request(dt.datetime.now(dt.UTC).isoformat()))
    assert out.due_date is not None
    extended = handling.extend(archive, ppid, out.id, ExtendInput(reason="Informasi tersebar "
                                                                  "di beberapa unit"))
    cal = workdays.WorkCalendar.of((d, n, False) for d, n in
                                   workdays.seed_days(out.due_date.year)
                                   + workdays.seed_days(out.due_date.year + 1))
    assert extended.due_date == cal.add_working_days(out.due_date, 7)
    assert extended.first_due_date == out.due_date and extended.extended
    assert [h.event for h in extended.history] == ["registered", "extended"]


def test_a_request_past_its_due_date_can_no_longer_be_extended(archive: Archive, ppid) -> None:
    out = intake.register(archive, ppid, _request())  # due 7 April 2026, long past
    with pytest.raises(Conflict):
        handling.extend(archive, ppid, out.id, ExtendInput(reason="terlambat"))


def test_the_day_of_receipt_does_not_count_and_a_friday_request_skips_the_weekend() -> None:
    cal = workdays.WorkCalendar.of([])
    assert cal.add_working_days(D(2026, 6, 5), 1) == D(2026, 6, 8)  # Friday -> Monday
    assert cal.add_working_days(D(2026, 6, 6), 1) == D(2026, 6, 8)  # Saturday -> Monday
    assert cal.add_working_days(D(2026, 6, 8), 0) == D(2026, 6, 8)


def test_an_extension_is_given_once_only(archive: Archive, ppid) -> None:
    out = intake.register(archive, ppid, _request(dt.datetime.now(dt.UTC).isoformat()))
    handling.extend(archive, ppid, out.id, ExtendInput(reason="alasan"))
    with pytest.raises(Conflict):
        handling.extend(archive, ppid, out.id, ExtendInput(reason="lagi"))


def test_an_election_day_the_office_works_is_counted_and_the_change_is_audited(
        archive: Archive, ppid, admin) -> None:
    # Make 18 March 2026 (cuti bersama Nyepi) a working day: the answer comes a day earlier.
    calendar.change(archive, admin, CalendarChange(date=D(2026, 3, 18), working=True,
                                                   name="Hari kerja (tahapan pemilihan)",
                                                   reason="Bawaslu bekerja"))
    out = intake.register(archive, ppid, _request())
    assert out.due_date == D(2026, 4, 6)
    with archive.db.read() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "calendar.change"))
        assert entry is not None and entry.details["before"]["source"] == "seed"
        case = session.get(Case, out.id)
        assert case is not None and case.calendar_revision == 1


def test_a_changed_calendar_or_rule_does_not_move_a_running_case(
        archive: Archive, ppid, admin) -> None:
    first = intake.register(archive, ppid, _request())
    rules.set_rule(archive, admin, rules.RuleRow("normal", "permohonan_informasi", "answer", 5,
                                                 "working", "uji"), note="uji")
    calendar.change(archive, admin, CalendarChange(date=D(2026, 4, 1), name="Libur daerah"))
    second = intake.register(archive, ppid, _request())
    with archive.db.read() as session:
        kept = session.get(Case, first.id)
        assert kept is not None and kept.due_date == D(2026, 4, 7) and kept.rule_version == 1
    # The new case: 5 working days after 16 March with Nyepi and Idul Fitri skipped.
    assert second.due_date == D(2026, 3, 30) and second.rule_version == 2
    # The first case's extension still counts with version 1 (7 working days): 8, 9, 10, 13,
    # 14, 15, 16 April (the new holiday on 1 April lies before its first due date).
    with archive.db.write() as session:
        extension = rules.compute(session, "permohonan_informasi", "extension", D(2026, 4, 7),
                                  version=kept.rule_version, regime=kept.regime)
    assert extension is not None and extension.due == D(2026, 4, 16)


def test_only_an_administrator_corrects_the_calendar(archive: Archive, ppid) -> None:
    with pytest.raises(Forbidden):
        calendar.change(archive, ppid, CalendarChange(date=D(2026, 3, 18), name="x"))


def test_a_report_past_its_seven_day_window_is_still_registered_and_marked_late(
        archive: Archive, make_user: Callable[..., str]) -> None:
    desk = principal_of(archive, make_user("loket", roles=("petugas_layanan",),
                                           clearance="terbatas"))
    out = intake.register(archive, desk, CaseInput.model_validate({
        "type": "laporan_pelanggaran", "received_at": MONDAY_16_MARCH, "channel": "loket",
        "reporter_name": "Budi", "reported_party": "Calon X", "event": "Politik uang",
        "place": "Kel. Kranggan", "occurred_on": "2026-02-20", "known_on": "2026-02-23",
        "description": "Pembagian uang"}))
    assert out.timely is False
    assert "Melewati batas waktu" in (out.timeliness_note or "")
    assert out.registration_number.endswith("/2026") and out.status == "registered"
    on_time = intake.register(archive, desk, CaseInput.model_validate({
        "type": "laporan_pelanggaran", "received_at": MONDAY_16_MARCH, "channel": "loket",
        "reporter_name": "Budi", "reported_party": "Calon X", "event": "Politik uang",
        "place": "Kel. Kranggan", "occurred_on": "2026-03-10", "known_on": "2026-03-12",
        "description": "Pembagian uang"}))
    assert on_time.timely is True


def test_an_election_period_switches_on_the_shorter_clocks_of_the_tahapan_regime(
        archive: Archive, ppid, admin) -> None:
    rules.set_rule(archive, admin, rules.RuleRow("tahapan", "permohonan_informasi", "answer",
                                                 2, "working", "uji tahapan"))
    rules.add_period(archive, admin, "Tahapan uji", D(2026, 3, 1), D(2026, 3, 31))
    inside = intake.register(archive, ppid, _request())
    outside = intake.register(archive, ppid, _request("2026-06-08T09:00:00+07:00"))
    assert inside.regime == "tahapan" and inside.due_date == D(2026, 3, 25)
    # 16 June 2026 is Tahun Baru Islam.
    assert outside.regime == "normal" and outside.due_date == D(2026, 6, 23)
