"""The front desk in a real browser: a letter registered from its file (prefill), routed,
forwarded and followed up; a number reserved and its signed letter filed; a signed PDF
verified against the office's trust roots."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from config import Config
from tests import letters_corpus
from tests.conftest import USER_PASSWORD, serving
from tests.e2e.test_browser import _sign_in, _sign_out
from tests.signing_fixtures import Pki, make_pki, signed_pdf


def _signed(pki: Pki, path: Path, **kwargs: str) -> Path:
    """Sign in another thread: pyHanko runs its own event loop, and Playwright's is running."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(signed_pdf, pki, path, **kwargs).result()


def _desk_users(make_user: Callable[..., str]) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    make_user("kasubag", roles=("staf",), clearance="rahasia")


def test_a_letter_is_registered_from_its_file_routed_forwarded_and_followed_up(
        server: str, browser, tmp_path: Path, make_user: Callable[..., str]) -> None:
    _desk_users(make_user)
    letter = next(x for x in letters_corpus.generate(tmp_path / "surat", count=3)
                  if not x.scanned and x.letter_number and x.letter_date)
    page = browser.new_page()

    # The desk drops the letter on the form: its fields are proposed, then confirmed.
    _sign_in(page, server, "loket", USER_PASSWORD)
    page.get_by_role("link", name="Meja layanan").click()
    page.get_by_role("link", name="Catat surat masuk").first.click()
    page.get_by_label("Pindaian atau PDF surat").set_input_files(
        str(tmp_path / "surat" / letter.name))
    page.get_by_text("Isian diusulkan dari surat").wait_for()
    assert page.get_by_label("Nomor surat").input_value() == letter.letter_number
    assert page.get_by_label("Tanggal surat").input_value() == letter.letter_date.isoformat()
    if not page.get_by_label("Pengirim (instansi)").input_value():
        page.get_by_label("Pengirim (instansi)").fill("Pengirim uji")
    if not page.get_by_label("Perihal").input_value():
        page.get_by_label("Perihal").fill("Surat uji")
    if not page.get_by_label("Kode klasifikasi").input_value():
        page.get_by_label("Kode klasifikasi").select_option("KA.00")
    page.get_by_label("Sifat").select_option("segera")
    page.get_by_role("button", name="Catat surat").click()
    page.get_by_text(re.compile(r"Surat dicatat dengan nomor agenda 1/SM/\d{4}")).wait_for()
    letter_url = page.url

    # The desk sends it to the head.
    page.get_by_label("Kepada (boleh lebih dari satu)").select_option("ketua")
    page.get_by_role("button", name="Kirim disposisi").click()
    page.get_by_text("Disposisi dikirim.").wait_for()
    _sign_out(page)

    # The head sees it waiting, reads it and forwards it with an instruction of their own.
    _sign_in(page, server, "ketua", USER_PASSWORD)
    page.get_by_role("link", name=re.compile(r"^Pemberitahuan\s*1")).click()
    page.get_by_role("link", name=re.compile("Disposisi baru dari loket")).click()
    page.get_by_text(re.compile(r"^dibaca \d")).first.wait_for()  # opening it is reading it
    forward = page.locator("form", has=page.get_by_role("heading", name="Teruskan"))
    forward.get_by_label("Kepada (boleh lebih dari satu)").select_option("kasubag")
    forward.get_by_label("Instruksi", exact=True).select_option("_other")
    forward.get_by_label("Instruksi lain").fill("siapkan jawaban")
    forward.get_by_role("button", name="Kirim disposisi").click()
    page.get_by_text("Disposisi diteruskan.").wait_for()
    _sign_out(page)

    # The officer closes it with a note and the draft answer, filed into the archive.
    draft = tmp_path / "jawaban.pdf"
    from tests import filegen
    filegen.make_text_pdf(draft, ["Konsep jawaban atas surat"])
    _sign_in(page, server, "kasubag", USER_PASSWORD)
    page.goto(letter_url)
    page.get_by_label("Catatan tindak lanjut").fill("Konsep jawaban sudah disiapkan")
    page.get_by_label("Dokumen tindak lanjut (opsional)").set_input_files(str(draft))
    page.get_by_role("button", name="Selesai").click()
    page.get_by_text("Disposisi selesai ditindaklanjuti.").wait_for()
    assert page.get_by_text("Konsep jawaban sudah disiapkan").count() >= 1
    page.get_by_role("link", name="Disposisi", exact=True).click()
    page.get_by_text("Tidak ada disposisi di sini.").wait_for()
    _sign_out(page)


def test_a_reserved_number_gets_its_signed_letter_filed(
        server: str, browser, tmp_path: Path, make_user: Callable[..., str]) -> None:
    _desk_users(make_user)
    pki = make_pki(tmp_path)
    signed = _signed(pki, tmp_path / "keluar.pdf", text="Undangan sosialisasi pengawasan")
    page = browser.new_page()
    _sign_in(page, server, "loket", USER_PASSWORD)
    page.get_by_role("link", name="Meja layanan").click()
    page.get_by_role("link", name="Agenda surat keluar").click()
    page.get_by_label("Kode klasifikasi").select_option("KA.00")
    page.get_by_label("Penanda tangan").select_option("ketua")
    page.get_by_label("Perihal", exact=True).fill("Undangan sosialisasi pengawasan")
    page.get_by_label("Pesan saja").check()
    page.get_by_role("button", name="Ambil nomor").click()
    page.get_by_text(re.compile(r"Nomor surat keluar: 1/KA\.00/K\.JI-XX/\d\d/\d{4}")).wait_for()
    row = page.get_by_role("row", name=re.compile("Undangan sosialisasi pengawasan"))
    assert "dipesan" in row.inner_text()
    row.get_by_label("Surat bertanda tangan").set_input_files(str(signed))
    row.get_by_role("button", name="Arsipkan").click()
    page.get_by_text(re.compile(r"Surat 1/KA\.00/.* diarsipkan\.")).wait_for()
    row = page.get_by_role("row", name=re.compile("Undangan sosialisasi pengawasan"))
    assert "diarsipkan" in row.inner_text() and "dokumen #" in row.inner_text()


def test_a_signed_letter_is_verified_against_the_offices_trust_roots(
        archive, config: Config, browser, tmp_path: Path,
        make_user: Callable[..., str]) -> None:
    _desk_users(make_user)
    pki = make_pki(tmp_path, signer="Rahmat Hidayat")
    signed = _signed(pki, tmp_path / "ttd.pdf", text="Nomor: 5/HK.01.00/K1/01/2026")
    with serving(replace(config, testing=False, trust_roots=pki.trust_dir)) as url:
        page = browser.new_page()
        _sign_in(page, url, "loket", USER_PASSWORD)
        page.goto(f"{url}/letters/incoming/new")
        page.get_by_label("Pindaian atau PDF surat").set_input_files(str(signed))
        page.get_by_text(re.compile("Tanda tangan elektronik Rahmat Hidayat.*sah dan terpercaya"))\
            .wait_for()
        page.get_by_label("Nomor surat").fill("5/HK.01.00/K1/01/2026")
        page.get_by_label("Tanggal surat").fill("2026-01-05")
        page.get_by_label("Pengirim (instansi)").fill("Bawaslu RI")
        page.get_by_label("Perihal").fill("Surat edaran bertanda tangan")
        page.get_by_label("Kode klasifikasi").select_option("KA.00")
        page.get_by_role("button", name="Catat surat").click()
        page.get_by_text("Surat dicatat dengan nomor agenda").wait_for()
        signatures = page.locator("li.signature-valid")
        assert "Rahmat Hidayat" in signatures.inner_text()
        assert "sah dan terpercaya" in signatures.inner_text()
