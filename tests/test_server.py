"""A real waitress server on 127.0.0.1: hostile PDFs are bounded and the server keeps answering."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from waitress.server import create_server

from earsip import create_app
from earsip.services import Archive, setup
from tests import filegen
from tests.conftest import ADMIN_PASSWORD


@pytest.fixture
def server(config) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Serve the app with waitress on a free port; yield its base URL."""
    limited = replace(config, extract_timeout_s=3)
    archive = Archive.open(limited)
    setup.initialise(archive)
    archive.close()
    app = create_app(limited)
    srv = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.effective_port}"
    srv.close()
    thread.join(timeout=5)
    app.extensions["earsip"].close()


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


def _multipart(path: Path, fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
             .encode() for k, v in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"{path.name}\"\r\nContent-Type: application/pdf\r\n\r\n".encode()
                 + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def test_a_pdf_that_makes_pypdf_loop_is_stopped_while_the_server_keeps_answering(
        server: str, tmp_path: Path) -> None:
    status, body = _request(f"{server}/api/v1/tokens", data=json.dumps(
        {"username": "admin", "password": ADMIN_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    assert status == 201
    auth = {"Authorization": f"Bearer {body['token']}"}
    slow = filegen.make_slow_pdf(tmp_path / "lambat.pdf")
    payload, content_type = _multipart(slow, {"title": "Lambat", "classification": "KA.00",
                                              "document_date": "2024-01-01"})
    result: dict[str, object] = {}

    def upload() -> None:
        result["response"] = _request(f"{server}/api/v1/documents", data=payload,
                                      headers={**auth, "Content-Type": content_type})

    started = time.monotonic()
    uploader = threading.Thread(target=upload)
    uploader.start()
    health_times = []
    while uploader.is_alive() and time.monotonic() - started < 30:
        t0 = time.monotonic()
        assert _request(f"{server}/api/v1/health", timeout=5) == (200, {"status": "ok"})
        health_times.append(time.monotonic() - t0)
        time.sleep(0.1)
    uploader.join(timeout=30)
    elapsed = time.monotonic() - started
    status, doc = result["response"]  # type: ignore[misc]
    assert status == 201, doc
    assert doc["text_status"] == "failed"
    assert "3 detik" in doc["text_message"]
    assert elapsed < 15
    assert len(health_times) >= 5 and max(health_times) < 1.0
