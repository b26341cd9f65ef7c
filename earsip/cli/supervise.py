"""The worker beside `earsip serve`: a child process (`python -m earsip worker`), restarted
when it dies, stopped with the server. The child asks the kernel to end it if the server is
killed (`die_with_parent`, Linux `PR_SET_PDEATHSIG`), so no orphan worker outlives it; it does
so itself, at start-up, rather than between fork and exec in this threaded process."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
RESTART_DELAYS_S = (1, 5, 30, 60)
PARENT_ENV = "EARSIP_WORKER_PARENT_PID"
STEADY_S = 300.0  # a worker that ran this long starts the restart delays afresh


def die_with_parent() -> None:
    """In a worker started by `earsip serve`: end with SIGTERM when the server ends."""
    parent = os.environ.get(PARENT_ENV)
    if not parent:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if str(os.getppid()) != parent:  # the server ended before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


class WorkerProcess:
    """Run `earsip worker` as a child of this process until `stop`."""

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = False

    def start(self) -> None:
        """Start the child (the server initialised already)."""
        with self._lock:
            if self._stopping:
                return
            self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [sys.executable, "-m", "earsip", "worker", "--no-init"],
                env={**os.environ, PARENT_ENV: str(os.getpid())})

    def keep_running(self, stop: threading.Event) -> None:
        """Start the child and restart it whenever it ends, until `stop` is set."""
        failures = 0
        while not stop.is_set():
            self.start()
            proc = self._proc
            if proc is None:
                return
            started = time.monotonic()
            while proc.poll() is None:
                if stop.wait(1.0):
                    return
            if time.monotonic() - started > STEADY_S:
                failures = 0
            delay = RESTART_DELAYS_S[min(failures, len(RESTART_DELAYS_S) - 1)]
            log.warning("the background worker ended (exit %s); restarting in %s s",
                        proc.returncode, delay)
            failures += 1
            if stop.wait(delay):
                return

    def stop(self, timeout_s: float = 30.0) -> None:
        """Ask the child to finish (SIGTERM) and wait; kill it after `timeout_s`."""
        with self._lock:
            self._stopping = True
            proc = self._proc
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
