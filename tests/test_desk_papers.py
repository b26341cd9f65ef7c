"""The desk's paper: the lembar disposisi of a routed letter, and the agenda registers exported
as CSV, XLSX and PDF with every row within the reader's clearance and filters."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable

import openpyxl
import pypdf
import pytest
from sqlalchemy import update

from earsip.access import Principal
from earsip.errors import Forbidden, NotFound, ValidationError
from earsip.models import User
from earsip.paperwork_desk import INCOMING_COLUMNS, OUTGOING_COLUMNS
from earsip.paperwork_words import formal_date
from earsip.schemas.base import parse
from earsip.schemas.desk import IncomingLetterOut, NumberRequest
from earsip.services import Archive
from earsip.services.desk import dispositions, letters, outgoing, papers
from tests.helpers import entries, principal_of
from tests.test_desk_dispositions import route
from tests.test_desk_letters import letter_input

FORMULA = '=HYPERLINK("http://contoh.invalid/x","klik")'


@pytest.fixture
def people(archive: Archive, make_user: Callable[..., str]) -> dict[str, Principal]:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("kepala", roles=("pimpinan",), clearance="terbatas")
    make_user("kasub", roles=("staf",), clearance="rahasia")
    make_user("staf1", roles=("staf",), clearance="terbatas")
    with archive.db.write() as session:
        session.execute(update(User).where(User.username == "ketua")
                        .values(full_name="Dr. Ayu Lestari"))
    return {name: principal_of(archive, name)
            for name in ("loket", "ketua", "kepala", "kasub", "staf1")}


def pdf_text(body: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return len(reader.pages), "\n".join(p.extract_text() for p in reader.pages)


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(body: bytes) -> list[list[object]]:
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_the_lembar_disposisi_is_one_page_with_the_steps_made_and_dates_in_words(
        archive: Archive, people: dict[str, Principal]) -> None:
    letter = letters.register(archive, people["loket"], letter_input(
        security="terbatas", subject="Undangan rapat koordinasi pengawasan",
        note="Asli surat disimpan di loket"))
    [to_head] = dispositions.dispose(archive, people["loket"], letter.id, route("ketua"))
    dispositions.forward(archive, people["ketua"], to_head.id,
                         route("kasub", instruction="hadiri dan laporkan"))
    [taken_back] = dispositions.dispose(archive, people["loket"], letter.id,
                                        route("staf1", instruction="arsipkan segera"))
    dispositions.withdraw(archive, people["loket"], taken_back.id)

    body, name = papers.disposition_sheet(archive, people["kasub"], letter.id)

    pages, text = pdf_text(body)
    flat = " ".join(text.split())
    assert body.startswith(b"%PDF") and pages == 1
    assert name == f"lembar-disposisi-{letter.agenda_number.replace('/', '-')}.pdf"
    assert "LEMBAR DISPOSISI" in flat and letter.agenda_number in flat
    assert "Dr. Ayu Lestari" in flat and "kasub" in flat  # full name when known
    assert "tindak lanjuti" in flat and "hadiri dan laporkan" in flat
    assert "arsipkan segera" not in flat  # a withdrawn step is not on the paper
    assert formal_date(archive.local_today()) in flat  # received, in words
    assert formal_date(letter.letter_date) in flat
    assert "Terbatas" in flat and "Segera" in flat and "Asli surat disimpan di loket" in flat
    assert "Undangan rapat koordinasi pengawasan" in flat
    [entry] = entries(archive, "letter.print")
    assert entry.target_id == str(letter.id) and entry.details["steps"] == 2


def test_a_letter_beyond_the_readers_clearance_or_reach_has_no_sheet(
        archive: Archive, people: dict[str, Principal]) -> None:
    secret = letters.register(archive, people["loket"], letter_input(security="rahasia"))
    with pytest.raises(NotFound):
        papers.disposition_sheet(archive, people["kepala"], secret.id)
    plain = letters.register(archive, people["loket"], letter_input())
    with pytest.raises(NotFound):  # never routed to them, and they do not read the agenda
        papers.disposition_sheet(archive, people["staf1"], plain.id)
    assert entries(archive, "letter.print") == []


@pytest.fixture
def agenda(archive: Archive, people: dict[str, Principal],
           monkeypatch: pytest.MonkeyPatch) -> list[IncomingLetterOut]:
    """Four letters the head (terbatas) may see under code PM, one secret, one of KA."""
    monkeypatch.setattr(papers, "PAGE", 2)  # so that an export spans several pages
    desk = people["loket"]
    seen = [letters.register(archive, desk, letter_input(subject=subject))
            for subject in ("Laporan pengawasan kampanye", FORMULA, "Undangan rapat pleno")]
    seen.append(letters.register(archive, desk, letter_input(
        subject="Permintaan data pemilih", security="terbatas")))
    letters.register(archive, desk, letter_input(subject="Laporan rahasia zamrud",
                                                 security="rahasia"))
    letters.register(archive, desk, letter_input(subject="Surat edaran persuratan",
                                                 classification="KA.00"))
    dispositions.dispose(archive, desk, seen[0].id, route("kepala"))
    return seen


def test_the_incoming_register_holds_every_row_within_clearance_and_filters(
        archive: Archive, people: dict[str, Principal], agenda: list[IncomingLetterOut]) -> None:
    head, query = people["kepala"], letters.LetterQuery(classification="PM", limit=1)
    agendas = [a.agenda_number for a in agenda]

    body, name = papers.export_incoming(archive, head, query, "csv")
    rows = csv_rows(body)
    assert name.startswith("agenda-surat-masuk-") and name.endswith(".csv")
    assert rows[0] == list(INCOMING_COLUMNS)
    assert [r[1] for r in rows[1:]] == agendas and [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]
    assert rows[1][4] == formal_date(agenda[0].letter_date)
    assert rows[1][9] == "didisposisikan kepada kepala; menunggu pindaian"
    assert rows[4][8] == "Segera, Terbatas"

    body = papers.export_incoming(archive, head, query, "xlsx")[0]
    table = xlsx_rows(body)
    assert [r[1] for r in table[1:]] == agendas
    assert table[1][4] == dt.datetime.combine(agenda[0].letter_date, dt.time())
    assert isinstance(table[1][2], dt.datetime)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    assert sheet is not None  # dates shown in Indonesian whatever the program's language
    assert sheet["E2"].number_format == "[$-421]d mmmm yyyy"
    assert sheet["C2"].number_format == '[$-421]d mmmm yyyy hh:mm "WIB"'

    body, _ = papers.export_incoming(archive, head, query, "pdf")
    pages, text = pdf_text(body)
    flat = " ".join(text.split())
    assert "AGENDA SURAT MASUK" in flat and "Periode: semua tanggal" in flat
    assert "Saringan: kode PM" in flat
    assert all(a in flat for a in agendas) and "Jumlah: 4 (empat) surat" in flat
    assert "zamrud" not in flat and "edaran" not in flat
    assert f"Halaman {pages} dari {pages}" in flat

    narrow = papers.export_incoming(archive, head, letters.LetterQuery(q="pleno"), "csv")[0]
    assert [r[6] for r in csv_rows(narrow)[1:]] == ["Undangan rapat pleno"]
    exports = entries(archive, "letter.export")
    assert [e.details["rows"] for e in exports] == [4, 4, 4, 1]
    assert exports[0].details["filters"] == {"classification": "PM"}


def test_a_formula_looking_subject_is_shown_never_evaluated(
        archive: Archive, people: dict[str, Principal], agenda: list[IncomingLetterOut]) -> None:
    query = letters.LetterQuery(q="HYPERLINK")
    rows = csv_rows(papers.export_incoming(archive, people["loket"], query, "csv")[0])
    assert [r[6] for r in rows[1:]] == ["'" + FORMULA]
    body = papers.export_incoming(archive, people["loket"], query, "xlsx")[0]
    cell = openpyxl.load_workbook(io.BytesIO(body)).active["G2"]  # type: ignore[index]  # openpyxl types `active` as possibly a chartsheet
    assert cell.value == "'" + FORMULA and cell.data_type == "s"


def test_the_outgoing_register_lists_the_numbers_within_clearance_oldest_first(
        archive: Archive, people: dict[str, Principal],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(papers, "PAGE", 2)
    today = archive.local_today()

    def issue(subject: str, **more: object) -> str:
        values = {"classification": "KA.00", "letter_date": today.isoformat(),
                  "signatory": "sekretariat", "subject": subject, **more}
        return outgoing.issue_number(archive, people["loket"],
                                     parse(NumberRequest, values)).number

    numbers = [issue("Undangan rapat"), issue("Pemberitahuan", recipient="KPU Kota"),
               issue("Permohonan data", reserve=True)]
    issue("Nota rahasia zamrud", security="rahasia")
    body, name = papers.export_outgoing(archive, people["kepala"], outgoing.NumberQuery(), "csv")
    rows = csv_rows(body)
    assert rows[0] == list(OUTGOING_COLUMNS) and name.endswith(".csv")
    assert [r[1] for r in rows[1:]] == numbers
    assert rows[2][2:5] == [formal_date(today), "Pemberitahuan", "KPU Kota"]
    assert [r[7] for r in rows[1:]] == ["menunggu surat", "menunggu surat", "dipesan"]
    table = xlsx_rows(papers.export_outgoing(archive, people["kepala"],
                                             outgoing.NumberQuery(), "xlsx")[0])
    assert [r[1] for r in table[1:]] == numbers
    pages, text = pdf_text(papers.export_outgoing(
        archive, people["kepala"], outgoing.NumberQuery(date_from=today, date_to=today),
        "pdf")[0])
    flat = " ".join(text.split())
    assert "AGENDA SURAT KELUAR" in flat and all(n in flat for n in numbers)
    assert f"Periode: {formal_date(today)} s.d. {formal_date(today)}" in flat
    assert "zamrud" not in flat


def test_an_unknown_format_is_refused_and_staff_do_not_export_the_agenda(
        archive: Archive, people: dict[str, Principal]) -> None:
    with pytest.raises(ValidationError, match="csv, xlsx, pdf"):
        papers.export_incoming(archive, people["loket"], letters.LetterQuery(), "docx")
    with pytest.raises(Forbidden):
        papers.export_incoming(archive, people["staf1"], letters.LetterQuery(), "csv")
    with pytest.raises(Forbidden):
        papers.export_outgoing(archive, people["staf1"], outgoing.NumberQuery(), "pdf")
    assert entries(archive, "letter.export") == []
