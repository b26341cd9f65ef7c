"""The guest book (buku tamu) at the doors: a visit as the desk and the API answer it, one day
of the book, and the query of the API. The visitor's input is `schemas.cases.GuestInput`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from earsip.errors import N_
from earsip.schemas.base import Model, NullableStr
from earsip.schemas.desk import day_field
from earsip.schemas.retention import Day, Stamp


class GuestOut(Model):
    """A line of the buku tamu."""

    id: int
    visited_at: Stamp
    name: str
    institution: NullableStr = None
    purpose: str
    meets: NullableStr = None
    phone: NullableStr = None
    registered_by: str


class GuestDay(Model):
    """The visits of one day of the office's calendar, in the order they came."""

    date: Day
    total: int
    items: list[GuestOut]


class GuestQuery(Model):
    """The day of the guest book wanted (today in the office's time zone when absent)."""

    date: Annotated[dt.date | None, day_field(N_("Tanggal"), required=False)] = None
