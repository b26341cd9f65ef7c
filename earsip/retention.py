"""Pure retention rules (JRA): due dates and phases. Standard library only.

A record is `aktif` until `active_until`, then `inaktif` until `inactive_until`, then enters the
phase named by its final fate. Both periods are counted in whole years from a start date:
- counting "document_date": the record's date (or, for event-triggered rules, the event's date);
- counting "year_end": 1 January of the year after that date, so a whole year's files move together.
A boundary date belongs to the next phase: on `active_until` the record is already `inaktif`.
29 February plus whole years lands on 28 February when the target year is not a leap year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from earsip.errors import N_

DOCUMENT_DATE = "document_date"
FATES = ("musnah", "permanen", "dinilai_kembali")
FATE_PHASE = {"musnah": "usul_musnah", "permanen": "permanen", "dinilai_kembali": "dinilai_kembali"}
PHASES = ("aktif", "inaktif", "usul_musnah", "permanen", "dinilai_kembali")
COUNTING_MODES = ("document_date", "year_end")


@dataclass(frozen=True)
class Rule:
    """The effective retention rule of a classification code."""

    active_years: int
    active_trigger: str  # DOCUMENT_DATE or the name of an event
    inactive_years: int
    final_fate: str

    @property
    def event_triggered(self) -> bool:
        """Return True when the active period counts from an event, not the document date."""
        return self.active_trigger != DOCUMENT_DATE


@dataclass(frozen=True)
class Retention:
    """Due dates and phase of one record."""

    active_until: dt.date | None
    inactive_until: dt.date | None
    final_fate: str
    phase: str
    note: str | None = None


def add_years(day: dt.date, years: int) -> dt.date:
    """Return `day` plus whole years; 29 February becomes 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_start(day: dt.date, counting: str) -> dt.date:
    """Return the date from which periods are counted for a record dated `day`."""
    if counting == "year_end":
        return dt.date(day.year + 1, 1, 1)
    if counting != DOCUMENT_DATE:
        raise ValueError(f"unknown counting mode {counting!r}")
    return day


def phase_on(active_until: dt.date | None, inactive_until: dt.date | None, final_fate: str,
             as_of: dt.date) -> str:
    """Return the phase of a record with these due dates on `as_of`."""
    if active_until is None or as_of < active_until:
        return "aktif"
    if inactive_until is None or as_of < inactive_until:
        return "inaktif"
    return FATE_PHASE[final_fate]


def compute(rule: Rule, document_date: dt.date, *, trigger_date: dt.date | None,
            counting: str, as_of: dt.date) -> Retention:
    """Compute the due dates and phase of a record under `rule`."""
    if rule.event_triggered and trigger_date is None:
        return Retention(
            active_until=None,
            inactive_until=None,
            final_fate=rule.final_fate,
            phase="aktif",
            note=f"Masa aktif dihitung sejak peristiwa '{rule.active_trigger}'; "
            "tanggal peristiwa belum diisi, jadi belum ada tanggal jatuh tempo.",
        )
    base = trigger_date if rule.event_triggered and trigger_date else document_date
    start = period_start(base, counting)
    active_until = add_years(start, rule.active_years)
    inactive_until = add_years(active_until, rule.inactive_years)
    return Retention(
        active_until=active_until,
        inactive_until=inactive_until,
        final_fate=rule.final_fate,
        phase=phase_on(active_until, inactive_until, rule.final_fate, as_of),
    )


# How people name the phases and final fates (message templates; translated at the doors).
PHASE_LABELS = {"aktif": N_("aktif"), "inaktif": N_("inaktif"), "usul_musnah": N_("usul musnah"),
                "permanen": N_("permanen"), "dinilai_kembali": N_("dinilai kembali")}
FATE_LABELS = {"musnah": N_("musnah"), "permanen": N_("permanen"),
               "dinilai_kembali": N_("dinilai kembali")}

