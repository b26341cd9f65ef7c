"""Search at the doors: the query-string parameters (page and API alike) and the answer."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from earsip import filetypes
from earsip.access import SECURITY_CLASSES, normalize_security
from earsip.errors import ValidationError
from earsip.schemas.base import DATE_SCHEMA, Checks, Model, NullableStr

MAX_PER_PAGE = 100
SORTS = ("relevance", "date")


def _stripped(value: Any) -> str:
    return (value if isinstance(value, str) else "").strip()


def _whole(low: int, high: int, default: int | None) -> Checks:
    def check(value: Any, info: ValidationInfo) -> int | None:
        name = info.field_name or ""
        raw = _stripped(value) if not isinstance(value, int) else str(value)
        if not raw:
            return default
        try:
            number = int(raw)
        except ValueError as e:
            raise ValidationError("%(field)s harus bilangan bulat.", field=name,
                                  params={"field": name}) from e
        if not low <= number <= high:
            raise ValidationError("%(field)s harus antara %(lo)d dan %(hi)d.", field=name,
                                  params={"field": name, "lo": low, "hi": high})
        return number

    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if default is not None:
        schema["default"] = default
    return Checks(BeforeValidator(check), WithJsonSchema(schema))


def _security(value: Any) -> str | None:
    security = _stripped(value) or None
    if security:
        try:
            return normalize_security(security)
        except ValueError as e:
            raise ValidationError("security harus salah satu dari %(choices)s.",
                                  field="security",
                                  params={"choices": ", ".join(SECURITY_CLASSES)}) from e
    return None


def _sort(value: Any) -> str:
    sort = _stripped(value) or "relevance"
    if sort not in SORTS:
        raise ValidationError("sort harus salah satu dari %(choices)s.", field="sort",
                              params={"choices": ", ".join(SORTS)})
    return sort


def _q(value: Any) -> str:
    q = _stripped(value)
    if len(q) > 500:
        raise ValidationError("Kueri terlalu panjang (maks. 500 karakter).", field="q")
    return q


def _mime(value: Any) -> str | None:
    mime = _stripped(value) or None
    if mime is not None and mime not in filetypes.LABELS:
        raise ValidationError("mime harus salah satu dari %(choices)s.", field="mime",
                              params={"choices": ", ".join(filetypes.LABELS)})
    return mime


class SearchParams(Model):
    """A search request, checked in the order its messages are given."""

    describe_defaults = True
    # The description lists the parameters in this order (as it always has); they are
    # checked in the order of the fields below (the order of the messages).
    describe_order = ("q", "classification", "year_from", "year_to", "security", "mime",
                      "sort", "page", "per_page")

    security: Annotated[str | None, BeforeValidator(_security),
                        WithJsonSchema({"enum": list(SECURITY_CLASSES)})] = None
    sort: Annotated[str, BeforeValidator(_sort),
                    WithJsonSchema({"enum": list(SORTS), "default": "relevance"})] = "relevance"
    q: Annotated[str, BeforeValidator(_q), WithJsonSchema(
        {"type": "string", "maxLength": 500}), Field(description=(
            "Words, \"phrases\", OR, NOT, prefix* (3+ letters), letter numbers."))] = ""
    classification: Annotated[str | None, BeforeValidator(
        lambda v: _stripped(v).upper() or None), WithJsonSchema({"type": "string"}),
        Field(description="A code or a code prefix on whole levels (PM matches PM.01.02).")] \
        = None
    year_from: Annotated[int | None, _whole(1900, 2200, None)] = None
    year_to: Annotated[int | None, _whole(1900, 2200, None)] = None
    mime: Annotated[str | None, BeforeValidator(_mime),
                    WithJsonSchema({"enum": list(filetypes.LABELS)})] = None
    page: Annotated[int, _whole(1, 100_000, 1)] = 1
    per_page: Annotated[int, _whole(1, MAX_PER_PAGE, 20)] = 20


class SearchHit(Model):
    id: int
    title: str
    number: NullableStr = None
    classification: str
    document_date: Annotated[str, WithJsonSchema(DATE_SCHEMA)]
    security: Annotated[str, WithJsonSchema({"enum": list(SECURITY_CLASSES)})]
    score: float
    snippet: Annotated[str, Field(description="Escaped text; <mark> only.")]


class Facets(Model):
    classification: dict[str, int] = {}
    year: dict[str, int] = {}


class SearchResult(Model):
    """One page of results."""

    total: Annotated[int, Field(ge=0)]
    page: int
    per_page: int
    sort: Annotated[str, WithJsonSchema({"enum": list(SORTS)})]
    results: list[SearchHit]
    facets: Facets
