"""Classification scheme and its retention rules (JRA): effective values, seed, CSV in and out."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit, retention, tabular
from earsip.errors import NotFound, ValidationError
from earsip.models import Classification, Document
from earsip.schemas.base import JsonObject, parse
from earsip.schemas.scheme import SchemeRow, normalize_code
from earsip.services import Archive
from earsip.services.cases import personal

CSV_COLUMNS = ("code", "name", "parent", "active_years", "active_trigger", "inactive_years",
               "final_fate", "default_security", "needs_review", "note")


@dataclass(frozen=True)
class EffectiveCode:
    """A code with the retention values it sets or inherits."""

    code: str
    name: str
    parent: str | None
    active_years: int | None
    active_trigger: str | None
    inactive_years: int | None
    final_fate: str | None
    default_security: str
    needs_review: bool
    retired: bool

    @property
    def rule(self) -> retention.Rule | None:
        """Return the complete retention rule, or None when the scheme leaves it unset."""
        active, trigger = self.active_years, self.active_trigger
        inactive, fate = self.inactive_years, self.final_fate
        if active is None or trigger is None or inactive is None or fate is None:
            return None
        return retention.Rule(active, trigger, inactive, fate)


def _effective(code: Classification, by_code: dict[str, Classification]) -> EffectiveCode:
    chain = [code]
    seen = {code.code}
    while chain[-1].parent_code and chain[-1].parent_code in by_code:
        parent = by_code[chain[-1].parent_code]
        if parent.code in seen:  # a cycle in hand-edited data: stop rather than loop
            break
        seen.add(parent.code)
        chain.append(parent)

    def first(attr: str) -> object:
        for c in chain:
            value = getattr(c, attr)
            if value is not None and value != "":
                return value
        return None

    return EffectiveCode(
        code=code.code,
        name=code.name,
        parent=code.parent_code,
        active_years=first("active_years"),  # type: ignore[arg-type]  # the code's own column
        active_trigger=first("active_trigger"),  # type: ignore[arg-type]  # the code's own column
        inactive_years=first("inactive_years"),  # type: ignore[arg-type]  # the code's own column
        final_fate=first("final_fate"),  # type: ignore[arg-type]  # the code's own column
        default_security=first("default_security") or "biasa",  # type: ignore[arg-type]  # the code's own column
        needs_review=any(c.needs_review for c in chain),
        retired=code.retired,
    )


def list_effective(session: Session) -> list[EffectiveCode]:
    """Return every code with its effective (inherited) values, sorted by code."""
    rows = session.scalars(select(Classification).order_by(Classification.code)).all()
    by_code = {c.code: c for c in rows}
    return [_effective(c, by_code) for c in rows]


def get_effective(session: Session, code: str) -> EffectiveCode:
    """Return one code with its effective values, or raise NotFound."""
    code = normalize_code(code)
    rows = session.scalars(select(Classification)).all()
    by_code = {c.code: c for c in rows}
    if code not in by_code:
        raise NotFound("Kode klasifikasi %(code)s tidak ada.", field="classification",
                       params={"code": code})
    return _effective(by_code[code], by_code)


def parent_of(code: str, existing: set[str]) -> str | None:
    """Return the nearest existing ancestor of `code` (PM.01.02 -> PM.01 or PM)."""
    parts = code.split(".")
    for i in range(len(parts) - 1, 0, -1):
        candidate = ".".join(parts[:i])
        if candidate in existing:
            return candidate
    return None



@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


def affected_codes(before: list[EffectiveCode], after: list[EffectiveCode]) -> set[str]:
    """Return the codes whose effective retention rule differs between two views."""
    old = {c.code: c.rule for c in before}
    return {c.code for c in after if c.code not in old or old[c.code] != c.rule}


def recompute(session: Session, codes: set[str], *, counting: str,
              as_of: dt.date | None = None) -> int:
    """Recompute the retention dates of the documents filed under `codes`; return how many
    changed. Raise ValidationError when such a code no longer has a complete rule."""
    return sum(recompute_by_class(session, codes, counting=counting, as_of=as_of).values())


def recompute_by_class(session: Session, codes: set[str], *, counting: str,
                       as_of: dt.date | None = None) -> Counter[str]:
    """Like `recompute`, but return how many changed per security class, so that a reader
    is told only about the documents within their clearance."""
    changed: Counter[str] = Counter()
    if not codes:
        return changed
    effective = {c.code: c for c in list_effective(session)}
    today = as_of or dt.date.today()
    # Destroyed and transferred records keep the dates they left with (their tombstones are
    # never rewritten).
    for doc in session.scalars(select(Document).where(Document.classification_code.in_(codes),
                                                      Document.disposition.is_(None))):
        if personal.keeps_own_rule(doc):  # an identity scan kept by EARSIP_IDENTITY_RETENTION
            continue
        rule = effective[doc.classification_code].rule
        if rule is None:
            raise ValidationError(
                "Kode %(code)s dipakai dokumen, jadi aturan JRA-nya harus tetap lengkap.",
                field="active_years", params={"code": doc.classification_code})
        ret = retention.compute(rule, doc.document_date, trigger_date=doc.trigger_date,
                                counting=counting, as_of=today)
        new = (ret.active_until, ret.inactive_until, ret.final_fate, ret.phase, ret.note)
        if new != (doc.active_until, doc.inactive_until, doc.final_fate, doc.phase,
                   doc.retention_note):
            (doc.active_until, doc.inactive_until, doc.final_fate, doc.phase,
             doc.retention_note) = new
            changed[doc.security] += 1
    return changed


def import_csv(session: Session, text: str, actor: audit.Actor, *,
               counting: str = "document_date") -> ImportResult:
    """Create or update codes from CSV text (columns CSV_COLUMNS); all rows or none.

    Documents under codes whose effective rule changed get their dates recomputed.
    """
    before = list_effective(session)
    reader = csv.DictReader(io.StringIO(text))
    missing = {"code", "name"} - set(reader.fieldnames or ())
    if missing:
        raise ValidationError("Kolom CSV wajib tidak ada: %(columns)s.",
                              params={"columns": ", ".join(sorted(missing))})
    # An exported scheme neutralised its formula-like text ('=…): read it back as it was.
    rows = [parse(SchemeRow, {k: tabular.restore(v) if isinstance(v, str) else v
                              for k, v in r.items()}) for r in reader]
    existing = {c.code: c for c in session.scalars(select(Classification)).all()}
    known = set(existing) | {r.code for r in rows}
    created = updated = unchanged = 0
    changes: list[JsonObject] = []  # for the audit entry
    # Parents first, so a child's parent exists when the child is added.
    for checked in sorted(rows, key=lambda r: r.code.count(".")):
        code, values = checked.code, checked.own_columns()
        parent = checked.parent or parent_of(code, known)
        if parent == code or (parent and parent not in known):
            raise ValidationError("%(code)s: induk %(parent)s tidak ada.", field="parent",
                                  params={"code": code, "parent": parent})
        values["parent_code"] = parent
        current = existing.get(code)
        if current is None:
            session.add(Classification(code=code, **values))
            created += 1
            changes.append({"code": code, "new": values})
            continue
        old = {k: getattr(current, k) for k in values}
        if old == values:
            unchanged += 1
            continue
        for k, v in values.items():
            setattr(current, k, v)
        updated += 1
        changes.append({"code": code, "old": old, "new": values})
    session.flush()
    moved = recompute(session, affected_codes(before, list_effective(session)),
                      counting=counting)
    audit.append(session, actor, "classification.import", target_type="classification",
                 details={"created": created, "updated": updated, "changes": changes[:500],
                          "documents_recomputed": moved})
    return ImportResult(created, updated, unchanged)


def export_csv(session: Session) -> str:
    """Return the scheme as CSV text (each code's own values, not inherited ones).

    Text a spreadsheet would evaluate (a name or note starting with `=`, `+`, `-`, `@`…) is
    neutralised with a leading `'` (`tabular.neutralise`); `import_csv` takes it off again.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in session.scalars(select(Classification).order_by(Classification.code)):
        writer.writerow([tabular.neutralise(v) for v in (
            c.code, c.name, c.parent_code or "", _blank(c.active_years), c.active_trigger or "",
            _blank(c.inactive_years), c.final_fate or "", c.default_security or "",
            "1" if c.needs_review else "0", c.note or "",
        )])
    return out.getvalue()


def _blank(value: int | None) -> str:
    return "" if value is None else str(value)


def seed_text() -> str:
    """Return the CSV of the seed scheme shipped with E-Arsip (placeholder years, to review)."""
    return resources.files("earsip.data").joinpath("classification_seed.csv").read_text("utf-8")


def seed_if_empty(session: Session) -> bool:
    """Load the seed scheme when no code exists; return True when it did."""
    if session.scalar(select(Classification.code).limit(1)) is not None:
        return False
    import_csv(session, seed_text(), audit.SYSTEM)
    return True


def import_scheme(archive: Archive, text: str, actor: audit.Actor) -> ImportResult:
    """Import scheme CSV text in one transaction, audited; all rows or none."""
    with archive.db.write() as session:
        return import_csv(session, text, actor, counting=archive.config.retention_counting)


def export_scheme(archive: Archive, actor: audit.Actor) -> str:
    """Return the scheme as CSV text; audit the export."""
    with archive.db.write() as session:
        text = export_csv(session)
        audit.append(session, actor, "classification.export",
                     details={"codes": max(0, text.count("\n") - 1)})
        return text


def effective_codes(archive: Archive, *, fileable_only: bool = False) -> list[EffectiveCode]:
    """Return every code with its effective values (only codes one can file under, if asked)."""
    with archive.db.read() as session:
        codes = list_effective(session)
    if fileable_only:
        codes = [c for c in codes if c.rule is not None and not c.retired]
    return codes
