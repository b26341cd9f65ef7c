"""Memory: peak RSS of the running server while it files a 500-page PDF and while it rebuilds
its index at start-up.

The server is the real one (``earsip serve``: waitress, the extraction workers, the catch-up
thread) on 127.0.0.1 and a free port, with its data under the bench work folder. Every process
of its tree is sampled from /proc every 20 ms; the server's own peak is also read from the
kernel's high-water mark (VmHWM), which catches peaks between samples.

Usage: ``python -m bench.memory [--quick] [--workdir DIR]`` prints the result as JSON.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

from bench import part_main
from bench.corpus import SynthDoc, generate, write_pdf
from bench.load import archive_env, load_synthetic, open_archive
from earsip.errors import SearchUnavailable

ADMIN_PASSWORD = "bench-admin-pass"
EARSIP = Path(sys.executable).with_name("earsip")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(folder: Path, port: int) -> dict[str, str]:
    return archive_env(folder, EARSIP_ADMIN_PASSWORD=ADMIN_PASSWORD, EARSIP_PORT=str(port),
                       EARSIP_MAX_UPLOAD_MB="200", EARSIP_EXTRACT_TIMEOUT="600",
                       # The web server alone, as measured before the background worker (a
                       # service of its own in production) existed.
                       EARSIP_WORKER="0")


def _status_kb(pid: int, field: str) -> int:
    """Return a size field of /proc/<pid>/status (VmRSS, VmHWM) in kB, 0 if gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _rss_kb(pid: int) -> int:
    return _status_kb(pid, "VmRSS")


def _hwm_kb(pid: int) -> int:
    return _status_kb(pid, "VmHWM")


def _tree(root: int) -> list[int]:
    """Return `root` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


class Sampler:
    """Sample the RSS of a process tree until stopped: the server's and its children's peaks."""

    def __init__(self, root: int, interval_s: float = 0.02) -> None:
        self.root = root
        self.interval_s = interval_s
        self.server_peak_kb = 0
        self.children_peak_kb = 0
        self.tree_peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.server_peak_kb = max(self.server_peak_kb, _hwm_kb(self.root))

    def _loop(self) -> None:
        while not self._stop.is_set():
            pids = _tree(self.root)
            sizes = {pid: _rss_kb(pid) for pid in pids}
            server = sizes.pop(self.root, 0)
            self.server_peak_kb = max(self.server_peak_kb, server)
            self.children_peak_kb = max([self.children_peak_kb, *sizes.values()])
            self.tree_peak_kb = max(self.tree_peak_kb, server + sum(sizes.values()))
            self._stop.wait(self.interval_s)

    def as_dict(self) -> dict[str, float]:
        return {"server_peak_mb": round(self.server_peak_kb / 1024, 1),
                "largest_child_peak_mb": round(self.children_peak_kb / 1024, 1),
                "whole_tree_peak_mb": round(self.tree_peak_kb / 1024, 1)}


def _wait_healthy(port: int, proc: subprocess.Popen, timeout_s: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/health",  # noqa: S310
                                        timeout=2) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not become healthy")


def _request(port: int, path: str, *, data: bytes, headers: dict[str, str],
             timeout: float = 900) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,  # noqa: S310
                                 headers=headers, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310
        return json.loads(r.read())


def _upload(port: int, token: str, pdf: Path) -> dict:
    boundary = uuid.uuid4().hex
    fields = {"title": "Laporan tahunan 500 halaman", "classification": "KA.00",
              "document_date": "2024-12-31"}
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items())
    body += (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="{pdf.name}"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    body += pdf.read_bytes() + f"\r\n--{boundary}--\r\n".encode()
    return _request(port, "/api/v1/documents", data=body, headers={
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})


def big_pdf(folder: Path, pages: int) -> tuple[Path, int]:
    """Write (once) a PDF of `pages` pages of synthetic text."""
    path = folder / f"big-{pages}.pdf"
    texts = [p for d in generate(pages, max_pages=1, start=900_000) for p in d.pages][:pages]
    if not path.exists():
        doc = SynthDoc(seq=0, title="Laporan", number="1", classification="KA.00",
                       document_date=generate(1).__next__().document_date, security="biasa",
                       sender="", recipient="", tags=(), pages=tuple(texts))
        write_pdf(doc, path.with_suffix(".tmp"))
        path.with_suffix(".tmp").replace(path)
    return path, sum(len(t) for t in texts)


def _serve(folder: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([str(EARSIP), "serve", "--port", str(port)], env=_env(folder, port),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def filing_500_pages(workdir: Path, pages: int) -> dict:
    """Serve an empty archive and file one `pages`-page PDF through the API."""
    folder = workdir / "memory-filing"
    shutil.rmtree(folder, ignore_errors=True)
    pdf, chars = big_pdf(workdir, pages)
    proc, port = _serve(folder)
    try:
        _wait_healthy(port, proc, 120)
        token = _request(port, "/api/v1/tokens",
                         data=json.dumps({"username": "admin",
                                          "password": ADMIN_PASSWORD}).encode(),
                         headers={"Content-Type": "application/json"})["token"]
        idle_kb = _rss_kb(proc.pid)
        with Sampler(proc.pid) as sampler:
            start = time.perf_counter()
            answer = _upload(port, token, pdf)
            seconds = time.perf_counter() - start
    finally:
        _stop(proc)
    shutil.rmtree(folder, ignore_errors=True)
    return {"pages": pages, "pdf_mb": round(pdf.stat().st_size / 2**20, 2), "text_chars": chars,
            "seconds": round(seconds, 2), "text_status": answer.get("text_status"),
            "server_idle_mb": round(idle_kb / 1024, 1), **sampler.as_dict()}


def rebuild_at_startup(workdir: Path, n: int) -> dict:
    """Serve an archive of `n` documents whose index was deleted: the server rebuilds it."""
    folder = workdir / f"memory-rebuild-{n}"
    try:
        archive = open_archive(folder)
    except SearchUnavailable:  # an index left by other code: it is deleted below anyway
        shutil.rmtree(folder / "index", ignore_errors=True)
        archive = open_archive(folder)
    try:
        load_synthetic(archive, n)
    finally:
        archive.close()
    shutil.rmtree(folder / "index", ignore_errors=True)
    proc, port = _serve(folder)
    try:
        with Sampler(proc.pid) as sampler:
            seconds = _wait_healthy(port, proc, 3600)
    finally:
        _stop(proc)
    return {"documents": n, "seconds_to_healthy": round(seconds, 1), **sampler.as_dict()}


def run(workdir: Path, *, quick: bool) -> dict:
    """Measure the server's memory while filing a large PDF and while rebuilding its index."""
    pages, n = (100, 2000) if quick else (500, 10_000)
    filing = filing_500_pages(workdir, pages)
    rebuild = rebuild_at_startup(workdir, n)
    return {"name": "memory", "quick": quick, "filing": filing, "rebuild": rebuild,
            "targets": []}


if __name__ == "__main__":
    sys.exit(part_main(run, __doc__))
