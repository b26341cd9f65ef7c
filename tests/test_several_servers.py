"""Several app servers, one deployment: two real `earsip serve` processes (each with its own
background worker) on one PostgreSQL database, one upload folder, one instance folder and one
search index folder, as docs/DEPLOYMENT.md describes. Through both: filing, searching, a browser
session and its CSRF token, numbering letters at once, a destruction proposed on one and
approved on the other. The scheduled tasks part is a smoke test only (both workers tick, no task
is seen to run twice); tests/test_schedule.py is what catches a regression of the task lock."""

from __future__ import annotations

import datetime as dt
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import TEST_HASH_METHOD, make_test_config
from earsip.audit import SYSTEM
from earsip.models import AuditCheckpoint, AuditEntry, FixityRun, TaskRun, User
from earsip.services import Archive
from earsip.services.access.users import create_user
from tests.approvers import make_approver
from tests.conftest import ADMIN_PASSWORD, PG_URL, SEARCH_BACKEND, USER_PASSWORD, _reset_postgres
from tests.live import PROJECT, Client, LiveServer, pdf_bytes, run_together

pytestmark = pytest.mark.skipif(
    not PG_URL, reason="needs PostgreSQL: set EARSIP_TEST_DATABASE_URL (make test-postgres)")

WITNESSES = [{"name": "Budi Santoso", "position": "Arsiparis Ahli Muda"},
             {"name": "Dewi Lestari", "position": "Kepala Subbagian Umum"}]
SEARCH_WAIT_S = 30.0  # the Whoosh catch-up runs every second here; filing indexes at once
TASKS_WAIT_S = 150.0  # each worker's first tick comes a minute after it starts


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer, Archive]]:
    """Start two servers at the same moment on an empty database (both initialise it), with
    their workers and scheduled tasks on; yield them and an archive handle for the test."""
    assert PG_URL
    _reset_postgres(PG_URL)
    shared = tmp_path / "shared"
    env = {
        "EARSIP_DATABASE_URL": PG_URL,
        "EARSIP_UPLOAD_DIR": str(shared / "uploads"),
        "EARSIP_INDEX_DIR": str(shared / "index"),
        # One instance folder: the session secret and the audit key are made once, by the
        # first process, and read by the other.
        "EARSIP_INSTANCE_DIR": str(shared / "instance"),
        "EARSIP_SECRET_KEY": "",
        "EARSIP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "EARSIP_PASSWORD_HASH": TEST_HASH_METHOD,
        "EARSIP_SEARCH_BACKEND": SEARCH_BACKEND,
        "EARSIP_INDEX_CATCHUP_SECONDS": "1",
    }
    servers = [LiveServer(env, tmp_path / f"server-{name}.log", threads=6) for name in "ab"]
    problems: list[str] = []

    def start(server: LiveServer) -> None:
        try:
            server.start(EARSIP_WORKER="1", EARSIP_SCHEDULER="1", timeout_s=180)
        except AssertionError as e:
            problems.append(str(e))

    archive = Archive.open(make_test_config(
        tmp_path, database_url=PG_URL, upload_dir=shared / "uploads",
        index_dir=shared / "index", instance_dir=shared / "instance",
        search_backend=SEARCH_BACKEND))
    try:
        run_together([threading.Thread(target=start, args=(s,)) for s in servers])
        assert not problems, problems
        yield servers[0], servers[1], archive
    finally:
        for server in servers:
            server.stop()
        archive.close()


def _json(client: Client, method: str, path: str, body: object) -> tuple[int, dict]:
    status, answer, _ = client.request(method, path, data=json.dumps(body).encode(),
                                       headers={"Content-Type": "application/json"})
    return status, answer


def _found(client: Client, word: str, doc_id: int) -> bool:
    """Return once `doc_id` is among the hits for `word` (False after the bounded wait)."""
    deadline = time.monotonic() + SEARCH_WAIT_S
    while True:
        status, body, _ = client.search(word)
        if status == 200 and doc_id in [hit["id"] for hit in body["results"]]:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.25)


def _count(archive: Archive, model: type, *where: object) -> int:
    with archive.db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _number_letters(a: Client, b: Client) -> tuple[list[int], list[int], list[str]]:
    """Ask both servers at once for 12 agenda numbers and 12 outgoing numbers; return the
    sequence numbers of each and the failures."""
    agenda: list[int] = []
    outgoing: list[int] = []
    failures: list[str] = []
    lock = threading.Lock()
    today = dt.date.today().isoformat()

    def ask(i: int) -> None:
        client = a if i % 2 else b
        if i % 4 < 2:
            status, body = _json(client, "POST", "/api/v1/letters/outgoing/numbers", {
                "classification": "KA.00", "letter_date": today, "signatory": "sekretariat",
                "subject": f"Surat keluar {i}"})
            key, into = "number", outgoing
        else:
            fields = urllib.parse.urlencode({
                "received_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "channel": "pos", "letter_number": f"{i}/KA.00/X/01/2026",
                "letter_date": today, "sender": "Kecamatan", "subject": f"Surat masuk {i}",
                "classification": "KA.00"})
            status, body, _ = client.request(
                "POST", "/api/v1/letters/incoming", data=fields.encode(),
                headers={"Content-Type": "application/x-www-form-urlencoded"})
            key, into = "agenda_number", agenda
        with lock:
            if status != 201:
                failures.append(f"{i}: {status} {body}")
            else:
                into.append(int(body[key].split("/")[0]))

    run_together([threading.Thread(target=ask, args=(i,)) for i in range(48)])
    return agenda, outgoing, failures


def _browser_session_crosses_servers(a: LiveServer, b: LiveServer, word: str) -> None:
    """Sign in through A's form; B honours the session cookie and A's CSRF token (one secret)."""
    jar = http.cookiejar.CookieJar()  # cookies ignore the port: B gets A's cookie
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))

    def token(url: str) -> str:
        with browser.open(url) as page:  # noqa: S310 - loopback
            found = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())
        assert found, url
        return found.group(1)

    form = urllib.parse.urlencode({"username": "arsip1", "password": USER_PASSWORD,
                                   "csrf_token": token(f"{a.url}/login")}).encode()
    with browser.open(f"{a.url}/login", form) as signed_in:  # noqa: S310
        assert not signed_in.geturl().endswith("/login"), signed_in.geturl()
    with browser.open(f"{b.url}/search?q={word}") as page:  # noqa: S310
        assert page.geturl().startswith(f"{b.url}/search"), page.geturl()
        assert f"Laporan {word}" in page.read().decode()
    form = urllib.parse.urlencode({"csrf_token": token(f"{a.url}/")}).encode()
    with browser.open(f"{b.url}/logout", form) as out:  # noqa: S310 - A's token, B's form
        assert out.geturl().endswith("/login"), out.geturl()


def test_two_servers_on_one_database_file_search_number_and_destroy_as_one_archive(
        deployment: tuple[LiveServer, LiveServer, Archive], tmp_path: Path) -> None:
    server_a, server_b, archive = deployment
    started = time.monotonic()
    with archive.db.write() as session:
        for name, roles in (("arsip1", ["arsiparis"]), ("loket", ["petugas_layanan"])):
            create_user(session, name, USER_PASSWORD, roles=roles, clearance="sangat_rahasia",
                        actor=SYSTEM, hash_with=TEST_HASH_METHOD)
    make_approver(archive, "ketua")
    officer_a = Client(server_a.url).sign_in("arsip1", USER_PASSWORD)
    # A token issued by one server is good on the other: tokens live in the database.
    officer_b = Client(server_b.url, officer_a.auth)
    leader_b = Client(server_b.url).sign_in("ketua", USER_PASSWORD)

    # Filing through each server; each finds what was filed through the other.
    filed = {}
    for client, word in ((officer_a, "zebrakuda"), (officer_b, "kudanilputih")):
        status, body, _ = client.upload(
            pdf_bytes(tmp_path, f"Laporan pengawasan tahapan {word} tahun 2019"),
            {"title": f"Laporan {word}", "classification": "KA.00",
             "document_date": "2019-03-01"}, filename=f"{word}.pdf")
        assert status == 201, body
        filed[word] = body["id"]
    assert _found(officer_b, "zebrakuda", filed["zebrakuda"]), server_b.log()
    assert _found(officer_a, "kudanilputih", filed["kudanilputih"]), server_a.log()
    _browser_session_crosses_servers(server_a, server_b, "zebrakuda")
    for client in (officer_a, officer_b):  # both read both files
        for doc_id in filed.values():
            assert client.get(f"/api/v1/documents/{doc_id}/file")[0] == 200

    # Numbers asked of both servers at once: no number twice, none skipped.
    agenda, outgoing, failures = _number_letters(
        *(Client(s.url).sign_in("loket", USER_PASSWORD) for s in (server_a, server_b)))
    assert not failures, failures[:5]
    assert sorted(agenda) == list(range(1, 25))
    assert sorted(outgoing) == list(range(1, 25))

    # A destruction: proposed on A, approved on B by a leader (not the proposer), executed on
    # B; both servers then show the tombstone and find the record no more.
    status, listing = _json(officer_a, "POST", "/api/v1/disposals",
                            {"document_ids": sorted(filed.values())})
    assert status == 201, listing
    base = f"/api/v1/disposals/{listing['id']}"
    status, _ = _json(officer_b, "POST", f"{base}/approve", {
        "reference": "KEP-1/2026", "password": USER_PASSWORD,
        "decision_date": dt.date.today().isoformat()})
    assert status == 403  # the proposer does not approve, on either server
    status, approved = _json(leader_b, "POST", f"{base}/approve", {
        "reference": "KEP-15/HK.01.01/2026", "decision_date": dt.date.today().isoformat(),
        "password": USER_PASSWORD})
    assert status == 200 and approved["status"] == "approved", approved
    status, done = _json(officer_b, "POST", f"{base}/execute", {
        "berita_acara_number": "BA-01/KA.01.04/2026", "official_name": "Siti Rahmawati",
        "official_position": "Kepala Sekretariat", "witnesses": WITNESSES})
    assert status == 200 and done["status"] == "executed", done
    for client in (officer_a, officer_b):
        for word, doc_id in filed.items():
            status, doc, _ = client.get(f"/api/v1/documents/{doc_id}")
            assert status == 200 and doc["disposition"]["status"] == "destroyed", doc
            assert client.get(f"/api/v1/documents/{doc_id}/file")[0] in (404, 410)
            status, hits, _ = client.search(word)
            assert status == 200 and doc_id not in [h["id"] for h in hits["results"]]

    # Smoke test of the scheduled tasks: each ran, none twice past both workers' first tick.
    twice = ((AuditEntry, AuditEntry.action == "retention.run"), (FixityRun, FixityRun.id > 0))
    while time.monotonic() < started + TASKS_WAIT_S and all(
            _count(archive, *what) < 2 for what in twice) and (time.monotonic() < started + 75
            or _count(archive, TaskRun, TaskRun.last_finished_at.is_not(None)) < 3):
        time.sleep(1)
    assert _count(archive, AuditEntry, AuditEntry.action == "retention.run") == 1
    assert _count(archive, AuditCheckpoint, AuditCheckpoint.trigger == "scheduled") == 1
    assert _count(archive, FixityRun) == 1
    for server in (server_a, server_b):
        assert "Traceback" not in server.log(200_000), server.log()


def test_three_first_starts_at_once_initialise_the_database_once(tmp_path: Path) -> None:
    assert PG_URL
    _reset_postgres(PG_URL)
    env = {**os.environ, "EARSIP_DATABASE_URL": PG_URL,
           "EARSIP_UPLOAD_DIR": str(tmp_path / "uploads"),
           "EARSIP_INDEX_DIR": str(tmp_path / "index"),
           "EARSIP_INSTANCE_DIR": str(tmp_path / "instance"),
           "EARSIP_PASSWORD_HASH": TEST_HASH_METHOD, "EARSIP_SEARCH_BACKEND": SEARCH_BACKEND}
    env.pop("EARSIP_ADMIN_PASSWORD", None)
    starts = [subprocess.Popen([sys.executable, "-m", "earsip", "init"], cwd=PROJECT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
              for _ in range(3)]
    outputs = [proc.communicate(timeout=300)[0].decode() for proc in starts]
    assert [proc.returncode for proc in starts] == [0, 0, 0], outputs
    # One of them made the first admin and showed its password; the others found it made.
    assert sum("Pengguna admin dibuat" in out for out in outputs) == 1, outputs
    archive = Archive.open(make_test_config(tmp_path, database_url=PG_URL,
                                            search_backend=SEARCH_BACKEND))
    try:
        assert _count(archive, User) == 1
    finally:
        archive.close()
