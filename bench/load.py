"""Build a large archive for the search and reindex benchmarks without PDFs or extraction.

Filing 100,000 real PDFs would take hours at pypdf's speed, and the search and reindex
measurements are about the index, not extraction. So the rows and extracted texts of synthetic
documents go straight into the database (the same tables and retention computation that filing
uses), and the index is then built by the application's own `indexing.reindex`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, insert, select

from bench.corpus import SEED, SynthDoc, Vocabulary, generate, leaf_codes
from config import Config
from earsip import retention
from earsip.models import Document, DocumentTag, DocumentText
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.operations import setup
from earsip.services.records.classification import get_effective

INSERT_BATCH = 2000


def bench_config(folder: Path, **overrides: object) -> Config:
    """Return a Config whose database, uploads and index live under `folder`."""
    values: dict[str, object] = {
        "database_url": f"sqlite:///{folder / 'earsip.sqlite3'}",
        "upload_dir": folder / "uploads",
        "index_dir": folder / "index",
        "instance_dir": folder / "instance",
        "secret_key": "bench",
        "admin_password": "bench-admin-pass",
    }
    values.update(overrides)
    return replace(Config(), **values)


def archive_env(folder: Path, **extra: str) -> dict[str, str]:
    """Return this process's environment pointing `earsip` at the archive under `folder`."""
    env = dict(os.environ)
    env.update({
        "EARSIP_DATABASE_URL": f"sqlite:///{folder / 'earsip.sqlite3'}",
        "EARSIP_UPLOAD_DIR": str(folder / "uploads"),
        "EARSIP_INDEX_DIR": str(folder / "index"),
        "EARSIP_INSTANCE_DIR": str(folder / "instance"),
        "EARSIP_SECRET_KEY": "bench",
        **extra,
    })
    return env


def open_archive(folder: Path, **overrides: object) -> Archive:
    """Open (initialising if needed) an archive under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    archive = Archive.open(bench_config(folder, **overrides))
    setup.initialise(archive)
    return archive


def _rows(archive: Archive, docs: list[SynthDoc], rules: dict) -> list[dict]:
    rows = []
    for d in docs:
        rule = rules[d.classification]
        ret = retention.compute(rule, d.document_date, trigger_date=None,
                                counting=archive.config.retention_counting,
                                as_of=dt.date.today())
        text = d.text
        rows.append({
            "title": d.title, "number": d.number, "document_date": d.document_date,
            "classification_code": d.classification, "security": d.security,
            "sender": d.sender, "recipient": d.recipient, "description": None,
            "original_filename": d.filename, "mime": "application/pdf",
            "size": len(text.encode()), "sha256": hashlib.sha256(text.encode()).hexdigest(),
            "pages": len(d.pages), "storage_path": f"synthetic/{d.filename}",
            "text_status": "extracted", "text_message": None, "trigger_date": None,
            "active_until": ret.active_until, "inactive_until": ret.inactive_until,
            "final_fate": ret.final_fate, "phase": ret.phase, "retention_note": ret.note,
            "_text": text, "_tags": d.tags,
        })
    return rows


def load_synthetic(archive: Archive, n: int, *, seed: int = SEED, max_pages: int = 1,
                   words_per_page: int = 300) -> int:
    """Insert synthetic documents until the archive holds `n`; return how many were added.

    The defaults give ~2.3 KB of text a document, the size the search anchors were measured
    with. Nothing is indexed here: call `indexing.reindex` (that is what is measured).
    """
    vocab = Vocabulary.load()
    with archive.db.read() as session:
        have = session.scalar(select(func.count()).select_from(Document)) or 0
        rules = {code: get_effective(session, code).rule for code in leaf_codes()}
    added = 0
    for start in range(have, n, INSERT_BATCH):
        docs = list(generate(min(INSERT_BATCH, n - start), seed=seed, start=start,
                             max_pages=max_pages, words_per_page=words_per_page, vocab=vocab))
        rows = _rows(archive, docs, rules)
        with archive.db.write() as session:
            office_id = offices.default_office_id(session)
            for r in rows:
                r["office_id"] = office_id
            texts = [r.pop("_text") for r in rows]
            tags = [r.pop("_tags") for r in rows]
            ids = session.scalars(
                insert(Document).returning(Document.id, sort_by_parameter_order=True), rows).all()
            session.execute(insert(DocumentText), [
                {"document_id": i, "text": t} for i, t in zip(ids, texts, strict=True)])
            tag_rows = [{"document_id": i, "tag": t}
                        for i, ts in zip(ids, tags, strict=True) for t in ts]
            if tag_rows:
                session.execute(insert(DocumentTag), tag_rows)
        added += len(rows)
    return added
