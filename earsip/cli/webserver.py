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
from earsip.errors import StorageFull

if TYPE_CHECKING:
    from earsip.services import Archive

log = logging.getLogger(__name__)



def server_options(config: Config) -> dict[str, Any]:
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

    def to_response(  # type: ignore[override]  # bytes body, as waitress makes it (stubs: str)
            self, ident: str | None = None) -> tuple[str, list[tuple[str, str]], bytes]:
        body = json.dumps({"error": {"code": "storage_full", "message": self.body}}).encode()
        return (f"{self.code} {self.reason}",
                [("Content-Type", "application/json"), ("Retry-After", "600")], body)


class _GuardedBuffer:
    """A request body's buffer that, when the disk is full, drops what it kept and only counts
    the rest, so the parser (fixed-length or chunked) reads the body to its end regardless."""

    def __init__(self, inner: Any, parser: SpoolGuardParser) -> None:  # noqa: ANN401
        self.inner = inner
        self.parser = parser
        self.dropped = 0

    def append(self, data: bytes) -> None:
        if self.parser.spool_error is None:
            try:
                self.inner.append(data)
                return
            except OSError as e:
                if e.errno not in StorageFull.ERRNOS:
                    raise
                self.parser.spool_error = e
                self.dropped = len(self.inner)
                with contextlib.suppress(OSError):  # flushing what is buffered fails the same
                    self.inner.close()  # frees what was spooled
                self.inner = io.BytesIO()
        self.dropped += len(data)

    def __len__(self) -> int:
        return self.dropped if self.parser.spool_error is not None else len(self.inner)

    def __bool__(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401 - getfile, get, prune, close
        return getattr(self.inner, name)


class SpoolGuardParser(HTTPRequestParser):
    """A request parser that turns a failed spool write into a 507 once the body is read."""

    on_full: Callable[[str, int], None] = staticmethod(lambda path, size: None)
    spool_error: OSError | None = None

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if self.body_rcv is not None:
            # A stand-in with the buffer's interface, not a subclass of it:
            self.body_rcv.buf = _GuardedBuffer(  # type: ignore[assignment]  # duck-typed
                self.body_rcv.buf, self)

    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        if self.spool_error is not None and self.completed and self.error is None:
            self.error = InsufficientStorage(StorageFull.MESSAGE)
            path = self.path  # type: ignore[attr-defined]  # set by parse_header; not in stubs
            log.error("request body to %s not stored: %s", path, self.spool_error)
            self.on_full(path or "", self.body_bytes_received)
        return consumed


def make_server(app: Any, *, host: str, port: int, config: Config,  # noqa: ANN401 - WSGI app
                on_full: Callable[[str, int], None] | None = None) -> Any:  # noqa: ANN401
    """Return a waitress server for `app` whose requests are parsed by SpoolGuardParser."""
    server = create_server(app, host=host, port=port, **server_options(config))
    parser = type("EarsipParser", (SpoolGuardParser,),
                  {"on_full": staticmethod(on_full or (lambda path, size: None))})
    channel = type("EarsipChannel", (HTTPChannel,), {"parser_class": parser})
    # Listening on several sockets (a host name with IPv4 and IPv6 addresses) gives one server
    # per socket under a MultiSocketServer: each accepts its own connections.
    for each in [server, *getattr(server, "map", {}).values()]:
        if hasattr(each, "channel_class"):
            each.channel_class = channel
    return server


def audit_storage_full(archive: Archive) -> Callable[[str, int], None]:
    """Return an `on_full` that has the event audited off waitress's event loop."""
    from earsip.services.records import ingest

    def record(path: str, size: int) -> None:
        ingest.record_lost_upload(archive, path, size, StorageFull.MESSAGE)

    return lambda path, size: threading.Thread(target=record, args=(path, size),
                                               name="audit-storage-full", daemon=True).start()
