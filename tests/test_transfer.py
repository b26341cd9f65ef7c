"""Transfer of arsip statis: a validated BagIt package, then confirmation marks the records."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from earsip.access import Principal
from earsip.errors import Conflict, NotDisposable, OnHold, ValidationError
from earsip.models import Document
from earsip.schemas.documents import DocumentEdit
from earsip.schemas.retention import HoldInput, HoldLift
from earsip.schemas.transfers import Receipt
from earsip.services import Archive
from earsip.services.retention import holds, transfer, transfer_views
from tests.helpers import entries, file_doc, handing, principal_of


@pytest.fixture
def officer(archive: Archive, make_user) -> Principal:
    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    return principal_of(archive, "arsip1")


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    return folder


def test_a_transfer_package_holds_the_originals_metadata_audit_and_berita_acara_and_validates(
        archive: Archive, docs_dir: Path, officer: Principal) -> None:
    # KU.00.00: 3 years active, 7 inactive, permanen.
    a = file_doc(archive, docs_dir, code="KU.00.00", date="2010-01-05", title="DIPA 2010")
    b = file_doc(archive, docs_dir, code="KU.00.00", date="2011-01-05", title="DIPA 2011")
    young = file_doc(archive, docs_dir, code="KU.00.00")  # filed a month ago
    assert [c.id for c in transfer_views.candidates(archive, officer)] == [a, b]
    with pytest.raises(NotDisposable):
        transfer.prepare(archive, officer, handing([young]))
    transfer_id = transfer.prepare(archive, officer, handing([a, b]))
    view = transfer_views.get_transfer(archive, officer, transfer_id)
    assert view.status == "prepared" and view.number.startswith("BAST-AS/")
    package = archive.config.transfer_dir / view.package_name
    validator = Path(sys.executable).parent / "bagit.py"
    checked = subprocess.run([sys.executable, str(validator), "--validate", str(package)],
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stderr
    with archive.db.read() as session:
        originals = {d.id: archive.store.path_of(d.storage_path).read_bytes()
                     for d in session.scalars(select(Document).where(Document.id.in_([a, b])))}
    for doc_id, body in originals.items():
        copied = next((package / "data" / "arsip").glob(f"{doc_id:08d}.*"))
        assert hashlib.sha256(copied.read_bytes()).digest() == hashlib.sha256(body).digest()
    meta = json.loads((package / "data" / "metadata.json").read_text())
    assert [m["title"] for m in meta] == ["DIPA 2010", "DIPA 2011"]
    assert "DIPA 2011" in (package / "data" / "metadata.csv").read_text(encoding="utf-8-sig")
    lines = [json.loads(x) for x in (package / "data" / "riwayat.jsonl").read_text().splitlines()]
    assert {(x["action"], x["document_id"]) for x in lines} >= {("document.file", a),
                                                                ("document.file", b)}
    ba = PdfReader(package / "data" / "berita_acara_penyerahan.pdf")
    text = " ".join(p.extract_text() for p in ba.pages)
    assert view.number in text and "Rina Wulandari" in text and "DIPA 2010" in text
    assert "DIPA" in (package / "data" / "daftar_arsip.csv").read_text(encoding="utf-8-sig")

    out = io.BytesIO()
    name = transfer.write_zip(archive, officer, transfer_id, out)
    assert name.endswith(".zip")
    assert any(n.endswith("bagit.txt") for n in zipfile.ZipFile(out).namelist())
    with pytest.raises(ValidationError):
        transfer.confirm(archive, officer, transfer_id, Receipt(receipt_reference=""))
    transfer.confirm(archive, officer, transfer_id, Receipt(receipt_reference="TT-12/DPK/2026"))
    with archive.db.read() as session:
        assert {d.disposition for d in session.scalars(
            select(Document).where(Document.id.in_([a, b])))} == {"transferred"}
    assert transfer_views.candidates(archive, officer) == []
    for action in ("transfer.prepare", "transfer.export", "transfer.confirm"):
        assert len(entries(archive, action)) == 1, action
    with pytest.raises(Conflict):
        transfer.confirm(archive, officer, transfer_id, Receipt(receipt_reference="again"))


def test_a_hold_blocks_preparing_and_confirming_a_transfer(
        archive: Archive, docs_dir: Path, officer: Principal) -> None:
    doc = file_doc(archive, docs_dir, code="KU.00.00", date="2010-01-05")
    hold = holds.place_hold(archive, officer, HoldInput(reference="Audit BPK 2026", reason="uji",
                                                        document_ids=[doc]))
    with pytest.raises(OnHold):
        transfer.prepare(archive, officer, handing([doc]))
    holds.lift_hold(archive, officer, hold.id, HoldLift(reason="selesai"))
    transfer_id = transfer.prepare(archive, officer, handing([doc]))
    late = holds.place_hold(archive, officer, HoldInput(reference="Gugatan", reason="uji",
                                                        classification_code="KU"))
    with pytest.raises(OnHold):
        transfer.confirm(archive, officer, transfer_id, Receipt(receipt_reference="TT-1"))
    holds.lift_hold(archive, officer, late.id, HoldLift(reason="selesai"))
    transfer.confirm(archive, officer, transfer_id, Receipt(receipt_reference="TT-1"))


def test_a_changed_package_is_not_confirmed_and_a_cancelled_one_is_destroyed(
        archive: Archive, docs_dir: Path, officer: Principal) -> None:
    doc = file_doc(archive, docs_dir, code="KU.00.00", date="2010-01-05")
    transfer_id = transfer.prepare(archive, officer, handing([doc]))
    view = transfer_views.get_transfer(archive, officer, transfer_id)
    package = archive.config.transfer_dir / view.package_name
    (package / "data" / "metadata.json").write_text("[]")
    with pytest.raises(Conflict):
        transfer.confirm(archive, officer, transfer_id, Receipt(receipt_reference="TT-2"))
    with archive.db.read() as session:
        assert session.get(Document, doc).disposition is None
    transfer.cancel(archive, officer, transfer_id)
    assert not package.exists()
    assert [c.id for c in transfer_views.candidates(archive, officer)] == [doc]
    assert len(entries(archive, "transfer.cancel")) == 1


def test_a_package_left_by_a_crash_does_not_block_the_next_transfer_and_holds_stop_downloads(
        archive: Archive, docs_dir: Path, officer: Principal) -> None:
    import datetime as dt

    doc = file_doc(archive, docs_dir, code="KU.00.00", date="2010-01-05")
    stale = archive.config.transfer_dir / f"BAST-AS-{dt.date.today().year}-001"
    stale.mkdir(parents=True)
    transfer_id = transfer.prepare(archive, officer, handing([doc]))
    view = transfer_views.get_transfer(archive, officer, transfer_id)
    assert view.number.endswith("/002")
    holds.place_hold(archive, officer, HoldInput(reference="Audit", reason="uji",
                                                 document_ids=[doc]))
    with pytest.raises(OnHold):
        transfer.write_zip(archive, officer, transfer_id, io.BytesIO())
    assert entries(archive, "transfer.export") == []


def test_a_package_names_who_decided_by_name_and_position_and_holds_no_usernames_or_addresses(
        archive: Archive, client, tmp_path: Path) -> None:
    from earsip.audit import SYSTEM
    from earsip.services.access.users import create_user
    from earsip.services.records import documents, editing
    from tests import filegen
    from tests.conftest import USER_PASSWORD

    office_ip, desk_ip = "10.61.2.34", "192.168.7.21"
    with archive.db.write() as session:
        create_user(session, "rhartono", USER_PASSWORD, roles=["arsiparis"],
                    clearance="sangat_rahasia", actor=SYSTEM, full_name="Rudi Hartono")
        create_user(session, "dewi_s", USER_PASSWORD, roles=["staf"], clearance="biasa",
                    actor=SYSTEM, full_name="Dewi Susanti")
    officer, reader = principal_of(archive, "rhartono"), principal_of(archive, "dewi_s")
    token = client.post("/api/v1/tokens", json={"username": "rhartono",
                                                "password": USER_PASSWORD}).get_json()["token"]
    pdf = filegen.make_text_pdf(tmp_path / "dipa.pdf", ["DIPA tahun anggaran 2010"])
    with open(pdf, "rb") as f:
        filed = client.post("/api/v1/documents", headers={"Authorization": f"Bearer {token}"},
                            data={"title": "DIPA 2010", "classification": "KU.00.00",
                                  "document_date": "2010-01-05", "file": (f, "dipa.pdf")},
                            content_type="multipart/form-data",
                            environ_overrides={"REMOTE_ADDR": office_ip})
    assert filed.status_code == 201, filed.get_json()
    doc_id = filed.get_json()["id"]
    editing.edit_document(archive, officer, doc_id, DocumentEdit(title="DIPA Tahun Anggaran 2010"),
                          client_addr=office_ip)
    documents.view_document(archive, reader, doc_id, desk_ip)
    documents.open_file(archive, reader, doc_id, desk_ip)
    transfer_id = transfer.prepare(archive, officer, handing([doc_id]), client_addr=office_ip)
    out = io.BytesIO()
    transfer.write_zip(archive, officer, transfer_id, out, client_addr=office_ip)

    unpacked = tmp_path / "diterima"
    zipfile.ZipFile(out).extractall(unpacked)
    files = [p for p in unpacked.rglob("*") if p.is_file()]
    assert any(p.name == "riwayat.jsonl" for p in files)
    for needle in (office_ip, desk_ip, "127.0.0.1", "rhartono", "dewi_s", "Dewi Susanti"):
        found = [str(p.relative_to(unpacked)) for p in files if needle.encode() in p.read_bytes()]
        assert found == [], (needle, found)
    history = [json.loads(line) for p in files if p.name == "riwayat.jsonl"
               for line in p.read_text().splitlines()]
    assert [(h["action"], h["by"]) for h in history] == [
        ("document.file", {"name": "Rudi Hartono", "position": "Arsiparis"}),
        ("document.edit", {"name": "Rudi Hartono", "position": "Arsiparis"})]
    assert history[1]["details"]["changes"]["title"]["new"] == "DIPA Tahun Anggaran 2010"
    assert all(h["at"].endswith("Z") and h["document_id"] == doc_id for h in history)
    [meta] = json.loads(next(p for p in files if p.name == "metadata.json").read_text())
    assert meta["created_by"] == {"name": "Rudi Hartono", "position": "Arsiparis"}
    bag_info = next(p for p in files if p.name == "bag-info.txt").read_text()
    assert "Contact-Name: Rudi Hartono" in bag_info


def test_the_csv_files_of_a_package_carry_formulas_only_as_inert_text(
        archive: Archive, docs_dir: Path, officer: Principal) -> None:
    import csv

    from earsip.tabular import FORMULA_PREFIXES

    titles = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3"]
    ids = [file_doc(archive, docs_dir, code="KU.00.00", date=f"201{i}-01-05", title=t)
           for i, t in enumerate(titles)]
    view = transfer_views.get_transfer(archive, officer,
                                       transfer.prepare(archive, officer, handing(ids)))
    data = archive.config.transfer_dir / view.package_name / "data"
    for name, column in (("metadata.csv", "title"), ("daftar_arsip.csv", "uraian")):
        with (data / name).open(encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
        assert [r[column] for r in rows] == ["'" + t for t in titles], name
        assert not [c for r in rows for c in r.values() if c.startswith(FORMULA_PREFIXES)]
