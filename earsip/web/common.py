"""Helpers shared by the HTML views: the running archive, the principal, route permissions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import abort, current_app, request
from flask_login import current_user

from earsip.access import Principal
from earsip.extensions import login_manager
from earsip.services import Archive
from earsip.services.access import auth as auth_service


def archive() -> Archive:
    """Return the running archive."""
    return current_app.extensions["earsip"]


def principal() -> Principal:
    """Return the signed-in principal (views are behind `requires`)."""
    return current_user.principal


def client() -> str | None:
    """Return the client address."""
    return request.remote_addr


def local_moment(raw: str) -> str:
    """A form's local date and time with the office's offset (the services take ISO 8601)."""
    try:
        moment = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return raw  # the declared check says what is wrong with it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(archive().config.timezone))
    return moment.isoformat()


def local_now() -> str:
    """Now in the office's time zone, as a datetime-local field wants it."""
    return archive().local_now().strftime("%Y-%m-%dT%H:%M")


def local_path(target: str | None) -> str | None:
    """Return `target` only when it is a path on this site (for `next=` redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def requires(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let a view run only for a signed-in user whose roles grant `permission`.

    The permission is kept on the view (`required_permission`) so the route table in
    docs/ACCESS.md can be checked against the app. A refusal is audited.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not auth_service.permitted(archive(), principal(), permission, request.method,
                                          request.path, client()):
                abort(403)
            return view(*args, **kwargs)

        wrapper.required_permission = permission  # type: ignore[attr-defined]  # a marker the permission tests read
        return wrapper

    return decorate


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view open to everyone (sign-in, health, the API description)."""
    view.required_permission = None  # type: ignore[attr-defined]  # a marker the permission tests read
    return view
