"""Searching the archive within the user's clearance: hits, totals, facets and snippets."""

from __future__ import annotations

import threading
from collections.abc import Mapping

from sqlalchemy import func, or_, select

from earsip import audit
from earsip.access import Principal, classes_up_to, level
from earsip.models import Document, DocumentText, IndexQueue
from earsip.schemas.base import JsonObject
from earsip.schemas.search import (  # noqa: F401 - MAX_PER_PAGE, SORTS re-exported
    MAX_PER_PAGE,
    SORTS,
    Facets,
    SearchHit,
    SearchParams,
    SearchResult,
)
from earsip.search import SearchQuery
from earsip.services import Archive

SNIPPET_SOURCE_CHARS = 2_000_000  # highlight within the first 2 M characters of a text


def parse_params(args: Mapping[str, str]) -> SearchParams:
    """Validate query-string arguments into SearchParams (the declared model)."""
    return SearchParams.model_validate({name: args.get(name) for name in SearchParams.model_fields
                                        if name in args})


class _Audit(threading.Thread):
    """Writes one search's audit entry; `finish` waits for its commit and re-raises failures."""

    def __init__(self, archive: Archive, actor: audit.Actor, details: JsonObject) -> None:
        super().__init__(name="search-audit", daemon=True)
        self.archive = archive
        self.actor = actor
        self.details = details
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with self.archive.db.write() as session:
                audit.append(session, self.actor, "search", target_type="search",
                             details=self.details)
        except BaseException as e:  # noqa: BLE001 - handed to the searching thread
            self.error = e

    def finish(self) -> None:
        """Wait for the commit; raise what the write raised."""
        self.join()
        if self.error is not None:
            raise self.error


def search(archive: Archive, principal: Principal, params: SearchParams,
           client_addr: str | None = None) -> SearchResult:
    """Search the index and return one page of results, counting only what the user may see."""
    visible = classes_up_to(principal.clearance)
    with archive.db.read() as session:
        # The index can lag behind the database for documents still queued: those the user
        # may not see now are excluded by id, so a just-raised security class counts at once.
        hidden_pending = frozenset(session.scalars(
            select(IndexQueue.document_id)
            .outerjoin(Document, Document.id == IndexQueue.document_id)
            .where((Document.id.is_(None)) | (Document.security.not_in(visible))
                   | (Document.disposition == "destroyed") | Document.personal.is_(True))
        ).all())
    page = archive.index.search(SearchQuery(
        text=params.q,
        max_security=level(principal.clearance),
        exclude_ids=hidden_pending,
        classification=params.classification,
        year_from=params.year_from,
        year_to=params.year_to,
        security=level(params.security) if params.security else None,
        mime=params.mime,
        page=params.page,
        per_page=params.per_page,
        sort=params.sort,
    ))
    # The audit entry is the only write, in a transaction of its own. It commits in a helper
    # thread while this one reads the rows and builds the snippets (a commit mostly waits
    # for the disk), and the results are returned only once it has committed.
    details: JsonObject = {"q": params.q, "classification": params.classification,
                           "year_from": params.year_from, "year_to": params.year_to,
                           "security": params.security, "mime": params.mime,
                           "page": params.page, "sort": params.sort, "total": page.total}
    auditor = _Audit(archive, principal.actor(client_addr), details)
    auditor.start()
    try:
        ids = [h.id for h in page.hits]
        results: list[SearchHit] = []
        with archive.db.read() as session:
            # Plain column rows, not ORM objects: a results page needs none of the relationships.
            rows = {row.id: row for row in session.execute(
                select(Document.id, Document.title, Document.number, Document.classification_code,
                       Document.document_date, Document.security, Document.description)
                .where(Document.id.in_(ids), Document.personal.is_(False),
                       or_(Document.disposition.is_(None), Document.disposition != "destroyed"))
            )} if ids else {}
            texts: dict[int, str] = dict(session.execute(
                select(DocumentText.document_id,
                       func.substr(DocumentText.text, 1, SNIPPET_SOURCE_CHARS))
                .where(DocumentText.document_id.in_(ids))
            ).all()) if params.q and ids else {}
        highlighter = archive.index.highlighter(params.q) if params.q else None
        first_rank = (params.page - 1) * params.per_page + 1
        for rank, hit in enumerate(page.hits, start=first_rank):
            doc = rows.get(hit.id)
            if doc is None or doc.security not in visible:
                continue  # defence in depth: never show a hit the database does not allow
            snippet = ""
            if highlighter is not None:
                snippet = highlighter(texts.get(doc.id) or doc.description or doc.title)
            results.append(SearchHit(
                id=doc.id,
                title=doc.title,
                number=doc.number,
                classification=doc.classification_code,
                document_date=doc.document_date.isoformat(),
                security=doc.security,
                # From the rank, not the BM25 figure: BM25 is computed over the documents the
                # user may see (search/stats.py), but its raw value means nothing to a reader
                # and would tie the API to one scoring model.
                score=round(1.0 / rank, 4),
                snippet=snippet,
            ))
    finally:
        auditor.finish()
    return SearchResult(
        total=page.total,
        page=params.page,
        per_page=params.per_page,
        sort=params.sort,
        results=results,
        facets=Facets(classification=page.facets.get("classification", {}),
                      year=page.facets.get("year", {})),
    )
