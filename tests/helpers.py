"""Helpers shared by several test modules (not fixtures: plain functions, constants and context
managers). Test modules import shared things from here (or use conftest's fixtures), never from
one another."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from config import Config
from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.models import AuditEntry, Document, User
from earsip.schemas.retention import DisposalExecution
from earsip.schemas.transfers import Handover, TransferInput
from earsip.services import Archive
from earsip.services.audit.review import verify_chain
from earsip.services.records import ingest
from earsip.services.records.documents import DocumentInput
from tests import filegen

# A document date a month back: still in its active period (every code of the seed scheme has
# at least two active years) whenever the tests run.
RECENT = dt.date.today() - dt.timedelta(days=30)
# The leader's decision on a destruction list: today, never a day before the proposal.
DECIDED = dt.date.today()
# The sizes of the uploads of the concurrency and load tests: 100 KB to 5 MB.
MIN_SIZE, MAX_SIZE = 100 * 1024, 5 * 1024 * 1024
# Who hands a transfer over and who receives it.
WHO = Handover(recipient_institution="Dinas Perpustakaan dan Kearsipan Kota Mojokerto",
               recipient_name="Rina Wulandari", recipient_position="Kepala Bidang Arsip Statis",
               official_name="Siti Rahmawati", official_position="Kepala Sekretariat")


def handing(document_ids: list[int], who: Handover = WHO) -> TransferInput:
    """Return a transfer to prepare: these records, handed over by and to `who`."""
    return TransferInput(document_ids=document_ids, **who.model_dump())


def file_doc(archive: Archive, tmp_path: Path, *, code: str = "KA.00",
             date: str = RECENT.isoformat(), text: str | None = None, security: str = "biasa",
             trigger: str | None = None, title: str = "Surat") -> int:
    """File a real PDF with these retention facts; return its id."""
    body = text or f"surat {code} {date} {len(list(tmp_path.iterdir()))}"
    pdf = filegen.make_text_pdf(tmp_path / f"{abs(hash(body))}.pdf", [body])
    data = DocumentInput(title=title, classification=code,
                         document_date=dt.date.fromisoformat(date), security=security,
                         trigger_date=dt.date.fromisoformat(trigger) if trigger else None)
    return ingest.file_document(archive, SYSTEM, pdf, pdf.name, data, clearance=None).document_id


def principal_of(archive: Archive, username: str) -> Principal:
    """Return the principal of an existing user."""
    with archive.db.read() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def execution(**overrides: Any) -> DisposalExecution:
    """Return the facts of a destruction's execution (berita acara number, witnesses, ...)."""
    values: dict[str, Any] = {
        "berita_acara_number": "BA-01/KA.01.04/2026",
        "official_name": "Siti Rahmawati", "official_position": "Kepala Sekretariat",
        "witnesses": [{"name": "Budi Santoso", "position": "Arsiparis Ahli Muda"},
                      {"name": "Dewi Lestari", "position": "Kepala Subbagian Umum"}],
        "place": "Kantor Bawaslu Kota Mojokerto"}
    values.update(overrides)
    return DisposalExecution.model_validate(values)


def lift_append_only(session: Session) -> None:
    """Remove the database's refusal to change audit entries (to test that it is noticed)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
    else:
        session.execute(text("DROP TRIGGER audit_entries_no_update"))
        session.execute(text("DROP TRIGGER audit_entries_no_delete"))


def entries(archive: Archive, action: str | None = None) -> list[AuditEntry]:
    """Return the audit entries (of `action` when given), oldest first."""
    query = select(AuditEntry).order_by(AuditEntry.seq)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    with archive.db.read() as session:
        return list(session.scalars(query))


def file_hash(path: Path) -> str:
    """Return the SHA-256 of a file in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_archive_whole(archive: Archive, acknowledged: dict[int, str], *,
                         preloaded: int = 0) -> set[str]:
    """Check that every acknowledged upload and every visible row is wholly filed: row, file
    with its SHA-256, index entry and audit entry; no stray file in storage or in the temporary
    folder. Return the SHA-256 of every row. Rows up to id `preloaded` (inserted without
    files by a benchmark loader) are left out."""
    store = archive.store
    with archive.db.read() as session:
        rows = {d.id: (d.sha256, d.storage_path) for d in session.scalars(
            select(Document).where(Document.id > preloaded))}
        audited = dict(session.execute(
            select(AuditEntry.target_id, func.count()).where(
                AuditEntry.action == "document.file", AuditEntry.outcome == "success")
            .group_by(AuditEntry.target_id)).all())
    for doc_id, sha in acknowledged.items():
        assert doc_id in rows, f"acknowledged document #{doc_id} is missing"
        assert rows[doc_id][0] == sha
    indexed = archive.index.indexed_ids()
    for doc_id, (sha, relative) in rows.items():
        assert file_hash(store.path_of(relative)) == sha, f"#{doc_id}: file differs"
        assert doc_id in indexed, f"#{doc_id} is not in the index"
        assert audited.get(str(doc_id)) == 1, f"#{doc_id} has no single filing entry"
    assert {i for i in indexed if i > preloaded} == set(rows), \
        "the index holds documents the database does not"
    assert set(store.iter_files()) == {relative for _, relative in rows.values()}
    assert store.stale_temp_files() == []
    assert verify_chain(archive).intact
    return {sha for sha, _ in rows.values()}


def wait_until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `check` every 0.2 s until it holds; fail naming `what` after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def database_write_lock(config: Config, *, table: str = "documents") -> Iterator[None]:
    """Hold the database's write lock from another connection, as a long job elsewhere would.

    SQLite has one lock for the whole file; on PostgreSQL the lock is taken on `table`.
    """
    if config.database_url.startswith("sqlite"):
        conn = sqlite3.connect(config.database_url.split("///", 1)[1], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    else:
        engine = create_engine(config.database_url)
        with engine.connect() as conn:
            conn.execute(text(f"LOCK TABLE {table} IN EXCLUSIVE MODE"))
            try:
                yield
            finally:
                conn.rollback()
        engine.dispose()
