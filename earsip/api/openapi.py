"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json.

Written by hand next to the routes and kept true by tests: every /api/v1 route must be here
(and nothing else), and schemathesis sends generated requests to a real server and checks each
answer against this description (tests/test_openapi.py).
"""

from __future__ import annotations

from typing import Any

from earsip.access import SECURITY_CLASSES
from earsip.filetypes import LABELS

_ERROR = {"$ref": "#/components/responses/Error"}
_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_NULLABLE_STR = {"type": ["string", "null"]}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _ERROR for code in codes}


def _ok(description: str, schema: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return {str(status): {"description": description,
                          "content": {"application/json": {"schema": schema}}}}


_DOCUMENT = {
    "type": "object",
    "required": ["id", "title", "classification", "document_date", "security", "file",
                 "text_status", "retention", "created_at"],
    "properties": {
        "id": {"type": "integer"},
        "title": {"type": "string"},
        "number": _NULLABLE_STR,
        "classification": {"type": "object", "required": ["code", "name"],
                           "properties": {"code": {"type": "string"},
                                          "name": {"type": "string"}}},
        "document_date": _DATE,
        "security": {"enum": list(SECURITY_CLASSES)},
        "sender": _NULLABLE_STR,
        "recipient": _NULLABLE_STR,
        "description": _NULLABLE_STR,
        "tags": {"type": "array", "items": {"type": "string"}},
        "file": {"type": "object", "required": ["filename", "mime", "size", "sha256"],
                 "properties": {"filename": {"type": "string"}, "mime": {"type": "string"},
                                "size": {"type": "integer"},
                                "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
                                "pages": {"type": ["integer", "null"]}}},
        "text_status": {"enum": ["extracted", "empty", "encrypted", "failed",
                                 "not_applicable", "ocr_pending"],
                        "description": "ocr_pending: a scan waiting for (or in) OCR by the "
                                       "background worker; it becomes extracted, empty or "
                                       "failed (text_message says why)."},
        "text_message": _NULLABLE_STR,
        "searchable_copy": {
            "type": ["object", "null"],
            "description": "The searchable copy OCR made beside the original (salinan "
                           "teks-cari): PDF/A-2b, or plain PDF where PDF/A was not possible.",
            "properties": {"kind": {"enum": ["pdfa", "pdf"]},
                           "size": {"type": "integer"},
                           "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}},
        "ocr_job": {
            "type": ["object", "null"],
            "description": "The document's latest OCR job, if it had one.",
            "properties": {"state": {"enum": ["pending", "running", "done", "failed"]},
                           "attempts": {"type": "integer"},
                           "max_attempts": {"type": "integer"},
                           "last_error": _NULLABLE_STR}},
        "retention": {"type": "object",
                      "required": ["active_until", "inactive_until", "final_fate", "phase"],
                      "properties": {
                          "active_until": _NULLABLE_DATE, "inactive_until": _NULLABLE_DATE,
                          "final_fate": {"enum": ["musnah", "permanen", "dinilai_kembali",
                                                  None]},
                          "phase": {"enum": ["aktif", "inaktif", "usul_musnah", "permanen",
                                             "dinilai_kembali"]},
                          "trigger_date": _NULLABLE_DATE, "note": _NULLABLE_STR,
                          "awaiting_event": _NULLABLE_STR}},
        "disposition": {
            "type": ["object", "null"],
            "description": "How the record left the archive (its tombstone), null while kept.",
            "properties": {"status": {"enum": ["destroyed", "transferred"]},
                           "at": _NULLABLE_STR, "disposal_list": _NULLABLE_STR,
                           "berita_acara": _NULLABLE_STR, "approved_by": _NULLABLE_STR,
                           "approval_reference": _NULLABLE_STR,
                           "approval_date": _NULLABLE_DATE, "transfer": _NULLABLE_STR,
                           "recipient": _NULLABLE_STR, "receipt_reference": _NULLABLE_STR}},
        "created_at": {"type": "string", "format": "date-time"},
        "created_by": _NULLABLE_STR,
    },
}

_REPORT_ROW = {
    "type": "object",
    "required": ["id", "title", "classification", "document_date", "security", "phase",
                 "on_hold"],
    "properties": {
        "id": {"type": "integer"}, "number": _NULLABLE_STR, "title": {"type": "string"},
        "classification": {"type": "string"}, "document_date": _DATE,
        "security": {"enum": list(SECURITY_CLASSES)},
        "active_until": _NULLABLE_DATE, "inactive_until": _NULLABLE_DATE,
        "final_fate": {"enum": ["musnah", "permanen", "dinilai_kembali", None]},
        "phase": {"type": "string"}, "next_phase": _NULLABLE_STR, "due_on": _NULLABLE_DATE,
        "on_hold": {"type": "boolean"}, "note": _NULLABLE_STR},
}

_REPORT = {
    "type": "object", "required": ["kind", "as_of", "months", "total", "results"],
    "properties": {"kind": {"enum": ["due", "upcoming", "hold", "awaiting"]},
                   "as_of": _DATE, "months": {"type": "integer"}, "until": _NULLABLE_DATE,
                   "total": {"type": "integer"},
                   "results": {"type": "array", "items": _REPORT_ROW}},
}

_HOLD = {
    "type": "object",
    "required": ["id", "reference", "reason", "classification_code", "document_ids",
                 "placed_by", "placed_at", "active"],
    "properties": {
        "id": {"type": "integer"}, "reference": {"type": "string"},
        "reason": {"type": "string"}, "classification_code": _NULLABLE_STR,
        "document_ids": {"type": "array", "items": {"type": "integer"},
                         "description": "Only those within the caller's clearance."},
        "placed_by": {"type": "string"}, "placed_at": {"type": "string"},
        "active": {"type": "boolean"}, "lifted_at": _NULLABLE_STR,
        "lifted_by": _NULLABLE_STR, "lift_reason": _NULLABLE_STR},
}

_HOLD_ID = {"name": "hold_id", "in": "path", "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}

_SEARCH_PARAMS = [
    {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 500},
     "description": "Words, \"phrases\", OR, NOT, prefix* (3+ letters), letter numbers."},
    {"name": "classification", "in": "query", "schema": {"type": "string"},
     "description": "A code or a code prefix on whole levels (PM matches PM.01.02)."},
    {"name": "year_from", "in": "query", "schema": {"type": "integer", "minimum": 1900,
                                                    "maximum": 2200}},
    {"name": "year_to", "in": "query", "schema": {"type": "integer", "minimum": 1900,
                                                  "maximum": 2200}},
    {"name": "security", "in": "query", "schema": {"enum": list(SECURITY_CLASSES)}},
    {"name": "mime", "in": "query", "schema": {"enum": list(LABELS)}},
    {"name": "sort", "in": "query", "schema": {"enum": ["relevance", "date"],
                                               "default": "relevance"}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                               "maximum": 100000, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                   "maximum": 100, "default": 20}},
]

_SEARCH_RESULT = {
    "type": "object",
    "required": ["total", "page", "per_page", "sort", "results", "facets"],
    "properties": {
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer"},
        "per_page": {"type": "integer"},
        "sort": {"enum": ["relevance", "date"]},
        "results": {"type": "array", "items": {
            "type": "object",
            "required": ["id", "title", "classification", "document_date", "security",
                         "score", "snippet"],
            "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                           "number": _NULLABLE_STR, "classification": {"type": "string"},
                           "document_date": _DATE, "security": {"enum": list(SECURITY_CLASSES)},
                           "score": {"type": "number"},
                           "snippet": {"type": "string",
                                       "description": "Escaped text; <mark> only."}}}},
        "facets": {"type": "object", "properties": {
            "classification": {"type": "object", "additionalProperties": {"type": "integer"}},
            "year": {"type": "object", "additionalProperties": {"type": "integer"}}}},
    },
}

_CLASSIFICATION = {
    "type": "object",
    "required": ["code", "name", "parent", "retired", "needs_review"],
    "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "parent": _NULLABLE_STR,
        "active_years": {"type": ["integer", "null"]},
        "active_trigger": _NULLABLE_STR,
        "inactive_years": {"type": ["integer", "null"]},
        "final_fate": {"enum": ["musnah", "permanen", "dinilai_kembali", None]},
        "default_security": {"enum": [*SECURITY_CLASSES, None]},
        "needs_review": {"type": "boolean"}, "retired": {"type": "boolean"},
    },
}

_EDIT = {
    "type": "object", "minProperties": 1, "additionalProperties": False,
    "description": "Only the fields to change; the others keep their values. Dates are "
                   "YYYY-MM-DD; tags are comma-separated; an empty string clears an "
                   "optional field.",
    "properties": {name: {"type": "string"} for name in (
        "title", "number", "document_date", "classification", "security", "sender",
        "recipient", "description", "tags", "trigger_date", "security_reason")},
}

_TOKEN = {
    "type": "object",
    "required": ["id", "created_at", "expires_at", "last_used_at", "revoked", "revoked_at",
                 "active", "current"],
    "properties": {
        "id": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time"},
        "expires_at": {"type": ["string", "null"], "format": "date-time"},
        "last_used_at": {"type": ["string", "null"], "format": "date-time",
                         "description": "Noted at most every 15 minutes."},
        "revoked": {"type": "boolean"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "active": {"type": "boolean", "description": "Not revoked and not expired."},
        "current": {"type": "boolean", "description": "The token of this request."},
    },
}

_TOKEN_ID = {"name": "token_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}

_DOC_ID = {"name": "document_id", "in": "path", "required": True,
           "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}}


def spec() -> dict[str, Any]:
    """Return the OpenAPI document of API v1."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "E-Arsip API",
            "version": "1",
            "description": "Records management for Bawaslu offices. Messages are in Bahasa "
                           "Indonesia, or in English with Accept-Language: en. Every document "
                           "above the caller's clearance is answered as if it did not exist "
                           "(404), and never counted. See docs/API.md and docs/ACCESS.md.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "From POST /api/v1/tokens."}},
            "responses": {"Error": {
                "description": "An error, with a message that says why.",
                "content": {"application/json": {"schema": {
                    "type": "object", "required": ["error"],
                    "properties": {"error": {
                        "type": "object", "required": ["code", "message"],
                        "properties": {"code": {"type": "string"},
                                       "message": {"type": "string"},
                                       "field": {"type": "string"},
                                       "existing_id": {"type": "integer"}}}}}}}}},
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/health": {"get": {
                "summary": "Is the server answering?", "security": [],
                "responses": _ok("It is.", {"type": "object", "required": ["status"],
                                            "properties": {"status": {"const": "ok"}}})}},
            "/api/v1/openapi.json": {"get": {
                "summary": "This description.", "security": [],
                "responses": _ok("The OpenAPI document.", {"type": "object"})}},
            "/api/v1/tokens": {
                "post": {
                    "summary": "Sign in and get a bearer token (403 password_change_required "
                               "while the account has a temporary password).", "security": [],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["username", "password"],
                                   "properties": {"username": {"type": "string"},
                                                  "password": {"type": "string"}}}}}},
                    "responses": {**_ok("A new token.", {
                        "type": "object", "required": ["token"],
                        "properties": {"token": {"type": "string"}}}, 201),
                        **_errors(400, 401, 403, 429)}},
                "get": {
                    "summary": "The caller's own tokens that have not expired, revoked ones "
                               "too, newest first; never the secrets.",
                    "responses": {**_ok("The tokens.", {"type": "array", "items": _TOKEN}),
                                  **_errors(401, 403)}}},
            "/api/v1/documents": {"post": {
                "summary": "File a document (the arsiparis role).",
                "requestBody": {"required": True, "content": {"multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file", "title", "classification", "document_date"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "title": {"type": "string", "minLength": 1, "maxLength": 500,
                                      "pattern": "\\S"},
                            "classification": {"type": "string", "minLength": 1,
                                               "pattern": "\\S"},
                            "document_date": _DATE,
                            "number": {"type": "string", "maxLength": 200},
                            "security": {"enum": [*SECURITY_CLASSES, "terbuka"]},
                            "sender": {"type": "string", "maxLength": 300},
                            "recipient": {"type": "string", "maxLength": 300},
                            "description": {"type": "string", "maxLength": 10000},
                            "tags": {"type": "string", "description": "Comma-separated."},
                            "trigger_date": _DATE}}}}},
                "responses": {**_ok("Filed.", _DOCUMENT, 201),
                              **_errors(400, 401, 403, 409, 413, 415, 503, 507)}}},
            "/api/v1/documents/{document_id}": {
                "get": {
                    "summary": "A document's metadata (audited as a view).",
                    "parameters": [_DOC_ID],
                    "responses": {**_ok("The document.", _DOCUMENT), **_errors(401, 403, 404)}},
                "patch": {
                    "summary": "Change metadata, reclassify or change the security class "
                               "(the arsiparis role; audited with old and new values).",
                    "parameters": [_DOC_ID],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": _EDIT}}},
                    "responses": {**_ok("The document afterwards.", _DOCUMENT),
                                  **_ok("Applied, except the lowering of the security class, "
                                        "which waits for a leader's approval (the body's "
                                        "`declassification`).", _DOCUMENT, 202),
                                  **_errors(400, 401, 403, 404, 409, 503)}},
                "delete": {
                    "summary": "Always refused and audited: a record leaves the archive only "
                               "through the destruction procedure.",
                    "parameters": [_DOC_ID],
                    "responses": _errors(401, 403, 404)}},
            "/api/v1/documents/{document_id}/file": {"get": {
                "summary": "The original file, as an attachment (audited).",
                "parameters": [_DOC_ID],
                "responses": {"200": {"description": "The stored bytes.",
                                      "content": {"*/*": {"schema": {"type": "string",
                                                                     "format": "binary"}}}},
                              **_errors(401, 403, 404, 410)}}},
            "/api/v1/documents/{document_id}/searchable-copy": {"get": {
                "summary": "The searchable copy made by OCR (PDF/A where possible), as an "
                           "attachment (audited). 404 while there is none.",
                "parameters": [_DOC_ID],
                "responses": {"200": {"description": "The copy's bytes.",
                                      "content": {"application/pdf": {
                                          "schema": {"type": "string", "format": "binary"}}}},
                              **_errors(401, 403, 404, 410)}}},
            "/api/v1/search": {"get": {
                "summary": "Full-text search within the caller's clearance (audited).",
                "parameters": _SEARCH_PARAMS,
                "responses": {**_ok("One page of results.", _SEARCH_RESULT),
                              **_errors(400, 401, 403, 503)}}},
            "/api/v1/classifications": {"get": {
                "summary": "The classification scheme with each code's retention rule.",
                "responses": {**_ok("Every code.", {"type": "array",
                                                    "items": _CLASSIFICATION}),
                              **_errors(401, 403)}}},
            "/api/v1/retention/report": {"get": {
                "summary": "A retention report within the caller's clearance: due now, due "
                           "in the next months, on hold, awaiting an event (CSV and XLSX "
                           "exports are audited).",
                "parameters": [
                    {"name": "kind", "in": "query",
                     "schema": {"enum": ["due", "upcoming", "hold", "awaiting"],
                                "default": "due"}},
                    {"name": "months", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 120,
                                "default": 12}},
                    {"name": "as_of", "in": "query", "schema": _DATE},
                    {"name": "format", "in": "query",
                     "schema": {"enum": ["json", "csv", "xlsx"], "default": "json"}}],
                "responses": {"200": {"description": "The report.", "content": {
                    "application/json": {"schema": _REPORT},
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}}}},
                    **_errors(400, 401, 403)}}},
            "/api/v1/holds": {
                "get": {
                    "summary": "Legal holds (active ones unless active=0).",
                    "parameters": [{"name": "active", "in": "query",
                                    "schema": {"enum": ["0", "1"], "default": "1"}}],
                    "responses": {**_ok("The holds.", {"type": "array", "items": _HOLD}),
                                  **_errors(400, 401, 403)}},
                "post": {
                    "summary": "Place a legal hold on documents and/or a classification code "
                               "(with every code beneath it); audited.",
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"type": "object", "required": ["reference", "reason"],
                                   "properties": {
                                       "reference": {"type": "string"},
                                       "reason": {"type": "string"},
                                       "document_ids": {"type": "array", "items": {
                                           "type": "integer", "minimum": 1,
                                           "maximum": 2**31 - 1}},
                                       "classification_code": {"type": "string"}}}}}},
                    "responses": {**_ok("The hold.", _HOLD, 201),
                                  **_errors(400, 401, 403, 404)}}},
            "/api/v1/holds/{hold_id}": {"get": {
                "summary": "One legal hold.", "parameters": [_HOLD_ID],
                "responses": {**_ok("The hold.", _HOLD), **_errors(401, 403, 404)}}},
            "/api/v1/holds/{hold_id}/lift": {"post": {
                "summary": "Lift a legal hold, with a reason; audited.",
                "parameters": [_HOLD_ID],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"type": "object", "required": ["reason"],
                               "properties": {"reason": {"type": "string"}}}}}},
                "responses": {**_ok("The hold, lifted.", _HOLD),
                              **_errors(400, 401, 403, 404, 409)}}},
            "/api/v1/tokens/{token_id}": {"delete": {
                "summary": "Revoke one of the caller's own tokens (the one in use too); "
                           "audited. Someone else's token is 404.",
                "parameters": [_TOKEN_ID],
                "responses": {"204": {"description": "Revoked (or already revoked)."},
                              **_errors(401, 403, 404)}}},
            **_DUTIES_PATHS,
        },
    }


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
