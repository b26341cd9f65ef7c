"""The restore drill (`make restore-drill`, docs/DEPLOYMENT.md): back up a populated deployment
on PostgreSQL, restore it into an empty one, and prove the copy sound.

1. Two databases, `<prefix>_src` and `<prefix>_dst`, are made afresh on the server of
   EARSIP_DRILL_DATABASE_URL (or PG_URL; default the Makefile's PG_URL,
   postgresql+psycopg://postgres@127.0.0.1:5432/test), with their folders under a temporary
   directory (or --workdir).
2. The source is populated through the JSON API of the app: documents of several types (PDF,
   plain text, PNG, XLSX), two destroyed through the whole destruction procedure (proposed by an
   archivist, approved by a leader, carried out before two witnesses), two under a legal hold,
   a scanned PDF read by OCR (with its searchable copy), a prepared transfer package, incoming
   and outgoing letters with their numbers, and a signed audit checkpoint.
3. `earsip backup` writes the backup; `earsip restore` puts it into the empty target.
4. On the target `earsip audit verify` and `earsip verify` must pass, and every document
   opens: a kept one's download has the SHA-256 of its row, a destroyed one answers 410 with
   its tombstone; the searchable copy and the transfer package have the SHA-256 they had, the
   holds are back, the letters keep their numbers and searches find what they found before.

Any failure exits non-zero with a message saying what failed. `tests/test_restore_drill.py`
runs `drill()` under `make test-postgres`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from sqlalchemy import create_engine, select, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"  # the Makefile's PG_URL
PASSWORD = "drill-pass-12345"  # noqa: S105 - the drill's own throwaway accounts
HANDOVER = {"recipient_institution": "Dinas Perpustakaan dan Kearsipan Kota Mojokerto",
            "recipient_name": "Rina Wulandari", "recipient_position": "Kepala Bidang Arsip Statis",
            "official_name": "Siti Rahmawati", "official_position": "Kepala Sekretariat"}
WITNESSES = [{"name": "Budi Santoso", "position": "Arsiparis Ahli Muda"},
             {"name": "Dewi Lestari", "position": "Kepala Subbagian Umum"}]


class DrillFailed(Exception):
    """A step of the drill did not hold."""


def check(condition: object, message: str) -> None:
    if not condition:
        raise DrillFailed(message)


@contextmanager
def databases(base_url: str, prefix: str) -> Iterator[tuple[str, str]]:
    """Make `<prefix>_src` and `<prefix>_dst` afresh on the server of `base_url`; drop them
    afterwards. Yield their URLs."""
    server = make_url(base_url)
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    names = [f"{prefix}_src", f"{prefix}_dst"]

    def drop() -> None:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        drop()
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield tuple(server.set(database=n).render_as_string(hide_password=False)  # type: ignore[misc]  # two names
                    for n in names)
    finally:
        drop()
        admin.dispose()


def environment(url: str, root: Path) -> dict[str, str]:
    """Return the EARSIP_* settings of one deployment (its folders under `root`)."""
    return {"EARSIP_DATABASE_URL": url, "EARSIP_UPLOAD_DIR": str(root / "uploads"),
            "EARSIP_INDEX_DIR": str(root / "index"), "EARSIP_INSTANCE_DIR": str(root / "instance"),
            "EARSIP_ADMIN_PASSWORD": PASSWORD, "EARSIP_OCR": "1", "EARSIP_SCHEDULER": "0",
            "EARSIP_SEARCH_BACKEND": os.environ.get("EARSIP_SEARCH_BACKEND") or "whoosh"}


def earsip(env: dict[str, str], *args: str) -> str:
    """Run `earsip ARGS` on a deployment; DrillFailed with its output when it fails."""
    done = subprocess.run([sys.executable, "-m", "earsip", *args], cwd=PROJECT,  # noqa: S603
                          env={**os.environ, **env}, capture_output=True, text=True,
                          check=False)
    output = done.stdout + done.stderr
    check(done.returncode == 0, f"`earsip {' '.join(args)}` failed ({done.returncode}):\n"
                                f"{output}")
    return output


# --------------------------------------------------------------------------- the documents

def pdf(words: str) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, words)
    page.save()
    return out.getvalue()


def tree(folder: Path) -> dict[str, str]:
    """Return the SHA-256 of every file below `folder`, by relative path."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def png(words: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 120), "white")
    ImageDraw.Draw(image).text((10, 50), words, fill="black")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def xlsx(words: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["uraian", "jumlah"])
    sheet.append([words, 3])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def api(client: Any, method: str, path: str, token: str, expect: int,  # noqa: ANN401
        **kwargs: Any) -> Any:  # noqa: ANN401 - Flask's test client and its JSON
    answer = client.open(path, method=method, headers={"Authorization": f"Bearer {token}"},
                         **kwargs)
    check(answer.status_code == expect,
          f"{method} {path} answered {answer.status_code}, not {expect}: "
          f"{answer.get_data(as_text=True)[:500]}")
    return answer.get_json(silent=True)


def populate(env: dict[str, str]) -> dict[str, Any]:
    """Fill the source deployment; return what the restored one must show."""
    from config import Config
    from earsip import audit, create_app
    from earsip.access import Principal
    from earsip.models import Document, Transfer, User
    from earsip.services import Archive
    from earsip.services.access.users import change_password, create_user
    from earsip.services.audit import review
    from tests import scangen

    earsip(env, "init")
    config = Config.from_env(env)
    archive = Archive.open(config)
    app = create_app(config)
    try:
        with archive.db.write() as session:
            create_user(session, "arsip1", PASSWORD, roles=["arsiparis"],
                        clearance="sangat_rahasia", actor=audit.SYSTEM,
                        hash_with=config.password_hash_method)
            create_user(session, "loket", PASSWORD, roles=["petugas_layanan"],
                        clearance="rahasia", actor=audit.SYSTEM,
                        hash_with=config.password_hash_method)
            leader = create_user(session, "ketua", "temporary-pass-123", roles=["pimpinan"],
                                 clearance="sangat_rahasia", actor=audit.SYSTEM,
                                 must_change_password=True,
                                 hash_with=config.password_hash_method)
            leader_id, principal = leader.id, Principal.of(leader)
        # The leader sets a password of their own; the account is dated 8 days back, past the
        # waiting period a new approver serves (docs/ACCESS.md), as a real leader's would be.
        change_password(archive, principal, "temporary-pass-123", PASSWORD, None)
        with archive.db.write() as session:
            session.execute(update(User).where(User.id == leader_id).values(
                created_at=User.created_at - dt.timedelta(days=8)))
        client = app.test_client()
        tokens = {name: client.post("/api/v1/tokens", json={
            "username": name, "password": PASSWORD}).get_json()["token"]
            for name in ("arsip1", "loket", "ketua")}
        officer = tokens["arsip1"]
        recent = (dt.date.today() - dt.timedelta(days=30)).isoformat()
        made = [("pdf", pdf, "laporan.pdf", "KA.00", "2019-03-01"),
                ("pdf", pdf, "undangan.pdf", "KA.00", "2019-04-01"),
                ("pdf", pdf, "nota.pdf", "KA.00", "2019-05-01"),
                ("pdf", pdf, "edaran.pdf", "KA.00", "2019-06-01"),
                ("txt", lambda w: w.encode(), "catatan.txt", "HK.01.01", recent),
                ("png", png, "pindaian.png", "HK.01.01", recent),
                ("xlsx", xlsx, "anggaran.xlsx", "HK.01.01", recent),
                ("dipa", pdf, "dipa.pdf", "KU.00.00", "2010-01-05")]
        filed: dict[str, int] = {}
        words: dict[int, str] = {}
        for kind, make, name, code, day in made:
            word = f"drill{kind}{uuid.uuid4().hex[:8]}"
            body = make(f"Dokumen uji pemulihan {word} kantor Bawaslu")
            doc = api(client, "POST", "/api/v1/documents", officer, 201, data={
                "file": (io.BytesIO(body), name), "title": f"Dokumen {name}",
                "classification": code, "document_date": day},
                content_type="multipart/form-data")
            filed[name] = doc["id"]
            words[doc["id"]] = word
        destroyed = [filed["laporan.pdf"], filed["undangan.pdf"]]
        held = [filed["nota.pdf"], filed["edaran.pdf"]]
        api(client, "POST", "/api/v1/holds", officer, 201, json={
            "reference": "PERKARA-7/2026", "reason": "Sengketa proses pemilu",
            "document_ids": held})
        listing = api(client, "POST", "/api/v1/disposals", officer, 201,
                      json={"document_ids": destroyed, "note": "Uji pemulihan"})
        base = f"/api/v1/disposals/{listing['id']}"
        api(client, "POST", f"{base}/approve", tokens["ketua"], 200, json={
            "reference": "KEP-15/HK.01.01/2026", "password": PASSWORD,
            "decision_date": dt.date.today().isoformat()})
        api(client, "POST", f"{base}/execute", officer, 200, json={
            "berita_acara_number": "BA-01/KA.01.04/2026", "official_name": "Siti Rahmawati",
            "official_position": "Kepala Sekretariat", "witnesses": WITNESSES})
        api(client, "POST", "/api/v1/transfers", officer, 201, json={
            **HANDOVER, "document_ids": [filed["dipa.pdf"]]})
        # A scanned page (no text layer), filed as the operator's import files it: the API's
        # test client leaks the temporary file of a request body this large.
        with tempfile.TemporaryDirectory() as tmp:
            filed["pindaian.pdf"] = scangen.file_scan(archive, scangen.save_scan(
                Path(tmp) / "pindaian.pdf"))
        earsip(env, "ocr", "--pending")  # the scan: its text and its searchable copy
        with archive.db.read() as session:
            copy = session.execute(select(Document.searchable_path, Document.searchable_sha256)
                                   .where(Document.id == filed["pindaian.pdf"])).one()
            package = session.scalar(select(Transfer.package_name))
        check(copy[0], "the scan got no searchable copy (is OCR installed? make system-deps)")
        scanned = api(client, "GET", "/api/v1/search?q=penertiban", officer, 200)["results"]
        check([hit["id"] for hit in scanned] == [filed["pindaian.pdf"]],
              f"the scan's words are not found: {scanned}")
        today = dt.date.today().isoformat()
        agenda = [api(client, "POST", "/api/v1/letters/incoming", tokens["loket"], 201, data={
            "received_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channel": "pos", "letter_number": f"{i}/KA.00/X/01/2026", "letter_date": today,
            "sender": "Kecamatan", "subject": f"Surat masuk {i}", "classification": "KA.00",
            "file": (io.BytesIO(pdf(f"Surat masuk {i} {uuid.uuid4().hex}")), f"sm{i}.pdf")},
            content_type="multipart/form-data")["agenda_number"] for i in range(3)]
        numbers = [api(client, "POST", "/api/v1/letters/outgoing/numbers", tokens["loket"],
                       201, json={"classification": "KA.00", "letter_date": today,
                                  "signatory": "sekretariat", "subject": f"Surat {i}"}
                       )["number"] for i in range(2)]
        review.make_checkpoint(archive, audit.SYSTEM, trigger="on_demand")
        searched = filed["catatan.txt"]
        return {"destroyed": destroyed, "held": held, "agenda": agenda, "numbers": numbers,
                "search": (words[searched], searched), "scan": (filed["pindaian.pdf"], *copy),
                "package": (package, tree(config.transfer_dir / str(package))), "secret": (
                    config.instance_dir / "secret_key").read_bytes()}
    finally:
        app.extensions["earsip"].close()
        archive.close()


# --------------------------------------------------------------------------- the checks

def check_restored(env: dict[str, str], expected: dict[str, Any]) -> int:
    """Open every document of the restored deployment and compare it with its row; check the
    letters, the holds, searches, the searchable copy, the transfer package and the keys. Return
    how many documents were opened."""
    from config import Config
    from earsip import create_app
    from earsip.models import Document, IncomingLetter, OutgoingLetter
    from earsip.services import Archive
    from earsip.services.retention.holds import held_ids

    config = Config.from_env(env)
    app = create_app(config)
    archive: Archive = app.extensions["earsip"]
    try:
        check((config.instance_dir / "secret_key").read_bytes() == expected["secret"],
              "the session secret was not restored")
        client = app.test_client()
        token = client.post("/api/v1/tokens", json={"username": "arsip1", "password": PASSWORD})
        check(token.status_code == 201, f"signing in on the restored deployment: {token.json}")
        bearer = token.get_json()["token"]
        with archive.db.read() as session:
            rows = session.execute(select(Document.id, Document.sha256, Document.disposition)
                                   .order_by(Document.id)).all()
            agenda = sorted(session.scalars(select(IncomingLetter.agenda_number)))
            numbers = sorted(session.scalars(select(OutgoingLetter.number)))
            held = held_ids(session)
        check(held == set(expected["held"]), f"the legal holds differ: {held}")
        scan_id, searchable, searchable_sha = expected["scan"]
        check(hashlib.sha256(archive.store.path_of(searchable).read_bytes()).hexdigest() ==
              searchable_sha, f"document {scan_id}'s searchable copy was not restored intact")
        package, files = expected["package"]
        check(files and tree(config.transfer_dir / package) == files,
              f"the transfer package {package} was not restored intact")
        check(agenda == sorted(expected["agenda"]), f"agenda numbers differ: {agenda}")
        check(numbers == sorted(expected["numbers"]), f"outgoing numbers differ: {numbers}")
        for doc_id, sha, disposition in rows:
            with client.get(f"/api/v1/documents/{doc_id}/file",
                            headers={"Authorization": f"Bearer {bearer}"}) as answer:
                status, body = answer.status_code, answer.get_data()
            if disposition == "destroyed":
                check(status == 410, f"destroyed document {doc_id} answered {status}, not 410")
                continue
            check(status == 200, f"document {doc_id} does not open: {status} {body[:200]!r}")
            check(hashlib.sha256(body).hexdigest() == sha,
                  f"document {doc_id}'s bytes do not match its SHA-256")
        check({r[0] for r in rows if r[2] == "destroyed"} == set(expected["destroyed"]),
              "the destroyed records are not the ones destroyed before the backup")
        word, doc_id = expected["search"]
        found = api(client, "GET", f"/api/v1/search?q={word}", bearer, 200)
        check([hit["id"] for hit in found["results"]] == [doc_id],
              f"searching {word} on the restored deployment: {found}")
        scanned = api(client, "GET", "/api/v1/search?q=penertiban", bearer, 200)["results"]
        check([hit["id"] for hit in scanned] == [scan_id],
              f"searching the scan's words on the restored deployment: {scanned}")
        return len(rows)
    finally:
        archive.close()


def drill(base_url: str, workdir: Path, *, prefix: str = "earsip_drill",
          say: Callable[[str], None] = print) -> None:
    """Run the whole drill; DrillFailed names the step that did not hold."""
    with databases(base_url, prefix) as (src_url, dst_url):
        source, target = environment(src_url, workdir / "src"), environment(dst_url,
                                                                            workdir / "dst")
        say(f"populating {make_url(src_url).database} …")
        expected = populate(source)
        say(earsip(source, "backup", str(workdir / "backup")).strip())
        say(earsip(target, "restore", str(workdir / "backup")).strip())
        say(earsip(target, "audit", "verify").strip())
        say(earsip(target, "verify").strip())
        opened = check_restored(target, expected)
        say(f"restore drill passed: {opened} documents checked in "
            f"{make_url(dst_url).database}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="where the folders and the backup go "
                                                     "(default: a temporary folder, removed)")
    parser.add_argument("--prefix", default=os.environ.get("EARSIP_DRILL_PREFIX",
                                                           "earsip_drill"),
                        help="names of the two databases made and dropped")
    args = parser.parse_args()
    url = os.environ.get("EARSIP_DRILL_DATABASE_URL") or os.environ.get("PG_URL") or DEFAULT_URL
    try:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            drill(url, args.workdir, prefix=args.prefix)
        else:
            with tempfile.TemporaryDirectory(prefix="earsip-drill-") as tmp:
                drill(url, Path(tmp), prefix=args.prefix)
    except DrillFailed as e:
        print(f"RESTORE DRILL FAILED: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - an unreachable server, a missing tool: say so
        print(f"RESTORE DRILL FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
