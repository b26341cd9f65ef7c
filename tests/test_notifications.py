"""Notifications: what waits on each user in the app (dispositions new, due tomorrow, overdue;
lists to approve; declassifications to decide), within clearance and in the office's calendar,
and the digest e-mailed through a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from config import Config
from earsip import audit, mail
from earsip.access import Principal
from earsip.models import DeclassificationRequest, Disposition, Job, User
from earsip.schemas.base import parse
from earsip.schemas.desk import DispositionInput, IncomingLetterOut
from earsip.schemas.retention import DisposalProposal
from earsip.services import Archive
from earsip.services.desk import dispositions, letters, notifications
from earsip.services.operations import jobs, schedule
from earsip.services.retention import destruction
from tests.approvers import make_approver
from tests.helpers import entries, file_doc, principal_of
from tests.test_desk_letters import letter_input


@dataclass
class Inbox:
    """What the SMTP server received: one (envelope sender, recipients, message) a mail."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def smtp(port: int) -> Iterator[Inbox]:
    """A real SMTP server listening on 127.0.0.1."""
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    yield inbox
    server.stop()


def mailing(archive: Archive, port: int) -> Archive:
    url = f"smtp://127.0.0.1:{port}?from=arsip@bawaslu.example.go.id&timeout=5"
    return replace(archive, config=replace(archive.config, smtp_url=url))


def in_zone(archive: Archive, zone: str) -> Archive:
    return replace(archive, config=replace(archive.config, timezone=zone))


@pytest.fixture
def people(archive: Archive, make_user: Callable[..., str]) -> dict[str, Principal]:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("staf1", roles=("staf",), clearance="terbatas")
    make_user("staf2", roles=("staf",), clearance="biasa")
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    make_approver(archive, "ketua")
    make_approver(archive, "wakil", clearance="terbatas")
    return {name: principal_of(archive, name)
            for name in ("loket", "staf1", "staf2", "arsip1", "ketua", "wakil")}


def register(archive: Archive, desk: Principal, *, security: str = "biasa",
             subject: str = "Laporan hasil pengawasan kampanye",
             number: str = "197/PM.00.02/K.JI-11.07/06/2024") -> IncomingLetterOut:
    return letters.register(archive, desk, letter_input(security=security, subject=subject,
                                                        letter_number=number))


def route(archive: Archive, sender: Principal, letter_id: int, *to: str,
          due: dt.date | None = None) -> list[int]:
    data = parse(DispositionInput, {"to": list(to), "instruction": "tindak lanjuti",
                                    "due_date": due.isoformat() if due else None})
    return [s.id for s in dispositions.dispose(archive, sender, letter_id, data)]


def set_due(archive: Archive, step_id: int, due: dt.date) -> None:
    """Move a step's due date (routing refuses one in the past; time passes in real life)."""
    with archive.db.write() as session:
        session.get(Disposition, step_id).due_date = due


def set_email(archive: Archive, **addresses: str | None) -> None:
    with archive.db.write() as session:
        for username, address in addresses.items():
            session.scalar(select(User).where(User.username == username)).email = address


def kinds(archive: Archive, who: Principal) -> list[tuple[str, str]]:
    return [(n.kind, n.key) for n in notifications.pending(archive, who).items]


def test_a_new_disposition_waits_on_its_recipient_with_a_link_to_its_letter(
        archive: Archive, people: dict[str, Principal]) -> None:
    letter = register(archive, people["loket"])
    [step] = route(archive, people["loket"], letter.id, "staf2")
    waiting = notifications.pending(archive, people["staf2"])
    assert waiting.count == 1
    [item] = waiting.items
    assert item.kind == "disposition.new" and item.key == f"disposition.new:{step}"
    assert item.message == notifications.MESSAGES["disposition.new"]
    assert item.message % item.params == (
        f"Disposisi baru dari loket: surat {letter.agenda_number} (Laporan hasil pengawasan "
        "kampanye), tindak lanjuti")
    assert item.target == ("desk.letter", {"letter_id": letter.id, "_anchor": f"step-{step}"})
    assert notifications.pending(archive, people["staf1"]).count == 0
    assert notifications.count(archive, people["loket"]) == 0  # the sender waits on nobody
    dispositions.mark_read(archive, people["staf2"], step)
    assert notifications.pending(archive, people["staf2"]).count == 0  # read, not yet due


def test_a_letter_above_the_users_clearance_is_never_mentioned(
        archive: Archive, people: dict[str, Principal]) -> None:
    secret = register(archive, people["loket"], security="terbatas",
                      subject="Dugaan pelanggaran netralitas ASN")
    plain = register(archive, people["loket"], number="12/KA.00/JI-11/06/2024")
    route(archive, people["loket"], secret.id, "staf1", due=archive.local_today())
    route(archive, people["loket"], plain.id, "staf1")
    assert len(kinds(archive, people["staf1"])) == 2
    with archive.db.write() as session:  # staf1 is moved to a post cleared for `biasa` only
        session.scalar(select(User).where(User.username == "staf1")).clearance = "biasa"
    lowered = principal_of(archive, "staf1")
    waiting = notifications.pending(archive, lowered)
    assert waiting.count == 1 and waiting.items[0].target[1]["letter_id"] == plain.id
    assert all("netralitas" not in str(i.params) for i in waiting.items)


def test_due_tomorrow_and_overdue_are_counted_in_the_offices_date(
        archive: Archive, people: dict[str, Principal]) -> None:
    utc_today = dt.datetime.now(dt.UTC).date()
    # Whatever the hour, one of these zones is already or still on another day than UTC.
    zone = next(z for z in ("Pacific/Kiritimati", "Etc/GMT+12")
                if in_zone(archive, z).local_today() != utc_today)
    office = in_zone(archive, zone)
    today = office.local_today()
    letter = register(office, people["loket"])
    steps = route(office, people["loket"], letter.id, "staf1", "staf2", "arsip1")
    dispositions.mark_read(office, people["staf1"], steps[0])
    set_due(office, steps[0], today + dt.timedelta(days=1))
    set_due(office, steps[1], today - dt.timedelta(days=3))
    set_due(office, steps[2], today)
    assert kinds(office, people["staf1"]) == [("disposition.due_tomorrow",
                                               f"disposition.due_tomorrow:{steps[0]}")]
    [late] = notifications.pending(office, people["staf2"]).items
    assert late.kind == "disposition.overdue" and late.params["days"] == 3
    assert kinds(office, people["arsip1"]) == [("disposition.due_today",
                                                f"disposition.due_today:{steps[2]}")]
    # Counted in UTC's date instead, the read step due tomorrow would be due today or in two
    # days: never "due tomorrow".
    assert ("disposition.due_tomorrow", f"disposition.due_tomorrow:{steps[0]}") \
        not in kinds(in_zone(archive, "UTC"), people["staf1"])


def test_leaders_are_told_of_lists_to_approve_and_declassifications_to_decide_within_clearance(
        archive: Archive, people: dict[str, Principal], tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    plain = file_doc(archive, docs, code="KA.00", date="2019-03-01")
    secret = file_doc(archive, docs, code="KA.00", date="2019-04-01", security="rahasia")
    plain_list = destruction.propose(archive, people["arsip1"],
                                     DisposalProposal(document_ids=[plain]))
    secret_list = destruction.propose(archive, people["arsip1"],
                                      DisposalProposal(document_ids=[secret]))
    with archive.db.write() as session:
        session.add(DeclassificationRequest(
            document_id=secret, old_security="rahasia", new_security="biasa",
            reason="Masa kerahasiaan berakhir", requested_by_id=people["arsip1"].id,
            requested_by_name="arsip1"))
        session.flush()
        [request_id] = session.scalars(select(DeclassificationRequest.id))
    waiting = notifications.pending(archive, people["ketua"])
    assert [(i.kind, i.target) for i in waiting.items] == [
        ("disposal.awaiting", ("disposal.show", {"list_id": plain_list})),
        ("disposal.awaiting", ("disposal.show", {"list_id": secret_list})),
        ("declassification.awaiting",
         ("documents.show", {"document_id": secret, "_anchor": f"declassification-{request_id}"})),
    ]
    assert waiting.items[2].message % waiting.items[2].params == (
        f"Permintaan penurunan klasifikasi dokumen #{secret} dari arsip1 menunggu keputusan Anda")
    # A leader cleared for `terbatas` hears only of the list of `biasa` records.
    assert [i.target[1] for i in notifications.pending(archive, people["wakil"]).items] == [
        {"list_id": plain_list}]
    # The proposer and the staff are asked to decide nothing.
    assert notifications.pending(archive, people["arsip1"]).count == 0
    assert notifications.pending(archive, people["staf2"]).count == 0


def test_the_most_pressing_come_first(archive: Archive, people: dict[str, Principal]) -> None:
    today = archive.local_today()
    letter = register(archive, people["loket"])
    other = register(archive, people["loket"], number="13/KA.00/JI-11/06/2024")
    third = register(archive, people["loket"], number="14/KA.00/JI-11/06/2024")
    [new] = route(archive, people["loket"], letter.id, "ketua")
    [late] = route(archive, people["loket"], other.id, "ketua")
    [soon] = route(archive, people["loket"], third.id, "ketua",
                   due=today + dt.timedelta(days=1))
    set_due(archive, late, today - dt.timedelta(days=1))
    assert [k for k, _ in kinds(archive, people["ketua"])] == [
        "disposition.overdue", "disposition.due_tomorrow", "disposition.new"]
    assert [key.split(":")[1] for _, key in kinds(archive, people["ketua"])] == [
        str(late), str(soon), str(new)]


def test_the_digest_arrives_with_the_right_recipient_and_content_and_is_never_sent_twice(
        archive: Archive, people: dict[str, Principal], smtp: Inbox, port: int) -> None:
    office = mailing(archive, port)
    plain = register(office, people["loket"])
    secret = register(office, people["loket"], security="terbatas",
                      subject="Dugaan pelanggaran netralitas ASN",
                      number="15/PP.01.02/K.JI-11/06/2024")
    route(office, people["loket"], plain.id, "staf1", "staf2")
    route(office, people["loket"], secret.id, "staf1")
    set_email(office, staf1="rina@bawaslu.example.go.id", staf2=None)
    result = notifications.send_digest(office)
    assert (result.configured, result.users, result.sent, result.failed, result.items) == (
        True, 1, 1, 0, 2)
    [(sender, to, message)] = smtp.received
    assert sender == "arsip@bawaslu.example.go.id" and to == ["rina@bawaslu.example.go.id"]
    assert message["To"] == "rina@bawaslu.example.go.id"
    assert message["Subject"] == "E-Arsip: 2 pemberitahuan baru"
    body = message.get_content()
    assert "Yth. staf1," in body
    assert f"surat {plain.agenda_number} (Laporan hasil pengawasan kampanye)" in body
    assert f"surat {secret.agenda_number} (perihal tidak ditampilkan: Terbatas)" in body
    assert "netralitas" not in body  # a subject above `biasa` never leaves the server
    [sent] = entries(office, "notification.email")
    assert sent.outcome == "success" and sent.target_id == str(people["staf1"].id)
    assert sent.details["items"] == 2 and sent.details["to"] == "rina@bawaslu.example.go.id"

    again = notifications.send_digest(office)
    assert (again.users, again.sent) == (0, 0) and len(smtp.received) == 1
    # Only what is new since the last digest goes in the next one.
    third = register(office, people["loket"], number="16/KA.00/JI-11/06/2024")
    [step] = route(office, people["loket"], third.id, "staf1")
    assert notifications.send_digest(office).sent == 1
    body = smtp.received[1][2].get_content()
    assert third.agenda_number in body and plain.agenda_number not in body
    assert smtp.received[1][2]["Subject"] == "E-Arsip: 1 pemberitahuan baru"
    # The same step falling due tomorrow is a new reminder, mailed once.
    dispositions.mark_read(office, people["staf1"], step)
    set_due(office, step, office.local_today() + dt.timedelta(days=1))
    assert notifications.send_digest(office).sent == 1
    assert "jatuh tempo besok" in smtp.received[2][2].get_content()
    assert notifications.send_digest(office).sent == 0 and len(smtp.received) == 3


def test_an_unreachable_server_is_audited_as_a_failure_and_tried_again_next_time(
        archive: Archive, people: dict[str, Principal], port: int) -> None:
    office = mailing(archive, port)  # nothing listens on this port yet
    letter = register(office, people["loket"])
    route(office, people["loket"], letter.id, "staf2")
    set_email(office, staf2="budi@bawaslu.example.go.id")
    failed = notifications.send_digest(office)
    assert (failed.sent, failed.failed) == (0, 1)
    [entry] = entries(office, "notification.email")
    assert entry.outcome == "failure" and f"127.0.0.1:{port}" in entry.details["reason"]
    # The desk works on meanwhile.
    assert notifications.pending(office, people["staf2"]).count == 1
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        retried = notifications.send_digest(office)
    finally:
        server.stop()
    assert (retried.sent, retried.failed) == (1, 0)
    assert [to for _, to, _ in inbox.received] == [["budi@bawaslu.example.go.id"]]
    assert [e.outcome for e in entries(office, "notification.email")] == ["failure", "success"]


def test_without_an_smtp_url_nothing_is_attempted(
        archive: Archive, people: dict[str, Principal]) -> None:
    assert archive.config.smtp_url == ""
    letter = register(archive, people["loket"])
    route(archive, people["loket"], letter.id, "staf2")
    set_email(archive, staf2="budi@bawaslu.example.go.id")
    assert notifications.send_digest(archive).model_dump() == {
        "configured": False, "users": 0, "sent": 0, "failed": 0, "items": 0}
    assert entries(archive, "notification.email") == []
    assert "notify.email" not in schedule.run_due(archive, only={"notify.email"})
    assert [t.every_days for t in schedule.status(archive) if t.name == "notify.email"] == [0]


def test_the_worker_schedule_mails_the_digest_every_quarter_of_an_hour(
        archive: Archive, people: dict[str, Principal], smtp: Inbox, port: int) -> None:
    office = mailing(archive, port)
    letter = register(office, people["loket"])
    route(office, people["loket"], letter.id, "staf2")
    set_email(office, staf2="budi@bawaslu.example.go.id")
    now = dt.datetime(2026, 12, 7, 3, 0)
    assert schedule.run_due(office, now=now, only={"notify.email"}) == {"notify.email": "ok"}
    assert schedule.run_due(office, now=now + dt.timedelta(minutes=14),
                            only={"notify.email"}) == {}
    with office.db.read() as session:
        [job] = session.scalars(select(Job.id).where(Job.kind == "notify.email"))
    assert jobs.run_pending(office, kinds=["notify.email"]) == {job: "done"}
    assert [to for _, to, _ in smtp.received] == [["budi@bawaslu.example.go.id"]]
    later = now + dt.timedelta(minutes=schedule.NOTIFY_EVERY_MINUTES)
    assert schedule.run_due(office, now=later, only={"notify.email"}) == {"notify.email": "ok"}
    jobs.run_pending(office, kinds=["notify.email"])
    assert len(smtp.received) == 1  # nothing new: nothing mailed


def test_inactive_users_and_users_without_an_address_get_no_mail(
        archive: Archive, people: dict[str, Principal], smtp: Inbox, port: int) -> None:
    office = mailing(archive, port)
    letter = register(office, people["loket"])
    route(office, people["loket"], letter.id, "staf1", "staf2")
    set_email(office, staf1="rina@bawaslu.example.go.id", staf2="")
    with office.db.write() as session:
        session.scalar(select(User).where(User.username == "staf1")).active = False
    assert notifications.send_digest(office).users == 0 and smtp.received == []


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://arsip:rahasia%2F1@mail.example.go.id:587?starttls=1&from=arsip@example.go.id",
     ("mail.example.go.id", 587, "arsip", "rahasia/1", False, True, "arsip@example.go.id")),
    ("smtps://arsip%40example.go.id:pw@mail.example.go.id",
     ("mail.example.go.id", 465, "arsip@example.go.id", "pw", True, False,
      "arsip@example.go.id")),
    ("smtp://relay.kantor?from=arsip@example.go.id",
     ("relay.kantor", 25, None, None, False, False, "arsip@example.go.id")),
])
def test_an_smtp_url_names_the_server_the_account_the_tls_and_the_sender(
        url: str, expected: tuple[object, ...]) -> None:
    s = mail.parse_url(url)
    assert (s.host, s.port, s.username, s.password, s.tls, s.starttls, s.sender) == expected
    assert "rahasia" not in repr(s)


@pytest.mark.parametrize(("url", "reason"), [
    ("http://mail.example.go.id?from=a@example.go.id", "smtp:// or smtps://"),
    ("smtp://?from=a@example.go.id", "name the mail server"),
    ("smtp://mail.example.go.id:99999?from=a@example.go.id", "port"),
    ("smtp://mail.example.go.id", "sender's address"),
    ("smtp://mail.example.go.id?from=not-an-address", "sender's address"),
    ("smtp://mail.example.go.id?from=a@example.go.id&starttls=maybe", "starttls"),
    ("smtp://mail.example.go.id?from=a@example.go.id&tls=1", "unknown parameters: tls"),
])
def test_a_malformed_smtp_url_stops_the_start_naming_the_variable_and_not_the_password(
        url: str, reason: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=reason):
        mail.parse_url(url)
    bad = url.replace("//", "//arsip:s3cret@", 1)
    with pytest.raises(SystemExit) as stopped:
        Config.from_env({"EARSIP_SMTP_URL": bad, "EARSIP_INSTANCE_DIR": str(tmp_path)})
    assert "EARSIP_SMTP_URL" in str(stopped.value) and "s3cret" not in str(stopped.value)


def test_an_administrator_sets_a_users_notification_address_and_a_bad_one_is_refused(
        archive: Archive, make_user: Callable[..., str]) -> None:
    from earsip.errors import ValidationError
    from earsip.services.access import users

    make_user("penerima", roles=("staf",))
    with archive.db.read() as session:
        uid = session.scalar(select(User.id).where(User.username == "penerima"))
    view = users.update_user(archive, audit.SYSTEM, uid, full_name="Penerima", roles=["staf"],
                             clearance="biasa", email=" penerima@bawaslu.go.id ")
    assert view.email == "penerima@bawaslu.go.id"
    kept = users.update_user(archive, audit.SYSTEM, uid, full_name="Penerima", roles=["staf"],
                             clearance="biasa")
    assert kept.email == "penerima@bawaslu.go.id"
    with pytest.raises(ValidationError):
        users.update_user(archive, audit.SYSTEM, uid, full_name="Penerima", roles=["staf"],
                          clearance="biasa", email="bukan alamat")
