"""Suggested classification codes at the doors: a suggestion, and a training's outcome."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, WithJsonSchema

from earsip.schemas.base import Model, Moment

NullableShare = Annotated[float | None, WithJsonSchema({"type": ["number", "null"],
                                                         "minimum": 0, "maximum": 1})]


class CodeSuggestion(Model):
    """A classification code suggested from a letter's text."""

    code: str
    score: Annotated[float, Field(ge=0, le=1, description=(
        "How close the text is to what was filed under the code (cosine similarity, 0..1); "
        "a ranking, not a probability."))]


class Trained(Model):
    """A suggester trained on the filed texts, stored as the one in use."""

    model_id: int
    trained_at: Moment
    documents: int  # the filed texts learned from
    codes: int  # the codes they are filed under
    terms: int  # the words the model keeps
    size_bytes: int  # of the stored model (JSON)
    seconds: float  # reading, measuring and training
    # Measured on `tested` filed texts held back from a model trained on the other `trained`;
    # None when too few texts could be held back.
    top1: NullableShare = None
    top3: NullableShare = None
    trained: int = 0
    tested: int = 0
