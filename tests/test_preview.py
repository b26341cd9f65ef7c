"""First-page previews: rendered in a worker, cached, within clearance, never a server error."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from earsip.schemas.retention import DisposalApproval, DisposalProposal
from earsip.services import Archive
from tests import filegen
from tests.approvers import make_approver
from tests.conftest import USER_PASSWORD
from tests.conftest import sign_in as _login


def _image(client: FlaskClient, url: str) -> Image.Image:
    r = client.get(url)
    data = r.get_data()
    r.close()
    assert r.status_code == 200 and r.mimetype == "image/png"
    assert r.headers["Cache-Control"] == "no-store"
    return Image.open(io.BytesIO(data))


def test_a_pdf_document_shows_a_rendered_first_page(client: FlaskClient, upload,
                                                   tmp_path: Path,
                                                   archive: Archive) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["halaman pertama " * 40, "halaman dua"])
    doc_id = upload(pdf).get_json()["id"]
    _login(client)
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert f'src="/documents/{doc_id}/preview"' in page and 'alt="Pratinjau halaman pertama' in page
    image = _image(client, f"/documents/{doc_id}/preview")
    assert max(image.size) == 800 and image.size[0] < image.size[1]  # A4, portrait
    darkest, lightest = image.convert("L").getextrema()
    assert lightest > 240 and darkest < 100  # a white page with text on it
    assert list((archive.config.instance_dir / "previews").rglob("*.png"))  # kept for next time


@pytest.mark.parametrize(("maker", "ext"), [(filegen.make_png, "png"),
                                           (filegen.make_jpeg, "jpg"),
                                           (filegen.make_tiff, "tif")])
def test_an_image_document_shows_a_preview(client: FlaskClient, upload, tmp_path: Path,
                                           maker, ext: str) -> None:
    doc_id = upload(maker(tmp_path / f"scan.{ext}")).get_json()["id"]
    _login(client)
    image = _image(client, f"/documents/{doc_id}/preview")
    assert 0 < max(image.size) <= 800


def test_documents_without_a_page_image_have_no_preview(client: FlaskClient, upload,
                                                        tmp_path: Path) -> None:
    xlsx = filegen.make_xlsx(tmp_path / "a.xlsx", [["isi", "tabel"]])
    doc_id = upload(xlsx).get_json()["id"]
    _login(client)
    assert "/preview" not in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert client.get(f"/documents/{doc_id}/preview").status_code == 404


def test_a_preview_above_the_users_clearance_does_not_exist_for_them(
        client: FlaskClient, upload, tmp_path: Path,
        make_user) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "r.pdf", ["nota rahasia"])
    doc_id = upload(pdf, security="rahasia").get_json()["id"]
    make_user("staf1", clearance="terbatas")
    _login(client, "staf1", USER_PASSWORD)
    assert client.get(f"/documents/{doc_id}/preview").status_code == 404


def test_a_pdf_that_pdfium_cannot_render_gets_no_preview_and_no_error(
        client: FlaskClient, upload, tmp_path: Path,
        archive: Archive) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["teks"])
    doc_id = upload(pdf).get_json()["id"]
    # Damage the stored copy after filing: the archive must cope with what it holds.
    from sqlalchemy import select

    from earsip.models import Document

    with archive.db.read() as session:
        stored = archive.store.path_of(session.scalar(
            select(Document.storage_path).where(Document.id == doc_id)))
    stored.chmod(0o644)
    stored.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 100)
    _login(client)
    assert client.get(f"/documents/{doc_id}/preview").status_code == 404
    assert client.get(f"/documents/{doc_id}").status_code == 200
    [(_, outcome, details)] = _entries(archive, "document.preview")
    assert outcome == "failure" and details is not None
    assert details["reason"] == "preview could not be rendered"
    assert details["detail"]  # PDFium's own account, for whoever investigates


def test_the_document_page_shows_its_retention_timeline_and_history_to_reviewers_only(
        client: FlaskClient, upload, tmp_path: Path,
        make_user) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["laporan"])
    doc_id = upload(pdf, classification="PM.00.02", document_date="2024-08-17").get_json()["id"]
    _login(client)  # admin holds arsiparis: a reviewer
    client.get(f"/documents/{doc_id}/download").close()
    page = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert 'aria-current="step"' in page and "17 Agustus 2026" in page
    history = page.split("<h2>Riwayat</h2>", 1)[1]
    rows = re.findall(r"<tr><td>[^<]+</td><td>([^<]+)</td>\s*<td>([^<]+)</td>", history)
    assert [(who.rsplit("(", 1)[-1].rstrip(")"), what) for who, what in rows] == [
        ("admin", "melihat dokumen"), ("admin", "mengunduh dokumen"),
        ("admin", "mengarsipkan dokumen")]
    make_user("staf1")
    staff = client.application.test_client()
    _login(staff, "staf1", USER_PASSWORD)
    page = staff.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "Riwayat" not in page and 'aria-current="step"' in page


def _entries(archive: Archive, action: str) -> list[tuple[str | None, str, dict | None]]:
    from sqlalchemy import select

    from earsip.models import AuditEntry

    with archive.db.read() as session:
        return [(e.target_id, e.outcome, e.details) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq))]


def test_every_preview_shown_is_its_own_audit_entry_and_a_refused_one_says_why(
        client: FlaskClient, upload, tmp_path: Path, archive: Archive,
        make_user) -> None:
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["isi surat yang dipratinjau"])
    doc_id = upload(pdf).get_json()["id"]
    sheet = filegen.make_xlsx(tmp_path / "b.xlsx", [["isi", "tabel"]])
    docx_id = upload(sheet).get_json()["id"]
    secret_id = upload(filegen.make_text_pdf(tmp_path / "r.pdf", ["nota rahasia"]),
                       security="rahasia").get_json()["id"]
    make_user("staf1", clearance="biasa")
    _login(client, "staf1", USER_PASSWORD)
    _image(client, f"/documents/{doc_id}/preview")  # rendered now
    _image(client, f"/documents/{doc_id}/preview")  # from the cache: still a reading
    assert client.get(f"/documents/{docx_id}/preview").status_code == 404
    assert client.get(f"/documents/{secret_id}/preview").status_code == 404
    assert _entries(archive, "document.preview") == [
        (str(doc_id), "success", {}), (str(doc_id), "success", {}),
        (str(docx_id), "failure", {"reason": "no preview for this file type"})]
    # Nothing is recorded about a record the reader may not see (as for a view).
    with archive.db.read() as session:
        from sqlalchemy import select

        from earsip.models import AuditEntry

        actors = set(session.scalars(select(AuditEntry.actor_name).where(
            AuditEntry.action == "document.preview")))
    assert actors == {"staf1"}


def _inked_rows(image: Image.Image) -> list[int]:
    """Return the rows of a preview that hold any dark pixel (text)."""
    gray = image.convert("L")
    width, height = gray.size
    return [y for y in range(height)
            if min(gray.getpixel((x, y)) for x in range(0, width, 2)) < 128]


def test_a_plain_text_document_shows_its_first_lines_as_a_text_preview(
        client: FlaskClient, upload, tmp_path: Path,
        archive: Archive) -> None:
    short = filegen.make_text_file(tmp_path / "pendek.txt", "Nota dinas\nrapat pleno\n")
    lines = "\n".join(f"baris {n:03d} notulen rapat pleno rekapitulasi" for n in range(200))
    long = filegen.make_text_file(tmp_path / "panjang.txt", lines)
    short_id = upload(short).get_json()["id"]
    long_id = upload(long).get_json()["id"]
    _login(client)
    page = client.get(f"/documents/{long_id}").get_data(as_text=True)
    assert f'src="/documents/{long_id}/preview"' in page
    assert "Pratinjau teks" in page and "bukan tata letak aslinya" in page
    assert "Pratinjau halaman pertama" not in page
    short_image = _image(client, f"/documents/{short_id}/preview")
    long_image = _image(client, f"/documents/{long_id}/preview")
    assert long_image.size == short_image.size
    width, height = long_image.size
    assert height == 800 and width < height  # A4-shaped, portrait
    # Two lines of text ink the top only; 200 lines fill the page down to the 60th line.
    assert max(_inked_rows(short_image)) < height * 0.1
    inked = _inked_rows(long_image)
    assert min(inked) < height * 0.06 and max(inked) > height * 0.9
    assert list((archive.config.instance_dir / "previews").rglob("*.png"))
    assert [o for _, o, _ in _entries(archive, "document.preview")] == ["success", "success"]


def test_a_docx_document_shows_its_text_as_a_text_preview(
        client: FlaskClient, upload, tmp_path: Path) -> None:
    docx = filegen.make_docx(tmp_path / "surat.docx",
                             [f"Paragraf {n} surat undangan rapat" for n in range(10)])
    doc_id = upload(docx).get_json()["id"]
    _login(client)
    assert "Pratinjau teks" in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    image = _image(client, f"/documents/{doc_id}/preview")
    inked = _inked_rows(image)
    assert inked and max(inked) < image.size[1] * 0.3  # ten short paragraphs, near the top


def test_a_huge_single_line_text_preview_reads_only_what_it_draws(
        client: FlaskClient, upload, tmp_path: Path) -> None:
    import time

    big = filegen.make_text_file(tmp_path / "besar.txt", "kata " * 90_000)  # 450 KB, one line
    doc_id = upload(big).get_json()["id"]
    _login(client)
    started = time.monotonic()
    image = _image(client, f"/documents/{doc_id}/preview")
    assert time.monotonic() - started < 10
    assert max(_inked_rows(image)) > image.size[1] * 0.9  # the line wrapped to fill the page


def test_a_destroyed_text_documents_preview_is_shredded_with_it(
        archive: Archive, tmp_path: Path, make_user) -> None:
    import datetime as dt

    from earsip.audit import SYSTEM
    from earsip.services.records import documents as document_service
    from earsip.services.records import ingest
    from earsip.services.records.documents import DocumentInput
    from earsip.services.retention import destruction as disposition
    from earsip.services.retention import destruction_execution
    from tests.helpers import DECIDED, execution, principal_of

    make_user("arsip1", roles=("arsiparis",), clearance="sangat_rahasia")
    leader = make_approver(archive, "ketua")
    officer = principal_of(archive, "arsip1")
    ids = []
    for name, path in (("nota.txt", filegen.make_text_file(tmp_path / "nota.txt",
                                                            "Nota dinas lama\nrapat pleno")),
                       ("surat.docx", filegen.make_docx(tmp_path / "surat.docx",
                                                        ["Surat undangan lama"]))):
        data = DocumentInput(title=name, classification="KA.00",
                             document_date=dt.date(2019, 3, 1))
        ids.append(ingest.file_document(archive, SYSTEM, path, name, data,
                                        clearance=None).document_id)
    previews = []
    for doc_id in ids:
        shown = document_service.preview_file(archive, officer, doc_id)
        assert shown is not None and shown.exists()
        previews.append(shown)
    list_id = disposition.propose(archive, officer, DisposalProposal(document_ids=ids,
                                                                     note="Usul musnah"))
    disposition.approve(archive, leader, list_id, DisposalApproval(reference="KEP-15/HK.01.01/2026",
                                                                   decision_date=DECIDED,
                                                                   password=USER_PASSWORD))
    done = destruction_execution.execute(archive, officer, list_id, execution())
    assert sorted(done.destroyed) == ids
    assert not any(p.exists() for p in previews)
    assert document_service.preview_file(archive, officer, ids[0]) is None
