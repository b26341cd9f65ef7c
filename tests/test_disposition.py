"""Destruction (pemusnahan): list, review, four eyes, holds, execution and the berita acara."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict
from pathlib import Path

import pytest
from pypdf import PdfReader

from earsip import audit
from earsip.access import Principal
from earsip.errors import (
    Conflict,
    Forbidden,
    Gone,
    NotDisposable,
    NotFound,
    OnHold,
    ValidationError,
)
from earsip.models import DisposalList, Document, DocumentText, User
from earsip.schemas.documents import DocumentEdit
from earsip.schemas.retention import (
    Cancellation,
    DisposalApproval,
    DisposalProposal,
    HoldInput,
    HoldLift,
    ItemRemoval,
)
from earsip.schemas.scheme import SchemeRow
from earsip.services import Archive
from earsip.services.access import users
from earsip.services.records import documents as document_service
from earsip.services.retention import destruction as disposition
from earsip.services.retention import destruction_execution, holds
from earsip.services.retention import destruction_papers as papers
from earsip.services.retention import destruction_views as views
from earsip.services.search import indexing
from earsip.services.search import searching as search_service
from tests.approvers import WAIT, make_approver
from tests.conftest import USER_PASSWORD as PW
from tests.helpers import DECIDED, entries, execution, file_doc, principal_of

UNITS = ["", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan"]


def year_in_words(year: int) -> str:
    """Return a year of 2000-2099 in Indonesian words, as a berita acara writes it."""
    n = year - 2000
    assert 0 <= n < 100
    if n < 10:
        rest = UNITS[n]
    elif n == 10:
        rest = "sepuluh"
    elif n == 11:
        rest = "sebelas"
    elif n < 20:
        rest = f"{UNITS[n - 10]} belas"
    else:
        rest = f"{UNITS[n // 10]} puluh {UNITS[n % 10]}"
    return f"dua ribu {rest}".strip()


@pytest.fixture
def people(archive: Archive, make_user) -> dict[str, Principal]:
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    make_approver(archive, "ketua")
    make_approver(archive, "ketua2", roles=("pimpinan", "arsiparis"))
    return {n: principal_of(archive, n) for n in ("arsip1", "ketua", "ketua2")}


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


def search_ids(archive: Archive, who: Principal, q: str) -> list[int]:
    params = search_service.parse_params({"q": q})
    return [r.id for r in search_service.search(archive, who, params).results]


def test_the_whole_procedure_destroys_the_content_keeps_the_tombstone_and_files_the_papers(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    officer, leader = people["arsip1"], people["ketua"]
    gone = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01",
                    text="undangan rapat zamrudkhatulistiwa pleno kecubungungu",
                    title="Undangan rapat pleno")
    kept = file_doc(archive, docs_dir, code="KA.00", date="2019-04-01",
                    text="nota dinas safirbiru anggaran", title="Nota dinas anggaran")
    with archive.db.read() as session:
        path = archive.store.path_of(session.get(Document, gone).storage_path)
        original = path.read_bytes()
    assert search_ids(archive, officer, "zamrudkhatulistiwa") == [gone]
    document_service.preview_file(archive, officer, gone)
    with archive.db.read() as session:
        sha = session.get(Document, gone).sha256
    preview = document_service.preview_cache_path(archive, sha)
    assert preview.exists()

    assert [c.id for c in views.candidates(archive, officer)] == [gone, kept]
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[gone, kept],
                                                                     note="Usul tahun 2026"))
    view = views.get_list(archive, officer, list_id)
    assert view.number.startswith("DAUM/") and view.status == "submitted"
    kept_item = next(i for i in view.items if i.document_id == kept)
    assert kept_item.code == "KA.00" and kept_item.period == "2019"
    assert kept_item.development == "Asli" and kept_item.media == "Elektronik (PDF)"
    disposition.remove_item(archive, leader, list_id, kept_item.id,
                            ItemRemoval(reason="Masih dipakai untuk pemeriksaan"))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-15/HK.01.01/2026",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    done = destruction_execution.execute(archive, officer, list_id, execution())
    assert done.destroyed == [gone]

    # The content is unrecoverable from the upload folder, the previews and the index.
    assert not path.exists() and not preview.exists()
    for stored in archive.config.upload_dir.rglob("*"):
        if stored.is_file():
            assert stored.read_bytes() != original
    for part in archive.config.index_dir.rglob("*"):
        if part.is_file():
            assert b"zamrudkhatulistiwa" not in part.read_bytes(), part
    assert search_ids(archive, officer, "zamrudkhatulistiwa") == []
    # Nor from the database files (a word never searched, so no audit entry holds it).
    if archive.db.is_sqlite:
        database = Path(archive.config.database_url.split("///", 1)[1])
        for part in (database, database.with_name(database.name + "-wal")):
            if part.exists():
                assert b"kecubungungu" not in part.read_bytes(), part
    assert search_ids(archive, officer, "safirbiru") == [kept]
    with archive.db.read() as session:
        assert session.get(DocumentText, gone) is None
    # The index still matches the database: a restart does not rebuild it.
    assert indexing.index_matches_database(archive)
    # The tombstone stays, saying when, under which berita acara and by whose decision.
    tomb = document_service.describe(archive, officer, gone)
    assert tomb.title == "Undangan rapat pleno"
    assert tomb.disposition is not None
    assert tomb.disposition.status == "destroyed"
    assert tomb.disposition.berita_acara == "BA-01/KA.01.04/2026"
    assert tomb.disposition.approved_by == "ketua"
    assert tomb.disposition.approval_reference == "KEP-15/HK.01.01/2026"
    with pytest.raises(Gone):
        document_service.open_file(archive, officer, gone)
    # The berita acara and the list are filed as permanent records under KA.01.04.
    ba = document_service.describe(archive, officer, done.berita_acara_document_id)
    assert ba.classification.code == "KA.01.04"
    assert ba.retention.final_fate == "permanen"
    handle = document_service.open_file(archive, officer, done.berita_acara_document_id)
    text = " ".join(p.extract_text() for p in PdfReader(handle.path).pages)
    for expected in ("BA-01/KA.01.04/2026", "KEP-15/HK.01.01/2026", "Budi Santoso",
                     "Dewi Lestari", "Undangan rapat pleno", "KA.00"):
        assert expected in text, expected
    # The day in words, in the office's time zone (ahead of UTC: maybe tomorrow's year).
    years = {(dt.date.today() + dt.timedelta(days=d)).year for d in (0, 1)}
    assert any(f"tahun {year_in_words(y)}" in " ".join(text.split()) for y in years), text
    assert "Nota dinas anggaran" not in text
    listed = document_service.open_file(archive, officer, done.list_document_id)
    assert "Undangan rapat pleno" in PdfReader(listed.path).pages[0].extract_text()
    # Every step is one audit entry.
    for action in ("disposal.propose", "disposal.review", "disposal.approve",
                   "disposal.execute"):
        assert len(entries(archive, action)) == 1, action
    [executed] = entries(archive, "disposal.execute")
    assert executed.details["document_ids"] == [gone]
    assert len(executed.details["witnesses"]) == 2


def test_the_proposer_may_not_approve_and_the_refusal_is_audited(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    both = people["ketua2"]  # pimpinan and arsiparis
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, both, DisposalProposal(document_ids=[doc]))
    with pytest.raises(Forbidden):
        disposition.approve(archive, both, list_id, DisposalApproval(reference="KEP-1",
                                                                     decision_date=DECIDED,
                                                                     password=PW))
    [refused] = entries(archive, "disposal.approve")
    assert refused.outcome == "refused" and refused.actor_name == "ketua2"
    assert views.get_list(archive, both, list_id).status == "submitted"
    disposition.approve(archive, people["ketua"], list_id, DisposalApproval(reference="KEP-1",
                                                                            decision_date=DECIDED,
                                                                            password=PW))
    assert views.get_list(archive, both, list_id).status == "approved"


def test_a_hold_blocks_proposing_approving_and_destroying(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    hold = holds.place_hold(archive, officer, HoldInput(reference="Sengketa 7/2026", reason="uji",
                                                        document_ids=[doc]))
    with pytest.raises(OnHold):
        disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    assert [c.on_hold for c in views.candidates(archive, officer)] == [True]
    holds.lift_hold(archive, officer, hold.id, HoldLift(reason="selesai"))
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))

    code_hold = holds.place_hold(archive, officer, HoldInput(reference="Audit BPK", reason="uji",
                                                             classification_code="KA"))
    with pytest.raises(OnHold):
        disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-2",
                                                                       decision_date=DECIDED,
                                                                       password=PW))
    holds.lift_hold(archive, officer, code_hold.id, HoldLift(reason="selesai"))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-2",
                                                                   decision_date=DECIDED,
                                                                   password=PW))

    late = holds.place_hold(archive, officer, HoldInput(reference="Gugatan", reason="uji",
                                                        document_ids=[doc]))
    with pytest.raises(OnHold):
        destruction_execution.execute(archive, officer, list_id, execution())
    with archive.db.read() as session:
        stored = session.get(Document, doc)
        assert stored.disposition is None
        assert archive.store.path_of(stored.storage_path).exists()
    holds.lift_hold(archive, officer, late.id, HoldLift(reason="dicabut"))
    assert destruction_execution.execute(archive, officer, list_id, execution()).destroyed == [doc]


def test_only_due_musnah_records_can_be_proposed_once(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    officer = people["arsip1"]
    young = file_doc(archive, docs_dir, code="KA.00")  # filed a month ago
    permanent = file_doc(archive, docs_dir, code="KU.00.00", date="2010-01-01")
    due = file_doc(archive, docs_dir, code="KA.00", date="2019-01-01")
    for doc in (young, permanent):
        with pytest.raises(NotDisposable):
            disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    disposition.propose(archive, officer, DisposalProposal(document_ids=[due]))
    with pytest.raises(NotDisposable):
        disposition.propose(archive, officer, DisposalProposal(document_ids=[due]))
    with pytest.raises(ValidationError):
        disposition.propose(archive, officer, DisposalProposal(document_ids=[]))
    with pytest.raises(Forbidden):
        disposition.propose(archive, people["ketua"], DisposalProposal(document_ids=[due]))


def test_execution_needs_approval_two_witnesses_and_the_right_role(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    with pytest.raises(Conflict):
        destruction_execution.execute(archive, officer, list_id, execution())
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-3",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    with pytest.raises(ValidationError):
        destruction_execution.execute(archive, officer, list_id,
                            execution(witnesses=[{"name": "Budi", "position": "Staf"}]))
    with pytest.raises(ValidationError):
        destruction_execution.execute(archive, officer, list_id, execution(
            witnesses=[{"name": "Budi", "position": "Staf"}, {"name": "budi", "position": "Staf"}]))
    with pytest.raises(Forbidden):
        destruction_execution.execute(archive, leader, list_id, execution())
    with pytest.raises(ValidationError):
        DisposalApproval(reference="KEP-4", password=PW,
                         decision_date=dt.date.today() + dt.timedelta(days=1))
    assert entries(archive, "disposal.execute") == []


def test_a_list_with_a_record_above_clearance_is_invisible_to_lower_clearances(
        archive: Archive, docs_dir: Path, people: dict[str, Principal],
        make_user) -> None:
    secret = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01", security="rahasia")
    list_id = disposition.propose(archive, people["arsip1"],
                                  DisposalProposal(document_ids=[secret]))
    make_user("pim-rendah", roles=("pimpinan",), clearance="terbatas")
    low = principal_of(archive, "pim-rendah")
    with pytest.raises(NotFound):
        views.get_list(archive, low, list_id)
    assert views.list_lists(archive, low) == []
    with pytest.raises(NotFound):
        disposition.approve(archive, low, list_id, DisposalApproval(reference="K",
                                                                    decision_date=DECIDED,
                                                                    password=PW))


def test_an_interrupted_execution_is_finished_by_running_it_again(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-5",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    # The tombstones commit first; a crash right after leaves the file and no papers.
    form = destruction_execution._completed(execution(), "Mojokerto")
    destruction_execution._destroy_records(archive, officer, list_id, form, None)
    with archive.db.read() as session:
        path = archive.store.path_of(session.get(Document, doc).storage_path)
        assert session.get(DisposalList, list_id).berita_acara_document_id is None
    assert path.exists()
    done = destruction_execution.execute(archive, officer, list_id, None)
    assert not path.exists() and done.berita_acara_document_id is not None
    again = destruction_execution.execute(archive, officer, list_id, None)
    assert again.berita_acara_document_id == done.berita_acara_document_id
    assert len(entries(archive, "disposal.execute")) == 1


def test_a_tombstone_cannot_be_edited_and_the_list_pdf_reads_back(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    from earsip.services.records.editing import edit_document

    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01", title="Surat <b>tebal</b>")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    body, name = papers.list_pdf(archive, officer, list_id)
    assert name.startswith("DAUM-") and name.endswith(".pdf")
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "Surat <b>tebal</b>" in text and "KA.00" in text
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-6",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    destruction_execution.execute(archive, officer, list_id, execution())
    with pytest.raises(Conflict):
        edit_document(archive, officer, doc, DocumentEdit(title="baru"))
    with pytest.raises(Conflict):
        disposition.cancel(archive, officer, list_id, Cancellation(reason="terlambat"))


def test_the_papers_of_a_secret_destruction_are_filed_at_the_secret_class(
        archive: Archive, docs_dir: Path, people: dict[str, Principal],
        make_user) -> None:
    officer, leader = people["arsip1"], people["ketua"]
    secret = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01", security="rahasia",
                      title="Rahasia sengketa X")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[secret]))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-7",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    done = destruction_execution.execute(archive, officer, list_id, execution())
    for paper in (done.berita_acara_document_id, done.list_document_id):
        assert document_service.describe(archive, officer, paper).security == "rahasia"
    make_user("staf-biasa", roles=("staf",), clearance="biasa")
    low = principal_of(archive, "staf-biasa")
    with pytest.raises(NotFound):
        document_service.open_file(archive, low, done.berita_acara_document_id)


def test_a_record_no_longer_due_at_execution_is_refused_and_nothing_is_destroyed(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    from earsip.services.records.editing import edit_document

    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-8",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    edit_document(archive, officer, doc, DocumentEdit(classification="KU.00.00"))  # now permanen
    with pytest.raises(NotDisposable):
        destruction_execution.execute(archive, officer, list_id, execution())
    with archive.db.read() as session:
        stored = session.get(Document, doc)
        assert stored.disposition is None
        assert archive.store.path_of(stored.storage_path).exists()


def test_an_unusable_disposal_code_stops_the_execution_before_anything_is_destroyed(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    from dataclasses import replace

    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-9",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    broken = replace(archive, config=replace(archive.config, disposal_code="ZZ.99"))
    with pytest.raises(ValidationError):
        destruction_execution.execute(broken, officer, list_id, execution())
    assert views.get_list(archive, officer, list_id).status == "approved"
    with archive.db.read() as session:
        assert session.get(Document, doc).disposition is None


def test_a_destroyed_record_download_is_one_failed_entry_and_rules_leave_tombstones_alone(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    from earsip.audit import SYSTEM
    from earsip.services.records import scheme

    officer, leader = people["arsip1"], people["ketua"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-10",
                                                                   decision_date=DECIDED,
                                                                   password=PW))
    destruction_execution.execute(archive, officer, list_id, execution())
    with pytest.raises(Gone):
        document_service.open_file(archive, officer, doc)
    downloads = entries(archive, "document.download")
    assert [(e.target_id, e.outcome) for e in downloads if e.target_id == str(doc)] == [
        (str(doc), "failure")]
    with archive.db.read() as session:
        before = session.get(Document, doc).inactive_until
    code = scheme.get_code(archive, "KA.00")
    fields = {k: "" if v is None else str(v) for k, v in asdict(code.own).items()
              if k != "retired"}
    scheme.update_code(archive, SYSTEM, SchemeRow.model_validate(
        {**fields, "code": "KA.00", "inactive_years": "9"}), retired=False)
    with archive.db.read() as session:
        assert session.get(Document, doc).inactive_until == before


def test_a_step_refused_by_a_hold_is_audited(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    officer = people["arsip1"]
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    holds.place_hold(archive, officer, HoldInput(reference="R-9", reason="uji", document_ids=[doc]))
    with pytest.raises(OnHold):
        disposition.propose(archive, officer, DisposalProposal(document_ids=[doc]))
    [refused] = entries(archive, "disposal.propose")
    assert refused.outcome == "refused" and refused.details["document_ids"] == [doc]


def _refusal_of(archive: Archive, who: Principal, list_id: int) -> str:
    with pytest.raises(Forbidden) as refused:
        disposition.approve(archive, who, list_id, DisposalApproval(reference="KEP-11",
                                                                    decision_date=DECIDED,
                                                                    password=PW))
    assert views.get_list(archive, who, list_id).status == "submitted"
    return str(refused.value.extra["reason"])


def test_an_approver_must_have_chosen_their_own_password(
        archive: Archive, docs_dir: Path, people: dict[str, Principal],
        make_user) -> None:
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, people["arsip1"], DisposalProposal(document_ids=[doc]))
    # A password someone else set (an operator at the console, an administrator's temporary
    # one) does not make an approver, however old the account.
    make_user("ketua-konsol", roles=("pimpinan",), clearance="sangat_rahasia")
    console = principal_of(archive, "ketua-konsol")
    with archive.db.write() as session:
        row = session.get(User, console.id)
        row.created_at -= dt.timedelta(days=30)
    assert _refusal_of(archive, console, list_id) == "temporary_password"
    reset = make_approver(archive, "ketua-reset")
    users.reset_password(archive, audit.SYSTEM, reset.id, "temporary-pass-456")
    assert _refusal_of(archive, principal_of(archive, "ketua-reset"), list_id) == \
        "temporary_password"
    refused = [e for e in entries(archive, "disposal.approve") if e.outcome == "refused"]
    assert [e.details["reason"] for e in refused] == [
        "separation of duties: temporary_password"] * 2
    disposition.approve(archive, people["ketua"], list_id, DisposalApproval(reference="KEP-12",
                                                                            decision_date=DECIDED,
                                                                            password=PW))


def test_an_account_the_proposer_created_or_reset_never_approves_their_list(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    admin = principal_of(archive, "admin")  # admin and arsiparis, as `earsip init` makes it
    made = make_approver(archive, "ketua-buatan", created_by=admin.actor())
    other = make_approver(archive, "ketua-lain")
    users.reset_password(archive, admin.actor(), other.id, "temporary-pass-456")
    users.change_password(archive, other, "temporary-pass-456", "chosen-again-789", None)
    with archive.db.write() as session:  # long ago: only who did it matters here
        for entry_user in (made.id, other.id):
            session.get(User, entry_user).created_at -= dt.timedelta(days=60)
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, admin, DisposalProposal(document_ids=[doc]))
    assert _refusal_of(archive, made, list_id) == "made_by_proposer"
    assert _refusal_of(archive, other, list_id) == "made_by_proposer"
    # A leader whose account the proposer never managed approves it.
    disposition.approve(archive, people["ketua"], list_id, DisposalApproval(reference="KEP-13",
                                                                            decision_date=DECIDED,
                                                                            password=PW))


def test_a_new_account_a_fresh_reset_or_a_new_leader_waits_out_the_period(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, people["arsip1"], DisposalProposal(document_ids=[doc]))
    new = make_approver(archive, "ketua-baru", age=None)
    assert _refusal_of(archive, new, list_id) == "waiting_period"
    with archive.db.write() as session:
        session.get(User, new.id).created_at -= WAIT - dt.timedelta(hours=1)
    assert _refusal_of(archive, new, list_id) == "waiting_period"
    # Made a leader yesterday (an old staff account): the period counts from the role.
    staff = make_approver(archive, "staf-lama", roles=("staf",))
    users.update_user(archive, audit.SYSTEM, staff.id, full_name=None, roles=["pimpinan"],
                      clearance="sangat_rahasia")
    assert _refusal_of(archive, principal_of(archive, "staf-lama"), list_id) == \
        "waiting_period"
    with archive.db.write() as session:
        session.get(User, new.id).created_at -= dt.timedelta(hours=2)
    disposition.approve(archive, principal_of(archive, "ketua-baru"), list_id,
                        DisposalApproval(reference="KEP-14", decision_date=DECIDED, password=PW))


def test_approval_asks_for_the_password_again_and_a_wrong_one_is_refused_and_audited(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    list_id = disposition.propose(archive, people["arsip1"], DisposalProposal(document_ids=[doc]))
    for wrong in (None, "", "not-my-password"):
        with pytest.raises(Forbidden) as refused:
            disposition.approve(archive, people["ketua"], list_id,
                                DisposalApproval(reference="KEP-15", decision_date=DECIDED,
                                                 password=wrong))
        assert refused.value.field == "password"
    assert [e.details["reason"] for e in entries(archive, "disposal.approve")] == [
        "wrong password"] * 3
    assert views.get_list(archive, people["ketua"], list_id).status == "submitted"
    disposition.approve(archive, people["ketua"], list_id, DisposalApproval(reference="KEP-15",
                                                                            decision_date=DECIDED,
                                                                            password=PW))
    assert views.get_list(archive, people["ketua"], list_id).status == "approved"


def test_every_leader_is_told_of_a_list_awaiting_approval_within_clearance(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    secret = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01", security="rahasia")
    plain = file_doc(archive, docs_dir, code="KA.00", date="2019-04-01")
    secret_list = disposition.propose(archive, people["arsip1"],
                                      DisposalProposal(document_ids=[secret]))
    plain_list = disposition.propose(archive, people["arsip1"],
                                     DisposalProposal(document_ids=[plain]))
    low = make_approver(archive, "ketua-rendah", clearance="terbatas")
    assert [a.id for a in views.awaiting_approval(archive, people["ketua"])] == [
        secret_list, plain_list]
    assert [a.id for a in views.awaiting_approval(archive, low)] == [plain_list]
    assert views.awaiting_approval(archive, people["arsip1"]) == []


def test_reading_a_list_or_the_candidates_is_audited(
        archive: Archive, docs_dir: Path, people: dict[str, Principal]) -> None:
    doc = file_doc(archive, docs_dir, code="KA.00", date="2019-03-01")
    views.candidates(archive, people["arsip1"], client_addr="10.0.0.7")
    [shown] = entries(archive, "disposal.candidates")
    assert shown.details["document_ids"] == [doc] and shown.client_addr == "10.0.0.7"
    list_id = disposition.propose(archive, people["arsip1"], DisposalProposal(document_ids=[doc]))
    views.view_list(archive, people["ketua"], list_id)
    [viewed] = entries(archive, "disposal.view")
    assert viewed.actor_name == "ketua" and viewed.target_id == str(list_id)
    assert viewed.details["document_ids"] == [doc]
