"""Disposisi: routing a letter, forwarding it along a chain, each recipient's inbox, the
follow-up filed into the archive, and the refusals (oneself, loops, clearance)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from earsip.access import Principal
from earsip.errors import Conflict, Forbidden, NotFound, ValidationError
from earsip.models import Document, LetterDocument
from earsip.schemas.base import parse
from earsip.schemas.desk import DispositionDone, DispositionInput, IncomingLetterOut
from earsip.services import Archive
from earsip.services.desk import dispositions, letters, overview
from earsip.services.desk.filing import Upload
from tests import filegen
from tests.helpers import entries, principal_of
from tests.test_desk_letters import letter_input

TOMORROW = dt.date.today() + dt.timedelta(days=1)


def route(*to: str, instruction: str = "tindak lanjuti",
          due: dt.date | None = TOMORROW) -> DispositionInput:
    return parse(DispositionInput, {"to": list(to), "instruction": instruction,
                                    "due_date": due.isoformat() if due else None})


@pytest.fixture
def people(archive: Archive, make_user: Callable[..., str]) -> dict[str, Principal]:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("kasub", roles=("staf",), clearance="rahasia")
    make_user("staf1", roles=("staf",), clearance="terbatas")
    make_user("staf2", roles=("staf",), clearance="biasa")
    return {name: principal_of(archive, name)
            for name in ("loket", "ketua", "kasub", "staf1", "staf2")}


@pytest.fixture
def letter(archive: Archive, people: dict[str, Principal]) -> IncomingLetterOut:
    return letters.register(archive, people["loket"], letter_input(security="terbatas"))


def test_a_letter_goes_from_the_desk_to_the_head_to_staff_and_is_followed_up(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut,
        tmp_path: Path) -> None:
    [to_head] = dispositions.dispose(archive, people["loket"], letter.id, route("ketua"))
    assert dispositions.inbox(archive, people["ketua"]).items[0].status == "new"
    steps = dispositions.forward(archive, people["ketua"], to_head.id,
                                 route("kasub", "staf1", instruction="pelajari"))
    assert {s.to for s in steps} == {"kasub", "staf1"}
    assert all(s.parent_id == to_head.id for s in steps)
    mine = dispositions.inbox(archive, people["staf1"]).items
    assert [(i.letter_id, i.instruction) for i in mine] == [(letter.id, "pelajari")]
    read = dispositions.mark_read(archive, people["staf1"], mine[0].id)
    assert read.status == "read" and read.read_at is not None
    report = filegen.make_text_pdf(tmp_path / "telaah.pdf", ["Telaah staf atas laporan"])
    done = dispositions.mark_done(archive, people["staf1"], mine[0].id,
                                  parse(DispositionDone, {"note": "Sudah ditelaah"}),
                                  [Upload(report, "telaah.pdf")])
    assert done.status == "done" and len(done.document_ids) == 1
    with archive.db.read() as session:
        doc = session.get(Document, done.document_ids[0])
        link = session.scalar(select(LetterDocument).where(
            LetterDocument.document_id == done.document_ids[0]))
    assert doc is not None and doc.classification_code == "PM.00.02"
    assert doc.security == "terbatas"
    assert link is not None and link.role == "tindak_lanjut" and link.incoming_id == letter.id
    seen = letters.get_letter(archive, people["staf1"], letter.id)
    assert [d.status for d in seen.dispositions] == ["in_progress", "new", "done"]
    assert seen.status == "disposed"
    for who in ("ketua", "kasub"):
        open_step = dispositions.inbox(archive, people[who]).items[0]
        dispositions.mark_done(archive, people[who], open_step.id,
                               parse(DispositionDone, {"note": "selesai"}))
    assert letters.get_letter(archive, people["loket"], letter.id).status == "done"
    assert len(entries(archive, "disposition.create")) == 3
    assert len(entries(archive, "disposition.done")) == 3


@pytest.mark.parametrize(("sender", "to", "message"), [
    ("loket", "loket", "diri sendiri"),
    ("loket", "staf2", "di atas izin akses"),
    ("loket", "tidak_ada", "tidak dikenal"),
])
def test_routing_is_refused_to_oneself_above_clearance_or_to_nobody(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut,
        sender: str, to: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        dispositions.dispose(archive, people[sender], letter.id, route(to))
    assert message in refused.value.message
    assert dispositions.inbox(archive, people["staf2"]).items == []


def test_forwarding_back_up_the_chain_is_refused_as_a_loop(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut) -> None:
    [step] = dispositions.dispose(archive, people["loket"], letter.id, route("ketua"))
    [down] = dispositions.forward(archive, people["ketua"], step.id, route("kasub"))
    for back in ("ketua", "loket"):
        with pytest.raises(ValidationError, match="berputar"):
            dispositions.forward(archive, people["kasub"], down.id, route(back))


def test_staff_cannot_route_from_the_agenda_nor_act_on_someone_elses_step(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut) -> None:
    [step] = dispositions.dispose(archive, people["loket"], letter.id, route("kasub"))
    with pytest.raises(Forbidden):
        dispositions.dispose(archive, people["kasub"], letter.id, route("staf1"))
    with pytest.raises(NotFound):
        dispositions.mark_read(archive, people["staf1"], step.id)
    with pytest.raises(NotFound):  # a letter never routed to them does not exist for them
        letters.get_letter(archive, people["staf1"], letter.id)


def test_an_unread_disposition_is_withdrawn_by_its_sender_but_not_once_read(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut) -> None:
    a, b = dispositions.dispose(archive, people["loket"], letter.id, route("ketua", "kasub"))
    assert dispositions.withdraw(archive, people["loket"], a.id).status == "withdrawn"
    assert dispositions.inbox(archive, people["ketua"]).items == []
    dispositions.mark_read(archive, people["kasub"], b.id)
    with pytest.raises(Conflict):
        dispositions.withdraw(archive, people["loket"], b.id)
    with pytest.raises(NotFound):
        dispositions.withdraw(archive, people["ketua"], b.id)
    with pytest.raises(Forbidden):  # its recipient knows of it, but cannot withdraw it
        dispositions.withdraw(archive, people["kasub"], b.id)


def test_an_overdue_disposition_comes_first_in_the_inbox(
        archive: Archive, people: dict[str, Principal], make_user: Callable[..., str]) -> None:
    old = letters.register(archive, people["loket"], letter_input(subject="Surat lama"))
    new = letters.register(archive, people["loket"], letter_input(subject="Surat baru"))
    dispositions.dispose(archive, people["loket"], old.id, route("kasub"))
    dispositions.dispose(archive, people["loket"], new.id, route("kasub"))
    from earsip.models import Disposition
    with archive.db.write() as session:  # the first one's due date has passed since
        first = session.scalar(select(Disposition).where(Disposition.letter_id == old.id))
        assert first is not None
        first.due_date = dt.date.today() - dt.timedelta(days=2)
    items = dispositions.inbox(archive, people["kasub"]).items
    assert [(i.subject, i.overdue) for i in items] == [("Surat lama", True),
                                                       ("Surat baru", False)]
    assert [i.subject for i in dispositions.inbox(archive, people["kasub"], "overdue").items] \
        == ["Surat lama"]
    assert dispositions.waiting_count(archive, people["kasub"]) == 2


def test_a_due_date_in_the_past_is_refused(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut) -> None:
    with pytest.raises(ValidationError) as refused:
        dispositions.dispose(archive, people["loket"], letter.id,
                             route("ketua", due=dt.date.today() - dt.timedelta(days=1)))
    assert refused.value.field == "due_date"


def test_the_months_count_letters_and_dispositions_done_on_time_within_clearance(
        archive: Archive, people: dict[str, Principal]) -> None:
    first = letters.register(archive, people["loket"], letter_input())
    letters.register(archive, people["loket"], letter_input(security="rahasia"))
    on_time, late = dispositions.dispose(archive, people["loket"], first.id,
                                         route("ketua", "kasub"))
    for step, who in ((on_time, "ketua"), (late, "kasub")):
        dispositions.mark_done(archive, people[who], step.id,
                               parse(DispositionDone, {"note": "selesai"}))
    from earsip.models import Disposition
    with archive.db.write() as session:  # the second was closed after its due date
        row = session.get(Disposition, late.id)
        assert row is not None
        row.due_date = archive.local_today() - dt.timedelta(days=1)
    [*_, now] = overview.monthly(archive, people["ketua"])
    assert (now.incoming, now.done, now.on_time, now.on_time_share) == (2, 2, 1, 50)
    low = dataclasses.replace(people["ketua"], clearance="terbatas")
    assert overview.monthly(archive, low)[-1].incoming == 1  # the rahasia letter is not counted


def test_a_withdrawn_step_no_longer_opens_the_letter_nor_can_it_be_forwarded(
        archive: Archive, people: dict[str, Principal], letter: IncomingLetterOut) -> None:
    [step] = dispositions.dispose(archive, people["loket"], letter.id, route("kasub"))
    assert letters.get_letter(archive, people["kasub"], letter.id).id == letter.id
    dispositions.withdraw(archive, people["loket"], step.id)
    with pytest.raises(NotFound):
        letters.get_letter(archive, people["kasub"], letter.id)
    assert letters.list_letters(archive, people["kasub"], letters.LetterQuery()).total == 0
    with pytest.raises((Conflict, NotFound)):
        dispositions.forward(archive, people["kasub"], step.id, route("staf1"))


def test_opening_the_letter_page_marks_ones_step_read(
        app: Flask, archive: Archive, people: dict[str, Principal],
        letter: IncomingLetterOut) -> None:
    from tests.test_desk_pages import browser

    [step] = dispositions.dispose(archive, people["loket"], letter.id, route("kasub"))
    reader, _ = browser(app, "kasub")
    assert reader.get(f"/letters/incoming/{letter.id}").status_code == 200
    seen = letters.get_letter(archive, people["kasub"], letter.id).dispositions[0]
    assert seen.id == step.id and seen.status == "read" and seen.read_at is not None
    with pytest.raises(Conflict):  # read: its sender can no longer take it back
        dispositions.withdraw(archive, people["loket"], step.id)
