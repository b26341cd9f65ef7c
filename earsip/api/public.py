"""API v1 routes open to the public (no account, no session): a request for information, the
tracking of a case by its number and code, an objection. The pages of earsip/web/public.py
call the same services.

The same protections as the public pages, but the form token (an API client is a program): each
submission and lookup counts against the client address's limits (429 with Retry-After past
them, `services.access.public_limits`), a request's body is held to the public upload limit
(`EARSIP_PUBLIC_MAX_UPLOAD_MB`, 413 past it), the identity scan goes through the same checks as
any filing, and no response sets a cookie (`cookieless`)."""

from __future__ import annotations

from flask import Response, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, public
from earsip.api.routes import current_archive as _archive
from earsip.errors import EarsipError
from earsip.schemas.base import Model, parse, pick
from earsip.schemas.cases import InformationRequest, PublicCase, PublicObjection, PublicReceipt
from earsip.services.access import public_limits
from earsip.services.cases import intake, views
from earsip.web.public_guard import (
    cookieless,
    identity_upload,
    limit_body,
    without_archive_ids,
)


def _client() -> str | None:
    return request.remote_addr


def _count(kind: str) -> None:
    """Count this request against the client's limit of `kind` (Throttled past it)."""
    public_limits.hit(_archive(), kind, _client())


class TrackingQuery(Model):
    """The tracking code given with the registration number."""

    code: str | None = None


@bp.post("/public/information-requests")
@operation("Submit a request for public information (no account): the requester's identity "
           "and contact, the information wanted, its purpose, how to obtain it and how to get "
           "copies, and optionally the identity scan (`identity_file`: KTP, or a legal "
           "entity's deed; checked like any upload). Answers the registration number, the "
           "secret tracking code and the due date of the answer.", public=True,
           upload=InformationRequest, files="optional:identity_file",
           answers={201: json("Registered.", PublicReceipt)},
           errors=(400, 413, 415, 429, 503, 507))
@public
@cookieless
def submit_information_request() -> tuple[Response, int]:
    limit_body(request)
    _count(public_limits.SUBMIT)
    data = parse(InformationRequest, pick(request.form, InformationRequest))
    identity = identity_upload(request.files)
    try:
        receipt = intake.submit_request(_archive(), data, identity, client_addr=_client())
    except EarsipError as e:
        raise without_archive_ids(e) from None
    return created(jsonify(receipt.model_dump(mode="json")),
                   f"public/cases/{receipt.registration_number}")


@bp.get("/public/cases/<path:registration_number>")
@operation("Follow a case by its registration number and tracking `code`: its status, type, "
           "due date and history, never personal data (404 for a wrong code, the same as for "
           "no such case).", public=True, query=TrackingQuery,
           answers={200: json("The case.", PublicCase)}, errors=(404, 429))
@public
@cookieless
def track_case(registration_number: str) -> Response:
    _count(public_limits.LOOKUP)
    out = views.track(_archive(), registration_number, request.args.get("code") or "")
    return jsonify(out.model_dump(mode="json"))


@bp.post("/public/objections")
@operation("File an objection (keberatan) to the Atasan PPID against one's own request, with "
           "its registration number and tracking code, a `reason` (a–g: UU 14/2008 Pasal 35 "
           "ayat 1) and a description. Answers the objection's own number, tracking code and "
           "due date.", public=True, body=PublicObjection,
           answers={201: json("Registered.", PublicReceipt)}, errors=(400, 404, 429, 503))
@public
@cookieless
def file_objection() -> tuple[Response, int]:
    limit_body(request)
    _count(public_limits.SUBMIT)
    body = request.get_json(silent=True) if request.is_json else pick(request.form,
                                                                      PublicObjection)
    data = parse(PublicObjection, body)
    receipt = intake.submit_objection(_archive(), data, client_addr=_client())
    return created(jsonify(receipt.model_dump(mode="json")),
                   f"public/cases/{receipt.registration_number}")
