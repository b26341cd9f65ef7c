"""Faults around a live live_server: a locked database, a full disk, a locked or damaged index.

Each: a clear answer to the client, nothing half-written, and normal service once the fault is
gone. The server is a real `earsip serve` child process (tests/live.py).
"""

from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from config import Config
from earsip.models import Document
from earsip.services import Archive
from tests.conftest import multipart
from tests.helpers import assert_archive_whole, database_write_lock
from tests.helpers import entries as _entries
from tests.live import FIELDS, PROJECT, Client, LiveServer, multipart_bytes, pdf_bytes


def _count(archive: Archive) -> int:
    with archive.db.read() as session:
        return session.scalar(select(func.count(Document.id))) or 0


def _hold_for(config: Config, seconds: float, release: threading.Event | None = None) -> Callable[
        [], None]:
    taken = threading.Event()

    def hold() -> None:
        with database_write_lock(config):
            taken.set()
            if release is not None:
                release.wait(seconds)
            else:
                time.sleep(seconds)

    thread = threading.Thread(target=hold)
    thread.start()
    assert taken.wait(10)
    return lambda: thread.join(60)


def test_a_database_locked_for_3_seconds_makes_an_upload_wait_and_succeed(
        archive: Archive, config: Config, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start().url).sign_in()
    joined = _hold_for(config, 3)
    started = time.monotonic()
    status, body, _ = client.upload(pdf_bytes(tmp_path, "Surat saat basis data terkunci"),
                                    {**FIELDS, "title": "Tunggu"})
    joined()
    assert status == 201, body
    assert time.monotonic() - started >= 2.5  # it waited for the lock rather than failing
    assert_archive_whole(archive, {body["id"]: body["file"]["sha256"]})


def test_a_database_locked_for_30_seconds_answers_503_and_writes_nothing(
        archive: Archive, config: Config, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start().url).sign_in()  # the default busy timeout: 15 s
    payload = pdf_bytes(tmp_path, "Surat saat basis data terkunci lama")
    before = _count(archive)
    release = threading.Event()
    joined = _hold_for(config, 30, release)
    try:
        started = time.monotonic()
        status, body, headers = client.upload(payload, {**FIELDS, "title": "Sibuk"})
        waited = time.monotonic() - started
        # The server itself keeps answering meanwhile.
        assert client.get("/api/v1/health")[0] == 200
    finally:
        release.set()
        joined()
    assert status == 503, body
    assert body["error"]["code"] == "database_busy"
    assert "Coba lagi" in body["error"]["message"]
    assert headers["Retry-After"] == "5"
    assert 14 <= waited < 28  # gave up after the busy timeout, before the lock was released
    assert _count(archive) == before
    assert list(archive.store.iter_files()) == []
    assert archive.store.stale_temp_files() == []
    # Once the lock is gone the same upload is filed.
    status, body, _ = client.upload(payload, {**FIELDS, "title": "Sibuk"})
    assert status == 201, body
    assert_archive_whole(archive, {body["id"]: body["file"]["sha256"]})


def _chunked_upload(client: Client, payload: bytes, fields: dict[str, str]) -> tuple[int, dict]:
    """Send an upload with Transfer-Encoding: chunked (no Content-Length)."""
    body, content_type = multipart_bytes(payload, fields)
    host, port = client.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    try:
        conn.request("POST", "/api/v1/documents", encode_chunked=True,
                     body=(body[i:i + 65536] for i in range(0, len(body), 65536)),
                     headers={**client.auth, "Content-Type": content_type})
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_a_full_disk_refuses_the_upload_clearly_audits_it_and_service_returns_with_space(
        archive: Archive, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start().url).sign_in()
    client.upload(pdf_bytes(tmp_path, "Surat pertama sebelum penuh"), {**FIELDS, "title": "A"})
    before = _count(archive)
    files = [Path(str(archive.config.database_url).split("///", 1)[-1])]
    largest = max((p.stat().st_size for f in files
                   for p in f.parent.glob(f.name + "*") if p.is_file()), default=0)
    limit = largest + 2 * 1024 * 1024  # room for the database, none for the new file
    payload = pdf_bytes(tmp_path, "Surat yang tidak muat", size=limit + 3 * 1024 * 1024)
    soft, hard = resource.prlimit(live_server.pid, resource.RLIMIT_FSIZE)
    resource.prlimit(live_server.pid, resource.RLIMIT_FSIZE, (limit, hard))
    try:
        answers = [client.upload(payload, {**FIELDS, "title": "Penuh"})[:2],
                   _chunked_upload(client, payload, {**FIELDS, "title": "Penuh"})]
    finally:
        resource.prlimit(live_server.pid, resource.RLIMIT_FSIZE, (soft, hard))
    for status, body in answers:  # with a Content-Length, then chunked
        assert status == 507, body
        assert body["error"]["code"] == "storage_full"
        assert "penuh" in body["error"]["message"]
    assert _count(archive) == before
    assert archive.store.stale_temp_files() == []
    # Waitress's spool files are anonymous: none may stay open, holding the space.
    spool = str(archive.store.root / ".spool")
    held = [os.readlink(fd) for fd in Path(f"/proc/{live_server.pid}/fd").iterdir()
            if os.readlink(fd).startswith(spool)]
    assert held == []
    # The body was too big to keep while it arrived: the server audits the event itself.
    deadline = time.monotonic() + 10
    while len(entries := _entries(archive, "storage.full")) < 2:
        assert time.monotonic() < deadline, live_server.log()
        time.sleep(0.1)
    assert {e.outcome for e in entries} == {"failure"}
    assert {e.details["path"] for e in entries} == {"/api/v1/documents"}
    # Space is back: the same upload is filed.
    status, body, _ = client.upload(payload, {**FIELDS, "title": "Penuh"})
    assert status == 201, body


def test_a_full_disk_under_the_form_parser_is_a_507_audited_as_the_users_refused_filing(
        archive: Archive, client: FlaskClient, token_for: Callable[..., dict[str, str]],
        tmp_path: Path) -> None:
    """A body small enough for waitress to keep in memory fails in the app's own temporary
    file: the refusal is then the filing's, audited with the user and the reason."""
    headers = token_for("admin")
    source = tmp_path / "kecil.pdf"
    source.write_bytes(pdf_bytes(tmp_path, "Surat yang tidak muat", size=400 * 1024))
    body, content_type = multipart(source, {**FIELDS, "title": "Tidak muat"})
    archive.db.flush_deleted()  # an empty write-ahead log: the audit entry fits under the limit
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200 * 1024, hard))
    try:
        r = client.post("/api/v1/documents", data=body,
                        headers={**headers, "Content-Type": content_type})
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert r.status_code == 507, r.get_json()
    assert r.get_json()["error"]["code"] == "storage_full"
    assert _count(archive) == 0
    assert archive.store.stale_temp_files() == []
    [entry] = [e for e in _entries(archive, "document.file") if e.outcome == "refused"]
    assert entry.actor_name == "admin"
    assert entry.details["reason"] == "storage_full"


HOLD_INDEX = """
import sys
from earsip.search.index import SearchIndex

def hold():
    print("locked", flush=True)
    sys.stdin.readline()
    return
    yield

SearchIndex(sys.argv[1], writer_timeout=5).upsert(hold())
"""


@pytest.mark.whoosh  # holds Whoosh's write lock
def test_uploads_succeed_while_another_process_holds_the_index_lock_and_are_found_later(
        archive: Archive, config: Config, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start(EARSIP_INDEX_LOCK_TIMEOUT="1",
                                 EARSIP_INDEX_CATCHUP_SECONDS="1").url).sign_in()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_INDEX, str(config.index_dir)],
                              cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"locked\n"
        ids = []
        for word in ("kerbau", "merpati", "cendrawasih"):
            status, body, _ = client.upload(pdf_bytes(tmp_path, f"Laporan tentang {word}"),
                                            {**FIELDS, "title": f"Laporan {word}"})
            assert status == 201, body
            ids.append(body["id"])
        assert client.search("cendrawasih")[1]["total"] == 0  # not indexed yet, and no error
    finally:
        assert holder.stdin is not None
        holder.stdin.write(b"go\n")
        holder.stdin.close()
        holder.wait(30)
        holder.stdout.close()
    deadline = time.monotonic() + 30
    while client.search("kerbau OR merpati OR cendrawasih")[1]["total"] < 3:
        assert time.monotonic() < deadline, "the index did not catch up"
        time.sleep(0.5)
    assert_archive_whole(archive, {})


def _file_three(client: Client, tmp_path: Path) -> None:
    for word in ("anggrek", "melati", "kenanga"):
        status, body, _ = client.upload(pdf_bytes(tmp_path, f"Bunga {word} di halaman kantor"),
                                        {**FIELDS, "title": f"Bunga {word}"})
        assert status == 201, body


@pytest.mark.whoosh  # damages Whoosh's segment files
@pytest.mark.parametrize("damage", ["deleted", "truncated"])
def test_an_index_deleted_or_truncated_while_stopped_is_rebuilt_from_the_database_at_start(
        archive: Archive, config: Config, live_server: LiveServer, tmp_path: Path,
        damage: str) -> None:
    client = Client(live_server.start().url).sign_in()
    _file_three(client, tmp_path)
    live_server.stop()
    archive.index.close()
    if damage == "deleted":
        shutil.rmtree(config.index_dir)
    else:
        for segment in config.index_dir.glob("*.seg"):
            os.truncate(segment, segment.stat().st_size // 2)
    client.url = live_server.start().url
    status, body, _ = client.search("anggrek OR melati OR kenanga")
    assert status == 200 and body["total"] == 3
    assert_archive_whole(archive, {})


@pytest.mark.whoosh  # damages Whoosh's segment files
def test_an_index_damaged_while_serving_answers_503_then_is_rebuilt_from_the_database(
        archive: Archive, config: Config, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start(EARSIP_INDEX_CATCHUP_SECONDS="1").url).sign_in()
    _file_three(client, tmp_path)
    assert client.search("anggrek")[1]["total"] == 1
    for segment in config.index_dir.glob("*.seg"):
        os.truncate(segment, segment.stat().st_size // 2)
    # An upload now cannot be indexed: it is filed and stays queued.
    status, body, _ = client.upload(pdf_bytes(tmp_path, "Bunga mawar di halaman kantor"),
                                    {**FIELDS, "title": "Bunga mawar"})
    assert status == 201, body
    answers = []
    deadline = time.monotonic() + 60
    while True:
        status, found, _ = client.search("anggrek OR melati OR kenanga OR mawar")
        answers.append(status)
        assert status in (200, 503), found
        if status == 200:
            # Never a wrong answer: a 200 is either the old complete view or the rebuilt one.
            assert found["total"] in (3, 4), found
            if found["total"] == 4:
                break
        assert time.monotonic() < deadline, f"not rebuilt: {answers[-5:]}\n{live_server.log()}"
        time.sleep(0.5)
    assert answers[0] == 503  # the damage is seen at the first search after it
    assert_archive_whole(archive, {})
