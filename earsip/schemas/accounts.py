"""Accounts at the doors: signing in for a token, the caller's tokens, declassification
requests and the classification scheme as the API lists them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, PlainSerializer, WithJsonSchema, model_validator
from pydantic.json_schema import SkipJsonSchema

from earsip.access import SECURITY_CLASSES
from earsip.errors import N_, ValidationError
from earsip.schemas.base import (
    NULLABLE_STR,
    Model,
    Moment,
    NullableMoment,
    NullableStr,
    Required,
    String,
    Text,
)
from earsip.schemas.documents import FATES
from earsip.schemas.retention import APPROVAL_PASSWORD


class Credentials(Model):
    username: Annotated[str, Required()] = ""
    password: Annotated[str, Required()] = ""

    @model_validator(mode="before")
    @classmethod
    def _both_texts(cls, body: Any) -> Any:
        if not isinstance(body, dict) or not isinstance(body.get("username"), str) \
                or not isinstance(body.get("password"), str):
            raise ValidationError("Kirim JSON {\"username\", \"password\"}.")
        return body


class NewToken(Model):
    token: str


class Token(Model):
    id: int
    created_at: Moment
    expires_at: NullableMoment
    last_used_at: Annotated[NullableMoment, Field(
        description="Noted at most every 15 minutes.")]
    revoked: bool
    revoked_at: NullableMoment
    active: Annotated[bool, Field(description="Not revoked and not expired.")]
    current: Annotated[bool, Field(description="The token of this request.")]


class Revoked(Model):
    revoked: int


class Health(Model):
    status: Annotated[str, WithJsonSchema({"const": "ok"})]


class Approval(Model):
    password: Annotated[str | None, String(), Required(), WithJsonSchema(APPROVAL_PASSWORD)] \
        = None


class Refusal(Model):
    """Why a leader refuses to lower a record's class."""

    note: Annotated[str, Text(N_("Alasan penolakan"), limit=2000)] = ""


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


class Declassification(Model):
    """A request to lower a record's security class, as pages and the API show it (no title:
    the document's page shows that, audited). Its moments are written in ISO 8601 as stored
    (UTC, without a zone); who asked by account id is for the pages only, never answered."""

    id: int
    document_id: int
    old_security: Annotated[str, WithJsonSchema({"enum": list(SECURITY_CLASSES)})]
    new_security: Annotated[str, WithJsonSchema({"enum": list(SECURITY_CLASSES)})]
    reason: str
    status: Annotated[str, WithJsonSchema({"enum": ["pending", "approved", "refused"]})]
    requested_by: str
    requested_by_id: Annotated[int | None, Field(exclude=True), SkipJsonSchema()] = None
    requested_at: Annotated[dt.datetime, PlainSerializer(_iso, when_used="json"),
                            WithJsonSchema({"type": "string"})]
    decided_by: NullableStr = None
    decided_at: Annotated[dt.datetime | None,
                          PlainSerializer(_iso, when_used="json-unless-none"),
                          WithJsonSchema(NULLABLE_STR)] = None
    decision_note: NullableStr = None


class Classification(Model):
    code: str
    name: str
    parent: NullableStr
    active_years: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    active_trigger: NullableStr = None
    inactive_years: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    final_fate: Annotated[str | None, WithJsonSchema({"enum": FATES})] = None
    default_security: Annotated[str | None, WithJsonSchema(
        {"enum": [*SECURITY_CLASSES, None]})] = None
    needs_review: bool
    retired: bool
