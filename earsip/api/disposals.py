"""API v1 routes of the destruction procedure: the lists and each of their steps (propose,
take a record off, approve, cancel, carry out), the candidates and the list as a PDF — the
same use cases, permissions and clearance rules as the Daftar usul musnah pages."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.schemas.base import parse
from earsip.schemas.retention import (
    Cancellation,
    Candidate,
    DisposalApproval,
    DisposalExecution,
    DisposalList,
    DisposalProposal,
    ItemRemoval,
)
from earsip.services.retention import destruction as disposal_service
from earsip.services.retention import destruction_execution
from earsip.services.retention import destruction_papers as papers
from earsip.services.retention import destruction_views as disposal_views


def list_json(view: disposal_views.ListView, *, items: bool) -> dict[str, object]:
    """A destruction list as the API answers it (its rows only when asked)."""
    return DisposalList(
        id=view.id, number=view.number, status=view.status,
        created_at=view.created_at.isoformat(), proposed_by=view.proposed_by,
        note=view.note, approved_by=view.approved_by,
        approval_reference=view.approval_reference,
        approval_date=view.approval_date.isoformat() if view.approval_date else None,
        berita_acara_number=view.berita_acara_number, remaining=view.remaining,
        items=view.items if items else None,
    ).model_dump(mode="json", exclude=set() if items else {"items"})


@bp.get("/disposals")
@operation("Destruction lists within the caller's clearance (numbers and states).",
           answers={200: json("The lists.", DisposalList, many=True)}, errors=(401, 403))
@token_required("retention.read")
def list_disposals() -> Response:
    """The destruction lists within clearance (numbers and states; titles only per list)."""
    return jsonify([list_json(v, items=False)
                    for v in disposal_views.list_lists(_archive(), g.principal)])


@bp.get("/disposals/<int:list_id>")
@operation("One destruction list with its rows (audited as a read).",
           answers={200: json("The list.", DisposalList)}, errors=(401, 403, 404))
@token_required("retention.read")
def get_disposal(list_id: int) -> Response:
    return jsonify(list_json(disposal_views.view_list(_archive(), g.principal, list_id,
                                                      client_addr=request.remote_addr),
                             items=True))


@bp.post("/disposals/<int:list_id>/approve")
@operation("Approve a list under review (the pimpinan role; never the proposer, nor an "
           "account the separation-of-duties rule refuses: error.reason says why).",
           body=DisposalApproval, answers={200: json("The list, approved.", DisposalList)},
           errors=(400, 401, 403, 404, 409))
@token_required("disposal.approve")
def approve_disposal(list_id: int) -> Response:
    sent = parse(DisposalApproval, json_body())
    disposal_service.approve(_archive(), g.principal, list_id, sent,
                             client_addr=request.remote_addr)
    return _list_after(list_id)


def _list_after(list_id: int) -> Response:
    return jsonify(list_json(disposal_views.get_list(_archive(), g.principal, list_id),
                             items=False))


@bp.get("/disposals/candidates")
@operation("The due records whose final fate is destruction, within the caller's clearance, "
           "each saying whether a hold or another open list keeps it off a new list (the "
           "titles are records: the reading is audited).",
           answers={200: json("The candidates.", Candidate, many=True)}, errors=(401, 403))
@token_required("disposal.propose")
def disposal_candidates() -> Response:
    found = disposal_views.candidates(_archive(), g.principal,
                                      client_addr=request.remote_addr)
    return jsonify([c.model_dump(mode="json") for c in found])


@bp.post("/disposals")
@operation("Draw up a destruction list of due records and submit it for review (the "
           "arsiparis role); audited. A held record, or one on another open list, is "
           "refused (409).", body=DisposalProposal,
           answers={201: json("The list, submitted.", DisposalList)},
           errors=(400, 401, 403, 404, 409))
@token_required("disposal.propose")
def propose_disposal() -> tuple[Response, int]:
    sent = parse(DisposalProposal, json_body())
    list_id = disposal_service.propose(_archive(), g.principal, sent,
                                       client_addr=request.remote_addr)
    response = _list_after(list_id)
    return created(response, f"disposals/{list_id}")


@bp.post("/disposals/<int:list_id>/items/<int:item_id>/remove")
@operation("Take one record off a list under review or approved, with a reason; audited.",
           body=ItemRemoval, answers={200: json("The list afterwards.", DisposalList)},
           errors=(400, 401, 403, 404, 409))
@token_required("disposal.review")
def remove_disposal_item(list_id: int, item_id: int) -> Response:
    sent = parse(ItemRemoval, json_body())
    disposal_service.remove_item(_archive(), g.principal, list_id, item_id, sent,
                                 client_addr=request.remote_addr)
    return _list_after(list_id)


@bp.post("/disposals/<int:list_id>/cancel")
@operation("Cancel a list not yet carried out, with a reason; its records may be proposed "
           "again; audited.", body=Cancellation,
           answers={200: json("The list, cancelled.", DisposalList)},
           errors=(400, 401, 403, 404, 409))
@token_required("disposal.propose")
def cancel_disposal(list_id: int) -> Response:
    sent = parse(Cancellation, json_body())
    disposal_service.cancel(_archive(), g.principal, list_id, sent,
                            client_addr=request.remote_addr)
    return _list_after(list_id)


@bp.post("/disposals/<int:list_id>/execute")
@operation("Carry out an approved list before at least two witnesses: the records' content is "
           "destroyed, their metadata kept as tombstones, and the Berita Acara Pemusnahan and "
           "the list are filed (KA.01.04); audited. On a list already carried out it finishes "
           "what an interruption left undone.", body=DisposalExecution,
           answers={200: json("The list, carried out.", DisposalList)},
           errors=(400, 401, 403, 404, 409, 503))
@token_required("disposal.execute")
def execute_disposal(list_id: int) -> Response:
    body = json_body()
    # Finishing an interrupted execution needs no berita acara: an empty object is no form.
    sent = parse(DisposalExecution, body) if body else None
    destruction_execution.execute(_archive(), g.principal, list_id, sent,
                                  client_addr=request.remote_addr)
    return _list_after(list_id)


@bp.get("/disposals/<int:list_id>/list.pdf")
@operation("The Daftar Arsip Usul Musnah as a PDF (audited as an export).",
           answers={200: raw("The PDF.", {"application/pdf": {
               "type": "string", "format": "binary"}})}, errors=(401, 403, 404))
@token_required("retention.read")
def disposal_list_pdf(list_id: int) -> Response:
    body, name = papers.list_pdf(_archive(), g.principal, list_id,
                                 client_addr=request.remote_addr)
    response = Response(body, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
