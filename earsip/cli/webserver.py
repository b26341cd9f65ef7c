"""The waitress server of `earsip serve` (and of the tests that serve the app).

Waitress receives a whole request before the app sees it, and keeps a body over 512 KB in an
anonymous temporary file (inside `uploads/.spool`, see `earsip serve`). When that write fails
because the disk is full (or a file-size or quota limit is reached), waitress would drop the
connection with nothing said. Here the rest of the body is read and thrown away instead, and
the client gets a clear 507 with the same JSON error the app gives; the event is audited
(`storage.full`) and logged.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import create_server
from waitress.utilities import Error

from config import Config

if TYPE_CHECKING:
    from earsip.services import Archive

log = logging.getLogger(__name__)
FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
MESSAGE = ("Ruang penyimpanan arsip penuh; berkas tidak disimpan. Beri tahu administrator, "
           "lalu unggah lagi.")


def server_options(config: Config) -> dict[str, object]:
    """Return the waitress settings of `earsip serve` (the tests serve with the same)."""
    return {
        "threads": config.threads,
        # Flask answers bodies just over the limit itself (a JSON or HTML 413); waitress
        # refuses anything bigger (a plain 413) before buffering it.
        "max_request_body_size": config.max_upload_bytes + 2 * 1024 * 1024,
        "ident": "E-Arsip",
    }


class InsufficientStorage(Error):
    """Waitress's error response for a body that could not be spooled: JSON, like the app's."""

    code = 507
    reason = "Insufficient Storage"

    def to_response(self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        body = json.dumps({"error": {"code": "storage_full", "message": self.body}}).encode()
        return (f"{self.code} {self.reason}",
                [("Content-Type", "application/json"), ("Retry-After", "600")], body)


class _Discard:
    """A request-body buffer that only counts: what is left of a body that cannot be kept."""

    def __init__(self, size: int) -> None:
        self.size = size

    def append(self, data: bytes) -> None:
        self.size += len(data)

    def __len__(self) -> int:
        return self.size

    def __bool__(self) -> bool:
        return True

    def get(self, numbytes: int = -1, skip: bool = False) -> bytes:
        return b""

    def getfile(self) -> io.BytesIO:
        return io.BytesIO()

    def prune(self) -> None:
        pass

    def close(self) -> None:
        pass


class SpoolGuardParser(HTTPRequestParser):
    """A request parser that turns a failed spool write into a 507 once the body is read."""

    on_full: Callable[[str, int], None] = staticmethod(lambda path, size: None)
    spool_error: OSError | None = None

    def received(self, data: bytes) -> int:
        try:
            consumed = super().received(data)
        except OSError as e:
            receiver = self.body_rcv
            if e.errno not in FULL or receiver is None or self.spool_error is not None:
                raise
            self.spool_error = e
            kept = receiver.buf
            receiver.buf = _Discard(len(kept))
            with contextlib.suppress(OSError):  # flushing what is buffered fails the same way
                kept.close()  # frees what was spooled
            return self.received(data)  # the failed chunk again, now counted and dropped
        if self.spool_error is not None and self.completed and self.error is None:
            self.error = InsufficientStorage(MESSAGE)
            log.error("request body to %s not stored: %s", self.path, self.spool_error)
            self.on_full(self.path or "", self.body_bytes_received)
        return consumed


def make_server(app: Any, *, host: str, port: int, config: Config,  # noqa: ANN401 - WSGI app
                on_full: Callable[[str, int], None] | None = None) -> Any:  # noqa: ANN401
    """Return a waitress server for `app` whose requests are parsed by SpoolGuardParser."""
    server = create_server(app, host=host, port=port, **server_options(config))
    parser = type("EarsipParser", (SpoolGuardParser,),
                  {"on_full": staticmethod(on_full or (lambda path, size: None))})
    server.channel_class = type("EarsipChannel", (HTTPChannel,), {"parser_class": parser})
    return server


def audit_storage_full(archive: Archive) -> Callable[[str, int], None]:
    """Return an `on_full` that audits the event off waitress's event loop."""
    from earsip import audit

    def record(path: str, size: int) -> None:
        try:
            with archive.db.write() as session:
                audit.append(session, audit.SYSTEM, "storage.full", target_type="storage",
                             outcome="failure",
                             details={"path": path[:200], "received_bytes": size,
                                      "message": MESSAGE})
        except Exception:  # the disk is full: the database may not take it either
            log.exception("could not audit a full disk")

    return lambda path, size: threading.Thread(target=record, args=(path, size),
                                               name="audit-storage-full", daemon=True).start()
