"""API v1 OpenAPI paths of destruction lists and declassification requests (duties)."""

from __future__ import annotations

from typing import Any

from earsip.access import SECURITY_CLASSES
from earsip.api.openapi_schemas import (
    _DATE,
    _NULLABLE_DATE,
    _NULLABLE_STR,
    _errors,
    _ok,
)

# Destruction lists and declassification requests: the approvals that separation of duties
# governs (docs/ACCESS.md, "Separation of duties").
_LIST_ID = {"name": "list_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
_REQUEST_ID = {"name": "request_id", "in": "path", "required": True,
               "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}
_DISPOSAL_LIST = {
    "type": "object",
    "required": ["id", "number", "status", "created_at", "proposed_by", "remaining"],
    "properties": {
        "id": {"type": "integer"}, "number": {"type": "string"},
        "status": {"enum": ["draft", "submitted", "approved", "executed", "cancelled"]},
        "created_at": {"type": "string"}, "proposed_by": {"type": "string"},
        "note": _NULLABLE_STR, "approved_by": _NULLABLE_STR,
        "approval_reference": _NULLABLE_STR, "approval_date": _NULLABLE_DATE,
        "berita_acara_number": _NULLABLE_STR, "remaining": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object"},
                  "description": "The list's rows (only on GET of one list, audited)."}},
}
_DECLASSIFICATION = {
    "type": "object",
    "required": ["id", "document_id", "old_security", "new_security", "reason", "status",
                 "requested_by", "requested_at"],
    "properties": {
        "id": {"type": "integer"}, "document_id": {"type": "integer"},
        "old_security": {"enum": list(SECURITY_CLASSES)},
        "new_security": {"enum": list(SECURITY_CLASSES)},
        "reason": {"type": "string"},
        "status": {"enum": ["pending", "approved", "refused"]},
        "requested_by": {"type": "string"}, "requested_at": {"type": "string"},
        "decided_by": _NULLABLE_STR, "decided_at": _NULLABLE_STR,
        "decision_note": _NULLABLE_STR},
}
_APPROVAL_PASSWORD = {"type": "string", "description": "The approver's own password, asked "
                                                       "again (a wrong one is refused, 403, "
                                                       "and audited)."}
_DUTIES_PATHS: dict[str, Any] = {
    "/api/v1/disposals": {"get": {
        "summary": "Destruction lists within the caller's clearance (numbers and states).",
        "responses": {**_ok("The lists.", {"type": "array", "items": _DISPOSAL_LIST}),
                      **_errors(401, 403)}}},
    "/api/v1/disposals/{list_id}": {"get": {
        "summary": "One destruction list with its rows (audited as a read).",
        "parameters": [_LIST_ID],
        "responses": {**_ok("The list.", _DISPOSAL_LIST), **_errors(401, 403, 404)}}},
    "/api/v1/disposals/{list_id}/approve": {"post": {
        "summary": "Approve a list under review (the pimpinan role; never the proposer, nor an "
                   "account the separation-of-duties rule refuses: error.reason says why).",
        "parameters": [_LIST_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["reference", "decision_date", "password"],
            "properties": {"reference": {"type": "string"}, "decision_date": _DATE,
                           "password": _APPROVAL_PASSWORD}}}}},
        "responses": {**_ok("The list, approved.", _DISPOSAL_LIST),
                      **_errors(400, 401, 403, 404, 409)}}},
    "/api/v1/declassifications": {"get": {
        "summary": "Pending requests to lower a record's security class, on records within "
                   "the caller's clearance (the pimpinan role).",
        "responses": {**_ok("The requests.", {"type": "array", "items": _DECLASSIFICATION}),
                      **_errors(401, 403)}}},
    "/api/v1/declassifications/{request_id}/approve": {"post": {
        "summary": "Approve a request: the record's class is lowered (never by the requester, "
                   "nor by an account the separation-of-duties rule refuses); audited.",
        "parameters": [_REQUEST_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["password"],
            "properties": {"password": _APPROVAL_PASSWORD}}}}},
        "responses": {**_ok("The request, approved.", _DECLASSIFICATION),
                      **_errors(400, 401, 403, 404, 409)}}},
    "/api/v1/declassifications/{request_id}/refuse": {"post": {
        "summary": "Refuse a request, with a reason; the record keeps its class; audited.",
        "parameters": [_REQUEST_ID],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "required": ["note"],
            "properties": {"note": {"type": "string"}}}}}},
        "responses": {**_ok("The request, refused.", _DECLASSIFICATION),
                      **_errors(400, 401, 403, 404, 409)}}},
}
