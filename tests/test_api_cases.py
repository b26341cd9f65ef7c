"""The cases' API contract: the public request, tracking and objection (no account), and the
staff's register, extension and decision, with the calendar."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.access import Principal
from earsip.models import AuditEntry, CaseDocument, Document, DocumentText, Job
from earsip.schemas.search import SearchParams
from earsip.services import Archive
from earsip.services.search import searching
from tests import filegen
from tests.conftest import USER_PASSWORD
from tests.live import Client, LiveServer, run_together

REQUEST = {"name": "Siti Aminah", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Mahasiswa", "phone": "081234567890", "email": "siti@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian skripsi", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}


@pytest.fixture
def staff(make_user: Callable[..., str], token_for: Callable[[str], dict[str, str]]
          ) -> dict[str, dict[str, str]]:
    make_user("loket", roles=("petugas_layanan",), clearance="terbatas")
    make_user("ppid1", roles=("ppid",), clearance="rahasia")
    make_user("atasan", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("staf1", roles=("staf",), clearance="rahasia")
    return {n: token_for(n) for n in ("loket", "ppid1", "atasan", "staf1", "admin")}


def _submit(client: FlaskClient, **extra: object):
    return client.post("/api/v1/public/information-requests", data={**REQUEST, **extra},
                       content_type="multipart/form-data")


def test_the_public_submits_a_request_and_follows_it_with_its_code(
        client: FlaskClient, archive: Archive) -> None:
    r = _submit(client)
    assert r.status_code == 201, r.get_json()
    receipt = r.get_json()
    assert set(receipt) == {"registration_number", "tracking_code", "due_date"}
    due = dt.date.fromisoformat(receipt["due_date"])
    assert due > archive.local_today()
    assert "Set-Cookie" not in r.headers
    t = client.get(f"/api/v1/public/cases/{receipt['registration_number']}",
                   query_string={"code": receipt["tracking_code"].lower().replace("-", "")})
    assert t.status_code == 200, t.get_json()
    body = t.get_json()
    assert body["status"] == "registered" and body["type"] == "permohonan_informasi"
    assert body["due_date"] == receipt["due_date"]
    assert [h["status"] for h in body["history"]] == ["registered"]
    assert "Siti" not in t.get_data(as_text=True) and "3576" not in t.get_data(as_text=True)


def test_a_wrong_code_gets_the_same_404_as_no_such_case(client: FlaskClient) -> None:
    receipt = _submit(client).get_json()
    wrong = client.get(f"/api/v1/public/cases/{receipt['registration_number']}",
                       query_string={"code": "AAAA-AAAA-AAAA"})
    missing = client.get("/api/v1/public/cases/9999/LSP/2026",
                         query_string={"code": receipt["tracking_code"]})
    assert wrong.status_code == missing.status_code == 404
    assert wrong.get_json() == missing.get_json()


def test_a_request_without_contact_or_with_a_bad_method_is_refused_naming_the_field(
        client: FlaskClient) -> None:
    r = _submit(client, phone="", email="", copy_method="ambil_langsung")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "phone"
    r = _submit(client, obtain_method="telepati")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "obtain_method"
    r = _submit(client, identity_number="123")
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "identity_number"


def test_an_identity_scan_is_filed_as_personal_data_and_a_refused_scan_refuses_all(
        client: FlaskClient, archive: Archive, tmp_path: Path) -> None:
    scan = filegen.make_png(tmp_path / "ktp.png")
    r = _submit(client, identity_file=(io.BytesIO(scan.read_bytes()), "ktp.png"))
    assert r.status_code == 201, r.get_json()
    with archive.db.read() as session:
        [link] = session.scalars(select(CaseDocument)).all()
        doc = session.get(Document, link.document_id)
        assert link.role == "identitas" and doc is not None and doc.personal
        assert doc.security == "rahasia" and "Siti" not in doc.title
        # Its words are personal data: no text kept, nothing queued for the index or OCR.
        assert session.get(DocumentText, doc.id).text == ""
        assert session.scalars(select(Job).where(Job.document_id == doc.id)).all() == []
    seer = Principal(99, "tinggi", frozenset({"arsiparis"}), "sangat_rahasia")
    found = searching.search(archive, seer, SearchParams(q="identitas"))
    assert found.total == 0
    bad = _submit(client, identity_file=(io.BytesIO(b"MZ\x90\x00 not an image"), "ktp.png"))
    assert bad.status_code in (400, 415)
    with archive.db.read() as session:
        assert len(session.scalars(select(CaseDocument)).all()) == 1


def test_the_requester_objects_with_number_and_code_and_the_atasan_ppid_owns_it(
        client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    receipt = _submit(client).get_json()
    r = client.post("/api/v1/public/objections", json={
        "registration_number": receipt["registration_number"],
        "tracking_code": receipt["tracking_code"], "reason": "c",
        "description": "Permohonan saya tidak ditanggapi"})
    assert r.status_code == 201, r.get_json()
    objection = r.get_json()
    assert objection["registration_number"] != receipt["registration_number"]
    wrong = client.post("/api/v1/public/objections", json={
        "registration_number": receipt["registration_number"],
        "tracking_code": "XXXX-XXXX-XXXX", "reason": "c", "description": "x"})
    assert wrong.status_code == 404
    bad = client.post("/api/v1/public/objections", json={
        "registration_number": receipt["registration_number"],
        "tracking_code": receipt["tracking_code"], "reason": "z", "description": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "reason"
    listing = client.get("/api/v1/cases", query_string={"type": "keberatan"},
                         headers=staff["atasan"]).get_json()
    [item] = listing["items"]
    assert item["owner_role"] == "pimpinan"
    assert item["related_registration_number"] == receipt["registration_number"]
    assert item["details"]["reason"] == "c"


def test_the_desk_registers_the_ppid_extends_and_decides_and_lists_mask_the_nik(
        client: FlaskClient, archive: Archive, staff: dict[str, dict[str, str]]) -> None:
    r = client.post("/api/v1/cases", headers=staff["loket"], json={
        **REQUEST, "type": "permohonan_informasi",
        "received_at": "2026-03-16T09:00:00+07:00", "channel": "loket"})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert case["due_date"] == "2026-04-07" and case["tracking_code"]
    listing = client.get("/api/v1/cases", headers=staff["loket"]).get_json()
    assert listing["items"][0]["persons"][0]["identity_number"] == "3576********0001"
    # The desk reads the case, masked; the PPID (its owner) sees the person, audited.
    as_desk = client.get(f"/api/v1/cases/{case['id']}", headers=staff["loket"]).get_json()
    assert as_desk["persons"][0]["identity_number"] == "3576********0001"
    assert "address" not in as_desk["persons"][0] or as_desk["persons"][0]["address"] is None
    as_owner = client.get(f"/api/v1/cases/{case['id']}", headers=staff["ppid1"]).get_json()
    assert as_owner["persons"][0]["identity_number"] == "3576014403900001"
    with archive.db.read() as session:
        views = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "case.person_view")).all()
        assert [v.actor_name for v in views] == ["ppid1"]
    # Only the owner handles it.
    assert client.post(f"/api/v1/cases/{case['id']}/extend", headers=staff["loket"],
                       json={"reason": "x"}).status_code == 403
    # 7 April 2026 has long passed: too late to extend.
    late = client.post(f"/api/v1/cases/{case['id']}/extend", headers=staff["ppid1"],
                       json={"reason": "Informasi di beberapa unit kerja"})
    assert late.status_code == 409
    fresh = client.post("/api/v1/cases", headers=staff["loket"], json={
        **REQUEST, "type": "permohonan_informasi", "channel": "loket",
        "received_at": dt.datetime.now(dt.UTC).isoformat()}).get_json()
    e = client.post(f"/api/v1/cases/{fresh['id']}/extend", headers=staff["ppid1"],
                    json={"reason": "Informasi di beberapa unit kerja"})
    assert e.status_code == 200, e.get_json()
    gained = dt.date.fromisoformat(e.get_json()["due_date"]) - \
        dt.date.fromisoformat(fresh["due_date"])
    assert gained >= dt.timedelta(days=9)  # 7 working days: at least one weekend
    refused = client.post(f"/api/v1/cases/{case['id']}/decision", headers=staff["ppid1"],
                          json={"outcome": "ditolak"})
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "exemption"
    d = client.post(f"/api/v1/cases/{case['id']}/decision", headers=staff["ppid1"],
                    json={"outcome": "dikabulkan_sebagian",
                          "exemption": "Pasal 17 huruf h: data pribadi",
                          "note": "Nama pengawas disamarkan"})
    assert d.status_code == 200 and d.get_json()["status"] == "answered"
    overdue = client.get("/api/v1/cases", query_string={"overdue": "true"},
                         headers=staff["ppid1"]).get_json()
    assert overdue["total"] == 0


def test_a_staff_member_without_a_desk_role_sees_no_case(
        client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    _submit(client)
    assert client.get("/api/v1/cases", headers=staff["staf1"]).status_code == 403
    # A case answers as if it did not exist to someone it was not routed to.
    assert client.get("/api/v1/cases/1", headers=staff["staf1"]).status_code == 404


def test_the_calendar_lists_the_holidays_of_a_year(
        client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    r = client.get("/api/v1/calendar", query_string={"year": 2026}, headers=staff["staf1"])
    assert r.status_code == 200
    days = {d["date"]: d["name"] for d in r.get_json()["non_working_days"]}
    assert "Nyepi" in days["2026-03-19"] and "Cuti Bersama" in days["2026-03-23"]
    assert client.get("/api/v1/calendar", query_string={"year": "x"},
                      headers=staff["staf1"]).status_code == 400


def test_the_ppid_routes_a_request_to_a_unit_which_answers_with_a_document_and_the_answer_letter_is_numbered_and_filed(  # noqa: E501
        client: FlaskClient, archive: Archive, staff: dict[str, dict[str, str]],
        tmp_path: Path) -> None:
    receipt = _submit(client).get_json()
    [case] = client.get("/api/v1/cases", headers=staff["ppid1"]).get_json()["items"]
    r = client.post(f"/api/v1/cases/{case['id']}/dispositions", headers=staff["ppid1"],
                    json={"to": ["staf1"], "instruction": "siapkan informasi"})
    assert r.status_code == 201, r.get_json()
    [step] = r.get_json()["items"]
    # The routed staff member reads the case, its person too (audited), and answers.
    routed = client.get(f"/api/v1/cases/{case['id']}", headers=staff["staf1"]).get_json()
    assert routed["persons"][0]["identity_number"] == "3576014403900001"
    assert routed["status"] == "in_progress"
    mine = client.get("/api/v1/cases/steps", headers=staff["staf1"]).get_json()["items"]
    assert [m["registration_number"] for m in mine] == [receipt["registration_number"]]
    info = filegen.make_text_pdf(tmp_path / "sk.pdf", ["Keputusan penetapan pengawas TPS"])
    done = client.post(f"/api/v1/cases/steps/{step['id']}/done", headers=staff["staf1"],
                       data={"note": "Terlampir salinan SK",
                             "file": (io.BytesIO(info.read_bytes()), "sk.pdf")},
                       content_type="multipart/form-data")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done" and len(done.get_json()["document_ids"]) == 1
    assert client.post(f"/api/v1/cases/steps/{step['id']}/done", headers=staff["loket"],
                       data={"note": "x"}).status_code == 404
    letter = filegen.make_text_pdf(tmp_path / "jawaban.pdf", ["Jawaban permohonan informasi"])
    a = client.post(f"/api/v1/cases/{case['id']}/answer", headers=staff["ppid1"],
                    data={"signatory": "sekretariat",
                          "file": (io.BytesIO(letter.read_bytes()), "jawaban.pdf")},
                    content_type="multipart/form-data")
    assert a.status_code == 200, a.get_json()
    body = a.get_json()
    assert body["answer_number"] and body["answer_document_id"]
    assert "/HM.00.02/" in body["answer_number"]
    assert [s["status"] for s in body["steps"]] == ["done"]
    assert [h["event"] for h in body["history"]] == ["registered", "routed", "responded",
                                                     "answer"]
    again = client.post(f"/api/v1/cases/{case['id']}/answer", headers=staff["ppid1"],
                        data={"signatory": "sekretariat"}, content_type="multipart/form-data")
    assert again.status_code == 409
    with archive.db.read() as session:
        doc = session.get(Document, body["answer_document_id"])
        assert doc is not None and doc.number == body["answer_number"]


def test_a_report_gets_its_sigaplapor_number_from_the_violations_unit(
        client: FlaskClient, make_user: Callable[..., str],
        token_for: Callable[[str], dict[str, str]], staff: dict[str, dict[str, str]]) -> None:
    make_user("gakkum", roles=("penanganan_pelanggaran",), clearance="terbatas")
    unit = token_for("gakkum")
    r = client.post("/api/v1/cases", headers=staff["loket"], json={
        "type": "laporan_pelanggaran", "received_at": "2026-03-16T09:00:00+07:00",
        "channel": "loket", "reporter_name": "Budi", "reported_party": "Calon X",
        "event": "Politik uang", "place": "Kranggan", "occurred_on": "2026-03-10",
        "known_on": "2026-03-12", "description": "Pembagian uang"})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    assert case["owner_role"] == "penanganan_pelanggaran" and case["timely"] is True
    # The desk reads the register, but the reporter's identity is the unit's alone.
    assert client.get(f"/api/v1/cases/{case['id']}", headers=staff["loket"]).get_json()[
        "persons"] == []
    n = client.post(f"/api/v1/cases/{case['id']}/external-number", headers=unit,
                    json={"number": "SIGAPLAPOR-2026-0012"})
    assert n.status_code == 200 and n.get_json()["external_number"] == "SIGAPLAPOR-2026-0012"
    assert client.post(f"/api/v1/cases/{case['id']}/external-number", headers=staff["ppid1"],
                       json={"number": "X"}).status_code == 403


def test_a_case_received_in_the_future_or_known_after_its_receipt_is_refused_naming_the_field(
        client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).isoformat()
    r = client.post("/api/v1/cases", headers=staff["loket"], json={
        **REQUEST, "type": "permohonan_informasi", "received_at": later, "channel": "loket"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "received_at"
    r = client.post("/api/v1/cases", headers=staff["loket"], json={
        "type": "laporan_pelanggaran", "received_at": "2026-03-16T09:00:00+07:00",
        "channel": "loket", "reporter_name": "Budi", "reported_party": "Calon X",
        "event": "Politik uang", "place": "Kranggan", "occurred_on": "2026-03-10",
        "known_on": "2026-03-20", "description": "Pembagian uang"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "known_on"
    r = client.post("/api/v1/cases", headers=staff["loket"], json={
        "type": "konsultasi", "received_at": "2026-03-16T09:00:00+07:00", "channel": "telepon"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "name"


def test_forty_cases_registered_at_once_get_forty_distinct_consecutive_numbers(
        archive: Archive, cli_env: dict[str, str], make_user: Callable[..., str],
        tmp_path: Path) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    server = LiveServer(cli_env, tmp_path / "server.log", threads=8)
    numbers: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    try:
        client = Client(server.start().url).sign_in("loket", USER_PASSWORD)

        def register(i: int) -> None:
            body_in = {**REQUEST, "type": "permohonan_informasi", "channel": "loket",
                       "received_at": dt.datetime.now(dt.UTC).isoformat(),
                       "information": f"Informasi ke-{i}"}
            try:
                status, body, _ = client.request(
                    "POST", "/api/v1/cases", data=json.dumps(body_in).encode(),
                    headers={"Content-Type": "application/json"})
            except Exception as e:  # noqa: BLE001 - counted as a failure below
                status, body = 0, {"exception": repr(e)}
            with lock:
                if status != 201:
                    failures.append(f"{i}: {status} {body}")
                else:
                    numbers.append(body["registration_number"])

        run_together([threading.Thread(target=register, args=(i,)) for i in range(40)])
    finally:
        server.stop()
    assert not failures, failures[:5]
    year = archive.local_today().year
    assert sorted(numbers) == [f"{n:04}/LSP/{year}" for n in range(1, 41)]


def test_the_same_identity_scan_sent_with_a_second_request_is_kept_once_for_both_cases(
        client: FlaskClient, archive: Archive, tmp_path: Path) -> None:
    scan = filegen.make_png(tmp_path / "ktp.png").read_bytes()
    first = _submit(client, identity_file=(io.BytesIO(scan), "ktp.png"))
    second = _submit(client, identity_file=(io.BytesIO(scan), "ktp-lagi.png"))
    assert first.status_code == second.status_code == 201, second.get_json()
    with archive.db.read() as session:
        links = session.scalars(select(CaseDocument)).all()
        assert len(links) == 2 and len({link.case_id for link in links}) == 2
        assert len({link.document_id for link in links}) == 1


def test_the_owner_takes_back_a_step_routed_to_the_wrong_person_who_then_sees_nothing(
        client: FlaskClient, staff: dict[str, dict[str, str]]) -> None:
    _submit(client)
    [case] = client.get("/api/v1/cases", headers=staff["ppid1"]).get_json()["items"]
    [step] = client.post(f"/api/v1/cases/{case['id']}/dispositions", headers=staff["ppid1"],
                         json={"to": ["staf1"], "instruction": "siapkan"}).get_json()["items"]
    assert client.post(f"/api/v1/cases/steps/{step['id']}/withdraw",
                       headers=staff["loket"]).status_code == 403
    r = client.post(f"/api/v1/cases/steps/{step['id']}/withdraw", headers=staff["ppid1"])
    assert r.status_code == 200 and r.get_json()["status"] == "withdrawn"
    assert client.get(f"/api/v1/cases/{case['id']}", headers=staff["staf1"]).status_code == 404
    assert client.get("/api/v1/cases/steps", headers=staff["staf1"]).get_json()["items"] == []
    again = client.post(f"/api/v1/cases/{case['id']}/dispositions", headers=staff["ppid1"],
                        json={"to": ["staf1"], "instruction": "siapkan ulang"})
    assert again.status_code == 201
    assert client.post(f"/api/v1/cases/steps/{step['id']}/withdraw",
                       headers=staff["ppid1"]).status_code == 409
