"""The filing page: several files at once, one result per file, titles from file names."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from flask.testing import FlaskClient

from tests import filegen
from tests.conftest import csrf_token as _csrf
from tests.conftest import sign_in as _login


def _post(client: FlaskClient, files: list[tuple[Path, str]], *, json: bool = False,
          **fields: str):  # type: ignore[no-untyped-def]
    handles = [open(p, "rb") for p, _ in files]  # noqa: SIM115
    try:
        data: dict[str, object] = {"csrf_token": _csrf(client, "/documents/new"),
                                   "classification": "KA.00",
                                   "document_date": "2024-05-02", **fields,
                                   "file": [(h, name) for h, (_, name) in zip(handles, files,
                                                                              strict=True)]}
        headers = {"Accept": "application/json"} if json else {}
        return client.post("/documents/new", data=data, headers=headers,
                           content_type="multipart/form-data")
    finally:
        for h in handles:
            h.close()


def test_several_files_in_one_post_each_get_their_own_result(client: FlaskClient,
                                                              tmp_path: Path) -> None:
    _login(client)
    a = filegen.make_text_pdf(tmp_path / "a.pdf", ["surat pertama"])
    b = filegen.make_text_pdf(tmp_path / "b.pdf", ["surat kedua"])
    _post(client, [(a, "lama.pdf")])
    html = filegen.make_html_renamed_pdf(tmp_path / "c.pdf")
    r = _post(client, [(a, "Undangan_rapat-pleno.pdf"), (b, "Nota dinas.pdf"),
                       (html, "bukan.pdf")])
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    items = re.findall(r'<li class="outcome outcome-(\w+)"><strong>([^<]+)</strong>', page)
    assert items == [("duplicate", "Undangan_rapat-pleno.pdf"), ("filed", "Nota dinas.pdf"),
                     ("refused", "bukan.pdf")]
    assert "Diarsipkan sebagai dokumen #" in page and "text/html" in page
    assert "Berkas ini sudah diarsipkan sebagai dokumen #1." in page


def test_the_script_path_gets_one_json_result_per_file(client: FlaskClient,
                                                       tmp_path: Path) -> None:
    _login(client)
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["laporan kegiatan"])
    r = _post(client, [(pdf, "laporan_kegiatan_2024.pdf")], json=True)
    [result] = r.get_json()["results"]
    assert result["status"] == "filed" and result["url"] == f"/documents/{result['id']}"
    doc = client.get(result["url"]).get_data(as_text=True)
    assert "<h1>laporan kegiatan 2024</h1>" in doc  # the title comes from the file name
    again = _post(client, [(pdf, "x.pdf")], json=True).get_json()["results"][0]
    assert (again["status"], again["id"]) == ("duplicate", result["id"])


def test_metadata_errors_refuse_the_whole_post_before_any_file_is_stored(
        client: FlaskClient, tmp_path: Path) -> None:
    _login(client)
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["isi"])
    r = _post(client, [(pdf, "a.pdf")], json=True, classification="")
    assert r.status_code == 400 and r.get_json()["field"] == "classification"
    assert client.get("/search?q=isi").get_data(as_text=True).count('class="hit"') == 0


def test_a_given_subject_is_used_as_the_title(client: FlaskClient, tmp_path: Path) -> None:
    _login(client)
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["isi"])
    r = _post(client, [(pdf, "a.pdf")], title="Perihal yang diketik")
    assert r.status_code == 302
    assert "<h1>Perihal yang diketik</h1>" in client.get(r.headers["Location"]).get_data(
        as_text=True)


def test_a_trigger_date_before_the_document_date_is_refused_on_the_page(
        client: FlaskClient, tmp_path: Path) -> None:
    _login(client)
    pdf = filegen.make_text_pdf(tmp_path / "a.pdf", ["isi"])
    today = dt.date.today()
    r = _post(client, [(pdf, "a.pdf")], document_date=today.isoformat(),
              trigger_date=(today - dt.timedelta(days=3)).isoformat())
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "tanggal peristiwa" in page and "tanggal dokumen" in page
    assert client.get("/search?q=isi").get_data(as_text=True).count('class="hit"') == 0
