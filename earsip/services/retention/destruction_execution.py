"""Executing a destruction list: the records' content destroyed, their tombstones kept, the
papers made and filed (step 4 of `destruction`).

Execution commits the tombstones, the list's berita acara fields and its audit entry in one
transaction first, then destroys the content, then files the papers. A crash before that commit
leaves every record untouched (the list is still `approved`); a crash after it leaves a list
`executed` whose papers are not all filed: start-up (`finish_interrupted`, from `earsip init`,
`serve`, `worker`) destroys whatever content of its records remains, and running the execution
again on the list (the page's *Selesaikan pemusnahan*) does the same and files the papers that
are missing, once. The fault points of docs/RELIABILITY.md mark each step.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, or_, select

from earsip import audit, faults
from earsip.access import Principal
from earsip.errors import N_, Conflict, EarsipError, NotDisposable
from earsip.models import DisposalList, Document, DocumentText, IndexQueue, utcnow
from earsip.schemas.base import parse
from earsip.schemas.retention import DisposalExecution
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.desk import suggestions
from earsip.services.operations import jobs
from earsip.services.records.documents import preview_cache_path
from earsip.services.retention.destruction import _holds_refusal
from earsip.services.retention.destruction_papers import (
    Executed,
    check_execution,
    file_papers,
    local_day,
)
from earsip.services.retention.destruction_views import load_list, remaining
from earsip.services.retention.holds import refuse_held
from earsip.services.search import indexing
from earsip.storage import shred

log = logging.getLogger(__name__)
DEFAULT_METHOD = ("Penghancuran total berkas elektronik: isi berkas ditimpa data acak lalu "
                  "nol, kemudian dihapus; teks dihapus dari basis data dan indeks pencarian.")


def _completed(form: DisposalExecution, default_place: str) -> DisposalExecution:
    """The berita acara as it is filed: the office's place and the standard method where the
    officer left them out (the form itself was checked where it was declared)."""
    return form.model_copy(update={"place": form.place or default_place,
                                   "method": form.method or DEFAULT_METHOD})


def execute(archive: Archive, principal: Principal, list_id: int, form: DisposalExecution | None, *,
            client_addr: str | None = None) -> Executed:
    """Carry out an approved list; on an executed list, finish what a crash left undone.

    `form` is needed only for an approved list (a resume sends none: the doors pass None for an
    empty form); without it an approved list is refused naming the first field missing."""
    require(principal, "disposal.execute")
    with archive.db.read() as session:
        listing = load_list(session, principal, list_id)
        status = listing.status
    if status == "approved":
        checked = _completed(form if form is not None else parse(DisposalExecution, {}),
                             archive.config.office_place)
        check_execution(archive, principal, list_id, checked)
        with _holds_refusal(archive, principal, "disposal.execute", list_id, client_addr):
            _destroy_records(archive, principal, list_id, checked, client_addr)
        faults.point("disposal.committed")
    elif status != "executed":
        raise Conflict("Daftar #%(id)s belum disetujui (%(status)s); pemusnahan hanya untuk "
                       "daftar yang telah disetujui.", params={"id": list_id, "status": status})
    _purge_content(archive, list_id)
    return file_papers(archive, principal, list_id, client_addr)


def _destroy_records(archive: Archive, principal: Principal, list_id: int, form: DisposalExecution,
                     client_addr: str | None) -> None:
    """Commit the tombstones, the list's berita acara fields and the audit entry at once."""
    with archive.db.write() as session:
        listing = load_list(session, principal, list_id)
        if listing.status != "approved":
            raise Conflict("Daftar %(number)s tidak lagi menunggu pemusnahan (%(status)s).",
                           params={"number": listing.number, "status": listing.status})
        ids = [i.document_id for i in remaining(listing)]
        refuse_held(session, ids, N_("dimusnahkan"))
        docs = list(session.scalars(select(Document).where(Document.id.in_(ids))))
        today = local_day(utcnow())
        bad = [d.id for d in docs if d.disposition is not None or d.final_fate != "musnah"
               or d.inactive_until is None or d.inactive_until > today]
        if bad:
            raise NotDisposable("Dokumen #%(id)s tidak (lagi) dapat dimusnahkan: retensinya belum "
                                "berakhir atau nasib akhirnya bukan musnah; keluarkan dari daftar.",
                                params={"id": bad[0]}, document_ids=bad)
        now = utcnow()
        for doc in docs:
            doc.disposition, doc.disposed_at, doc.disposal_list_id = "destroyed", now, listing.id
            session.add(IndexQueue(document_id=doc.id, action="delete"))
        session.execute(delete(DocumentText).where(DocumentText.document_id.in_(ids)))
        # The suggester learned words from these texts: they go with them, and it learns again.
        if suggestions.forget(session):
            jobs.submit(session, archive, "suggest.train")
        listing.status, listing.executed_at = "executed", now
        listing.executed_by_name = principal.username
        listing.berita_acara_number, listing.place = form.berita_acara_number, form.place
        listing.method = form.method
        listing.official_name, listing.official_position = (form.official_name,
                                                            form.official_position)
        listing.witnesses = [{"name": w.name, "position": w.position} for w in form.witnesses]
        audit.append(session, principal.actor(client_addr), "disposal.execute",
                     target_type="disposal_list", target_id=listing.id,
                     details={"number": listing.number,
                              "berita_acara": form.berita_acara_number,
                              "approval_reference": listing.approval_reference,
                              "approved_by": listing.approved_by_name,
                              "document_ids": ids, "method": form.method,
                              "official": {"name": form.official_name,
                                           "position": form.official_position},
                              "witnesses": listing.witnesses})
        faults.point("disposal.marked")


def _purge_content(archive: Archive, list_id: int) -> None:
    """Destroy the files, searchable copies and previews of the list's tombstones, then drop
    them from the index."""
    with archive.db.read() as session:
        rows = session.execute(select(Document.id, Document.storage_path, Document.sha256,
                                      Document.searchable_path)
                                .where(Document.disposal_list_id == list_id,
                                       Document.disposition == "destroyed")).all()
    for _doc_id, storage_path, sha256, searchable_path in rows:
        faults.point("disposal.shredding")
        archive.store.destroy(storage_path)
        if searchable_path:  # the OCR copy holds the same content
            archive.store.destroy(searchable_path)
        shred(preview_cache_path(archive, sha256))
        faults.point("disposal.shredded")
    ids = [r[0] for r in rows]
    archive.db.flush_deleted()
    indexing.process_queue(archive, document_ids=ids)
    faults.point("disposal.unindexed")
    # Deleted documents stay in the index's segment files until they are merged away: merge
    # now, so the destroyed text cannot be read back from the index folder either.
    if ids:
        archive.index.erase_traces()




def finish_interrupted(archive: Archive) -> list[int]:
    """Destroy what content remains of executions a crash interrupted; return their lists' ids.

    An executed list without both papers was interrupted somewhere after its commit (the papers
    are filed only once the content is gone): its records are destroyed in the database and the
    audit trail, so their files, previews, index entries and any text left in the database files
    must go too. The papers wait for the officer who finishes the execution (`execute` again).
    An index that cannot be written now is left to start-up's rebuild, which leaves destroyed
    records out.
    """
    with archive.db.read() as session:
        ids = list(session.scalars(select(DisposalList.id).where(
            DisposalList.status == "executed",
            or_(DisposalList.berita_acara_document_id.is_(None),
                DisposalList.list_document_id.is_(None))).order_by(DisposalList.id)))
    for list_id in ids:
        log.warning("destruction list #%d was interrupted: destroying what content remains",
                    list_id)
        try:
            _purge_content(archive, list_id)
        except EarsipError as e:  # the next start, or the officer's finishing, tries again
            log.warning("interrupted destruction list #%d not finished: %s", list_id, e.message)
    return ids
