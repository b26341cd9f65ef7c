"""API v1 routes of transfers of arsip statis: the candidates, preparing the BagIt package,
downloading it, confirming the institution's receipt, cancelling — the same use cases,
permissions and clearance rules as the Penyerahan pages."""

from __future__ import annotations

import tempfile

from flask import Response, g, jsonify, request, send_file

from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.schemas.base import parse
from earsip.schemas.transfers import Receipt, Transfer, TransferCandidate, TransferInput
from earsip.services.retention import transfer as transfer_service
from earsip.services.retention import transfer_views


def _json(view: transfer_views.TransferView) -> dict[str, object]:
    return Transfer(
        id=view.id, number=view.number, status=view.status, recipient=view.recipient,
        created_at=view.created_at.isoformat(), created_by=view.created_by,
        package_name=view.package_name, package_digest=view.package_digest,
        confirmed_at=view.confirmed_at.isoformat() if view.confirmed_at else None,
        confirmed_by=view.confirmed_by, receipt_reference=view.receipt_reference,
        documents=view.documents).model_dump(mode="json")


def _transfer(transfer_id: int) -> dict[str, object]:
    return _json(transfer_views.get_transfer(_archive(), g.principal, transfer_id))


@bp.get("/transfers")
@operation("The transfers within the caller's clearance, newest first.",
           answers={200: json("The transfers.", Transfer, many=True)}, errors=(401, 403))
@token_required("retention.read")
def list_transfers() -> Response:
    return jsonify([_json(v) for v in transfer_views.list_transfers(_archive(), g.principal)])


@bp.get("/transfers/candidates")
@operation("The due records whose final fate is permanent, within the caller's clearance, "
           "each saying whether a hold or a prepared transfer keeps it out of a new one.",
           answers={200: json("The candidates.", TransferCandidate, many=True)},
           errors=(401, 403))
@token_required("transfer.manage")
def transfer_candidates() -> Response:
    return jsonify([c.model_dump(mode="json")
                    for c in transfer_views.candidates(_archive(), g.principal)])


@bp.post("/transfers")
@operation("Prepare and validate the BagIt transfer package of due permanent records, with "
           "the berita acara of the handover; audited.", body=TransferInput,
           answers={201: json("The transfer, prepared.", Transfer)},
           errors=(400, 401, 403, 404, 409, 503, 507))
@token_required("transfer.manage")
def prepare_transfer() -> tuple[Response, int]:
    sent = parse(TransferInput, json_body())
    transfer_id = transfer_service.prepare(_archive(), g.principal, sent,
                                           client_addr=request.remote_addr)
    response = jsonify(_transfer(transfer_id))
    return created(response, f"transfers/{transfer_id}")


@bp.get("/transfers/<int:transfer_id>")
@operation("One transfer with its records.", answers={200: json("The transfer.", Transfer)},
           errors=(401, 403, 404))
@token_required("retention.read")
def get_transfer(transfer_id: int) -> Response:
    return jsonify(_transfer(transfer_id))


@bp.get("/transfers/<int:transfer_id>/package")
@operation("The package of a prepared transfer as a ZIP (audited as an export); 409 once "
           "confirmed or cancelled.", answers={200: raw("The package.", {
               "application/zip": {"type": "string", "format": "binary"}})},
           errors=(401, 403, 404, 409))
@token_required("transfer.manage")
def transfer_package(transfer_id: int) -> Response:
    # Closed by the response once sent (send_file streams it), so no context manager here.
    spool = tempfile.TemporaryFile(dir=_archive().config.instance_dir)  # noqa: SIM115
    try:
        name = transfer_service.write_zip(_archive(), g.principal, transfer_id, spool,
                                          client_addr=request.remote_addr)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return send_file(spool, mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)


@bp.post("/transfers/<int:transfer_id>/confirm")
@operation("Record the institution's receipt: the package is validated again and its records "
           "are marked transferred; audited.", body=Receipt,
           answers={200: json("The transfer, confirmed.", Transfer)},
           errors=(400, 401, 403, 404, 409))
@token_required("transfer.manage")
def confirm_transfer(transfer_id: int) -> Response:
    sent = parse(Receipt, json_body())
    transfer_service.confirm(_archive(), g.principal, transfer_id, sent,
                             client_addr=request.remote_addr)
    return jsonify(_transfer(transfer_id))


@bp.post("/transfers/<int:transfer_id>/cancel")
@operation("Cancel a prepared transfer; its package copy is destroyed; audited.",
           answers={200: json("The transfer, cancelled.", Transfer)},
           errors=(401, 403, 404, 409))
@token_required("transfer.manage")
def cancel_transfer(transfer_id: int) -> Response:
    transfer_service.cancel(_archive(), g.principal, transfer_id,
                            client_addr=request.remote_addr)
    return jsonify(_transfer(transfer_id))
