"""API v1 routes: each parses input, calls one service, and returns JSON."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response, current_app, g, jsonify, request
from flask_babel import gettext

from earsip.access import Principal
from earsip.api import bp
from earsip.api.errors import error_response
from earsip.errors import ValidationError
from earsip.http import send_stored_file
from earsip.services import Archive
from earsip.services.access import auth as auth_service
from earsip.services.access import tokens as token_service
from earsip.services.records import classification as classification_service
from earsip.services.records import documents as document_service
from earsip.services.records import editing as editing_service
from earsip.services.records import ingest
from earsip.services.search import searching as search_service


def _archive() -> Archive:
    archive: Archive = current_app.extensions["earsip"]
    return archive


def _client() -> str | None:
    return request.remote_addr


def token_required(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Require `Authorization: Bearer <token>` of a user whose roles grant `permission`.

    Cookies are not accepted by the API, so no API request can be forged by another site.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            header = request.headers.get("Authorization", "")
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return error_response(401, "unauthorized", gettext(
                    "Token API diperlukan (Authorization: Bearer <token>)."))
            principal = auth_service.token_principal(_archive(), token.strip())
            if principal is None:
                return error_response(401, "unauthorized",
                                      gettext("Token tidak sah atau kedaluwarsa."))
            if not auth_service.permitted(_archive(), principal, permission, request.method,
                                          request.path, _client()):
                return error_response(403, "forbidden",
                                      gettext("Anda tidak memiliki hak untuk tindakan ini."))
            g.principal = principal
            g.token = token.strip()
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]  # a marker the permission tests read
        return wrapper

    return decorate


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an API view open to everyone."""
    view.required_permission = None  # type: ignore[attr-defined]  # a marker the permission tests read
    return view


def _principal() -> Principal:
    principal: Principal = g.principal
    return principal


@bp.get("/health")
@public
def health() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
@public
def openapi() -> Response:
    from earsip.api.openapi import spec

    return jsonify(spec())


@bp.post("/tokens")
@public
def create_token() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("username"), str) \
            or not isinstance(body.get("password"), str):
        raise ValidationError("Kirim JSON {\"username\", \"password\"}.")
    token = auth_service.login_with_token(_archive(), body["username"], body["password"], _client())
    return jsonify({"token": token}), 201


def _moment(value: dt.datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


@bp.get("/tokens")
@token_required("account")
def list_tokens() -> Response:
    return jsonify([{
        "id": t.id, "created_at": _moment(t.created_at), "expires_at": _moment(t.expires_at),
        "last_used_at": _moment(t.last_used_at), "revoked": t.revoked,
        "revoked_at": _moment(t.revoked_at), "active": t.active, "current": t.current,
    } for t in token_service.list_own(_archive(), _principal(), current_token=g.token)])


@bp.delete("/tokens/<int:token_id>")
@token_required("account")
def revoke_token(token_id: int) -> tuple[str, int]:
    token_service.revoke_own(_archive(), _principal(), token_id, _client())
    return "", 204


@bp.post("/documents")
@token_required("document.file")
def create_document() -> tuple[Response, int]:
    principal = _principal()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ValidationError("Berkas wajib dikirim pada kolom 'file'.", field="file")
    data = document_service.parse_input(request.form)
    archive = _archive()
    filed = ingest.file_document(archive, principal.actor(_client()), upload.stream,
                                 upload.filename, data, clearance=principal.clearance)
    response = jsonify(document_service.describe(archive, principal, filed.document_id))
    response.headers["Location"] = f"/api/v1/documents/{filed.document_id}"
    return response, 201


@bp.get("/documents/<int:document_id>")
@token_required("document.read")
def get_document(document_id: int) -> Response:
    return jsonify(document_service.view_document(_archive(), _principal(), document_id,
                                                  _client()))


@bp.patch("/documents/<int:document_id>")
@token_required("document.edit")
def edit_document(document_id: int) -> Response | tuple[Response, int]:
    body = request.get_json(silent=True)
    allowed = (*editing_service.FIELDS, "security_reason")
    if not isinstance(body, dict) or not body or any(
            k not in allowed or not isinstance(v, str) for k, v in body.items()):
        raise ValidationError("Kirim JSON berisi kolom yang diubah (teks): %(fields)s.",
                              params={"fields": ", ".join(allowed)})
    fields = {k: v for k, v in body.items() if k != "security_reason"}
    result = editing_service.edit_document(_archive(), _principal(), document_id, fields,
                                           _client(), security_reason=body.get("security_reason"))
    # 202: a lowering of the class waits for a leader's approval (the rest is applied).
    return (jsonify(result), 202) if "declassification" in result else jsonify(result)


@bp.get("/documents/<int:document_id>/file")
@token_required("document.read")
def get_document_file(document_id: int) -> Response:
    handle = document_service.open_file(_archive(), _principal(), document_id, _client())
    return send_stored_file(handle)


@bp.get("/documents/<int:document_id>/searchable-copy")
@token_required("document.read")
def get_document_searchable_copy(document_id: int) -> Response:
    handle = document_service.open_file(_archive(), _principal(), document_id, _client(),
                                        searchable=True)
    return send_stored_file(handle)


@bp.get("/search")
@token_required("search")
def search() -> Response:
    principal = _principal()
    params = search_service.parse_params(request.args)
    return jsonify(search_service.search(_archive(), principal, params, _client()))


@bp.get("/classifications")
@token_required("classification.read")
def classifications() -> Response:
    codes = classification_service.effective_codes(_archive())
    return jsonify([{
        "code": c.code,
        "name": c.name,
        "parent": c.parent,
        "active_years": c.active_years,
        "active_trigger": c.active_trigger,
        "inactive_years": c.inactive_years,
        "final_fate": c.final_fate,
        "default_security": c.default_security,
        "needs_review": c.needs_review,
        "retired": c.retired,
    } for c in codes])
