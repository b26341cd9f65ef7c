"""API v1 routes of user accounts (administrators): list, create, read, change, deactivate or
reactivate, reset the password — the same use cases and guards as the Pengguna pages."""

from __future__ import annotations

import datetime as dt

from flask import Response, g, jsonify, request

from earsip.access import Actor, Principal
from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.schemas.base import parse
from earsip.schemas.users import Activation, NewUser, TemporaryPassword, User, UserChange
from earsip.services.access import users


def _moment(value: object) -> str | None:
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0).isoformat() + "Z"
    return None


def user_json(view: users.UserView) -> dict[str, object]:
    """An account as the API answers it (never its password hash)."""
    return User(id=view.id, username=view.username, full_name=view.full_name,
                roles=list(view.roles), clearance=view.clearance, active=view.active,
                must_change_password=view.must_change_password,
                created_at=_moment(view.created_at),
                last_login_at=_moment(view.last_login_at)).model_dump()


def _actor() -> Actor:
    principal: Principal = g.principal
    return principal.actor(request.remote_addr)


@bp.get("/users")
@operation("Every account, by user name (the admin role).",
           answers={200: json("The accounts.", User, many=True)}, errors=(401, 403))
@token_required("user.manage")
def list_users() -> Response:
    return jsonify([user_json(u) for u in users.list_users(_archive())])


@bp.post("/users")
@operation("Create an account with a temporary password, shown once in this answer; its "
           "holder chooses their own at the first sign-in in the browser; audited.",
           body=NewUser, answers={201: json("The account and its temporary password.",
                                            TemporaryPassword)},
           errors=(400, 401, 403))
@token_required("user.manage")
def create_user() -> tuple[Response, int]:
    sent = parse(NewUser, json_body())
    temporary = users.temporary_password()
    user_id = users.add_user(_archive(), (sent.username or "").strip(), temporary,
                             roles=sent.roles or [], clearance=sent.clearance or "",
                             actor=_actor(), full_name=(sent.full_name or "").strip() or None,
                             must_change_password=True)
    response = jsonify(TemporaryPassword.model_validate({
        "user": user_json(users.get_user(_archive(), user_id)),
        "temporary_password": temporary}).model_dump())
    return created(response, f"users/{user_id}")


@bp.get("/users/<int:user_id>")
@operation("One account.", answers={200: json("The account.", User)}, errors=(401, 403, 404))
@token_required("user.manage")
def get_user(user_id: int) -> Response:
    return jsonify(user_json(users.get_user(_archive(), user_id)))


@bp.patch("/users/<int:user_id>")
@operation("Change an account's name, roles or clearance; audited with the old and new "
           "values. There must stay one active administrator.", body=UserChange,
           answers={200: json("The account afterwards.", User)}, errors=(400, 401, 403, 404))
@token_required("user.manage")
def change_user(user_id: int) -> Response:
    sent = parse(UserChange, json_body())
    current = users.get_user(_archive(), user_id)
    view = users.update_user(
        _archive(), _actor(), user_id,
        full_name=sent.full_name if sent.full_name is not None else current.full_name,
        roles=sent.roles if sent.roles is not None else list(current.roles),
        clearance=sent.clearance if sent.clearance is not None else current.clearance)
    return jsonify(user_json(view))


@bp.post("/users/<int:user_id>/active")
@operation("Deactivate an account (every session and API token ends) or reactivate it; "
           "audited. Not one's own, nor the last active administrator.", body=Activation,
           answers={200: json("The account afterwards.", User)}, errors=(400, 401, 403, 404))
@token_required("user.manage")
def activate_user(user_id: int) -> Response:
    sent = parse(Activation, json_body())
    return jsonify(user_json(users.set_active(_archive(), _actor(), user_id,
                                              active=sent.active)))


@bp.post("/users/<int:user_id>/password")
@operation("Reset an account's password to a temporary one, shown once in this answer; "
           "every session and API token of the account ends; audited.",
           answers={200: json("The account and its temporary password.", TemporaryPassword)},
           errors=(401, 403, 404))
@token_required("user.manage")
def reset_user_password(user_id: int) -> Response:
    users.get_user(_archive(), user_id)
    temporary = users.reset_password(_archive(), _actor(), user_id)
    return jsonify(TemporaryPassword.model_validate({
        "user": user_json(users.get_user(_archive(), user_id)),
        "temporary_password": temporary}).model_dump())
