"""Editing the classification scheme (admin): one code and its JRA rule at a time.

A changed rule changes the due dates of the documents it governs: those of the code and of
every code below it that inherits the changed value. They are recomputed in the same
transaction as the edit, whose audit entry records the old and new values and how many
documents moved.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from earsip import audit
from earsip.access import may_see
from earsip.errors import NotFound, ValidationError
from earsip.models import Classification
from earsip.schemas.scheme import SchemeRow, normalize_code
from earsip.services import Archive
from earsip.services.records.classification import (
    EffectiveCode,
    affected_codes,
    get_effective,
    list_effective,
    parent_of,
    recompute_by_class,
)

EDITABLE = ("name", "active_years", "active_trigger", "inactive_years", "final_fate",
            "default_security", "needs_review", "note")


@dataclass(frozen=True)
class OwnValues:
    """A code's own values as stored (None where it inherits the parent's)."""

    name: str
    active_years: int | None
    active_trigger: str | None
    inactive_years: int | None
    final_fate: str | None
    default_security: str | None
    needs_review: bool
    note: str | None
    retired: bool


@dataclass(frozen=True)
class CodeForm:
    """A code's own values (None where inherited) and its effective values."""

    code: str
    parent: str | None
    own: OwnValues
    effective: EffectiveCode


def _missing(code: str) -> NotFound:
    return NotFound("Kode klasifikasi %(code)s tidak ada.", field="code", params={"code": code})


def get_code(archive: Archive, code: str) -> CodeForm:
    """Return what the edit form of a code shows."""
    code = normalize_code(code)
    with archive.db.read() as session:
        row = session.get(Classification, code)
        if row is None:
            raise _missing(code)
        own = OwnValues(name=row.name, active_years=row.active_years,
                        active_trigger=row.active_trigger, inactive_years=row.inactive_years,
                        final_fate=row.final_fate, default_security=row.default_security,
                        needs_review=row.needs_review, note=row.note, retired=row.retired)
        effective = get_effective(session, code)
        return CodeForm(code, row.parent_code, own, effective)


def update_code(archive: Archive, actor: audit.Actor, row: SchemeRow, *,
                retired: bool, clearance: str | None = None) -> int:
    """Change a code to the row's own values (an empty one inherits from the parent; the row's
    parent is not changed); recompute the documents its rule governs. Return how many moved.

    With `clearance`, count only the moved documents a reader of that clearance may see (the
    audit entry records them all).
    """
    code = row.code
    values = {**row.own_columns(), "retired": retired}
    with archive.db.write() as session:
        stored = session.get(Classification, code)
        if stored is None:
            raise _missing(code)
        old = {k: getattr(stored, k) for k in values}
        if old == values:
            return 0
        before = list_effective(session)
        for key, value in values.items():
            setattr(stored, key, value)
        session.flush()
        by_class = recompute_by_class(session, affected_codes(before, list_effective(session)),
                                      counting=archive.config.retention_counting)
        moved = sum(by_class.values())
        audit.append(session, actor, "classification.update", target_type="classification",
                     target_id=code, details={
                         "old": {k: v for k, v in old.items() if v != values[k]},
                         "new": {k: v for k, v in values.items() if v != old[k]},
                         "documents_recomputed": moved})
        if clearance is None:
            return moved
        return sum(n for security, n in by_class.items() if may_see(clearance, security))


def create_code(archive: Archive, actor: audit.Actor, row: SchemeRow) -> str:
    """Add the row's code under its nearest existing ancestor; return the code."""
    code, values = row.code, row.own_columns()
    with archive.db.write() as session:
        existing = set(session.scalars(select(Classification.code)))
        if code in existing:
            raise ValidationError("Kode klasifikasi %(code)s sudah ada.", field="code",
                                  params={"code": code})
        parent = parent_of(code, existing)
        if "." in code and parent is None:
            raise ValidationError("%(code)s: induk %(parent)s tidak ada.", field="code",
                                  params={"code": code, "parent": code.rsplit(".", 1)[0]})
        session.add(Classification(code=code, parent_code=parent, **values))
        session.flush()
        audit.append(session, actor, "classification.create", target_type="classification",
                     target_id=code, details={"new": {**values, "parent": parent}})
        return code
