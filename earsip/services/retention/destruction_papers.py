"""The papers of a destruction: the Daftar Arsip Usul Musnah and the Berita Acara Pemusnahan,
made as PDFs and filed as permanent records under the disposal code."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip import audit, faults, paperwork
from earsip.access import SECURITY_CLASSES, Principal, level
from earsip.errors import Duplicate
from earsip.models import DisposalList, Document, User, utcnow
from earsip.schemas.documents import DocumentInput
from earsip.schemas.retention import DisposalExecution
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.records import ingest
from earsip.services.retention.destruction_views import load_list, remaining


@dataclass(frozen=True)
class Executed:
    """The outcome of carrying out a list."""

    list_id: int
    number: str
    destroyed: list[int]
    berita_acara_document_id: int | None
    list_document_id: int | None


def _rows(listing: DisposalList) -> list[paperwork.ListRow]:
    return [paperwork.ListRow(n, i.classification_code, i.description, i.period, i.quantity,
                              i.development, i.media, i.remarks or "")
            for n, i in enumerate(remaining(listing), start=1)]


def list_pdf(archive: Archive, principal: Principal, list_id: int, *,
             client_addr: str | None = None) -> tuple[bytes, str]:
    """Return the Daftar Arsip Usul Musnah as a PDF, and its file name; audit the export."""
    require(principal, "retention.read")
    with archive.db.read() as session:
        listing = load_list(session, principal, list_id)
        proposer = session.get(User, listing.proposed_by_id) if listing.proposed_by_id else None
        body = paperwork.destruction_list_pdf(
            archive.config.office_name, listing.number, listing.created_at.date(),
            paperwork.Person(proposer.full_name or proposer.username if proposer
                             else listing.proposed_by_name, "Arsiparis"),
            _rows(listing), status_note=_status_note(listing))
        name = listing.number.replace("/", "-")
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "disposal.export",
                     target_type="disposal_list", target_id=list_id,
                     details={"number": listing.number, "format": "pdf"})
    return body, f"{name}.pdf"


def _status_note(listing: DisposalList) -> str | None:
    if listing.status == "approved" or listing.status == "executed":
        return (f"Disetujui oleh {listing.approved_by_name} berdasarkan "
                f"{listing.approval_reference} tanggal {listing.approval_date:%d-%m-%Y}")
    if listing.status == "cancelled":
        return "Dibatalkan"
    return "Dalam penilaian"


def destruction_record(listing: DisposalList, office: str, day: dt.date, *,
                       form: DisposalExecution | None = None) -> paperwork.DestructionRecord:
    """Return the berita acara of a list, from its stored fields or from a form to be stored."""
    number: str | None
    place: str | None
    if form is not None:
        number, place, method = form.berita_acara_number, form.place, form.method
        official = paperwork.Person(form.official_name, form.official_position)
        witnesses = [paperwork.Person(w.name, w.position) for w in form.witnesses]
    else:
        number, place, method = (listing.berita_acara_number, listing.place, listing.method)
        official = paperwork.Person(listing.official_name or "", listing.official_position or "")
        witnesses = [paperwork.Person(w["name"], w["position"]) for w in listing.witnesses or []]
    return paperwork.DestructionRecord(
        number=number or "", day=day, place=place or "", office=office, official=official,
        basis_reference=listing.approval_reference or "",
        basis_date=listing.approval_date or day, method=method or "", witnesses=witnesses,
        rows=_rows(listing), list_number=listing.number)


def local_day(moment: dt.datetime) -> dt.date:
    """Return the office's (the server's) calendar date at a naive-UTC moment."""
    return moment.replace(tzinfo=dt.UTC).astimezone().date()


def check_execution(archive: Archive, principal: Principal, list_id: int,
                    form: DisposalExecution) -> None:
    """Refuse, before anything is destroyed, a berita acara that could not be made or filed."""
    ingest.check_code(archive, archive.config.disposal_code)
    with archive.db.read() as session:
        listing = load_list(session, principal, list_id)
        paperwork.check_destruction(destruction_record(
            listing, archive.config.office_name, local_day(utcnow()), form=form))


def _papers_security(session: Session, listing: DisposalList) -> str:
    """Return the class of the papers: the highest of the records they list (titles included)."""
    classes = set(session.scalars(select(Document.security).where(
        Document.id.in_([i.document_id for i in remaining(listing)]))))
    return max(classes, key=level, default=SECURITY_CLASSES[0])


def file_papers(archive: Archive, principal: Principal, list_id: int,
                 client_addr: str | None) -> Executed:
    """File the berita acara and the list under the disposal code (once), as permanent records."""
    with archive.db.read() as session:
        listing = session.get(DisposalList, list_id)
        assert listing is not None and listing.executed_at is not None
        day = local_day(listing.executed_at)
        security = _papers_security(session, listing)
        rows = _rows(listing)
        destroyed = [i.document_id for i in remaining(listing)]
        record = destruction_record(listing, archive.config.office_name, day)
        papers = {"berita_acara_document_id": listing.berita_acara_document_id,
                  "list_document_id": listing.list_document_id}
        number, proposer = listing.number, listing.proposed_by_name
    actor = principal.actor(client_addr)
    made: dict[str, tuple[Callable[[], bytes], str, str, str]] = {
        "berita_acara_document_id": (
            lambda: paperwork.berita_acara_pemusnahan_pdf(record),
            f"Berita Acara Pemusnahan Arsip {record.number}", record.number,
            f"berita-acara-pemusnahan-{number.replace('/', '-')}.pdf"),
        "list_document_id": (
            lambda: paperwork.destruction_list_pdf(
                archive.config.office_name, number, day,
                paperwork.Person(proposer, "Arsiparis"), rows,
                status_note=f"Dimusnahkan dengan Berita Acara {record.number}"),
            f"Daftar Arsip Musnah {number}", number,
            f"daftar-arsip-musnah-{number.replace('/', '-')}.pdf"),
    }
    for column, (render, title, ref, filename) in made.items():
        if papers[column] is not None:
            continue
        data = DocumentInput(title=title, classification=archive.config.disposal_code,
                             document_date=day, number=ref, security=security,
                             description=f"Pemusnahan arsip berdasarkan daftar {number}.",
                             tags=("pemusnahan",))
        faults.point("disposal.paper_filing")
        try:
            filed = ingest.file_document(archive, actor, io.BytesIO(render()), filename, data,
                                         clearance=None)
            papers[column] = filed.document_id
        except Duplicate as e:  # filed by an earlier, interrupted run
            papers[column] = e.audit_id
        faults.point("disposal.paper_filed")
        with archive.db.write() as session:
            listing = session.get(DisposalList, list_id)
            setattr(listing, column, papers[column])
    return Executed(list_id, number, destroyed, papers["berita_acara_document_id"],
                    papers["list_document_id"])
