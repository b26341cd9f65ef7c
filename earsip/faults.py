"""Fault-injection points for the crash tests (tests/test_crashes.py, `make soak`).

Code that must survive a crash at a given moment marks it with `point("name")`. Nothing happens
unless the process was started with EARSIP_FAULTS, a comma-separated list of `name=action`
where the action is `kill` (SIGKILL this process: no clean-up, no flush, like a power cut for
the process) and may end with `@N` to fire on the Nth time the point is reached only (default:
the first). Example: `EARSIP_FAULTS=ingest.moved=kill@3`.

EARSIP_FAULTS is ignored when EARSIP_ENV=production. The points are listed in docs/RELIABILITY.md.
"""

from __future__ import annotations

import logging
import os
import signal
import threading

log = logging.getLogger(__name__)

POINTS = (
    "ingest.received",  # the upload is in its temporary file, fsynced
    "store.claimed",  # the temporary file is renamed to its claim, not yet linked into place
    "store.linked",  # linked into categorized storage; the claim not yet settled (the rename)
    "ingest.moved",  # the file is in categorized storage, its row not yet committed
    "audit.appended",  # an audit entry is written inside its action's transaction (not committed)
    "ingest.recorded",  # row, audit entry and index-queue entry committed; the claim not dropped
    "ingest.committed",  # committed and the claim dropped; the index not yet updated
    "ingest.indexed",  # indexed; the answer not yet sent
)

_lock = threading.Lock()
_plan: dict[str, int] | None = None
_hits: dict[str, int] = {}


def _parse(spec: str) -> dict[str, int]:
    plan: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        name, _, action = item.partition("=")
        action, _, nth = action.partition("@")
        if name not in POINTS or action != "kill" or (nth and not nth.isdigit()):
            raise SystemExit(f"EARSIP_FAULTS: cannot use {item!r} (points: {', '.join(POINTS)}; "
                             "action: kill[@N])")
        plan[name] = int(nth or 1)
    return plan


def load() -> dict[str, int]:
    """Read EARSIP_FAULTS (once): the app calls this at start, so a bad value stops it there."""
    global _plan
    if _plan is None:
        spec = os.environ.get("EARSIP_FAULTS", "")
        if spec and os.environ.get("EARSIP_ENV") == "production":
            log.warning("EARSIP_FAULTS is ignored in production")
            spec = ""
        _plan = _parse(spec)
    return _plan


def point(name: str) -> None:
    """Mark a moment that crash tests may interrupt; a no-op unless EARSIP_FAULTS names it."""
    plan = _plan if _plan is not None else load()
    if name not in plan:
        return
    with _lock:
        _hits[name] = _hits.get(name, 0) + 1
        fire = _hits[name] == plan[name]
    if fire:
        log.warning("fault injected at %s: killing process %d", name, os.getpid())
        os.kill(os.getpid(), signal.SIGKILL)
