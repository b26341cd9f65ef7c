"""The desk's API contract: letters in (multipart, 0..n files), dispositions and the inbox,
outgoing numbers — and 50 clients asking for numbers at once against a real server."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from earsip.models import Document
from earsip.services import Archive
from earsip.services.desk import suggestions
from tests import filegen, letters_corpus
from tests.conftest import USER_PASSWORD
from tests.helpers import file_doc
from tests.live import Client, LiveServer, run_together
from tests.signing_fixtures import make_pki, signed_pdf

YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def desk(make_user: Callable[..., str], token_for: Callable[[str], dict[str, str]]
         ) -> dict[str, dict[str, str]]:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("staf1", roles=("staf",), clearance="biasa")
    return {name: token_for(name) for name in ("loket", "ketua", "staf1")}


def _letter(**fields: object) -> dict[str, object]:
    data: dict[str, object] = {
        "received_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "channel": "srikandi", "letter_number": "314/HK.01.00/K1/09/2022",
        "letter_date": YESTERDAY, "sender": "Bawaslu RI", "subject": "Surat edaran",
        "classification": "HK.01.01", "urgency": "amat_segera", "security": "biasa",
        "note": "diterima lewat SRIKANDI"}
    data.update(fields)
    return data


def test_a_letter_is_registered_with_two_files_and_read_back(
        client: FlaskClient, desk: dict[str, dict[str, str]], tmp_path: Path) -> None:
    a = filegen.make_text_pdf(tmp_path / "a.pdf", ["Surat edaran pengawasan"])
    b = filegen.make_text_pdf(tmp_path / "b.pdf", ["Lampiran surat edaran"])
    r = client.post("/api/v1/letters/incoming", headers=desk["loket"], data={
        **_letter(), "file": [(io.BytesIO(a.read_bytes()), "a.pdf"),
                              (io.BytesIO(b.read_bytes()), "b.pdf")]},
        content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["agenda_number"] == f"1/SM/{dt.date.today().year}"
    assert len(body["document_ids"]) == 2 and body["status"] == "registered"
    assert r.headers["Location"] == f"/api/v1/letters/incoming/{body['id']}"
    got = client.get(f"/api/v1/letters/incoming/{body['id']}", headers=desk["loket"])
    assert got.status_code == 200 and got.get_json()["urgency"] == "amat_segera"
    listing = client.get("/api/v1/letters/incoming?q=edaran", headers=desk["ketua"]).get_json()
    assert listing["total"] == 1
    assert client.get("/api/v1/letters/incoming", headers=desk["staf1"]).status_code == 403


def test_a_letter_without_files_is_registered_and_a_bad_one_refused_with_its_field(
        client: FlaskClient, desk: dict[str, dict[str, str]]) -> None:
    ok = client.post("/api/v1/letters/incoming", headers=desk["loket"], data=_letter(),
                     content_type="multipart/form-data")
    assert ok.status_code == 201 and ok.get_json()["document_ids"] == []
    bad = client.post("/api/v1/letters/incoming", headers=desk["loket"],
                      data=_letter(received_at="2020-01-01T09:00:00+07:00"),
                      content_type="multipart/form-data")
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "received_at"
    again = client.post("/api/v1/letters/incoming", headers=desk["loket"], data=_letter(),
                        content_type="multipart/form-data")
    assert again.get_json()["agenda_number"].startswith("2/")


def test_the_disposition_flow_over_the_api(
        client: FlaskClient, desk: dict[str, dict[str, str]]) -> None:
    letter = client.post("/api/v1/letters/incoming", headers=desk["loket"], data=_letter(),
                         content_type="multipart/form-data").get_json()
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    r = client.post(f"/api/v1/letters/incoming/{letter['id']}/dispositions",
                    headers=desk["loket"], json={"to": ["ketua"], "instruction": "pelajari",
                                                 "due_date": due})
    assert r.status_code == 201, r.get_json()
    step = r.get_json()["id"]
    inbox = client.get("/api/v1/inbox", headers=desk["ketua"]).get_json()
    assert [(i["id"], i["letter_id"], i["from"], i["instruction"], i["due_date"], i["status"])
            for i in inbox["items"]] == [(step, letter["id"], "loket", "pelajari", due, "new")]
    assert client.post(f"/api/v1/dispositions/{step}/read",
                       headers=desk["ketua"]).get_json()["status"] == "read"
    fwd = client.post(f"/api/v1/dispositions/{step}/forward", headers=desk["ketua"],
                      json={"to": ["staf1"], "instruction": "tindak lanjuti"})
    assert fwd.status_code == 201
    child = fwd.get_json()["items"][0]
    assert child["parent_id"] == step and child["from"] == "ketua"
    loop = client.post(f"/api/v1/dispositions/{child['id']}/forward", headers=desk["staf1"],
                       json={"to": ["ketua"], "instruction": "kembalikan"})
    assert loop.status_code == 400
    done = client.post(f"/api/v1/dispositions/{child['id']}/done", headers=desk["staf1"],
                       json={"note": "sudah"})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    self_route = client.post(f"/api/v1/letters/incoming/{letter['id']}/dispositions",
                             headers=desk["ketua"], json={"to": ["ketua"], "instruction": "x"})
    assert self_route.status_code == 400


def test_a_letter_above_the_recipients_clearance_is_not_routed_to_them(
        client: FlaskClient, desk: dict[str, dict[str, str]]) -> None:
    letter = client.post("/api/v1/letters/incoming", headers=desk["loket"],
                         data=_letter(security="rahasia"),
                         content_type="multipart/form-data").get_json()
    r = client.post(f"/api/v1/letters/incoming/{letter['id']}/dispositions",
                    headers=desk["loket"], json={"to": ["staf1"], "instruction": "pelajari"})
    assert r.status_code == 400
    assert "izin akses" in r.get_json()["error"]["message"]
    assert client.get("/api/v1/inbox", headers=desk["staf1"]).get_json()["items"] == []


def test_a_number_is_issued_and_its_letter_filed_over_the_api(
        client: FlaskClient, desk: dict[str, dict[str, str]], tmp_path: Path) -> None:
    r = client.post("/api/v1/letters/outgoing/numbers", headers=desk["loket"], json={
        "classification": "KA.00", "letter_date": dt.date.today().isoformat(),
        "signatory": "ketua", "subject": "Undangan"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert set(body) >= {"id", "number"} and body["number"].startswith("1/KA.00/K.JI-XX/")
    pdf = filegen.make_text_pdf(tmp_path / "s.pdf", ["Undangan bertanda tangan"])
    filed = client.post(f"/api/v1/letters/outgoing/{body['id']}/file", headers=desk["loket"],
                        data={"file": (io.BytesIO(pdf.read_bytes()), "s.pdf")},
                        content_type="multipart/form-data")
    assert filed.status_code == 200 and filed.get_json()["status"] == "filed"
    unknown = client.post("/api/v1/letters/outgoing/numbers", headers=desk["loket"], json={
        "classification": "KA.00", "letter_date": dt.date.today().isoformat(),
        "signatory": "bendahara", "subject": "x"})
    assert unknown.status_code == 400 and unknown.get_json()["error"]["field"] == "signatory"


def test_fifty_clients_at_once_get_fifty_distinct_consecutive_numbers(
        archive: Archive, cli_env: dict[str, str], make_user: Callable[..., str],
        tmp_path: Path) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    server = LiveServer(cli_env, tmp_path / "server.log", threads=8)
    numbers: list[str] = []
    agenda: list[str] = []
    failures: list[str] = []
    lock = threading.Lock()
    try:
        client = Client(server.start().url).sign_in("loket", USER_PASSWORD)
        today = dt.date.today().isoformat()

        def ask(i: int) -> None:
            kind = i % 2
            try:
                if kind == 0:
                    status, body, _ = client.request(
                        "POST", "/api/v1/letters/outgoing/numbers", data=json.dumps({
                            "classification": "KA.00", "letter_date": today,
                            "signatory": "sekretariat", "subject": f"Surat {i}"}).encode(),
                        headers={"Content-Type": "application/json"})
                else:
                    fields = "&".join(f"{k}={v}" for k, v in {
                        "received_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "channel": "pos", "letter_number": f"{i}/KA.00/X/01/2026",
                        "letter_date": today, "sender": "Kecamatan", "subject": f"Surat {i}",
                        "classification": "KA.00"}.items())
                    status, body, _ = client.request(
                        "POST", "/api/v1/letters/incoming", data=fields.encode(),
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
            except Exception as e:  # noqa: BLE001 - counted as a failure below
                status, body = 0, {"exception": repr(e)}
            with lock:
                if status != 201:
                    failures.append(f"{i}: {status} {body}")
                elif kind == 0:
                    numbers.append(body["number"])
                else:
                    agenda.append(body["agenda_number"])

        run_together([threading.Thread(target=ask, args=(i,)) for i in range(100)])
    finally:
        server.stop()
    assert not failures, failures[:5]
    assert sorted(int(n.split("/")[0]) for n in numbers) == list(range(1, 51))
    assert sorted(int(n.split("/")[0]) for n in agenda) == list(range(1, 51))
    assert "database is locked" not in server.log()


def test_prefill_reads_a_typed_and_a_scanned_letter_and_stores_nothing(
        client: FlaskClient, desk: dict[str, dict[str, str]], archive: Archive,
        tmp_path: Path, ocr_tools: None) -> None:
    made = letters_corpus.generate(tmp_path / "surat", count=3, scanned_every=3)
    typed, scanned = made[0], made[2]
    assert not typed.scanned and scanned.scanned
    for letter in (typed, scanned):
        path = tmp_path / "surat" / letter.name
        r = client.post("/api/v1/letters/prefill", headers=desk["loket"],
                        data={"file": (io.BytesIO(path.read_bytes()), letter.name)},
                        content_type="multipart/form-data")
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        assert set(body) == {"letter_number", "letter_date", "subject", "sender",
                             "classification", "suggestions", "signatures"}
        assert body["letter_date"] == (letter.letter_date.isoformat()
                                       if letter.letter_date else None)
        if not letter.scanned:
            assert body["letter_number"] == letter.letter_number
    with archive.db.read() as session:
        assert session.scalar(select(func.count(Document.id))) == 0
    assert not [p for p in archive.config.upload_dir.rglob("*") if p.is_file()
                and not p.name.startswith(".")]


def test_prefill_reports_the_signatures_of_a_signed_pdf(
        client: FlaskClient, desk: dict[str, dict[str, str]], tmp_path: Path) -> None:
    pki = make_pki(tmp_path)
    pdf = signed_pdf(pki, tmp_path / "ttd.pdf", text="Nomor: 12/KA.00/K.JI-16/03/2026")
    r = client.post("/api/v1/letters/prefill", headers=desk["loket"],
                    data={"file": (io.BytesIO(pdf.read_bytes()), "ttd.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 200
    [sig] = r.get_json()["signatures"]
    assert sig["intact"] is True and sig["status"] == "untrusted"  # no trust roots here
    refused = client.post("/api/v1/letters/prefill", headers=desk["staf1"],
                          data={"file": (io.BytesIO(pdf.read_bytes()), "ttd.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 403


def test_prefill_suggests_codes_learned_from_what_the_office_filed(
        client: FlaskClient, desk: dict[str, dict[str, str]], archive: Archive,
        tmp_path: Path) -> None:
    topics = {"KU.00.03": "pencairan anggaran kuitansi pembayaran honorarium bendahara",
              "PM.00.02": "pengawasan kampanye tahapan pemilu pengawas lapangan"}
    for code, words in topics.items():
        for i in range(6):
            file_doc(archive, tmp_path, code=code, text=f"{words} nomor {i} laporan {code}")
    suggestions.retrain(archive)
    pdf = filegen.make_text_pdf(tmp_path / "baru.pdf", [
        "Perihal: permohonan pencairan anggaran honorarium bendahara kuitansi"])
    r = client.post("/api/v1/letters/prefill", headers=desk["loket"],
                    data={"file": (io.BytesIO(pdf.read_bytes()), "baru.pdf")},
                    content_type="multipart/form-data")
    assert r.status_code == 200
    found = r.get_json()["suggestions"]
    assert found and found[0]["code"] == "KU.00.03"
    assert 0 < found[0]["score"] <= 1
