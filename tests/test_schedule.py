"""The scheduled tasks: each due task runs once per period, claimed in the database."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select

from earsip.models import AuditCheckpoint, AuditEntry, Document, FixityRun, TaskRun
from earsip.services import Archive
from earsip.services.operations import schedule
from tests.helpers import file_doc


def _count(archive: Archive, model, **where: object) -> int:
    with archive.db.read() as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return session.scalar(query) or 0


def test_a_first_round_runs_every_task_and_a_second_round_the_same_day_runs_none(
        archive: Archive, tmp_path: Path) -> None:
    doc = file_doc(archive, tmp_path, code="KA.00", date="2019-01-01")
    with archive.db.write() as session:  # as if filed long ago and never moved since
        session.get(Document, doc).phase = "aktif"
    now = dt.datetime(2026, 11, 30, 3, 0)
    assert schedule.run_due(archive, now=now) == {
        "retention.run": "ok", "audit.checkpoint": "ok", "fixity": "ok", "suggest.train": "ok"}
    with archive.db.read() as session:
        assert session.get(Document, doc).phase == "usul_musnah"
    assert schedule.run_due(archive, now=now + dt.timedelta(hours=2)) == {}
    assert _count(archive, AuditEntry, action="retention.run") == 1
    assert _count(archive, AuditCheckpoint) == 1 and _count(archive, FixityRun) == 1


def test_daily_tasks_run_again_the_next_day_and_fixity_after_its_interval(
        archive: Archive) -> None:
    start = dt.datetime(2026, 11, 30, 3, 0)
    schedule.run_due(archive, now=start)
    next_day = schedule.run_due(archive, now=start + dt.timedelta(days=1))
    assert next_day == {"retention.run": "ok", "audit.checkpoint": "ok", "suggest.train": "ok"}
    week = schedule.run_due(archive, now=start + dt.timedelta(days=7))
    assert week == {"retention.run": "ok", "audit.checkpoint": "ok", "fixity": "ok",
                    "suggest.train": "ok"}
    rows = schedule.status(archive)
    assert {r.name: r.last_outcome for r in rows} == {
        "retention.run": "ok", "audit.checkpoint": "ok", "fixity": "ok", "suggest.train": "ok",
        "notify.email": None}  # off without a mail server (EARSIP_SMTP_URL)


def test_a_task_claimed_by_another_process_is_left_alone_until_its_lease_ends(
        archive: Archive) -> None:
    now = dt.datetime(2026, 11, 30, 3, 0)
    with archive.db.write() as session:
        session.add(TaskRun(name="fixity", last_started_at=now - dt.timedelta(days=30)))
        session.add(TaskRun(name="retention.run", last_started_at=now - dt.timedelta(hours=1)))
    ran = schedule.run_due(archive, now=now)
    assert "retention.run" not in ran and ran["fixity"] == "ok"
    later = schedule.run_due(archive, now=now + schedule.LEASE)
    assert later.get("retention.run") == "ok"


def test_with_a_mail_server_the_notification_e_mails_are_queued_every_quarter_hour(
        archive: Archive) -> None:
    mailing = replace(archive, config=replace(
        archive.config, smtp_url="smtp://127.0.0.1:2525?from=arsip@example.go.id"))
    now = dt.datetime(2026, 11, 30, 3, 0)
    assert schedule.run_due(mailing, now=now) == {
        "retention.run": "ok", "audit.checkpoint": "ok", "fixity": "ok", "suggest.train": "ok",
        "notify.email": "ok"}
    [first] = [r.last_details for r in schedule.status(mailing) if r.name == "notify.email"]
    assert first is not None and isinstance(first["queued"], int)
    assert schedule.run_due(mailing, now=now + dt.timedelta(minutes=10)) == {}
    assert schedule.run_due(mailing, now=now + dt.timedelta(minutes=15)) == {
        "notify.email": "ok"}
    # The first job still waits in the queue: one digest job is enough.
    assert [r.last_details for r in schedule.status(mailing) if r.name == "notify.email"] == [
        {"queued": None, "waiting": first["queued"]}]
    assert "notify.email" not in schedule.run_due(archive, now=now + dt.timedelta(hours=1))


def test_a_zero_fixity_interval_turns_the_weekly_check_off(archive: Archive) -> None:
    quiet = replace(archive, config=replace(archive.config, fixity_interval_days=0))
    assert "fixity" not in schedule.run_due(quiet, now=dt.datetime(2026, 11, 30))


def test_the_tasks_command_runs_what_is_due_and_shows_the_state(runner, archive: Archive) -> None:
    result = runner("tasks", "--run")
    assert result.exit_code == 0, result.output
    assert "retention.run: ok" in result.output and "fixity: ok" in result.output
    shown = runner("tasks").output
    assert "tiap 7 hari" in shown
    assert [line.split()[1] for line in shown.splitlines()
            if line.startswith("notify.email")] == ["nonaktif"]


def test_a_failed_task_is_tried_again_an_hour_later(archive: Archive) -> None:
    now = dt.datetime(2026, 11, 30, 3, 0)
    with archive.db.write() as session:
        session.add(TaskRun(name="fixity", last_started_at=now - dt.timedelta(minutes=30),
                            last_finished_at=now - dt.timedelta(minutes=29),
                            last_outcome="failed"))
    assert "fixity" not in schedule.run_due(archive, now=now)
    assert schedule.run_due(archive, now=now + dt.timedelta(hours=1))["fixity"] == "ok"


def test_two_processes_finding_a_task_due_at_the_same_moment_run_it_once(
        archive: Archive) -> None:
    now = dt.datetime(2026, 11, 30, 3, 0)
    with archive.db.write() as session:
        session.add(TaskRun(name="retention.run", last_started_at=now - dt.timedelta(days=1),
                            last_finished_at=now - dt.timedelta(days=1), last_outcome="ok"))
    other = Archive.open(archive.config)  # another process: its own connections
    outcome: list[dict[str, str]] = []
    try:
        with archive.db.write() as session:  # this process claims the task, not yet committed
            row = session.get(TaskRun, "retention.run", with_for_update=True)
            assert row is not None
            row.last_started_at = now
            session.flush()
            rival = threading.Thread(target=lambda: outcome.append(
                schedule.run_due(other, now=now, only={"retention.run"})))
            rival.start()
            rival.join(1.0)
            assert rival.is_alive(), "the other process must wait for this one's claim"
        rival.join(30)
    finally:
        other.close()
    assert outcome == [{}]
    assert _count(archive, AuditEntry, action="retention.run") == 0
