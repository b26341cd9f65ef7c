"""Numbers without duplicates or gaps: agenda numbers of incoming letters and the numbers of
outgoing letters (tata naskah dinas).

A number is taken inside the transaction that records what it numbers. The scope's row in
`number_sequences` is updated first, which locks it (SQLite's write transactions are already
serialized by BEGIN IMMEDIATE; PostgreSQL holds the row lock until commit), so concurrent takers
queue one behind the other; a transaction that fails gives its number back by rolling back.
Each office numbers on its own: a sequence is an office's scope (docs/OFFICES.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from earsip.errors import ValidationError
from earsip.models import NumberSequence, OutgoingLetter


def _ensure(session: Session, office_id: int, scope: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(NumberSequence).values(office_id=office_id, scope=scope, value=0)
                    .on_conflict_do_nothing(index_elements=["office_id", "scope"]))


def _bump(session: Session, office_id: int, scope: str, by: int) -> int:
    """Add `by` to the office's row of the scope (made on first use), locking it; return its
    value."""
    bump = update(NumberSequence).where(NumberSequence.office_id == office_id,
                                        NumberSequence.scope == scope) \
        .values(value=NumberSequence.value + by).returning(NumberSequence.value)
    value = session.execute(bump).scalar()
    if value is None:
        _ensure(session, office_id, scope)
        value = session.execute(bump).scalar_one()
    return value


def take(session: Session, office_id: int, scope: str) -> int:
    """Return the next number of the office's `scope`; it is the caller's once its
    transaction commits."""
    return _bump(session, office_id, scope, 1)


def hold(session: Session, office_id: int, scope: str) -> int:
    """Lock the office's `scope` for the caller's transaction and return its last number (0:
    none yet)."""
    return _bump(session, office_id, scope, 0)


def current(session: Session, office_id: int, scope: str) -> int:
    """Return the last number of the office's `scope` without taking one (0: none yet)."""
    return session.scalar(select(NumberSequence.value).where(
        NumberSequence.office_id == office_id, NumberSequence.scope == scope)) or 0


def agenda_scope(year: int) -> str:
    """Return the sequence of the agenda surat masuk of `year`."""
    return f"agenda:{year}"


def format_agenda(pattern: str, seq: int, received: dt.date) -> str:
    """Return an agenda number written with the office's pattern (its day of receipt)."""
    return _render(pattern, seq=_Seq(seq, 0), year=received.year, month=received.month,
                   code="", unit="")


def pattern_problem(pattern: str, needed: tuple[str, ...]) -> str | None:
    """Return what is wrong with a numbering pattern (None when it is usable)."""
    try:
        pattern.format(seq=_Seq(1, 0), year=2026, month=1, code="KA.00", unit="X")
    except (KeyError, IndexError, ValueError) as e:
        return f"unknown or malformed placeholder ({e})"
    missing = [name for name in needed if "{" + name not in pattern]
    return f"needs {', '.join('{' + n + '}' for n in missing)}" if missing else None


@dataclass(frozen=True)
class _Seq:
    """A sequence number as a pattern writes it: `{seq:04}` gives 0207, and a back-dated number
    inserted after it 0207.1."""

    seq: int
    insert: int

    def __format__(self, spec: str) -> str:
        text = format(self.seq, spec)
        return f"{text}.{self.insert}" if self.insert else text

    def __str__(self) -> str:
        return format(self)


def _render(pattern: str, **values: object) -> str:
    try:
        return pattern.format(**values)
    except (KeyError, IndexError, ValueError) as e:
        raise ValidationError("Pola penomoran %(pattern)s tidak sah (%(error)s); periksa "
                              "pengaturan kantor.", params={"pattern": pattern,
                                                             "error": str(e)[:80]}) from e


def outgoing_scope(by: str, code: str, year: int) -> str:
    """Return the sequence an outgoing number of `code` and `year` runs in."""
    return f"out:{code}:{year}" if by == "code_year" else f"out:{year}"


@dataclass(frozen=True)
class Place:
    """Where a new outgoing number falls in its sequence."""

    seq: int
    insert: int


def place_outgoing(session: Session, office_id: int, scope: str, letter_date: dt.date) -> Place:
    """Take the place of a new outgoing number dated `letter_date` in `scope`.

    A letter dated before the newest number of its sequence is back-dated: it gets the number
    of the last letter dated on or before its day, with the next insert (0207.1, 0207.2), so
    the sequence stays in date order and no number is used twice; one dated before every
    number of its sequence takes the next number. The sequence is the office's own.
    """
    last = hold(session, office_id, scope)
    mine = (OutgoingLetter.office_id == office_id, OutgoingLetter.scope == scope)
    newest = session.scalar(select(func.max(OutgoingLetter.letter_date)).where(
        *mine, OutgoingLetter.insert == 0))
    if last == 0 or newest is None or letter_date >= newest:
        return Place(take(session, office_id, scope), 0)
    base = session.scalar(select(func.max(OutgoingLetter.seq)).where(
        *mine, OutgoingLetter.insert == 0, OutgoingLetter.letter_date <= letter_date))
    if base is None:  # dated before every number of its sequence: nothing to insert after
        return Place(take(session, office_id, scope), 0)
    inserted = session.scalar(select(func.max(OutgoingLetter.insert)).where(
        *mine, OutgoingLetter.seq == base)) or 0
    return Place(base, inserted + 1)


def format_outgoing(pattern: str, place: Place, *, code: str, unit: str,
                    letter_date: dt.date) -> str:
    """Return an outgoing letter's number written with the office's pattern."""
    return _render(pattern, seq=_Seq(place.seq, place.insert), code=code, unit=unit,
                   month=letter_date.month, year=letter_date.year)
