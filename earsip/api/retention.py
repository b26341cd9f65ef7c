"""API v1 routes of retention: reports, legal holds, destruction lists, the refused delete."""

from __future__ import annotations

import datetime as dt

from flask import Response, current_app, g, jsonify, request

from earsip.api import bp
from earsip.api.routes import token_required
from earsip.errors import ValidationError
from earsip.services import Archive
from earsip.services.records import documents as document_service
from earsip.services.retention import cycle as retention_service
from earsip.services.retention import destruction as disposal_service
from earsip.services.retention import destruction_views as disposal_views
from earsip.services.retention import holds as hold_service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _archive() -> Archive:
    archive: Archive = current_app.extensions["earsip"]
    return archive


def _int(name: str, default: int, *, low: int, high: int) -> int:
    if name not in request.args:
        return default
    raw = request.args.getlist(name)[-1]
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValidationError("%(name)s harus bilangan bulat %(low)d–%(high)d.", field=name,
                              params={"name": name, "low": low, "high": high})
    return value


def _as_of() -> dt.date | None:
    if "as_of" not in request.args:
        return None
    raw = request.args.getlist("as_of")[-1]
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as e:
        raise ValidationError("as_of harus tanggal YYYY-MM-DD.", field="as_of") from e


@bp.delete("/documents/<int:document_id>")
@token_required("document.read")
def delete_document(document_id: int) -> Response:
    document_service.refuse_delete(_archive(), g.principal, document_id,
                                   client_addr=request.remote_addr)
    raise AssertionError("refuse_delete always raises")  # pragma: no cover


@bp.get("/retention/report")
@token_required("retention.read")
def retention_report() -> Response:
    kind = request.args.get("kind", "due")
    months = _int("months", 12, low=1, high=retention_service.MAX_MONTHS)
    fmt = request.args.get("format", "json")
    if fmt == "json":
        return jsonify(retention_service.read_report(
            _archive(), g.principal, kind, months=months, as_of=_as_of(),
            client_addr=request.remote_addr).to_dict())
    if fmt not in ("csv", "xlsx"):
        raise ValidationError("format harus json, csv atau xlsx.", field="format")
    body, name = retention_service.export_report(_archive(), g.principal, kind, fmt,
                                                 months=months, as_of=_as_of(),
                                                 client_addr=request.remote_addr)
    mime = "text/csv; charset=utf-8" if fmt == "csv" else XLSX
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _json_body() -> dict[str, object]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("Kirim objek JSON.")
    return body


def _text(body: dict[str, object], name: str) -> str | None:
    value = body.get(name)
    if value is not None and not isinstance(value, str):
        raise ValidationError("%(name)s harus teks.", field=name, params={"name": name})
    return value


@bp.get("/holds")
@token_required("retention.read")
def list_holds() -> Response:
    flag = request.args.get("active", "1")
    if flag not in ("0", "1") or len(request.args.getlist("active")) > 1:
        raise ValidationError("active harus 0 atau 1.", field="active")
    active = flag == "1"
    views = hold_service.list_holds(_archive(), g.principal, active_only=active)
    return jsonify([v.to_dict() for v in views])


@bp.post("/holds")
@token_required("hold.manage")
def place_hold() -> tuple[Response, int]:
    body = _json_body()
    ids = body.get("document_ids", [])
    if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i < 2**31 for i in ids):
        raise ValidationError("document_ids harus daftar id dokumen.", field="document_ids")
    view = hold_service.place_hold(
        _archive(), g.principal, reference=_text(body, "reference"),
        reason=_text(body, "reason"), document_ids=ids,
        classification_code=_text(body, "classification_code"),
        client_addr=request.remote_addr)
    response = jsonify(view.to_dict())
    response.headers["Location"] = f"/api/v1/holds/{view.id}"
    return response, 201


@bp.get("/holds/<int:hold_id>")
@token_required("retention.read")
def get_hold(hold_id: int) -> Response:
    return jsonify(hold_service.get_hold(_archive(), g.principal, hold_id).to_dict())


@bp.post("/holds/<int:hold_id>/lift")
@token_required("hold.manage")
def lift_hold(hold_id: int) -> Response:
    body = _json_body()
    return jsonify(hold_service.lift_hold(_archive(), g.principal, hold_id,
                                          reason=_text(body, "reason"),
                                          client_addr=request.remote_addr).to_dict())


def _list_json(view: disposal_views.ListView, *, items: bool) -> dict[str, object]:
    body: dict[str, object] = {
        "id": view.id, "number": view.number, "status": view.status,
        "created_at": view.created_at.isoformat(), "proposed_by": view.proposed_by,
        "note": view.note, "approved_by": view.approved_by,
        "approval_reference": view.approval_reference,
        "approval_date": view.approval_date.isoformat() if view.approval_date else None,
        "berita_acara_number": view.berita_acara_number, "remaining": view.remaining}
    if items:
        body["items"] = view.items
    return body


@bp.get("/disposals")
@token_required("retention.read")
def list_disposals() -> Response:
    """The destruction lists within clearance (numbers and states; titles only per list)."""
    return jsonify([_list_json(v, items=False)
                    for v in disposal_views.list_lists(_archive(), g.principal)])


@bp.get("/disposals/<int:list_id>")
@token_required("retention.read")
def get_disposal(list_id: int) -> Response:
    return jsonify(_list_json(disposal_views.view_list(_archive(), g.principal, list_id,
                                                       client_addr=request.remote_addr),
                              items=True))


@bp.post("/disposals/<int:list_id>/approve")
@token_required("disposal.approve")
def approve_disposal(list_id: int) -> Response:
    body = _json_body()
    raw_date = _text(body, "decision_date")
    try:
        day = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError as e:
        raise ValidationError("Tanggal tidak sah (format YYYY-MM-DD).",
                              field="decision_date") from e
    disposal_service.approve(_archive(), g.principal, list_id,
                             reference=_text(body, "reference"), decision_date=day,
                             password=_text(body, "password"), client_addr=request.remote_addr)
    return jsonify(_list_json(disposal_views.get_list(_archive(), g.principal, list_id),
                              items=False))
