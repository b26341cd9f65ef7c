"""The JSON API, version 1: bearer-token auth, JSON errors."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from earsip.api import (  # noqa: E402,F401  (attach handlers and routes to bp)
    audit,
    case_reports,
    cases,
    declassification,
    desk,
    disposals,
    errors,
    guests,
    offices,
    operations,
    public,
    records,
    retention,
    routes,
    scheme,
    transfers,
    users,
)
