"""API v1 routes open to the public (no account, no session): a request for information, the
tracking of a case by its number and code, an objection. The pages of earsip/web/public.py
call the same services."""

from __future__ import annotations

from flask import Response, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, public
from earsip.api.routes import current_archive as _archive
from earsip.schemas.base import Model, parse, pick
from earsip.schemas.cases import InformationRequest, PublicCase, PublicObjection, PublicReceipt
from earsip.services.cases import intake, views
from earsip.services.desk.filing import Upload


def _client() -> str | None:
    return request.remote_addr


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
def submit_information_request() -> tuple[Response, int]:
    data = parse(InformationRequest, pick(request.form, InformationRequest))
    upload = request.files.get("identity_file")
    identity = Upload(upload.stream, upload.filename) if upload and upload.filename else None
    receipt = intake.submit_request(_archive(), data, identity, client_addr=_client())
    return created(jsonify(receipt.model_dump(mode="json")),
                   f"public/cases/{receipt.registration_number}")


@bp.get("/public/cases/<path:registration_number>")
@operation("Follow a case by its registration number and tracking `code`: its status, type, "
           "due date and history, never personal data (404 for a wrong code, the same as for "
           "no such case).", public=True, query=TrackingQuery,
           answers={200: json("The case.", PublicCase)}, errors=(404, 429))
@public
def track_case(registration_number: str) -> Response:
    out = views.track(_archive(), registration_number, request.args.get("code") or "")
    return jsonify(out.model_dump(mode="json"))


@bp.post("/public/objections")
@operation("File an objection (keberatan) to the Atasan PPID against one's own request, with "
           "its registration number and tracking code, a `reason` (a–g: UU 14/2008 Pasal 35 "
           "ayat 1) and a description. Answers the objection's own number, tracking code and "
           "due date.", public=True, body=PublicObjection,
           answers={201: json("Registered.", PublicReceipt)}, errors=(400, 404, 429, 503))
@public
def file_objection() -> tuple[Response, int]:
    body = request.get_json(silent=True) if request.is_json else pick(request.form,
                                                                      PublicObjection)
    data = parse(PublicObjection, body)
    receipt = intake.submit_objection(_archive(), data, client_addr=_client())
    return created(jsonify(receipt.model_dump(mode="json")),
                   f"public/cases/{receipt.registration_number}")
