"""The scheme editor's input: a classification code and its JRA rule, as the page's form (and
the CSV import) take it. The values are checked by the scheme service, naming the field."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, model_validator

from earsip.errors import ValidationError
from earsip.schemas.accounts import Classification
from earsip.schemas.base import Boolean, Model, Required, String

FLAGS = ("needs_review", "retired")
RULE_FIELDS = ("name", "active_years", "active_trigger", "inactive_years", "final_fate",
               "default_security", "note")


Flag = Annotated[bool | None, Boolean()]


_INHERIT = "An empty string inherits the parent's value."
Text = Annotated[str | None, String(), Field(description=_INHERIT)]


class _Rule(Model):
    """A code's own JRA rule, each value a string as on the page's form."""

    @model_validator(mode="before")
    @classmethod
    def _no_nulls(cls, body: Any) -> Any:
        # Absent keeps a value and "" inherits it: null would say neither, so it is refused.
        if isinstance(body, dict):
            for name, value in body.items():
                if value is None and name in cls.model_fields:
                    template = "%(name)s harus true atau false." if name in FLAGS \
                        else "%(name)s harus teks."
                    raise ValidationError(template, field=name, params={"name": name})
        return body

    name: Annotated[str | None, String()] = None
    active_years: Annotated[Text, Field(description="Whole years, or empty.")] = None
    active_trigger: Annotated[Text, Field(
        description="Empty: the document's date; else the name of the event.")] = None
    inactive_years: Annotated[Text, Field(description="Whole years, or empty.")] = None
    final_fate: Annotated[Text, Field(
        description="musnah, permanen, dinilai_kembali, or empty.")] = None
    default_security: Annotated[Text, Field(
        description="biasa, terbatas, rahasia, sangat_rahasia, or empty.")] = None
    note: Text = None
    needs_review: Flag = None


class CodeRule(_Rule):
    """What to change of a code: its JRA rule, and whether it is retired."""

    api_description = ("Only the fields to change; the others keep the code's own values. "
                       "Each value is a string, as on the page's form; an empty one inherits "
                       "the parent's value (the name cannot be empty).")

    retired: Annotated[Flag, Field(description="A retired code takes no new documents.")] = None


class NewCode(_Rule):
    """A code to add under its nearest existing ancestor, with its own JRA rule."""

    api_description = ("A new code under its nearest existing ancestor (a top-level code when "
                       "it has no dot). Each value is a string, as on the page's form; an "
                       "empty one inherits the parent's value.")
    describe_order = ("code", "name")

    code: Annotated[str | None, String(), Required()] = None
    name: Annotated[str | None, String(), Required()] = None


class CodeChanged(Model):
    classification: Classification
    documents_recomputed: Annotated[int, Field(
        description="Documents whose retention dates were recomputed, counted within the "
                    "caller's clearance.")]
