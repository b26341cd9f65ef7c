"""Helpers shared by the HTML views."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from earsip.services import Archive
from earsip.services.users import Principal


def archive() -> Archive:
    """Return the running archive."""
    return current_app.extensions["earsip"]


def principal() -> Principal:
    """Return the signed-in principal (views are behind login_required)."""
    return current_user.principal


def client() -> str | None:
    """Return the client address."""
    return request.remote_addr
