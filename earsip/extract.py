"""Extract searchable text from an accepted file, in worker processes with time and memory limits.

Why a separate process: pypdf has decompression limits but some inputs still loop or crawl
(one real file takes 29 s), and parsers can allocate without bound. So the web process never
parses a PDF or a zip itself. Extraction runs in *worker processes* started from a
multiprocessing forkserver whose preloaded package (``earsip.extractors``) has already imported
pypdf and defusedxml. A worker caps its own ``RLIMIT_AS`` before it reads its first request and
then serves one file at a time through a ``Pipe``, sending one plain dict back per file. The
caller waits on the pipe with a wall-clock deadline; a worker that runs over is SIGKILLed and
reaped, and one that dies (out of memory) is reaped and reported; either way the next file gets
a fresh worker. A worker is also retired after ``RECYCLE_AFTER_JOBS`` files, after any failed
extraction and when its resident memory grows past ``RECYCLE_ABOVE_MB``, so what one file did to
a worker's heap does not last. Plain ``fork`` from the threaded web process is avoided (a lock
held by another thread at fork time deadlocks the child); ``ProcessPoolExecutor`` is avoided
because it cannot kill one hung task. At most ``max_concurrent()`` extractions run at once
(memory: each worker may use ``memory_mb``); other callers wait for a slot, and that wait does
not count against their time limit.

Measured on the 2-core development machine (Python 3.11, pypdf 7.1.1, November 2026): a fresh
forked child per file cost 13-22 ms per call end to end (fork, limits, parse, pipe, reap) against
2.4 ms for pypdf in-process; a reused worker costs well under a millisecond more than pypdf
itself (bench/filing.py measures it). The first call also starts the forkserver (about 0.4 s).

PNG and JPEG need no parsing (``not_applicable``, one page) and do not use a worker.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import dataclass
from multiprocessing import spawn
from multiprocessing.connection import Connection
from typing import Any

from earsip.errors import N_, UnreadableFile, UnsupportedType
from earsip.extractors.text import TOO_HEAVY, UNEXPECTED
from earsip.filetypes import DOCX, JPEG, ODT, PDF, PNG, TEXT, TIFF, XLSX
from earsip.signatures import SignatureCheck, load_trust_roots

log = logging.getLogger(__name__)


SUPPORTED_TYPES = frozenset({PDF, PNG, JPEG, TIFF, TEXT, DOCX, XLSX, ODT})
PREVIEW_TYPES = frozenset({PDF, PNG, JPEG, TIFF, TEXT, DOCX})  # TEXT and DOCX: their text drawn
TEXT_PREVIEW_TYPES = frozenset({TEXT, DOCX})
STATUSES = frozenset({"extracted", "empty", "encrypted", "failed", "not_applicable"})
MAX_CONCURRENT = 4
IMAGE_MESSAGE = N_("Gambar: teks belum dibaca (OCR belum tersedia).")
NO_WORKER = N_("Teks berkas belum bisa dibaca karena server sedang sibuk atau bermasalah. Berkas "
               "tetap tersimpan; beri tahu administrator bila isinya perlu dicari.")
_CHILD_MODULE = "earsip.extractors"
MAIN_ENV = "EARSIP_EXTRACT_PARENT_MAIN"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one extraction."""

    timeout_s: float = 60.0
    memory_mb: int = 1024
    max_text_chars: int = 20_000_000


@dataclass(frozen=True)
class Extraction:
    """The outcome of extracting one file."""

    status: str
    text: str
    pages: int | None
    message: str | None
    blank_pages: int = 0  # PDF pages without a text layer (scanned pages, for OCR)
    detail: str | None = None  # the technical cause of a failure: for the audit entry only


RECYCLE_AFTER_JOBS = 200
RECYCLE_ABOVE_MB = 256


@dataclass(eq=False)
class _Worker:
    """A running extraction worker and the parent's end of its pipe."""

    proc: Any
    conn: Connection
    memory_mb: int
    jobs: int = 0


_ctx_lock = threading.Lock()
_ctx: Any = None
_max_concurrent = MAX_CONCURRENT
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_pool_lock = threading.Lock()
_idle: list[_Worker] = []
_busy: set[_Worker] = set()


def set_max_concurrent(n: int) -> None:
    """Allow `n` extractions at once from now on (callers already waiting keep the old cap)."""
    global _slots, _max_concurrent
    _max_concurrent = max(1, n)
    _slots = threading.BoundedSemaphore(_max_concurrent)


def max_concurrent() -> int:
    """Return how many extractions may run at once."""
    return _max_concurrent


def _context() -> Any:
    """Return the forkserver context, configuring its preload once."""
    global _ctx
    with _ctx_lock:
        if _ctx is None:
            ctx = multiprocessing.get_context("forkserver")
            # Each forkserver child normally re-runs the parent's main script (waitress-serve,
            # the earsip CLI, pytest: 60+ ms per call). The child needs nothing from it, so
            # the preloaded package makes the forkserver's __main__ look like the parent's
            # (see extractors.pose_as_main) and multiprocessing skips the re-run.
            # ("__main__" in the preload list would do this, but 3.11 never passes the path.)
            main = spawn.get_preparation_data("earsip-extract")
            for key in ("init_main_from_name", "init_main_from_path"):
                if key in main:
                    os.environ[MAIN_ENV] = f"{key}={main[key]}"
            ctx.set_forkserver_preload([__name__, _CHILD_MODULE])
            _ctx = ctx
        return _ctx


def _worker_entry(conn: Connection, memory_mb: int) -> None:
    """Run in the worker: hand over to the preloaded parsing package."""
    from earsip import extractors

    extractors.serve(conn, memory_mb)


def extract(path: str | os.PathLike[str], mime: str, limits: Limits = Limits()) -> Extraction:  # noqa: B008
    """Extract the text of a file of the given (detected) type within the limits."""
    if mime not in SUPPORTED_TYPES:
        raise UnsupportedType("Ekstraksi teks tidak tersedia untuk jenis %(mime)s.",
                              params={"mime": mime})
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    if mime in (PNG, JPEG):
        return Extraction("not_applicable", "", 1, IMAGE_MESSAGE)
    with _slots:
        result = _run_in_worker((path, mime, limits.max_text_chars), limits)
    if "unreadable" in result:
        detail = str(result["unreadable"])
        if mime == PDF:
            raise UnreadableFile("Berkas PDF rusak atau terpotong; simpan ulang dari aplikasi "
                                 "aslinya lalu unggah lagi.", detail=detail)
        raise UnreadableFile("Berkas rusak atau terpotong sehingga tidak bisa dibuka; simpan "
                             "ulang dari aplikasi aslinya lalu unggah lagi.", detail=detail)
    status = result.get("status")
    if status not in STATUSES:
        return Extraction("failed", "", None, UNEXPECTED, detail=f"unknown status {status!r}")
    return Extraction(status, result.get("text") or "", result.get("pages"), result.get("message"),
                      int(result.get("blank_pages") or 0), result.get("detail"))


def preview(path: str | os.PathLike[str], mime: str, out_path: str | os.PathLike[str],
            limits: Limits = Limits(), max_px: int = 800) -> str | None:  # noqa: B008
    """Write a PNG of the first page of a PDF or image (or the first lines of a text file or
    DOCX, drawn) to `out_path`; return None, or why there is none (technical, for the audit).

    Rendering parses the file as hostile as extraction does, so it runs in a worker too.
    """
    if mime not in PREVIEW_TYPES:
        return "no preview for this file type"
    with _slots:
        result = _run_in_worker(("preview", os.fspath(path), mime, os.fspath(out_path), max_px),
                                limits)
    if result.get("status") != "preview":
        why = str(result.get("detail") or result.get("message") or "no preview")
        log.info("no preview of %s: %s", path, why)
        return why
    return None


def render_pages(path: str | os.PathLike[str], mime: str, out_dir: str | os.PathLike[str], *,
                 dpi: int, start: int, count: int,
                 limits: Limits) -> tuple[list[dict[str, str | None]], int]:
    """Render pages `start`.. (at most `count`) of a PDF or image for OCR into `out_dir`, in a
    worker with `limits`; return them and the file's number of pages.

    Each page is {"text", "image"}: the text layer of a PDF page that has one, else the path of
    its image. Raise UnreadableFile when the file cannot be rendered.
    """
    with _slots:
        result = _run_in_worker(("render", os.fspath(path), mime, os.fspath(out_dir), dpi,
                                 start, count), limits)
    if result.get("status") != "rendered":
        raise UnreadableFile("Halaman tidak dapat dirender untuk OCR: berkas rusak, terlalu berat "
                             "atau terlalu lama dibaca.",
                             detail=result.get("detail") or result.get("message"))
    return list(result["pages"]), int(result["total"])


def searchable_copy(path: str | os.PathLike[str], target: str | os.PathLike[str], mime: str, *,
                    languages: str, work_dir: str | os.PathLike[str],
                    limits: Limits) -> dict[str, Any]:
    """Make the searchable copy of a PDF or image with OCRmyPDF in a worker with `limits`
    (see `extractors/pdfa.py`); return the worker's result: "copied" (with each page's text)
    or "failed"."""
    with _slots:
        return _run_in_worker(("pdfa", os.fspath(path), os.fspath(target), mime, languages,
                               os.fspath(work_dir)), limits)


SIGNATURE_LIMITS = Limits(timeout_s=30.0)


def verify_signatures(path: str | os.PathLike[str], *, trust_roots: str | None,
                      limits: Limits = SIGNATURE_LIMITS) -> list[SignatureCheck]:
    """Check a PDF's signatures in a worker (see `earsip.signatures`): [] when unsigned.

    Raise TrustRootsInvalid for an unusable `trust_roots` folder, UnreadableFile for a file that
    is not a readable PDF or whose check ran over the limits.
    """
    roots = load_trust_roots(trust_roots) if trust_roots is not None else None
    with _slots:
        result = _run_in_worker(("signatures", os.fspath(path), roots), limits)
    if "unreadable" in result:
        raise UnreadableFile(str(result["unreadable"]), detail=result.get("detail"))
    if result.get("status") != "signatures":
        raise UnreadableFile("Tanda tangan elektronik tidak dapat diperiksa: PDF ini terlalu "
                             "berat atau terlalu lama dibaca. Berkas tetap dapat disimpan.",
                             detail=result.get("detail") or result.get("message"))
    return [SignatureCheck(**check) for check in result["checks"]]


def _run_in_worker(request: tuple[Any, ...], limits: Limits) -> dict[str, Any]:
    """Send one request to a worker; wait for its result or kill the worker at the deadline."""
    path = request[1] if request[0] in ("preview", "render", "pdfa", "signatures") else request[0]
    worker = _checkout(limits.memory_mb)
    if worker is None:
        return _failed(NO_WORKER, "the extraction worker could not be started")
    keep = False
    try:
        started = time.monotonic()
        try:
            worker.conn.send(request)
        except OSError:  # the idle worker died meanwhile (killed from outside)
            _retire(worker, kill=True)
            worker = _checkout(limits.memory_mb)
            if worker is None:
                return _failed(NO_WORKER, "the extraction worker could not be started")
            worker.conn.send(request)
        if not worker.conn.poll(limits.timeout_s):
            log.warning("extraction of %s killed after %.1f s", path, time.monotonic() - started)
            return _failed(
                f"Teks berkas tidak dibaca: pembacaannya melebihi batas waktu "
                f"{limits.timeout_s:g} detik. Berkas tetap tersimpan; bila isinya perlu dicari, "
                "simpan ulang dari aplikasi aslinya (atau dalam bagian lebih kecil) lalu unggah "
                "lagi.", f"worker killed after {limits.timeout_s:g} s")
        try:
            result: dict[str, Any] = worker.conn.recv()
        except (EOFError, OSError):
            worker.proc.join(5)
            return _failed(TOO_HEAVY, _death_detail(worker.proc.exitcode, limits))
        worker.jobs += 1
        keep = result.get("status") not in ("failed", None) and "unreadable" not in result
        return result
    finally:
        if worker is None:
            pass
        elif keep and worker.jobs < RECYCLE_AFTER_JOBS and _rss_mb(worker) < RECYCLE_ABOVE_MB:
            _checkin(worker)
        else:
            _retire(worker, kill=not keep)


def _start_worker(memory_mb: int) -> _Worker | None:
    ctx = _context()
    parent_end, child_end = ctx.Pipe(duplex=True)
    proc = ctx.Process(target=_worker_entry, args=(child_end, memory_mb), daemon=True,
                       name="earsip-extract")
    try:
        proc.start()
    except Exception:
        log.exception("could not start an extraction worker")
        parent_end.close()
        return None
    finally:
        child_end.close()
    return _Worker(proc, parent_end, memory_mb)


def _checkout(memory_mb: int) -> _Worker | None:
    """Return an idle worker with this memory limit, or a new one; mark it busy."""
    with _pool_lock:
        for i in range(len(_idle) - 1, -1, -1):
            if _idle[i].memory_mb == memory_mb:
                idle = _idle.pop(i)
                _busy.add(idle)
                return idle
    worker = _start_worker(memory_mb)
    if worker is not None:
        with _pool_lock:
            _busy.add(worker)
    return worker


def _checkin(worker: _Worker) -> None:
    """Return a healthy worker to the idle list (or retire it when enough are idle)."""
    with _pool_lock:
        _busy.discard(worker)
        if worker.proc.is_alive() and len(_idle) < _max_concurrent:
            _idle.append(worker)
            return
    _retire(worker, kill=False)


def _retire(worker: _Worker, *, kill: bool) -> None:
    """Stop a worker (politely, or with SIGKILL) and reap it."""
    with _pool_lock:
        _busy.discard(worker)
        if worker in _idle:
            _idle.remove(worker)
    proc = worker.proc
    if not kill:
        with contextlib.suppress(OSError, ValueError):
            worker.conn.send(None)
        proc.join(1)
    if proc.is_alive():
        _kill(proc)
    else:
        proc.join()
    worker.conn.close()
    proc.close()


def _rss_mb(worker: _Worker) -> float:
    """Return the worker's resident memory in MB (0 where /proc is unavailable)."""
    try:
        with open(f"/proc/{worker.proc.pid}/statm", encoding="ascii") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _kill(proc: Any) -> None:
    """SIGKILL a child and reap it."""
    with contextlib.suppress(OSError, ValueError):
        proc.kill()
    proc.join()


def _death_detail(exitcode: int | None, limits: Limits) -> str:
    """Explain (for the audit entry) a child that ended without sending a result."""
    if exitcode is not None and exitcode < 0:
        sig = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else exitcode
        return f"the extraction worker was ended by signal {sig} (memory limit " \
               f"{limits.memory_mb} MB)"
    return f"the extraction worker exited with code {exitcode} without a result (memory " \
           f"limit {limits.memory_mb} MB)"


def _failed(message: str, detail: str) -> dict[str, Any]:
    """Return a failed result dict: `message` for the user, `detail` for the audit entry."""
    return {"status": "failed", "text": "", "pages": None, "message": message, "detail": detail}


def worker_pids() -> list[int]:
    """Return the process ids of the running extraction workers (idle and busy)."""
    with _pool_lock:
        return [w.proc.pid for w in [*_idle, *_busy]]


def shutdown() -> None:
    """Stop the extraction workers and the forkserver; safe to call twice."""
    with _pool_lock:
        idle = list(_idle)
        busy = list(_busy)
    for worker in idle:
        _retire(worker, kill=False)
    for worker in busy:  # their callers get a "stopped" failure and reap them
        with contextlib.suppress(OSError, ValueError):
            worker.proc.kill()
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None:
        try:
            stop()
        except OSError:
            log.warning("forkserver did not stop cleanly", exc_info=True)
