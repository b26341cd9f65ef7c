"""The deadline rules as versioned data, and the legal clocks computed from them.

A version of the rules is a full set of rows (case type, clock, days, count mode) under a
regime: "normal", or "tahapan" for cases received during an election period, which falls back
to "normal" for a clock it does not name. A case keeps the version, the regime and the calendar
revision its dates were computed with; a new version applies to cases registered after it, so
changing a rule never moves a running case's dates (an extension uses the case's own version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from earsip import audit, workdays
from earsip.access import Principal
from earsip.errors import NotFound, ValidationError
from earsip.models import DeadlineRule, DeadlineRuleVersion, ElectionPeriod
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.cases import calendar

REGIMES = ("normal", "tahapan")
CLOCKS = ("answer", "extension", "filing")
COUNTS = ("working", "calendar")


@dataclass(frozen=True)
class Clock:
    """A deadline computed: its last day (inclusive) and how it was computed."""

    due: dt.date
    days: int
    count: str
    basis: str | None
    version: int
    regime: str
    calendar_revision: int


def in_force(session: Session) -> int:
    """Return the version of the rules in force (the newest)."""
    return session.scalar(select(func.max(DeadlineRuleVersion.version))) or 0


def regime_on(session: Session, day: dt.date) -> str:
    """Return "tahapan" when `day` falls in an election period, else "normal"."""
    found = session.scalar(select(ElectionPeriod.id).where(
        ElectionPeriod.starts_on <= day, ElectionPeriod.ends_on >= day).limit(1))
    return "normal" if found is None else "tahapan"


def find(session: Session, version: int, regime: str, case_type: str,
         clock: str) -> DeadlineRule | None:
    """Return the rule of a clock in a version and regime ("tahapan" falls back to "normal")."""
    for name in dict.fromkeys((regime, "normal")):
        rule = session.scalar(select(DeadlineRule).where(
            DeadlineRule.version == version, DeadlineRule.regime == name,
            DeadlineRule.case_type == case_type, DeadlineRule.clock == clock))
        if rule is not None:
            return rule
    return None


def compute(session: Session, case_type: str, clock: str, start: dt.date, *,
            version: int | None = None, regime: str | None = None) -> Clock | None:
    """Return the last day of `clock` for a case of `case_type` that starts counting after
    `start` (None when the rules give that clock no rule); the caller holds a write
    transaction (the calendar may seed a year)."""
    version = in_force(session) if version is None else version
    regime = regime_on(session, start) if regime is None else regime
    rule = find(session, version, regime, case_type, clock)
    if rule is None:
        return None
    span = dt.timedelta(days=rule.days * 3 + 60)
    cal = calendar.load(session, start, start + span)
    due = workdays.add_days(start, rule.days, rule.count, cal)
    return Clock(due=due, days=rule.days, count=rule.count, basis=rule.basis, version=version,
                 regime=rule.regime, calendar_revision=calendar.revision(session))


def elapsed(session: Session, start: dt.date, end: dt.date, count: str) -> int:
    """Return the days after `start` up to and including `end`, counted in `count` days."""
    cal = calendar.load(session, start, end)
    return workdays.days_between(start, end, count, cal)


@dataclass(frozen=True)
class RuleRow:
    """A rule as the rules page and the API show it."""

    regime: str
    case_type: str
    clock: str
    days: int
    count: str
    basis: str | None


def current(archive: Archive, principal: Principal) -> tuple[int, list[RuleRow]]:
    """Return the version in force and its rules."""
    require(principal, "calendar.read")
    with archive.db.read() as session:
        version = in_force(session)
        rows = session.scalars(select(DeadlineRule).where(DeadlineRule.version == version)
                               .order_by(DeadlineRule.regime, DeadlineRule.case_type,
                                         DeadlineRule.clock)).all()
        return version, [RuleRow(r.regime, r.case_type, r.clock, r.days, r.count, r.basis)
                         for r in rows]


def set_rule(archive: Archive, principal: Principal, change: RuleRow, note: str | None = None,
             client_addr: str | None = None) -> int:
    """Make a new version of the rules with one clock set (days 0 removes it); return the
    version. Running cases keep the version they were computed with."""
    require(principal, "calendar.manage")
    if change.regime not in REGIMES or change.clock not in CLOCKS or change.count not in COUNTS:
        raise ValidationError("Aturan tidak sah: rezim, jam atau cara hitung tidak dikenal.",
                              field="rule")
    if not 0 <= change.days <= 365:
        raise ValidationError("Jumlah hari di luar rentang (0–365).", field="days")
    actor = principal.actor(client_addr)
    with archive.db.write() as session:
        old = in_force(session)
        new = old + 1
        session.add(DeadlineRuleVersion(version=new, created_by_name=principal.username,
                                        note=note))
        for r in session.scalars(select(DeadlineRule).where(DeadlineRule.version == old)):
            if (r.regime, r.case_type, r.clock) == (change.regime, change.case_type,
                                                    change.clock):
                continue
            session.add(DeadlineRule(version=new, regime=r.regime, case_type=r.case_type,
                                     clock=r.clock, days=r.days, count=r.count, basis=r.basis))
        if change.days:
            session.add(DeadlineRule(version=new, regime=change.regime,
                                     case_type=change.case_type, clock=change.clock,
                                     days=change.days, count=change.count, basis=change.basis))
        audit.append(session, actor, "rules.change", target_type="rules", target_id=new,
                     details={"version": new, "previous": old, "regime": change.regime,
                              "case_type": change.case_type, "clock": change.clock,
                              "days": change.days, "count": change.count, "note": note})
        return new


def add_period(archive: Archive, principal: Principal, name: str, starts_on: dt.date,
               ends_on: dt.date, client_addr: str | None = None) -> int:
    """Switch the "tahapan" regime on for the cases received from `starts_on` to `ends_on`."""
    require(principal, "calendar.manage")
    if ends_on < starts_on:
        raise ValidationError("Tanggal akhir tahapan lebih awal dari tanggal mulai.",
                              field="ends_on")
    with archive.db.write() as session:
        period = ElectionPeriod(name=name[:200], starts_on=starts_on, ends_on=ends_on,
                                created_by_name=principal.username)
        session.add(period)
        session.flush()
        audit.append(session, principal.actor(client_addr), "rules.period", target_type="rules",
                     target_id=period.id, details={"name": name, "starts_on": starts_on.isoformat(),
                                                   "ends_on": ends_on.isoformat()})
        return period.id


def remove_period(archive: Archive, principal: Principal, period_id: int,
                  client_addr: str | None = None) -> None:
    """End an election period's regime for cases registered from now on."""
    require(principal, "calendar.manage")
    with archive.db.write() as session:
        period = session.get(ElectionPeriod, period_id)
        if period is None:
            raise NotFound("Periode tahapan tidak ditemukan.")
        audit.append(session, principal.actor(client_addr), "rules.period_remove",
                     target_type="rules", target_id=period_id,
                     details={"name": period.name, "starts_on": period.starts_on.isoformat(),
                              "ends_on": period.ends_on.isoformat()})
        session.delete(period)


@dataclass(frozen=True)
class Period:
    """An election period as the rules page shows it."""

    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    created_by: str


def periods(archive: Archive, principal: Principal) -> list[Period]:
    """Return the election periods, the latest first."""
    require(principal, "calendar.read")
    with archive.db.read() as session:
        rows = session.scalars(select(ElectionPeriod).order_by(
            ElectionPeriod.starts_on.desc(), ElectionPeriod.id.desc())).all()
        return [Period(r.id, r.name, r.starts_on, r.ends_on, r.created_by_name) for r in rows]
