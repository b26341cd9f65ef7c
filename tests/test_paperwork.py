"""Destruction and transfer paperwork: numbers and dates in words, and the PDFs read back."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from pypdf import PdfReader

from earsip import paperwork
from earsip.errors import ValidationError
from earsip.paperwork import (
    DestructionRecord,
    ListRow,
    Person,
    TransferRecord,
    berita_acara_pemusnahan_pdf,
    berita_acara_penyerahan_pdf,
    date_in_words,
    destruction_list_pdf,
    number_in_words,
)

HOSTILE = "<b>x</b> & <script>alert('arsip')</script> &amp; <br/>"
DEJAVU = (paperwork.FONT_DIR / "DejaVuSans.ttf").is_file()

# --------------------------------------------------------------------------- helpers


def pdf_text(data: bytes) -> str:
    """Return the text of every page with runs of whitespace collapsed (lines wrap anywhere)."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def page_texts(data: bytes) -> list[str]:
    """Return each page's text, whitespace collapsed."""
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def make_rows(count: int) -> list[ListRow]:
    """Return `count` list rows with distinct codes and descriptions."""
    return [
        ListRow(
            no=i,
            code=f"KP.01.{i:04d}",
            description=f"Surat keputusan pengangkatan pegawai nomor urut {i:04d}",
            period=f"{2010 + i % 5}-{2011 + i % 5}",
            quantity=f"{1 + i % 3} berkas",
            development="asli" if i % 2 else "salinan",
            media="elektronik",
            remarks="kondisi baik",
        )
        for i in range(1, count + 1)
    ]


OFFICIAL = Person("Drs. Ahmad Fauzi, M.Si.", "Kepala Sekretariat")
WITNESSES = [Person("Siti Rahmawati", "Arsiparis Ahli Pertama"),
             Person("Bambang Wicaksono", "Kepala Subbagian Umum")]


def destruction(**changes: object) -> DestructionRecord:
    """Return a complete destruction record, with some fields changed."""
    record = DestructionRecord(
        number="003/BA.PA/KA.01/XI/2026",
        day=dt.date(2026, 11, 30),
        place="Kantor Bawaslu Kota Mojokerto",
        office="Bawaslu Kota Mojokerto",
        official=OFFICIAL,
        basis_reference="17/KPT/PM.01/XI/2026",
        basis_date=dt.date(2026, 11, 9),
        method="penghancuran total berkas elektronik: ditimpa lalu dihapus",
        witnesses=list(WITNESSES),
        rows=make_rows(4),
        list_number="DAUM-05/2026",
    )
    return dataclasses.replace(record, **changes)


def transfer(**changes: object) -> TransferRecord:
    """Return a complete transfer record, with some fields changed."""
    record = TransferRecord(
        number="001/BA.PS/KA.02/II/2028",
        day=dt.date(2028, 2, 29),
        place="Surabaya",
        office="Bawaslu Kota Mojokerto",
        official=OFFICIAL,
        recipient_institution="Dinas Perpustakaan dan Kearsipan Provinsi Jawa Timur",
        recipient=Person("Ir. Endang Sulistyowati", "Kepala Bidang Pengelolaan Arsip Statis"),
        rows=make_rows(3),
        package_name="arsip-statis-bawaslu-mojokerto-2028-01",
        package_digest="0f" * 32,
    )
    return dataclasses.replace(record, **changes)


# --------------------------------------------------------------------------- terbilang


@pytest.mark.parametrize(("n", "words"), [
    (0, "nol"),
    (1, "satu"),
    (9, "sembilan"),
    (10, "sepuluh"),
    (11, "sebelas"),
    (12, "dua belas"),
    (17, "tujuh belas"),
    (19, "sembilan belas"),
    (20, "dua puluh"),
    (21, "dua puluh satu"),
    (30, "tiga puluh"),
    (99, "sembilan puluh sembilan"),
    (100, "seratus"),
    (101, "seratus satu"),
    (110, "seratus sepuluh"),
    (111, "seratus sebelas"),
    (112, "seratus dua belas"),
    (200, "dua ratus"),
    (999, "sembilan ratus sembilan puluh sembilan"),
    (1000, "seribu"),
    (1001, "seribu satu"),
    (1011, "seribu sebelas"),
    (1100, "seribu seratus"),
    (1111, "seribu seratus sebelas"),
    (1945, "seribu sembilan ratus empat puluh lima"),
    (2000, "dua ribu"),
    (2026, "dua ribu dua puluh enam"),
    (10_000, "sepuluh ribu"),
    (11_000, "sebelas ribu"),
    (12_500, "dua belas ribu lima ratus"),
    (100_000, "seratus ribu"),
    (101_000, "seratus satu ribu"),
    (111_111, "seratus sebelas ribu seratus sebelas"),
    (1_000_000, "satu juta"),
    (1_001_000, "satu juta seribu"),
    (1_000_001, "satu juta satu"),
    (2_500_000, "dua juta lima ratus ribu"),
    (11_000_000, "sebelas juta"),
    (100_000_000, "seratus juta"),
    (1_000_000_000, "satu miliar"),
    (1_000_001_000, "satu miliar seribu"),
    (21_000_000_000, "dua puluh satu miliar"),
    (1_000_000_000_000, "satu triliun"),
    (1_000_000_000_001, "satu triliun satu"),
    (999_999_999_999_999,
     "sembilan ratus sembilan puluh sembilan triliun sembilan ratus sembilan puluh sembilan "
     "miliar sembilan ratus sembilan puluh sembilan juta sembilan ratus sembilan puluh "
     "sembilan ribu sembilan ratus sembilan puluh sembilan"),
])
def test_a_number_is_spelled_the_indonesian_way(n: int, words: str) -> None:
    assert number_in_words(n) == words


def test_only_hundred_and_a_lone_thousand_take_the_se_prefix() -> None:
    for n in [*range(0, 3000), *range(3000, 2_000_000, 997), *range(10**12, 10**12 + 5000, 7)]:
        words = number_in_words(n)
        assert "satu ratus" not in words and "satu puluh" not in words
        assert "satu belas" not in words and "  " not in words
        assert not words.startswith(("satu ribu", "se juta", "sejuta"))


def test_numbers_outside_the_supported_range_are_refused() -> None:
    with pytest.raises(ValueError):
        number_in_words(-1)
    with pytest.raises(ValueError):
        number_in_words(10**15)
    with pytest.raises(TypeError):
        number_in_words(True)
    with pytest.raises(TypeError):
        number_in_words(2.0)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(("day", "words"), [
    (dt.date(2026, 11, 30),
     "Senin tanggal tiga puluh bulan November tahun dua ribu dua puluh enam"),
    (dt.date(2026, 12, 1), "Selasa tanggal satu bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2026, 12, 2), "Rabu tanggal dua bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2026, 12, 3), "Kamis tanggal tiga bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2026, 12, 4), "Jumat tanggal empat bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2026, 12, 5), "Sabtu tanggal lima bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2026, 12, 6), "Minggu tanggal enam bulan Desember tahun dua ribu dua puluh enam"),
    (dt.date(2028, 2, 29),
     "Selasa tanggal dua puluh sembilan bulan Februari tahun dua ribu dua puluh delapan"),
    (dt.date(1945, 8, 17),
     "Jumat tanggal tujuh belas bulan Agustus tahun seribu sembilan ratus empat puluh lima"),
    (dt.date(2000, 1, 1), "Sabtu tanggal satu bulan Januari tahun dua ribu"),
    (dt.date(2001, 1, 1), "Senin tanggal satu bulan Januari tahun dua ribu satu"),
    (dt.date(2011, 11, 11), "Jumat tanggal sebelas bulan November tahun dua ribu sebelas"),
    (dt.date(2024, 3, 12), "Selasa tanggal dua belas bulan Maret tahun dua ribu dua puluh empat"),
])
def test_a_date_is_written_out_with_its_weekday(day: dt.date, words: str) -> None:
    assert date_in_words(day) == words


# ------------------------------------------------------------------------ berita acara pemusnahan


def test_the_destruction_berita_acara_states_every_fact_and_its_list() -> None:
    record = destruction()
    text = pdf_text(berita_acara_pemusnahan_pdf(record))
    assert "BERITA ACARA PEMUSNAHAN ARSIP" in text
    assert "Nomor: 003/BA.PA/KA.01/XI/2026" in text
    assert ("Pada hari ini Senin tanggal tiga puluh bulan November tahun dua ribu dua puluh "
            "enam, bertempat di Kantor Bawaslu Kota Mojokerto") in text
    assert "Drs. Ahmad Fauzi, M.Si." in text and "Kepala Sekretariat" in text
    assert "Nomor 17/KPT/PM.01/XI/2026 tanggal 9 November 2026" in text
    assert "sebanyak 4 (empat) arsip" in text
    assert "Daftar Arsip Usul Musnah Nomor DAUM-05/2026" in text
    assert "dengan cara penghancuran total berkas elektronik: ditimpa lalu dihapus." in text
    for witness in WITNESSES:
        assert witness.name in text and witness.position in text
    assert "Saksi 1" in text and "Saksi 2" in text
    assert "Lampiran Berita Acara Pemusnahan Arsip" in text
    for row in record.rows:
        assert row.code in text and row.description in text
    assert "Jumlah keseluruhan: 4 (empat) arsip" in text


def test_the_destruction_berita_acara_is_portrait_with_a_landscape_lampiran() -> None:
    reader = PdfReader(io.BytesIO(berita_acara_pemusnahan_pdf(destruction())))
    first, last = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert first.width < first.height
    assert last.width > last.height
    assert "Lampiran" not in reader.pages[0].extract_text()
    assert "Lampiran" in reader.pages[1].extract_text()
    total = len(reader.pages)
    for number, page in enumerate(reader.pages, start=1):
        assert f"Halaman {number} dari {total}" in page.extract_text()


def test_the_pdf_carries_title_author_and_subject() -> None:
    reader = PdfReader(io.BytesIO(berita_acara_pemusnahan_pdf(destruction())))
    meta = reader.metadata
    assert meta is not None
    assert meta.title == "Berita Acara Pemusnahan Arsip Nomor 003/BA.PA/KA.01/XI/2026"
    assert meta.author == "Bawaslu Kota Mojokerto"
    assert meta.subject is not None and "17/KPT/PM.01/XI/2026" in meta.subject
    assert meta.creation_date is not None and meta.creation_date.date() == dt.date(2026, 11, 30)


def test_the_same_record_gives_the_same_bytes() -> None:
    assert berita_acara_pemusnahan_pdf(destruction()) == berita_acara_pemusnahan_pdf(destruction())


def test_markup_in_a_title_is_printed_literally() -> None:
    rows = [dataclasses.replace(make_rows(1)[0], description=HOSTILE, remarks="a < b > c & d")]
    record = destruction(rows=rows, method="dicacah & dibakar <i>habis</i>")
    data = berita_acara_pemusnahan_pdf(record)
    text = pdf_text(data)
    assert HOSTILE in text
    assert "a < b > c & d" in text
    assert "dicacah & dibakar <i>habis</i>" in text
    assert len(PdfReader(io.BytesIO(data)).pages) == 2


@pytest.mark.skipif(not DEJAVU, reason="fonts-dejavu-core is not installed")
def test_quotes_dashes_and_other_scripts_survive_in_dejavu() -> None:
    title = "Laporan “Pengawasan” — Tahapan ‘Kampanye’ · Кампания · Εκλογές · Ğ ş ő"
    rows = [dataclasses.replace(make_rows(1)[0], description=title)]
    data = berita_acara_pemusnahan_pdf(destruction(rows=rows))
    assert title in pdf_text(data)
    fonts = {str(font["/BaseFont"])
             for page in PdfReader(io.BytesIO(data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert any("DejaVu" in name for name in fonts)


def test_characters_the_font_cannot_draw_become_question_marks() -> None:
    # Chinese and Javanese script are outside DejaVu Sans (and Latin-1): they are marked, not lost.
    rows = [dataclasses.replace(make_rows(1)[0], description="Arsip 中文 ꦧꦮꦱ꧀ꦭꦸ akhir")]
    text = pdf_text(berita_acara_pemusnahan_pdf(destruction(rows=rows)))
    assert "Arsip ?? ?????? akhir" in text


def test_control_characters_in_user_text_do_not_break_the_pdf() -> None:
    rows = [dataclasses.replace(make_rows(1)[0], description="baris\nkedua\t\x00\x1b\u202eakhir")]
    text = pdf_text(berita_acara_pemusnahan_pdf(destruction(rows=rows)))
    assert "baris kedua akhir" in text


def test_without_dejavu_helvetica_is_used_and_non_latin1_is_replaced(tmp_path) -> None:
    writer = paperwork._Writer(paperwork._load_fonts(tmp_path))
    rows = [dataclasses.replace(make_rows(1)[0],
                                description="“Rapat” — café Кампания <b>x</b>")]
    data = writer.pemusnahan(destruction(rows=rows))
    text = pdf_text(data)
    assert '"Rapat" - café ???????? <b>x</b>' in text
    assert "Senin tanggal tiga puluh bulan November" in text
    fonts = {str(font["/BaseFont"])
             for page in PdfReader(io.BytesIO(data)).pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"/Helvetica", "/Helvetica-Bold"}


def test_destruction_needs_two_distinct_witnesses() -> None:
    with pytest.raises(ValidationError) as err:
        berita_acara_pemusnahan_pdf(destruction(witnesses=[WITNESSES[0]]))
    assert err.value.field == "witnesses"
    assert "sekurang-kurangnya 2 orang saksi" in err.value.message
    with pytest.raises(ValidationError):
        berita_acara_pemusnahan_pdf(destruction(witnesses=[]))
    twice = [WITNESSES[0], Person("  siti  RAHMAWATI ", "Staf")]
    with pytest.raises(ValidationError, match="lebih dari sekali"):
        berita_acara_pemusnahan_pdf(destruction(witnesses=twice))
    with pytest.raises(ValidationError, match="tidak dapat sekaligus menjadi saksi"):
        berita_acara_pemusnahan_pdf(destruction(witnesses=[WITNESSES[0], OFFICIAL]))


def test_a_record_can_be_checked_before_anything_is_destroyed() -> None:
    paperwork.check_destruction(destruction())
    paperwork.check_transfer(transfer())
    with pytest.raises(ValidationError):
        paperwork.check_destruction(destruction(place=""))
    with pytest.raises(ValidationError):
        paperwork.check_transfer(transfer(package_name=" "))


def test_three_witnesses_all_get_a_signature_block() -> None:
    third = Person("Dewi Lestari", "Pengelola Arsip")
    text = pdf_text(berita_acara_pemusnahan_pdf(destruction(witnesses=[*WITNESSES, third])))
    assert "3 (tiga) orang saksi" in text
    assert "Saksi 3" in text and "Dewi Lestari" in text


def test_destruction_without_rows_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        berita_acara_pemusnahan_pdf(destruction(rows=[]))
    assert err.value.field == "rows"


def test_destruction_before_its_approval_is_refused() -> None:
    with pytest.raises(ValidationError) as err:
        berita_acara_pemusnahan_pdf(destruction(basis_date=dt.date(2026, 12, 1)))
    assert err.value.field == "basis_date"


def test_blank_required_fields_are_refused() -> None:
    with pytest.raises(ValidationError) as err:
        berita_acara_pemusnahan_pdf(destruction(number="  "))
    assert err.value.field == "number"
    with pytest.raises(ValidationError) as err:
        berita_acara_pemusnahan_pdf(destruction(witnesses=[WITNESSES[0], Person("Budi", "")]))
    assert err.value.field == "witnesses.1.position"


# --------------------------------------------------------------------------- DAUM


def test_a_long_destruction_list_spans_pages_with_its_header_on_each() -> None:
    rows = make_rows(500)
    data = destruction_list_pdf("Bawaslu Kota Mojokerto", "DAUM-05/2026", dt.date(2026, 10, 1),
                                Person("Siti Rahmawati", "Arsiparis Ahli Pertama"), rows,
                                status_note="Draf - menunggu persetujuan pimpinan")
    pages = page_texts(data)
    assert len(pages) > 10
    text = " ".join(pages)
    assert rows[0].description in text and rows[0].code in text
    assert rows[-1].description in text and rows[-1].code in text
    assert "Surat keputusan pengangkatan pegawai nomor urut 0250" in text
    for number, page in enumerate(pages, start=1):
        assert "Jenis/Uraian Arsip" in page and "Tingkat Perkembangan" in page
        assert f"Halaman {number} dari {len(pages)}" in page
    assert "Jumlah keseluruhan: 500 (lima ratus) arsip" in pages[-1]
    assert "Yang mengusulkan," in pages[-1] and "Siti Rahmawati" in pages[-1]


def test_the_destruction_list_names_its_office_number_date_and_status() -> None:
    data = destruction_list_pdf("Bawaslu Kota Mojokerto", "DAUM-05/2026", dt.date(2026, 10, 1),
                                Person("Siti Rahmawati", "Arsiparis"), make_rows(2),
                                status_note=HOSTILE)
    reader = PdfReader(io.BytesIO(data))
    assert reader.pages[0].mediabox.width > reader.pages[0].mediabox.height
    text = pdf_text(data)
    assert "BAWASLU KOTA MOJOKERTO" in text and "DAFTAR ARSIP USUL MUSNAH" in text
    assert "Nomor: DAUM-05/2026" in text and "Tanggal: 1 Oktober 2026" in text
    assert HOSTILE in text
    for header in ("No", "Kode Klasifikasi", "Kurun Waktu", "Jumlah", "Media", "Keterangan"):
        assert header in text
    assert reader.metadata is not None
    assert reader.metadata.title == "Daftar Arsip Usul Musnah Nomor DAUM-05/2026"
    assert reader.metadata.author == "Bawaslu Kota Mojokerto"


def test_a_row_longer_than_a_page_continues_on_the_next() -> None:
    long_row = dataclasses.replace(make_rows(1)[0], description="uraian " * 2500 + "PENUTUP")
    data = destruction_list_pdf("Bawaslu Kota Mojokerto", "DAUM-1", dt.date(2026, 1, 5),
                                OFFICIAL, [long_row, *make_rows(3)[1:]])
    text = pdf_text(data)
    assert "PENUTUP" in text and "KP.01.0003" in text
    assert len(PdfReader(io.BytesIO(data)).pages) > 2


# ------------------------------------------------------------------------ berita acara penyerahan


def test_the_transfer_berita_acara_states_both_parties_and_the_package() -> None:
    record = transfer()
    text = pdf_text(berita_acara_penyerahan_pdf(record))
    assert "BERITA ACARA PENYERAHAN ARSIP STATIS" in text
    assert "Nomor: 001/BA.PS/KA.02/II/2028" in text
    assert ("Pada hari ini Selasa tanggal dua puluh sembilan bulan Februari tahun dua ribu dua "
            "puluh delapan, bertempat di Surabaya") in text
    assert "atas nama Bawaslu Kota Mojokerto, selanjutnya disebut PIHAK PERTAMA" in text
    assert ("atas nama Dinas Perpustakaan dan Kearsipan Provinsi Jawa Timur, selanjutnya disebut "
            "PIHAK KEDUA") in text
    assert OFFICIAL.name in text and record.recipient.name in text
    assert record.recipient.position in text
    assert "sebanyak 3 (tiga) arsip" in text
    assert "arsip-statis-bawaslu-mojokerto-2028-01" in text
    assert "0f" * 32 in text
    assert "Yang menyerahkan," in text and "Yang menerima," in text
    assert "DAFTAR ARSIP STATIS YANG DISERAHKAN" in text
    for row in record.rows:
        assert row.code in text and row.description in text


def test_a_transfer_berita_acara_inside_its_own_package_leaves_the_digest_out() -> None:
    text = pdf_text(berita_acara_penyerahan_pdf(transfer(package_digest="")))
    assert "arsip-statis-bawaslu-mojokerto-2028-01" in text
    assert "tagmanifest-sha256.txt" not in text


def test_a_malformed_package_digest_is_refused() -> None:
    for digest in ("abc", "0F" * 32, "0f" * 31 + "zz"):
        with pytest.raises(ValidationError) as err:
            berita_acara_penyerahan_pdf(transfer(package_digest=digest))
        assert err.value.field == "package_digest"


def test_a_transfer_without_rows_or_recipient_is_refused() -> None:
    with pytest.raises(ValidationError):
        berita_acara_penyerahan_pdf(transfer(rows=[]))
    with pytest.raises(ValidationError) as err:
        berita_acara_penyerahan_pdf(transfer(recipient=Person("", "Kepala Bidang")))
    assert err.value.field == "recipient.name"
