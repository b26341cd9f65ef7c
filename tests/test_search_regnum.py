"""Regulation numbers: every wording gives one key; a document's own number is told apart."""

from __future__ import annotations

import pytest

from earsip.search.regnum import mentions, own_numbers, query_key


@pytest.mark.parametrize("text", [
    "Nomor 5 Tahun 2020", "NOMOR 5 TAHUN 2020", "No. 5 Th. 2020", "No 5/2020", "No.5/2020,",
    "Nomor: 05 Tahun 2020", "nomor 5 tahun 2020.", "Perbawaslu 5/2020", "PKPU 5 Tahun 2020",
    "(5/2020)", "nomer 5 thn 2020",
])
def test_every_wording_of_a_regulation_number_gives_one_key(text):
    assert mentions(text) == ["5/2020"]


@pytest.mark.parametrize("text", [
    "005/HK.01/K.JI-29/05/2020",  # a letter number ending in the same digits
    "tanggal 5 tahun 2020", "Nomor urut 5 diberikan pada tahun 2020",
    "periode nomor 5 tahun 2020-2024", "Kode 12.5/2020",
])
def test_numbers_that_are_not_regulation_numbers_give_no_key(text):
    assert mentions(text) == []


def test_a_regulation_heading_gives_its_own_number_and_not_those_it_cites():
    first_page = ("SALINAN\nPERATURAN BADAN PENGAWAS PEMILIHAN UMUM\nNOMOR 3 TAHUN 2021\n"
                  "TENTANG\nPERUBAHAN ATAS PERATURAN BAWASLU NOMOR 5 TAHUN 2020\n"
                  "Mengingat : Undang-Undang Nomor 7 Tahun 2017")
    assert own_numbers("Perbawaslu No. 3 Th. 2021 tentang Perubahan", first_page) == ["3/2021"]
    assert own_numbers("UU 11/2008 tentang ITE", "") == ["11/2008"]
    assert mentions(first_page) == ["3/2021", "5/2020", "7/2017"]


@pytest.mark.parametrize(("title", "first_page"), [
    ("Laporan Sosialisasi Peraturan Bawaslu Nomor 5 Tahun 2020",
     "LAPORAN KEGIATAN SOSIALISASI PERATURAN BAWASLU NOMOR 5 TAHUN 2020"),
    ("Keputusan Ketua tentang Tim", "KEPUTUSAN KETUA\nTENTANG\nTIM\nMengingat : Peraturan "
     "Bawaslu Nomor 5 Tahun 2020"),
    ("Surat pemberitahuan", "Nomor : 012/HK.01/K.JI-29/03/2021\nHal : Perbawaslu 5/2020\n"
     "Berdasarkan Peraturan Bawaslu Nomor 5 Tahun 2020"),
])
def test_a_document_that_cites_a_regulation_does_not_take_its_number(title, first_page):
    assert own_numbers(title, first_page) == []


def test_only_the_first_page_counts_for_the_own_number():
    assert own_numbers("Lampiran", "Daftar hadir\f\nPERATURAN BAWASLU NOMOR 5 TAHUN 2020") == []


@pytest.mark.parametrize(("text", "key"), [
    ("Nomor 5 Tahun 2020", "5/2020"), ("No. 5 Th. 2020", "5/2020"), ("5/2020", "5/2020"),
    ("11 Tahun 2008", "11/2008"), ("UU 11/2008", "11/2008"),
    ("Peraturan Bawaslu Nomor 5 Tahun 2020", "5/2020"), ("arsip", None),
])
def test_a_query_names_a_regulation_in_any_wording(text, key):
    assert query_key(text) == key


def test_a_joint_regulation_has_the_number_of_each_issuer():
    first_page = ("PERATURAN BERSAMA\nMENTERI HUKUM DAN HAK ASASI MANUSIA\nDAN\nMENTERI "
                  "KOMUNIKASI DAN INFORMATIKA\nNOMOR 14 TAHUN2015\nNOMOR 26 TAHUN 2015\nTENTANG\n"
                  "PELAKSANAAN")
    assert own_numbers("", first_page) == ["14/2015", "26/2015"]


def test_a_heading_after_a_gazette_header_and_an_older_ministerial_number_are_read():
    assert own_numbers("", "BERITA NEGARA\nNo.62, 2021 KEMENKOMINFO. Perubahan.\nPERATURAN "
                           "MENTERI KOMUNIKASI\nNOMOR 1 TAHUN 2021\nTENTANG\nPERUBAHAN") == [
        "1/2021"]
    assert own_numbers("", "PERATURAN MENTERI KOMUNIKASI DAN INFORMATIKA\nNOMOR : "
                           "38/PER/M.KOMINFO/09/2007\nTENTANG\nPERUBAHAN") == ["38/2007"]


def test_a_citation_that_a_line_break_brings_to_the_start_of_a_line_is_not_a_heading():
    first_page = ("BAWASLU KOTA MOJOKERTO\nDengan hormat, pengawasan dilaksanakan sesuai\n"
                  "Peraturan Bawaslu Nomor 5 Tahun 2020 tentang pengawasan.")
    assert own_numbers("Surat pemberitahuan", first_page) == []
