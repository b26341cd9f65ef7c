"""Take the screenshots of docs/screenshots/ (`make screenshots`).

Builds a throw-away archive with a few sample documents, serves it on 127.0.0.1 with waitress,
and photographs the main pages with Playwright driving Debian's Chromium: in Bahasa Indonesia
and in English, at desktop and at phone width.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from config import make_test_config  # noqa: E402
from earsip import audit, create_app, extract  # noqa: E402
from earsip.access import Principal  # noqa: E402
from earsip.cli import server_options  # noqa: E402
from earsip.models import User, UserRole  # noqa: E402
from earsip.schemas.base import parse  # noqa: E402
from earsip.schemas.desk import DispositionInput, IncomingInput, NumberRequest  # noqa: E402
from earsip.schemas.retention import DisposalProposal  # noqa: E402
from earsip.services import Archive  # noqa: E402
from earsip.services.access.users import add_user  # noqa: E402
from earsip.services.desk import dispositions, letters, outgoing  # noqa: E402
from earsip.services.desk.filing import Upload  # noqa: E402
from earsip.services.operations import jobs, setup  # noqa: E402
from earsip.services.records import ingest  # noqa: E402
from earsip.services.records.documents import parse_input  # noqa: E402
from earsip.services.retention import destruction as disposition  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.filegen import make_png, make_text_pdf  # noqa: E402
from tests.scangen import save_scan  # noqa: E402

PASSWORD = "contoh-sandi-admin-1"  # noqa: S105 (a throw-away archive)
DEVICES = {"desktop": {"width": 1280, "height": 860}, "phone": {"width": 390, "height": 844}}


def _sample_documents(archive: Archive, folder: Path) -> tuple[int, int]:
    """File a handful of realistic documents and a scan (read by OCR); return the id of the
    first and of the scan."""
    today = dt.date.today()
    due = today.replace(year=today.year - 2, day=min(today.day, 28))  # active period ends now
    samples = [
        ("Undangan Rapat Pleno Rekapitulasi Hasil Penghitungan Suara", "PM.00.02", due,
         "biasa", "Undangan rapat pleno terbuka rekapitulasi hasil penghitungan suara tingkat "
         "Kota Mojokerto. Pengawas pemilu kecamatan diminta hadir tepat waktu."),
        ("Laporan Hasil Pengawasan Tahapan Kampanye", "PM.01.02", dt.date(2024, 2, 10),
         "biasa", "Laporan hasil pengawasan kampanye di Kecamatan Prajurit Kulon dan "
         "Kecamatan Magersari, termasuk temuan alat peraga kampanye."),
        ("Rekomendasi Penertiban Alat Peraga Kampanye", "PM.02.02", dt.date(2024, 1, 22),
         "biasa", "Rekomendasi kepada KPU Kota Mojokerto untuk menertibkan alat peraga "
         "kampanye yang dipasang di tempat terlarang."),
        ("Nota Dinas Penanganan Temuan Pelanggaran Netralitas", "PP.00.02",
         dt.date(2024, 3, 5), "rahasia", "Nota dinas penanganan temuan dugaan pelanggaran "
         "netralitas aparatur sipil negara."),
        ("Surat Edaran Tata Naskah Dinas", "RT", due, "biasa",
         "Surat edaran tentang tata naskah dinas dan pengarsipan surat masuk dan keluar."),
        ("Undangan Rapat Koordinasi Persiapan Pilkada", "KA.00", dt.date(2018, 3, 12),
         "biasa", "Undangan rapat koordinasi persiapan pengawasan pemilihan kepala daerah."),
        ("Pemberitahuan Jadwal Piket Kantor", "KA.00", dt.date(2018, 6, 4), "biasa",
         "Pemberitahuan jadwal piket kantor selama masa libur nasional."),
    ]
    first = 0
    filed_ids = []
    for n, (title, code, day, security, text) in enumerate(samples):
        pdf = make_text_pdf(folder / f"sample{n}.pdf", [text * 3], title=title)
        with open(pdf, "rb") as f:
            filed = ingest.file_document(archive, audit.SYSTEM, f, pdf.name, parse_input({
                "title": title, "classification": code, "document_date": day.isoformat(),
                "security": security, "number": f"{100 + n}/PM.00.02/K.JI-29/{day:%m/%Y}"}),
                clearance=None)
        first = first or filed.document_id
        filed_ids.append(filed.document_id)
    add_user(archive, "siti", "contoh-sandi-staf-1", roles=["staf"], clearance="biasa",
             actor=audit.SYSTEM, full_name="Siti Aminah")
    add_user(archive, "budi", "contoh-sandi-arsip1", roles=["arsiparis", "auditor"],
             clearance="rahasia", actor=audit.SYSTEM, full_name="Budi Santoso")
    officer = Principal(1, "admin", frozenset({"arsiparis"}), "sangat_rahasia")
    disposition.propose(archive, officer, DisposalProposal(document_ids=filed_ids[-2:],
                                                           note="Usul musnah arsip 2018"))
    scan = save_scan(folder / "pindaian-laporan.pdf")
    scanned = ingest.file_document(archive, audit.SYSTEM, scan, scan.name, parse_input({
        "title": "Laporan Hasil Pengawasan (pindaian)", "classification": "PM.01.02",
        "document_date": "2024-02-12"}), clearance=None)
    jobs.run_pending(archive, kinds=["ocr"])  # what the worker does, here and now
    jobs.request(archive, audit.SYSTEM, "fixity")  # one job left waiting on the queue page
    return first, scanned.document_id


def _sample_desk(archive: Archive, folder: Path) -> None:
    """A morning at the desk: letters registered and routed, numbers issued and filed."""
    add_user(archive, "dewi", "contoh-sandi-loket1", roles=["petugas_layanan"],
             clearance="rahasia", actor=audit.SYSTEM, full_name="Dewi Lestari")
    add_user(archive, "ketua", "contoh-sandi-ketua1", roles=["pimpinan"],
             clearance="sangat_rahasia", actor=audit.SYSTEM, full_name="Ahmad Fauzi")
    with archive.db.write() as session:  # the admin also keeps the desk, for these pictures
        session.add(UserRole(user_id=1, role="petugas_layanan"))
    with archive.db.read() as session:
        desk = Principal.of(session.scalar(select(User).where(User.username == "dewi")))
        head = Principal.of(session.scalar(select(User).where(User.username == "ketua")))
    today = archive.local_today()
    now = dt.datetime.now(dt.UTC).isoformat()
    samples = [
        ("197/PM.00.02/K.JI-11.07/06/2024", "Panwaslu Kecamatan Magersari",
         "Laporan hasil pengawasan kampanye di Kelurahan Gunung Gedangan", "PM.00.02", "segera"),
        ("B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016", "Bawaslu Provinsi Jawa Timur",
         "Undangan rapat koordinasi pengawasan tahapan pemilihan", "KA.00", "amat_segera"),
        ("800/1234/KPU-Kot/III/2024", "KPU Kota Mojokerto",
         "Pemberitahuan jadwal rekapitulasi hasil penghitungan suara", "PM.00.02", "biasa"),
    ]
    ids = []
    for n, (number, sender, subject, code, urgency) in enumerate(samples):
        files = [] if n == 2 else [Upload(make_text_pdf(folder / f"surat{n}.pdf",
                                                        [f"{subject}. {sender}."]),
                                          f"surat{n}.pdf")]
        ids.append(letters.register(archive, desk, parse(IncomingInput, {
            "received_at": now, "channel": ["pos", "srikandi", "loket"][n],
            "letter_number": number, "letter_date": (today - dt.timedelta(days=2)).isoformat(),
            "sender": sender, "subject": subject, "classification": code,
            "urgency": urgency}), files).id)
    [step] = dispositions.dispose(archive, desk, ids[0], parse(DispositionInput, {
        "to": ["ketua"], "instruction": "tindak lanjuti"}))
    dispositions.forward(archive, head, step.id, parse(DispositionInput, {
        "to": ["admin", "siti"], "instruction": "pelajari", "note": "Siapkan telaah",
        "due_date": (today + dt.timedelta(days=3)).isoformat()}))
    for subject, reserve in (("Undangan sosialisasi pengawasan partisipatif", False),
                             ("Pemberitahuan hasil pengawasan", True)):
        outgoing.issue_number(archive, desk, parse(NumberRequest, {
            "classification": "KA.00", "letter_date": today.isoformat(),
            "signatory": "ketua", "subject": subject, "recipient": "Camat Magersari",
            "reserve": reserve}))


def _sample_cases(archive: Archive, folder: Path) -> None:
    """What the public brought: a request from the public form with its scan, extended and
    routed; the requester's objection; a report brought late; a consultation; a visitor."""
    from earsip.schemas.cases import CaseInput, ExtendInput, InformationRequest, PublicObjection
    from earsip.services.cases import handling, intake, routing

    with archive.db.write() as session:  # the admin also acts as the PPID, for these pictures
        session.add(UserRole(user_id=1, role="ppid"))
    with archive.db.read() as session:
        ppid = Principal.of(session.scalar(select(User).where(User.username == "admin")))
        desk = Principal.of(session.scalar(select(User).where(User.username == "dewi")))
    receipt = intake.submit_request(archive, parse(InformationRequest, {
        "name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
        "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
        "identity_number": "3576014403900001",
        "information": "Salinan keputusan penetapan pengawas TPS pada Pilkada 2024",
        "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
        "copy_method": "email"}), Upload(make_png(folder / "ktp.png"), "ktp.png"))
    handling.extend(archive, ppid, 1, ExtendInput(reason="Informasi berada di dua unit kerja"))
    routing.route(archive, ppid, 1, parse(DispositionInput, {
        "to": ["dewi"], "instruction": "siapkan salinan SK"}))
    intake.submit_objection(archive, parse(PublicObjection, {
        "registration_number": receipt.registration_number,
        "tracking_code": receipt.tracking_code, "reason": "g",
        "description": "Jawaban belum saya terima"}))
    today = archive.local_today()
    now = dt.datetime.now(dt.UTC).isoformat()
    intake.register(archive, desk, parse(CaseInput, {
        "type": "laporan_pelanggaran", "received_at": now, "channel": "loket",
        "reporter_name": "Budi Prasetyo", "reported_party": "Tim kampanye calon X",
        "event": "Pembagian uang kepada pemilih", "place": "Kelurahan Kranggan",
        "occurred_on": (today - dt.timedelta(days=20)).isoformat(),
        "known_on": (today - dt.timedelta(days=15)).isoformat(),
        "description": "Uang dibagikan di rumah warga"}))
    intake.register(archive, desk, parse(CaseInput, {
        "type": "konsultasi", "received_at": now, "channel": "telepon",
        "name": "Paguyuban Warga Prajurit Kulon",
        "description": "Tata cara pemantauan pemungutan suara ulang"}))


def _photograph(browser, base: str, out: Path, work: Path, lang: str, device: str,

                size: dict[str, int], pages: list[tuple[str, str]], filing: bool) -> None:
    context = browser.new_context(viewport=size, device_scale_factor=1)
    context.add_cookies([{"name": "earsip_lang", "value": lang, "url": base}])
    page = context.new_page()

    def shot(name: str) -> None:
        page.screenshot(path=str(out / f"{lang}-{device}-{name}.jpg"), type="jpeg", quality=70,
                        full_page=device == "desktop")

    page.goto(f"{base}/login")
    if not filing:
        shot("login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{base}/")
    if not filing:
        for name, path in pages:
            if path.startswith("/layanan") and lang == "en":  # the public pages: no cookie
                path += "&lang=en" if "?" in path else "?lang=en"
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            shot(name)
    else:
        page.goto(f"{base}/documents/new")
        files = [make_text_pdf(work / f"{lang}-{device}-{i}.pdf",
                               [f"Berita acara {lang} {device} {i} " * 20]) for i in range(2)]
        page.set_input_files("#file", [str(f) for f in files])
        page.fill("#document_date", "2024-11-04")
        page.select_option("#classification", "KA.00")
        page.click("#filing-form button[type=submit]")
        page.locator("#results li.outcome-filed").nth(1).wait_for()
        shot("filing")
    context.close()


def main(out: Path) -> None:
    from playwright.sync_api import sync_playwright
    from waitress.server import create_server

    work = Path(tempfile.mkdtemp(prefix="earsip-shots-"))
    out.mkdir(parents=True, exist_ok=True)
    try:
        config = make_test_config(work, admin_password=PASSWORD, testing=False)
        archive = Archive.open(config)
        setup.initialise(archive)
        doc_id, scan_id = _sample_documents(archive, work)
        _sample_desk(archive, work)
        _sample_cases(archive, work)
        archive.close()
        app = create_app(config)
        srv = create_server(app, host="127.0.0.1", port=0, **server_options(config))
        threading.Thread(target=srv.run, daemon=True).start()
        base = f"http://127.0.0.1:{srv.effective_port}"
        pages = [("dashboard", "/"), ("search", "/search?q=kampanye"),
                 ("document", f"/documents/{doc_id}"), ("classifications", "/classifications"),
                 ("users", "/admin/users"), ("retention", "/retention"),
                 ("disposal", "/disposals/1"), ("scan", f"/documents/{scan_id}"),
                 ("jobs", "/admin/jobs"), ("desk", "/desk"),
                 ("desk-new", "/letters/incoming/new"), ("letters", "/letters/incoming"),
                 ("letter", "/letters/incoming/1"), ("inbox", "/inbox"),
                 ("outgoing", "/letters/outgoing"), ("cases", "/cases"),
                 ("case", "/cases/1"), ("case-new", "/cases/new?type=laporan_pelanggaran"),
                 ("calendar", "/calendar"), ("rules", "/calendar/rules"),
                 ("info-report", "/reports/information-service"),
                 ("public", "/layanan"), ("public-request", "/layanan/permohonan"),
                 ("public-objection", "/layanan/keberatan")]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # Every page first, then the filing page (whose filings would change the counts).
            for filing in (False, True):
                for lang in ("id", "en"):
                    for device, size in DEVICES.items():
                        _photograph(browser, base, out, work, lang, device, size, pages, filing)
            browser.close()
        srv.close()
        app.extensions["earsip"].close()
    finally:
        extract.shutdown()
        shutil.rmtree(work, ignore_errors=True)
    print(f"screenshots written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots")
