"""Operations at the doors: the worker's job queue and the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from earsip.errors import ValidationError
from earsip.schemas.base import (
    Checks,
    JsonObject,
    Model,
    Moment,
    NullableMoment,
    NullableStr,
    Required,
)

JOB_STATES = ("pending", "running", "done", "failed")
REQUESTABLE = ("reindex", "fixity")


def moment(value: dt.datetime | None) -> str | None:
    """A naive-UTC moment as the API writes it (ISO 8601, seconds, Z)."""
    return value.replace(microsecond=0).isoformat() + "Z" if value else None


def _state(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if value not in JOB_STATES:
        raise ValidationError("state harus salah satu dari %(choices)s.", field="state",
                              params={"choices": ", ".join(JOB_STATES)})
    return str(value)


class JobsQuery(Model):
    """Which jobs to list: those in one state, or all."""

    state: Annotated[str | None, BeforeValidator(_state),
                     WithJsonSchema({"enum": list(JOB_STATES)})] = None


def _kind(value: Any) -> str:
    if value not in REQUESTABLE:
        raise ValidationError("kind harus salah satu dari %(choices)s.", field="kind",
                              params={"choices": ", ".join(REQUESTABLE)})
    return str(value)


class JobRequest(Model):
    """A job asked for by hand: a rebuild of the search index, or a check of the stored files."""

    kind: Annotated[str, BeforeValidator(_kind), Required(),
                    WithJsonSchema({"enum": list(REQUESTABLE)})] = ""


class Job(Model):
    id: int
    kind: Annotated[str, WithJsonSchema({"enum": ["ocr", "reindex", "fixity", "suggest.train",
                                                  "notify.email"]})]
    document_id: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    state: Annotated[str, WithJsonSchema({"enum": list(JOB_STATES)})]
    attempts: int
    max_attempts: int
    created_at: Moment
    not_before: Annotated[NullableMoment, Field(
        description="A retry's earliest start.")] = None
    started_at: NullableMoment = None
    finished_at: NullableMoment = None
    last_error: NullableStr = None


class JobCounts(Model):
    pending: int
    running: int
    done: int
    failed: int


class Queue(Model):
    """The worker's queue: how many jobs are in each state, and the newest jobs (200 at most)."""

    counts: JobCounts
    jobs: list[Job]


class TaskStatus(Model):
    """A scheduled task as `earsip tasks` shows it: how often it runs and how it last went
    (moments in naive UTC; the details as recorded)."""

    name: str
    every_days: Annotated[int, Field(description="0 or less: never.")]
    every_minutes: Annotated[int | None, Field(
        description="Set: runs every so many minutes rather than daily.")] = None
    last_started_at: dt.datetime | None = None
    last_finished_at: dt.datetime | None = None
    last_outcome: str | None = None
    last_details: JsonObject | None = None


# --- the audit trail ---------------------------------------------------------------------------

def _day(value: Any, info: Any) -> dt.date | None:
    name = info.field_name
    raw = (value if isinstance(value, str) else "").strip()
    if isinstance(value, dt.date):
        return value
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError as e:
        raise ValidationError("Tanggal tidak sah pada %(field)s (format YYYY-MM-DD).",
                              field=name, params={"field": name}) from e
    if not 1900 <= day.year <= 2200:
        raise ValidationError("Tanggal tidak sah pada %(field)s (format YYYY-MM-DD).",
                              field=name, params={"field": name})
    return day


def _positive(default: int | None) -> Checks:
    def check(value: Any, info: Any) -> int | None:
        name = info.field_name
        if isinstance(value, int):
            return value
        raw = (value if isinstance(value, str) else "").strip().lstrip("#")
        if not raw:
            return default
        if not (raw.isascii() and raw.isdecimal()) or not 0 < int(raw) < 2**31:
            raise ValidationError("%(field)s harus bilangan bulat positif.", field=name,
                                  params={"field": name})
        return int(raw)

    schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    if default is not None:
        schema["default"] = default
    return Checks(BeforeValidator(check), WithJsonSchema(schema))


def _optional_text(value: Any) -> str | None:
    return (value if isinstance(value, str) else "").strip() or None


_DAY = Annotated[dt.date | None, BeforeValidator(_day),
                 WithJsonSchema({"type": "string", "format": "date"})]
_TEXT = Annotated[str | None, BeforeValidator(_optional_text), WithJsonSchema({"type": "string"})]


class AuditQuery(Model):
    """What an auditor narrows the trail to (all optional), and the page."""

    describe_defaults = True

    since: Annotated[_DAY, Field(description="From this day (UTC) on.")] = None
    until: Annotated[_DAY, Field(description="Up to and including this day (UTC).")] = None
    actor: Annotated[_TEXT, Field(description="A user name, exactly.")] = None
    action: Annotated[_TEXT, Field(description="An action code, e.g. document.view.")] = None
    document: Annotated[int | None, _positive(None), Field(
        description="Entries about this document.")] = None
    page: Annotated[int, _positive(1)] = 1


class AuditRecord(Model):
    """One entry as stored and hashed (the export's record: docs/AUDITING.md)."""

    seq: int
    occurred_at: str
    actor_id: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})] = None
    actor_name: NullableStr = None
    action: str
    target_type: NullableStr = None
    target_id: NullableStr = None
    outcome: str
    client_addr: NullableStr = None
    details: dict[str, Any] = {}
    prev_hash: str
    entry_hash: str


class AuditPage(Model):
    """One page of entries, newest first."""

    total: int
    page: int
    pages: int
    per_page: int
    entries: list[AuditRecord]


class AuditFinding(Model):
    seq: int
    problem: Annotated[str, Field(description="What is wrong, in English.")]
    message: Annotated[str, Field(description="The same in the caller's language.")]


class Verification(Model):
    """The outcome of checking the whole chain and every signed checkpoint."""

    intact: bool
    findings: Annotated[list[AuditFinding], Field(
        description="In seq order (the first names the first broken entry); only for a caller "
                    "cleared for every class (empty otherwise).")]
    entries: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]}), Field(
        description="Only for a caller cleared for every class (null otherwise).")] = None
    head: Annotated[NullableStr, Field(
        description="Only for a caller cleared for every class (null otherwise).")] = None
    checkpoints: Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]}), Field(
        description="How many signed checkpoints matched (null as above).")] = None
    key_id: NullableStr = None
