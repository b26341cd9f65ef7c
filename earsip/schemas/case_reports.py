"""The PPID's annual figures (Laporan Layanan Informasi Publik) as the API answers them, and
the year and period of the registers as the doors take them."""

from __future__ import annotations

from typing import Annotated

from pydantic import WithJsonSchema

from earsip.schemas.base import Model
from earsip.schemas.retention import Day, NullableDay

NullableFloat = Annotated[float | None, WithJsonSchema({"type": ["number", "null"]})]
NullableInt = Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})]


class Outcomes(Model):
    """How the requests (or the objections) of the year were decided."""

    granted: int = 0
    granted_in_part: int = 0
    refused: int = 0
    not_held: int = 0
    open: int = 0


class Timeliness(Model):
    """The time taken to decide the requests, in working days after the day of receipt."""

    decided: int = 0
    average_days: NullableFloat = None
    median_days: NullableFloat = None
    longest_days: NullableInt = None
    # Decided by the first due date (10 working days), by the extended one, or after it.
    within_time: int = 0
    within_extension: int = 0
    late: int = 0
    extended: int = 0
    # Not decided yet, and of those how many are past their due date.
    open: int = 0
    open_overdue: int = 0


class ExemptionCount(Model):
    """An exemption cited when refusing, and how many refusals cited it."""

    exemption: str
    count: int


class ReasonCount(Model):
    """A reason of UU 14/2008 Pasal 35 ayat (1) and how many objections gave it."""

    reason: str
    words: str
    count: int


class Objections(Model):
    """The objections (keberatan) of the year and what the Atasan PPID answered."""

    received: int = 0
    filed_late: int = 0
    outcomes: Outcomes = Outcomes()
    answered_late: int = 0
    by_reason: list[ReasonCount] = []


class Disputes(Model):
    """The disputes (sengketa proses) registered in the year."""

    received: int = 0
    decided: int = 0
    open: int = 0


class MonthFigures(Model):
    """One month of the year: requests and objections received, requests decided."""

    month: int
    requests: int = 0
    decided: int = 0
    objections: int = 0


class RequestTime(Model):
    """One request of the year: when it came, when it was decided, how long it took."""

    registration_number: str
    received_on: Day
    due_date: NullableDay = None
    first_due_date: NullableDay = None
    extended: bool = False
    decided_on: NullableDay = None
    working_days: NullableInt = None
    outcome: str | None = None
    # "within_time", "within_extension", "late", "open" or "overdue".
    timeliness: str


class InformationServiceReport(Model):
    """The Laporan Layanan Informasi Publik of a year (due 31 March of the next year): the
    requests the reader may see, received in the year, counted on the office's calendar."""

    year: int
    due_on: Day
    generated_on: Day
    requests: int = 0
    timeliness: Timeliness = Timeliness()
    outcomes: Outcomes = Outcomes()
    exemptions: list[ExemptionCount] = []
    objections: Objections = Objections()
    disputes: Disputes = Disputes()
    months: list[MonthFigures] = []
    items: list[RequestTime] = []
