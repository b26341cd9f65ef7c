"""Documents at the doors: the metadata to file (form, API, CSV of a bulk import), the fields
of an edit, and the document as the API answers it."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    BeforeValidator,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    WithJsonSchema,
    model_serializer,
    model_validator,
)

from earsip.access import SECURITY_CLASSES, normalize_security
from earsip.errors import ValidationError
from earsip.schemas.base import (
    DATE_SCHEMA,
    NULLABLE_DATE,
    Checks,
    IsoDate,
    Model,
    Moment,
    NullableDate,
    NullableStr,
    Required,
    Sha256,
    date_or_none,
)
from earsip.schemas.offices import OfficeRef

MAX_TAGS = 30
FATES = ["musnah", "permanen", "dinilai_kembali", None]


def _raw_text(value: Any, name: str, limit: int) -> str | None:
    if isinstance(value, dt.date):
        value = value.isoformat()
    text = ("" if value is None else str(value)).strip()
    if "\x00" in text:
        raise ValidationError("Kolom %(field)s berisi karakter yang tidak sah.", field=name,
                              params={"field": name})
    if len(text) > limit:
        raise ValidationError("Kolom %(field)s terlalu panjang (maks. %(limit)d karakter).",
                              field=name, params={"field": name, "limit": limit})
    return text or None


def _meta_text(limit: int, schema: dict[str, Any] | None = None) -> Checks:
    def check(value: Any, info: ValidationInfo) -> str | None:
        return _raw_text(value, info.field_name or "", limit)

    return Checks(BeforeValidator(check),
                  WithJsonSchema(schema or {"type": "string", "maxLength": limit}))


def _title(value: Any) -> str:
    title = _raw_text(value, "title", 500)
    if not title:
        raise ValidationError("Kolom title (perihal) wajib diisi.", field="title")
    return title


def _code(value: Any) -> str:
    code = (_raw_text(value, "classification", 64) or "").upper()
    if not code:
        raise ValidationError("Kolom classification (kode klasifikasi) wajib diisi.",
                              field="classification")
    return code


def _security(value: Any) -> str | None:
    security = _raw_text(value, "security", 20)
    if not security:
        return None
    try:
        return normalize_security(security)
    except ValueError as e:
        raise ValidationError("Klasifikasi keamanan tidak dikenal: %(value)s. Pilihan: "
                              "%(choices)s.", field="security",
                              params={"value": security,
                                      "choices": ", ".join(SECURITY_CLASSES)}) from e


def _tags(value: Any) -> tuple[str, ...]:
    items = list(value) if isinstance(value, list | tuple | set) \
        else str(value or "").split(",")
    tags = tuple(sorted({str(t).strip()[:100] for t in items if str(t).strip()}))
    if len(tags) > MAX_TAGS:
        raise ValidationError("Paling banyak %(n)d tag.", field="tags", params={"n": MAX_TAGS})
    return tags


def _date(required: bool) -> Checks:
    def check(value: Any, info: ValidationInfo) -> dt.date | None:
        day = value if isinstance(value, dt.date) else \
            date_or_none(value, info.field_name or "", required=required)
        if info.field_name == "trigger_date":
            _trigger_follows_document(day, info)
        return day

    marks: list[Any] = [Required()] if required else []
    return Checks(BeforeValidator(check), WithJsonSchema(DATE_SCHEMA), *marks)


def _trigger_follows_document(trigger: dt.date | None, info: ValidationInfo) -> None:
    """The event a retention period counts from (a case closed, a term ended) follows the
    document; an earlier date is a slip of the keyboard and would shorten the retention."""
    document_date = info.data.get("document_date")
    if (info.context or {}).get("check_dates", True) and trigger is not None \
            and document_date is not None and trigger < document_date:
        raise ValidationError(
            "Kolom trigger_date (tanggal peristiwa) %(trigger)s lebih awal dari tanggal "
            "dokumen %(date)s; tanggal peristiwa tidak boleh sebelum tanggal dokumen.",
            field="trigger_date",
            params={"trigger": trigger.isoformat(), "date": document_date.isoformat()})


class DocumentInput(Model):
    """The metadata of a document to file, checked in the order its messages are given.

    Validate with the context `{"check_dates": False}` to read values already stored (a record
    filed before the trigger date was checked against the document date can still be edited).
    """

    title: Annotated[str, BeforeValidator(_title), Required(), WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "\\S"})] = ""
    classification: Annotated[str, BeforeValidator(_code), Required(), WithJsonSchema(
        {"type": "string", "minLength": 1, "pattern": "\\S"})] = ""
    security: Annotated[str | None, BeforeValidator(_security), WithJsonSchema(
        {"enum": [*SECURITY_CLASSES, "terbuka"]})] = None
    tags: Annotated[tuple[str, ...], BeforeValidator(_tags), WithJsonSchema(
        {"type": "string", "description": "Comma-separated."})] = ()
    document_date: Annotated[dt.date, _date(required=True)] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    trigger_date: Annotated[dt.date | None, _date(required=False)] = None
    number: Annotated[str | None, _meta_text(200)] = None
    sender: Annotated[str | None, _meta_text(300)] = None
    recipient: Annotated[str | None, _meta_text(300)] = None
    description: Annotated[str | None, _meta_text(10_000)] = None


EDIT_FIELDS = ("title", "number", "document_date", "classification", "security", "sender",
               "recipient", "description", "tags", "trigger_date")


class DocumentEdit(Model):
    """The body of an edit: only the fields to change, each a string."""

    title: str | None = None
    number: str | None = None
    document_date: str | None = None
    classification: str | None = None
    security: str | None = None
    sender: str | None = None
    recipient: str | None = None
    description: str | None = None
    tags: str | None = None
    trigger_date: str | None = None
    security_reason: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _only_text_fields(cls, body: Any) -> Any:
        allowed = (*EDIT_FIELDS, "security_reason")
        if not isinstance(body, dict) or not body or any(
                k not in allowed or not isinstance(v, str) for k, v in body.items()):
            raise ValidationError("Kirim JSON berisi kolom yang diubah (teks): %(fields)s.",
                                  params={"fields": ", ".join(allowed)})
        return body

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = super().__get_pydantic_json_schema__(core_schema, handler)
        schema.update(minProperties=1, additionalProperties=False, description=(
            "Only the fields to change; the others keep their values. Dates are YYYY-MM-DD; "
            "tags are comma-separated; an empty string clears an optional field."))
        schema["properties"] = {k: {"type": "string"} for k in schema["properties"]}
        return schema

    def changes(self) -> dict[str, str]:
        """The metadata fields sent (without the reason)."""
        return {k: v for k, v in self.model_dump(exclude_unset=True).items()
                if k != "security_reason"}


# --- the answers -----------------------------------------------------------------------------

class CodeName(Model):
    code: str
    name: str


class StoredFile(Model):
    filename: str
    mime: str
    size: int
    sha256: Sha256
    pages: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None


class SearchableCopy(Model):
    kind: Annotated[str, WithJsonSchema({"enum": ["pdfa", "pdf"]})] = "pdf"
    size: int = 0
    sha256: Sha256 = ""


class OcrJob(Model):
    state: Annotated[str, WithJsonSchema({"enum": ["pending", "running", "done", "failed"]})] \
        = "pending"
    attempts: int = 0
    max_attempts: int = 0
    last_error: NullableStr = None


class Retention(Model):
    active_until: NullableDate
    inactive_until: NullableDate
    final_fate: Annotated[str | None, WithJsonSchema({"enum": FATES})]
    phase: Annotated[str, WithJsonSchema({"enum": ["aktif", "inaktif", "usul_musnah",
                                                   "permanen", "dinilai_kembali"]})]
    trigger_date: NullableDate = None
    note: NullableStr = None
    awaiting_event: NullableStr = None


class Disposition(Model):
    """How a record left the archive. Only the facts given are answered: those of the
    disposal list when it was destroyed by one, those of the transfer when it was handed over
    (a key the record has no fact for is absent, not null)."""

    status: Annotated[str, WithJsonSchema({"enum": ["destroyed", "transferred"]})] \
        = "destroyed"
    at: NullableStr = None
    disposal_list: NullableStr = None
    berita_acara: NullableStr = None
    approved_by: NullableStr = None
    approval_reference: NullableStr = None
    approval_date: NullableDate = None
    transfer: NullableStr = None
    recipient: NullableStr = None
    receipt_reference: NullableStr = None

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        return {k: v for k, v in dumped.items() if k in self.model_fields_set}


def _nullable(model: type[Model], description: str) -> Checks:
    schema = model.model_json_schema()
    schema["type"] = ["object", "null"]
    schema["description"] = description
    schema.pop("required", None)
    return Checks(WithJsonSchema(schema))


class Document(Model):
    """A document's metadata as the API answers it."""

    id: int
    title: str
    number: NullableStr = None
    classification: CodeName
    document_date: IsoDate
    security: Annotated[str, WithJsonSchema({"enum": list(SECURITY_CLASSES)})]
    sender: NullableStr = None
    recipient: NullableStr = None
    description: NullableStr = None
    tags: list[str] = []
    file: StoredFile
    text_status: Annotated[str, WithJsonSchema({
        "enum": ["extracted", "empty", "encrypted", "failed", "not_applicable", "ocr_pending"],
        "description": "ocr_pending: a scan waiting for (or in) OCR by the background worker; "
                       "it becomes extracted, empty or failed (text_message says why)."})]
    text_message: NullableStr = None
    searchable_copy: Annotated[SearchableCopy | None, _nullable(SearchableCopy, (
        "The searchable copy OCR made beside the original (salinan teks-cari): PDF/A-2b, or "
        "plain PDF where PDF/A was not possible."))] = None
    ocr_job: Annotated[OcrJob | None, _nullable(
        OcrJob, "The document's latest OCR job, if it had one.")] = None
    retention: Retention
    disposition: Annotated[Disposition | None, _nullable(Disposition, (
        "How the record left the archive (its tombstone), null while kept."))] = None
    created_at: Moment
    created_by: NullableStr = None
    # The office (satuan kerja) the document belongs to.
    office: OfficeRef


__all__ = ["DocumentInput", "DocumentEdit", "Document", "CodeName", "StoredFile",
           "SearchableCopy", "OcrJob", "Retention", "Disposition", "EDIT_FIELDS", "MAX_TAGS",
           "NULLABLE_DATE"]
