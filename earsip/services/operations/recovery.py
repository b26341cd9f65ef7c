"""After a crash: settle or quarantine what interrupted filings left in the upload folder.

A filing leaves two kinds of traces while it runs (see `earsip/storage.py`): its temporary file
(`.tmp/<process>.<random>.part`) until the file is moved into storage, then its claim
(`.tmp/<process>.<stored path>.filing`, a second name of the stored file) until its row is
committed. When the process that made them is gone (`storage.owner_alive`), or they are older
than 6 hours:

- a temporary file was never acknowledged: it goes to `.quarantine/`;
- a claim whose stored path has a row was filed (the crash came after the commit): the claim is
  dropped, the file stays where it is;
- a claim without a row was never acknowledged: the bytes go to `.quarantine/` and leave the
  archive's folders.

Nothing is deleted: an administrator looks at the quarantine. Each sweep that moved something is
audited (`storage.quarantine`). It runs at start-up (`earsip init`, `serve`, `worker`) and in
the worker's once-a-minute tick.

At start-up `recover_interrupted_steps` also settles the two other multi-step actions a crash may
cut short (docs/RELIABILITY.md): a transfer package left half-made or unrecorded in
`transfers/.building` is destroyed, a recorded one moved into place
(`transfer.recover_interrupted`); a destruction interrupted after its commit has what remains of
its records' content destroyed (`destruction_execution.finish_interrupted`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from sqlalchemy import select

from earsip import audit
from earsip.models import Document
from earsip.services import Archive
from earsip.services.retention import destruction_execution, transfer

log = logging.getLogger(__name__)
# Whatever its name says, a temporary file or claim this old is abandoned: no upload is still
# being received after 6 hours, and a claim lives for one transaction.
STALE_TEMP_S = 6 * 3600


@dataclass
class Recovery:
    """What a sweep did."""

    quarantined: list[str] = field(default_factory=list)  # names inside .quarantine/
    settled: list[str] = field(default_factory=list)  # stored paths whose claim was dropped


def recover_interrupted_filings(archive: Archive) -> Recovery:
    """Quarantine abandoned temporary files and unrecorded claims; settle recorded claims."""
    store = archive.store
    done = Recovery()
    for path in store.quarantine_stale(older_than_s=STALE_TEMP_S):
        log.warning("interrupted upload moved to quarantine: %s", path)
        done.quarantined.append(path.name)
    claims = store.abandoned_claims(older_than_s=STALE_TEMP_S)
    if claims:
        with archive.db.read() as session:
            recorded = set(session.scalars(select(Document.storage_path).where(
                Document.storage_path.in_([relative for _, relative in claims]))))
        for claim, relative in claims:
            try:
                if relative in recorded:
                    claim.unlink(missing_ok=True)
                    done.settled.append(relative)
                else:
                    target = store.quarantine_claim(claim, relative)
                    log.warning("unrecorded file %s moved to quarantine: %s", relative, target)
                    done.quarantined.append(target.name)
            except FileNotFoundError:  # another process starting up settled it first
                continue
            except OSError:
                log.exception("could not settle the claim %s", claim)
    if done.quarantined:
        with archive.db.write() as session:
            audit.append(session, audit.SYSTEM, "storage.quarantine", target_type="storage",
                         details={"files": done.quarantined[:100],
                                  "count": len(done.quarantined)})
    return done


@dataclass
class Steps:
    """What settling interrupted transfers and destructions did."""

    packages: list[str] = field(default_factory=list)  # "<name>: moved" / "...: destroyed"
    destruction_lists: list[int] = field(default_factory=list)  # lists whose purge was redone


def recover_interrupted_steps(archive: Archive) -> Steps:
    """Settle transfer packages and destructions that a killed process left half-done."""
    return Steps(transfer.recover_interrupted(archive),
                 destruction_execution.finish_interrupted(archive))
