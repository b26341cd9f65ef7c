"""A real waitress server on 127.0.0.1: hostile PDFs are bounded and the server keeps answering."""

from __future__ import annotations

import json
import os
import signal
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from earsip.services import Archive
from earsip.services.operations import setup
from tests import filegen
from tests.conftest import ADMIN_PASSWORD, multipart, serving
from tests.live import Client, upload_watching_health


@pytest.fixture
def server(config) -> Iterator[str]:
    """Serve the app with waitress on a free port; yield its base URL."""
    limited = replace(config, extract_timeout_s=3, max_upload_mb=1)
    archive = Archive.open(limited)
    setup.initialise(archive)
    archive.close()
    with serving(limited) as url:
        yield url


def _request(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
             timeout: float = 60) -> tuple[int, dict]:
    assert url.startswith("http://127.0.0.1:")
    req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (loopback only)
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        with e:
            return e.code, json.loads(e.read())


def test_a_pdf_that_makes_pypdf_loop_is_stopped_while_the_server_keeps_answering(
        server: str, tmp_path: Path) -> None:
    slow = filegen.make_slow_pdf(tmp_path / "lambat.pdf")
    (status, doc, _), health_times, elapsed = upload_watching_health(
        Client(server).sign_in(), slow.read_bytes(),
        {"title": "Lambat", "classification": "KA.00", "document_date": "2024-01-01"},
        limit_s=30)
    assert status == 201, doc
    assert doc["text_status"] == "failed"
    assert "3 detik" in doc["text_message"]
    assert elapsed < 15
    assert len(health_times) >= 5 and max(health_times) < 1.0


def _token(server: str) -> dict[str, str]:
    status, body = _request(f"{server}/api/v1/tokens", data=json.dumps(
        {"username": "admin", "password": ADMIN_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    assert status == 201
    return {"Authorization": f"Bearer {body['token']}"}


def test_an_oversized_upload_gets_a_json_413_and_leaves_no_temporary_file(
        server: str, tmp_path: Path, config) -> None:
    big = tmp_path / "besar.txt"
    big.write_bytes(b"arsip " * 250_000)  # 1.5 MB, limit 1 MB
    payload, content_type = multipart(big, {"title": "Besar", "classification": "KA.00",
                                            "document_date": "2024-01-01"})
    status, body = _request(f"{server}/api/v1/documents", data=payload,
                            headers={**_token(server), "Content-Type": content_type})
    assert status == 413
    assert body["error"]["code"] == "too_large"
    assert list((config.upload_dir / ".tmp").iterdir()) == []


def test_a_grossly_oversized_body_is_refused_before_it_is_read(
        server: str, tmp_path: Path, config) -> None:
    import http.client

    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    # Announce 50 MB but send nothing: the refusal must not wait for the body.
    conn.putrequest("POST", "/api/v1/documents")
    conn.putheader("Content-Type", "multipart/form-data; boundary=x")
    conn.putheader("Content-Length", str(50 * 1024 * 1024))
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 413
    assert list((config.upload_dir / ".tmp").iterdir()) == []


def test_a_chunked_upload_without_a_length_is_cut_off_at_the_limit(
        server: str, tmp_path: Path, config) -> None:
    import http.client

    big = tmp_path / "besar.txt"
    big.write_bytes(b"arsip " * 400_000)  # 2.4 MB, limit 1 MB
    payload, content_type = multipart(big, {"title": "Besar", "classification": "KA.00",
                                             "document_date": "2024-01-01"})
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    chunks = (payload[i:i + 65536] for i in range(0, len(payload), 65536))
    conn.request("POST", "/api/v1/documents", body=chunks, encode_chunked=True,
                 headers={**_token(server), "Content-Type": content_type,
                          "Transfer-Encoding": "chunked"})
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    assert response.status == 413
    assert body["error"]["code"] == "too_large"
    assert list((config.upload_dir / ".tmp").iterdir()) == []


def _children(pid: int) -> list[int]:
    """Return the ids of the processes `pid` started (from any of its threads)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def test_stopping_the_server_with_sigterm_ends_it_and_its_worker_without_a_traceback(
        live_server, tmp_path: Path) -> None:
    live_server.start(EARSIP_WORKER="1")
    # A filing starts the extraction workers too: they must end with the server.
    pdf = filegen.make_text_pdf(tmp_path / "surat.pdf", ["Surat undangan rapat"])
    status, doc, _ = Client(live_server.url).sign_in().upload(
        pdf.read_bytes(), {"title": "Undangan", "classification": "KA.00",
                           "document_date": "2024-01-01"})
    assert status == 201, doc
    # The background worker is the server's child: wait until it runs, to stop it too.
    deadline = time.monotonic() + 30
    children: list[int] = []
    while time.monotonic() < deadline and not children:
        children = _children(live_server.pid)
        time.sleep(0.2)
    assert children, live_server.log()
    time.sleep(2)  # let the worker finish starting up
    os.kill(live_server.pid, signal.SIGTERM)
    code = live_server.wait_exit(60)
    output = live_server.log(tail=100_000)
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "KeyboardInterrupt" not in output, output
    # The worker, the extraction forkserver and multiprocessing's resource tracker end too.
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_running(c) for c in children):
        time.sleep(0.1)
    assert not [c for c in children if _running(c)], output


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")
