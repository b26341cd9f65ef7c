"""Transfer of arsip statis (penyerahan): records whose final fate is `permanen` and whose
retention has ended are handed over to the archive institution as a BagIt package.

prepare: the package is written (originals, metadata as JSON and CSV, the decisions about the
documents from the audit trail, the transfer list and the Berita Acara Penyerahan) and
validated; nothing about the documents changes yet. confirm: once the institution
acknowledges receipt, the package is validated again and the documents are marked transferred
(they stay readable here as the office's copy). cancel: the package copy is destroyed and the
records may be proposed again. Holds block each step; every step is one audit entry.

Crashes: a package is built in `transfers/.building/<process>.<name>` (the process that builds
it named as in `earsip/storage.py`), recorded, and only then renamed to `transfers/<name>`. So
no package lies under its final name without its row, and nothing under construction is taken
for a package. What a process killed on the way left in `.building` is settled by
`recover_interrupted` (at start-up, and before each prepare): a package whose transfer was
recorded is moved into place; anything else, whole or half-made, is destroyed (it holds copies
of records). Confirming is one transaction: the records are marked transferred together with
the transfer's status and its entry, or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from pathlib import Path
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from earsip import audit, faults, paperwork, tabular, transfer_package
from earsip.access import Principal, may_see
from earsip.atomic import fsync_dir
from earsip.errors import (
    N_,
    Conflict,
    NotDisposable,
    NotFound,
    OnHold,
    StorageError,
)
from earsip.models import Document, Transfer, TransferItem, utcnow
from earsip.schemas.base import JsonObject
from earsip.schemas.transfers import Receipt, TransferInput
from earsip.services import Archive
from earsip.services.access import offices
from earsip.services.access.users import require
from earsip.services.records.documents import answer
from earsip.services.retention import transfer_contents
from earsip.services.retention.holds import refuse_held
from earsip.services.retention.transfer_views import load_transfer, open_transferring
from earsip.storage import owner_alive, owner_tag, shred

log = logging.getLogger(__name__)
BUILDING = ".building"
# A building folder whose process cannot be told alive or dead (another host sharing the
# folder) is abandoned after this long.
STALE_BUILD_S = 6 * 3600

def _next_number(session: Session, year: int, folder: Path) -> str:
    """Return the next free number (skipping any whose package folder exists or is being
    built by another process)."""
    prefix = f"BAST-AS/{year}/"
    n = (session.scalar(select(func.count(Transfer.id))
                        .where(Transfer.number.like(prefix + "%"))) or 0) + 1

    def taken(name: str) -> bool:
        return (folder / name).exists() or any((folder / BUILDING).glob(f"*.{name}"))

    while taken(f"{prefix}{n:03d}".replace("/", "-")) or session.scalar(
            select(Transfer.id).where(Transfer.number == f"{prefix}{n:03d}")):
        n += 1
    return f"{prefix}{n:03d}"


def _refused(archive: Archive, principal: Principal, action: str, transfer_id: int | None,
             error: OnHold, client_addr: str | None) -> None:
    """Commit the audit entry of a step refused because of a legal hold."""
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), action, target_type="transfer",
                     target_id=transfer_id, outcome="refused",
                     details={"reason": "legal hold",
                              "document_ids": error.extra.get("document_ids", [])})


def prepare(archive: Archive, principal: Principal, who: TransferInput, *,
            as_of: dt.date | None = None, client_addr: str | None = None) -> int:
    """Write and validate the transfer package of due permanent records; return its id."""
    require(principal, "transfer.manage")
    try:
        return _prepare(archive, principal, who, as_of=as_of, client_addr=client_addr)
    except OnHold as e:
        _refused(archive, principal, "transfer.prepare", None, e, client_addr)
        raise


def _prepare(archive: Archive, principal: Principal, who: TransferInput, *,
             as_of: dt.date | None, client_addr: str | None) -> int:
    ids = who.document_ids
    institution = who.recipient_institution
    recipient = paperwork.Person(who.recipient_name, who.recipient_position)
    official = paperwork.Person(who.official_name, who.official_position)
    place = who.place or archive.config.office_place
    day = as_of or dt.date.today()
    recover_interrupted(archive)
    with archive.db.read() as session:
        docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
        for doc_id in ids:
            doc = docs.get(doc_id)
            # Personal data (identity scans) is never handed over: it is destroyed when due.
            if doc is None or not may_see(principal.clearance, doc.security) or doc.personal:
                raise NotFound("Dokumen #%(id)s tidak ditemukan.", params={"id": doc_id})
            if (doc.disposition is not None or doc.final_fate != "permanen"
                    or doc.inactive_until is None or doc.inactive_until > day):
                raise NotDisposable("Dokumen #%(id)s belum atau tidak dapat diserahkan (retensinya "
                                    "belum berakhir, nasib akhirnya bukan permanen, atau sudah "
                                    "diserahkan).", params={"id": doc_id}, document_ids=[doc_id])
        packed = sorted(open_transferring(session, ids))
        if packed:
            raise NotDisposable("Dokumen #%(id)s sudah ada dalam penyerahan lain.",
                                params={"id": packed[0]}, document_ids=packed)
        refuse_held(session, ids, N_("diserahkan"))
        number = _next_number(session, day.year, archive.config.transfer_dir)
        ordered = [docs[i] for i in ids]
        rows = [transfer_contents.list_row(n, d) for n, d in enumerate(ordered, start=1)]
        files = [transfer_package.PackageFile(archive.store.path_of(d.storage_path),
                                              transfer_contents.arcname(d)) for d in ordered]
        meta: list[JsonObject] = []
        flat: list[list[object]] = []
        people: dict[int, transfer_contents.Person] = {}
        for d in ordered:
            described = answer(d)
            package_path = f"data/{transfer_contents.arcname(d)}"
            # What the office's own copy is doing (its OCR jobs, its searchable copy, which is
            # not in the package) is not part of the record handed over.
            record = described.model_dump(mode="json", exclude={"ocr_job", "searchable_copy"})
            # Who filed it, as a person (never the account name).
            record["created_by"] = transfer_contents.person(session, d.created_by_id, people)
            record["package_path"] = package_path
            meta.append(record)
            flat.append([described.id, described.number, described.title,
                         described.classification.code, described.document_date,
                         described.security, described.sender, described.recipient,
                         described.file.filename, described.file.mime, described.file.size,
                         described.file.sha256, package_path,
                         described.retention.active_until, described.retention.inactive_until,
                         described.retention.final_fate])
        history = transfer_contents.history_lines(session, ids)
        preparer = transfer_contents.person(session, principal.id or None, people)["name"]
    name = number.replace("/", "-")
    berita_acara = paperwork.berita_acara_penyerahan_pdf(paperwork.TransferRecord(
        number=number, day=day, place=place, office=archive.config.office_name,
        official=official, recipient_institution=institution, recipient=recipient,
        rows=rows, package_name=name, package_digest=""))
    listing = [[r.no, r.code, r.description, r.period, r.quantity, r.development, r.media,
                r.remarks] for r in rows]
    extra = {
        "metadata.json": json.dumps(meta, ensure_ascii=False, indent=2).encode(),
        "metadata.csv": tabular.to_csv(list(transfer_contents.METADATA_COLUMNS), flat),
        "riwayat.jsonl": history,
        "daftar_arsip.csv": tabular.to_csv(
            ["no", "kode_klasifikasi", "uraian", "kurun_waktu", "jumlah",
             "tingkat_perkembangan", "media", "keterangan"], listing),
        "berita_acara_penyerahan.pdf": berita_acara,
    }
    building = archive.config.transfer_dir / BUILDING
    building.mkdir(parents=True, exist_ok=True)
    built = transfer_package.build_package(
        building / f"{owner_tag()}.{name}", files, extra, {
            "Source-Organization": archive.config.office_name,
            "External-Identifier": number,
            "External-Description": f"Penyerahan arsip statis kepada {institution}",
            "Contact-Name": str(preparer or official.name),
        })
    faults.point("transfer.built")
    try:
        problems = transfer_package.validate_package(built.path)
        if problems:  # pragma: no cover - a package we just wrote should validate
            raise Conflict("Paket penyerahan tidak valid: %(problem)s",
                           params={"problem": problems[0]})
        transfer_id = _record_prepared(archive, principal, ids, number, institution, name,
                                       built, client_addr)
    except BaseException:
        _destroy_package(built.path)  # copies of records must not linger unrecorded
        raise
    faults.point("transfer.recorded")
    _publish(built.path, archive.config.transfer_dir / name)
    return transfer_id


def _publish(built: Path, final: Path) -> None:
    """Move a recorded package from its building folder to its final name."""
    try:
        os.rename(built, final)  # refuses a non-empty folder of that name
        fsync_dir(final.parent)  # the rename itself is on disk before anyone is told
    except OSError as e:
        raise StorageError("Paket penyerahan tidak dapat dipindahkan ke %(path)s: %(reason)s",
                           params={"path": str(final), "reason": e.strerror or e}) from e


def recover_interrupted(archive: Archive) -> list[str]:
    """Settle what processes killed while preparing a transfer left in `.building`: move a
    recorded package to its final name, destroy anything else. Return what was settled, as
    "<name>: moved" or "<name>: destroyed"."""
    building = archive.config.transfer_dir / BUILDING
    if not building.is_dir():
        return []
    cutoff = time.time() - STALE_BUILD_S
    abandoned = []
    for entry in sorted(building.iterdir()):
        tagged = entry.name.lstrip(".")
        try:
            alive = owner_alive(tagged)
            if alive or (alive is None and entry.stat().st_mtime >= cutoff):
                continue
        except FileNotFoundError:  # settled meanwhile by another process
            continue
        abandoned.append(entry)
    if not abandoned:
        return []
    with archive.db.read() as session:
        prepared = set(session.scalars(select(Transfer.package_name).where(
            Transfer.status == "prepared")))
    settled = []
    for entry in abandoned:
        # <machine>.<pid>-<start>.<name>; a half-made one is .<that>.<random>.partial
        parts = entry.name.split(".", 2)
        name = parts[2] if len(parts) == 3 and not entry.name.startswith(".") else None
        final = archive.config.transfer_dir / (name or "")
        try:
            if name and name in prepared and not final.exists():
                _publish(entry, final)
                log.warning("recorded transfer package moved into place: %s", name)
                settled.append(f"{name}: moved")
            else:
                _destroy_package(entry)
                log.warning("unrecorded transfer package destroyed: %s", entry.name)
                settled.append(f"{entry.name}: destroyed")
        except (OSError, StorageError):
            log.exception("could not settle the transfer package %s", entry)
    return settled


def _record_prepared(archive: Archive, principal: Principal, ids: list[int], number: str,
                     institution: str, name: str, built: transfer_package.PackageResult,
                     client_addr: str | None) -> int:
    """Record a written package, re-checking holds and eligibility in the same transaction."""
    with archive.db.write() as session:
        refuse_held(session, ids, N_("diserahkan"))
        packed = sorted(open_transferring(session, ids))
        gone = sorted(session.scalars(select(Document.id).where(
            Document.id.in_(ids), Document.disposition.is_not(None))))
        if packed or gone:
            raise NotDisposable("Dokumen #%(id)s sudah ada dalam penyerahan lain.",
                                params={"id": (packed or gone)[0]}, document_ids=packed or gone)
        handed = Transfer(office_id=offices.office_of(session, principal),
                          number=number, status="prepared", recipient=institution,
                          created_by_id=principal.id or None, created_by_name=principal.username,
                          package_name=name, package_digest=built.digest,
                          item_rows=[TransferItem(document_id=i) for i in ids])
        session.add(handed)
        session.flush()
        audit.append(session, principal.actor(client_addr), "transfer.prepare",
                     target_type="transfer", target_id=handed.id,
                     details={"number": number, "recipient": institution,
                              "document_ids": ids, "package": name,
                              "digest": built.digest, "oxum": built.oxum})
        return handed.id


def _package(archive: Archive, handed: Transfer) -> Path:
    return archive.config.transfer_dir / (handed.package_name or "")


def write_zip(archive: Archive, principal: Principal, transfer_id: int, fileobj: IO[bytes], *,
              client_addr: str | None = None) -> str:
    """Write the package of a prepared transfer as a zip into `fileobj`; audit the export.

    Held records are not handed out, even as a package prepared before the hold.
    """
    require(principal, "transfer.manage")
    with archive.db.read() as session:
        handed = load_transfer(session, principal, transfer_id)
        if handed.status != "prepared":
            raise Conflict("Paket penyerahan %(number)s tidak tersedia (%(status)s).",
                           params={"number": handed.number, "status": handed.status})
        refuse_held(session, [r.document_id for r in handed.item_rows], N_("diserahkan"))
        path, name = _package(archive, handed), f"{handed.package_name}.zip"
        number, digest = handed.number, handed.package_digest
    transfer_package.zip_package(path, fileobj)
    faults.point("transfer.zipped")
    with archive.db.write() as session:  # written once the zip is: an export that happened
        audit.append(session, principal.actor(client_addr), "transfer.export",
                     target_type="transfer", target_id=transfer_id,
                     details={"number": number, "digest": digest})
    return name


def confirm(archive: Archive, principal: Principal, transfer_id: int, received: Receipt, *,
            client_addr: str | None = None) -> None:
    """Record the institution's receipt: re-validate the package, mark the records transferred."""
    require(principal, "transfer.manage")
    receipt = received.receipt_reference
    with archive.db.read() as session:
        handed = load_transfer(session, principal, transfer_id)
        path, digest = _package(archive, handed), handed.package_digest
    problems = transfer_package.validate_package(path)
    if problems:
        raise Conflict("Paket penyerahan berubah atau rusak sejak dibuat: %(problem)s",
                       params={"problem": problems[0]})
    if transfer_package.package_digest(path) != digest:
        raise Conflict("Paket penyerahan bukan paket yang dibuat semula (digest berbeda).")
    try:
        _mark_transferred(archive, principal, transfer_id, receipt, digest, client_addr)
    except OnHold as e:
        _refused(archive, principal, "transfer.confirm", transfer_id, e, client_addr)
        raise
    faults.point("transfer.confirmed")


def _mark_transferred(archive: Archive, principal: Principal, transfer_id: int, receipt: str,
                      digest: str | None, client_addr: str | None) -> None:
    with archive.db.write() as session:
        handed = load_transfer(session, principal, transfer_id)
        if handed.status != "prepared":
            raise Conflict("Penyerahan %(number)s sudah %(status)s.",
                           params={"number": handed.number, "status": handed.status})
        ids = [r.document_id for r in handed.item_rows]
        refuse_held(session, ids, N_("diserahkan"))
        now = utcnow()
        for doc in session.scalars(select(Document).where(Document.id.in_(ids))):
            if doc.disposition is not None:
                raise NotDisposable("Dokumen #%(id)s sudah tidak dapat diserahkan.",
                                    params={"id": doc.id}, document_ids=[doc.id])
            doc.disposition, doc.disposed_at, doc.transfer_id = "transferred", now, handed.id
        handed.status, handed.confirmed_at = "confirmed", now
        handed.confirmed_by_name, handed.receipt_reference = principal.username, receipt
        audit.append(session, principal.actor(client_addr), "transfer.confirm",
                     target_type="transfer", target_id=handed.id,
                     details={"number": handed.number, "receipt_reference": receipt,
                              "document_ids": ids, "digest": digest})
        faults.point("transfer.confirming")


def cancel(archive: Archive, principal: Principal, transfer_id: int, *,
           client_addr: str | None = None) -> None:
    """Cancel a prepared transfer and destroy its package copy; audit it."""
    require(principal, "transfer.manage")
    with archive.db.write() as session:
        handed = load_transfer(session, principal, transfer_id)
        if handed.status != "prepared":
            raise Conflict("Penyerahan %(number)s sudah %(status)s.",
                           params={"number": handed.number, "status": handed.status})
        handed.status, handed.cancelled_at = "cancelled", utcnow()
        audit.append(session, principal.actor(client_addr), "transfer.cancel",
                     target_type="transfer", target_id=handed.id,
                     details={"number": handed.number})
        path = _package(archive, handed)
    if path.parent == archive.config.transfer_dir:
        _destroy_package(path)


def _destroy_package(path: Path) -> None:
    """Shred every file of a package folder and remove it (it holds copies of records)."""
    if not path.is_dir():
        return
    for item in sorted(path.rglob("*"), reverse=True):
        if item.is_symlink():
            item.unlink()
        elif item.is_file():
            shred(item)
        elif item.is_dir():
            item.rmdir()
    path.rmdir()


