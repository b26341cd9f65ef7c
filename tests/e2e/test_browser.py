"""A records officer and a staff member use E-Arsip in a real browser (Chromium)."""

from __future__ import annotations

import re
from pathlib import Path

from tests import filegen
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD


def _sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(re.compile(r"/$"))


def _sign_out(page) -> None:
    page.get_by_role("button", name="Keluar", exact=True).click()
    page.wait_for_url(re.compile(r"/login$"))


def test_an_officer_files_two_pdfs_finds_one_previews_and_downloads_it_then_signs_out(
        server: str, browser, tmp_path: Path) -> None:
    first = filegen.make_text_pdf(tmp_path / "Undangan_rapat_pleno.pdf",
                                  ["Undangan rapat pleno rekapitulasi suara kecamatan Prajurit"])
    second = filegen.make_text_pdf(tmp_path / "Laporan_pengawasan.pdf",
                                   ["Laporan pengawasan kampanye di kelurahan Gunung Gedangan"])
    page = browser.new_page(accept_downloads=True)
    _sign_in(page, server, "admin", ADMIN_PASSWORD)

    page.get_by_role("link", name="Arsipkan", exact=True).click()
    page.set_input_files("#file", [str(first), str(second)])
    page.get_by_label("Tanggal dokumen").fill("2024-02-14")
    page.get_by_label("Saring kode klasifikasi").fill("KA.00")
    page.get_by_label("Kode klasifikasi", exact=True).select_option("KA.00")
    page.get_by_role("button", name="Arsipkan").click()
    results = page.locator("#results li.outcome-filed")
    results.nth(1).wait_for()
    assert results.count() == 2
    assert "Undangan_rapat_pleno.pdf" in page.locator("#results").inner_text()

    page.get_by_role("link", name="Cari", exact=True).click()
    page.get_by_label("Kata kunci").fill("rekapitulasi")
    page.get_by_role("button", name="Cari", exact=True).click()
    assert "1 dokumen ditemukan." in page.locator(".total").inner_text()
    assert page.locator(".snippet mark").first.inner_text().lower().startswith("rekapitulasi")
    page.get_by_role("link", name="Undangan rapat pleno").click()

    preview = page.get_by_role("img", name=re.compile("Pratinjau halaman pertama"))
    preview.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=preview.element_handle())
    assert preview.evaluate("img => img.naturalWidth") > 100

    with page.expect_download() as info:
        page.get_by_role("link", name="Unduh berkas asli").click()
    download = info.value
    assert download.suggested_filename == "Undangan_rapat_pleno.pdf"
    assert Path(download.path()).read_bytes() == first.read_bytes()

    _sign_out(page)
    page.goto(f"{server}/")
    page.wait_for_url(re.compile(r"/login"))


def test_a_staff_member_never_sees_a_secret_document_anywhere(
        server: str, browser, tmp_path: Path, upload, make_user) -> None:
    secret = filegen.make_text_pdf(tmp_path / "rahasia.pdf",
                                   ["Nota dinas penanganan pelanggaran netralitas"])
    open_doc = filegen.make_text_pdf(tmp_path / "biasa.pdf",
                                     ["Pengumuman penanganan pelanggaran kampanye"])
    secret_id = upload(secret, title="Nota dinas rahasia", security="rahasia").get_json()["id"]
    upload(open_doc, title="Pengumuman terbuka")
    make_user("staf1", roles=("staf",), clearance="biasa")
    page = browser.new_page()
    _sign_in(page, server, "staf1", USER_PASSWORD)

    assert "Nota dinas rahasia" not in page.content()  # the start page's recent filings
    assert page.get_by_role("link", name="Arsipkan", exact=True).count() == 0
    page.goto(f"{server}/search?q=penanganan")
    assert "1 dokumen ditemukan." in page.locator(".total").inner_text()
    assert "Nota dinas rahasia" not in page.content()
    assert "netralitas" not in page.content()
    for path in (f"/documents/{secret_id}", f"/documents/{secret_id}/preview",
                 f"/documents/{secret_id}/download"):
        response = page.goto(server + path)
        assert response is not None and response.status == 404, path
        assert "Nota dinas rahasia" not in page.content()
    _sign_out(page)


def test_switching_the_language_translates_the_interface_and_back(
        server: str, browser) -> None:
    page = browser.new_page()
    _sign_in(page, server, "admin", ADMIN_PASSWORD)
    assert page.locator("html").get_attribute("lang") == "id"
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Welcome, admin").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_role("heading", name="Search the archive").wait_for()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    page.get_by_role("heading", name="Cari arsip").wait_for()
    assert page.locator("html").get_attribute("lang") == "id"


def test_after_a_drop_of_letters_is_filed_the_form_forgets_them_but_keeps_the_series(
        server: str, browser, tmp_path: Path) -> None:
    first = filegen.make_text_pdf(tmp_path / "Surat_satu.pdf", ["Surat pertama tentang rapat"])
    second = filegen.make_text_pdf(tmp_path / "Surat_dua.pdf", ["Surat kedua tentang rapat"])
    page = browser.new_page()
    _sign_in(page, server, "admin", ADMIN_PASSWORD)
    page.goto(f"{server}/documents/new")
    page.set_input_files("#file", [str(first), str(second)])
    page.fill("#title", "Undangan rapat pleno")
    page.fill("#number", "012/KA.00/2024")
    page.get_by_label("Tanggal dokumen").fill("2024-02-14")
    page.get_by_label("Kode klasifikasi", exact=True).select_option("KA.00")
    page.get_by_label("Klasifikasi keamanan").select_option("terbatas")
    page.fill("#sender", "Sekretariat")
    page.fill("#description", "Rapat bulanan")
    page.get_by_role("button", name="Arsipkan").click()
    page.locator("#results li.outcome-filed").nth(1).wait_for()
    page.wait_for_function("document.querySelector('#filing-form button').disabled === false")
    for field in ("#title", "#number", "#document_date", "#sender", "#recipient",
                  "#trigger_date", "#description", "#tags"):
        assert page.input_value(field) == "", field
    assert page.input_value("#classification") == "KA.00"
    assert page.input_value("#security") == "terbatas"
