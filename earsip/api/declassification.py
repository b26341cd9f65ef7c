"""API v1 routes of declassification: the pending requests, a leader's approval or refusal.

A request is made by `PATCH /api/v1/documents/<id>` with a lower `security` and a
`security_reason` (answered 202 when the lowering waits for approval).
"""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import json_body, token_required
from earsip.schemas.accounts import Approval, Declassification, Refusal
from earsip.schemas.base import parse
from earsip.services.access import declassification as declassification_service


@bp.get("/declassifications")
@operation("Pending requests to lower a record's security class, on records within the "
           "caller's clearance (the pimpinan role).",
           answers={200: json("The requests.", Declassification, many=True)},
           errors=(401, 403))
@token_required("declassification.decide")
def list_declassifications() -> Response:
    """The pending requests on records within the caller's clearance."""
    return jsonify([r.model_dump(mode="json")
                    for r in declassification_service.pending(_archive(), g.principal)])


@bp.post("/declassifications/<int:request_id>/approve")
@operation("Approve a request: the record's class is lowered (never by the requester, nor by "
           "an account the separation-of-duties rule refuses); audited.", body=Approval,
           answers={200: json("The request, approved.", Declassification)},
           errors=(400, 401, 403, 404, 409))
@token_required("declassification.decide")
def approve_declassification(request_id: int) -> Response:
    sent = parse(Approval, json_body())
    return jsonify(declassification_service.approve(
        _archive(), g.principal, request_id, password=sent.password,
        client_addr=request.remote_addr).model_dump(mode="json"))


@bp.post("/declassifications/<int:request_id>/refuse")
@operation("Refuse a request, with a reason; the record keeps its class; audited.",
           body=Refusal, answers={200: json("The request, refused.", Declassification)},
           errors=(400, 401, 403, 404, 409))
@token_required("declassification.decide")
def refuse_declassification(request_id: int) -> Response:
    sent = parse(Refusal, json_body())
    return jsonify(declassification_service.refuse(
        _archive(), g.principal, request_id, sent,
        client_addr=request.remote_addr).model_dump(mode="json"))
