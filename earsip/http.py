"""HTTP helpers shared by the browser and API doors (entry-point level)."""

from __future__ import annotations

import unicodedata
from typing import IO
from urllib.parse import quote

from flask import Request, Response, current_app, send_file
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from earsip.services.records.documents import FileHandle
from earsip.storage import IncomingFile


def content_disposition(filename: str) -> str:
    """Return an RFC 6266 attachment header with an ASCII fallback and a UTF-8 `filename*`."""
    name = "".join(ch for ch in filename if unicodedata.category(ch)[0] != "C") or "berkas"
    fallback = "".join(
        ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_"
        for ch in unicodedata.normalize("NFKD", name)
        if not unicodedata.combining(ch)
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def send_stored_file(handle: FileHandle) -> Response:
    """Send a stored file as an attachment that browsers will neither sniff nor cache."""
    response = send_file(handle.path, mimetype=handle.mime, conditional=False, etag=False,
                         max_age=0)
    response.headers["Content-Disposition"] = content_disposition(handle.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response


class DatabaseId(IntegerConverter):
    """An `<int:…>` URL part for a row id: a number beyond the database's integer range is
    read as 0, which no row has, so the view answers 404 instead of the database failing."""

    def to_python(self, value: str) -> int:
        number = int(super().to_python(value))
        return number if 1 <= number <= 2**31 - 1 else 0


class EarsipRequest(Request):
    """A request whose uploaded files are written straight into the file store."""

    # The filing form may carry several files (the page's script sends one per request); the
    # whole body stays under MAX_CONTENT_LENGTH, and never hundreds of files are open at once.
    max_file_parts = 20

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None,
                         content_length: int | None = None) -> IO[bytes]:
        incoming: list[IncomingFile] = self.__dict__.setdefault("_earsip_incoming", [])
        if len(incoming) >= self.max_file_parts:
            raise RequestEntityTooLarge("Terlalu banyak berkas dalam satu permintaan.")
        archive = current_app.extensions["earsip"]
        stream = archive.store.incoming(max_bytes=archive.config.max_upload_bytes)
        incoming.append(stream)
        return stream  # type: ignore[return-value]

    def close(self) -> None:
        """Close (and so remove) every received file, including those of a failed parse."""
        try:
            super().close()
        finally:
            for stream in self.__dict__.get("_earsip_incoming", ()):
                stream.close()
