"""Clearance on every output, checked from the outside (issue 17, point 5).

Records above the reader's clearance carry a word found nowhere else ("zirkonium", in their
titles and texts). Each output is fetched by a reader at clearance `biasa` holding the role that
reaches it, and the word, the hidden records' ids and numbers must be absent; the same output
fetched by a reader cleared `sangat_rahasia` must contain them, so the archive really puts the
hidden records into that output. Where an output has counts, it is fetched before and after the
hidden records are filed and must not change. No expectation uses the code's own clearance
filter.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from earsip.access import Principal
from earsip.audit import SYSTEM
from earsip.models import User
from earsip.schemas.retention import DisposalApproval, DisposalProposal, HoldInput
from earsip.schemas.transfers import Handover
from earsip.services import Archive
from earsip.services.operations import jobs
from earsip.services.records import ingest
from earsip.services.records.documents import DocumentInput
from earsip.services.retention import destruction as disposition
from earsip.services.retention import destruction_execution, holds, transfer
from earsip.services.retention.cycle import add_months
from tests import filegen, scangen
from tests.approvers import make_approver
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD, sign_in
from tests.helpers import execution, handing

WORD = "zirkonium"  # in every hidden record's title and text, nowhere else
COMMON = "koordinasi"  # in every record's text, hidden or not
READER_ROLES = ("arsiparis", "auditor", "pimpinan")  # every role with retention.read
WHO = Handover(recipient_institution="Dinas Kearsipan Kota Mojokerto",
               recipient_name="Rina Wulandari", recipient_position="Kepala Bidang Arsip Statis",
               official_name="Siti Rahmawati", official_position="Kepala Sekretariat")


def _years_ago(years: int, months: int = 0) -> dt.date:
    return add_months(dt.date.today(), -12 * years - months)


@dataclass
class World:
    """An archive with visible records, lists, a hold and a transfer; `add_hidden` adds the
    same kinds of things over records above `biasa`."""

    archive: Archive
    app: Flask
    folder: Path
    visible: dict[str, int] = field(default_factory=dict)
    hidden: dict[str, int] = field(default_factory=dict)
    lists: dict[str, int] = field(default_factory=dict)
    transfers: dict[str, int] = field(default_factory=dict)
    hold_ids: dict[str, int] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)

    def file(self, key: str, *, code: str, date: dt.date, security: str = "biasa") -> int:
        secret = security != "biasa"
        words = f"{WORD} {key}" if secret else f"terbuka {key}"
        body = f"Surat {COMMON} {words} nomor {len(self.visible) + len(self.hidden)}"
        pdf = filegen.make_text_pdf(self.folder / f"{key}.pdf", [body])
        title = f"{'Laporan Zirkonium' if secret else 'Surat terbuka'} {key}"
        data = DocumentInput(title=title, classification=code, document_date=date,
                             security=security, number=f"NO-{key}")
        doc_id = ingest.file_document(self.archive, SYSTEM, pdf, pdf.name, data,
                                      clearance=None).document_id
        (self.hidden if secret else self.visible)[key] = doc_id
        return doc_id

    def principal(self, username: str) -> Principal:
        with self.archive.db.read() as session:
            return Principal.of(session.scalar(select(User).where(User.username == username)))

    def client(self, username: str) -> FlaskClient:
        if username not in self.clients:
            c = self.app.test_client()
            r = sign_in(c, username, ADMIN_PASSWORD if username == "admin" else USER_PASSWORD)
            assert r.status_code == 302, username
            self.clients[username] = c
        return self.clients[username]

    def token(self, username: str) -> dict[str, str]:
        password = ADMIN_PASSWORD if username == "admin" else USER_PASSWORD
        r = self.app.test_client().post("/api/v1/tokens",
                                        json={"username": username, "password": password})
        assert r.status_code == 201, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    def _records(self, security: str | None) -> dict[str, int]:
        """File one record of each retention situation (at `security`, or biasa)."""
        sec = security or "biasa"
        tag = "h" if security else "v"
        made = {
            "due": self.file(f"{tag}due", code="KA.00", date=_years_ago(6), security=sec),
            "listed": self.file(f"{tag}listed", code="KA.00", date=_years_ago(6), security=sec),
            "month": self.file(f"{tag}month", code="KA.00", date=_years_ago(2), security=sec),
            "soon": self.file(f"{tag}soon", code="KA.00", date=_years_ago(1, 10), security=sec),
            "event": self.file(f"{tag}event", code="PL.07", date=_years_ago(1), security=sec),
            "perm": self.file(f"{tag}perm", code="KU.00.00", date=_years_ago(11),
                              security=sec),
            "held": self.file(f"{tag}held", code="KA.00", date=_years_ago(6), security=sec),
        }
        return made

    def add_visible(self) -> None:
        officer = self.principal("admin")
        made = self._records(None)
        self.file("vextra", code="KA.00", date=_years_ago(6))
        self.file("vperm2", code="KU.00.00", date=_years_ago(11))
        self.lists["visible"] = disposition.propose(self.archive, officer,
                                                    DisposalProposal(document_ids=[made["listed"]]))
        self.transfers["visible"] = transfer.prepare(self.archive, officer, handing([made["perm"]],
                                                                                    WHO))
        self.hold_ids["visible"] = holds.place_hold(self.archive, officer,
                                                    HoldInput(reference="REG-TERBUKA/1",
                                                              reason="Sengketa terbuka",
                                                              document_ids=[made["held"]])).id

    def add_hidden(self) -> None:
        officer, leader = self.principal("admin"), self.principal("ketua")
        secret = self._records("rahasia")
        top = self.file("htop", code="KA.00", date=_years_ago(6), security="sangat_rahasia")
        gone = self.file("hgone", code="KA.00", date=_years_ago(6), security="rahasia")
        perm = self.file("hperm2", code="KU.00.00", date=_years_ago(11), security="rahasia")
        self.file("hcoded", code="HM.00.02", date=_years_ago(1), security="rahasia")
        # A list of hidden records only, one mixing a hidden record with a visible one, and one
        # carried out (its berita acara names the hidden record).
        self.lists["hidden"] = disposition.propose(self.archive, officer,
                                                   DisposalProposal(document_ids=[secret["listed"],
                                                                                  top]))
        self.lists["mixed"] = disposition.propose(self.archive, officer, DisposalProposal(
            document_ids=[self.visible["vextra"], secret["due"]]))
        self.lists["executed"] = disposition.propose(self.archive, officer,
                                                     DisposalProposal(document_ids=[gone]))
        disposition.approve(self.archive, leader, self.lists["executed"],
                            DisposalApproval(reference="KEP-ZIRKONIUM/1",
                                             decision_date=dt.date.today(), password=USER_PASSWORD))
        destruction_execution.execute(self.archive, officer, self.lists["executed"], execution(
        berita_acara_number="BA-ZIRKONIUM/1", official_name="Siti",
        official_position="Kepala Sekretariat", place=None,
        witnesses=[{"name": "Budi", "position": "Arsiparis"},
                   {"name": "Dewi", "position": "Kasubbag Umum"}]))
        self.transfers["hidden"] = transfer.prepare(self.archive, officer, handing([secret["perm"]],
                                                                                   WHO))
        self.transfers["mixed"] = transfer.prepare(
            self.archive, officer, handing([self.visible["vperm2"], perm], WHO))
        self.hold_ids["hidden"] = holds.place_hold(self.archive, officer,
                                                   HoldInput(reference="REG-ZIRKONIUM/9",
                                                             reason="Sengketa zirkonium",
                                                             document_ids=[secret["held"]])).id
        self.hold_ids["mixed"] = holds.place_hold(self.archive, officer,
                                                  HoldInput(reference="REG-ZIRKONIUM/10",
                                                            reason="Perkara zirkonium",
                                                            document_ids=[self.visible["vheld"],
                                                                          secret["held"]])).id
        self.hold_ids["coded"] = holds.place_hold(self.archive, officer,
                                                  HoldInput(reference="REG-ZIRKONIUM/11",
                                                            reason="Aduan zirkonium",
                                                            classification_code="HM.00.02")).id


@pytest.fixture
def world(archive: Archive, app: Flask, make_user,
          tmp_path: Path) -> World:
    folder = tmp_path / "berkas"
    folder.mkdir()
    for role in READER_ROLES + ("staf",):
        make_user(f"rendah_{role}", roles=(role,), clearance="biasa")
    make_approver(archive, "ketua")  # a leader the separation-of-duties rule admits
    w = World(archive, app, folder)
    w.add_visible()
    return w


def _leaks(w: World, text: str) -> list[str]:
    """Return what of the hidden records `text` shows: the word, their ids or numbers."""
    found = [WORD] if WORD in text.casefold() else []
    for key, doc_id in w.hidden.items():
        if re.search(rf'(/documents/{doc_id}\b|#{doc_id}\b|name="document_ids?" value="{doc_id}"'
                     rf"|NO-{key}\b)", text):
            found.append(f"{key} (#{doc_id})")
    return found


def _page(client: FlaskClient, path: str) -> tuple[int, str]:
    r = client.get(path)
    return r.status_code, r.get_data(as_text=True)


def _stable(html: str) -> str:
    """A page without what changes from one request to the next (CSRF tokens)."""
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def _csv_text(body: bytes) -> str:
    rows = csv.reader(io.StringIO(body.decode("utf-8-sig")))
    return "\n".join(" | ".join(row) for row in rows)


def _xlsx_text(body: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    cells = [" | ".join("" if c is None else str(c) for c in row)
             for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]
    book.close()
    return "\n".join(cells)


def _pdf_text(body: bytes) -> str:
    return "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(body)).pages)


def _zip_text(body: bytes) -> str:
    """Every member's name and content (PDFs as text) of a zip."""
    parts = []
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        for name in z.namelist():
            data = z.read(name)
            parts.append(name)
            parts.append(_pdf_text(data) if name.endswith(".pdf")
                         else data.decode("utf-8", "replace"))
    return "\n".join(parts)


REPORT_KINDS = ("due", "upcoming", "hold", "awaiting")


def test_retention_reports_and_their_exports_show_a_biasa_reader_nothing_above_biasa(
        world: World) -> None:
    readers = [f"rendah_{r}" for r in READER_ROLES]
    before = {(u, k): world.client(u).get(f"/api/v1/retention/report?kind={k}",
                                          headers=world.token(u)).get_json()
              for u in readers for k in REPORT_KINDS}
    world.add_hidden()
    top_tokens = world.token("admin")
    for kind in REPORT_KINDS:
        # The top reader's outputs hold the hidden records: each output below can leak.
        top = world.client("admin")
        assert WORD in _page(top, f"/retention?kind={kind}")[1].casefold(), kind
        assert WORD in _csv_text(top.get(f"/retention/export?kind={kind}&format=csv").data
                                 ).casefold(), kind
        assert WORD in json.dumps(top.get(f"/api/v1/retention/report?kind={kind}",
                                          headers=top_tokens).get_json()).casefold(), kind
        for user in readers:
            c, token = world.client(user), world.token(user)
            status, html = _page(c, f"/retention?kind={kind}")
            assert status == 200 and _leaks(world, html) == [], (user, kind)
            outputs = {
                "web csv": _csv_text(c.get(f"/retention/export?kind={kind}&format=csv").data),
                "web xlsx": _xlsx_text(c.get(f"/retention/export?kind={kind}&format=xlsx").data),
                "api csv": _csv_text(c.get(f"/api/v1/retention/report?kind={kind}&format=csv",
                                           headers=token).data),
                "api xlsx": _xlsx_text(c.get(
                    f"/api/v1/retention/report?kind={kind}&format=xlsx", headers=token).data),
            }
            for name, text in outputs.items():
                assert WORD not in text.casefold(), (user, kind, name)
                ids = {line.split(" | ")[0] for line in text.splitlines()[1:]}
                assert ids.isdisjoint(str(i) for i in world.hidden.values()), (user, kind, name)
            report = c.get(f"/api/v1/retention/report?kind={kind}", headers=token).get_json()
            assert report == before[(user, kind)], (user, kind)


def test_the_dashboard_shows_a_biasa_reader_the_same_due_list_and_counts_whatever_is_hidden(
        world: World) -> None:
    users = [f"rendah_{r}" for r in READER_ROLES + ("staf",)]
    before = {u: _stable(_page(world.client(u), "/")[1]) for u in users}
    top_before = _stable(_page(world.client("admin"), "/")[1])
    world.add_hidden()
    top_after = _stable(_page(world.client("admin"), "/")[1])
    assert top_after != top_before and WORD in top_after.casefold()  # counts and list moved
    for user in users:
        status, html = _page(world.client(user), "/")
        assert status == 200 and _leaks(world, html) == [], user
        assert _stable(html) == before[user], user


def test_search_hits_totals_facets_and_snippets_ignore_records_above_the_reader(
        world: World) -> None:
    queries = [{"q": COMMON}, {"q": WORD}, {"q": "laporan"}, {"q": ""},
               {"q": COMMON, "classification": "KA"}, {"q": COMMON, "sort": "date"}]

    def answers(user: str) -> list[dict[str, object]]:
        token, c = world.token(user), world.client(user)
        found = []
        for query in queries:
            r = c.get("/api/v1/search", query_string=query, headers=token)
            assert r.status_code == 200, r.get_json()
            body = r.get_json()
            # Compared as sets: the order of equal hits is issue 17 point 2.1's concern.
            body["results"] = sorted(body["results"], key=lambda h: h["id"])
            for hit in body["results"]:
                hit.pop("score")
            found.append(body)
        return found

    users = [f"rendah_{r}" for r in READER_ROLES + ("staf",)]
    before = {u: answers(u) for u in users}
    # Pages compared line by line, in any order (hits of the same date have no set order).
    pages_before = {u: sorted(_stable(_page(world.client(u), f"/search?q={COMMON}&sort=date")[1])
                              .splitlines()) for u in users}
    world.add_hidden()
    top = answers("admin")
    assert WORD in json.dumps(top).casefold() and top[1]["total"] > 0
    for user in users:
        after = answers(user)
        assert after == before[user], user
        assert WORD not in json.dumps(after).casefold()
        for q in (COMMON, "laporan"):
            status, html = _page(world.client(user), f"/search?q={q}")
            assert status == 200 and _leaks(world, html) == [], (user, q)
        # Asking for the hidden word (or the hidden berita acara's number) looks exactly like
        # asking for a word found nowhere.
        for q, absent in ((WORD, "xylofonik"), ("BA-ZIRKONIUM", "BA-XYLOFONIK")):
            html = _stable(_page(world.client(user), f"/search?q={q}")[1])
            assert html == _stable(_page(world.client(user), f"/search?q={absent}")[1]
                                   ).replace(absent, q), (user, q)
        html = _stable(_page(world.client(user), f"/search?q={COMMON}&sort=date")[1])
        assert sorted(html.splitlines()) == pages_before[user], user


def test_hold_pages_and_the_hold_api_show_a_biasa_reader_no_hidden_record_or_reference(
        world: World) -> None:
    world.add_hidden()
    top = world.client("admin")
    for hold_id in world.hold_ids.values():
        assert _page(top, f"/holds/{hold_id}")[0] == 200
    assert WORD in _page(top, "/holds")[1].casefold()
    missing = max(world.hold_ids.values()) + 100
    for user in (f"rendah_{r}" for r in READER_ROLES):
        c, token = world.client(user), world.token(user)
        for path in ("/holds", "/holds?all=1", "/retention?kind=hold"):
            status, html = _page(c, path)
            assert status == 200 and _leaks(world, html) == [], (user, path)
        status, html = _page(c, f"/holds/{world.hold_ids['mixed']}")
        assert status == 200 and _leaks(world, html) == [], user
        assert f"/documents/{world.visible['vheld']}" in html  # what they may see, they see
        gone, nothing = c.get(f"/holds/{world.hold_ids['hidden']}"), c.get(f"/holds/{missing}")
        assert gone.status_code == nothing.status_code == 404, user
        assert gone.data == nothing.data.replace(str(missing).encode(),
                                                 str(world.hold_ids["hidden"]).encode())
        listed = c.get("/api/v1/holds", headers=token)
        assert listed.status_code == 200 and WORD not in listed.get_data(as_text=True).casefold()
        assert world.hold_ids["hidden"] not in [h["id"] for h in listed.get_json()]
        one = c.get(f"/api/v1/holds/{world.hold_ids['mixed']}", headers=token)
        assert one.status_code == 200, user
        assert WORD not in one.get_data(as_text=True).casefold()
        assert set(one.get_json()["document_ids"]) == {world.visible["vheld"]}
        assert c.get(f"/api/v1/holds/{world.hold_ids['hidden']}",
                     headers=token).status_code == 404
        coded = c.get(f"/api/v1/holds/{world.hold_ids['coded']}", headers=token)
        assert coded.status_code == 200 and coded.get_json()["document_ids"] == []
        assert WORD not in coded.get_data(as_text=True).casefold()
        status, html = _page(c, f"/holds/{world.hold_ids['coded']}")
        assert status == 200 and _leaks(world, html) == [], user


def test_disposal_lists_and_their_pdfs_show_a_biasa_reviewer_no_hidden_record(
        world: World) -> None:
    readers = [f"rendah_{r}" for r in READER_ROLES]
    before = {u: _stable(_page(world.client(u), "/disposals")[1]) for u in readers}
    new_before = _stable(_page(world.client("rendah_arsiparis"), "/disposals/new")[1])
    world.add_hidden()
    top = world.client("admin")
    for key in ("hidden", "mixed", "executed"):
        pdf = top.get(f"/disposals/{world.lists[key]}/list.pdf")
        assert pdf.status_code == 200 and WORD in _pdf_text(pdf.data).casefold(), key
    assert WORD in _page(top, "/disposals")[1].casefold()
    missing = max(world.lists.values()) + 100
    for user in readers:
        c = world.client(user)
        status, html = _page(c, "/disposals")
        assert status == 200 and _leaks(world, html) == [], user
        assert _stable(html) == before[user], user
        visible = c.get(f"/disposals/{world.lists['visible']}/list.pdf")
        assert visible.status_code == 200 and WORD not in _pdf_text(visible.data).casefold()
        for key in ("hidden", "mixed", "executed"):
            list_id = world.lists[key]
            for path in (f"/disposals/{list_id}", f"/disposals/{list_id}/list.pdf"):
                r, nothing = c.get(path), c.get(path.replace(str(list_id), str(missing)))
                assert r.status_code == nothing.status_code == 404, (user, path)
                assert WORD not in r.get_data(as_text=True).casefold()
    status, html = _page(world.client("rendah_arsiparis"), "/disposals/new")
    assert status == 200 and _leaks(world, html) == []
    # The visible record put on the mixed list is now listed; nothing else changed.
    assert _stable(html).count("<tr") == new_before.count("<tr")
    assert WORD in _page(top, "/disposals/new")[1].casefold()


def test_transfer_pages_and_packages_show_a_biasa_officer_no_hidden_record(
        world: World) -> None:
    officer = world.client("rendah_arsiparis")
    with officer.get(f"/transfers/{world.transfers['visible']}/package") as visible_zip:
        assert visible_zip.status_code == 200
    before = {u: _stable(_page(world.client(f"rendah_{u}"), "/transfers")[1])
              for u in READER_ROLES}
    new_before = _stable(_page(officer, "/transfers/new")[1])
    world.add_hidden()
    top = world.client("admin")
    for key in ("hidden", "mixed"):
        with top.get(f"/transfers/{world.transfers[key]}/package") as package:
            assert package.status_code == 200, key
            assert WORD in _zip_text(package.data).casefold(), key
    assert WORD in _page(top, "/transfers/new")[1].casefold()
    missing = max(world.transfers.values()) + 100
    for role in READER_ROLES:
        c = world.client(f"rendah_{role}")
        status, html = _page(c, "/transfers")
        assert status == 200 and _leaks(world, html) == [], role
        assert _stable(html) == before[role], role
        for key in ("hidden", "mixed"):
            transfer_id = world.transfers[key]
            r, nothing = c.get(f"/transfers/{transfer_id}"), c.get(f"/transfers/{missing}")
            assert r.status_code == nothing.status_code == 404, (role, key)
    for key in ("hidden", "mixed"):
        r = officer.get(f"/transfers/{world.transfers[key]}/package")
        assert r.status_code == 404 and WORD not in r.get_data(as_text=True).casefold(), key
    with officer.get(f"/transfers/{world.transfers['visible']}/package") as again:
        assert again.status_code == 200 and WORD not in _zip_text(again.data).casefold()
    status, html = _page(officer, "/transfers/new")
    assert status == 200 and _leaks(world, html) == []
    # The visible record put in the mixed transfer is now packed; nothing else changed.
    assert _stable(html).count("<tr") == new_before.count("<tr")


def _no_tokens(page: bytes) -> bytes:
    return re.sub(rb'name="csrf_token" value="[^"]*"', b'name="csrf_token" value=""', page)


def test_the_searchable_copy_of_a_hidden_scan_answers_a_biasa_reader_as_a_missing_document(
        world: World, ocr_tools: None) -> None:
    scan = scangen.save_scan(world.folder / "pindaian.png")
    doc_id = ingest.file_document(
        world.archive, SYSTEM, scan, scan.name,
        DocumentInput(title="Pindaian zirkonium", classification="KA.00",
                      document_date=_years_ago(1), security="rahasia"),
        clearance=None).document_id
    jobs.run_pending(world.archive, kinds=["ocr"], document_ids=[doc_id])
    top = world.client("admin")
    copy = top.get(f"/documents/{doc_id}/searchable")
    assert copy.status_code == 200 and copy.data.startswith(b"%PDF")  # the copy exists
    copy.close()
    missing = doc_id + 100
    for role in READER_ROLES + ("staf",):
        user = f"rendah_{role}"
        c, token = world.client(user), world.token(user)
        for path in (f"/documents/{doc_id}/searchable",
                     f"/api/v1/documents/{doc_id}/searchable-copy"):
            headers = token if path.startswith("/api") else {}
            r = c.get(path, headers=headers)
            nothing = c.get(path.replace(str(doc_id), str(missing)), headers=headers)
            assert r.status_code == nothing.status_code == 404, (user, path)
            # The pages' CSRF tokens carry the second they were made: not a difference.
            assert _no_tokens(r.data) == _no_tokens(
                nothing.data.replace(str(missing).encode(), str(doc_id).encode()))
            r.close()
            nothing.close()


def test_the_pages_of_visible_records_tied_to_hidden_ones_show_nothing_of_them(
        world: World) -> None:
    world.add_hidden()
    # vheld shares a hold with a hidden record, vextra a disposal list, vperm2 a transfer.
    tied = [world.visible[k] for k in ("vheld", "vextra", "vperm2")]
    # The page of a held record names its holds (the API's document does not).
    held_page = _page(world.client("admin"), f"/documents/{world.visible['vheld']}")[1]
    assert WORD in held_page.casefold()
    for role in READER_ROLES + ("staf",):
        user = f"rendah_{role}"
        c, token = world.client(user), world.token(user)
        for doc_id in tied:
            status, html = _page(c, f"/documents/{doc_id}")
            assert status == 200 and _leaks(world, html) == [], (user, doc_id)
            body = c.get(f"/api/v1/documents/{doc_id}", headers=token)
            assert body.status_code == 200, (user, doc_id)
            assert _leaks(world, body.get_data(as_text=True)) == [], (user, doc_id)
