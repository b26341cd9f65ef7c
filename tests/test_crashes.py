"""Crashes: `kill -9` of a live server in the middle of filing loses nothing acknowledged.

The server is killed by its own fault points (`earsip/faults.py`) at each step of ingest, then
restarted; after every restart the archive must be whole. `make test` runs one trial per point;
`make soak` runs 50 (EARSIP_CRASH_TRIALS), with the kill on the first, second or third upload.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from earsip.faults import FILING_POINTS as POINTS
from earsip.models import AuditEntry
from earsip.services import Archive
from earsip.services.audit.review import verify_chain
from tests.helpers import assert_archive_whole
from tests.helpers import file_hash as _file_hash
from tests.live import CONNECTION_LOST, FIELDS, Client, LiveServer, pdf_bytes, sha256

TRIALS = int(os.environ.get("EARSIP_CRASH_TRIALS") or len(POINTS))
# Points before the row's commit: the upload in flight must not be filed, and its bytes are
# kept in quarantine. After it: it is filed (its answer was lost with the live_server).
BEFORE_COMMIT = {"ingest.received", "store.claimed", "store.linked", "ingest.moved",
                 "audit.appended"}



def quarantined_hashes(archive: Archive) -> set[str]:
    return {_file_hash(p) for p in archive.store.quarantine_dir.iterdir() if p.is_file()}


def test_kill_9_at_every_step_of_filing_loses_no_acknowledged_upload(
        archive: Archive, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start().url).sign_in()
    live_server.stop()
    acknowledged: dict[int, str] = {}
    for trial in range(TRIALS):
        point = POINTS[trial % len(POINTS)]
        nth = 1 + (trial // len(POINTS)) % 3
        live_server.start(faults=f"{point}=kill@{nth}")
        client.url = live_server.url
        in_flight = None
        for i in range(nth):
            payload = pdf_bytes(tmp_path, f"Surat percobaan {trial} nomor {i} titik {point}")
            try:
                status, body, _ = client.upload(payload, {**FIELDS, "title": f"Uji {trial}.{i}"})
            except CONNECTION_LOST:
                in_flight = sha256(payload)
                break
            assert status == 201, body
            acknowledged[body["id"]] = sha256(payload)
        assert in_flight is not None, f"{point}@{nth} did not fire"
        assert live_server.wait_exit() == -9, live_server.log()

        live_server.start()  # the restart: recovery runs before the server answers
        filed = assert_archive_whole(archive, acknowledged)
        if point in BEFORE_COMMIT:
            assert in_flight not in filed, f"{point}: an unacknowledged upload was filed"
            assert in_flight in quarantined_hashes(archive), f"{point}: bytes not quarantined"
        else:
            assert in_flight in filed, f"{point}: a committed upload was lost"
        live_server.stop()
    assert len(acknowledged) == sum(1 + (t // len(POINTS)) % 3 - 1 for t in range(TRIALS))


def test_the_quarantine_of_a_crashed_upload_is_audited(
        archive: Archive, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start(faults="ingest.moved=kill").url).sign_in()
    with pytest.raises(CONNECTION_LOST):
        client.upload(pdf_bytes(tmp_path, "Surat yang terputus"), {**FIELDS, "title": "Putus"})
    live_server.wait_exit()
    live_server.start()
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "storage.quarantine")).one()
    assert entry.actor_name == "system" and entry.details["count"] == 1
    [kept] = entry.details["files"]
    assert (archive.store.quarantine_dir / kept).is_file()


def test_kill_9_while_an_edit_writes_its_audit_entry_leaves_neither_the_edit_nor_the_entry(
        archive: Archive, live_server: LiveServer, tmp_path: Path) -> None:
    client = Client(live_server.start().url).sign_in()
    status, doc, _ = client.upload(pdf_bytes(tmp_path, "Surat yang akan diubah"),
                                   {**FIELDS, "title": "Judul lama"})
    assert status == 201, doc
    live_server.stop()
    client.url = live_server.start(faults="audit.appended=kill").url
    with pytest.raises(CONNECTION_LOST):
        client.request("PATCH", f"/api/v1/documents/{doc['id']}",
                       data=json.dumps({"title": "Judul baru"}).encode(),
                       headers={"Content-Type": "application/json"})
    assert live_server.wait_exit() == -9
    client.url = live_server.start().url
    assert client.get(f"/api/v1/documents/{doc['id']}")[1]["title"] == "Judul lama"
    with archive.db.read() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "document.edit")) == 0
    assert verify_chain(archive).intact
    # The same edit, without the fault, is written with its entry.
    status, body, _ = client.request("PATCH", f"/api/v1/documents/{doc['id']}",
                                     data=json.dumps({"title": "Judul baru"}).encode(),
                                     headers={"Content-Type": "application/json"})
    assert status == 200 and body["title"] == "Judul baru", body
    assert_archive_whole(archive, {doc["id"]: doc["file"]["sha256"]})
