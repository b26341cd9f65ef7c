"""Offices (satuan kerja) at the doors: a new office (`earsip office create`), an office as
`GET /api/v1/offices` lists it, and the `office: {code, name}` every record carries."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from earsip.access import OFFICE_LEVELS
from earsip.errors import N_, ValidationError
from earsip.schemas.base import Model, NullableStr, Required, Text

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,39}$")


def _code(value: Any, *, field: str, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError("%(label)s wajib diisi.", field=field,
                                  params={"label": N_("Kode satuan kerja")})
        return None
    if not isinstance(value, str) or not CODE.match(value.strip()):
        raise ValidationError("Kode satuan kerja %(value)s tidak sah: huruf, angka, titik atau "
                              "tanda hubung, paling banyak 40 karakter.", field=field,
                              params={"value": str(value)[:60]})
    return value.strip()


def _level(value: Any) -> str:
    text = value.strip().lower() if isinstance(value, str) else value
    if text not in OFFICE_LEVELS:
        raise ValidationError("Tingkat satuan kerja tidak dikenal: %(value)s. Pilihan: "
                              "%(choices)s.", field="level",
                              params={"value": str(value)[:40],
                                      "choices": ", ".join(OFFICE_LEVELS)})
    return text


class NewOffice(Model):
    """An office to create: its code (as its letter numbers carry it), name, place, level and
    the code of the office above it."""

    code: Annotated[str, BeforeValidator(lambda v: _code(v, field="code", required=True)),
                    WithJsonSchema({"type": "string"}), Required()]
    name: Annotated[str, Text(N_("Nama satuan kerja"), limit=200)]
    place: Annotated[str, Text(N_("Tempat"), limit=120)]
    level: Annotated[str, BeforeValidator(_level),
                     WithJsonSchema({"enum": list(OFFICE_LEVELS)})] = "kabkota"
    parent: Annotated[str | None,
                      BeforeValidator(lambda v: _code(v, field="parent", required=False)),
                      WithJsonSchema({"type": ["string", "null"]})] = None


class OfficeRef(Model):
    """The office a record belongs to."""

    code: str
    name: str


class Office(Model):
    """An office of the deployment."""

    code: str
    name: str
    place: str
    level: Annotated[str, WithJsonSchema({"enum": list(OFFICE_LEVELS)})]
    parent: NullableStr = None
