"""API v1 routes of retention: reports, legal holds, destruction lists, the refused delete."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation, raw, schema_of
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.schemas.base import parse
from earsip.schemas.retention import (
    Hold,
    HoldInput,
    HoldLift,
    HoldsQuery,
    Report,
    ReportQuery,
)
from earsip.services.records import documents as document_service
from earsip.services.retention import cycle as retention_service
from earsip.services.retention import holds as hold_service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.delete("/documents/<int:document_id>")
@operation("Always refused and audited: a record leaves the archive only through the "
           "destruction procedure.", answers={}, errors=(401, 403, 404))
@token_required("document.read")
def delete_document(document_id: int) -> Response:
    document_service.refuse_delete(_archive(), g.principal, document_id,
                                   client_addr=request.remote_addr)
    raise AssertionError("refuse_delete always raises")  # pragma: no cover


def _report_query() -> ReportQuery:
    """kind and format: the first value; months and as_of: the last (as always)."""
    args = request.args
    sent: dict[str, object] = {name: args.get(name) for name in ("kind", "format")
                               if name in args}
    sent |= {name: args.getlist(name)[-1] for name in ("months", "as_of") if name in args}
    return parse(ReportQuery, sent)


@bp.get("/retention/report")
@operation("A retention report within the caller's clearance: due now, due in the next "
           "months, on hold, awaiting an event (CSV and XLSX exports are audited).",
           query=ReportQuery, answers={200: raw("The report.", {
               "application/json": schema_of(Report),
               "text/csv": {"type": "string"},
               XLSX: {"type": "string", "format": "binary"}})}, errors=(400, 401, 403))
@token_required("retention.read")
def retention_report() -> Response:
    query = _report_query()
    if query.format == "json":
        return jsonify(retention_service.read_report(
            _archive(), g.principal, query.kind, months=query.months, as_of=query.as_of,
            client_addr=request.remote_addr).model_dump(mode="json"))
    body, name = retention_service.export_report(_archive(), g.principal, query.kind,
                                                 query.format, months=query.months,
                                                 as_of=query.as_of,
                                                 client_addr=request.remote_addr)
    mime = "text/csv; charset=utf-8" if query.format == "csv" else XLSX
    response = Response(body, mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/holds")
@operation("Legal holds (active ones unless active=0).", query=HoldsQuery,
           answers={200: json("The holds.", Hold, many=True)}, errors=(400, 401, 403))
@token_required("retention.read")
def list_holds() -> Response:
    sent = {"active": request.args.getlist("active")} if "active" in request.args else {}
    active = parse(HoldsQuery, sent).active
    views = hold_service.list_holds(_archive(), g.principal, active_only=active)
    return jsonify([v.model_dump(mode="json") for v in views])


@bp.post("/holds")
@operation("Place a legal hold on documents and/or a classification code (with every code "
           "beneath it); audited.", body=HoldInput,
           answers={201: json("The hold.", Hold)}, errors=(400, 401, 403, 404))
@token_required("hold.manage")
def place_hold() -> tuple[Response, int]:
    sent = parse(HoldInput, json_body())
    view = hold_service.place_hold(_archive(), g.principal, sent,
                                   client_addr=request.remote_addr)
    response = jsonify(view.model_dump(mode="json"))
    return created(response, f"holds/{view.id}")


@bp.get("/holds/<int:hold_id>")
@operation("One legal hold.", answers={200: json("The hold.", Hold)}, errors=(401, 403, 404))
@token_required("retention.read")
def get_hold(hold_id: int) -> Response:
    return jsonify(hold_service.get_hold(_archive(), g.principal, hold_id)
                   .model_dump(mode="json"))


@bp.post("/holds/<int:hold_id>/lift")
@operation("Lift a legal hold, with a reason; audited.", body=HoldLift,
           answers={200: json("The hold, lifted.", Hold)}, errors=(400, 401, 403, 404, 409))
@token_required("hold.manage")
def lift_hold(hold_id: int) -> Response:
    sent = parse(HoldLift, json_body())
    lifted = hold_service.lift_hold(_archive(), g.principal, hold_id, sent,
                                    client_addr=request.remote_addr)
    return jsonify(lifted.model_dump(mode="json"))
