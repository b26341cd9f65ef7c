"""The start page: counts and due dates within clearance, charts drawn on the server."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.access import Principal
from earsip.models import Document
from earsip.services import Archive
from earsip.services.records import dashboard as dashboard_service
from earsip.services.records.documents import current_phase
from tests import filegen
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.conftest import sign_in as _login

EVERYTHING = Principal(1, "admin", frozenset({"admin"}), "sangat_rahasia")
BIASA = Principal(99, "staf", frozenset({"staf"}), "biasa")
# The titles due are listed only for those who read records (an admin sees the counts).
READER = Principal(2, "arsip", frozenset({"arsiparis"}), "sangat_rahasia")


def _file(upload, tmp_path: Path, n: int, **fields: str) -> int:
    pdf = filegen.make_text_pdf(tmp_path / f"d{n}.pdf", [f"dokumen nomor {n} " * 3])
    r = upload(pdf, **fields)
    assert r.status_code == 201, r.get_json()
    return r.get_json()["id"]




def test_the_figures_count_only_what_the_user_may_see(upload, tmp_path: Path,
                                                      archive: Archive) -> None:
    _file(upload, tmp_path, 1, classification="KA.00")
    _file(upload, tmp_path, 2, classification="PM.00.02")
    _file(upload, tmp_path, 3, classification="KA.00", security="rahasia")
    everything = dashboard_service.overview(archive, EVERYTHING)
    limited = dashboard_service.overview(archive, BIASA)
    assert (everything.total, limited.total) == (3, 2)
    assert dict(everything.by_top_code) == {"KA": 2, "PM": 1}
    assert dict(limited.by_top_code) == {"KA": 1, "PM": 1}
    assert sum(n for _, n in limited.by_phase) == 2


def test_the_phase_counted_in_sql_is_the_phase_of_each_document(upload, tmp_path: Path,
                                                                 archive: Archive) -> None:
    for n, (code, day) in enumerate([("KA.00", "2010-01-05"), ("PM.00.02", "2023-06-30"),
                                     ("KA.00", "2024-03-15"), ("PM.00.02", "2016-02-29")]):
        _file(upload, tmp_path, n, classification=code, document_date=day)
    with archive.db.read() as session:
        docs = session.scalars(select(Document)).all()
        dates = sorted({d for doc in docs for d in (doc.active_until, doc.inactive_until) if d})
    for today in [dt.date(2024, 1, 1), *dates, *(d - dt.timedelta(days=1) for d in dates)]:
        with archive.db.read() as session:
            expected = Counter(current_phase(doc, today)
                               for doc in session.scalars(select(Document)))
        got = dict(dashboard_service.overview(archive, EVERYTHING, today).by_phase)
        assert {p: n for p, n in got.items() if n} == dict(expected), today


def test_what_falls_due_this_month_and_this_year_is_listed(upload, tmp_path: Path,
                                                           archive: Archive) -> None:
    doc_id = _file(upload, tmp_path, 1, classification="PM.00.02", document_date="2023-06-30")
    _file(upload, tmp_path, 2, classification="PM.00.02", document_date="2020-01-10")
    with archive.db.read() as session:
        active_until = session.get(Document, doc_id).active_until
    today = active_until.replace(day=1)
    o = dashboard_service.overview(archive, READER, today)
    assert o.due_this_month == 1 and o.due_this_year >= 1
    [due] = o.due_list
    assert (due.id, due.date, due.change) == (doc_id, active_until, "inaktif")
    later = dashboard_service.overview(archive, READER, today.replace(year=today.year + 30))
    assert dashboard_service.overview(archive, EVERYTHING, today).due_list == []
    assert later.due_this_month == 0 and later.due_list == []


def test_the_start_page_draws_its_charts_without_script_and_hides_titles_from_non_readers(
        client: FlaskClient, upload, tmp_path: Path, make_user) -> None:
    _file(upload, tmp_path, 1, title="Surat edaran internal")
    _login(client, "admin", ADMIN_PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert page.count('<svg class="chart" role="img"') == 2
    assert "Surat edaran internal" in page
    make_user("sysadmin", roles=("admin",), clearance="sangat_rahasia")
    other = client.application.test_client()
    _login(other, "sysadmin", USER_PASSWORD)
    page = other.get("/").get_data(as_text=True)
    assert "Surat edaran internal" not in page
    assert re.search(r'class="stat-number">1<', page)  # the count, without the record
