"""The worker beside `earsip serve`: a child process (`python -m earsip worker`), restarted
when it dies, stopped with the server, and told by the kernel to exit if the server is killed
(Linux `PR_SET_PDEATHSIG`), so no orphan worker outlives it."""

from __future__ import annotations

import contextlib
import ctypes
import logging
import signal
import subprocess
import sys
import threading

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
RESTART_DELAYS_S = (1, 5, 30, 60)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


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
                preexec_fn=_die_with_parent)

    def keep_running(self, stop: threading.Event) -> None:
        """Start the child and restart it whenever it ends, until `stop` is set."""
        failures = 0
        while not stop.is_set():
            self.start()
            proc = self._proc
            if proc is None:
                return
            while proc.poll() is None:
                if stop.wait(1.0):
                    return
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
