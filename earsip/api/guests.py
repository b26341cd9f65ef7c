"""API v1 routes of the guest book (buku tamu): a visitor written down, the visits of a day.
Each parses its input into the declared model and calls one service."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.schemas.base import parse, pick
from earsip.schemas.cases import GuestInput
from earsip.schemas.guests import GuestDay, GuestOut, GuestQuery
from earsip.services.cases import guests


@bp.post("/guests")
@operation("Write a visitor into the guest book (petugas_layanan, ppid): `visited_at` (ISO 8601 "
           "with offset, not in the future), `name`, `purpose`, optional `institution`, "
           "`meets` (whom they came to see) and `phone`. For visitors who bring no case; a "
           "request, objection or report is registered as a case (`POST /cases`).",
           body=GuestInput, answers={201: json("Written down.", GuestOut)},
           errors=(400, 401, 403, 503))
@token_required("case.register")
def add_guest() -> tuple[Response, int]:
    data = parse(GuestInput, json_body())
    archive = _archive()
    out = guests.add_visit(archive, g.principal, data, client_addr=request.remote_addr)
    day = archive.local_date(out.visited_at)
    return created(jsonify(out.model_dump(mode="json")), f"guests?date={day.isoformat()}")


@bp.get("/guests")
@operation("The guest book of one `date` (YYYY-MM-DD, the office's day; today when absent), "
           "earliest first.", query=GuestQuery,
           answers={200: json("The visits of the day.", GuestDay)}, errors=(400, 401, 403))
@token_required("case.register")
def list_guests() -> Response:
    query = parse(GuestQuery, pick(request.args, GuestQuery))
    return jsonify(guests.list_visits(_archive(), g.principal, query.date)
                   .model_dump(mode="json"))
