"""The audit trail's signed checkpoints and the last fixity run, as the API answers them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, WithJsonSchema

from earsip.schemas.base import Model, Moment, NullableMoment, NullableStr

_CLEARED = "Only for a caller cleared for every class (null otherwise)."
NullableInt = Annotated[int | None, WithJsonSchema({"type": ["integer", "null"]})]


class Checkpoint(Model):
    """A signed checkpoint: the trail's size and head hash, signed with the server's key."""

    id: int
    created_at: Moment
    size: Annotated[NullableInt, Field(description="Entries it covers. " + _CLEARED)] = None
    head_hash: Annotated[NullableStr, Field(description=_CLEARED)] = None
    key_id: str
    signature: str
    trigger: Annotated[str, WithJsonSchema({"enum": ["scheduled", "on_demand"]})]


class FixityFile(Model):
    """A stored file the run found wrong."""

    document_id: NullableInt = None
    path: str
    reason: Annotated[NullableStr, Field(description="Why a missing file could not be "
                                                     "read, when it exists but not readably.")
                      ] = None
    expected: Annotated[NullableStr, Field(description="The SHA-256 recorded (changed).")] = None
    actual: Annotated[NullableStr, Field(description="The SHA-256 found (changed).")] = None


class FixityCounts(Model):
    changed: int
    missing: int
    untracked: int
    destroyed_present: int


class FixityRun(Model):
    """The last run. Its outcome, counts and paths cover the files of every class: for a
    caller below sangat_rahasia only its times (the rest null or empty), as on the page."""

    id: int
    started_at: Moment
    finished_at: NullableMoment = None
    trigger: Annotated[NullableStr, Field(description=_CLEARED)] = None
    outcome: Annotated[str | None, WithJsonSchema({"enum": ["ok", "problems", None]}),
                       Field(description=_CLEARED)] = None
    checked: Annotated[NullableInt, Field(description=_CLEARED)] = None
    counts: Annotated[FixityCounts | None, Field(description=_CLEARED)] = None
    changed: list[FixityFile] = []
    missing: list[FixityFile] = []
    untracked: list[str] = []
    destroyed_present: list[FixityFile] = []


class FixityStatus(Model):
    interval_days: Annotated[int, Field(description="Days between two scheduled runs.")]
    last: Annotated[FixityRun | None, Field(description="Null when no run happened yet.")]
