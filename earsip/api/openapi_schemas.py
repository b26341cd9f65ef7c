"""Shared pieces of the API v1 OpenAPI document: response helpers and schema constants."""

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
