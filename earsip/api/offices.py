"""API v1 route of the deployment's offices (satuan kerja)."""

from __future__ import annotations

from flask import Response, jsonify

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import token_required
from earsip.schemas.offices import Office
from earsip.services.access import offices


@bp.get("/offices")
@operation("Every office (satuan kerja) of the deployment, by code: its name, place, level "
           "and the code of the office above it.",
           answers={200: json("The offices.", Office, many=True)}, errors=(401,))
@token_required("account")
def list_offices() -> Response:
    return jsonify([o.model_dump() for o in offices.list_offices(_archive())])
