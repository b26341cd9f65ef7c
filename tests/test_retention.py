"""Retention rules (JRA): due dates and phases, on exact boundaries."""

import datetime as dt

import pytest

from earsip import retention
from earsip.retention import Rule

RULE = Rule(active_years=2, active_trigger="document_date", inactive_years=3, final_fate="musnah")
EVENT_RULE = Rule(2, "putusan akhir", 8, "permanen")


def test_periods_count_whole_years_from_the_document_date() -> None:
    r = retention.compute(RULE, dt.date(2020, 5, 17), trigger_date=None,
                          counting="document_date", as_of=dt.date(2021, 1, 1))
    assert (r.active_until, r.inactive_until) == (dt.date(2022, 5, 17), dt.date(2025, 5, 17))
    assert r.phase == "aktif"


@pytest.mark.parametrize(("as_of", "phase"), [
    (dt.date(2022, 5, 16), "aktif"),
    (dt.date(2022, 5, 17), "inaktif"),
    (dt.date(2025, 5, 16), "inaktif"),
    (dt.date(2025, 5, 17), "usul_musnah"),
])
def test_a_boundary_date_belongs_to_the_next_phase(as_of: dt.date, phase: str) -> None:
    r = retention.compute(RULE, dt.date(2020, 5, 17), trigger_date=None,
                          counting="document_date", as_of=as_of)
    assert r.phase == phase


def test_29_february_plus_whole_years_lands_on_28_february() -> None:
    r = retention.compute(RULE, dt.date(2024, 2, 29), trigger_date=None,
                          counting="document_date", as_of=dt.date(2024, 3, 1))
    assert r.active_until == dt.date(2026, 2, 28)
    assert r.inactive_until == dt.date(2029, 2, 28)


def test_year_end_counting_starts_on_the_first_of_january_after_the_record_year() -> None:
    r = retention.compute(RULE, dt.date(2020, 5, 17), trigger_date=None, counting="year_end",
                          as_of=dt.date(2022, 12, 31))
    assert r.active_until == dt.date(2023, 1, 1)
    assert r.inactive_until == dt.date(2026, 1, 1)
    assert r.phase == "aktif"


def test_an_event_triggered_rule_has_no_due_dates_until_the_event_date_is_set() -> None:
    r = retention.compute(EVENT_RULE, dt.date(2019, 1, 1), trigger_date=None,
                          counting="document_date", as_of=dt.date(2030, 1, 1))
    assert r.active_until is None and r.inactive_until is None
    assert r.phase == "aktif"
    assert "putusan akhir" in (r.note or "")


def test_an_event_triggered_rule_counts_from_the_event_date() -> None:
    r = retention.compute(EVENT_RULE, dt.date(2019, 1, 1), trigger_date=dt.date(2021, 6, 30),
                          counting="document_date", as_of=dt.date(2031, 6, 30))
    assert r.active_until == dt.date(2023, 6, 30)
    assert r.inactive_until == dt.date(2031, 6, 30)
    assert r.phase == "permanen"


@pytest.mark.parametrize(("fate", "phase"), [("musnah", "usul_musnah"), ("permanen", "permanen"),
                                             ("dinilai_kembali", "dinilai_kembali")])
def test_the_final_phase_follows_the_final_fate(fate: str, phase: str) -> None:
    rule = Rule(0, "document_date", 0, fate)
    r = retention.compute(rule, dt.date(2020, 1, 1), trigger_date=None,
                          counting="document_date", as_of=dt.date(2020, 1, 1))
    assert r.phase == phase


def test_an_unknown_counting_mode_is_an_error() -> None:
    with pytest.raises(ValueError, match="counting"):
        retention.period_start(dt.date(2020, 1, 1), "fiscal")
