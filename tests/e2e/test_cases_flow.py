"""The front desk's cases in a real browser: a request from the public form to its answer
(extended, routed, decided, the answer letter numbered and filed, delivered), followed by the
requester on the tracking page; an objection filed with the request's number and code and
decided by the Atasan PPID; a report brought after its window, registered as late and not
registered by the violations unit."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from tests import filegen
from tests.conftest import USER_PASSWORD
from tests.e2e.test_browser import _sign_in


def _request_from_the_public_form(page, server: str) -> tuple[str, str]:
    page.goto(f"{server}/layanan")
    page.get_by_role("link", name=re.compile("Permohonan informasi", re.I)).first.click()
    page.locator("#name").fill("Siti Aminah")
    page.locator("#address").fill("Jl. Majapahit 10, Mojokerto")
    page.locator("#occupation").fill("Mahasiswa")
    page.locator("#phone").fill("081234567890")
    page.locator("#email").fill("siti@example.id")
    page.locator("#identity_number").fill("3576014403900001")
    page.locator("#information").fill("Salinan keputusan penetapan pengawas TPS 2024")
    page.locator("#purpose").fill("Penelitian skripsi")
    page.get_by_label("Mendapatkan salinan informasi (softcopy)").check()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_role("button", name="Kirim permohonan").click()
    page.get_by_text("Permohonan Anda telah dicatat.").wait_for()
    number = page.locator("dd.big").first.inner_text().strip()
    code = page.locator("dd.code").inner_text().strip()
    assert re.fullmatch(r"\d{4}/LSP/\d{4}", number) and len(code) == 14
    return number, code


def _track(page, server: str, number: str, code: str) -> str:
    page.goto(f"{server}/layanan/lacak")
    page.locator("#registration_number").fill(number)
    page.locator("#tracking_code").fill(code)
    page.get_by_role("button", name="Lacak").click()
    page.get_by_text(f"Status layanan {number}").wait_for()
    return page.locator("dd.big").inner_text().strip()


def _open_case(page, server: str, number: str, query: str = "") -> None:
    page.goto(f"{server}/cases{query}")
    page.get_by_role("link", name=number).click()
    page.get_by_role("heading", name=f"Layanan {number}").wait_for()


def test_a_request_from_the_public_form_is_extended_routed_answered_and_followed_by_its_requester(  # noqa: E501
        server: str, browser, tmp_path: Path, make_user: Callable[..., str]) -> None:
    make_user("ppid1", roles=("ppid",), clearance="rahasia")
    make_user("kasubag", roles=("staf",), clearance="rahasia")
    public = browser.new_context().new_page()
    number, code = _request_from_the_public_form(public, server)
    assert _track(public, server, number, code) == "Terdaftar"

    ppid = browser.new_context().new_page()
    _sign_in(ppid, server, "ppid1", USER_PASSWORD)
    _open_case(ppid, server, number)
    ppid.locator("#extend-reason").fill("Informasi berada pada beberapa unit kerja")
    ppid.get_by_role("button", name="Perpanjang").click()
    ppid.get_by_text("Jangka waktu layanan diperpanjang.").wait_for()
    ppid.locator("#route-to").select_option("kasubag")
    ppid.locator("#route-instruction").fill("siapkan salinan SK")
    ppid.get_by_role("button", name="Kirim disposisi").click()
    ppid.get_by_text("Layanan didisposisikan.").wait_for()

    unit = browser.new_context().new_page()
    _sign_in(unit, server, "kasubag", USER_PASSWORD)
    unit.goto(f"{server}/notifications")
    unit.get_by_role("link", name=f"Disposisi layanan {number}").click()
    unit.get_by_role("textbox", name="Catatan tindak lanjut").fill("Salinan SK terlampir")
    unit.get_by_label(re.compile("^Dokumen .boleh")).set_input_files(str(
        filegen.make_text_pdf(tmp_path / "sk.pdf", ["Keputusan penetapan pengawas TPS"])))
    unit.get_by_role("button", name="Selesaikan disposisi").click()
    unit.get_by_text("Tindak lanjut disposisi dicatat.").wait_for()

    ppid.reload()
    ppid.get_by_text("Salinan SK terlampir").first.wait_for()
    ppid.locator("#outcome").select_option("dikabulkan")
    ppid.get_by_role("button", name="Catat keputusan").click()
    ppid.get_by_text("Keputusan dicatat.").wait_for()
    ppid.locator("#answer-file").set_input_files(str(
        filegen.make_text_pdf(tmp_path / "jawaban.pdf", ["Jawaban atas permohonan informasi"])))
    ppid.get_by_role("button", name="Ambil nomor surat jawaban").click()
    ppid.get_by_text("Surat jawaban diberi nomor.").wait_for()
    assert re.search(r"\d+/HM\.00\.02/", ppid.content())
    ppid.locator("#method").select_option("email")
    ppid.get_by_role("button", name="Catat penyampaian").click()
    ppid.get_by_text("Penyampaian jawaban dicatat; layanan selesai.").wait_for()

    assert _track(public, server, number, code) == "Selesai"
    statuses = public.locator("table.public-table tbody tr").count()
    assert statuses >= 5  # registered, extended, routed, followed up, decided, ... delivered
    assert "Siti" not in public.content()


def test_the_requester_objects_with_number_and_code_and_the_atasan_ppid_decides(
        server: str, browser, make_user: Callable[..., str]) -> None:
    make_user("ketua", roles=("pimpinan",), clearance="sangat_rahasia")
    public = browser.new_context().new_page()
    number, code = _request_from_the_public_form(public, server)
    public.goto(f"{server}/layanan/keberatan")
    public.locator("#registration_number").fill(number)
    public.locator("#tracking_code").fill(code)
    public.get_by_label(re.compile("tidak ditanggapinya permintaan informasi")).check()
    public.locator("#description").fill("Permohonan saya belum ditanggapi")
    public.get_by_role("button", name="Kirim keberatan").click()
    public.get_by_text("Keberatan Anda telah dicatat.").wait_for()
    objection = public.locator("dd.big").first.inner_text().strip()
    objection_code = public.locator("dd.code").inner_text().strip()
    assert objection != number and objection_code != code

    head = browser.new_context().new_page()
    _sign_in(head, server, "ketua", USER_PASSWORD)
    _open_case(head, server, objection, "?type=keberatan")
    head.get_by_text(number).first.wait_for()  # the request it is about
    head.locator("#outcome").select_option("dikabulkan")
    head.locator("#decision-note").fill("PPID diperintahkan menjawab dalam 3 hari kerja")
    head.get_by_role("button", name="Catat keputusan").click()
    head.get_by_text("Keputusan dicatat.").wait_for()
    assert _track(public, server, objection, objection_code) == "Dijawab"


def test_a_report_brought_after_its_window_is_registered_as_late_and_not_registered_by_the_unit(
        server: str, browser, make_user: Callable[..., str]) -> None:
    make_user("loket", roles=("petugas_layanan",), clearance="rahasia")
    make_user("gakkum", roles=("penanganan_pelanggaran",), clearance="rahasia")
    today = dt.date.today()
    desk = browser.new_context().new_page()
    _sign_in(desk, server, "loket", USER_PASSWORD)
    desk.goto(f"{server}/cases/new?type=laporan_pelanggaran")
    desk.locator("#reporter_name").fill("Budi Prasetyo")
    desk.locator("#reported_party").fill("Tim kampanye calon X")
    desk.locator("#event").fill("Pembagian uang kepada pemilih")
    desk.locator("#place").fill("Kelurahan Kranggan")
    desk.locator("#occurred_on").fill((today - dt.timedelta(days=30)).isoformat())
    desk.locator("#known_on").fill((today - dt.timedelta(days=25)).isoformat())
    desk.locator("#description").fill("Uang dibagikan di rumah warga")
    desk.get_by_role("button", name="Catat layanan").click()
    number = desk.locator("strong").filter(has_text=re.compile(r"/LSP/")).first.inner_text()
    desk.goto(f"{server}/cases?type=laporan_pelanggaran")
    desk.get_by_text("diajukan terlambat").wait_for()

    unit = browser.new_context().new_page()
    _sign_in(unit, server, "gakkum", USER_PASSWORD)
    _open_case(unit, server, number.strip())
    unit.get_by_text("Diajukan melewati batas waktu pengajuan.").wait_for()
    assert "Budi Prasetyo" in unit.content()  # the reporter: the unit's own
    unit.locator("#outcome").select_option("tidak_diregistrasi")
    unit.locator("#decision-note").fill("Melewati 7 hari kerja sejak diketahui")
    unit.get_by_role("button", name="Catat keputusan").click()
    unit.get_by_text("Keputusan dicatat.").wait_for()
    desk.goto(f"{server}/cases?type=laporan_pelanggaran")
    assert "Budi Prasetyo" not in desk.content()
