"""Keeping the search index in line with the database: the pending-index queue and reindex."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from earsip.access import level
from earsip.errors import EarsipError, SearchUnavailable
from earsip.models import Document, DocumentText, IndexQueue, utcnow
from earsip.search import IndexDoc, RebuildMark, RebuildResult
from earsip.services import Archive

log = logging.getLogger(__name__)
BATCH = 200


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
        filename=doc.original_filename,
    )


def _load(session: Session, ids: Iterable[int]) -> list[IndexDoc]:
    ids = list(ids)
    if not ids:
        return []
    # A destroyed record's tombstone is never indexed: its content is gone, and search must
    # not find it (the queue turns an upsert of a missing row into a delete). Nor is personal
    # data (a case's identity scan): its words are its owner's only, so a rebuild or a queued
    # entry of one removes it from the index.
    docs = session.scalars(select(Document).where(
        Document.id.in_(ids), Document.personal.is_(False),
        or_(Document.disposition.is_(None), Document.disposition != "destroyed"))).all()
    texts = dict(session.execute(
        select(DocumentText.document_id, DocumentText.text)
        .where(DocumentText.document_id.in_(ids))
    ).all())
    return [index_doc(d, texts.get(d.id, "")) for d in docs]


_QUEUED = "earsip_index_queued"  # session.info: ids of this transaction's queue entries


def index_within_transactions(archive: Archive) -> None:
    """Make every transaction of `archive`'s database apply its own index-queue entries just
    before it commits, through its own connection, and delete them (for a backend that
    `writes_with_database`): a document and its search entry commit or roll back together,
    and the callers of `enqueue` need not know which backend runs."""

    def collect(session: Session, _context: object) -> None:
        queued = [obj.id for obj in session.new if isinstance(obj, IndexQueue)]
        if queued:
            session.info.setdefault(_QUEUED, set()).update(queued)

    def apply(session: Session) -> None:
        session.flush()
        ids = session.info.pop(_QUEUED, None)
        if not ids:
            return
        entries = session.execute(select(IndexQueue.document_id, IndexQueue.action)
                                  .where(IndexQueue.id.in_(ids))).all()
        upserts = {e.document_id for e in entries if e.action == "upsert"}
        deletes = {e.document_id for e in entries if e.action == "delete"} - upserts
        docs = _load(session, upserts)
        # As in process_queue: an upsert of a row that is gone (destroyed, personal) deletes.
        deletes |= upserts - {d.id for d in docs}
        archive.index.write_in(session.connection(), docs, deletes)
        session.execute(delete(IndexQueue).where(IndexQueue.id.in_(ids)),
                        execution_options={"synchronize_session": False})

    def forget(session: Session) -> None:
        session.info.pop(_QUEUED, None)

    archive.db.on_sessions("after_flush", collect)
    archive.db.on_sessions("before_commit", apply)
    archive.db.on_sessions("after_rollback", forget)


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
        # Destroyed records' tombstones and personal documents are never indexed (see _load).
        in_db = session.scalar(select(func.count(Document.id)).where(
            Document.personal.is_(False),
            or_(Document.disposition.is_(None), Document.disposition != "destroyed"))) or 0
        pending = pending_count(session)
    return pending == 0 and archive.index.doc_count() == in_db


def rebuild_pending(archive: Archive) -> bool:
    """Return whether a rebuild was started and not finished (running or interrupted)."""
    return archive.index.rebuild_pending()


@dataclass
class _DatabaseSource:
    """What a rebuild reads from the database (a `RebuildSource`)."""

    archive: Archive

    def count(self) -> int:
        with self.archive.db.read() as session:
            return session.scalar(select(func.count(Document.id)).where(
                Document.personal.is_(False))) or 0

    def mark(self) -> RebuildMark:
        with self.archive.db.read() as session:
            queued_before = session.scalar(select(func.max(IndexQueue.id))) or 0
        return RebuildMark(queued_before=queued_before, started_at=utcnow())

    def batches(self, after_id: int) -> Iterator[tuple[int, list[IndexDoc]]]:
        while True:
            with self.archive.db.read() as session:
                ids = session.scalars(select(Document.id).where(Document.id > after_id)
                                      .order_by(Document.id).limit(BATCH)).all()
                if not ids:
                    return
                docs = _load(session, ids)
            after_id = ids[-1]
            yield after_id, docs

    def catch_up(self, touched: set[int], mark: RebuildMark) -> int:
        replayed = _replay(self.archive, touched)
        with self.archive.db.write() as session:
            # Rows can be reused after deletions on SQLite, hence the time bound too.
            session.execute(delete(IndexQueue).where(
                IndexQueue.id <= mark.queued_before, IndexQueue.queued_at <= mark.started_at))
        return replayed + process_queue(self.archive)


def rebuild(archive: Archive, *, progress: Callable[[int], None] | None = None,
            procs: int | None = None, commit_every: int | None = None) -> RebuildResult:
    """Rebuild the index from the database beside the live one, then switch over.

    Resumes an interrupted rebuild after its last committed document. The live index answers
    searches meanwhile. `progress` is called with the number of documents of each commit;
    `procs` and `commit_every` tune the backend (None: its own choice).
    """
    return archive.index.rebuild(_DatabaseSource(archive), progress=progress, procs=procs,
                                 commit_every=commit_every)


def reindex(archive: Archive, *, progress: Callable[[int], None] | None = None) -> int:
    """Rebuild (or finish rebuilding) the whole index; return the documents in the new index."""
    return rebuild(archive, progress=progress).indexed


def _replay(archive: Archive, ids: set[int]) -> int:
    """Apply the current database state of `ids` to the (new) live index; return how many."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), BATCH):
        chunk = ordered[start:start + BATCH]
        with archive.db.read() as session:
            docs = _load(session, chunk)
        gone = set(chunk) - {d.id for d in docs}
        if gone:
            archive.index.delete(gone)
        if docs:
            archive.index.upsert(docs)
    return len(ordered)


def repair_if_damaged(archive: Archive) -> bool:
    """Rebuild the index from the database when it cannot be read; return whether it did.

    Searches answer 503 meanwhile (never a partial result). A rebuild already under way (or
    interrupted, which start-up resumes) is left alone.
    """
    if rebuild_pending(archive) or archive.index.is_healthy():
        return False
    log.warning("search index cannot be read: rebuilding it from the database")
    rebuild(archive)
    return True


def catch_up_forever(archive: Archive, stop: threading.Event, *, interval_s: float = 10.0) -> None:
    """Every `interval_s` seconds until `stop` is set: rebuild a damaged index, then apply
    the pending-index queue.

    Filing indexes at once; this only matters when that failed (a locked or broken index), so
    such a document becomes findable without waiting for the next upload or a restart.
    """
    while not stop.wait(interval_s):
        try:
            repair_if_damaged(archive)
            process_queue(archive)
        except Exception:  # keep the loop alive; the next round retries
            log.exception("index catch-up failed")


def warm_search(archive: Archive) -> None:
    """Start reading the frequent words' postings into memory in the background (a server
    does this at start, so its first searches find them). An unreadable index is left to the
    searches to report; a reindex makes it readable again."""
    try:
        archive.index.warm()
    except SearchUnavailable:
        log.warning("search index not warmed: it cannot be read now")
