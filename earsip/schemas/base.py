"""The building blocks of every declared input and output: trimmed text, dates, whole numbers
and choices, each refusing with the translated message that names the field.

A check runs before pydantic's own validation and raises `earsip.errors.ValidationError`
directly (pydantic lets any exception other than ValueError/AssertionError through), so a
refusal reads exactly the same from the browser, the API and the command line. The JSON Schema
of each field is generated from the same declaration (`maxLength`, `format`, `enum`, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar, overload

from annotated_types import GroupedMetadata
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic import ValidationError as PydanticError

from earsip.errors import ValidationError

MAX_ID = 2**31 - 1

# A JSON object kept as it is: an audit entry's `details`, a job's stored `result`. Services
# return declared models; this is only for payloads that are stored, not answered.
JsonObject = dict[str, object]


@dataclass(frozen=True)
class Required:
    """Marks a field the description lists as required (the check itself is the field's)."""


def _unpacked(metadata: list[Any]) -> Iterator[Any]:
    """Yield a field's metadata with each group (`Checks`) opened."""
    for item in metadata:
        yield from (item if isinstance(item, Checks) else (item,))


class Model(BaseModel):
    """Base of the declared models: immutable, unknown keys ignored, required ones listed."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_default=True)
    # What the description says of the model, and whether it states the fields' defaults
    # (the class docstring is for readers of the code, not of the API).
    api_description: ClassVar[str | None] = None
    describe_defaults: ClassVar[bool] = False
    describe_order: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema: dict[str, Any] = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        required = [name for name, info in cls.model_fields.items()
                    if any(isinstance(m, Required) for m in _unpacked(info.metadata))]
        if required:
            schema["required"] = sorted({*schema.get("required", ()), *required},
                                        key=[*cls.model_fields].index)
        for prop in schema.get("properties", {}).values():
            prop.pop("title", None)
            if "default" in prop and (not cls.describe_defaults
                                      or prop["default"] in (None, "", (), [])):
                del prop["default"]
        if cls.describe_order and "properties" in schema:
            props = schema["properties"]
            schema["properties"] = {k: props[k] for k in sorted(
                props, key=lambda k: cls.describe_order.index(k)
                if k in cls.describe_order else len(cls.describe_order))}
        schema.pop("title", None)
        schema.pop("description", None)
        if cls.api_description:
            schema["description"] = cls.api_description
        return schema


M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any) -> M:
    """Validate `data` into `model`; a refusal is always our ValidationError naming the field.

    `data` is a mapping (a form, a query string, a JSON object) or any JSON value a client
    sent in place of an object (the model's own checks say what was expected).
    """
    if isinstance(data, Mapping) and not isinstance(data, dict):
        data = dict(data)
    try:
        return model.model_validate(data)
    except PydanticError as e:  # a check the declarations left to pydantic itself
        first = e.errors()[0]
        name = ".".join(str(p) for p in first["loc"]) or None
        raise ValidationError("%(field)s tidak sah.", field=name,
                              params={"field": name or "-"}) from e


def pick(source: Mapping[str, Any], model: type[BaseModel], *,
         last: bool = False) -> dict[str, Any]:
    """The model's fields out of a form or query string (the first value, or the last)."""
    getlist = getattr(source, "getlist", None)
    picked: dict[str, Any] = {}
    for name in model.model_fields:
        if name not in source:
            continue
        picked[name] = getlist(name)[-1] if last and getlist else source.get(name)
    return picked


@overload
def text_field(value: object, field: str, label: str, *, limit: int) -> str: ...


@overload
def text_field(value: object, field: str, label: str, *, limit: int,
               required: bool) -> str | None: ...


def text_field(value: object, field: str, label: str, *, limit: int,
               required: bool = True) -> str | None:
    """Return the trimmed text (None when empty and optional), or raise naming `label`.

    `label` is a message (marked with N_) so that the browser shows it translated.
    """
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise ValidationError("%(name)s harus teks.", field=field, params={"name": field})
    if not text:
        if required:
            raise ValidationError("%(label)s wajib diisi.", field=field, params={"label": label})
        return None
    if len(text) > limit:
        raise ValidationError("%(label)s terlalu panjang (maksimal %(max)d karakter).",
                              field=field, params={"label": label, "max": limit})
    return text


def _checked(check: Callable[[Any, str], Any]) -> Callable[[Any, Any], Any]:
    def run(value: Any, info: Any) -> Any:
        return check(value, info.field_name)

    return run


class Checks(GroupedMetadata):
    """Several pieces of a field's metadata (its validators, its JSON Schema) as one, written
    `Annotated[str | None, String()]`: pydantic unpacks the group, and a type checker sees the
    field's real type."""

    def __init__(self, *items: object) -> None:
        self.items = items

    def __iter__(self) -> Iterator[object]:
        return iter(self.items)


def String(*, optional_null: bool = False) -> Checks:  # noqa: N802
    """Any string, or absent (`harus teks` otherwise); not trimmed."""
    def check(value: Any, name: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raise ValidationError("%(name)s harus teks.", field=name, params={"name": name})
        return value

    return Checks(BeforeValidator(_checked(check)), WithJsonSchema({"type": "string"}))


def Text(label: str, *, limit: int, required: bool = True) -> Checks:  # noqa: N802
    """Trimmed text of at most `limit` characters (None when empty and optional); a refusal
    names the field by `label`, a message marked with N_ so that the browser translates it."""
    def check(value: Any, name: str) -> str | None:
        return text_field(value, name, label, limit=limit, required=required)

    marks: tuple[object, ...] = (Required(),) if required else ()
    # Described as the API always described these fields (a plain string): the contract's
    # description stays as it was written (tests/openapi_v1_baseline.json).
    return Checks(BeforeValidator(_checked(check)), WithJsonSchema({"type": "string"}), *marks)


def Boolean(*, required: bool = False) -> Checks:  # noqa: N802
    """A JSON true or false (absent allowed unless `required`); nothing else is taken for one."""
    def check(value: Any, name: str) -> bool | None:
        if (value is not None or required) and not isinstance(value, bool):
            raise ValidationError("%(name)s harus true atau false.", field=name,
                                  params={"name": name})
        return value

    return Checks(BeforeValidator(_checked(check)), WithJsonSchema({"type": "boolean"}))


def date_or_none(value: str | None, field: str, *, required: bool) -> dt.date | None:
    """Parse a YYYY-MM-DD date, raising ValidationError naming `field`."""
    if value is None or not value.strip():
        if required:
            raise ValidationError("Kolom %(field)s wajib diisi (format YYYY-MM-DD).",
                                  field=field, params={"field": field})
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError as e:
        raise ValidationError("Tanggal tidak sah pada %(field)s: %(value)r "
                              "(format YYYY-MM-DD).", field=field,
                              params={"field": field, "value": value}) from e
    if not 1900 <= day.year <= 2200:
        raise ValidationError("Tahun di luar rentang pada %(field)s: %(year)d.", field=field,
                              params={"field": field, "year": day.year})
    return day


DATE_SCHEMA = {"type": "string", "format": "date"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NULLABLE_STR = {"type": ["string", "null"]}
DATE_TIME = {"type": "string", "format": "date-time"}
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

# Output fields: described as the answers have always been written.
NullableStr = Annotated[str | None, WithJsonSchema(NULLABLE_STR)]
NullableDate = Annotated[str | None, WithJsonSchema(NULLABLE_DATE)]
IsoDate = Annotated[str, WithJsonSchema(DATE_SCHEMA)]
Moment = Annotated[str, WithJsonSchema(DATE_TIME)]
NullableMoment = Annotated[str | None, WithJsonSchema({"type": ["string", "null"],
                                                       "format": "date-time"})]
Sha256 = Annotated[str, WithJsonSchema({"type": "string", "pattern": "^[0-9a-f]{64}$"})]


def described(schema: dict[str, Any]) -> Any:
    """A field of any value, described by `schema` as written."""
    return WithJsonSchema(schema)


__all__ = ["DATE_SCHEMA", "MAX_ID", "JsonObject", "Checks", "Field", "Model", "Required", "parse",
           "pick", "text_field", "date_or_none", "Boolean", "String", "Text", "described"]


class ErrorDetail(Model):
    code: str
    message: str
    field: Annotated[str | None, WithJsonSchema({"type": "string"})] = None
    existing_id: Annotated[int | None, WithJsonSchema({"type": "integer"})] = None


class ErrorBody(Model):
    """Every error the API answers: {"error": {"code", "message", "field"?, ...}}."""

    error: ErrorDetail
