"""The cases' pages in the browser's way (forms, redirects, flashed messages): a request
registered at the counter with its file, handled by its owner to the end; what others see and
may not do; the calendar, the deadline rules, the guest book; the desk page and the
notifications counting the cases on their clock."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from earsip.models import AuditEntry, Case, CaseDocument, ElectionPeriod
from earsip.services import Archive
from tests import filegen
from tests.test_desk_pages import browser

REQUEST = {"name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}
MASKED = "3576********0001"
OFFICE = ZoneInfo("Asia/Jakarta")  # the test configuration's time zone


@pytest.fixture
def staff(make_user: Callable[..., str]) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("ppid1", roles=("ppid",), clearance="rahasia")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("auditor1", roles=("auditor",), clearance="sangat_rahasia")
    make_user("staf1", roles=("staf",), clearance="rahasia")
    make_user("pengelola", roles=("admin",), clearance="biasa")


def _register(c: FlaskClient, csrf: str, case_type: str = "permohonan_informasi",
              files: tuple[Path, ...] = (), **fields: str) -> TestResponse:
    data: dict[str, object] = {"csrf_token": csrf, "type": case_type, "channel": "loket",
                               "received_at": dt.datetime.now(OFFICE).strftime("%Y-%m-%dT%H:%M"),
                               **REQUEST, **fields}
    if files:
        data["file"] = [(io.BytesIO(f.read_bytes()), f.name) for f in files]
    return c.post("/cases/new", data=data, content_type="multipart/form-data")


def _case_id(archive: Archive, number: str) -> int:
    with archive.db.read() as session:
        found = session.scalar(select(Case.id).where(Case.registration_number == number))
    assert found is not None
    return found


def _registered(app: Flask, archive: Archive, tmp_path: Path) -> tuple[int, str]:
    desk, csrf = browser(app, "loket")
    pdf = filegen.make_text_pdf(tmp_path / "permohonan.pdf", ["Formulir permohonan informasi"])
    r = _register(desk, csrf, files=(pdf,))
    assert r.status_code == 201, r.get_data(as_text=True)[:3000]
    number = re.search(r"<strong>([^<]*/\d{4}[^<]*)</strong>", r.get_data(as_text=True))
    assert number is not None
    return _case_id(archive, number.group(1)), number.group(1)


def test_the_counter_registers_a_request_with_its_file_and_the_register_masks_the_nik(
        app: Flask, archive: Archive, staff: None, tmp_path: Path) -> None:
    desk, csrf = browser(app, "loket")
    chooser = desk.get("/cases/new").get_data(as_text=True)
    assert "/cases/new?type=permohonan_informasi" in chooser and "Buku tamu" in chooser
    form = desk.get("/cases/new?type=permohonan_informasi").get_data(as_text=True)
    assert 'name="identity_number"' in form and 'name="obtain_method"' in form
    assert 'type="datetime-local"' in form and archive.local_today().isoformat() in form
    pdf = filegen.make_text_pdf(tmp_path / "permohonan.pdf", ["Formulir permohonan informasi"])
    r = _register(desk, csrf, files=(pdf,))
    assert r.status_code == 201, r.get_data(as_text=True)[:3000]
    receipt = r.get_data(as_text=True)
    code = re.search(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", receipt)
    assert code is not None and "Kode pelacakan" in receipt and "Tanda terima" in receipt
    assert "print.js" in receipt and "Batas waktu jawaban" in receipt
    number = re.search(r"<strong>([^<]*/\d{4}[^<]*)</strong>", receipt)
    assert number is not None
    case_id = _case_id(archive, number.group(1))
    with archive.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.due_date is not None
        docs = list(session.scalars(select(CaseDocument.document_id)
                                    .where(CaseDocument.case_id == case_id)))
    assert len(docs) == 1
    from earsip.web import formatting

    with app.test_request_context():
        assert formatting.day(case.due_date) in receipt  # written out: 7 April 2026
    listing = desk.get("/cases").get_data(as_text=True)
    assert number.group(1) in listing and MASKED in listing
    assert REQUEST["identity_number"] not in listing
    assert "Permohonan informasi publik" in listing and "PPID" in listing
    page = desk.get(f"/cases/{case_id}").get_data(as_text=True)
    # What the requester brought is personal data: the desk no longer sees it, its owner does.
    assert f"/documents/{docs[0]}" not in page and MASKED in page
    assert desk.get(f"/documents/{docs[0]}").status_code == 404
    ppid, _ = browser(app, "ppid1")
    assert f"/documents/{docs[0]}" in ppid.get(f"/cases/{case_id}").get_data(as_text=True)
    assert ppid.get(f"/documents/{docs[0]}").status_code == 200
    assert REQUEST["identity_number"] not in page and code.group(0) not in page
    assert desk.get("/cases?type=permohonan_informasi&status=registered&due=soon&page=²") \
        .status_code == 200
    assert desk.get("/cases?type=bogus&status=bogus&due=bogus").status_code == 200


def test_a_refused_registration_shows_the_form_again_with_the_reason(
        app: Flask, archive: Archive, staff: None) -> None:
    desk, csrf = browser(app, "loket")
    r = _register(desk, csrf, identity_number="35760144039")
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert "NIK harus 16 angka" in html and "Penelitian skripsi" in html
    with archive.db.read() as session:
        assert session.scalar(select(Case.id)) is None
    assert _register(desk, csrf, case_type="bogus").status_code == 400


def test_a_late_report_is_registered_with_its_reason_written_in_words(
        app: Flask, archive: Archive, staff: None) -> None:
    desk, csrf = browser(app, "loket")
    today = archive.local_today()
    r = _register(desk, csrf, case_type="laporan_pelanggaran", reporter_name="Budi",
                  reported_party="Tim kampanye X", event="Pembagian uang", place="Kranggan",
                  occurred_on=(today - dt.timedelta(days=30)).isoformat(),
                  known_on=(today - dt.timedelta(days=25)).isoformat(),
                  description="Uang dibagikan")
    assert r.status_code == 201, r.get_data(as_text=True)[:2000]
    assert "melewati batas waktu pengajuan" in r.get_data(as_text=True)
    with archive.db.read() as session:
        case_id = session.scalar(select(Case.id).where(Case.type == "laporan_pelanggaran"))
    page = browser(app, "ketua")[0].get(f"/cases/{case_id}")
    assert page.status_code == 200  # the leadership reads the whole register
    html = page.get_data(as_text=True)
    assert "Diajukan melewati batas waktu pengajuan" in html
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", re.sub(r'(value|max)="[^"]*"', "", html))


def test_the_owner_takes_up_extends_decides_and_records_the_delivery(
        app: Flask, archive: Archive, staff: None, tmp_path: Path) -> None:
    case_id, number = _registered(app, archive, tmp_path)
    ppid, csrf = browser(app, "ppid1")
    page = ppid.get(f"/cases/{case_id}").get_data(as_text=True)
    assert REQUEST["identity_number"] in page and "siti@example.id" in page
    for action in ("start", "extend", "decision"):
        assert f'action="/cases/{case_id}/{action}"' in page
    with archive.db.read() as session:
        viewed = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "case.person_view")).all()
    assert [e.actor_name for e in viewed] == ["ppid1"]
    url = f"/cases/{case_id}"
    assert ppid.post(f"{url}/start", data={"csrf_token": csrf}).status_code == 302
    with archive.db.read() as session:
        row = session.get(Case, case_id)
        assert row is not None
        first_due = row.due_date
    r = ppid.post(f"{url}/extend", data={"csrf_token": csrf, "reason": ""})
    assert r.status_code == 400 and "Alasan perpanjangan" in r.get_data(as_text=True)
    r = ppid.post(f"{url}/extend", data={"csrf_token": csrf,
                                         "reason": "Informasi ada di beberapa unit kerja"})
    assert r.status_code == 302
    page = ppid.get(url).get_data(as_text=True)
    assert "Informasi ada di beberapa unit kerja" in page and "diperpanjang" in page
    assert f'action="{url}/extend"' not in page  # only once
    r = ppid.post(f"{url}/decision", data={"csrf_token": csrf, "outcome": "ditolak"})
    assert r.status_code == 400 and "Pasal 17" in r.get_data(as_text=True)
    r = ppid.post(f"{url}/decision", data={"csrf_token": csrf, "outcome": "ditolak",
                                           "exemption": "Pasal 17 huruf h",
                                           "note": "Data pribadi pengawas"})
    assert r.status_code == 302
    r = ppid.post(f"{url}/delivery", data={"csrf_token": csrf, "method": "email",
                                           "delivered_on": archive.local_today().isoformat()})
    assert r.status_code == 302
    page = ppid.get(url).get_data(as_text=True)
    assert "Pasal 17 huruf h" in page and "Selesai" in page and "E-mail" in page
    for event in ("dicatat", "mulai diproses", "diperpanjang", "diputus",
                  "jawaban disampaikan"):
        assert event in page
    assert 'action="/cases/' not in page  # nothing left to do
    with archive.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "closed" and case.outcome == "ditolak"
        assert first_due is not None and case.due_date is not None
        assert case.due_date > first_due
    english = ppid.get(url, headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert number in ppid.get("/cases?status=closed").get_data(as_text=True)


def test_someone_who_does_not_own_the_case_sees_no_forms_and_is_refused_when_posting(
        app: Flask, archive: Archive, staff: None, tmp_path: Path) -> None:
    case_id, _ = _registered(app, archive, tmp_path)
    for username in ("ketua", "loket", "auditor1"):
        c, csrf = browser(app, username)
        page = c.get(f"/cases/{case_id}").get_data(as_text=True)
        assert f'action="/cases/{case_id}/' not in page, username
        assert REQUEST["identity_number"] not in page and MASKED in page, username
        for action, data in (("start", {}), ("extend", {"reason": "x"}),
                             ("decision", {"outcome": "dikabulkan"}),
                             ("delivery", {"method": "email"})):
            r = c.post(f"/cases/{case_id}/{action}", data={"csrf_token": csrf, **data})
            assert r.status_code == 403, (username, action, r.status_code)
    staf, _ = browser(app, "staf1")
    # Neither a reader of the register, nor its owner, nor routed it: no such case.
    assert staf.get(f"/cases/{case_id}").status_code == 404
    assert staf.get("/cases").status_code == 403
    with archive.db.read() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "registered"
    assert browser(app, "ketua")[0].get("/cases/987654").status_code == 404


def test_the_administrator_corrects_the_calendar_and_no_one_else_may(
        app: Flask, archive: Archive, staff: None) -> None:
    admin, csrf = browser(app, "pengelola")
    page = admin.get("/calendar?year=2026").get_data(as_text=True)
    assert "Kalender hari kerja 2026" in page and "Nyepi" in page
    assert "Koreksi satu hari" in page
    r = admin.post("/calendar", data={"csrf_token": csrf, "date": "2026-11-25", "working": "1",
                                      "name": "Hari kerja pengawasan", "reason": "uji"})
    assert r.status_code == 302 and "year=2026" in r.headers["Location"]
    r = admin.post("/calendar", data={"csrf_token": csrf, "date": "2026-11-27",
                                      "name": "Hari pemungutan suara", "reason": "Keppres"})
    assert r.status_code == 302
    page = admin.get("/calendar?year=2026").get_data(as_text=True)
    assert "Hari kerja pengawasan" in page and "Hari pemungutan suara" in page
    assert "25 November 2026" in page and "Jumat" in page
    r = admin.post("/calendar", data={"csrf_token": csrf, "date": "", "name": "x"})
    assert r.status_code == 400
    desk, desk_csrf = browser(app, "loket")
    page = desk.get("/calendar?year=2026").get_data(as_text=True)
    assert "Hari pemungutan suara" in page and "Koreksi satu hari" not in page
    assert desk.post("/calendar", data={"csrf_token": desk_csrf, "date": "2026-12-01",
                                        "name": "Libur"}).status_code == 403
    assert desk.get("/calendar?year=abc").status_code == 200
    assert desk.get("/calendar?year=3000").status_code == 200
    with archive.db.read() as session:
        changes = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "calendar.change")).all()
    assert len(changes) == 2


def test_the_rules_page_shows_the_version_in_force_and_the_administrator_changes_it(
        app: Flask, archive: Archive, staff: None) -> None:
    desk, desk_csrf = browser(app, "loket")
    page = desk.get("/calendar/rules").get_data(as_text=True)
    assert "Versi yang berlaku: 1" in page and "hari kerja" in page
    assert "Permohonan informasi publik" in page and "Ubah satu aturan" not in page
    assert desk.post("/calendar/rules", data={"csrf_token": desk_csrf}).status_code == 403
    assert desk.post("/calendar/periods", data={"csrf_token": desk_csrf}).status_code == 403
    admin, csrf = browser(app, "pengelola")
    r = admin.post("/calendar/rules", data={
        "csrf_token": csrf, "regime": "tahapan", "case_type": "permohonan_informasi",
        "clock": "answer", "days": "5", "count": "working", "basis": "Peraturan KI pemilu",
        "note": "masa tahapan"})
    assert r.status_code == 302
    page = admin.get("/calendar/rules").get_data(as_text=True)
    assert "Versi yang berlaku: 2" in page and "Peraturan KI pemilu" in page
    assert "Masa tahapan pemilihan" in page
    r = admin.post("/calendar/rules", data={"csrf_token": csrf, "case_type": "keberatan",
                                            "clock": "answer", "days": "999"})
    assert r.status_code == 400 and "0–365" in r.get_data(as_text=True)
    r = admin.post("/calendar/periods", data={"csrf_token": csrf,
                                              "name": "Tahapan kampanye Pilkada",
                                              "starts_on": "2029-09-25",
                                              "ends_on": "2029-11-23"})
    assert r.status_code == 302
    page = admin.get("/calendar/rules").get_data(as_text=True)
    assert "Tahapan kampanye Pilkada" in page and "25 September 2029" in page
    with archive.db.read() as session:
        period_id = session.scalar(select(ElectionPeriod.id))
    assert desk.post("/calendar/periods/remove", data={
        "csrf_token": desk_csrf, "period_id": str(period_id)}).status_code == 403
    r = admin.post("/calendar/periods/remove", data={"csrf_token": csrf,
                                                     "period_id": str(period_id)})
    assert r.status_code == 302
    assert "Tidak ada periode tahapan" in admin.get("/calendar/rules").get_data(as_text=True)
    assert admin.post("/calendar/periods/remove", data={
        "csrf_token": csrf, "period_id": str(period_id)}).status_code == 404


def test_the_guest_book_in_the_browser_and_through_the_api(
        app: Flask, archive: Archive, staff: None, client: FlaskClient,
        token_for: Callable[[str], dict[str, str]]) -> None:
    desk, csrf = browser(app, "loket")
    assert "Belum ada tamu" in desk.get("/guests").get_data(as_text=True)
    r = desk.post("/guests", data={"csrf_token": csrf, "name": "Rahmat Hidayat",
                                   "institution": "Universitas Majapahit",
                                   "purpose": "Silaturahmi dan perkenalan", "meets": "Ketua",
                                   "visited_at": archive.local_now().strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 302
    page = desk.get(r.headers["Location"]).get_data(as_text=True)
    assert "Rahmat Hidayat" in page and "Universitas Majapahit" in page
    r = desk.post("/guests", data={"csrf_token": csrf, "name": "Tanpa keperluan",
                                   "visited_at": archive.local_now().strftime("%Y-%m-%dT%H:%M")})
    assert r.status_code == 400 and "Tanpa keperluan" in r.get_data(as_text=True)
    headers = token_for("loket")
    moment = archive.local_now().replace(microsecond=0).isoformat()
    r = client.post("/api/v1/guests", headers=headers, json={
        "visited_at": moment, "name": "Dewi Lestari", "purpose": "Audiensi pemantau"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["name"] == "Dewi Lestari"
    today = archive.local_today().isoformat()
    r = client.get(f"/api/v1/guests?date={today}", headers=headers)
    assert r.status_code == 200
    body = r.get_json()
    assert body["date"] == today and body["total"] == 2
    assert [v["name"] for v in body["items"]] == ["Rahmat Hidayat", "Dewi Lestari"]
    assert client.get("/api/v1/guests?date=kemarin", headers=headers).status_code == 400
    assert client.get("/api/v1/guests?date=2020-01-01", headers=headers) \
        .get_json()["total"] == 0
    assert client.get("/api/v1/guests", headers=token_for("staf1")).status_code == 403
    assert browser(app, "staf1")[0].get("/guests").status_code == 403
    with archive.db.read() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "guest.register")).all()
    assert len(entries) == 2


def test_the_desk_page_and_the_notifications_count_cases_on_their_clock(
        app: Flask, archive: Archive, staff: None) -> None:
    desk, csrf = browser(app, "loket")
    old = (archive.local_now() - dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    assert _register(desk, csrf, received_at=old).status_code == 201
    assert _register(desk, csrf).status_code == 201
    home = desk.get("/desk").get_data(as_text=True)
    section = home.split('id="cases-title"', 1)[1].split("</section>", 1)[0]
    assert "/cases?due=overdue" in section and "/cases?due=soon" in section
    counts = re.findall(r'class="stat-number">(\d+)<', section)
    assert counts[0] == "1"
    overdue = desk.get("/cases?due=overdue").get_data(as_text=True)
    assert overdue.count('class="overdue"') == 1
    ppid, _ = browser(app, "ppid1")
    notes = ppid.get("/notifications").get_data(as_text=True)
    assert "lewat batas waktu" in notes and "/cases/" in notes
    assert 'class="badge counter"' in notes
    # The desk does not own requests: nothing of theirs waits on it.
    assert "/cases/" not in desk.get("/notifications").get_data(as_text=True)
    from earsip.services.desk import notifications
    from tests.helpers import principal_of

    kinds = [n.kind for n in notifications.pending(archive, principal_of(archive, "ppid1"))
             .items]
    assert kinds[0] == "case.overdue"


def test_an_objection_brought_to_the_counter_names_its_request_and_goes_to_the_leadership(
        app: Flask, archive: Archive, staff: None, tmp_path: Path) -> None:
    _, number = _registered(app, archive, tmp_path)
    desk, csrf = browser(app, "loket")
    form = desk.get("/cases/new?type=keberatan").get_data(as_text=True)
    assert 'name="registration_number"' in form and 'name="reason"' in form
    assert "tidak ditanggapinya permintaan informasi" in form
    r = _register(desk, csrf, case_type="keberatan", registration_number=number, reason="c",
                  description="Permohonan belum ditanggapi", proxy_name="Ahmad Kuasa")
    assert r.status_code == 201, r.get_data(as_text=True)[:2000]
    with archive.db.read() as session:
        objection = session.scalar(select(Case).where(Case.type == "keberatan"))
    assert objection is not None and objection.owner_role == "pimpinan"
    head, _ = browser(app, "ketua")
    page = head.get(f"/cases/{objection.id}").get_data(as_text=True)
    assert number in page and "Ahmad Kuasa" in page
    assert "c. tidak ditanggapinya permintaan informasi" in page
    assert f'action="/cases/{objection.id}/decision"' in page
    r = _register(desk, csrf, case_type="keberatan", registration_number="9999/LSP/2026",
                  reason="c", description="x")
    assert r.status_code == 400 and "tidak ditemukan" in r.get_data(as_text=True)


def test_every_cases_page_labels_its_controls_and_has_one_heading(
        app: Flask, archive: Archive, staff: None, tmp_path: Path) -> None:
    from tests.test_accessibility import _check

    case_id, _ = _registered(app, archive, tmp_path)
    ppid, csrf = browser(app, "ppid1")
    for path in ("/cases", "/cases?due=overdue", "/cases/new",
                 "/cases/new?type=permohonan_informasi", "/cases/new?type=laporan_pelanggaran",
                 "/cases/new?type=keberatan", "/cases/new?type=konsultasi", f"/cases/{case_id}",
                 "/guests", "/calendar", "/calendar/rules"):
        r = ppid.get(path)
        assert r.status_code == 200, path
        _check(r.get_data(as_text=True), path)
    admin, _ = browser(app, "pengelola")
    for path in ("/calendar", "/calendar/rules"):
        _check(admin.get(path).get_data(as_text=True), path)
    _check(_register(ppid, csrf).get_data(as_text=True), "receipt")


def test_the_ppid_routes_a_request_the_unit_follows_it_up_with_a_file_and_the_answer_letter_is_numbered(  # noqa: E501
        app: Flask, archive: Archive, staff: None, tmp_path: Path) -> None:
    case_id, number = _registered(app, archive, tmp_path)
    ppid, csrf = browser(app, "ppid1")
    page = ppid.get(f"/cases/{case_id}").get_data(as_text=True)
    assert f'action="/cases/{case_id}/route"' in page
    r = ppid.post(f"/cases/{case_id}/route", data={
        "csrf_token": csrf, "to": ["staf1"], "instruction": "siapkan informasi"})
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    # The unit is told, reads the case with the requester's data, and follows it up.
    unit, unit_csrf = browser(app, "staf1")
    told = unit.get("/notifications").get_data(as_text=True)
    assert f"Disposisi layanan {number}" in told
    seen = unit.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "3576014403900001" in seen and "Jl. Majapahit 10" in seen
    assert f'action="/cases/{case_id}/decision"' not in seen
    found = re.search(rf"/cases/{case_id}/steps/(\d+)/done", seen)
    assert found is not None
    step_id = int(found.group(1))
    info = filegen.make_text_pdf(tmp_path / "sk.pdf", ["Salinan keputusan penetapan pengawas"])
    r = unit.post(f"/cases/{case_id}/steps/{step_id}/done", data={
        "csrf_token": unit_csrf, "note": "Salinan SK terlampir",
        "file": (io.BytesIO(info.read_bytes()), "sk.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    assert f"Disposisi layanan {number}" not in unit.get("/notifications").get_data(as_text=True)
    # The PPID numbers the answer letter and files it.
    letter = filegen.make_text_pdf(tmp_path / "jawaban.pdf", ["Jawaban permohonan informasi"])
    r = ppid.post(f"/cases/{case_id}/answer", data={
        "csrf_token": csrf, "signatory": "sekretariat",
        "file": (io.BytesIO(letter.read_bytes()), "jawaban.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)[:1500]
    page = ppid.get(f"/cases/{case_id}").get_data(as_text=True)
    assert "Salinan SK terlampir" in page and "/HM.00.02/" in page
    # Someone it was not routed to, and who reads no register, finds nothing.
    other, _ = browser(app, "pengelola")
    assert other.get(f"/cases/{case_id}").status_code == 404
