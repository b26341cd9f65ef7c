"""The office dimension of a query: a principal's reach (`earsip.access.reach`) as SQL.

Applied where clearance is applied, in the services (never in a template): a record of an
office out of reach answers like a missing one."""

from __future__ import annotations

from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import InstrumentedAttribute

from earsip.access import Principal, reach


def in_reach(column: InstrumentedAttribute[int] | ColumnElement[int],
             principal: Principal) -> ColumnElement[bool]:
    """Return a clause true for rows of an office the principal reads."""
    offices = reach(principal)
    if offices is None:
        return true()
    return column.in_(sorted(offices))


def within_reach(office_id: int | None, principal: Principal) -> bool:
    """Return True when a row of this office is within the principal's reach."""
    offices = reach(principal)
    return offices is None or office_id in offices
