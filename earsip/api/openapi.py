"""The OpenAPI 3.1 description of API v1, served at /api/v1/openapi.json.

Written by hand next to the routes and kept true by tests: every /api/v1 route must be here
(and nothing else), and schemathesis sends generated requests to a real server and checks each
answer against this description (tests/test_openapi.py).
"""

from __future__ import annotations

from typing import Any

from earsip.access import SECURITY_CLASSES
from earsip.api.openapi_paths import (  # noqa: F401 - re-exported
    _APPROVAL_PASSWORD,
    _DECLASSIFICATION,
    _DISPOSAL_LIST,
    _DUTIES_PATHS,
    _LIST_ID,
    _REQUEST_ID,
)
from earsip.api.openapi_schemas import (  # noqa: F401 - re-exported
    _CLASSIFICATION,
    _DATE,
    _DOC_ID,
    _DOCUMENT,
    _EDIT,
    _ERROR,
    _HOLD,
    _HOLD_ID,
    _NULLABLE_DATE,
    _NULLABLE_STR,
    _REPORT,
    _REPORT_ROW,
    _SEARCH_PARAMS,
    _SEARCH_RESULT,
    _TOKEN,
    _TOKEN_ID,
    _errors,
    _ok,
)


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
