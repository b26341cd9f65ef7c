"""Cases at the doors, the answers: a case as the staff's API shows it, the public's receipt and
view, the working-day calendar."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, WithJsonSchema

from earsip.schemas.base import Model, NullableStr
from earsip.schemas.offices import OfficeRef
from earsip.schemas.retention import Day, NullableDay, NullableStamp, Stamp


class CaseEventOut(Model):
    """One step of a case's history."""

    status: str
    event: str
    at: Stamp
    by: NullableStr = None
    note: NullableStr = None


class CaseStepOut(Model):
    """One step of a case's routing (a disposition)."""

    id: int
    case_id: int
    model_config = Model.model_config | ConfigDict(serialize_by_alias=True,
                                                   validate_by_name=True)
    from_: str = Field(alias="from")
    to: str
    instruction: str
    note: NullableStr = None
    due_date: NullableDay = None
    status: str
    overdue: bool = False
    created_at: Stamp
    done_at: NullableStamp = None
    done_note: NullableStr = None
    document_ids: list[int] = []


class PersonOut(Model):
    """A person of a case; the identity number masked unless the reader owns the case."""

    role: str
    name: str
    identity_number: NullableStr = None
    address: NullableStr = None
    occupation: NullableStr = None
    phone: NullableStr = None
    email: NullableStr = None


class CaseOut(Model):
    """A case as the staff's API answers it (within the reader's clearance)."""

    id: int
    registration_number: str
    type: str
    channel: str
    status: str
    summary: str
    received_at: Stamp
    registered_at: Stamp
    due_date: NullableDay = None
    first_due_date: NullableDay = None
    extended: bool = False
    extension_reason: NullableStr = None
    overdue: bool = False
    timely: Annotated[bool | None, WithJsonSchema({"type": ["boolean", "null"]})] = None
    timeliness_note: NullableStr = None
    owner_role: str
    security: str
    classification: str
    external_number: NullableStr = None
    related_registration_number: NullableStr = None
    outcome: NullableStr = None
    exemption: NullableStr = None
    decision_note: NullableStr = None
    decided_at: NullableStamp = None
    delivered_at: NullableStamp = None
    delivery_method: NullableStr = None
    # The answer letter: its outgoing number, and its document once the signed letter is filed.
    answer_number: NullableStr = None
    answer_number_id: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    answer_document_id: Annotated[int | None,
                                  WithJsonSchema({"type": ["integer", "null"]})] = None
    rule_version: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    regime: NullableStr = None
    details: dict[str, Any] = {}
    persons: list[PersonOut] = []
    history: list[CaseEventOut] = []
    steps: list[CaseStepOut] = []
    document_ids: list[int] = []
    # Given once, when the case is registered: the requester's secret for the public pages.
    tracking_code: NullableStr = None
    office: OfficeRef


class CasePage(Model):
    """A page of the register of cases."""

    total: int
    page: int
    per_page: int
    items: list[CaseOut]


class PublicReceipt(Model):
    """What the public is given when their submission is registered."""

    registration_number: str
    tracking_code: str
    due_date: NullableDay = None


class PublicHistory(Model):
    """A step of a case as the public sees it."""

    status: str
    at: Stamp


class PublicCase(Model):
    """A case as the public tracking page shows it: no personal data."""

    status: str
    type: str
    registered_at: Stamp
    due_date: NullableDay = None
    history: list[PublicHistory] = []


class CalendarDayOut(Model):
    """A day of the calendar that is not an ordinary one."""

    date: Day
    name: str


class CalendarOut(Model):
    """The working-day calendar of a year as the legal clocks count it."""

    year: int
    weekly_days_off: list[str] = ["saturday", "sunday"]
    non_working_days: list[CalendarDayOut] = []
    working_days: list[CalendarDayOut] = []
    revision: int = 0
