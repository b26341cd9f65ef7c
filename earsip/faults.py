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

# Filing (tests/test_crashes.py: a live server killed mid-upload).
FILING_POINTS = (
    "ingest.received",  # the upload is in its temporary file, fsynced
    "store.claimed",  # the temporary file is renamed to its claim, not yet linked into place
    "store.linked",  # linked into categorized storage; the claim not yet settled (the rename)
    "ingest.moved",  # the file is in categorized storage, its row not yet committed
    "audit.appended",  # an audit entry is written inside its action's transaction (not committed)
    "ingest.recorded",  # row, audit entry and index-queue entry committed; the claim not dropped
    "ingest.committed",  # committed and the claim dropped; the index not yet updated
    "ingest.indexed",  # indexed; the answer not yet sent
)
# Destruction, transfer, the retention run and checkpoints (tests/test_crashes_disposition.py).
# "each" points fire once per record, paper or transition: `@N` picks which.
DISPOSAL_POINTS = (
    "disposal.marked",  # tombstones, the list's berita acara fields, its entry written; no commit
    "disposal.committed",  # that transaction committed; no content destroyed yet
    "disposal.shredding",  # before each record's content (file, OCR copy, preview) is destroyed
    "disposal.shredded",  # after each record's content is destroyed
    "disposal.unindexed",  # the records deleted from the index; its segments not yet merged
    "disposal.paper_filing",  # before each paper (the berita acara, then the list) is filed
    "disposal.paper_filed",  # after each paper is filed; its id not yet stored on the list
)
TRANSFER_POINTS = (
    "transfer.copying",  # the payload copied into the half-made package; no bag made yet
    "transfer.built",  # the package complete in its building folder; not yet recorded
    "transfer.recorded",  # the transfer and its entry committed; the package not yet in place
    "transfer.zipped",  # the zip of a package written to its spool file; the export not audited
    "transfer.confirming",  # the records marked transferred, the entry written; no commit
    "transfer.confirmed",  # the confirmation committed; the answer not yet sent
)
RETENTION_POINTS = (
    "retention.moved",  # each transition's documents moved inside the run's transaction
    "retention.committed",  # the run's moves and its one entry committed
)
CHECKPOINT_POINTS = (
    "checkpoint.signed",  # the chain's size and head signed; nothing stored
    "checkpoint.recorded",  # the checkpoint row and its entry written; no commit
    "checkpoint.committed",  # committed; not yet printed or returned
)
POINTS = FILING_POINTS + DISPOSAL_POINTS + TRANSFER_POINTS + RETENTION_POINTS + CHECKPOINT_POINTS

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
