"""A real E-Arsip server (`earsip serve`, waitress) in a child process, and a small HTTP client.

Used by the crash, fault, concurrency and load tests: they kill the server with SIGKILL, lock
its database, fill its disk, and upload from several clients at once, so it must be a process
of its own, started the way `make run` starts it (minus the background worker, which these
tests do not need).
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from tests import filegen
from tests.conftest import ADMIN_PASSWORD

PROJECT = Path(__file__).resolve().parents[1]
# What a client sees when the server died under its request.
CONNECTION_LOST = (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine,
                   urllib.error.URLError, TimeoutError)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`earsip serve` on a free port of 127.0.0.1, over the archive that `env` names."""

    def __init__(self, env: dict[str, str], log_path: Path, *, threads: int = 3) -> None:
        self.env = {**os.environ, **env, "EARSIP_WORKER": "0", "EARSIP_SCHEDULER": "0",
                    "EARSIP_THREADS": str(threads)}
        self.env.pop("EARSIP_FAULTS", None)
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, *, faults: str = "", timeout_s: float = 90, **extra: str) -> LiveServer:
        """Start the server (with fault points armed, if given) and wait until it answers."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        port = free_port()
        env = {**self.env, **extra, "EARSIP_FAULTS": faults}
        with open(self.log_path, "ab") as log:
            log.write(f"\n=== start faults={faults!r} {extra}\n".encode())
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "earsip", "serve", "--port", str(port)], cwd=PROJECT,
                env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if Client(self.url).get("/api/v1/health", timeout=2)[0] == 200:
                    return self
            except CONNECTION_LOST:
                pass
            time.sleep(0.05)
        raise AssertionError(f"server did not answer within {timeout_s} s:\n{self.log()}")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def wait_exit(self, timeout_s: float = 30) -> int:
        """Return the exit status once the server has ended (negative: killed by a signal)."""
        assert self.proc is not None
        return self.proc.wait(timeout_s)

    def kill(self) -> None:
        """SIGKILL the server and whatever it started."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)
        self._reap_group()

    def stop(self) -> None:
        """Stop the server the way an operator would (SIGTERM), killing it if it lingers."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)
        self._reap_group()

    def _reap_group(self) -> None:
        # Extraction workers die with the server; make sure no straggler outlives a test.
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)

    def log(self, tail: int = 4000) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return text[-tail:]


class Client:
    """JSON over HTTP to a live server; `auth` is the Authorization header once signed in."""

    def __init__(self, url: str, auth: dict[str, str] | None = None) -> None:
        self.url = url
        self.auth = dict(auth or {})

    def request(self, method: str, path: str, *, data: bytes | None = None,
                headers: dict[str, str] | None = None,
                timeout: float = 120) -> tuple[int, dict, dict[str, str]]:
        """Return (status, JSON body, headers); raise one of CONNECTION_LOST if the server
        went away."""
        req = urllib.request.Request(self.url + path, data=data, method=method,  # noqa: S310
                                     headers={**self.auth, **(headers or {})})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 (loopback)
                return r.status, _json(r.read()), dict(r.headers)
        except urllib.error.HTTPError as e:
            with e:
                return e.code, _json(e.read()), dict(e.headers)

    def get(self, path: str, **kwargs: float) -> tuple[int, dict, dict[str, str]]:
        return self.request("GET", path, **kwargs)

    def sign_in(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> Client:
        status, body, _ = self.request(
            "POST", "/api/v1/tokens", data=json.dumps({"username": username,
                                                       "password": password}).encode(),
            headers={"Content-Type": "application/json"})
        assert status == 201, body
        return Client(self.url, {"Authorization": f"Bearer {body['token']}"})

    def upload(self, payload: bytes, fields: dict[str, str], *, filename: str = "surat.pdf",
               timeout: float = 300) -> tuple[int, dict, dict[str, str]]:
        body, content_type = multipart_bytes(payload, fields, filename=filename)
        return self.request("POST", "/api/v1/documents", data=body, timeout=timeout,
                            headers={"Content-Type": content_type})

    def search(self, q: str, **params: str) -> tuple[int, dict, dict[str, str]]:
        query = urllib.parse.urlencode({"q": q, **params})
        return self.get(f"/api/v1/search?{query}")


def run_together(threads: list[threading.Thread]) -> float:
    """Start `threads`, wait for all of them; return the seconds that took."""
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def upload_watching_health(client: Client, payload: bytes, fields: dict[str, str], *,
                           limit_s: float = 60) -> tuple[tuple[int, dict, dict[str, str]],
                                                         list[float], float]:
    """Upload in a thread while asking `/api/v1/health` every 0.05 s (each answer must be a
    200); return the upload's answer, the health checks' latencies and the seconds taken."""
    result: list[tuple[int, dict, dict[str, str]]] = []
    uploader = threading.Thread(target=lambda: result.append(client.upload(payload, fields)))
    started = time.monotonic()
    uploader.start()
    health = []
    while True:  # at least once, however quick the upload
        t0 = time.monotonic()
        assert Client(client.url).get("/api/v1/health", timeout=5)[0] == 200
        health.append(time.monotonic() - t0)
        if not uploader.is_alive() or time.monotonic() - started > limit_s:
            break
        time.sleep(0.05)
    uploader.join(limit_s)
    assert result, "the upload did not finish"
    return result[0], health, time.monotonic() - started


def multipart_bytes(payload: bytes, fields: dict[str, str], *,
                    filename: str = "surat.pdf") -> tuple[bytes, str]:
    """Return a multipart/form-data body with `fields` and `payload` as `file`, and its type."""
    boundary = uuid.uuid4().hex
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    body += payload + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _json(raw: bytes) -> dict:
    try:
        return json.loads(raw) if raw else {}
    except ValueError:
        return {"raw": raw[:500].decode(errors="replace")}


FIELDS = {"classification": "KA.00", "document_date": "2024-03-01"}


def pdf_bytes(tmp: Path, text: str, *, size: int = 0, seed: str = "") -> bytes:
    """Return a one-page text PDF saying `text`; with `size`, padded to about that many bytes
    with an incompressible attachment (what a scanned annex weighs, without slowing extraction).
    """
    path = filegen.make_text_pdf(tmp / f"{uuid.uuid4().hex}.pdf", [text])
    if size <= path.stat().st_size:
        data = path.read_bytes()
    else:
        writer = PdfWriter(clone_from=PdfReader(path))
        filler = hashlib.shake_256(f"{seed}{text}".encode()).digest(size - path.stat().st_size)
        writer.add_attachment("lampiran.bin", filler)
        out = io.BytesIO()
        writer.write(out)
        data = out.getvalue()
    path.unlink()
    return data


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
