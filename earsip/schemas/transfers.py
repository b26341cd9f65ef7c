"""Transfers of arsip statis at the doors: the package to prepare, the receipt, the answers."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from earsip.errors import N_, ValidationError
from earsip.schemas.base import MAX_ID, Model, NullableStr, Required, Text
from earsip.schemas.retention import Day, _document_ids


class Handover(Model):
    """Who hands the records over and who receives them, as the berita acara names them (the
    service fills in the office's place when it is left out)."""

    recipient_institution: Annotated[str, Text(N_("Lembaga penerima"), limit=300)] = ""
    recipient_name: Annotated[str, Text(N_("Nama penerima"), limit=200)] = ""
    recipient_position: Annotated[str, Text(N_("Jabatan penerima"), limit=200)] = ""
    official_name: Annotated[str, Text(N_("Nama pejabat"), limit=200)] = ""
    official_position: Annotated[str, Text(N_("Jabatan pejabat"), limit=200)] = ""
    place: Annotated[str | None, Text(N_("Tempat"), limit=200, required=False),
                     Field(description=(
                         "Where (default: the office's place, EARSIP_OFFICE_PLACE)."))] = None


def _chosen_ids(value: Any) -> list[int]:
    ids = sorted(set(_document_ids(value)))
    if not ids:
        raise ValidationError("Pilih minimal satu arsip untuk diserahkan.", field="document_ids")
    return ids


class _Chosen(Model):
    document_ids: Annotated[list[int], BeforeValidator(_chosen_ids), Required(),
                            WithJsonSchema({"type": "array", "minItems": 1, "items": {
                                "type": "integer", "minimum": 1, "maximum": MAX_ID}})] = []


class TransferInput(Handover, _Chosen):
    """A transfer to prepare: due permanent records (first), and who hands over and receives."""


class Receipt(Model):
    receipt_reference: Annotated[str, Text(N_("Nomor tanda terima"), limit=200),
                                 Field(description=(
                                     "The institution's receipt (tanda terima) number."))] = ""


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
    """A permanent record due for transfer (or why it cannot go now)."""

    id: int
    title: str
    classification: str
    document_date: Day
    inactive_until: Day
    on_hold: bool
    in_transfer: Annotated[bool, Field(description="Already in a prepared transfer.")]
