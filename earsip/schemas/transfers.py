"""Transfers of arsip statis at the doors: the package to prepare, the receipt, the answers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field, WithJsonSchema

from earsip.schemas.base import DATE_SCHEMA, MAX_ID, Model, NullableStr, Required, String
from earsip.schemas.retention import Day, _document_ids


class TransferInput(Model):
    """A transfer to prepare: due permanent records, and who hands over and receives."""

    document_ids: Annotated[list[int], BeforeValidator(_document_ids), Required(),
                            WithJsonSchema({"type": "array", "minItems": 1, "items": {
                                "type": "integer", "minimum": 1, "maximum": MAX_ID}})] = []
    recipient_institution: Annotated[str | None, String(), Required()] = None
    recipient_name: Annotated[str | None, String(), Required()] = None
    recipient_position: Annotated[str | None, String(), Required()] = None
    official_name: Annotated[str | None, String(), Required()] = None
    official_position: Annotated[str | None, String(), Required()] = None
    place: Annotated[str | None, String(), Field(description=(
        "Where (default: the office's place, EARSIP_OFFICE_PLACE)."))] = None


class Receipt(Model):
    receipt_reference: Annotated[str | None, String(), Required(), Field(description=(
        "The institution's receipt (tanda terima) number."))] = None


class TransferDocument(Model):
    """A record in a transfer: its title, classification code and date."""

    id: int
    title: str
    code: str
    date: Day


class Transfer(Model):
    id: int
    number: str
    status: Annotated[str, WithJsonSchema({"enum": ["prepared", "confirmed", "cancelled"]})]
    recipient: str
    created_at: str
    created_by: str
    package_name: NullableStr = None
    package_digest: NullableStr = None
    confirmed_at: NullableStr = None
    confirmed_by: NullableStr = None
    receipt_reference: NullableStr = None
    documents: list[TransferDocument]


class TransferCandidate(Model):
    id: int
    title: str
    classification: str
    document_date: Annotated[str, WithJsonSchema(DATE_SCHEMA)]
    inactive_until: Annotated[str, WithJsonSchema(DATE_SCHEMA)]
    on_hold: bool
    in_transfer: Annotated[bool, Field(description="Already in a prepared transfer.")]
