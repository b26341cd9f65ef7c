"""JSON error responses: {"error": {"code", "message", "field"?, ...}}."""

from __future__ import annotations

from flask import Response, jsonify
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from earsip.api import bp
from earsip.errors import N_, EarsipError


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
def earsip_error_response(e: EarsipError) -> Response:
    """Return the JSON form of an EarsipError (with Retry-After when it may be retried)."""
    from earsip.web.i18n import error_text

    response = error_response(e.http_status, e.code, error_text(e), field=e.field, **e.extra)
    if e.retry_after_s:
        response.headers["Retry-After"] = str(e.retry_after_s)
    return response


@bp.errorhandler(HTTPException)
def http_error_response(e: HTTPException) -> Response:
    """Return the JSON form of an HTTP error (also used by the app for unmatched /api/ URLs)."""
    codes = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
             405: "method_not_allowed", 413: "too_large", 415: "unsupported_type"}
    messages = {413: N_("Berkas atau permintaan melebihi batas ukuran unggahan."),
                404: N_("Tidak ditemukan."), 405: N_("Metode tidak diizinkan."),
                401: N_("Token API diperlukan (Authorization: Bearer <token>)."),
                403: N_("Anda tidak memiliki hak untuk tindakan ini.")}
    status = e.code or 500
    message = messages.get(status)
    response = error_response(status, codes.get(status, "error"),
                              gettext(message) if message
                              else gettext("Permintaan tidak dapat diproses."))
    allow = dict(e.get_headers()).get("Allow")
    if allow:  # a 405 names the methods the resource has (RFC 9110)
        response.headers["Allow"] = allow
    return response
