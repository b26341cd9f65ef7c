"""The retention run, the retention reports and legal holds, on a real archive."""

from __future__ import annotations

import calendar
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.errors import Conflict, Forbidden, NotFound, ValidationError
from earsip.models import Document
from earsip.schemas.documents import DocumentEdit
from earsip.schemas.retention import HoldInput, HoldLift
from earsip.services import Archive
from earsip.services.records.editing import edit_document
from earsip.services.retention import cycle as service
from earsip.services.retention import holds
from tests.helpers import RECENT, entries, file_doc, principal_of

OFFICER = Principal(1, "admin", frozenset({"admin", "arsiparis"}), "sangat_rahasia")
READER = Principal(50, "auditor1", frozenset({"auditor"}), "biasa")


def next_29_february() -> dt.date:
    """Return the first 29 February after today (so a record of that day is still aktif)."""
    year = dt.date.today().year + 1
    while not calendar.isleap(year):
        year += 1
    return dt.date(year, 2, 29)


def years_after(day: dt.date, years: int, month: int, dom: int) -> dt.date:
    return dt.date(day.year + years, month, dom)


def phase_of(archive: Archive, doc_id: int) -> str:
    with archive.db.read() as session:
        return session.get(Document, doc_id).phase


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


def test_a_record_dated_29_february_moves_on_28_february_of_common_years_and_not_a_day_before(
        archive: Archive, docs_dir: Path) -> None:
    # KA.00: 2 years active, 3 inactive, then musnah. Filed before its day, so it starts aktif.
    leap = next_29_february()
    doc = file_doc(archive, docs_dir, code="KA.00", date=leap.isoformat())
    assert phase_of(archive, doc) == "aktif"
    assert service.run(archive, SYSTEM, as_of=years_after(leap, 2, 2, 27)).total == 0
    assert phase_of(archive, doc) == "aktif"
    moved = service.run(archive, SYSTEM, as_of=years_after(leap, 2, 2, 28))
    assert moved.moved == {"aktif>inaktif": [doc]}
    assert phase_of(archive, doc) == "inaktif"
    assert service.run(archive, SYSTEM, as_of=years_after(leap, 5, 2, 27)).total == 0
    assert service.run(archive, SYSTEM, as_of=years_after(leap, 5, 2, 28)).moved == {
        "inaktif>usul_musnah": [doc]}
    assert phase_of(archive, doc) == "usul_musnah"


def test_the_run_is_idempotent_and_each_run_is_audited_once(
        archive: Archive, docs_dir: Path) -> None:
    a = file_doc(archive, docs_dir, code="KA.00")  # filed aktif
    b = file_doc(archive, docs_dir, code="KU.00.00")  # permanen, 3 + 7
    later = RECENT.replace(year=RECENT.year + 12, day=1)
    first = service.run(archive, SYSTEM, as_of=later)
    assert first.moved == {"aktif>usul_musnah": [a], "aktif>permanen": [b]}
    again = service.run(archive, SYSTEM, as_of=later)
    assert again.total == 0
    runs = entries(archive, "retention.run")
    assert [r.details["moved"] for r in runs] == [
        {"aktif>usul_musnah": 1, "aktif>permanen": 1}, {}]
    assert runs[0].details["document_ids"]["aktif>permanen"] == [b]


def test_the_run_never_moves_a_document_backwards(archive: Archive, docs_dir: Path) -> None:
    doc = file_doc(archive, docs_dir, code="KA.00")  # filed aktif; inaktif after 2 years
    inactive = RECENT.replace(year=RECENT.year + 3, day=1)
    assert service.run(archive, SYSTEM, as_of=inactive).moved == {"aktif>inaktif": [doc]}
    assert service.run(archive, SYSTEM, as_of=RECENT.replace(year=RECENT.year + 1,
                                                              day=1)).total == 0
    assert phase_of(archive, doc) == "inaktif"


def test_an_event_triggered_record_waits_for_its_event_and_says_why(
        archive: Archive, docs_dir: Path) -> None:
    # PP.00.02: 2 years after the final decision, 8 inactive, permanen.
    doc = file_doc(archive, docs_dir, code="PP.00.02", date="2020-01-10")
    assert service.run(archive, SYSTEM, as_of=dt.date(2100, 1, 1)).total == 0
    waiting = service.report(archive, OFFICER, "awaiting")
    [row] = waiting.results
    assert row.id == doc and row.due_on is None and "belum diisi" in row.note
    # An event a month ago: the record is aktif for two years from it, then 8 inactive.
    event = RECENT.replace(day=1)
    edit_document(archive, OFFICER, doc, DocumentEdit(trigger_date=event.isoformat()))
    assert service.report(archive, OFFICER, "awaiting").results == []
    with archive.db.read() as session:
        stored = session.get(Document, doc)
        assert (stored.active_until, stored.inactive_until) == (
            event.replace(year=event.year + 2), event.replace(year=event.year + 10))
    assert service.run(archive, SYSTEM, as_of=event.replace(year=event.year + 10)).moved == {
        "aktif>permanen": [doc]}


def test_the_due_report_lists_records_whose_retention_has_ended_within_clearance(
        archive: Archive, docs_dir: Path) -> None:
    due = file_doc(archive, docs_dir, code="KA.00", date="2020-01-01")  # ended 2025-01-01
    secret = file_doc(archive, docs_dir, code="KA.00", date="2020-01-02", security="rahasia")
    file_doc(archive, docs_dir, code="KA.00", date="2025-01-01")  # ends 2030
    as_of = dt.date(2026, 11, 30)
    assert [r.id for r in service.report(archive, OFFICER, "due", as_of=as_of).results] == [
        due, secret]
    seen = service.report(archive, READER, "due", as_of=as_of)
    assert [r.id for r in seen.results] == [due]
    assert seen.results[0].next_phase == "usul_musnah"
    assert seen.results[0].due_on == dt.date(2025, 1, 1)


def test_the_upcoming_report_covers_the_next_months_exactly(
        archive: Archive, docs_dir: Path) -> None:
    inside = file_doc(archive, docs_dir, code="KA.00", date="2025-03-31")  # inaktif 2027-03-31
    edge = file_doc(archive, docs_dir, code="KA.00", date="2025-05-31")  # 2027-05-31
    outside = file_doc(archive, docs_dir, code="KA.00", date="2025-07-01")  # 2027-07-01
    report = service.report(archive, OFFICER, "upcoming", months=6, as_of=dt.date(2026, 11, 30))
    assert report.until == dt.date(2027, 5, 30)
    ids = [r.id for r in report.results]
    assert inside in ids and edge not in ids and outside not in ids
    wider = service.report(archive, OFFICER, "upcoming", months=7, as_of=dt.date(2026, 11, 30))
    assert edge in [r.id for r in wider.results] and outside not in [r.id for r in wider.results]
    assert wider.results[0].next_phase == "inaktif"


def test_reports_refuse_unknown_kinds_bad_windows_and_readers_without_the_right(
        archive: Archive) -> None:
    with pytest.raises(ValidationError):
        service.report(archive, OFFICER, "everything")
    with pytest.raises(ValidationError):
        service.report(archive, OFFICER, "upcoming", months=0)
    staff = Principal(60, "staf1", frozenset({"staf"}), "sangat_rahasia")
    with pytest.raises(Forbidden):
        service.report(archive, staff, "due")


def test_report_exports_neutralise_formulas_and_are_audited(
        archive: Archive, docs_dir: Path) -> None:
    file_doc(archive, docs_dir, code="KA.00", date="2020-01-01", title="=HYPERLINK(\"x\")")
    body, name = service.export_report(archive, OFFICER, "due", "xlsx",
                                       as_of=dt.date(2026, 11, 30))
    assert name == "retensi-due-2026-11-30.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    titles = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ["'=HYPERLINK(\"x\")"]
    csv_body, _ = service.export_report(archive, OFFICER, "due", "csv",
                                        as_of=dt.date(2026, 11, 30))
    assert "'=HYPERLINK" in csv_body.decode("utf-8-sig")
    exports = entries(archive, "retention.export")
    assert [(e.details["format"], e.details["rows"]) for e in exports] == [("xlsx", 1),
                                                                         ("csv", 1)]


def test_a_hold_on_a_code_covers_its_sub_codes_and_later_filings_until_lifted(
        archive: Archive, docs_dir: Path) -> None:
    under = file_doc(archive, docs_dir, code="PM.00.02", date="2020-01-01")
    other = file_doc(archive, docs_dir, code="KA.00", date="2020-01-01")
    hold = holds.place_hold(archive, OFFICER, HoldInput(reference="Reg. 12/PS/2026",
                                                        reason="Sengketa",
                                                        classification_code="PM"))
    later = file_doc(archive, docs_dir, code="PM.00.02", date="2021-01-01")
    with archive.db.read() as session:
        assert holds.held_ids(session) == {under, later}
    on_hold = service.report(archive, OFFICER, "hold")
    assert [r.id for r in on_hold.results] == [under, later]
    due = {r.id: r.on_hold for r in service.report(archive, OFFICER, "due").results}
    assert due[under] is True and due[other] is False
    holds.lift_hold(archive, OFFICER, hold.id, HoldLift(reason="Putusan berkekuatan hukum tetap"))
    with archive.db.read() as session:
        assert holds.held_ids(session) == set()
    [placed] = entries(archive, "hold.place")
    [lifted] = entries(archive, "hold.lift")
    assert placed.details["reference"] == "Reg. 12/PS/2026"
    assert placed.actor_name == "admin" and lifted.target_id == str(hold.id)


def test_a_hold_on_chosen_documents_is_validated_and_cannot_be_lifted_twice(
        archive: Archive, docs_dir: Path, make_user) -> None:
    doc = file_doc(archive, docs_dir)
    secret = file_doc(archive, docs_dir, security="rahasia")
    with pytest.raises(ValidationError):
        holds.place_hold(archive, OFFICER, HoldInput(reference="", reason="x", document_ids=[doc]))
    with pytest.raises(ValidationError):
        holds.place_hold(archive, OFFICER, HoldInput(reference="R1", reason="x"))
    make_user("arsip2", roles=("arsiparis",), clearance="biasa")
    low = principal_of(archive, "arsip2")
    with pytest.raises(NotFound):  # a document above clearance is as if it did not exist
        holds.place_hold(archive, low, HoldInput(reference="R1", reason="x", document_ids=[secret]))
    view = holds.place_hold(archive, low, HoldInput(reference="R1", reason="Audit BPK",
                                                    document_ids=[doc]))
    assert view.document_ids == [doc] and view.active
    holds.lift_hold(archive, low, view.id, HoldLift(reason="Audit selesai"))
    with pytest.raises(Conflict):
        holds.lift_hold(archive, low, view.id, HoldLift(reason="lagi"))
    with pytest.raises(Forbidden):
        holds.place_hold(archive, READER, HoldInput(reference="R2", reason="x", document_ids=[doc]))


@pytest.mark.parametrize(("args", "message"), [
    (("run", "--as-of", "2026-13-01"), "as_of harus tanggal YYYY-MM-DD."),
    (("report", "due", "--as-of", "kemarin"), "as_of harus tanggal YYYY-MM-DD."),
    (("report", "upcoming", "--months", "0"), "months harus bilangan bulat 1–120."),
])
def test_the_cli_refuses_a_bad_date_or_span_with_the_api_s_own_message(
        runner, args: tuple[str, ...], message: str) -> None:
    result = runner("retention", *args)
    assert result.exit_code == 2 and message in result.output


def test_the_cli_runs_retention_and_reports(runner, archive: Archive, docs_dir: Path,

                                            tmp_path: Path) -> None:
    leap = next_29_february()  # filed before its day: aktif
    doc = file_doc(archive, docs_dir, code="KA.00", date=leap.isoformat())
    inactive, ended = years_after(leap, 2, 2, 28), years_after(leap, 5, 2, 28)
    result = runner("retention", "run", "--as-of", inactive.isoformat())
    assert result.exit_code == 0, result.output
    assert "1 dokumen berpindah fase" in result.output and "aktif → inaktif: 1" in result.output
    assert "0 dokumen" in runner("retention", "run", "--as-of", inactive.isoformat()).output
    after = (ended + dt.timedelta(days=1)).isoformat()
    report = runner("retention", "report", "due", "--as-of", after)
    assert f"#{doc}\tKA.00\tusul_musnah\t{ended.isoformat()}" in report.output
    out = tmp_path / "due.xlsx"
    assert runner("retention", "report", "due", "--as-of", after, "--format", "xlsx",
                  "--output", str(out)).exit_code == 0
    assert openpyxl.load_workbook(out).active.max_row == 2
    placed = runner("hold", "place", "--reference", "R/1", "--reason", "uji",
                    "--document", str(doc))
    assert placed.exit_code == 0, placed.output
    assert "R/1" in runner("hold", "list").output
    bad = runner("retention", "run", "--as-of", "2030-13-01")
    assert bad.exit_code == 2


def test_no_door_deletes_a_document_and_every_attempt_is_audited(
        runner, client, token_for, archive: Archive,
        docs_dir: Path) -> None:
    from tests.conftest import csrf_token, sign_in

    doc = file_doc(archive, docs_dir)
    cli = runner("document", "delete", str(doc))
    assert cli.exit_code == 1 and "prosedur pemusnahan" in cli.output
    api = client.delete(f"/api/v1/documents/{doc}", headers=token_for("admin"))
    assert api.status_code == 403 and api.get_json()["error"]["code"] == "forbidden"
    sign_in(client)
    page = client.post(f"/documents/{doc}/delete",
                       data={"csrf_token": csrf_token(client, f"/documents/{doc}")})
    assert page.status_code == 403
    refused = entries(archive, "document.delete")
    assert len(refused) == 3 and {e.outcome for e in refused} == {"refused"}
    with archive.db.read() as session:
        assert session.scalar(select(func.count(Document.id))) == 1
        stored = session.get(Document, doc)
    assert archive.store.path_of(stored.storage_path).exists()


def test_a_hold_only_on_secret_records_is_invisible_and_cannot_be_lifted_below_clearance(
        archive: Archive, docs_dir: Path, make_user) -> None:
    secret = file_doc(archive, docs_dir, security="rahasia")
    hold = holds.place_hold(archive, OFFICER, HoldInput(reference="Reg-R", reason="rahasia",
                                                        document_ids=[secret]))
    make_user("arsip3", roles=("arsiparis",), clearance="biasa")
    low = principal_of(archive, "arsip3")
    assert holds.list_holds(archive, low) == []
    with pytest.raises(NotFound):
        holds.get_hold(archive, low, hold.id)
    with pytest.raises(NotFound):
        holds.lift_hold(archive, low, hold.id, HoldLift(reason="coba"))
    assert holds.get_hold(archive, OFFICER, hold.id).active


def test_a_hold_reference_longer_than_its_column_is_refused_with_a_reason(
        archive: Archive, docs_dir: Path) -> None:
    doc = file_doc(archive, docs_dir)
    with pytest.raises(ValidationError) as refused:
        holds.place_hold(archive, OFFICER, HoldInput(reference="R" * 201, reason="x",
                                                     document_ids=[doc]))
    assert refused.value.field == "reference" and "200" in refused.value.message


def test_the_report_read_as_json_through_the_api_is_audited_like_its_exports(
        client, token_for, archive: Archive,
        docs_dir: Path) -> None:
    file_doc(archive, docs_dir, code="KA.00", date="2020-01-01", title="Surat lama")
    as_of = (dt.date.today() + dt.timedelta(days=3650)).isoformat()
    headers = token_for("admin")
    answer = client.get(f"/api/v1/retention/report?kind=due&as_of={as_of}", headers=headers)
    assert answer.status_code == 200 and answer.get_json()["total"] == 1
    [entry] = entries(archive, "retention.export")
    assert entry.actor_name == "admin" and entry.client_addr == "127.0.0.1"
    assert entry.details == {"kind": "due", "format": "json", "as_of": as_of, "months": 12,
                             "rows": 1}
    client.get(f"/api/v1/retention/report?kind=due&format=csv&as_of={as_of}", headers=headers)
    assert [e.details["format"] for e in entries(archive, "retention.export")] == ["json",
                                                                                "csv"]


def test_a_holds_reference_and_reason_are_shown_only_to_readers_who_see_every_held_record(
        client, archive: Archive, docs_dir: Path, make_user,
        token_for) -> None:
    from tests.conftest import USER_PASSWORD, sign_in

    plain = file_doc(archive, docs_dir, code="KA.00")
    secret = file_doc(archive, docs_dir, code="KA.00", security="sangat_rahasia")
    coded_secret = file_doc(archive, docs_dir, code="PM.00.02", security="rahasia")
    chosen = holds.place_hold(archive, OFFICER, HoldInput(reference="Reg. 7/PS.01.02/2026",
                                                          reason="Sengketa calon Budi",
                                                          document_ids=[plain, secret]))
    by_code = holds.place_hold(archive, OFFICER, HoldInput(reference="ST-88/BPK/2026",
                                                           reason="Audit dana hibah",
                                                           classification_code="PM"))
    holds.lift_hold(archive, OFFICER, by_code.id, HoldLift(reason="Pemeriksaan BPK selesai"))
    assert coded_secret
    make_user("auditor1", roles=("auditor",), clearance="terbatas")
    low = principal_of(archive, "auditor1")
    secrets = ("Reg. 7/PS.01.02/2026", "Sengketa calon Budi", "ST-88/BPK/2026",
               "Audit dana hibah", "Pemeriksaan BPK selesai")
    views = holds.list_holds(archive, low)
    assert [(v.id, v.restricted, v.reference, v.reason, v.lift_reason) for v in views] == [
        (by_code.id, True, None, None, None), (chosen.id, True, None, None, None)]
    assert views[1].document_ids == [plain]
    sign_in(client, "auditor1", USER_PASSWORD)
    pages = [client.get(url).get_data(as_text=True) for url in
             ("/holds?all=1", f"/holds/{chosen.id}", f"/holds/{by_code.id}")]
    api = client.get("/api/v1/holds?active=0", headers=token_for("auditor1")).get_data(
        as_text=True)
    for text in [*pages, api]:
        assert not [s for s in secrets if s in text], text
    assert f"Penahanan #{chosen.id}" in pages[0] and f"#{plain}" in pages[1]
    # Someone cleared for every held record reads them all.
    full = holds.get_hold(archive, OFFICER, by_code.id)
    assert (full.reference, full.reason, full.lift_reason, full.restricted) == (
        "ST-88/BPK/2026", "Audit dana hibah", "Pemeriksaan BPK selesai", False)
    make_user("auditor2", roles=("auditor",), clearance="rahasia")
    assert holds.get_hold(archive, principal_of(archive, "auditor2"), by_code.id).reference \
        == "ST-88/BPK/2026"


def test_the_web_csv_export_carries_formulas_only_as_inert_text(
        client, archive: Archive, docs_dir: Path) -> None:
    import csv

    from earsip.tabular import FORMULA_PREFIXES
    from tests.conftest import sign_in

    titles = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0"]
    for title in titles:
        file_doc(archive, docs_dir, code="KA.00", date="2015-01-01", title=title)
    sign_in(client)
    answer = client.get("/retention/export?kind=due&format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data().decode("utf-8-sig"))))
    assert sorted(r["Judul"] for r in rows) == sorted("'" + t for t in titles)
    assert not [c for r in rows for c in r.values() if c.startswith(FORMULA_PREFIXES)]
