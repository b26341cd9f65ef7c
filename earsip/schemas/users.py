"""User accounts at the doors (administrators): a new account, a change, (de)activation, and
the account as the API answers it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from earsip.access import ROLES, SECURITY_CLASSES
from earsip.errors import ValidationError
from earsip.schemas.base import Boolean, Model, NullableStr, Required, String


def _roles(value: Any) -> list[str] | None:
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
        raise ValidationError("Peran tidak dikenal: %(bad)s. Pilihan: %(choices)s.",
                              field="roles",
                              params={"bad": repr(value), "choices": ", ".join(ROLES)})
    return value


_ROLES_SCHEMA = {"type": "array", "minItems": 1,
                 "items": {"enum": list(ROLES)}}
_CLEARANCE_SCHEMA = {"enum": list(SECURITY_CLASSES)}
Roles = Annotated[list[str] | None, BeforeValidator(_roles), WithJsonSchema(_ROLES_SCHEMA)]


class NewUser(Model):
    """An account to create; it gets a temporary password to change at the first sign-in."""

    username: Annotated[str | None, String(), Required()] = None
    full_name: Annotated[str | None, String()] = None
    roles: Annotated[Roles, Required()] = None
    clearance: Annotated[str | None, String(), Required(), WithJsonSchema(_CLEARANCE_SCHEMA)] \
        = None


class UserChange(Model):
    """What to change of an account: its name, roles or clearance (the others are kept)."""

    api_description = "Only the fields to change; the others keep their values."

    full_name: Annotated[str | None, String()] = None
    roles: Roles = None
    clearance: Annotated[str | None, String(), WithJsonSchema(_CLEARANCE_SCHEMA)] \
        = None


class Activation(Model):
    active: Annotated[bool, Boolean(required=True), Required()] \
        = None  # type: ignore[assignment]  # required: the check refuses None


class User(Model):
    id: int
    username: str
    full_name: NullableStr = None
    roles: list[str]
    clearance: Annotated[str, WithJsonSchema(_CLEARANCE_SCHEMA)]
    active: bool
    must_change_password: Annotated[bool, Field(
        description="A temporary password is set: the account opens no API token until its "
                    "holder chooses a password in the browser.")]
    created_at: NullableStr = None
    last_login_at: NullableStr = None


class TemporaryPassword(Model):
    """A temporary password, shown once in this answer only."""

    user: User
    temporary_password: str
