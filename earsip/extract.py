"""Extract searchable text from an accepted file, in a child process with time and memory limits.

Why a child: pypdf has decompression limits but some inputs still loop or crawl (one real file
takes 29 s), and parsers can allocate without bound. So the web process never parses a PDF or
a zip itself. Each call forks a fresh child from a multiprocessing *forkserver* whose preloaded
package (``earsip.extractors``) has already imported pypdf and defusedxml; the child sets its
own ``RLIMIT_AS`` before opening the file and sends one plain dict back through a ``Pipe``. The
parent waits on the pipe with a wall-clock deadline and SIGKILLs and reaps the child when it runs
over. Plain ``fork`` from the threaded web process is avoided (a lock held by another thread at
fork time deadlocks the child); ``ProcessPoolExecutor`` is avoided because it cannot kill one hung
task. At most ``MAX_CONCURRENT`` children run at once (memory: each may use ``memory_mb``); other
callers wait for a slot, and that wait does not count against their time limit.

Measured on the 2-core development machine (Python 3.11, pypdf 7.1.1, November 2026): a
one-page text PDF takes 13-22 ms per call end to end once the forkserver is warm (fork, limits,
parse, pipe, reap), against 2.4 ms for pypdf in-process; the first call also starts the
forkserver (about 0.4 s). Without the main-script fix in ``_context`` it was 75 ms when the main
script imports Flask. ``measure_overhead`` repeats the measurement.

PNG and JPEG need no parsing (``not_applicable``, one page) and do not start a child.
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

from earsip.errors import UnreadableFile, UnsupportedType
from earsip.filetypes import DOCX, JPEG, ODT, PDF, PNG, TEXT, TIFF, XLSX

log = logging.getLogger(__name__)


SUPPORTED_TYPES = frozenset({PDF, PNG, JPEG, TIFF, TEXT, DOCX, XLSX, ODT})
STATUSES = frozenset({"extracted", "empty", "encrypted", "failed", "not_applicable"})
MAX_CONCURRENT = 4
IMAGE_MESSAGE = "Gambar: teks belum dibaca (OCR belum tersedia)."
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


_ctx_lock = threading.Lock()
_ctx: Any = None
_max_concurrent = MAX_CONCURRENT
_slots = threading.BoundedSemaphore(MAX_CONCURRENT)
_live_lock = threading.Lock()
_live: set[Any] = set()


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


def _child_entry(conn: Connection, path: str, mime: str, memory_mb: int, max_chars: int) -> None:
    """Run in the child: hand over to the preloaded parsing package."""
    from earsip import extractors

    extractors.run(conn, path, mime, memory_mb, max_chars)


def extract(path: str | os.PathLike[str], mime: str, limits: Limits = Limits()) -> Extraction:  # noqa: B008
    """Extract the text of a file of the given (detected) type within the limits."""
    if mime not in SUPPORTED_TYPES:
        raise UnsupportedType(f"Ekstraksi teks tidak tersedia untuk jenis {mime}.")
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    if mime in (PNG, JPEG):
        return Extraction("not_applicable", "", 1, IMAGE_MESSAGE)
    with _slots:
        result = _run_child(path, mime, limits)
    if "unreadable" in result:
        if mime == PDF:
            raise UnreadableFile(
                f"Berkas PDF rusak atau bukan PDF yang sah: {result['unreadable']}."
            )
        raise UnreadableFile(f"Berkas rusak atau tidak bisa dibuka: {result['unreadable']}.")
    status = result.get("status")
    if status not in STATUSES:
        return Extraction("failed", "", None, "Ekstraksi teks gagal: hasil tidak dikenal.")
    return Extraction(status, result.get("text") or "", result.get("pages"), result.get("message"))


def _run_child(path: str, mime: str, limits: Limits) -> dict[str, Any]:
    """Start a child for one file, wait for its result or kill it at the deadline."""
    ctx = _context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(
        target=_child_entry,
        args=(sender, path, mime, limits.memory_mb, limits.max_text_chars),
        daemon=True,
        name="earsip-extract",
    )
    with _live_lock:
        _live.add(proc)
    try:
        try:
            proc.start()
        except Exception:
            log.exception("could not start an extraction child")
            return _failed("Ekstraksi teks gagal: proses pembantu tidak bisa dimulai.")
        finally:
            sender.close()
        started = time.monotonic()
        result: dict[str, Any] | None = None
        if receiver.poll(limits.timeout_s):
            try:
                result = receiver.recv()
            except (EOFError, OSError):
                result = None
        else:
            _kill(proc)
            log.warning("extraction of %s killed after %.1f s", path, time.monotonic() - started)
            return _failed(
                f"Ekstraksi teks dihentikan: melebihi batas waktu {limits.timeout_s:g} detik."
            )
        proc.join(5)
        if proc.is_alive():
            _kill(proc)
        if result is None:
            return _failed(_death_message(proc.exitcode, limits))
        return result
    finally:
        receiver.close()
        if proc.pid is not None and proc.is_alive():
            _kill(proc)
        with _live_lock:
            _live.discard(proc)
        if proc.pid is not None:
            proc.close()


def _kill(proc: Any) -> None:
    """SIGKILL a child and reap it."""
    with contextlib.suppress(OSError, ValueError):
        proc.kill()
    proc.join()


def _death_message(exitcode: int | None, limits: Limits) -> str:
    """Explain a child that ended without sending a result."""
    if exitcode is not None and exitcode < 0:
        sig = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else exitcode
        hint = " (kemungkinan kehabisan memori)" if exitcode == -signal.SIGKILL else ""
        return f"Proses ekstraksi teks berhenti mendadak oleh sinyal {sig}{hint}."
    return (
        f"Proses ekstraksi teks berhenti tanpa hasil (kode keluar {exitcode}); kemungkinan "
        f"memerlukan memori melebihi batas {limits.memory_mb} MB."
    )


def _failed(message: str) -> dict[str, Any]:
    """Return a failed result dict."""
    return {"status": "failed", "text": "", "pages": None, "message": message}


def shutdown() -> None:
    """Kill running extraction children and stop the forkserver; safe to call twice."""
    with _live_lock:
        procs = list(_live)
    for proc in procs:
        try:
            if proc.is_alive():
                proc.kill()
        except (OSError, ValueError):
            pass
    from multiprocessing import forkserver

    server = getattr(forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)
    if stop is not None:
        try:
            stop()
        except OSError:
            log.warning("forkserver did not stop cleanly", exc_info=True)


def measure_overhead(path: str | os.PathLike[str], calls: int = 20) -> float:
    """Return the mean seconds per extract() of a (tiny) PDF, after one warm-up call."""
    extract(path, PDF)
    start = time.perf_counter()
    for _ in range(calls):
        extract(path, PDF)
    return (time.perf_counter() - start) / calls
