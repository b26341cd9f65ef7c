"""JSON error responses: {"error": {"code", "message", "field"?, ...}}."""

from __future__ import annotations

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from earsip.api import bp
from earsip.errors import EarsipError


def error_response(status: int, code: str, message: str, *, field: str | None = None,
                   **extra: object) -> Response:
    """Return a JSON error response."""
    body: dict[str, object] = {"code": code, "message": message}
    if field:
        body["field"] = field
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    return response


@bp.errorhandler(EarsipError)
def _earsip_error(e: EarsipError) -> Response:
    from earsip.web.i18n import error_text

    return error_response(e.http_status, e.code, error_text(e), field=e.field, **e.extra)


@bp.errorhandler(HTTPException)
def http_error_response(e: HTTPException) -> Response:
    """Return the JSON form of an HTTP error (also used by the app for unmatched /api/ URLs)."""
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "too_large", 415: "unsupported_type"}
    messages = {413: "Berkas atau permintaan melebihi batas ukuran unggahan.",
                404: "Tidak ditemukan.", 405: "Metode tidak diizinkan."}
    status = e.code or 500
    return error_response(status, codes.get(status, "error"),
                          messages.get(status, e.description or "Permintaan tidak dapat diproses."))
