"""Prefill from the document: the fields read from an incoming letter's text, and the accuracy
measured on a generated corpus of typed and scanned letters read by the real extraction and OCR."""

from __future__ import annotations

import datetime as dt
import random
import time
from pathlib import Path

import pytest

from earsip.letterparse import LetterFields, parse_letter
from tests import letters_corpus

TODAY = dt.date(2026, 1, 15)

KOP_BAWASLU = """BADAN PENGAWAS PEMILIHAN UMUM
KOTA SUKAMAJU
Jalan Merak Nomor 9 Sukamaju 61300, Telepon (0321) 555 010
Laman: sukamaju.bawaslu.example, Surel: set@sukamaju.example
"""


def parse(text: str) -> LetterFields:
    return parse_letter(text, today=TODAY)


# --------------------------------------------------------------------------- letter numbers

@pytest.mark.parametrize(("line", "number", "code"), [
    ("Nomor : 197/PM.00.02/K.JI-11.07/06/2024", "197/PM.00.02/K.JI-11.07/06/2024", "PM.00.02"),
    ("Nomor: 314/HK.01.00/K1/09/2022", "314/HK.01.00/K1/09/2022", "HK.01.00"),
    ("No. 0207.1/PP.00.00/K1/01/2023", "0207.1/PP.00.00/K1/01/2023", "PP.00.00"),
    ("NOMOR : B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016",
     "B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016", "KP.01.00"),
])
def test_a_bawaslu_number_after_its_label_is_found_with_the_classification_code_inside(
        line: str, number: str, code: str) -> None:
    found = parse(f"{KOP_BAWASLU}{line}\nSifat : Biasa\nPerihal : Undangan\n")
    assert found.letter_number == number
    assert found.classification == code


def test_a_letter_number_with_roman_month_is_found() -> None:
    found = parse("Nomor : B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016\nSemarang, 4 Juli 2016")
    assert found.letter_number == "B.023/BAWASLU-PROV.JT-07/KP.01.00/VII/2016"
    assert found.letter_date == dt.date(2016, 7, 4)


@pytest.mark.parametrize("number", ["005/123/417.302/2024", "800/1234/KPU-Kot/III/2024",
                                    "045/DPC-PPNR/MJK/III/2024", "12/PL.02.1-SD/3576/2024"])
def test_other_institutions_numbers_are_found_without_a_classification_code(number: str) -> None:
    found = parse(f"PEMERINTAH KOTA SUKAMAJU\nNomor : {number}\nHal : Permohonan data\n")
    assert found.letter_number == number
    assert found.classification is None


def test_an_unlabelled_number_in_the_header_is_found() -> None:
    found = parse(f"{KOP_BAWASLU}\n005/123/417.302/2024\nSukamaju, 12 Maret 2024\n"
                  "Hal : Permohonan data\n\nDengan hormat,\nIsi surat.")
    assert found.letter_number == "005/123/417.302/2024"


def test_ocr_spaces_around_slashes_and_the_letter_o_for_zero_are_tolerated() -> None:
    found = parse("Nomor : 197 / PM.OO.O2 /K.JI-11.07/ O6 /2O24\nPerihal : Undangan")
    assert found.letter_number == "197/PM.00.02/K.JI-11.07/06/2024"
    assert found.classification == "PM.00.02"


def test_spaces_ocr_put_inside_a_labelled_number_are_closed() -> None:
    found = parse("Nomor : 932/PM.00.00/K1/1 2/2023. Jakarta, 8 Desember 2023\nHal : Data")
    assert found.letter_number == "932/PM.00.00/K1/12/2023"
    assert found.letter_date == dt.date(2023, 12, 8)
    assert parse("Nomor : B.097/BAWASLU-PROV.JT-07/PR.01 .00/VI/2018").classification == \
        "PR.01.00"


def test_a_roman_month_whose_i_was_read_as_one_is_restored() -> None:
    assert parse("Nomor : B.097/BAWASLU-PROV.JT-07/PR.01.00/V1/2018").letter_number == \
        "B.097/BAWASLU-PROV.JT-07/PR.01.00/VI/2018"


def test_a_roman_month_is_not_turned_into_digits() -> None:
    assert parse("Nomor : 800/1234/KPU-Kot/II/2024").letter_number == \
        "800/1234/KPU-Kot/II/2024"


def test_a_number_drawn_in_two_columns_comes_back_to_its_label() -> None:
    found = parse("Nomor\n: 314/HK.01.00/K1/09/2022\nSifat\n: Biasa\nHal\n: Undangan Rapat\n")
    assert found.letter_number == "314/HK.01.00/K1/09/2022"
    assert found.subject == "Undangan Rapat"


def test_a_label_column_read_apart_from_its_values_by_ocr_is_paired_again() -> None:
    text = ("Nomor\nSifat\nLampiran\nPerihal\n\nSukamaju, 3 Mei 2024\n\n: 12/KA.02.00/JI-38/05/2024"
            "\n: Biasa\n: -\n: Penyampaian Laporan\n\nDengan hormat,")
    found = parse(text)
    assert found.letter_number == "12/KA.02.00/JI-38/05/2024"
    assert found.subject == "Penyampaian Laporan"
    assert found.letter_date == dt.date(2024, 5, 3)


def test_a_number_referenced_in_the_body_is_not_taken_for_the_letters_own() -> None:
    text = (f"{KOP_BAWASLU}Sukamaju, 12 Maret 2024\nHal : Permohonan data\n\nDengan hormat,\n"
            "Menindaklanjuti surat Ketua Bawaslu Provinsi Nomor\n"
            "123/PM.00.01/K.JI/03/2024 tanggal 1 Maret 2024, kami sampaikan ...")
    assert parse(text).letter_number is None


def test_a_numeric_date_and_a_web_address_are_not_taken_for_a_number() -> None:
    found = parse("12/03/2024\nwww.sukamaju.example/arsip/2024/03\nHal : Data")
    assert found.letter_number is None


# --------------------------------------------------------------------------- dates

@pytest.mark.parametrize("written", [
    "Mojokerto, 12 Maret 2024", "12 Maret 2024", "12-03-2024", "12/03/2024", "12.03.2024",
    "12 Mar 2024", "12 March 2024", "March 12, 2024", "Mojokerto, 12-03-2024",
    "Mojokerto, 2 Ramadan 1445 H / 12 Maret 2024 M", "Mojokerto, 12 Maret 2O24",
])
def test_a_letter_date_is_read_in_each_common_format(written: str) -> None:
    found = parse(f"{KOP_BAWASLU}{written}\nNomor : 005/123/417.302/2024\nHal : Data\n")
    assert found.letter_date == dt.date(2024, 3, 12)


def test_the_place_and_date_line_wins_over_dates_in_the_body() -> None:
    text = (f"{KOP_BAWASLU}Nomor : 12/PM.00.02/K.JI-38/03/2024\nPerihal : Undangan\n\n"
            "Dengan hormat,\nMenindaklanjuti surat tanggal 1 Maret 2024, rapat dilaksanakan "
            "pada hari Senin, 18 Maret 2024.\nHari/Tanggal : Selasa, 19 Maret 2024\n"
            "Sukamaju, 12 Maret 2024\nKetua,\n\nNama Pejabat")
    assert parse(text).letter_date == dt.date(2024, 3, 12)


def test_the_place_and_date_beside_the_number_on_one_line_is_found() -> None:
    text = "Nomor : 12/PM.00.02/K.JI-38/03/2024 Sukamaju, 12 Maret 2024\nHal : Undangan"
    assert parse(text).letter_date == dt.date(2024, 3, 12)


def test_a_meeting_day_in_the_body_is_not_the_letter_date() -> None:
    text = (f"{KOP_BAWASLU}Hal : Undangan\n\nDengan hormat,\nRapat pada hari Senin, 18 Maret "
            "2024 di Aula Sukamaju, 20 Maret 2024 dilanjutkan.")
    assert parse(text).letter_date is None


@pytest.mark.parametrize("written", ["Sukamaju, 31 Februari 2024", "Sukamaju, 30-02-2024",
                                     "Sukamaju, 12 Maret 2027", "Sukamaju, 12-13-2024",
                                     "Sukamaju, 5 Mei 1899"])
def test_impossible_dates_and_dates_after_today_are_rejected(written: str) -> None:
    assert parse(f"{written}\nHal : Data").letter_date is None


def test_today_defaults_to_the_real_date() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert parse_letter(f"Sukamaju, {tomorrow:%d-%m-%Y}").letter_date is None
    assert parse_letter("Sukamaju, 12-03-2024").letter_date == dt.date(2024, 3, 12)


# --------------------------------------------------------------------------- subjects

@pytest.mark.parametrize("line", ["Perihal : Undangan Rapat", "Perihal: Undangan Rapat",
                                  "Hal : Undangan Rapat", "Hal: Undangan Rapat",
                                  "HAL : Undangan Rapat", "Perihal Undangan Rapat",
                                  "- Perihal : Undangan Rapat", "Hal - Undangan Rapat"])
def test_the_subject_is_read_after_each_label_style(line: str) -> None:
    assert parse(f"Nomor : 1/KA.00/JI-38/01/2024\n{line}\nKepada\nYth. Ketua").subject == \
        "Undangan Rapat"


def test_a_subject_continues_on_the_next_lines_until_the_next_label() -> None:
    text = ("Perihal : Undangan Rapat Koordinasi Persiapan\nPengawasan Tahapan Pemungutan\n"
            "dan Penghitungan Suara\nKepada\nYth. Ketua")
    assert parse(text).subject == ("Undangan Rapat Koordinasi Persiapan Pengawasan Tahapan "
                                   "Pemungutan dan Penghitungan Suara")


def test_a_subject_stops_at_a_blank_line_followed_by_the_body() -> None:
    text = "Hal : Permohonan Data\n\nKetua Bawaslu Kota Sukamaju menyampaikan hal berikut ini."
    assert parse(text).subject == "Permohonan Data"


def test_a_subject_continuation_that_ocr_set_apart_is_joined() -> None:
    text = "HAL : Undangan Rapat Koordinasi Persiapan\n\nPemungutan Suara.\n\nKepada |\nYth."
    assert parse(text).subject == "Undangan Rapat Koordinasi Persiapan Pemungutan Suara"


def test_the_addressee_column_is_cut_from_a_subject_line() -> None:
    text = ("Sifat : Biasa Kepada\nPerihal : Pemberitahuan Jadwal . di -\nPemeliharaan: . Tempat"
            "\n\nDengan hormat,")
    assert parse(text).subject == "Pemberitahuan Jadwal Pemeliharaan"


def test_the_words_halaman_or_hal_in_the_body_are_not_a_subject() -> None:
    text = "Nomor : 1/KA.00/JI-38/01/2024\nHalaman 2\n\nDengan hormat,\nhal tersebut kami sampaikan"
    assert parse(text).subject is None


# --------------------------------------------------------------------------- senders

@pytest.mark.parametrize(("kop", "sender"), [
    (KOP_BAWASLU, "Badan Pengawas Pemilihan Umum Kota Sukamaju"),
    ("KOMISI PEMILIHAN UMUM KOTA SUKAMAJU\nJl. Melati 3, Telp. (0321) 111 222\n",
     "Komisi Pemilihan Umum Kota Sukamaju"),
    ("PEMERINTAH KOTA SUKAMAJU\nDINAS KOMUNIKASI DAN INFORMATIKA\nJalan Kenari 1 Sukamaju\n",
     "Dinas Komunikasi dan Informatika Kota Sukamaju"),
    ("BADAN PENGAWAS PEMILIHAN UMUM\nREPUBLIK INDONESIA\nJalan Merpati 14 Jakarta\n",
     "Badan Pengawas Pemilihan Umum Republik Indonesia"),
    ("SEKRETARIAT DPRD KOTA SUKAMAJU\nJalan Cendana 2\n", "Sekretariat DPRD Kota Sukamaju"),
    ("KOMISI PEMILIHAN UMUM RI\nwww.kpu.example\n", "Komisi Pemilihan Umum RI"),
    ("DEWAN PIMPINAN CABANG\nPARTAI PERSATUAN NUSANTARA RAYA\nKOTA SUKAMAJU tg\nSekretariat: "
     "Jalan Anggrek 5, Telp. 0812 3300 4411\n",
     "Dewan Pimpinan Cabang Partai Persatuan Nusantara Raya Kota Sukamaju"),
    ("| ~ .\nUniversitas Brantas Raya\nFakultas Ilmu Sosial dan Ilmu Politik\nLaman: ubr.example\n",
     "Universitas Brantas Raya Fakultas Ilmu Sosial dan Ilmu Politik"),
])
def test_the_sender_is_read_from_the_letterhead_in_title_case_keeping_acronyms(
        kop: str, sender: str) -> None:
    found = parse(f"{kop}\nNomor : 005/123/417.302/2024\nHal : Permohonan data\n")
    assert found.sender == sender


def test_an_address_line_with_an_ocr_speck_before_it_still_ends_the_letterhead() -> None:
    text = ("BADAN PENGAWAS PEMILIHAN UMUM\nKABUPATEN SUKAMAJU |\n\n. Jalan Raya Merak Nomor 41"
            "\n. SURAT UNDANGAN\nNomor: 0293.2/HK.01 .00/K1/02/2022 ©")
    found = parse(text)
    assert found.sender == "Badan Pengawas Pemilihan Umum Kabupaten Sukamaju"
    assert found.letter_number == "0293.2/HK.01.00/K1/02/2022"


def test_a_letter_without_a_letterhead_has_no_sender() -> None:
    text = "Sukamaju, 12 Maret 2024\nHal : Permohonan Informasi\nKepada\nYth. Ketua\n\nSaya ..."
    assert parse(text).sender is None


def test_a_title_in_capitals_under_the_letterhead_is_not_part_of_the_sender() -> None:
    text = f"{KOP_BAWASLU}SURAT UNDANGAN\nNOMOR : 12/PM.00.02/K.JI-38/03/2024\n"
    found = parse(text)
    assert found.sender == "Badan Pengawas Pemilihan Umum Kota Sukamaju"
    assert found.letter_number == "12/PM.00.02/K.JI-38/03/2024"


# --------------------------------------------------------------------------- robustness

@pytest.mark.parametrize("text", ["", "   \n\n\t", "\x00\x01\x02", "/" * 10_000,
                                  "Nomor :" + " /1" * 50_000, "Perihal :" * 10_000,
                                  "1/" * 100_000 + "2024", ("12 Maret " * 20_000) + "2024"])
def test_empty_and_degenerate_text_gives_nothing_quickly_and_never_raises(text: str) -> None:
    started = time.perf_counter()
    found = parse(text)
    assert time.perf_counter() - started < 2.0
    assert isinstance(found, LetterFields)


def test_binary_junk_never_raises() -> None:
    rng = random.Random(19)
    for _ in range(200):
        junk = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        found = parse(junk.decode("latin-1"))
        assert isinstance(found, LetterFields)


def test_five_megabytes_of_text_return_quickly_with_the_header_still_read() -> None:
    body = ("Dengan hormat, kami sampaikan laporan pengawasan tanggal 1 Maret 2024 dan surat "
            "Nomor 9/PM.00.01/K.JI/03/2024. ") * 50_000
    text = f"{KOP_BAWASLU}Nomor : 12/PM.00.02/K.JI-38/03/2024\nHal : Laporan\n{body}"
    assert len(text) > 5_000_000
    started = time.perf_counter()
    found = parse(text)
    assert time.perf_counter() - started < 2.0
    assert found.letter_number == "12/PM.00.02/K.JI-38/03/2024"
    assert found.sender == "Badan Pengawas Pemilihan Umum Kota Sukamaju"


def test_the_fields_are_frozen() -> None:
    found = parse("Hal : Data")
    with pytest.raises(AttributeError):
        found.subject = "lain"  # type: ignore[misc]  # the point: a frozen value refuses it


# --------------------------------------------------------------------------- the corpus

# Thresholds just under what was measured (docs/PREFILL.md), so a regression fails.
TYPED_MIN = {"letter_number": 0.95, "letter_date": 0.95, "subject": 0.95, "sender": 0.95,
             "classification": 0.95}
SCANNED_MIN = {"letter_number": 0.66, "letter_date": 0.9, "subject": 0.58, "sender": 0.83,
               "classification": 0.9}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[letters_corpus.Letter]]:
    folder = tmp_path_factory.mktemp("surat")
    return folder, letters_corpus.generate(folder)


def test_the_corpus_is_varied_a_third_scanned_and_the_same_on_every_run(
        corpus: tuple[Path, list[letters_corpus.Letter]], tmp_path: Path) -> None:
    folder, letters = corpus
    assert len(letters) >= 36
    assert len({t.layout for t in letters}) >= 6
    assert sum(t.scanned for t in letters) == len(letters) // 3
    assert {Path(t.name).suffix for t in letters if t.scanned} == {".png", ".pdf"}
    assert len({t.variant["date_style"] for t in letters}) >= 6
    assert all((folder / t.name).stat().st_size > 1000 for t in letters)
    first = letters_corpus.generate(tmp_path / "a", count=6)
    assert first == letters_corpus.generate(tmp_path / "b", count=6)
    for letter in first:
        if not letter.name.endswith(".pdf") or not letter.scanned:
            same = (tmp_path / "a" / letter.name).read_bytes() == (
                tmp_path / "b" / letter.name).read_bytes()
            assert same, letter.name


def test_typed_letters_are_prefilled_above_the_measured_accuracy(
        corpus: tuple[Path, list[letters_corpus.Letter]]) -> None:
    folder, letters = corpus
    outcomes = letters_corpus.measure(folder, letters, scanned=False)
    assert len(outcomes) >= 24
    scores = letters_corpus.accuracy(outcomes)
    misses = {f: [o.letter.name for o in outcomes if not o.right[f]] for f in TYPED_MIN}
    for field, floor in TYPED_MIN.items():
        assert scores[field] >= floor, (field, misses[field])


@pytest.mark.usefixtures("ocr_tools")
def test_scanned_letters_are_prefilled_through_ocr_above_the_measured_accuracy(
        corpus: tuple[Path, list[letters_corpus.Letter]]) -> None:
    folder, letters = corpus
    outcomes = letters_corpus.measure(folder, letters, scanned=True)
    assert len(outcomes) >= 12
    scores = letters_corpus.accuracy(outcomes)
    misses = {f: [o.letter.name for o in outcomes if not o.right[f]] for f in SCANNED_MIN}
    for field, floor in SCANNED_MIN.items():
        assert scores[field] >= floor, (field, scores[field], misses[field])
