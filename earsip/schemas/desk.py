"""The front desk at the doors: an incoming letter to register, a disposition, an outgoing
number to issue, and the letters, dispositions and numbers as the API answers them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from earsip.access import SECURITY_CLASSES, normalize_security
from earsip.errors import N_, ValidationError
from earsip.schemas.base import (
    DATE_SCHEMA,
    NULLABLE_DATE,
    Checks,
    Model,
    NullableStr,
    Required,
    Text,
    date_or_none,
)
from earsip.schemas.offices import OfficeRef
from earsip.schemas.retention import Day, NullableDay, NullableStamp, Stamp
from earsip.schemas.suggest import CodeSuggestion

CHANNELS = ("loket", "pos", "kurir", "email", "srikandi")
URGENCIES = ("biasa", "segera", "amat_segera")
MAX_RECIPIENTS = 20
# A letter number: parts of letters, digits, dots and dashes separated by slashes
# (197/PM.00.02/K.JI-11.07/06/2024, B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016).
LETTER_NUMBER = re.compile(r"^[A-Za-z0-9.\-]+(?:/[A-Za-z0-9.\-]+)+$")


def choice(values: tuple[str, ...], label: str, *, default: str | None = None) -> Checks:
    """One of `values` (case and spaces forgiven); empty gives `default`, or is refused."""
    def check(value: Any, info: Any) -> str | None:
        name = info.field_name or ""
        text = ("" if value is None else str(value)).strip().lower().replace(" ", "_")
        if not text:
            if default is None:
                raise ValidationError("%(label)s wajib diisi.", field=name,
                                      params={"label": label})
            return default
        if text not in values:
            raise ValidationError("%(label)s tidak dikenal: %(value)s. Pilihan: %(choices)s.",
                                  field=name, params={"label": label, "value": str(value)[:40],
                                                      "choices": ", ".join(values)})
        return text

    marks: tuple[object, ...] = () if default is not None else (Required(),)
    return Checks(BeforeValidator(check), WithJsonSchema({"enum": list(values)}), *marks)


def day_field(label: str, *, required: bool) -> Checks:
    """A YYYY-MM-DD date, refused naming the field by `label`."""
    def check(value: Any, info: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if value is not None and not isinstance(value, str):
            raise ValidationError("%(label)s harus tanggal (YYYY-MM-DD).",
                                  field=info.field_name, params={"label": label})
        return date_or_none(value, info.field_name or "", required=required)

    marks: tuple[object, ...] = (Required(),) if required else ()
    return Checks(BeforeValidator(check),
                  WithJsonSchema(DATE_SCHEMA if required else NULLABLE_DATE), *marks)


def moment_field(value: Any, info: Any) -> dt.datetime:
    name = info.field_name or ""
    if isinstance(value, dt.datetime):
        moment = value
    else:
        text = ("" if value is None else str(value)).strip()
        if not text:
            raise ValidationError("Waktu diterima (received_at) wajib diisi.", field=name)
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError as e:
            raise ValidationError("Waktu tidak sah pada %(field)s: %(value)s (ISO 8601 dengan "
                                  "zona waktu, mis. 2026-03-16T09:30:00+07:00).", field=name,
                                  params={"field": name, "value": text[:40]}) from e
    if moment.tzinfo is None:
        raise ValidationError("Waktu pada %(field)s harus menyertakan zona waktu "
                              "(mis. +07:00).", field=name, params={"field": name})
    if not 1900 <= moment.year <= 2200:
        raise ValidationError("Tahun di luar rentang pada %(field)s: %(year)d.", field=name,
                              params={"field": name, "year": moment.year})
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _letter_number(value: Any, info: Any) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        raise ValidationError("Nomor surat wajib diisi.", field="letter_number")
    compact = re.sub(r"\s*/\s*", "/", text)
    if len(compact) > 200 or not LETTER_NUMBER.match(compact):
        raise ValidationError(
            "Nomor surat %(value)s tidak dapat dibaca: bagian-bagiannya dipisah garis miring "
            "(mis. 197/PM.00.02/K.JI-11.07/06/2024).", field="letter_number",
            params={"value": text[:60]})
    return compact


def _code(value: Any, info: Any) -> str:
    code = str(value or "").strip().upper()
    if not code:
        raise ValidationError("Kode klasifikasi wajib diisi.", field="classification")
    if len(code) > 64:
        raise ValidationError("Kode klasifikasi terlalu panjang.", field="classification")
    return code


def _security(value: Any, info: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return normalize_security(text)
    except ValueError as e:
        raise ValidationError("Klasifikasi keamanan tidak dikenal: %(value)s. Pilihan: "
                              "%(choices)s.", field="security",
                              params={"value": text[:40],
                                      "choices": ", ".join(SECURITY_CLASSES)}) from e


def _count(value: Any, info: Any) -> int:
    if value is None or value == "":
        return 0
    try:
        number = int(str(value).strip())
    except ValueError as e:
        raise ValidationError("Jumlah lampiran harus bilangan bulat.", field="attachments") from e
    if not 0 <= number <= 1000:
        raise ValidationError("Jumlah lampiran di luar rentang (0–1000).", field="attachments")
    return number


def _usernames(value: Any, info: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list | tuple) else str(value or "").split(",")
    names: list[str] = []
    for item in items:
        name = str(item).strip()
        if name and name not in names:
            names.append(name[:80])
    if not names:
        raise ValidationError("Pilih minimal satu penerima disposisi.", field="to")
    if len(names) > MAX_RECIPIENTS:
        raise ValidationError("Paling banyak %(n)d penerima sekaligus.", field="to",
                              params={"n": MAX_RECIPIENTS})
    return tuple(names)


def _flag(value: Any, info: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "ya", "on", "yes")


Code = Annotated[str, BeforeValidator(_code), Required(),
                 WithJsonSchema({"type": "string", "minLength": 1})]
Security = Annotated[str | None, BeforeValidator(_security),
                     WithJsonSchema({"enum": [*SECURITY_CLASSES, "terbuka"]})]


class IncomingInput(Model):
    """A letter to register at the desk (its files come beside it)."""

    received_at: Annotated[dt.datetime, BeforeValidator(moment_field), Required(), WithJsonSchema(
        {"type": "string", "format": "date-time"})] = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    channel: Annotated[str, choice(CHANNELS, N_("Saluran"))] = ""
    letter_number: Annotated[str, BeforeValidator(_letter_number), Required(),
                             WithJsonSchema({"type": "string", "maxLength": 200})] = ""
    letter_date: Annotated[dt.date, day_field(N_("Tanggal surat"), required=True)] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    sender: Annotated[str, Text(N_("Pengirim"), limit=300)] = ""
    sender_person: Annotated[str | None, Text(N_("Nama penanda tangan"), limit=200,
                                              required=False)] = None
    subject: Annotated[str, Text(N_("Perihal"), limit=1000)] = ""
    classification: Code = ""
    urgency: Annotated[str, choice(URGENCIES, N_("Sifat"), default="biasa")] = "biasa"
    security: Security = None
    attachments: Annotated[int, BeforeValidator(_count),
                           WithJsonSchema({"type": "integer", "minimum": 0})] = 0
    note: Annotated[str | None, Text(N_("Catatan"), limit=5000, required=False)] = None


class DispositionInput(Model):
    """Routing a letter (or forwarding a disposition) to one or more people."""

    to: Annotated[tuple[str, ...], BeforeValidator(_usernames), Required(), WithJsonSchema(
        {"type": "array", "items": {"type": "string"}, "minItems": 1,
         "maxItems": MAX_RECIPIENTS})] = ()
    instruction: Annotated[str, Text(N_("Instruksi"), limit=200)] = ""
    note: Annotated[str | None, Text(N_("Catatan"), limit=5000, required=False)] = None
    due_date: Annotated[dt.date | None, day_field(N_("Batas waktu"), required=False)] = None


class DispositionDone(Model):
    """The follow-up that closes a disposition."""

    note: Annotated[str, Text(N_("Catatan tindak lanjut"), limit=5000)] = ""


class NumberRequest(Model):
    """An outgoing letter's number to issue (or to reserve for a while)."""

    classification: Code = ""
    letter_date: Annotated[dt.date, day_field(N_("Tanggal surat"), required=True)] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    signatory: Annotated[str, Text(N_("Penanda tangan"), limit=40)] = ""
    subject: Annotated[str, Text(N_("Perihal"), limit=1000)] = ""
    recipient: Annotated[str | None, Text(N_("Tujuan"), limit=300, required=False)] = None
    security: Security = None
    reserve: Annotated[bool, BeforeValidator(_flag), WithJsonSchema({"type": "boolean"})] = False


# --- the answers -----------------------------------------------------------------------------

class LetterDocument(Model):
    """A document of a letter, within the reader's clearance."""

    id: int
    role: str
    title: str


class DocumentLetter(Model):
    """The letter a filed document belongs to (its page names it, with the document's own
    signatures); `letter_id` and `number` only for a reader of that letter."""

    kind: str  # "incoming" or "outgoing"
    role: str  # "surat", "lampiran" or "tindak_lanjut"
    letter_id: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    number: NullableStr = None
    signatures: list[SignatureFact] = []


class DispositionOut(Model):
    """One step of a letter's routing."""

    id: int
    letter_id: int
    parent_id: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    model_config = Model.model_config | ConfigDict(serialize_by_alias=True,
                                                   validate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    instruction: str
    note: NullableStr = None
    due_date: NullableDay = None
    status: str
    overdue: bool
    created_at: Stamp
    read_at: NullableStamp = None
    done_at: NullableStamp = None
    done_note: NullableStr = None
    document_ids: list[int] = []


class Routed(Model):
    """The steps one routing made (one per recipient)."""

    id: int
    items: list[DispositionOut]


class IncomingLetterOut(Model):
    """A registered incoming letter, its documents and its routing."""

    id: int
    agenda_number: str
    received_at: Stamp
    channel: str
    letter_number: str
    letter_date: Day
    sender: str
    sender_person: NullableStr = None
    subject: str
    classification: str
    urgency: str
    security: str
    attachments: int
    note: NullableStr = None
    status: str
    registered_by: str
    registered_at: Stamp
    document_ids: list[int]
    documents: list[LetterDocument]
    signatures: list[SignatureFact]
    dispositions: list[DispositionOut]
    office: OfficeRef


class LetterPage(Model):
    """One page of the agenda surat masuk."""

    items: list[IncomingLetterOut]
    total: int


class InboxItem(Model):
    """A disposition waiting on (or done by) its recipient."""

    id: int
    letter_id: int
    agenda_number: str
    subject: str
    model_config = Model.model_config | ConfigDict(serialize_by_alias=True,
                                                   validate_by_name=True)
    from_: str = Field(alias="from")
    instruction: str
    due_date: NullableDay = None
    status: str
    overdue: bool
    created_at: Stamp


class Inbox(Model):
    items: list[InboxItem]


class OutgoingOut(Model):
    """A number of the agenda surat keluar."""

    id: int
    number: str
    classification: str
    signatory: str
    unit: str
    letter_date: Day
    subject: str
    recipient: NullableStr = None
    security: str
    status: str
    issued_at: Stamp
    issued_by: str
    expires_at: NullableStamp = None
    document_id: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    cancelled_at: NullableStamp = None
    cancel_reason: NullableStr = None
    office: OfficeRef


class PrefillSignature(Model):
    """An electronic signature found in the dropped PDF (docs/SIGNATURES.md)."""

    field: str
    signer: NullableStr = None
    signing_time: NullableStr = None
    status: str
    intact: bool
    trusted: Annotated[bool | None, WithJsonSchema({"type": ["boolean", "null"]})] = None
    problems: list[str] = []


class SignatureFact(PrefillSignature):
    """An electronic signature found in a letter's PDF at registration, kept with the letter
    (docs/SIGNATURES.md)."""

    document_id: int


class Prefill(Model):
    """What a letter's file says of its fields; each null when not found. Nothing is stored."""

    letter_number: NullableStr = None
    letter_date: NullableDay = None
    subject: NullableStr = None
    sender: NullableStr = None
    classification: NullableStr = None
    suggestions: list[CodeSuggestion] = []
    signatures: list[PrefillSignature] = []


class OutgoingPage(Model):
    items: list[OutgoingOut]
    total: int
