"""Concurrent uploads to a live server: every acknowledged upload is wholly filed, and no client
ever sees a server error or "database is locked".

Four clients upload PDFs of 100 KB to 5 MB at once to `earsip serve` (waitress, 3 worker
threads). `make test` sends 4 × 10; `make soak` sends 4 × 100 (EARSIP_CONCURRENT_UPLOADS) on
SQLite and on PostgreSQL, and docs/RELIABILITY.md records the figures.
"""

from __future__ import annotations

import json
import os
import random
import threading
from collections import Counter
from pathlib import Path

from earsip.services import Archive
from tests.helpers import MAX_SIZE, MIN_SIZE, assert_archive_whole
from tests.live import FIELDS, Client, LiveServer, pdf_bytes, run_together, sha256

CLIENTS = 4
PER_CLIENT = int(os.environ.get("EARSIP_CONCURRENT_UPLOADS") or 10)


def _corpus(folder: Path, client: int, count: int) -> list[Path]:
    """Write `count` distinct PDFs of 100 KB to 5 MB (log-uniform, so most are small)."""
    rng = random.Random(client)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        size = int(MIN_SIZE * (MAX_SIZE / MIN_SIZE) ** rng.random())
        if i == 0:
            size = MAX_SIZE if client == 0 else MIN_SIZE  # both ends, every run
        path = folder / f"{client}-{i}.pdf"
        path.write_bytes(pdf_bytes(folder, f"Surat klien {client} nomor {i} tentang anggaran "
                                           f"pengawasan", size=size, seed=f"{client}.{i}"))
        paths.append(path)
    return paths


def test_four_clients_uploading_at_once_get_no_errors_and_every_upload_is_filed(
        archive: Archive, cli_env: dict[str, str], tmp_path: Path) -> None:
    server = LiveServer(cli_env, tmp_path / "server.log", threads=3)
    corpora = [_corpus(tmp_path / "pdf", c, PER_CLIENT) for c in range(CLIENTS)]
    acknowledged: dict[int, str] = {}
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    lock = threading.Lock()
    try:
        client = Client(server.start().url).sign_in()

        def run(paths: list[Path]) -> None:
            for path in paths:
                payload = path.read_bytes()
                try:
                    status, body, _ = client.upload(payload, {**FIELDS, "title": path.stem},
                                                    filename=path.name)
                except Exception as e:  # noqa: BLE001 - counted as a failure below
                    status, body = 0, {"exception": repr(e)}
                with lock:
                    statuses[status] += 1
                    if status == 201:
                        acknowledged[body["id"]] = sha256(payload)
                    else:
                        failures.append(f"{path.name}: {status} {body}")

        elapsed = run_together([threading.Thread(target=run, args=(paths,))
                                for paths in corpora])
    finally:
        server.stop()
    assert not failures, failures[:5]
    assert "database is locked" not in server.log()
    assert statuses == {201: CLIENTS * PER_CLIENT}
    assert len(assert_archive_whole(archive, acknowledged)) == CLIENTS * PER_CLIENT
    megabytes = sum(p.stat().st_size for c in corpora for p in c) / 1024 / 1024
    print(json.dumps({"uploads": CLIENTS * PER_CLIENT, "clients": CLIENTS, "seconds":
                      round(elapsed, 1), "megabytes": round(megabytes, 1),
                      "uploads_per_s": round(CLIENTS * PER_CLIENT / elapsed, 2),
                      "database": archive.config.database_url.split(":", 1)[0]}))
