"""The administrator's forms for the deadline rules: one clock set (a new version of the
rules), an election period added or removed."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema, model_validator

from earsip.errors import N_, ValidationError
from earsip.schemas.base import Model, Required, Text
from earsip.schemas.cases import CASE_TYPES
from earsip.schemas.desk import choice, day_field

REGIMES = ("normal", "tahapan")
CLOCKS = ("answer", "extension", "filing")
COUNTS = ("working", "calendar")


def _days(value: Any, info: Any) -> int:
    text = "" if value is None else str(value).strip()
    if not text.isdecimal() or not 0 <= int(text) <= 365:
        raise ValidationError("Jumlah hari harus bilangan bulat 0–365.", field="days")
    return int(text)


def _period_id(value: Any, info: Any) -> int:
    text = "" if value is None else str(value).strip()
    if not text.isdecimal() or not 0 < int(text) < 2**31:
        raise ValidationError("Pilih periode tahapan.", field="period_id")
    return int(text)


class RuleInput(Model):
    """One clock of one case type under one regime: its days and how they count (0 days
    removes the clock); the basis in law, and why it changes."""

    regime: Annotated[str, choice(REGIMES, N_("Rezim"), default="normal")] = "normal"
    case_type: Annotated[str, choice(CASE_TYPES, N_("Jenis layanan"))] = ""
    clock: Annotated[str, choice(CLOCKS, N_("Jangka waktu"))] = ""
    days: Annotated[int, BeforeValidator(_days), Required(),
                    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": 365})] = 0
    count: Annotated[str, choice(COUNTS, N_("Cara menghitung"), default="working")] = "working"
    basis: Annotated[str | None, Text(N_("Dasar hukum"), limit=300, required=False)] = None
    note: Annotated[str | None, Text(N_("Alasan perubahan"), limit=1000, required=False)] = None


class PeriodInput(Model):
    """An election period during which the shorter clocks of the "tahapan" regime apply."""

    name: Annotated[str, Text(N_("Nama tahapan"), limit=200)] = ""
    starts_on: Annotated[dt.date, day_field(N_("Tanggal mulai"), required=True)] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    ends_on: Annotated[dt.date, day_field(N_("Tanggal akhir"), required=True)] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field

    @model_validator(mode="after")
    def _in_order(self) -> PeriodInput:
        if self.ends_on < self.starts_on:
            raise ValidationError("Tanggal akhir tahapan lebih awal dari tanggal mulai.",
                                  field="ends_on")
        return self


class PeriodRemoval(Model):
    """The election period to remove."""

    period_id: Annotated[int, BeforeValidator(_period_id), Required(),
                         WithJsonSchema({"type": "integer", "minimum": 1})] = 0
