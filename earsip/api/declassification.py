"""API v1 routes of declassification: the pending requests, a leader's approval or refusal.

A request is made by `PATCH /api/v1/documents/<id>` with a lower `security` and a
`security_reason` (answered 202 when the lowering waits for approval).
"""

from __future__ import annotations

from flask import Response, current_app, g, jsonify, request

from earsip.api import bp
from earsip.api.routes import token_required
from earsip.errors import ValidationError
from earsip.services import Archive
from earsip.services.access import declassification as declassification_service


def _archive() -> Archive:
    archive: Archive = current_app.extensions["earsip"]
    return archive


def _body_text(name: str) -> str | None:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("Kirim objek JSON.")
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError("%(name)s harus teks.", field=name, params={"name": name})
    return value


@bp.get("/declassifications")
@token_required("declassification.decide")
def list_declassifications() -> Response:
    """The pending requests on records within the caller's clearance."""
    return jsonify([r.to_dict() for r in declassification_service.pending(_archive(),
                                                                          g.principal)])


@bp.post("/declassifications/<int:request_id>/approve")
@token_required("declassification.decide")
def approve_declassification(request_id: int) -> Response:
    password = _body_text("password")
    return jsonify(declassification_service.approve(
        _archive(), g.principal, request_id, password=password,
        client_addr=request.remote_addr).to_dict())


@bp.post("/declassifications/<int:request_id>/refuse")
@token_required("declassification.decide")
def refuse_declassification(request_id: int) -> Response:
    note = _body_text("note")
    return jsonify(declassification_service.refuse(
        _archive(), g.principal, request_id, note=note,
        client_addr=request.remote_addr).to_dict())
