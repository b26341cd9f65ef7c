"""Retention and disposition at the doors: reports, legal holds, destruction lists."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)

from earsip.access import SECURITY_CLASSES
from earsip.errors import N_, ValidationError
from earsip.schemas.base import (
    DATE_SCHEMA,
    MAX_ID,
    NULLABLE_DATE,
    NULLABLE_STR,
    Model,
    NullableDate,
    NullableStr,
    Required,
    String,
    Text,
)
from earsip.schemas.documents import FATES

REPORT_KINDS = ("due", "upcoming", "hold", "awaiting")
MAX_MONTHS = 120
FORMATS = ("json", "csv", "xlsx")


def _months(value: Any) -> int:
    if value is None:
        return 12
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= MAX_MONTHS:
        raise ValidationError("%(name)s harus bilangan bulat %(low)d–%(high)d.", field="months",
                              params={"name": "months", "low": 1, "high": MAX_MONTHS})
    return number


def _as_of(value: Any) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError) as e:
        raise ValidationError("as_of harus tanggal YYYY-MM-DD.", field="as_of") from e


def _format(value: Any) -> str:
    fmt = "json" if value is None else value
    if fmt not in FORMATS:
        raise ValidationError("format harus json, csv atau xlsx.", field="format")
    return fmt


class ReportQuery(Model):
    """A retention report asked for (the last value of a repeated parameter counts)."""

    describe_defaults = True

    kind: Annotated[str, WithJsonSchema({"enum": list(REPORT_KINDS), "default": "due"})] \
        = "due"
    months: Annotated[int, BeforeValidator(_months), WithJsonSchema(
        {"type": "integer", "minimum": 1, "maximum": MAX_MONTHS, "default": 12})] = 12
    format: Annotated[str, BeforeValidator(_format), WithJsonSchema(
        {"enum": list(FORMATS), "default": "json"})] = "json"
    as_of: Annotated[dt.date | None, BeforeValidator(_as_of), WithJsonSchema(DATE_SCHEMA)] \
        = None


# Dates and moments kept as such (pages and exports write them their own way); the JSON
# answers write a date in ISO 8601 and a hold's moment to the second, in UTC ("…Z").
Day = Annotated[dt.date, WithJsonSchema(DATE_SCHEMA)]
NullableDay = Annotated[dt.date | None, WithJsonSchema(NULLABLE_DATE)]


def _stamp(moment: dt.datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


Stamp = Annotated[dt.datetime, PlainSerializer(_stamp, when_used="json"),
                  WithJsonSchema({"type": "string"})]
NullableStamp = Annotated[dt.datetime | None,
                          PlainSerializer(_stamp, when_used="json-unless-none"),
                          WithJsonSchema(NULLABLE_STR)]


class ReportRow(Model):
    """One document in a retention report."""

    id: int
    number: NullableStr = None
    title: str
    classification: str
    document_date: Day
    security: Annotated[str, WithJsonSchema({"enum": list(SECURITY_CLASSES)})]
    active_until: NullableDay = None
    inactive_until: NullableDay = None
    final_fate: Annotated[str | None, WithJsonSchema({"enum": FATES})] = None
    phase: str  # the phase on the report's date
    next_phase: NullableStr = None  # the phase the document enters on `due_on`
    due_on: NullableDay = None
    on_hold: bool
    note: NullableStr = None


class Report(Model):
    """A retention report: its kind, date, window and rows (within the reader's clearance)."""

    kind: Annotated[str, WithJsonSchema({"enum": list(REPORT_KINDS)})]
    as_of: Day
    months: int
    until: NullableDay = None
    total: int
    results: list[ReportRow]


def _flag(value: Any, info: ValidationInfo) -> bool:
    if isinstance(value, bool):
        return value
    values = value if isinstance(value, list) else [value]
    if len(values) > 1 or values[0] not in (None, "0", "1"):
        raise ValidationError("active harus 0 atau 1.", field="active")
    return values[0] != "0"


class HoldsQuery(Model):
    """Which holds to list: the active ones (active=1, the default) or all (active=0)."""

    describe_defaults = True

    active: Annotated[bool, BeforeValidator(_flag),
                      WithJsonSchema({"enum": ["0", "1"], "default": "1"})] \
        = "1"  # type: ignore[assignment]  # the flag "1" is validated into True


def _document_ids(value: Any) -> list[int]:
    ids = [] if value is None else list(value) if isinstance(value, tuple) else value
    if not isinstance(ids, list) or not all(
            isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= MAX_ID for i in ids):
        raise ValidationError("document_ids harus daftar id dokumen.", field="document_ids")
    return ids


class HoldInput(Model):
    """A legal hold to place: on chosen documents, or on a code and every code beneath it."""

    document_ids: Annotated[list[int], BeforeValidator(_document_ids), WithJsonSchema(
        {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID}})] = []
    reference: Annotated[str, Text(N_("Nomor referensi"), limit=200)] = ""
    reason: Annotated[str, Text(N_("Alasan"), limit=2000)] = ""
    classification_code: Annotated[str | None, Text(N_("Kode klasifikasi"), limit=64,
                                                    required=False)] = None

    @model_validator(mode="after")
    def something_held(self) -> HoldInput:
        if not self.document_ids and self.classification_code is None:
            raise ValidationError("Pilih dokumen atau kode klasifikasi yang ditahan.",
                                  field="document_ids")
        return self


class HoldLift(Model):
    """Why a hold is lifted."""

    reason: Annotated[str, Text(N_("Alasan pencabutan"), limit=2000)] = ""


class ItemRemoval(Model):
    """Why a record is taken off a destruction list."""

    reason: Annotated[str, Text(N_("Alasan"), limit=2000)] = ""


class Cancellation(Model):
    """Why a destruction list is cancelled."""

    reason: Annotated[str, Text(N_("Alasan pembatalan"), limit=2000)] = ""


class Hold(Model):
    """A hold as the pages and the API show it (documents counted within clearance).

    A reference and a reason describe every record the hold covers (a dispute's register
    number, an audit's letter): a reader who may not see all of those records gets neither
    (None), nor the reason it was lifted (`restricted`).
    """

    id: int
    # Described as strings as they always were; None for a `restricted` reader.
    reference: Annotated[str | None, WithJsonSchema({"type": "string"})]
    reason: Annotated[str | None, WithJsonSchema({"type": "string"})]
    classification_code: NullableStr
    document_ids: Annotated[list[int], Field(
        description="Only those within the caller's clearance.")]
    placed_by: str
    placed_at: Stamp
    active: bool
    lifted_at: NullableStamp = None
    lifted_by: NullableStr = None
    lift_reason: NullableStr = None
    restricted: Annotated[bool, Field(description=(
        "Whether documents above the caller's clearance are left out of document_ids, "
        "and the reasons withheld."))] = False


def _decision_date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise ValidationError("%(name)s harus teks.", field="decision_date",
                              params={"name": "decision_date"})
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError as e:
        raise ValidationError("Tanggal tidak sah (format YYYY-MM-DD).",
                              field="decision_date") from e


APPROVAL_PASSWORD = {"type": "string", "description": "The approver's own password, asked "
                                                      "again (a wrong one is refused, 403, "
                                                      "and audited)."}


class DisposalApproval(Model):
    """A leader's approval of a destruction list under review."""

    # Read in this order: the date's and the password's types, then the reference, then the
    # date's presence (below), the order a leader's mistakes have always been named in.
    describe_order = ("decision_date", "reference", "password")

    decision_date: Annotated[dt.date | None, BeforeValidator(_decision_date), Required(),
                             WithJsonSchema(DATE_SCHEMA)] = None
    password: Annotated[str | None, String(), Required(), WithJsonSchema(APPROVAL_PASSWORD)] \
        = None
    reference: Annotated[str, Text(N_("Nomor keputusan persetujuan"), limit=200)] = ""

    @model_validator(mode="after")
    def dated_and_not_ahead(self) -> DisposalApproval:
        """Whether the date was given and is not ahead (after every field was read)."""
        if self.decision_date is None:
            raise ValidationError("Tanggal keputusan persetujuan wajib diisi.",
                                  field="decision_date")
        if self.decision_date > dt.date.today():
            raise ValidationError("Tanggal keputusan tidak boleh di masa depan.",
                                  field="decision_date")
        return self

    @property
    def decided_on(self) -> dt.date:
        """The decision's date (always given: the declaration refuses an approval without)."""
        assert self.decision_date is not None
        return self.decision_date


class DisposalItem(Model):
    """One row of a destruction list (the Daftar Arsip Usul Musnah's columns, and its fate)."""

    id: int
    document_id: int
    code: str
    description: str
    period: str
    quantity: str
    development: str
    media: str
    remarks: str | None
    removed: bool
    removed_by: str | None
    removed_reason: str | None
    on_hold: bool


class DisposalList(Model):
    id: int
    number: str
    status: Annotated[str, WithJsonSchema(
        {"enum": ["draft", "submitted", "approved", "executed", "cancelled"]})]
    created_at: str
    proposed_by: str
    note: NullableStr = None
    approved_by: NullableStr = None
    approval_reference: NullableStr = None
    approval_date: NullableDate = None
    berita_acara_number: NullableStr = None
    remaining: int
    items: Annotated[list[DisposalItem] | None, WithJsonSchema(
        {"type": "array", "items": {"type": "object"},
         "description": "The list's rows (only on GET of one list, audited)."})] = None


def _proposed_ids(value: Any) -> list[int]:
    ids = sorted(set(_document_ids(value)))
    if not ids:
        raise ValidationError("Pilih minimal satu dokumen untuk diusulkan musnah.",
                              field="document_ids")
    return ids


class DisposalProposal(Model):
    """A destruction list to draw up: due `musnah` records, not held nor on another list."""

    document_ids: Annotated[list[int], BeforeValidator(_proposed_ids), Required(),
                            WithJsonSchema({"type": "array", "minItems": 1, "items": {
                                "type": "integer", "minimum": 1, "maximum": MAX_ID}})] = []
    note: Annotated[str | None, Text(N_("Catatan"), limit=2000, required=False)] = None


class Witness(Model):
    """A witness of the destruction (saksi): name and position."""

    name: str
    position: str


_WITNESSES = N_("Pemusnahan harus disaksikan minimal dua orang; isi nama dan jabatan setiap "
                "saksi.")


def _witness(row: Any) -> Witness | None:
    """One row of the witnesses, trimmed; None for a row left empty (the page offers four)."""
    if isinstance(row, Witness):
        row = row.model_dump()
    if not isinstance(row, dict) or not all(
            isinstance(row.get(k) or "", str) for k in ("name", "position")):
        raise ValidationError(_WITNESSES, field="witnesses")
    name, position = ((row.get(k) or "").strip() for k in ("name", "position"))
    return Witness(name=name, position=position) if name or position else None


def _witnesses(value: Any) -> list[Witness]:
    if value is not None and not isinstance(value, list | tuple):
        raise ValidationError(_WITNESSES, field="witnesses")
    found = [w for row in value or () if (w := _witness(row)) is not None]
    if len(found) < 2 or any(not w.name or not w.position for w in found):
        raise ValidationError(_WITNESSES, field="witnesses")
    if len({w.name.casefold() for w in found}) < len(found):
        raise ValidationError("Nama saksi tidak boleh sama.", field="witnesses")
    return found


class DisposalExecution(Model):
    """The berita acara of a destruction: who carried it out before which witnesses (the page's
    form and the API's body alike; the service fills in the office's place and the standard
    method when they are left out)."""

    berita_acara_number: Annotated[str, Text(N_("Nomor berita acara"), limit=200)] = ""
    official_name: Annotated[str, Text(N_("Nama pejabat pelaksana"), limit=200)] = ""
    official_position: Annotated[str, Text(N_("Jabatan pejabat pelaksana"), limit=200)] = ""
    witnesses: Annotated[list[Witness], BeforeValidator(_witnesses), Required(),
                         WithJsonSchema({"type": "array", "minItems": 2, "items": {
                             "type": "object", "required": ["name", "position"],
                             "properties": {"name": {"type": "string"},
                                            "position": {"type": "string"}}},
                             "description": "At least two, each with a name and a "
                                            "position; no name twice."})] = []
    place: Annotated[str | None, Text(N_("Tempat"), limit=200, required=False),
                     Field(description=(
                         "Where (default: the office's place, EARSIP_OFFICE_PLACE)."))] = None
    method: Annotated[str | None, Text(N_("Metode"), limit=300, required=False),
                      Field(description=(
                          "How (a standard wording of the destruction when left out)."))] = None


class Candidate(Model):
    """A document that may be proposed for destruction (or why not)."""

    id: int
    title: str
    number: NullableStr = None
    classification: str
    document_date: Day
    inactive_until: Day
    on_hold: bool
    listed: Annotated[bool, Field(description="Already on an open destruction list.")]
