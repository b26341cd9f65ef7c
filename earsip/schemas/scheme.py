"""The classification scheme's inputs: one row of the scheme (a code and its own JRA rule) as the
CSV import, the scheme editor's page and the API give it, checked here naming the field; and the
API's bodies, whose string values become such a row."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, model_validator

from earsip.access import SECURITY_CLASSES
from earsip.errors import ValidationError
from earsip.retention import FATES
from earsip.schemas.accounts import Classification
from earsip.schemas.base import Boolean, JsonObject, Model, Required, String

FLAGS = ("needs_review", "retired")
YES = ("1", "true", "ya")
OWN_COLUMNS = ("name", "active_years", "active_trigger", "inactive_years", "final_fate",
               "default_security", "needs_review", "note")
RULE_FIELDS = ("name", "active_years", "active_trigger", "inactive_years", "final_fate",
               "default_security", "note")


Flag = Annotated[bool | None, Boolean()]


_INHERIT = "An empty string inherits the parent's value."
Inheritable = Annotated[str | None, String(), Field(description=_INHERIT)]


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
    active_years: Annotated[Inheritable, Field(description="Whole years, or empty.")] = None
    active_trigger: Annotated[Inheritable, Field(
        description="Empty: the document's date; else the name of the event.")] = None
    inactive_years: Annotated[Inheritable, Field(description="Whole years, or empty.")] = None
    final_fate: Annotated[Inheritable, Field(
        description="musnah, permanen, dinilai_kembali, or empty.")] = None
    default_security: Annotated[Inheritable, Field(
        description="biasa, terbatas, rahasia, sangat_rahasia, or empty.")] = None
    note: Inheritable = None
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


# --- one row of the scheme, checked ------------------------------------------------------------

def normalize_code(code: str) -> str:
    """Return a classification code in canonical (upper-case, trimmed) form."""
    return code.strip().upper()


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _code_of(info: ValidationInfo) -> str:
    return str(info.data.get("code", ""))


def _row_code(value: Any) -> str:
    code = normalize_code(_text(value))
    if not code or not all(part.isalnum() for part in code.split(".")):
        raise ValidationError("Kode klasifikasi tidak sah: %(value)r.", field="code",
                              params={"value": value})
    return code


def _row_name(value: Any, info: ValidationInfo) -> str:
    name = _text(value)
    if not name:
        raise ValidationError("%(code)s: nama wajib diisi.", field="name",
                              params={"code": _code_of(info)})
    return name


def _row_fate(value: Any, info: ValidationInfo) -> str | None:
    fate = _text(value).lower().replace(" ", "_") or None
    if fate is not None and fate not in FATES:
        raise ValidationError("%(code)s: nasib akhir harus musnah, permanen atau "
                              "dinilai_kembali.", field="final_fate",
                              params={"code": _code_of(info)})
    return fate


def _row_security(value: Any, info: ValidationInfo) -> str | None:
    security = _text(value).lower() or None
    if security is not None and security not in SECURITY_CLASSES:
        raise ValidationError("%(code)s: klasifikasi keamanan tidak dikenal: %(value)s.",
                              field="default_security",
                              params={"code": _code_of(info), "value": security})
    return security


def _row_years(value: Any, info: ValidationInfo) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value)
    if not text:
        return None
    field, code = info.field_name or "", _code_of(info)
    try:
        n = int(text)
    except ValueError as e:
        raise ValidationError("%(code)s: %(field)s harus bilangan bulat, bukan %(value)r.",
                              field=field,
                              params={"code": code, "field": field, "value": value}) from e
    if n < 0 or n > 200:
        raise ValidationError("%(code)s: %(field)s di luar rentang 0–200.", field=field,
                              params={"code": code, "field": field})
    return n


def _row_parent(value: Any) -> str | None:
    return normalize_code(_text(value)) or None


def _row_optional(value: Any) -> str | None:
    return _text(value) or None


def _row_flag(value: Any) -> bool:
    return value if isinstance(value, bool) else _text(value).lower() in YES


class SchemeRow(Model):
    """One row of the scheme, checked: a code, the parent it names, and its own values (None
    where it inherits the parent's). The fields are read in the order a mistake is named in."""

    code: Annotated[str, BeforeValidator(_row_code)] \
        = None  # type: ignore[assignment]  # absent is refused by the check, naming `code`
    name: Annotated[str, BeforeValidator(_row_name)] = ""
    final_fate: Annotated[str | None, BeforeValidator(_row_fate)] = None
    default_security: Annotated[str | None, BeforeValidator(_row_security)] = None
    parent: Annotated[str | None, BeforeValidator(_row_parent)] = None
    active_years: Annotated[int | None, BeforeValidator(_row_years)] = None
    active_trigger: Annotated[str | None, BeforeValidator(_row_optional)] = None
    inactive_years: Annotated[int | None, BeforeValidator(_row_years)] = None
    needs_review: Annotated[bool, BeforeValidator(_row_flag)] = False
    note: Annotated[str | None, BeforeValidator(_row_optional)] = None

    def own_columns(self) -> JsonObject:
        """The code's own column values (not its code nor its parent), in the order the audit
        entries have always listed them."""
        return {name: getattr(self, name) for name in OWN_COLUMNS}
