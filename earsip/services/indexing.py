"""Keeping the search index in line with the database: the pending-index queue and reindex."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from earsip.access import level
from earsip.errors import EarsipError
from earsip.models import Document, DocumentText, IndexQueue
from earsip.search import IndexDoc
from earsip.services import Archive

log = logging.getLogger(__name__)
BATCH = 200
REINDEX_BATCH_DOCS = 2000
REINDEX_BATCH_CHARS = 50_000_000


def enqueue(session: Session, document_id: int, action: str = "upsert") -> None:
    """Queue index work for a document inside the caller's transaction."""
    session.add(IndexQueue(document_id=document_id, action=action))


def index_doc(doc: Document, text: str) -> IndexDoc:
    """Return the index form of a document."""
    return IndexDoc(
        id=doc.id,
        title=doc.title,
        number=doc.number,
        classification=doc.classification_code,
        document_date=doc.document_date,
        security=level(doc.security),
        mime=doc.mime,
        sender=doc.sender,
        recipient=doc.recipient,
        description=doc.description,
        tags=tuple(doc.tags),
        content=text,
    )


def _load(session: Session, ids: Iterable[int]) -> list[IndexDoc]:
    ids = list(ids)
    if not ids:
        return []
    docs = session.scalars(select(Document).where(Document.id.in_(ids))).all()
    texts = dict(session.execute(
        select(DocumentText.document_id, DocumentText.text)
        .where(DocumentText.document_id.in_(ids))
    ).all())
    return [index_doc(d, texts.get(d.id, "")) for d in docs]


def process_queue(archive: Archive, *, document_ids: Iterable[int] | None = None,
                  limit: int | None = None) -> int:
    """Apply pending index work (all of it, or that of `document_ids`); return entries done.

    Failures leave the entries queued (with the error noted) for the next run.
    """
    done = 0
    while True:
        with archive.db.read() as session:
            q = select(IndexQueue).order_by(IndexQueue.id).limit(BATCH)
            if document_ids is not None:
                q = q.where(IndexQueue.document_id.in_(list(document_ids)))
            entries = session.scalars(q).all()
            if not entries:
                return done
            upserts = {e.document_id for e in entries if e.action == "upsert"}
            deletes = {e.document_id for e in entries if e.action == "delete"} - upserts
            docs = _load(session, upserts)
            # A queued upsert whose row is gone (never committed or since removed) is a delete.
            deletes |= upserts - {d.id for d in docs}
        entry_ids = [e.id for e in entries]
        try:
            if deletes:
                archive.index.delete(deletes)
            if docs:
                archive.index.upsert(docs)
        except EarsipError as e:
            log.warning("index update deferred: %s", e.message)
            with archive.db.write() as session:
                session.execute(update(IndexQueue).where(IndexQueue.id.in_(entry_ids))
                                .values(attempts=IndexQueue.attempts + 1,
                                        last_error=e.message[:1000]))
            return done
        with archive.db.write() as session:
            session.execute(delete(IndexQueue).where(IndexQueue.id.in_(entry_ids)))
        done += len(entry_ids)
        if limit is not None and done >= limit:
            return done


def pending_count(session: Session) -> int:
    """Return the number of queued index entries."""
    return session.scalar(select(func.count()).select_from(IndexQueue)) or 0


def index_matches_database(archive: Archive) -> bool:
    """Return True when the index holds exactly the documents the database has, none pending."""
    with archive.db.read() as session:
        in_db = session.scalar(select(func.count()).select_from(Document)) or 0
        pending = pending_count(session)
    return pending == 0 and archive.index.doc_count() == in_db


def reindex(archive: Archive, *, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the whole index from the database; return the number of documents indexed."""
    with archive.db.read() as session:
        # Entries queued before the rebuild starts are covered by it; later ones stay queued.
        queued_before = session.scalar(select(func.max(IndexQueue.id))) or 0
    archive.index.recreate()
    count, last_id = 0, 0
    pending: list[IndexDoc] = []
    pending_chars = 0

    def flush() -> None:
        nonlocal count, pending_chars
        if pending:
            archive.index.upsert(pending)
            count += len(pending)
            if progress:
                progress(len(pending))
            pending.clear()
            pending_chars = 0

    while True:
        with archive.db.read() as session:
            ids = session.scalars(select(Document.id).where(Document.id > last_id)
                                  .order_by(Document.id).limit(BATCH)).all()
            if not ids:
                break
            docs = _load(session, ids)
        last_id = ids[-1]
        pending.extend(docs)
        pending_chars += sum(len(d.content) for d in docs)
        # Fewer, larger writer commits are much faster in Whoosh; the character bound keeps
        # memory in check when documents are long.
        if len(pending) >= REINDEX_BATCH_DOCS or pending_chars >= REINDEX_BATCH_CHARS:
            flush()
    flush()
    with archive.db.write() as session:
        session.execute(delete(IndexQueue).where(IndexQueue.id <= queued_before))
    return count


def catch_up_forever(archive: Archive, stop: threading.Event, *, interval_s: float = 30.0) -> None:
    """Apply the pending-index queue every `interval_s` seconds until `stop` is set.

    Filing indexes at once; this only matters when that failed (a locked or broken index), so
    such a document becomes findable without waiting for the next upload or a restart.
    """
    while not stop.wait(interval_s):
        try:
            process_queue(archive)
        except Exception:  # keep the loop alive; the next round retries
            log.exception("index catch-up failed")
