"""The destruction procedure in a real browser: propose, review, approve, destroy, berita acara."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from pypdf import PdfReader

from tests import filegen
from tests.approvers import make_approver
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.e2e.test_browser import _sign_in, _sign_out


def test_a_list_goes_from_proposal_to_berita_acara_through_the_pages(
        server: str, browser, tmp_path: Path, upload, archive) -> None:
    old = filegen.make_text_pdf(tmp_path / "lama.pdf", ["Surat undangan rapat tahun 2015"])
    kept = filegen.make_text_pdf(tmp_path / "simpan.pdf", ["Nota dinas pengadaan tahun 2015"])
    gone_id = upload(old, title="Undangan rapat 2015", classification="KA.00",
                     document_date="2015-04-01").get_json()["id"]
    upload(kept, title="Nota pengadaan 2015", classification="KA.00",
           document_date="2015-05-01")
    # The proposer is a leader too: the four-eyes rule, not a missing role, keeps them from
    # approving their own list.
    make_approver(archive, "ketua-arsip", roles=("arsiparis", "pimpinan"))
    make_approver(archive, "ketua")
    page = browser.new_page(accept_downloads=True)

    # The records officer draws up the list from what is due, and the committee takes one off.
    _sign_in(page, server, "ketua-arsip", USER_PASSWORD)
    page.get_by_role("link", name="Retensi", exact=True).click()
    page.get_by_role("link", name="Daftar usul musnah").click()
    page.get_by_role("link", name="Susun daftar usul musnah").click()
    page.get_by_label("Pilih Undangan rapat 2015").check()
    page.get_by_label("Pilih Nota pengadaan 2015").check()
    page.get_by_role("button", name="Ajukan daftar untuk dinilai").click()
    page.get_by_role("heading", name=re.compile("Daftar Arsip Usul Musnah DAUM")).wait_for()
    list_url = page.url
    row = page.get_by_role("row", name=re.compile("Nota pengadaan 2015"))
    row.get_by_label("Alasan dikeluarkan").fill("Masih diperlukan untuk pemeriksaan")
    row.get_by_role("button", name="Keluarkan").click()
    page.get_by_text("Butir dikeluarkan dari daftar.").wait_for()
    page.get_by_role("heading", name="Persetujuan pimpinan").wait_for()
    page.get_by_text("Pengusul tidak boleh menyetujui usulannya sendiri").wait_for()
    assert page.get_by_role("button", name="Setujui pemusnahan").count() == 0
    _sign_out(page)

    # A leader who did not propose it approves it.
    _sign_in(page, server, "ketua", USER_PASSWORD)
    page.goto(list_url)
    page.get_by_label("Nomor keputusan persetujuan").fill("KEP-21/HK.01.01/2026")
    page.get_by_label("Tanggal keputusan").fill(dt.date.today().isoformat())
    page.get_by_label("Kata sandi Anda (konfirmasi persetujuan)").fill(USER_PASSWORD)
    page.get_by_role("button", name="Setujui pemusnahan").click()
    page.get_by_text("Daftar disetujui.").wait_for()
    _sign_out(page)

    # The records officer carries it out before two witnesses and gets the berita acara.
    _sign_in(page, server, "admin", ADMIN_PASSWORD)
    page.goto(list_url)
    page.get_by_label("Nomor berita acara").fill("BA-21/KA.01.04/2026")
    page.get_by_label("Nama pejabat pelaksana").fill("Siti Rahmawati")
    page.get_by_label("Jabatan pejabat pelaksana").fill("Kepala Sekretariat")
    page.get_by_label("Nama saksi 1").fill("Budi Santoso")
    page.get_by_label("Jabatan saksi 1").fill("Arsiparis")
    page.get_by_label("Nama saksi 2").fill("Dewi Lestari")
    page.get_by_label("Jabatan saksi 2").fill("Kepala Subbagian Umum")
    page.get_by_role("button", name="Musnahkan dan buat berita acara").click()
    page.get_by_text("Pemusnahan dilaksanakan").wait_for()
    page.get_by_role("link", name="Berita Acara Pemusnahan").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh berkas asli").click()
    text = " ".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "BA-21/KA.01.04/2026" in text and "Undangan rapat 2015" in text
    assert "Nota pengadaan 2015" not in text and "Dewi Lestari" in text

    page.goto(f"{server}/documents/{gone_id}")
    page.get_by_role("heading", name="Arsip ini telah dimusnahkan").wait_for()
    assert page.get_by_role("link", name="Unduh berkas asli").count() == 0
    page.goto(f"{server}/search?q=undangan")
    assert "Undangan rapat 2015" not in page.content()
    _sign_out(page)
