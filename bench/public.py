"""The public pages under load: 20 clients submitting requests for information (one in four
with a small PNG identity scan) and tracking them, for 2 minutes (``--quick``: 20 s), against a
real ``earsip serve`` (waitress, its default 8 threads, SQLite) with the public rate limits
raised for the run (all clients come from 127.0.0.1).

Half the clients use the HTML pages as a browser does (the form page for its token, the form
sent as multipart, the tracking form sent by POST), half the public API (multipart submission,
GET tracking). Each client repeats: submit one request, then track two of its receipts, waiting
`THINK_S` (jittered) between its requests, as a person or a well-behaved script does; without
the pause the 20 clients would only measure the queue of a saturated two-core machine.

Measured: p50/p95/p99 latency of submissions and of tracking, requests per second, errors
(anything but the expected status, or no answer), and after the run whether anything was lost:
every acknowledged receipt (201 from the API, the receipt page from the form) must be in the
database with its tracking code's hash, and each identity scan sent with it must be a document
of the case whose stored file is on disk with the bytes sent. Targets: p95 < 300 ms for both,
0 errors, 0 lost; errors and losses gate ``make bench-quick``, latencies do not (the machine is
shared and noisy).

Usage: ``python -m bench.public [--quick] [--workdir DIR]`` prints the result as JSON.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from bench import part_main
from bench.load import archive_env, open_archive
from earsip.models import Case, CaseDocument, Document
from earsip.services.cases.tracking import tracking_hash

CLIENTS = 20
DURATION_S = 120
QUICK_DURATION_S = 20
THINK_S = 0.5
TARGET_P95_MS = 300
EARSIP = Path(sys.executable).with_name("earsip")
REQUEST = {"name": "Pemohon Uji Beban", "address": "Jl. Majapahit 10, Mojokerto",
           "occupation": "Peneliti", "phone": "081234567890", "email": "uji@example.id",
           "identity_number": "3576014403900001",
           "information": "Salinan keputusan penetapan pengawas TPS 2024",
           "purpose": "Penelitian", "obtain_method": "salinan_softcopy",
           "copy_method": "email"}
TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
NUMBER = re.compile(r'<dd class="big">([^<]+)</dd>')
CODE = re.compile(r'<dd class="big code">([^<]+)</dd>')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _png(n: int) -> bytes:
    """Return a small PNG identity scan, different for every `n` (the archive refuses a file it
    already holds)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 150), (235, 235, 225))
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 80, 100), outline=(40, 40, 40))
    draw.text((90, 20), f"KTP UJI {n:06d}", fill=(0, 0, 0))
    image.putpixel((n % 240, (n // 240) % 150), (n % 251, n % 241, n % 239))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _multipart(fields: dict[str, str], scan: bytes | None) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                    f"{v}\r\n".encode() for k, v in fields.items())
    if scan is not None:
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="identity_file"; '
                 f'filename="ktp.png"\r\nContent-Type: image/png\r\n\r\n').encode() + scan \
            + b"\r\n"
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


@dataclass
class Receipt:
    number: str
    code: str
    scan_sha256: str | None


@dataclass
class Tally:
    """What the clients saw, shared between their threads (under `lock`)."""

    submit_ms: list[float] = field(default_factory=list)
    track_ms: list[float] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Client:
    """One client: a kept-alive connection, the HTML pages or the API."""

    def __init__(self, port: int, index: int, tally: Tally, deadline: float) -> None:
        self.port = port
        self.index = index
        self.html = index % 2 == 0
        self.tally = tally
        self.deadline = deadline
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.mine: list[Receipt] = []
        self.rng = random.Random(index)
        self.sent = 0

    def _call(self, method: str, path: str, body: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[int, str, float]:
        started = time.perf_counter()
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            response = self.conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            raise
        return response.status, text, (time.perf_counter() - started) * 1000

    def _error(self, what: str) -> None:
        with self.tally.lock:
            self.tally.errors.append(f"client {self.index}: {what}"[:300])

    def _pause(self) -> None:
        time.sleep(THINK_S * self.rng.uniform(0.5, 1.5))

    def submit(self) -> None:
        self.sent += 1
        scan = _png(self.index * 100_000 + self.sent) if self.sent % 4 == 1 else None
        fields = dict(REQUEST)
        if self.html:
            status, page, _ = self._call("GET", "/layanan/permohonan")
            token = TOKEN.search(page)
            if status != 200 or token is None:
                self._error(f"form page {status}")
                return
            fields.update({"form_token": token.group(1), "website": ""})
        body, content_type = _multipart(fields, scan)
        path = "/layanan/permohonan" if self.html else "/api/v1/public/information-requests"
        status, text, ms = self._call("POST", path, body, {"Content-Type": content_type})
        with self.tally.lock:
            self.tally.submit_ms.append(ms)
        expected = 200 if self.html else 201
        if status != expected:
            self._error(f"submit {status}: {text[:160]}")
            return
        if self.html:
            number, code = NUMBER.search(text), CODE.search(text)
            if number is None or code is None:
                self._error("receipt page without number or code")
                return
            receipt = Receipt(number.group(1), code.group(1), None)
        else:
            import json

            answer = json.loads(text)
            receipt = Receipt(answer["registration_number"], answer["tracking_code"], None)
        if scan is not None:
            receipt.scan_sha256 = hashlib.sha256(scan).hexdigest()
        self.mine.append(receipt)
        with self.tally.lock:
            self.tally.receipts.append(receipt)

    def track(self) -> None:
        receipt = self.rng.choice(self.mine)
        if self.html:
            status, page, _ = self._call("GET", "/layanan/lacak")
            token = TOKEN.search(page)
            if status != 200 or token is None:
                self._error(f"tracking page {status}")
                return
            form = urllib.parse.urlencode({"registration_number": receipt.number,
                                           "tracking_code": receipt.code,
                                           "form_token": token.group(1)}).encode()
            status, text, ms = self._call(
                "POST", "/layanan/lacak", form,
                {"Content-Type": "application/x-www-form-urlencoded"})
        else:
            query = urllib.parse.urlencode({"code": receipt.code})
            status, text, ms = self._call(
                "GET", f"/api/v1/public/cases/{receipt.number}?{query}")
        with self.tally.lock:
            self.tally.track_ms.append(ms)
        if status != 200:
            self._error(f"track {status}: {text[:160]}")

    def run(self) -> None:
        time.sleep(self.rng.uniform(0, THINK_S))  # the clients do not start in step
        while time.monotonic() < self.deadline:
            try:
                self.submit()
                for _ in range(2):
                    if not self.mine or time.monotonic() >= self.deadline:
                        break
                    self._pause()
                    self.track()
            except (OSError, http.client.HTTPException) as e:
                self._error(f"no answer: {type(e).__name__}: {e}")
            self._pause()
        self.conn.close()


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0], 1)
    return round(statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1], 1)


def _lost(folder: Path, receipts: list[Receipt]) -> tuple[list[str], int]:
    """Return the receipts not found whole in the database and storage, and the cases held."""
    archive = open_archive(folder)
    lost: list[str] = []
    try:
        with archive.db.read() as session:
            cases = {c.registration_number: c for c in session.scalars(select(Case))}
            for r in receipts:
                case = cases.get(r.number)
                if case is None or case.tracking_hash != tracking_hash(r.code):
                    lost.append(f"{r.number}: no such case, or another code")
                    continue
                if r.scan_sha256 is None:
                    continue
                doc = session.scalars(select(Document).join(
                    CaseDocument, CaseDocument.document_id == Document.id).where(
                    CaseDocument.case_id == case.id, CaseDocument.role == "identitas")).first()
                path = None if doc is None else archive.config.upload_dir / doc.storage_path
                if doc is None or doc.sha256 != r.scan_sha256 or path is None \
                        or not path.is_file() \
                        or hashlib.sha256(path.read_bytes()).hexdigest() != r.scan_sha256:
                    lost.append(f"{r.number}: its identity scan is missing or altered")
        return lost, len(cases)
    finally:
        archive.close()


def run(workdir: Path, *, quick: bool) -> dict:
    """Run the clients against a fresh archive under `workdir`; return the measures."""
    folder = workdir / "public"
    shutil.rmtree(folder, ignore_errors=True)
    open_archive(folder).close()
    port = _free_port()
    env = archive_env(folder, EARSIP_PORT=str(port), EARSIP_WORKER="0", EARSIP_SCHEDULER="0",
                      EARSIP_PUBLIC_SUBMIT_LIMIT="1000000", EARSIP_PUBLIC_LOOKUP_LIMIT="1000000",
                      EARSIP_PUBLIC_MIN_FILL_SECONDS="0")
    log = (folder / "server.log").open("wb")
    server = subprocess.Popen([str(EARSIP), "serve", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    duration = QUICK_DURATION_S if quick else DURATION_S
    tally = Tally()
    try:
        _wait(port, server)
        deadline = time.monotonic() + duration
        clients = [_Client(port, i, tally, deadline) for i in range(CLIENTS)]
        threads = [threading.Thread(target=c.run) for c in clients]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(30)
        log.close()
    lost, cases = _lost(folder, tally.receipts)
    submit_p95 = _percentile(tally.submit_ms, 95)
    track_p95 = _percentile(tally.track_ms, 95)
    requests = len(tally.submit_ms) + len(tally.track_ms)
    result: dict = {
        "name": "public", "clients": CLIENTS, "seconds": round(wall, 1), "think_s": THINK_S,
        "submissions": len(tally.submit_ms), "with_identity_scan":
            sum(1 for r in tally.receipts if r.scan_sha256), "trackings": len(tally.track_ms),
        "requests_per_s": round(requests / wall, 1) if wall else None,
        "submit_ms": {"p50": _percentile(tally.submit_ms, 50), "p95": submit_p95,
                      "p99": _percentile(tally.submit_ms, 99)},
        "track_ms": {"p50": _percentile(tally.track_ms, 50), "p95": track_p95,
                     "p99": _percentile(tally.track_ms, 99)},
        "errors": len(tally.errors), "error_examples": tally.errors[:5],
        "receipts": len(tally.receipts), "cases_in_database": cases, "lost": len(lost),
        "lost_examples": lost[:5],
    }
    result["targets"] = [
        {"name": "public submit p95", "target": TARGET_P95_MS, "measured": submit_p95,
         "unit": "ms", "kind": "absolute",
         "met": submit_p95 is not None and submit_p95 < TARGET_P95_MS},
        {"name": "public track p95", "target": TARGET_P95_MS, "measured": track_p95,
         "unit": "ms", "kind": "absolute",
         "met": track_p95 is not None and track_p95 < TARGET_P95_MS},
        {"name": "public errors", "target": 0, "measured": len(tally.errors), "unit": "",
         "kind": "count", "met": not tally.errors, "gate_max": 0},
        {"name": "public receipts lost", "target": 0, "measured": len(lost), "unit": "",
         "kind": "count", "met": not lost and bool(tally.receipts), "gate_max": 0},
    ]
    return result


def _wait(port: int, server: subprocess.Popen, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
