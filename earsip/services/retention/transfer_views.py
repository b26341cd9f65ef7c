"""The read side of transfers: what may be handed over, and the transfers as pages show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from earsip.access import Principal, classes_up_to
from earsip.errors import NotFound
from earsip.models import Document, Transfer, TransferItem
from earsip.schemas.transfers import TransferCandidate, TransferDocument
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.retention.holds import held_ids


def open_transferring(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(TransferItem.document_id).join(Transfer).where(
        Transfer.status == "prepared", TransferItem.document_id.in_(ids))))


def candidates(archive: Archive, principal: Principal, *,
               as_of: dt.date | None = None) -> list[TransferCandidate]:
    """Return the due `permanen` records within clearance, marking those held or packed."""
    require(principal, "transfer.manage")
    day = as_of or dt.date.today()
    with archive.db.read() as session:
        docs = list(session.scalars(select(Document).where(
            Document.disposition.is_(None), Document.final_fate == "permanen",
            Document.inactive_until <= day, Document.personal.is_(False),
            Document.security.in_(classes_up_to(principal.clearance)),
        ).order_by(Document.classification_code, Document.document_date, Document.id)))
        ids = [d.id for d in docs]
        held, packed = held_ids(session, ids), open_transferring(session, ids)
        return [TransferCandidate(id=d.id, title=d.title, classification=d.classification_code,
                                  document_date=d.document_date, inactive_until=d.inactive_until,
                                  on_hold=d.id in held, in_transfer=d.id in packed)
                for d in docs]


def load_transfer(session: Session, principal: Principal, transfer_id: int) -> Transfer:
    handed = session.get(Transfer, transfer_id)
    if handed is None:
        raise NotFound("Penyerahan #%(id)s tidak ditemukan.", params={"id": transfer_id})
    ids = [r.document_id for r in handed.item_rows]
    above = session.scalar(select(func.count(Document.id)).where(
        Document.id.in_(ids), Document.security.not_in(classes_up_to(principal.clearance))))
    if above:
        raise NotFound("Penyerahan #%(id)s tidak ditemukan.", params={"id": transfer_id})
    return handed


@dataclass(frozen=True)
class TransferView:
    """A transfer as pages show it."""

    id: int
    number: str
    status: str
    recipient: str
    created_at: dt.datetime
    created_by: str
    package_name: str | None
    package_digest: str | None
    confirmed_at: dt.datetime | None
    confirmed_by: str | None
    receipt_reference: str | None
    documents: list[TransferDocument]


def _view(session: Session, handed: Transfer) -> TransferView:
    ids = [r.document_id for r in handed.item_rows]
    docs = [TransferDocument(id=d.id, title=d.title, code=d.classification_code,
                             date=d.document_date)
            for d in session.scalars(select(Document).where(Document.id.in_(ids))
                                     .order_by(Document.id))]
    return TransferView(handed.id, handed.number, handed.status, handed.recipient,
                        handed.created_at, handed.created_by_name, handed.package_name,
                        handed.package_digest, handed.confirmed_at, handed.confirmed_by_name,
                        handed.receipt_reference, docs)


def get_transfer(archive: Archive, principal: Principal, transfer_id: int) -> TransferView:
    """Return one transfer (NotFound when a record in it is above the reader's clearance)."""
    require(principal, "retention.read")
    with archive.db.read() as session:
        return _view(session, load_transfer(session, principal, transfer_id))


def list_transfers(archive: Archive, principal: Principal) -> list[TransferView]:
    """Return the transfers the principal may see, newest first."""
    require(principal, "retention.read")
    with archive.db.read() as session:
        hidden = set(session.scalars(
            select(TransferItem.transfer_id).join(Document, Document.id == TransferItem.document_id)
            .where(Document.security.not_in(classes_up_to(principal.clearance)))))
        return [_view(session, t) for t in session.scalars(
            select(Transfer).order_by(Transfer.id.desc())) if t.id not in hidden]
