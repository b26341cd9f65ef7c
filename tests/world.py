"""A realistic, messy archive for the crawl: what a records office holds after some months.

Filed, refused and duplicate uploads; the front desk's letters and cases (tests/world_cases.py);
OCR pending, done (with its searchable copy) and failed;
records edited, reclassified, raised in class, held, proposed, approved, destroyed and
transferred; disposal lists in every state; a hold lifted; a failed job; a fixity run that found
a missing file; documents of every security class. Users: one per role and clearance, named
`<role>-<clearance initials>` (e.g. `staf-b`, `pimpinan-sr`), and the built-in admin.

Built through the services, as the doors would call them, with real files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from earsip import audit
from earsip.access import ROLES, SECURITY_CLASSES, Principal
from earsip.errors import EarsipError
from earsip.models import Disposition, Document, OutgoingLetter, User
from earsip.schemas.base import parse
from earsip.schemas.desk import DispositionDone, DispositionInput, IncomingInput, NumberRequest
from earsip.schemas.documents import DocumentEdit
from earsip.schemas.retention import (
    Cancellation,
    DisposalApproval,
    DisposalProposal,
    HoldInput,
    HoldLift,
    ItemRemoval,
)
from earsip.schemas.transfers import Handover, Receipt
from earsip.services import Archive
from earsip.services.access import tokens
from earsip.services.access.users import create_user
from earsip.services.audit import review as audit_review
from earsip.services.desk import dispositions, letters, outgoing
from earsip.services.desk.filing import Upload
from earsip.services.operations import fixity, jobs
from earsip.services.records import editing, ingest
from earsip.services.records.documents import DocumentInput
from earsip.services.retention import destruction as disposition
from earsip.services.retention import destruction_execution, holds, transfer
from earsip.services.retention.destruction_views import get_list
from tests import filegen, scangen
from tests.approvers import make_approver
from tests.helpers import execution, handing
from tests.signing_fixtures import flip_signed_byte, make_pki, signed_pdf
from tests.world_cases import build_cases

PASSWORD = "user-pass-12345"
INITIALS = {"biasa": "b", "terbatas": "t", "rahasia": "r", "sangat_rahasia": "sr"}


def crawl_users() -> list[str]:
    """Return the name of every crawling user (one per role and clearance)."""
    # Written with hyphens (petugas-layanan-b): a person never reads a code like petugas_layanan.
    return [f"{role.replace('_', '-')}-{INITIALS[c]}" for role in ROLES for c in SECURITY_CLASSES]


def _principal(archive: Archive, username: str) -> Principal:
    with archive.db.read() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


@dataclasses.dataclass
class World:
    """The ids the crawl and its checks refer to."""

    ids: dict[str, int]
    titles: dict[str, str]


def build(archive: Archive, folder: Path) -> World:
    """Fill `archive` with the messy state described above; return its ids."""
    folder.mkdir(parents=True, exist_ok=True)
    today = dt.date.today()
    old = dt.date(today.year - 12, 3, 1)
    with archive.db.write() as session:
        for name in crawl_users():
            role, initials = name.rsplit("-", 1)
            role = role.replace("-", "_")
            clearance = next(c for c, i in INITIALS.items() if i == initials)
            create_user(session, name, PASSWORD, roles=[role], clearance=clearance,
                        actor=audit.SYSTEM, full_name=f"Pengguna {name}")
        create_user(session, "arsip", PASSWORD, roles=["arsiparis"], clearance="sangat_rahasia",
                    actor=audit.SYSTEM, full_name="Budi Santoso")
    # A leader the separation-of-duties rule admits: made by someone else, own password set.
    leader = make_approver(archive, "ketua")
    officer = _principal(archive, "arsip")
    actor = officer.actor("10.0.0.7")
    ids: dict[str, int] = {}
    titles: dict[str, str] = {}
    count = iter(range(1000))

    def file(key: str, title: str, *, code: str = "KA.00", date: dt.date | None = None,
             security: str = "biasa", text: str | None = None) -> int:
        body = text or f"{title} nomor {next(count)} tahun {date or today}"
        name = key.replace("_", "-") + ".pdf"
        pdf = filegen.make_text_pdf(folder / name, [body])
        data = DocumentInput(title=title, classification=code,
                             document_date=date or today - dt.timedelta(days=30),
                             security=security)
        ids[key] = ingest.file_document(archive, actor, pdf, name, data,
                                        clearance=officer.clearance).document_id
        titles[key] = title
        return ids[key]

    letter = file("letter", "Undangan rapat pleno rekapitulasi")
    file("limited", "Nota dinas anggaran terbatas", security="terbatas")
    file("secret", "Laporan dugaan pelanggaran kampanye", code="PP.01.02", security="rahasia")
    file("top", "Kajian dugaan pelanggaran sangat rahasia", code="PP.01.02",
         security="sangat_rahasia")

    # Refused uploads: a type the archive does not take, a PDF that is not one, a duplicate.
    refusals = [
        (folder / "bukan.exe", b"MZ\x90\x00" + b"\x00" * 4000, "bukan.exe"),
        (folder / "palsu.pdf", b"%PDF-1.4\n<html><body>bukan pdf</body></html>\n" * 50,
         "palsu.pdf"),
    ]
    for path, content, name in refusals:
        path.write_bytes(content)
        try:
            ingest.file_document(archive, actor, path, name,
                                 DocumentInput(title="Unggahan gagal", classification="KA.00",
                                               document_date=today), clearance="sangat_rahasia")
        except EarsipError:
            pass
        else:  # pragma: no cover - the world must hold refusals
            raise AssertionError(f"{name} was filed")
    with contextlib.suppress(EarsipError):
        ingest.file_document(archive, actor, folder / "letter.pdf", "salinan.pdf",
                             DocumentInput(title="Salinan undangan", classification="KA.00",
                                           document_date=today), clearance="sangat_rahasia")

    # Edited, reclassified, raised in class.
    edited = file("edited", "Surat tugas pengawasan")
    editing.edit_document(archive, officer, edited,
                          DocumentEdit(title="Surat tugas pengawasan TPS"))
    titles["edited"] = "Surat tugas pengawasan TPS"
    moved = file("moved", "Laporan hasil pengawasan tahapan")
    editing.edit_document(archive, officer, moved, DocumentEdit(classification="PM.00.02"))
    raised = file("raised", "Berita acara klarifikasi saksi")
    editing.edit_document(archive, officer, raised, DocumentEdit(security="rahasia"))
    # Lowering rahasia to biasa waits for a leader's decision.
    lowered = file("lowered", "Pengumuman hasil rekapitulasi", security="rahasia")
    editing.edit_document(archive, officer, lowered, DocumentEdit(
        security="biasa", security_reason="Sudah diumumkan kepada publik"))

    # Scans: one read by OCR (with its searchable copy), one waiting, one whose OCR failed.
    def scan(key: str) -> int:
        path = scangen.save_scan(folder / f"{key}.png",
                                 text=f"{scangen.TEXT} Pindaian {key}.")
        data = DocumentInput(title=f"Pindaian {key}", classification="KA.00",
                             document_date=today - dt.timedelta(days=10))
        ids[key] = ingest.file_document(archive, actor, path, path.name, data,
                                        clearance=None).document_id
        titles[key] = f"Pindaian {key}"
        return ids[key]

    failing = scan("ocrfailed")
    broken = Archive.open(dataclasses.replace(archive.config, ocr_command="/tidak/ada/tesseract"))
    try:
        jobs.run_pending(broken, kinds=["ocr"], document_ids=[failing])
    finally:
        broken.close()
    read = scan("ocrdone")
    jobs.run_pending(archive, kinds=["ocr"], document_ids=[read])
    scan("ocrpending")

    # Holds: one in force on a record, one lifted.
    held = file("held", "Surat keputusan penetapan", code="KA.00", date=old)
    hold = holds.place_hold(archive, officer, HoldInput(reference="Sengketa 7/PS.00.02/2026",
                                                        reason="Sengketa proses di Bawaslu",
                                                        document_ids=[held]))
    lifted = holds.place_hold(archive, officer, HoldInput(reference="Audit BPK 2025",
                                                          reason="Pemeriksaan",
                                                          document_ids=[letter]))
    holds.lift_hold(archive, officer, lifted.id, HoldLift(reason="Pemeriksaan selesai"))
    ids["hold"], ids["lifted_hold"] = hold.id, lifted.id

    # Disposal lists: submitted (with a rahasia record), approved, executed, cancelled.
    proposed = file("proposed", "Undangan sosialisasi lama", date=old)
    proposed_secret = file("proposed_secret", "Undangan rapat tertutup lama", date=old,
                           security="rahasia")
    ids["list_submitted"] = disposition.propose(archive, officer, DisposalProposal(
        document_ids=[proposed, proposed_secret], note="Usul musnah semester ini"))
    approved = file("approved", "Daftar hadir rapat lama", date=old)
    ids["list_approved"] = disposition.propose(archive, officer,
                                               DisposalProposal(document_ids=[approved]))
    disposition.approve(archive, leader, ids["list_approved"],
                        DisposalApproval(reference="KEP-12/HK.01.01", decision_date=today,
                                         password=PASSWORD))
    gone = file("destroyed", "Surat edaran lama yang dimusnahkan", date=old,
                text="surat edaran kecubungungu lama")
    kept = file("reviewed_out", "Surat edaran lama yang dipertahankan", date=old)
    ids["list_executed"] = disposition.propose(archive, officer,
                                               DisposalProposal(document_ids=[gone, kept]))
    item = next(i for i in get_list(archive, officer, ids["list_executed"]).items
                if i.document_id == kept)
    disposition.remove_item(archive, leader, ids["list_executed"], item.id,
                            ItemRemoval(reason="Masih dipakai untuk pemeriksaan"))
    disposition.approve(archive, leader, ids["list_executed"],
                        DisposalApproval(reference="KEP-13/HK.01.01", decision_date=today,
                                         password=PASSWORD))
    destruction_execution.execute(archive, officer, ids["list_executed"], execution(
        berita_acara_number="BA-01/KA.01.04/2026", official_name="Siti Rahmawati",
        official_position="Kepala Sekretariat", place=None,
        witnesses=[{"name": "Budi Santoso", "position": "Arsiparis"},
                   {"name": "Dewi Lestari", "position": "Staf"}]))
    cancelled = file("cancelled", "Kuitansi lama", date=old)
    ids["list_cancelled"] = disposition.propose(archive, officer,
                                                DisposalProposal(document_ids=[cancelled]))
    disposition.cancel(archive, officer, ids["list_cancelled"], Cancellation(reason="Ditunda"))

    # Transfers of permanent records: one confirmed, one prepared.
    handover = Handover(
        recipient_institution="Dinas Perpustakaan dan Kearsipan Provinsi Jawa Timur",
        recipient_name="Rina Wulandari", recipient_position="Kepala Bidang Arsip Statis",
        official_name="Siti Rahmawati", official_position="Kepala Sekretariat")
    dipa = file("transferred", "DIPA lama", code="KU.00.00", date=old)
    ids["transfer_done"] = transfer.prepare(archive, officer, handing([dipa], handover))
    transfer.confirm(archive, officer, ids["transfer_done"], Receipt(receipt_reference="TT-5/2026"))
    pending = file("to_transfer", "POK lama", code="KU.00.00", date=old)
    ids["transfer_prepared"] = transfer.prepare(archive, officer, handing([pending], handover))

    # A failed job beside the OCR one, and a fixity run that finds a file missing.
    lost = file("lost", "Surat yang berkasnya hilang")
    with archive.db.read() as session:
        path = archive.store.path_of(session.get(Document, lost).storage_path)
    path.unlink()
    fixity.run_fixity(archive, audit.SYSTEM, trigger="scheduled")
    _desk(archive, folder, ids, leader)
    build_cases(archive, folder, ids, titles)

    # A signed checkpoint, and an API token for every user (their tokens page has rows).
    audit_review.make_checkpoint(archive, audit.SYSTEM, trigger="scheduled")
    with archive.db.write() as session:
        for user in session.scalars(select(User)):
            tokens.issue(session, user, ttl_days=30, client_addr="10.0.0.7")
    return World(ids, titles)


def _desk(archive: Archive, folder: Path, ids: dict[str, int], leader: Principal) -> None:
    """The front desk's morning: letters registered (one refused, one waiting for its scan),
    routed along a chain to every crawling user, one overdue, one followed up; outgoing
    numbers issued, filed, back-dated and a reservation run out."""
    with archive.db.write() as session:
        create_user(session, "loket", PASSWORD, roles=["petugas_layanan"], clearance="rahasia",
                    actor=audit.SYSTEM, full_name="Dewi Lestari")
    desk = _principal(archive, "loket")
    today = archive.local_today()  # the office's date (WIB runs ahead of UTC)
    received = dt.datetime.now(dt.UTC).isoformat()

    def letter(subject: str, *, security: str = "biasa", scan: bool = True,
               number: str = "197/PM.00.02/K.JI-11.07/06/2024") -> int:
        data = parse(IncomingInput, {
            "received_at": received, "channel": "pos", "letter_number": number,
            "letter_date": (today - dt.timedelta(days=2)).isoformat(),
            "sender": "Panwaslu Kecamatan Magersari", "subject": subject,
            "classification": "PM.00.02", "security": security, "urgency": "segera"})
        files = [Upload(filegen.make_text_pdf(folder / f"{subject[:20]}.pdf",
                                              [f"{subject}. Mohon ditindaklanjuti."]),
                        f"{subject[:20]}.pdf")] if scan else []
        return letters.register(archive, desk, data, files).id

    def route(*to: str, due: dt.date | None = None) -> DispositionInput:
        return parse(DispositionInput, {"to": list(to), "instruction": "tindak lanjuti",
                                        "due_date": due.isoformat() if due else None})

    ids["letter_open"] = letter("Laporan pengawasan kampanye")
    [head] = dispositions.dispose(archive, desk, ids["letter_open"], route("ketua"))
    ids["step_head"] = head.id
    users = crawl_users()
    for part in (users[i:i + 12] for i in range(0, len(users), 12)):
        dispositions.forward(archive, leader, head.id,
                             route(*part, due=today + dt.timedelta(days=3)))
    ids["letter_waiting"] = letter("Undangan rapat pleno rahasia", security="rahasia",
                                   scan=False, number="B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016")
    [late] = dispositions.dispose(archive, desk, ids["letter_waiting"],
                                  route("pimpinan-sr", due=today))
    with archive.db.write() as session:  # its due date has passed since
        step = session.get(Disposition, late.id)
        assert step is not None
        step.due_date = today - dt.timedelta(days=3)
    ids["letter_done"] = letter("Permintaan data pengawasan")
    [done] = dispositions.dispose(archive, desk, ids["letter_done"], route("staf-t"))
    dispositions.mark_done(archive, _principal(archive, "staf-t"), done.id,
                           parse(DispositionDone, {"note": "Data sudah dikirim"}),
                           [Upload(filegen.make_text_pdf(folder / "balasan.pdf",
                                                         ["Balasan permintaan data"]),
                                   "balasan.pdf")])
    pki = make_pki(folder)
    signed = flip_signed_byte(signed_pdf(pki, folder / "ttd-rusak.pdf",
                                         text="Surat bertanda tangan yang diubah"))
    ids["letter_signed"] = letters.register(archive, desk, parse(IncomingInput, {
        "received_at": received, "channel": "srikandi", "letter_number": "5/HK.01.00/K1/01/2026",
        "letter_date": (today - dt.timedelta(days=1)).isoformat(), "sender": "Bawaslu RI",
        "subject": "Surat edaran bertanda tangan elektronik", "classification": "KA.00"}),
        [Upload(signed, signed.name),
         Upload(signed_pdf(pki, folder / "ttd.pdf", text="Lampiran bertanda tangan"),
                "ttd.pdf")]).id
    bad = folder / "bukan-surat.exe"
    bad.write_bytes(b"MZ" + bytes(4000))
    with contextlib.suppress(EarsipError):
        letters.register(archive, desk, parse(IncomingInput, {
            "received_at": received, "channel": "loket", "letter_number": "1/X/2026",
            "letter_date": today.isoformat(), "sender": "Tamu", "subject": "Berkas aneh",
            "classification": "KA.00"}), [Upload(bad, bad.name)])

    def number(day: dt.date, subject: str, **extra: object) -> int:
        return outgoing.issue_number(archive, desk, parse(NumberRequest, {
            "classification": "KA.00", "letter_date": day.isoformat(),
            "signatory": "sekretariat", "subject": subject, **extra})).id

    earlier = max(today - dt.timedelta(days=2), dt.date(today.year, 1, 1))
    ids["number_filed"] = number(earlier, "Undangan sosialisasi")
    outgoing.file_letter(archive, desk, ids["number_filed"], Upload(
        filegen.make_text_pdf(folder / "keluar.pdf", ["Undangan sosialisasi ditandatangani"]),
        "keluar.pdf"))
    ids["number_issued"] = number(today, "Pemberitahuan hasil pengawasan")
    ids["number_backdated"] = number(earlier, "Surat susulan")
    ids["number_cancelled"] = number(today, "Surat yang batal", reserve=True)
    with archive.db.write() as session:  # a reservation that ran out
        row = session.get(OutgoingLetter, ids["number_cancelled"])
        assert row is not None
        row.expires_at = dt.datetime(2000, 1, 1)
    outgoing.expire_reservations(archive)
