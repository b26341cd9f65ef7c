"""The background worker's task queue: Huey, on SQLite by default, on Redis by configuration.

The queue carries only job ids (the `jobs` table is the truth about a job, see
`services/jobs.py`), plus one periodic tick a minute. Producers (the web process, the CLI) call
`put`; the worker process calls `serve`, which runs Huey's consumer with the given handlers.
Huey removes a task from its queue when a worker takes it, so a worker killed mid-job loses the
queue's copy; the job row, not the queue, brings it back. Only `errors` is imported from
earsip; Huey stays behind this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey

from earsip.errors import ValidationError

log = logging.getLogger(__name__)
NAME = "earsip"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class Queue:
    """One queue of job ids with a once-a-minute tick; what they do is given to `serve`."""

    def __init__(self, url: str, sqlite_file: Path) -> None:
        if url.startswith(REDIS_SCHEMES):
            self.huey: Huey = RedisHuey(NAME, url=url, results=False)
            self.where = url.split("@")[-1]  # no password in what is shown
        elif url:
            raise ValidationError("EARSIP_QUEUE_URL harus berupa URL redis:// (atau kosong "
                                  "untuk antrean SQLite bawaan).", field="queue_url")
        else:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            self.huey = SqliteHuey(NAME, filename=str(sqlite_file), results=False, fsync=True)
            self.where = str(sqlite_file)
        self._on_job: Callable[[int], None] | None = None
        self._on_tick: Callable[[], None] | None = None

        @self.huey.task(name="earsip.job")
        def run_job(job_id: int) -> None:
            if self._on_job is None:
                raise RuntimeError("this process does not run jobs")
            self._on_job(job_id)

        @self.huey.periodic_task(crontab(minute="*"), name="earsip.tick")
        def tick() -> None:
            if self._on_tick is not None:
                self._on_tick()

        self._run_job = run_job

    def put(self, job_id: int, *, delay_s: float = 0.0) -> None:
        """Queue a job id, to be taken at once or after `delay_s` seconds."""
        if delay_s > 0:
            self._run_job.schedule(args=(job_id,), delay=delay_s)
        else:
            self._run_job(job_id)

    def waiting(self) -> int:
        """Return how many messages wait in the queue (duplicates included)."""
        return int(self.huey.pending_count())

    def serve(self, on_job: Callable[[int], None], on_tick: Callable[[], None], *,
              threads: int = 1) -> None:
        """Run the consumer in this (main) thread until SIGTERM or SIGINT."""
        self._on_job, self._on_tick = on_job, on_tick
        # SIGTERM (a service stop, `earsip serve` ending) lets the running job finish for up
        # to 25 s; SIGINT stops at once. A job cut short is taken back by the next worker.
        consumer = self.huey.create_consumer(workers=threads, worker_type="thread",
                                             periodic=True, max_delay=1.0,
                                             check_worker_health=True, graceful_signal="TERM",
                                             shutdown_timeout=25)
        consumer.run()

    def close(self) -> None:
        """Release the queue's connections."""
        storage = self.huey.storage
        close = getattr(storage, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # closing is best effort
                log.debug("queue storage did not close cleanly", exc_info=True)
