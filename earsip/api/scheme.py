"""API v1 routes of the scheme editor (administrators): add a classification code and change a
code and its JRA rule, as the pages /classifications/new and /classifications/<code>/edit."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import json_body, token_required
from earsip.schemas.accounts import Classification
from earsip.schemas.base import parse
from earsip.schemas.scheme import (
    RULE_FIELDS,
    CodeChanged,
    CodeRule,
    NewCode,
    SchemeRow,
    normalize_code,
)
from earsip.services.records import scheme as scheme_service


def _described(code: str) -> Classification:
    return Classification.model_validate(scheme_service.get_code(_archive(), code).effective,
                                         from_attributes=True)


def _text(value: object) -> str:
    """A stored value as the page's form holds it (empty for an inherited one)."""
    if value is None or value is False:
        return ""
    return "1" if value is True else str(value)


@bp.post("/classifications")
@operation("Add a classification code and its JRA rule (administrators, as the page "
           "/classifications/new); audited (classification.create).", body=NewCode,
           answers={201: json("The code with its effective values.", Classification)},
           errors=(400, 401, 403))
@token_required("classification.edit")
def create_classification() -> tuple[Response, int]:
    sent = parse(NewCode, json_body())
    fields = {k: sent.model_dump().get(k) or "" for k in RULE_FIELDS}
    fields["needs_review"] = "1" if sent.needs_review else ""
    fields["code"] = normalize_code(sent.code or "")
    code = scheme_service.create_code(_archive(), g.principal.actor(request.remote_addr),
                                      parse(SchemeRow, fields))
    return jsonify(_described(code).model_dump()), 201


@bp.patch("/classifications/<code>")
@operation("Change a code's JRA rule, or retire it (administrators, as the page "
           "/classifications/<code>/edit). The documents whose rule changed get their "
           "retention dates recomputed in the same step; audited (classification.update, with "
           "the old and new values and how many documents moved).", body=CodeRule,
           answers={200: json("The code afterwards.", CodeChanged)},
           errors=(400, 401, 403, 404))
@token_required("classification.edit")
def update_classification(code: str) -> Response:
    sent = parse(CodeRule, json_body())
    current = scheme_service.get_code(_archive(), code)
    given = sent.model_dump(exclude_none=True)
    fields = {k: given[k] if k in given else _text(getattr(current.own, k))
              for k in (*RULE_FIELDS, "needs_review")}
    if "needs_review" in given:
        fields["needs_review"] = "1" if given["needs_review"] else ""
    retired = bool(given.get("retired", current.own.retired))
    moved = scheme_service.update_code(_archive(), g.principal.actor(request.remote_addr),
                                       parse(SchemeRow, {**fields, "code": current.code}),
                                       retired=retired, clearance=g.principal.clearance)
    return jsonify(CodeChanged(classification=_described(current.code),
                               documents_recomputed=moved).model_dump())
