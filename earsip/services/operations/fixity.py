"""Fixity: re-hash every stored file against the database, and find what does not belong.

A run reports files whose bytes changed, files that are missing (or unreadable), files in the
store that no document refers to, and files of destroyed documents that are still there. The
hashing happens outside any transaction (a large archive takes minutes and must not hold the
SQLite write lock); the result is recorded in one short transaction with its audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from earsip import audit
from earsip.errors import StorageError, ValidationError
from earsip.models import Document, utcnow
from earsip.models import FixityRun as RunRow
from earsip.schemas.audit import FixityCounts, FixityFile, FixityRun
from earsip.schemas.base import JsonObject
from earsip.schemas.operations import moment
from earsip.services import Archive

TRIGGERS = ("cli", "scheduled", "web")
# How many paths of each kind the audit entry names (the run's row keeps them all).
AUDITED_PATHS = 50


@dataclass(frozen=True)
class FixityReport:
    """The outcome of one fixity run.

    `changed`, `missing` and `destroyed_present` hold the files found wrong (`changed` with
    the expected and actual hashes, `missing` perhaps with a reason); `untracked` holds
    relative paths.
    """

    run_id: int
    trigger: str
    started_at: dt.datetime
    finished_at: dt.datetime
    checked: int
    changed: list[FixityFile] = field(default_factory=list)
    missing: list[FixityFile] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)
    destroyed_present: list[FixityFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Return True when every file is as the database says."""
        return not (self.changed or self.missing or self.untracked or self.destroyed_present)

    @property
    def outcome(self) -> str:
        """Return the run's outcome as stored: "ok" or "problems"."""
        return "ok" if self.ok else "problems"


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def run_fixity(archive: Archive, actor: audit.Actor, *, trigger: str) -> FixityReport:
    """Re-hash every kept document's file, look for strays, record the run and audit it."""
    if trigger not in TRIGGERS:
        raise ValidationError("Pemicu pemeriksaan fiksitas tidak dikenal: %(trigger)s",
                              params={"trigger": trigger})
    started_at = utcnow()
    with archive.db.read() as session:
        rows = session.execute(
            select(Document.id, Document.storage_path, Document.sha256, Document.disposition,
                   Document.searchable_path, Document.searchable_sha256)
            .order_by(Document.id)).all()
    # Each document's original, and its searchable copy where OCR made one (its own hash).
    documents: list[tuple[int, str, str | None, str | None]] = [
        (r[0], r[1], r[2], r[3]) for r in rows]
    documents += [(r[0], r[4], r[5], r[3]) for r in rows if r[4]]
    store = archive.store
    known: set[str] = set()
    changed: list[FixityFile] = []
    missing: list[FixityFile] = []
    destroyed_present: list[FixityFile] = []
    checked = 0
    for doc_id, relative, expected, disposition in documents:
        known.add(relative)
        try:
            path = store.path_of(relative)
        except StorageError as e:  # a storage path pointing outside the store
            missing.append(FixityFile(document_id=doc_id, path=relative, reason=e.message))
            continue
        if disposition == "destroyed":
            # The row is a tombstone: its content must be gone.
            if path.exists():
                destroyed_present.append(FixityFile(document_id=doc_id, path=relative))
            continue
        checked += 1
        try:
            actual = _sha256(path)
        except FileNotFoundError:
            missing.append(FixityFile(document_id=doc_id, path=relative))
            continue
        except OSError as e:
            missing.append(FixityFile(document_id=doc_id, path=relative,
                                      reason=e.strerror or str(e)))
            continue
        if actual != expected:
            changed.append(FixityFile(document_id=doc_id, path=relative, expected=expected,
                                      actual=actual))
    strays = [p for p in store.iter_files() if p not in known]
    return _record(archive, actor, trigger, started_at, checked, changed, missing,
                   _settled_strays(archive, strays, started_at), destroyed_present)


def _settled_strays(archive: Archive, strays: list[str], started_at: dt.datetime) -> list[str]:
    """Drop strays that are filings in progress: placed since the run began, row to come."""
    settled = []
    for relative in strays:
        try:
            placed = dt.datetime.fromtimestamp(archive.store.path_of(relative).stat().st_mtime,
                                               dt.UTC).replace(tzinfo=None)
        except (OSError, StorageError):
            continue  # gone meanwhile
        if placed < started_at:
            settled.append(relative)
    return settled


def _record(archive: Archive, actor: audit.Actor, trigger: str, started_at: dt.datetime,
            checked: int, changed: list[FixityFile], missing: list[FixityFile],
            untracked: list[str], destroyed_present: list[FixityFile]) -> FixityReport:
    with archive.db.write() as session:
        if untracked:
            # Filed while the files were hashed: their rows exist now.
            filed = set(session.scalars(select(Document.storage_path)
                                        .where(Document.storage_path.in_(untracked))))
            filed |= set(session.scalars(select(Document.searchable_path)
                                         .where(Document.searchable_path.in_(untracked))))
            untracked = [p for p in untracked if p not in filed]
        finished_at = utcnow()
        ok = not (changed or missing or untracked or destroyed_present)
        run = RunRow(started_at=started_at, finished_at=finished_at, trigger=trigger,
                     checked=checked,
                     # The model has no column of its own for these: they are changes of the
                     # store too, told apart by "kind". Each keeps only the keys it was given.
                     changed=[_stored(c, "changed") for c in changed]
                     + [_stored(d, "destroyed_present") for d in destroyed_present],
                     missing=[_stored(m) for m in missing], untracked=untracked,
                     outcome="ok" if ok else "problems")
        session.add(run)
        session.flush()
        audit.append(session, actor, "fixity.run", target_type="fixity_run", target_id=run.id,
                     outcome="success" if ok else "failure",
                     details={"trigger": trigger, "checked": checked,
                              "changed": len(changed), "missing": len(missing),
                              "untracked": len(untracked),
                              "destroyed_present": len(destroyed_present),
                              "changed_paths": [c.path for c in changed][:AUDITED_PATHS],
                              "missing_paths": [m.path for m in missing][:AUDITED_PATHS],
                              "untracked_paths": untracked[:AUDITED_PATHS],
                              "destroyed_present_paths":
                                  [d.path for d in destroyed_present][:AUDITED_PATHS]})
        run_id = run.id
    return FixityReport(run_id, trigger, started_at, finished_at, checked, changed, missing,
                        untracked, destroyed_present)


def _stored(file: FixityFile, kind: str | None = None) -> JsonObject:
    """Return a file found wrong as the run's row stores it (the keys it was given)."""
    stored = file.model_dump(mode="json", exclude_unset=True)
    return {**stored, "kind": kind} if kind else stored


def last_fixity(archive: Archive) -> FixityRun | None:
    """Return the latest fixity run, or None when none ran yet."""
    with archive.db.read() as session:
        run = session.scalars(select(RunRow).order_by(RunRow.started_at.desc(),
                                                      RunRow.id.desc()).limit(1)).first()
        if run is None:
            return None
        changed = [FixityFile.model_validate(c) for c in run.changed
                   if c.get("kind", "changed") == "changed"]
        destroyed = [FixityFile.model_validate(c) for c in run.changed
                     if c.get("kind") == "destroyed_present"]
        missing = [FixityFile.model_validate(m) for m in run.missing]
        return FixityRun(
            id=run.id, trigger=run.trigger, started_at=moment(run.started_at) or "",
            finished_at=moment(run.finished_at), checked=run.checked, outcome=run.outcome,
            changed=changed, missing=missing, untracked=list(run.untracked),
            destroyed_present=destroyed,
            counts=FixityCounts(changed=len(changed), missing=len(missing),
                                untracked=len(run.untracked),
                                destroyed_present=len(destroyed)))


def shown(run: FixityRun, *, cleared_for_all: bool) -> FixityRun:
    """Return `run` as a reader sees it: its outcome, counts and paths cover the files of
    every class, so a reader not cleared for all gets its times only."""
    if cleared_for_all:
        return run
    return FixityRun(id=run.id, started_at=run.started_at, finished_at=run.finished_at)


def fixity_due(archive: Archive, now: dt.datetime) -> bool:
    """Return True when no run began within `fixity_interval_days` of `now` (naive UTC).

    An interval of 0 or less turns the scheduled check off.
    """
    days = archive.config.fixity_interval_days
    if days <= 0:
        return False
    if now.tzinfo is not None:  # runs are stored in naive UTC
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    with archive.db.read() as session:
        last = session.scalar(select(RunRow.started_at)
                              .order_by(RunRow.started_at.desc()).limit(1))
    return last is None or now - last >= dt.timedelta(days=days)
