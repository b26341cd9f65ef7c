"""The crawl world's front-desk cases: what the public brought in a few weeks. A request from
the public form with its identity scan, extended; the requester's objection; a request refused
for a bad scan; an overdue request; a late report of a violation and one in time; a
consultation; a request decided and delivered. Built through the services, with real files."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

from sqlalchemy import select

from earsip.access import Principal
from earsip.errors import EarsipError
from earsip.models import Case, User
from earsip.schemas.base import parse
from earsip.schemas.cases import (
    CaseInput,
    DecisionInput,
    DeliveryInput,
    ExtendInput,
    GuestInput,
    InformationRequest,
    PublicObjection,
)
from earsip.services import Archive
from earsip.services.cases import guests, handling, intake, rules
from earsip.services.desk.filing import Upload
from tests import filegen

REQUEST = {"name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}


def _principal(archive: Archive, username: str) -> Principal:
    with archive.db.read() as session:
        return Principal.of(session.scalar(select(User).where(User.username == username)))


def build_cases(archive: Archive, folder: Path, ids: dict[str, int],
                titles: dict[str, str]) -> None:
    """Add the cases to the world; their ids in `ids`, the public's number and code in
    `titles` (`case_number`, `case_code`)."""
    desk = _principal(archive, "loket")
    ppid = _principal(archive, "ppid-sr")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    scan = filegen.make_png(folder / "ktp.png")
    receipt = intake.submit_request(archive, parse(InformationRequest, REQUEST),
                                    Upload(scan, "ktp.png"), client_addr="203.0.113.9")
    with archive.db.read() as session:
        ids["case_request"] = session.scalar(select(Case.id).where(
            Case.registration_number == receipt.registration_number))
    titles["case_number"], titles["case_code"] = receipt.registration_number, \
        receipt.tracking_code
    handling.extend(archive, ppid, ids["case_request"],
                    ExtendInput(reason="Informasi berada di beberapa unit kerja"))
    objection = intake.submit_objection(archive, parse(PublicObjection, {
        "registration_number": receipt.registration_number,
        "tracking_code": receipt.tracking_code, "reason": "g",
        "description": "Jawaban belum diterima"}), client_addr="203.0.113.9")
    with archive.db.read() as session:
        ids["case_objection"] = session.scalar(select(Case.id).where(
            Case.registration_number == objection.registration_number))
    bad = folder / "ktp.exe"
    bad.write_bytes(b"MZ" + bytes(3000))
    with contextlib.suppress(EarsipError):
        intake.submit_request(archive, parse(InformationRequest, REQUEST), Upload(bad, "ktp.png"),
                              client_addr="203.0.113.10")

    def case(**fields: object) -> int:
        data = {"received_at": now.isoformat(), "channel": "loket", **fields}
        return intake.register(archive, desk, parse(CaseInput, data)).id

    old = (now - dt.timedelta(days=40)).isoformat()
    ids["case_overdue"] = case(type="permohonan_informasi", received_at=old,
                               **{**REQUEST, "name": "Rudi Hartono",
                                  "identity_number": "3576011507850002"})
    today = archive.local_today()
    report = {"type": "laporan_pelanggaran", "reporter_name": "Budi Prasetyo",
              "reported_party": "Tim kampanye calon X", "event": "Pembagian uang",
              "place": "Kelurahan Kranggan", "description": "Uang dibagikan di rumah warga"}
    ids["case_report_late"] = case(**report, occurred_on=(today - dt.timedelta(days=30))
                                   .isoformat(), known_on=(today - dt.timedelta(days=25))
                                   .isoformat())
    ids["case_report"] = case(**report, occurred_on=today.isoformat(),
                              known_on=today.isoformat())
    ids["case_consult"] = case(type="konsultasi", name="Paguyuban Warga Prajurit Kulon",
                               description="Konsultasi tata cara pemantauan pemilihan")
    ids["case_done"] = case(type="permohonan_informasi", **{**REQUEST, "name": "Ani"})
    handling.decide(archive, ppid, ids["case_done"], DecisionInput(
        outcome="ditolak", exemption="Pasal 17 huruf h: data pribadi pengawas"))
    handling.deliver(archive, ppid, ids["case_done"], DeliveryInput(method="email"))
    for hours, visitor in ((2, {"name": "Rahmat Hidayat", "institution": "Universitas Majapahit",
                                "purpose": "Silaturahmi", "meets": "Ketua"}),
                           (0, {"name": "Dewi Lestari", "purpose": "Menanyakan jadwal sosialisasi",
                                "phone": "0321 123456"})):
        moment = max(now - dt.timedelta(hours=hours),
                     dt.datetime.combine(today, dt.time(), archive.local_now().tzinfo))
        guests.add_visit(archive, desk, parse(GuestInput, {**visitor,
                                                           "visited_at": moment.isoformat()}))
    admin = _principal(archive, "admin")
    rules.add_period(archive, admin, "Tahapan kampanye Pilkada 2024", dt.date(2024, 9, 25),
                     dt.date(2024, 11, 23))
