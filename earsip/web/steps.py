"""Running one step of a procedure from a form (destruction, transfer), the same way each time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect

from earsip.errors import EarsipError, NotFound
from earsip.web.i18n import error_text


def run_step(action: Callable[[], object], done: str, *, again: Callable[[int], Any],
             then: str) -> Any:
    """Run `action`: on success flash `done` and go to `then`; a refused step shows its page
    again (`again(status)`) with the reason; an object the user may not know of is a 404."""
    try:
        action()
    except NotFound:
        abort(404)
    except EarsipError as e:
        flash(error_text(e), "error")
        return again(e.http_status)
    flash(done, "success")
    return redirect(then)
