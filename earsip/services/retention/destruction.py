"""Destruction (pemusnahan): the only way a record's content leaves the archive.

1. propose: a records officer draws up a Daftar Arsip Usul Musnah from records whose retention
   has ended, whose final fate is `musnah`, that no hold covers and no open list holds;
2. review: the appraisal committee removes items, each with a reason;
3. approve: a leader who is not the proposer, and whose account the separation-of-duties rule
   admits (`services.access.duties`), approves with their password, recording the decision's number
   and date;
4. execute (`destruction_execution`): the content of every listed file is overwritten and
   removed, the text leaves the database and the search index, each document's row stays as a
   tombstone (when, under which berita acara, by whose decision); the Berita Acara Pemusnahan
   and the list are made as PDFs and filed as permanent records under the disposal code.
Every step, and every refusal of the four-eyes rule, is one audit entry. Holds are checked at
each step.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Principal, may_see
from earsip.errors import (
    N_,
    Conflict,
    Forbidden,
    NotDisposable,
    NotFound,
    OnHold,
)
from earsip.filetypes import LABELS
from earsip.models import (
    DisposalItem,
    DisposalList,
    Document,
    utcnow,
)
from earsip.schemas.retention import (
    Cancellation,
    DisposalApproval,
    DisposalProposal,
    ItemRemoval,
)
from earsip.services import Archive
from earsip.services.access import duties, offices
from earsip.services.access.users import require
from earsip.services.records.documents import listed_title
from earsip.services.retention.destruction_papers import local_day
from earsip.services.retention.destruction_views import (
    OPEN_STATES,
    load_list,
    open_listed,
    remaining,
)
from earsip.services.retention.holds import refuse_held

log = logging.getLogger(__name__)



def _item(doc: Document) -> DisposalItem:
    """Return the list row of a document, with the columns DOMAIN.md names."""
    title = listed_title(doc.title, doc.personal)
    description = title if not doc.number or doc.personal else f"{title} (No. {doc.number})"
    pages = f", {doc.pages} hlm." if doc.pages else ""
    return DisposalItem(
        document_id=doc.id,
        classification_code=doc.classification_code,
        description=description[:2000],
        period=str(doc.document_date.year),
        quantity=f"1 berkas{pages}",
        development="Asli",
        media=f"Elektronik ({LABELS.get(doc.mime, doc.mime)})",
        remarks=f"Retensi berakhir {doc.inactive_until:%d-%m-%Y}; dokumen #{doc.id}",
    )


def _next_number(session: Session, year: int) -> str:
    prefix = f"DAUM/{year}/"
    count = session.scalar(select(func.count(DisposalList.id))
                           .where(DisposalList.number.like(prefix + "%"))) or 0
    return f"{prefix}{count + 1:03d}"


def propose(archive: Archive, principal: Principal, proposal: DisposalProposal, *,
            as_of: dt.date | None = None, client_addr: str | None = None) -> int:
    """Draw up a destruction list of due, unheld records and submit it for review."""
    require(principal, "disposal.propose")
    with _holds_refusal(archive, principal, "disposal.propose", None, client_addr):
        return _propose(archive, principal, proposal, as_of=as_of, client_addr=client_addr)


def _propose(archive: Archive, principal: Principal, proposal: DisposalProposal, *,
             as_of: dt.date | None, client_addr: str | None) -> int:
    ids, text = proposal.document_ids, proposal.note
    day = as_of or dt.date.today()
    with archive.db.write() as session:
        docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
        for doc_id in ids:
            doc = docs.get(doc_id)
            if doc is None or not may_see(principal.clearance, doc.security):
                raise NotFound("Dokumen #%(id)s tidak ditemukan.", params={"id": doc_id})
            if (doc.disposition is not None or doc.final_fate != "musnah"
                    or doc.inactive_until is None or doc.inactive_until > day):
                raise NotDisposable(
                    "Dokumen #%(id)s belum atau tidak dapat diusulkan musnah (retensinya belum "
                    "berakhir, nasib akhirnya bukan musnah, atau sudah dimusnahkan).",
                    params={"id": doc_id}, document_ids=[doc_id])
        listed = sorted(open_listed(session, ids))
        if listed:
            raise NotDisposable("Dokumen #%(id)s sudah ada dalam daftar usul musnah lain.",
                                params={"id": listed[0]}, document_ids=listed)
        refuse_held(session, ids, N_("diusulkan musnah"))
        now = utcnow()
        listing = DisposalList(office_id=offices.office_of(session, principal),
                               number=_next_number(session, now.year), status="submitted",
                               proposed_by_id=principal.id or None,
                               proposed_by_name=principal.username, note=text,
                               submitted_at=now, items=[_item(docs[i]) for i in ids])
        session.add(listing)
        session.flush()
        audit.append(session, principal.actor(client_addr), "disposal.propose",
                     target_type="disposal_list", target_id=listing.id,
                     details={"number": listing.number, "document_ids": ids, "note": text})
        return listing.id


def remove_item(archive: Archive, principal: Principal, list_id: int, item_id: int,
                removal: ItemRemoval, *, client_addr: str | None = None) -> None:
    """Take one record off a list under review (or approved), with a reason; audit it."""
    require(principal, "disposal.review")
    why = removal.reason
    with archive.db.write() as session:
        listing = load_list(session, principal, list_id)
        if listing.status not in OPEN_STATES:
            raise Conflict("Daftar %(number)s sudah %(status)s; isinya tidak dapat diubah.",
                           params={"number": listing.number, "status": listing.status})
        item = next((i for i in listing.items if i.id == item_id), None)
        if item is None or item.removed_at is not None:
            raise NotFound("Butir daftar tidak ditemukan.")
        item.removed_at, item.removed_by_name, item.removed_reason = (
            utcnow(), principal.username, why)
        audit.append(session, principal.actor(client_addr), "disposal.review",
                     target_type="disposal_list", target_id=listing.id,
                     details={"number": listing.number, "removed_document_id": item.document_id,
                              "reason": why})


def _refuse_not_due(session: Session, ids: list[int]) -> None:
    """Refuse records whose destruction is no longer due (a rule or date changed meanwhile)."""
    today = local_day(utcnow())
    late = sorted(session.scalars(select(Document.id).where(
        Document.id.in_(ids),
        or_(Document.final_fate.is_distinct_from("musnah"), Document.inactive_until.is_(None),
            Document.inactive_until > today, Document.disposition.is_not(None)))))
    if late:
        raise NotDisposable("Dokumen #%(id)s tidak (lagi) dapat dimusnahkan: retensinya belum "
                            "berakhir atau nasib akhirnya bukan musnah; keluarkan dari daftar.",
                            params={"id": late[0]}, document_ids=late)


def _refuse(archive: Archive, principal: Principal, action: str, list_id: int | None,
            reason: str, client_addr: str | None, **details: object) -> None:
    """Commit an audit entry for a refused step (the refusal itself must not roll back)."""
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), action,
                     target_type="disposal_list", target_id=list_id, outcome="refused",
                     details={"reason": reason, **details})


@contextmanager
def _holds_refusal(archive: Archive, principal: Principal, action: str, list_id: int | None,
                   client_addr: str | None) -> Iterator[None]:
    """Audit a step refused because a legal hold covers one of its records."""
    try:
        yield
    except OnHold as e:
        _refuse(archive, principal, action, list_id, "legal hold", client_addr,
                document_ids=e.extra.get("document_ids", []))
        raise


def approve(archive: Archive, principal: Principal, list_id: int, approval: DisposalApproval,
            *, client_addr: str | None = None) -> None:
    """Approve a list under review: by a leader other than the proposer whose account the
    separation-of-duties rule admits (`services.access.duties`), who types their password again;
    nothing on it may be held."""
    require(principal, "disposal.approve")
    ref, decision_date, password = approval.reference, approval.decided_on, approval.password
    with archive.db.read() as session:
        proposer = load_list(session, principal, list_id).proposed_by_id
        refused = duties.refusal(session, principal.id, proposer)
        right_password = refused is None and duties.password_matches(session, principal.id,
                                                                     password)
    if refused is not None:
        _refuse(archive, principal, "disposal.approve", list_id,
                f"separation of duties: {refused.code}", client_addr)
        raise Forbidden(refused.message, params=refused.params, reason=refused.code)
    if not right_password:
        _refuse(archive, principal, "disposal.approve", list_id, "wrong password", client_addr)
        raise Forbidden("Kata sandi salah; persetujuan tidak disimpan.", field="password",
                        reason="wrong_password")
    with _holds_refusal(archive, principal, "disposal.approve", list_id, client_addr), \
            archive.db.write() as session:
        listing = load_list(session, principal, list_id)
        if listing.status != "submitted":
            raise Conflict("Daftar %(number)s tidak sedang menunggu persetujuan (%(status)s).",
                           params={"number": listing.number, "status": listing.status})
        left = [i.document_id for i in remaining(listing)]
        if not left:
            raise Conflict("Daftar %(number)s kosong: semua butir telah dikeluarkan.",
                           params={"number": listing.number})
        refuse_held(session, left, N_("disetujui untuk dimusnahkan"))
        _refuse_not_due(session, left)
        listing.status, listing.approved_at = "approved", utcnow()
        listing.approved_by_id = principal.id or None
        listing.approved_by_name = principal.username
        listing.approval_reference, listing.approval_date = ref, decision_date
        audit.append(session, principal.actor(client_addr), "disposal.approve",
                     target_type="disposal_list", target_id=listing.id,
                     details={"number": listing.number, "reference": ref,
                              "decision_date": decision_date.isoformat(),
                              "document_ids": left})


def cancel(archive: Archive, principal: Principal, list_id: int, cancellation: Cancellation,
           *, client_addr: str | None = None) -> None:
    """Cancel a list that has not been carried out; its records become proposable again."""
    require(principal, "disposal.propose")
    why = cancellation.reason
    with archive.db.write() as session:
        listing = load_list(session, principal, list_id)
        if listing.status not in OPEN_STATES:
            raise Conflict("Daftar %(number)s sudah %(status)s.",
                           params={"number": listing.number, "status": listing.status})
        listing.status, listing.cancelled_at, listing.cancel_reason = "cancelled", utcnow(), why
        audit.append(session, principal.actor(client_addr), "disposal.cancel",
                     target_type="disposal_list", target_id=listing.id,
                     details={"number": listing.number, "reason": why})
