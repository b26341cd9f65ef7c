"""First-page previews: rendered in a worker, cached, within clearance, never a server error."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from PIL import Image

from earsip.services import Archive
from tests import filegen
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
                                                   tmp_path: Path, archive: Archive) -> None:  # type: ignore[no-untyped-def]
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
                                           maker, ext: str) -> None:  # type: ignore[no-untyped-def]
    doc_id = upload(maker(tmp_path / f"scan.{ext}")).get_json()["id"]
    _login(client)
    image = _image(client, f"/documents/{doc_id}/preview")
    assert 0 < max(image.size) <= 800


def test_documents_without_a_page_image_have_no_preview(client: FlaskClient, upload,
                                                        tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    docx = filegen.make_docx(tmp_path / "a.docx", ["isi dokumen"])
    doc_id = upload(docx).get_json()["id"]
    _login(client)
    assert "/preview" not in client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert client.get(f"/documents/{doc_id}/preview").status_code == 404


def test_a_preview_above_the_users_clearance_does_not_exist_for_them(
        client: FlaskClient, upload, tmp_path: Path, make_user) -> None:  # type: ignore[no-untyped-def]
    pdf = filegen.make_text_pdf(tmp_path / "r.pdf", ["nota rahasia"])
    doc_id = upload(pdf, security="rahasia").get_json()["id"]
    make_user("staf1", clearance="terbatas")
    _login(client, "staf1", USER_PASSWORD)
    assert client.get(f"/documents/{doc_id}/preview").status_code == 404


def test_a_pdf_that_pdfium_cannot_render_gets_no_preview_and_no_error(
        client: FlaskClient, upload, tmp_path: Path, archive: Archive) -> None:  # type: ignore[no-untyped-def]
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


def test_the_document_page_shows_its_retention_timeline_and_history_to_reviewers_only(
        client: FlaskClient, upload, tmp_path: Path, make_user) -> None:  # type: ignore[no-untyped-def]
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
        client: FlaskClient, upload, tmp_path: Path, archive: Archive, make_user) -> None:  # type: ignore[no-untyped-def]
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["isi surat yang dipratinjau"])
    doc_id = upload(pdf).get_json()["id"]
    docx = filegen.make_docx(tmp_path / "b.docx", ["isi dokumen"])
    docx_id = upload(docx).get_json()["id"]
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
