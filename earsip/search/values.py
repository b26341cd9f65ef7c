"""Plain values passed in and out of the search package."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndexDoc:
    """One document as the index sees it (the database keeps everything else)."""

    id: int
    title: str
    number: str | None
    classification: str
    document_date: datetime.date
    security: int
    mime: str
    sender: str | None = None
    recipient: str | None = None
    description: str | None = None
    tags: tuple[str, ...] = ()
    content: str = ""
    filename: str | None = None  # the name the file was filed under


@dataclass(frozen=True)
class SearchQuery:
    """What the user asked for, plus the limits the caller imposes."""

    text: str
    max_security: int
    exclude_ids: frozenset[int] = frozenset()
    classification: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    security: int | None = None
    mime: str | None = None
    page: int = 1
    per_page: int = 20
    # "relevance" (BM25; newest first when there are no words) or "date" (newest first).
    sort: str = "relevance"


@dataclass(frozen=True)
class Hit:
    """One matching document id and its relevance score (0.0 when sorted by date)."""

    id: int
    score: float


@dataclass(frozen=True)
class SearchPage:
    """One page of hits with the total and facet counts over all matching documents."""

    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class RebuildMark:
    """Where the pending-index queue stood when a rebuild started: entries up to it are covered
    by the rebuild, later ones are applied again once the new index is live."""

    queued_before: int  # the last queue entry id
    started_at: datetime.datetime  # UTC


@dataclass(frozen=True)
class RebuildResult:
    """What a rebuild did."""

    indexed: int  # documents in the new index
    resumed: int  # of which an interrupted earlier run had already committed (0: fresh start)
    replayed: int  # documents changed during the rebuild and applied again afterwards
