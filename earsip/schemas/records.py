"""What the record pages show in words and figures: a document's history and the start page's
counts; and a document after an edit."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, SerializerFunctionWrapHandler, WithJsonSchema, model_serializer

from earsip.schemas.accounts import Declassification
from earsip.schemas.base import IsoDate, Model, Moment, NullableStr
from earsip.schemas.documents import Document

PHASES = ("aktif", "inaktif", "usul_musnah", "permanen", "dinilai_kembali")


class HistoryDetail(Model):
    """One fact of an entry: a label and its value, or a change from `old` to `value`."""

    label: str
    value: str
    old: Annotated[str | None, WithJsonSchema({"type": ["string", "null"]}), Field(
        description="The value before, when the entry records a change.")] = None


class HistoryEntry(Model):
    """An audit entry about the document, in words in the caller's language."""

    seq: Annotated[int, Field(description="The entry's number on the audit trail.")]
    occurred_at: Moment
    actor: str
    action: str
    outcome: str
    refused: bool
    target: Annotated[NullableStr, Field(
        description="What the entry is about; a document named by its title only within "
                    "the caller's clearance.")] = None
    details: list[HistoryDetail]
    client_addr: NullableStr = None


class History(Model):
    document_id: int
    entries: Annotated[list[HistoryEntry], Field(
        description="The newest 200 entries about the document, newest first.")]


class Count(Model):
    key: str
    count: int


class DueDocument(Model):
    id: int
    title: str
    classification: str
    date: IsoDate
    change: Annotated[str, WithJsonSchema({"enum": list(PHASES)}), Field(
        description="The phase the document enters on that date.")]


class Overview(Model):
    """The start page's figures, counted only over the documents the caller may see."""

    total: Annotated[int, Field(description="Documents the archive holds (neither destroyed "
                                            "nor handed over).")]
    by_top_code: Annotated[list[Count], Field(
        description="Per top-level classification code, largest first.")]
    by_phase: list[Count]
    due_this_month: int
    due_this_year: int
    waiting_for_event: Annotated[int, Field(
        description="Documents whose retention waits for the date of an event.")]
    due_list: Annotated[list[DueDocument], Field(
        description="The first ten documents due this month, for roles that read records "
                    "(document.read); empty for the others, as on the page.")]


class EditedDocument(Document):
    """A document after an edit; with the request to lower its security class when that
    lowering waits for a leader's approval (the key is absent otherwise)."""

    declassification: Declassification | None = None

    @model_serializer(mode="wrap")
    def _request_if_any(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        dumped: dict[str, Any] = handler(self)
        if self.declassification is None:
            dumped.pop("declassification", None)
        return dumped
