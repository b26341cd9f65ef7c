"""A whole rebuild of the Whoosh index from a `RebuildSource`, step by step: start or resume,
build in commits, switch over, let the source catch up, finish (`SearchIndex.rebuild`).

The mechanics of one run (segments beside the live index, the record, the switch) are in
`rebuild`; what to index comes from the source the services give.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from earsip.search.backend import RebuildSource
from earsip.search.rebuild import Rebuild
from earsip.search.values import RebuildMark, RebuildResult

if TYPE_CHECKING:
    from earsip.search.index import SearchIndex

log = logging.getLogger(__name__)

# Worker processes (each pooling up to LIMIT_MB of postings before spilling sorted runs to
# disk), used from MIN_PARALLEL documents on; a commit every 1/6 of the documents within
# MIN_COMMIT..MAX_COMMIT; how long the switch-over waits for the live index's write lock.
PROCS = 2
LIMIT_MB = 160
MIN_PARALLEL = 2000
MIN_COMMIT = 500
MAX_COMMIT = 25_000
SWITCH_TIMEOUT_S = 120.0


def commit_interval(total: int) -> int:
    """Return after how many documents a rebuild commits (what an interruption can lose)."""
    return max(MIN_COMMIT, min(MAX_COMMIT, -(-total // 6)))


def run(index: SearchIndex, folder: str | os.PathLike[str], source: RebuildSource, *,
        progress: Callable[[int], None] | None = None, procs: int | None = None,
        commit_every: int | None = None) -> RebuildResult:
    """Rebuild the index in `folder` from `source` beside the live one, then switch over.

    Resumes an interrupted rebuild after its last committed document. The live index answers
    searches meanwhile. `progress` is called with the number of documents of each commit.
    """
    procs = procs if procs is not None else min(PROCS, os.cpu_count() or 1)
    with Rebuild(folder, procs=procs, limitmb=LIMIT_MB) as rebuild:
        total = source.count()
        parallel = total >= MIN_PARALLEL
        resumed = rebuild.progress.count if rebuild.progress is not None else 0
        if rebuild.progress is None:
            # Entries queued before the rebuild starts are covered by it; later ones are
            # applied again once it is live.
            mark = source.mark()
            rebuild.start(queued_before=mark.queued_before, started_at=mark.started_at,
                          parallel=parallel)
        elif rebuild.progress.phase != "switched":
            log.info("resuming the index rebuild after document %s", rebuild.progress.last_id)
            rebuild.resume(parallel=parallel)
        state = rebuild.progress
        assert state is not None
        if state.phase != "switched":
            _build(rebuild, source, state.last_id, commit_every or commit_interval(total),
                   progress)
            touched = rebuild.switch(writer_timeout=SWITCH_TIMEOUT_S)
        else:
            touched = rebuild.touched()
        index.close()  # the next use opens the new live index
        indexed = rebuild.progress.count if rebuild.progress is not None else 0
        mark = RebuildMark(queued_before=state.queued_before,
                           started_at=dt.datetime.fromisoformat(state.started_at))
        replayed = source.catch_up(touched, mark)
        rebuild.finish()
    return RebuildResult(indexed=indexed, resumed=resumed, replayed=replayed)


def _build(rebuild: Rebuild, source: RebuildSource, last_id: int, commit_every: int,
           progress: Callable[[int], None] | None) -> None:
    """Add every document after `last_id` to the rebuild, committing every `commit_every`."""
    since_commit = 0
    for batch_last, docs in source.batches(last_id):
        last_id = batch_last
        rebuild.add(docs)
        since_commit += len(docs)
        if since_commit >= commit_every:
            done = rebuild.commit(last_id)
            since_commit = 0
            if progress:
                progress(done)
    done = rebuild.commit(last_id)
    if progress and done:
        progress(done)
