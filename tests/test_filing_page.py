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
          **fields: str):
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


def _value(page: str, name: str) -> str | None:
    """Return the value an input or textarea of the form shows (None when absent)."""
    found = re.search(rf'<input id="{name}" name="{name}"[^>]*value="([^"]*)"', page)
    if found:
        return found.group(1)
    area = re.search(rf'<textarea id="{name}" name="{name}"[^>]*>([^<]*)</textarea>', page)
    return area.group(1) if area else None


def _selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select id="{name}" name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select is not None
    chosen = re.search(r'<option value="([^"]*)" selected', select.group(1))
    return chosen.group(1) if chosen else None


def test_after_a_filing_the_form_forgets_the_letter_but_keeps_the_series_fields(
        client: FlaskClient, tmp_path: Path) -> None:
    _login(client)
    a = filegen.make_text_pdf(tmp_path / "a.pdf", ["surat pertama"])
    b = filegen.make_text_pdf(tmp_path / "b.pdf", ["surat kedua"])
    letter = {"title": "Undangan rapat", "number": "012/KA.00/2024", "sender": "Sekretariat",
              "recipient": "Ketua", "description": "Rapat bulanan", "tags": "rapat",
              "trigger_date": "2024-06-01", "security": "terbatas"}
    r = _post(client, [(a, "a.pdf"), (b, "b.pdf")], **letter)
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert page.count('class="outcome outcome-filed"') == 2
    for name in ("title", "number", "document_date", "sender", "recipient", "description",
                 "tags", "trigger_date"):
        assert _value(page, name) == "", name
    assert _selected(page, "classification") == "KA.00"
    assert _selected(page, "security") == "terbatas"


def test_a_refused_filing_keeps_what_was_typed_to_be_corrected(
        client: FlaskClient, tmp_path: Path) -> None:
    _login(client)
    bad = filegen.make_html_renamed_pdf(tmp_path / "a.pdf")
    r = _post(client, [(bad, "a.pdf"), (bad, "b.pdf")], title="Undangan rapat",
              number="012/KA.00/2024")
    page = r.get_data(as_text=True)
    assert page.count('class="outcome outcome-refused"') == 2
    assert _value(page, "title") == "Undangan rapat"
    assert _value(page, "number") == "012/KA.00/2024"
    assert _value(page, "document_date") == "2024-05-02"
