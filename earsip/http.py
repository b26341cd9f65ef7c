"""HTTP helpers shared by the browser and API doors (entry-point level)."""

from __future__ import annotations

from typing import IO

from flask import Request, Response, current_app, send_file
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.routing import IntegerConverter

from earsip.incoming import IncomingFile
from earsip.services.records.documents import FileHandle


def send_stored_file(handle: FileHandle) -> Response:
    """Send a stored file as an attachment that browsers will neither sniff nor cache.

    Werkzeug names the attachment (RFC 6266): `filename="…"` for an ASCII name; for any other,
    an ASCII fallback and the exact name in UTF-8 as `filename*`.
    """
    # Stored names are printable already (filing cleans them); a header must never carry a
    # line break, whatever an older row holds.
    name = "".join(ch for ch in handle.filename if ch.isprintable()) or "berkas"
    response = send_file(handle.path, mimetype=handle.mime, as_attachment=True,
                         download_name=name, conditional=False, etag=False, max_age=0)
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
        return stream

    def close(self) -> None:
        """Close (and so remove) every received file, including those of a failed parse."""
        try:
            super().close()
        finally:
            for stream in self.__dict__.get("_earsip_incoming", ()):
                stream.close()
