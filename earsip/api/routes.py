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
from earsip.api.describe import empty, json, operation, raw, spec
from earsip.api.errors import error_response
from earsip.errors import ValidationError
from earsip.http import send_stored_file
from earsip.schemas.accounts import (
    Classification,
    Credentials,
    Health,
    NewToken,
    Revoked,
    Token,
)
from earsip.schemas.base import parse
from earsip.schemas.documents import Document, DocumentEdit, DocumentInput
from earsip.schemas.search import SearchParams, SearchResult
from earsip.services import Archive
from earsip.services.access import auth as auth_service
from earsip.services.access import tokens as token_service
from earsip.services.records import classification as classification_service
from earsip.services.records import documents as document_service
from earsip.services.records import editing as editing_service
from earsip.services.records import ingest
from earsip.services.search import searching as search_service


def current_archive() -> Archive:
    """Return the archive this app serves."""
    archive: Archive = current_app.extensions["earsip"]
    return archive


_archive = current_archive


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
@operation("Is the server answering?", public=True, answers={200: json("It is.", Health)})
@public
def health() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/openapi.json")
@operation("This description.", public=True, answers={200: raw(
    "The OpenAPI document.", {"application/json": {"type": "object"}})})
@public
def openapi() -> Response:
    described = current_app.extensions.get("earsip.openapi")
    if described is None:  # built once per app, on first request
        described = current_app.extensions["earsip.openapi"] = spec(current_app)
    return jsonify(described)


def created(response: Response, path: str) -> tuple[Response, int]:
    """Answer 201 with the new resource's address (`path` under /api/v1/)."""
    response.headers["Location"] = f"/api/v1/{path}"
    return response, 201


def json_body() -> dict[str, object]:
    """The request's JSON object, or a refusal."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("Kirim objek JSON.")
    return body


@bp.post("/tokens")
@operation("Sign in and get a bearer token (403 password_change_required while the account "
           "has a temporary password).", public=True, body=Credentials,
           answers={201: json("A new token.", NewToken)}, errors=(400, 401, 403, 429))
@public
def create_token() -> tuple[Response, int]:
    sent = parse(Credentials, request.get_json(silent=True))
    token = auth_service.login_with_token(_archive(), sent.username, sent.password, _client())
    return jsonify(NewToken(token=token).model_dump()), 201


def _moment(value: dt.datetime | None) -> str | None:
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


@bp.get("/tokens")
@operation("The caller's own tokens that have not expired, revoked ones too, newest first; "
           "never the secrets.", answers={200: json("The tokens.", Token, many=True)},
           errors=(401, 403))
@token_required("account")
def list_tokens() -> Response:
    return jsonify([Token(
        id=t.id, created_at=_moment(t.created_at), expires_at=_moment(t.expires_at),
        last_used_at=_moment(t.last_used_at), revoked=t.revoked,
        revoked_at=_moment(t.revoked_at), active=t.active, current=t.current,
    ).model_dump() for t in token_service.list_own(_archive(), _principal(),
                                                   current_token=g.token)])


@bp.delete("/tokens/<int:token_id>")
@operation("Revoke one of the caller's own tokens (the one in use too); audited. Someone "
           "else's token is 404.", answers={204: empty("Revoked (or already revoked).")},
           errors=(401, 403, 404))
@token_required("account")
def revoke_token(token_id: int) -> tuple[str, int]:
    token_service.revoke_own(_archive(), _principal(), token_id, _client())
    return "", 204


@bp.post("/tokens/revoke-all")
@operation("Revoke every token of the caller, the one in use too (the API's sign-out "
           "everywhere); audited.", answers={200: json("How many were still valid.", Revoked)},
           errors=(401, 403))
@token_required("account")
def revoke_all_tokens() -> Response:
    return jsonify(Revoked(revoked=token_service.revoke_all_own(
        _archive(), _principal(), _client())).model_dump())


@bp.post("/documents")
@operation("File a document (the arsiparis role).", upload=DocumentInput,
           answers={201: json("Filed.", Document)},
           errors=(400, 401, 403, 409, 413, 415, 503, 507))
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
    response = jsonify(document_service.describe(archive, principal, filed.document_id)
                       .model_dump(mode="json"))
    return created(response, f"documents/{filed.document_id}")


@bp.get("/documents/<int:document_id>")
@operation("A document's metadata (audited as a view).",
           answers={200: json("The document.", Document)}, errors=(401, 403, 404))
@token_required("document.read")
def get_document(document_id: int) -> Response:
    return jsonify(document_service.view_document(_archive(), _principal(), document_id,
                                                  _client()).model_dump(mode="json"))


@bp.patch("/documents/<int:document_id>")
@operation("Change metadata, reclassify or change the security class (the arsiparis role; "
           "audited with old and new values).", body=DocumentEdit, answers={
               200: json("The document afterwards.", Document),
               202: json("Applied, except the lowering of the security class, which waits "
                         "for a leader's approval (the body's `declassification`).",
                         Document)}, errors=(400, 401, 403, 404, 409, 503))
@token_required("document.edit")
def edit_document(document_id: int) -> Response | tuple[Response, int]:
    edit = parse(DocumentEdit, request.get_json(silent=True))
    result = editing_service.edit_document(_archive(), _principal(), document_id, edit,
                                           _client())
    # 202: a lowering of the class waits for a leader's approval (the rest is applied).
    body = jsonify(result.model_dump(mode="json"))
    return (body, 202) if result.declassification is not None else body


_BYTES = {"type": "string", "format": "binary"}


@bp.get("/documents/<int:document_id>/file")
@operation("The original file, as an attachment (audited).",
           answers={200: raw("The stored bytes.", {"*/*": _BYTES})},
           errors=(401, 403, 404, 410))
@token_required("document.read")
def get_document_file(document_id: int) -> Response:
    handle = document_service.open_file(_archive(), _principal(), document_id, _client())
    return send_stored_file(handle)


@bp.get("/documents/<int:document_id>/searchable-copy")
@operation("The searchable copy made by OCR (PDF/A where possible), as an attachment "
           "(audited). 404 while there is none.",
           answers={200: raw("The copy's bytes.", {"application/pdf": _BYTES})},
           errors=(401, 403, 404, 410))
@token_required("document.read")
def get_document_searchable_copy(document_id: int) -> Response:
    handle = document_service.open_file(_archive(), _principal(), document_id, _client(),
                                        searchable=True)
    return send_stored_file(handle)


@bp.get("/search")
@operation("Full-text search within the caller's clearance (audited).", query=SearchParams,
           answers={200: json("One page of results.", SearchResult)},
           errors=(400, 401, 403, 503))
@token_required("search")
def search() -> Response:
    params = search_service.parse_params(request.args)
    return jsonify(search_service.search(_archive(), _principal(), params, _client())
                   .model_dump(mode="json"))


@bp.get("/classifications")
@operation("The classification scheme with each code's retention rule.",
           answers={200: json("Every code.", Classification, many=True)}, errors=(401, 403))
@token_required("classification.read")
def classifications() -> Response:
    codes = classification_service.effective_codes(_archive())
    return jsonify([Classification.model_validate(c, from_attributes=True).model_dump()
                    for c in codes])
