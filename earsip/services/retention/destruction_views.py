"""The read side of destruction: what may be proposed, and the lists as pages show them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal, can, classes_up_to
from earsip.errors import NotFound
from earsip.models import DisposalItem, DisposalList, Document
from earsip.schemas.retention import Candidate
from earsip.schemas.retention import DisposalItem as ItemView
from earsip.services import Archive
from earsip.services.access import duties
from earsip.services.access.users import require
from earsip.services.records.documents import listed_title
from earsip.services.retention.holds import held_ids

# Lists whose records are spoken for: they cannot be proposed on another list.
OPEN_STATES = ("submitted", "approved")


def open_listed(session: Session, ids: Iterable[int]) -> set[int]:
    """Return which documents already sit (not removed) on an open list."""
    ids = list(ids)
    if not ids:
        return set()
    return set(session.scalars(
        select(DisposalItem.document_id).join(DisposalList)
        .where(DisposalList.status.in_(OPEN_STATES), DisposalItem.removed_at.is_(None),
               DisposalItem.document_id.in_(ids))))


def due_query(principal: Principal, day: dt.date) -> Select[Document]:
    return select(Document).where(
        Document.disposition.is_(None), Document.final_fate == "musnah",
        Document.inactive_until <= day,
        Document.security.in_(classes_up_to(principal.clearance)))


def load_list(session: Session, principal: Principal, list_id: int) -> DisposalList:
    """Return a list the principal may see: every item within clearance, else NotFound."""
    listing = session.get(DisposalList, list_id)
    if listing is None:
        raise NotFound("Daftar usul musnah #%(id)s tidak ditemukan.", params={"id": list_id})
    ids = [i.document_id for i in listing.items]
    if ids:
        above = session.scalar(select(func.count(Document.id)).where(
            Document.id.in_(ids), Document.security.not_in(classes_up_to(principal.clearance))))
        if above:
            raise NotFound("Daftar usul musnah #%(id)s tidak ditemukan.", params={"id": list_id})
    return listing


def remaining(listing: DisposalList) -> list[DisposalItem]:
    """Return the items still on a list (not removed by review)."""
    return [i for i in listing.items if i.removed_at is None]


def candidates(archive: Archive, principal: Principal, *, as_of: dt.date | None = None,
               client_addr: str | None = None) -> list[Candidate]:
    """Return the due `musnah` records within clearance, marking those held or already listed.

    The titles shown are records: the reading is audited (`disposal.candidates`).
    """
    require(principal, "disposal.propose")
    day = as_of or dt.date.today()
    with archive.db.write() as session:
        docs = list(session.scalars(due_query(principal, day).order_by(
            Document.classification_code, Document.document_date, Document.id)))
        ids = [d.id for d in docs]
        held, listed = held_ids(session, ids), open_listed(session, ids)
        audit.append(session, principal.actor(client_addr), "disposal.candidates",
                     details={"as_of": day.isoformat(), "document_ids": ids})
        return [Candidate(id=d.id, title=listed_title(d.title, d.personal),
                          number=None if d.personal else d.number,
                          classification=d.classification_code, document_date=d.document_date,
                          inactive_until=d.inactive_until, on_hold=d.id in held,
                          listed=d.id in listed) for d in docs]


@dataclass(frozen=True)
class ListView:
    """A destruction list as the pages and the API show it."""

    id: int
    number: str
    status: str
    created_at: dt.datetime
    proposed_by: str
    proposed_by_id: int | None
    note: str | None
    approved_by: str | None
    approved_at: dt.datetime | None
    approval_reference: str | None
    approval_date: dt.date | None
    executed_at: dt.datetime | None
    berita_acara_number: str | None
    berita_acara_document_id: int | None
    list_document_id: int | None
    cancel_reason: str | None
    items: list[ItemView]

    @property
    def remaining(self) -> int:
        """Return how many items are still on the list."""
        return sum(1 for i in self.items if not i.removed)


def _view(listing: DisposalList, held: set[int]) -> ListView:
    items = [ItemView(id=i.id, document_id=i.document_id, code=i.classification_code,
                      description=i.description, period=i.period, quantity=i.quantity,
                      development=i.development, media=i.media, remarks=i.remarks,
                      removed=i.removed_at is not None, removed_by=i.removed_by_name,
                      removed_reason=i.removed_reason, on_hold=i.document_id in held)
             for i in listing.items]
    return ListView(listing.id, listing.number, listing.status, listing.created_at,
                    listing.proposed_by_name, listing.proposed_by_id, listing.note,
                    listing.approved_by_name, listing.approved_at, listing.approval_reference,
                    listing.approval_date, listing.executed_at, listing.berita_acara_number,
                    listing.berita_acara_document_id, listing.list_document_id,
                    listing.cancel_reason, items)


def get_list(archive: Archive, principal: Principal, list_id: int) -> ListView:
    """Return one destruction list (NotFound when any item is above the reader's clearance)."""
    require(principal, "retention.read")
    with archive.db.read() as session:
        listing = load_list(session, principal, list_id)
        open_ids = [i.document_id for i in remaining(listing)] \
            if listing.status in OPEN_STATES else []
        return _view(listing, held_ids(session, open_ids))


def view_list(archive: Archive, principal: Principal, list_id: int, *,
              client_addr: str | None = None) -> ListView:
    """Return one destruction list for a page or the API, auditing the reading of its titles
    (`disposal.view`)."""
    require(principal, "retention.read")
    with archive.db.write() as session:
        listing = load_list(session, principal, list_id)
        open_ids = [i.document_id for i in remaining(listing)] \
            if listing.status in OPEN_STATES else []
        view = _view(listing, held_ids(session, open_ids))
        audit.append(session, principal.actor(client_addr), "disposal.view",
                     target_type="disposal_list", target_id=listing.id,
                     details={"number": listing.number,
                              "document_ids": [i.document_id for i in listing.items]})
        return view


def approval_refusal(archive: Archive, principal: Principal,
                     list_id: int) -> duties.Refusal | None:
    """Return why the principal may not approve a list (role, separation of duties), or None."""
    if not can(principal.roles, "disposal.approve"):
        return None
    with archive.db.read() as session:
        proposer = load_list(session, principal, list_id).proposed_by_id
        return duties.refusal(session, principal.id, proposer)


@dataclass(frozen=True)
class Awaiting:
    """A list waiting for a leader's approval, as the start page names it (no titles)."""

    id: int
    number: str
    proposed_by: str
    submitted_at: dt.datetime | None
    items: int


def awaiting_approval(archive: Archive, principal: Principal) -> list[Awaiting]:
    """Return the submitted lists within the principal's clearance when they may approve."""
    if not can(principal.roles, "disposal.approve"):
        return []
    visible = classes_up_to(principal.clearance)
    with archive.db.read() as session:
        hidden = set(session.scalars(
            select(DisposalItem.list_id).join(Document, Document.id == DisposalItem.document_id)
            .where(Document.security.not_in(visible))))
        lists = session.scalars(select(DisposalList).where(DisposalList.status == "submitted")
                                .order_by(DisposalList.id))
        return [Awaiting(x.id, x.number, x.proposed_by_name, x.submitted_at, len(remaining(x)))
                for x in lists if x.id not in hidden]


def list_lists(archive: Archive, principal: Principal) -> list[ListView]:
    """Return the destruction lists the principal may see, newest first."""
    require(principal, "retention.read")
    visible = classes_up_to(principal.clearance)
    with archive.db.read() as session:
        hidden = set(session.scalars(
            select(DisposalItem.list_id).join(Document, Document.id == DisposalItem.document_id)
            .where(Document.security.not_in(visible))))
        lists = session.scalars(select(DisposalList).order_by(DisposalList.id.desc()))
        return [_view(x, set()) for x in lists if x.id not in hidden]
