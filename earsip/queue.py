"""The background worker's task queue: Huey, on SQLite by default, on Redis by configuration.

The queue carries only job ids (the `jobs` table is the truth about a job, see
`services/operations/jobs.py`), plus one periodic tick a minute. Producers (the web process, the
CLI) call `put`; the worker process calls `serve`, which runs Huey's consumer with the given
handlers. Huey removes a task from its queue when a worker takes it, so a worker killed mid-job
loses the queue's copy; the job row, not the queue, brings it back. Only `errors` is imported
from earsip; Huey stays behind this module.

Messages are JSON (`JsonSerializer`), never pickle: whoever can write to the queue (a Redis
server reachable from the office network, say) can then only ask for a registered task with
data as its arguments, not run code in the worker. A message that is not such JSON is refused
and logged, and the worker goes on.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import Huey
from huey.registry import Message
from huey.serializer import Serializer

from earsip.errors import ValidationError

log = logging.getLogger(__name__)
NAME = "earsip"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class RefusedMessage(ValueError):
    """A queue message that is not E-Arsip's JSON: never decoded further, never run."""


class JsonSerializer(Serializer):
    """Huey's serializer with JSON instead of pickle: data in, data out.

    Huey serializes its task messages (a `Message` named tuple: task name, id, arguments, an
    optional due time…) and a few bookkeeping values. They are written as JSON, with three
    tagged forms for what JSON lacks: `{"$message": {...}}`, `{"$tuple": [...]}` and
    `{"$datetime": "ISO 8601"}`. Anything else (an object, bytes, a set) is refused when
    queued; anything else read back is refused before it is used.
    """

    def __init__(self) -> None:
        super().__init__(compression=False)

    def _serialize(self, data: object) -> bytes:
        return json.dumps(_encode(data), separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")

    def _deserialize(self, data: bytes) -> object:
        try:
            return _decode(json.loads(data.decode("utf-8")))
        except (UnicodeDecodeError, ValueError, TypeError, RecursionError) as e:
            log.error("queue message refused: not an E-Arsip JSON message (%d bytes, "
                      "starting %r); it is dropped and nothing of it runs", len(data),
                      bytes(data[:16]))
            raise RefusedMessage("queue message is not E-Arsip JSON") from e


_SCALARS = (str, int, float, bool, type(None))


def _encode(value: object) -> object:
    if isinstance(value, Message):
        return {"$message": {k: _encode(v) for k, v in value._asdict().items()}}
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) and not k.startswith("$") for k in value):
            raise TypeError("queue data: dictionary keys must be plain strings")
        return {k: _encode(v) for k, v in value.items()}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, _SCALARS):
        return value
    raise TypeError(f"queue data cannot carry a {type(value).__name__}")


def _decode(value: object) -> object:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)).startswith("$"):
            (tag, inner), = value.items()
            if tag == "$message" and isinstance(inner, dict) and set(inner) <= set(
                    Message._fields) and isinstance(inner.get("name"), str):
                return Message(**{k: _decode(v) for k, v in inner.items()})
            if tag == "$tuple" and isinstance(inner, list):
                return tuple(_decode(v) for v in inner)
            if tag == "$datetime" and isinstance(inner, str):
                return dt.datetime.fromisoformat(inner)
            raise ValueError(f"unknown or malformed tagged value {tag!r}")
        if any(k.startswith("$") for k in value):
            raise ValueError("dictionary keys must be plain strings")
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, _SCALARS):
        return value
    raise ValueError("not JSON data")  # pragma: no cover  (json.loads gives nothing else)


class Queue:
    """One queue of job ids with a once-a-minute tick; what they do is given to `serve`."""

    def __init__(self, url: str, sqlite_file: Path) -> None:
        if url.startswith(REDIS_SCHEMES):
            self.huey: Huey = RedisHuey(NAME, url=url, results=False,
                                        serializer=JsonSerializer())
            self.where = url.split("@")[-1]  # no password in what is shown
        elif url:
            raise ValidationError("EARSIP_QUEUE_URL harus berupa URL redis:// (atau kosong "
                                  "untuk antrean SQLite bawaan).", field="queue_url")
        else:
            sqlite_file.parent.mkdir(parents=True, exist_ok=True)
            self.huey = SqliteHuey(NAME, filename=str(sqlite_file), results=False, fsync=True,
                                   serializer=JsonSerializer())
            self.where = str(sqlite_file)
        self._on_job: Callable[[int], object] | None = None
        self._on_tick: Callable[[], object] | None = None

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

    def serve(self, on_job: Callable[[int], object], on_tick: Callable[[], object], *,
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
