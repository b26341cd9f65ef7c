"""The worker's queue carries JSON, never pickle: on SQLite and on the machine's Redis, a
pickled message put on the queue is refused and logged without running, and the jobs queued
as JSON around it still run in a real `earsip worker` process.

These tests need no Tesseract (they queue fixity checks, not OCR). The Redis ones use the
Redis on 127.0.0.1:6379 that this project's machines run; they skip only when it cannot be
reached, and fail instead under CI (CI=true), where a skipped Redis test would hide a broken
queue.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from earsip.audit import SYSTEM
from earsip.models import Job
from earsip.queue import JsonSerializer, Queue, RefusedMessage
from earsip.services import Archive
from earsip.services.operations import jobs
from tests.helpers import wait_until

REDIS_URL = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    """Return the test Redis URL once Redis answers PING; skip (fail under CI) otherwise."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as e:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI runs the Redis queue tests: no Redis on 127.0.0.1:6379 ({e})")
        pytest.skip(f"no Redis on 127.0.0.1:6379 ({e})")
    finally:
        client.close()
    return REDIS_URL


class Planted:
    """What an attacker with write access to the queue would put there: unpickling it runs
    code (here: makes a folder, so the test can see whether it ran)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


def _state(archive: Archive, job_id: int) -> str:
    with archive.db.read() as session:
        return session.scalar(select(Job.state).where(Job.id == job_id)) or ""


def test_queued_jobs_are_json_messages_that_read_back_as_the_same_task(tmp_path: Path) -> None:
    queue = Queue("", tmp_path / "queue.sqlite3")
    try:
        queue.put(7)
        queue.put(8, delay_s=600)
        now, later = (json.loads(raw)["$message"] for raw in queue.huey.storage.enqueued_items())
        assert now["name"] == "earsip.queue.earsip.job" and now["args"] == {"$tuple": [7]}
        assert now["eta"] is None and "$datetime" in later["eta"]
        tasks = [queue.huey.dequeue(), queue.huey.dequeue()]
        assert [t.args for t in tasks] == [(7,), (8,)]
        assert tasks[0].eta is None and tasks[1].eta is not None
    finally:
        queue.close()


def test_the_serializer_refuses_to_queue_anything_but_data() -> None:
    serializer = JsonSerializer()
    for value in (object(), b"bytes", {1: "x"}, {"$tuple": []}, {3}):
        with pytest.raises(TypeError):
            serializer.serialize(value)
    assert serializer.deserialize(serializer.serialize((1, ["a", None], {"k": 2.5}))) == (
        1, ["a", None], {"k": 2.5})


def test_a_pickled_message_is_refused_with_a_logged_error_and_never_unpickled(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    marker = tmp_path / "ran"
    serializer = JsonSerializer()
    for planted in (pickle.dumps(Planted(marker)), b'{"$message": {"name": 1}}', b"\xff\xfe"):
        with pytest.raises(RefusedMessage):
            serializer.deserialize(planted)
    assert not marker.exists()
    assert [r.levelname for r in caplog.records] == ["ERROR"] * 3
    assert "queue message refused" in caplog.records[0].getMessage()


@pytest.mark.parametrize("where", ["sqlite", "redis"])
def test_a_worker_refuses_a_pickled_message_on_its_queue_and_runs_the_json_jobs_around_it(
        archive: Archive, tmp_path: Path, start_worker, where: str) -> None:  # type: ignore[no-untyped-def]
    url = redis_url() if where == "redis" else ""
    queued = replace(archive, config=replace(archive.config, queue_url=url), _queue=None)
    queued.queue.huey.flush()
    marker = tmp_path / "planted-code-ran"
    try:
        first = jobs.request(queued, SYSTEM, "fixity")
        queued.queue.huey.storage.enqueue(pickle.dumps(Planted(marker)))
        second = jobs.request(queued, SYSTEM, "fixity")
        assert queued.queue.waiting() == 3
        if where == "redis":  # the configuration moved the queue: nothing went to SQLite
            assert archive.queue.waiting() == 0
        log = tmp_path / "worker.log"
        start_worker(log=log, EARSIP_QUEUE_URL=url)
        wait_until(lambda: _state(archive, first) == _state(archive, second) == "done", 90,
                   "both fixity jobs")
        wait_until(lambda: queued.queue.waiting() == 0, 10, "an empty queue")
        assert not marker.exists()
        wait_until(lambda: "queue message refused" in log.read_text(), 10, "the logged refusal")
    finally:
        queued.queue.huey.flush()
        queued.queue.close()
