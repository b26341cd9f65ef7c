"""Relevance of identifier queries: does the document asked for by its identifier rank first?

A small synthetic archive (built in a temporary folder with the application's own index) holds,
among 300 filler documents of the benchmark corpus (`bench.corpus`, for realistic term
statistics):

- regulations, each with its number in its title and on its first page, in the wordings real
  headings use ("NOMOR 5 TAHUN 2020", "No. 3 Th. 2021", "UU 11/2008"), and several documents that
  only cite each one (letters, decrees whose "Mengingat" lists it, reports that repeat it, a
  later regulation that amends it), in varied wordings ("Nomor 5 Tahun 2020", "No. 5/2020",
  "5/2020", "Nomor 5 tahun 2020"), plus letters whose letter numbers end in the same digits
  ("005/HK.01/K.JI-29/05/2020") and texts that hold the words apart ("nomor urut 5 … tahun 2020");
- documents named by a hyphenated identifier (TOPAS-8820) and others holding its parts apart;
- documents whose original file name is what a clerk remembers (SP2D_panwascam_2024.pdf).

Each query names the one document that should come first. The figures are the mean reciprocal
rank (MRR: 1 for first, 1/2 for second … 0 when not in the first 20) and the share ranked
first, per class; for regulations also ``citing_next``, the share of the documents citing the
regulation among as many hits after it (1: every citing document comes before any document
that merely holds the typed words). `tests/test_search_relevance.py` checks the same set.

Run: ``python -m bench.relevance`` (prints JSON; no archive, no database, a few seconds).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from config import Config
from earsip.search import IndexDoc, SearchQuery, open_backend

FILLER = 300
TOP = 20

_MENGINGAT = (
    "Mengingat : 1. Undang-Undang Nomor 7 Tahun 2017 tentang Pemilihan Umum (Lembaran Negara "
    "Republik Indonesia Tahun 2017 Nomor 182); 2. Peraturan Badan Pengawas Pemilihan Umum "
    "Nomor 1 Tahun 2016 tentang Organisasi dan Tata Kerja;"
)


@dataclass(frozen=True)
class Doc:
    """One document of the set: its key (what queries name) and what is indexed."""

    key: str
    title: str
    pages: tuple[str, ...]
    number: str | None = None
    filename: str = "dokumen.pdf"


@dataclass(frozen=True)
class Case:
    """One query, the key of the document that should rank first and, for a regulation, the
    documents that cite it (they should come next, before documents that merely hold the
    typed words)."""

    cls: str
    query: str
    expected: str
    citing: tuple[str, ...] = ()


def _regulation(key: str, title: str, heading: str, subject: str) -> Doc:
    first = (f"SALINAN\n{heading}\nTENTANG\n{subject.upper()}\n"
             "DENGAN RAHMAT TUHAN YANG MAHA ESA\n"
             f"Menimbang : a. bahwa untuk melaksanakan {subject.lower()} perlu diatur;\n"
             f"{_MENGINGAT}\nMEMUTUSKAN:\nMenetapkan : {title}.")
    body = (f"BAB I KETENTUAN UMUM Pasal 1 Dalam peraturan ini yang dimaksud dengan "
            f"{subject.lower()} adalah kegiatan pengawasan yang dilaksanakan oleh pengawas "
            "pemilu di setiap tingkatan sesuai dengan ketentuan peraturan perundang-undangan.")
    return Doc(key, title, (first, body), filename=f"{key}.pdf")


def documents() -> list[Doc]:
    """Return the documents of the set (filler excluded)."""
    docs = [
        _regulation("perbawaslu-5-2020",
                    "Peraturan Badan Pengawas Pemilihan Umum Nomor 5 Tahun 2020 tentang "
                    "Pengawasan Pemutakhiran Data Pemilih",
                    "PERATURAN BADAN PENGAWAS PEMILIHAN UMUM\nREPUBLIK INDONESIA\n"
                    "NOMOR 5 TAHUN 2020", "Pengawasan Pemutakhiran Data Pemilih"),
        _regulation("uu-11-2008",
                    "Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi "
                    "Elektronik",
                    "UNDANG-UNDANG REPUBLIK INDONESIA\nNOMOR 11 TAHUN 2008",
                    "Informasi dan Transaksi Elektronik"),
        _regulation("perbawaslu-3-2021",
                    "Perbawaslu No. 3 Th. 2021 tentang Perubahan atas Peraturan Badan Pengawas "
                    "Pemilihan Umum Nomor 5 Tahun 2020",
                    "PERATURAN BADAN PENGAWAS PEMILIHAN UMUM\nNOMOR 3 TAHUN 2021",
                    "Perubahan atas Peraturan Badan Pengawas Pemilihan Umum Nomor 5 Tahun 2020"),
        _regulation("uu-7-2017",
                    "UU 7/2017 tentang Pemilihan Umum",
                    "UNDANG-UNDANG REPUBLIK INDONESIA\nNOMOR 7 TAHUN 2017",
                    "Pemilihan Umum"),
        _regulation("perkpu-8-2020",
                    "Peraturan Komisi Pemilihan Umum Nomor 8 Tahun 2020 tentang Penyelenggaraan "
                    "Pemilihan dalam Kondisi Bencana Nonalam",
                    "PERATURAN KOMISI PEMILIHAN UMUM\nNOMOR 8 TAHUN 2020",
                    "Penyelenggaraan Pemilihan dalam Kondisi Bencana Nonalam"),
        # Documents that only cite them, in varied wordings.
        Doc("letter-cites-5-2020", "Surat Pemberitahuan Pemutakhiran Data Pemilih", (
            "BADAN PENGAWAS PEMILIHAN UMUM KOTA MOJOKERTO\nNomor : 012/HK.01/K.JI-29/03/2021\n"
            "Hal : Pengawasan pemutakhiran data pemilih\nBerdasarkan Peraturan Bawaslu Nomor 5 "
            "Tahun 2020 tentang Pengawasan Pemutakhiran Data Pemilih, dengan ini kami "
            "sampaikan bahwa pengawasan sesuai Peraturan Bawaslu Nomor 5 Tahun 2020 "
            "dilaksanakan pada bulan Maret.",), number="012/HK.01/K.JI-29/03/2021"),
        Doc("decree-cites-5-2020", "Keputusan Ketua tentang Tim Pengawasan Data Pemilih", (
            "KEPUTUSAN KETUA BADAN PENGAWAS PEMILIHAN UMUM KOTA MOJOKERTO\nTENTANG\nTIM "
            "PENGAWASAN PEMUTAKHIRAN DATA PEMILIH\nMenimbang : bahwa perlu dibentuk tim.\n"
            "Mengingat : 1. Undang-Undang Nomor 7 Tahun 2017; 2. Peraturan Badan Pengawas "
            "Pemilihan Umum No. 5/2020 tentang Pengawasan Pemutakhiran Data Pemilih; 3. "
            "Undang-Undang Nomor 11 Tahun 2008.",)),
        Doc("report-cites-5-2020",
            "Laporan Sosialisasi Peraturan Bawaslu Nomor 5 Tahun 2020", (
                "LAPORAN KEGIATAN SOSIALISASI PERATURAN BAWASLU NOMOR 5 TAHUN 2020\n"
                "Sosialisasi Perbawaslu 5/2020 diikuti panwaslu kecamatan. Materi Perbawaslu "
                "5/2020 meliputi pengawasan data pemilih. Peserta memahami Perbawaslu 5/2020 "
                "dan Peraturan Bawaslu Nomor 5 tahun 2020 beserta perubahannya.",)),
        Doc("memo-cites-5-2020", "Nota Dinas Pengawasan Coklit", (
            "Nota dinas. Sehubungan dengan pencocokan dan penelitian, pengawas agar berpedoman "
            "pada Perbawaslu No. 5 Th. 2020 dan Perbawaslu No. 3 Th. 2021. Pengawasan coklit "
            "menurut No. 5 Th. 2020 dilakukan door to door.",)),
        Doc("letter-cites-11-2008", "Surat Edaran Penggunaan Tanda Tangan Elektronik", (
            "SURAT EDARAN\nTentang penggunaan tanda tangan elektronik sesuai UU 11/2008 dan "
            "Undang-Undang Nomor 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik. "
            "Dokumen elektronik sah menurut UU ITE Nomor 11 Tahun 2008.",)),
        Doc("report-cites-11-2008", "Kajian Hukum Dokumen Elektronik dalam Pengawasan", (
            "Kajian ini membahas UU Nomor 11 Tahun 2008 tentang Informasi dan Transaksi "
            "Elektronik. Menurut Undang-Undang Nomor 11 Tahun 2008, informasi elektronik "
            "adalah alat bukti. Pasal 5 UU 11/2008 mengatur bukti elektronik. UU No. 11 "
            "Th. 2008 juga mengatur tanda tangan.",)),
        Doc("decree-cites-7-2017", "Keputusan Ketua tentang Pembentukan Panwaslu Kecamatan", (
            "KEPUTUSAN KETUA BAWASLU KOTA MOJOKERTO\nTENTANG\nPEMBENTUKAN PANWASLU KECAMATAN\n"
            "Mengingat : Undang-Undang Nomor 7 Tahun 2017 tentang Pemilihan Umum; UU 7/2017 "
            "Pasal 89; Undang-Undang No. 7 Th. 2017.",)),
        Doc("letter-cites-8-2020", "Surat Penyampaian Protokol Kesehatan", (
            "Menindaklanjuti PKPU Nomor 8 Tahun 2020 tentang Penyelenggaraan Pemilihan dalam "
            "Kondisi Bencana Nonalam, pengawas memastikan protokol kesehatan. PKPU 8/2020 "
            "berlaku di seluruh TPS. Ketentuan PKPU No. 8 Th. 2020 wajib diawasi.",)),
        # Texts that hold the words apart, and letter numbers ending in the same digits.
        Doc("words-apart-5-2020", "Daftar Nomor Urut Peserta", (
            "Nomor urut 5 diberikan kepada peserta rapat. Pada tahun 2020 rapat diadakan di "
            "aula nomor 2. Tahun anggaran 2020 nomor rekening 5.",)),
        Doc("letter-number-05-2020", "Undangan Rapat Koordinasi", (
            "Nomor : 005/HK.01/K.JI-29/05/2020\nHal : Undangan rapat koordinasi tahun 2020.",),
            number="005/HK.01/K.JI-29/05/2020"),
        Doc("letter-number-11-2008", "Surat Tugas Pengawasan", (
            "Nomor : 0011/KP.01/K.JI-29/11/2008\nMenugaskan staf pada tahun 2008.",),
            number="0011/KP.01/K.JI-29/11/2008"),
        # Hyphenated identifiers.
        Doc("topas-8820", "Berita Acara Serah Terima Perangkat", (
            "Diserahkan satu unit printer TOPAS-8820 dalam keadaan baik beserta kabel daya.",)),
        Doc("topas-apart", "Inventaris Barang Kantor", (
            "Merek printer: Topas. Nomor seri 8820 tercatat pada kartu inventaris lain. "
            "Printer Topas dipakai bagian umum; kode gudang 8820 dan rak Topas.",)),
        Doc("sipol-ri-01", "Laporan Akses Aplikasi", (
            "Akun SIPOL-RI-01 dipakai untuk mengunduh data partai politik.",)),
        # File names a clerk remembers.
        Doc("sp2d-panwascam", "Surat Perintah Pencairan Dana Honorarium", (
            "Pencairan dana honorarium pengawas kecamatan bulan Januari.",),
            filename="SP2D_panwascam_2024.pdf"),
        Doc("sp2d-other", "Surat Perintah Pencairan Dana Sewa Kantor", (
            "Pencairan dana sewa kantor sekretariat.",), filename="scan_0042.pdf"),
        Doc("camel-name", "Laporan Kegiatan Bulanan", (
            "Kegiatan bulan Februari berjalan lancar.",),
            filename="LaporanBimtekPengawasTPS2024.pdf"),
    ]
    return docs


_CITE_5_2020 = ("letter-cites-5-2020", "decree-cites-5-2020", "report-cites-5-2020",
                "memo-cites-5-2020", "perbawaslu-3-2021")
_CITE_11_2008 = ("letter-cites-11-2008", "report-cites-11-2008", "decree-cites-5-2020")
_CITE_7_2017 = ("perbawaslu-5-2020", "uu-11-2008", "perbawaslu-3-2021", "perkpu-8-2020",
                "decree-cites-7-2017", "decree-cites-5-2020")

CASES = [
    Case("regulation", "Nomor 5 Tahun 2020", "perbawaslu-5-2020", _CITE_5_2020),
    Case("regulation", "No. 5 Th. 2020", "perbawaslu-5-2020", _CITE_5_2020),
    Case("regulation", "5/2020", "perbawaslu-5-2020", _CITE_5_2020),
    Case("regulation", "No 5/2020", "perbawaslu-5-2020", _CITE_5_2020),
    Case("regulation", "Perbawaslu 5/2020", "perbawaslu-5-2020", _CITE_5_2020),
    Case("regulation", "peraturan bawaslu nomor 5 tahun 2020", "perbawaslu-5-2020",
         _CITE_5_2020),
    Case("regulation", "11 Tahun 2008", "uu-11-2008", _CITE_11_2008),
    Case("regulation", "UU 11/2008", "uu-11-2008", _CITE_11_2008),
    Case("regulation", "Undang-Undang Nomor 11 Tahun 2008", "uu-11-2008", _CITE_11_2008),
    Case("regulation", "Nomor 3 Tahun 2021", "perbawaslu-3-2021", ("memo-cites-5-2020",)),
    Case("regulation", "3/2021", "perbawaslu-3-2021", ("memo-cites-5-2020",)),
    Case("regulation", "Nomor 7 Tahun 2017", "uu-7-2017", _CITE_7_2017),
    Case("regulation", "No. 7 Th. 2017", "uu-7-2017", _CITE_7_2017),
    Case("regulation", "PKPU 8/2020", "perkpu-8-2020", ("letter-cites-8-2020",)),
    Case("regulation", "Nomor 8 Tahun 2020", "perkpu-8-2020", ("letter-cites-8-2020",)),
    Case("hyphenated", "TOPAS-8820", "topas-8820"),
    Case("hyphenated", "TOPAS", "topas-8820"),
    Case("hyphenated", "8820", "topas-8820"),
    Case("hyphenated", "sipol", "sipol-ri-01"),
    Case("filename", "SP2D", "sp2d-panwascam"),
    Case("filename", "panwascam", "sp2d-panwascam"),
    Case("filename", "SP2D panwascam", "sp2d-panwascam"),
    Case("filename", "bimtek", "camel-name"),
]


def _index_docs(docs: list[Doc]) -> Iterator[tuple[str, IndexDoc]]:
    from bench.corpus import generate

    has_filename = "filename" in {f.name for f in dataclasses.fields(IndexDoc)}
    for i, doc in enumerate(docs, start=1):
        extra = {"filename": doc.filename} if has_filename else {}
        yield doc.key, IndexDoc(
            id=i, title=doc.title, number=doc.number, classification="HK.01",
            document_date=dt.date(2021, 1, 1), security=0, mime="application/pdf",
            content="\n\f\n".join(doc.pages), **extra)
    for j, synth in enumerate(generate(FILLER, max_pages=2, words_per_page=200), start=1):
        extra = {"filename": synth.filename} if has_filename else {}
        yield f"filler-{j}", IndexDoc(
            id=1000 + j, title=synth.title, number=synth.number, classification="UM.01",
            document_date=synth.document_date, security=0, mime="application/pdf",
            sender=synth.sender, recipient=synth.recipient, tags=synth.tags,
            content="\n\f\n".join(synth.pages), **extra)


def evaluate(folder: Path) -> dict[str, object]:
    """Index the set under `folder` and return the rank of every case and the figures."""
    keyed = list(_index_docs(documents()))
    key_of = {doc.id: key for key, doc in keyed}
    # The configured engine (EARSIP_SEARCH_BACKEND), its index under `folder`.
    # PostgreSQL's index lives in a database: the tests' (or the configured) one.
    database_url = (os.environ.get("EARSIP_TEST_DATABASE_URL")
                    or os.environ.get("EARSIP_DATABASE_URL") or Config.database_url)
    config = dataclasses.replace(
        Config(), index_dir=folder, index_writer_timeout_s=5.0, database_url=database_url,
        search_backend=os.environ.get("EARSIP_SEARCH_BACKEND") or Config.search_backend)
    ix = open_backend(config)
    ix.ensure()
    try:
        ix.delete(ix.indexed_ids())  # a database's index may hold others' entries
        ix.upsert([doc for _, doc in keyed])
        ranks = []
        for case in CASES:
            page = ix.search(SearchQuery(text=case.query, max_security=3, per_page=TOP))
            keys = [key_of[h.id] for h in page.hits]
            rank = keys.index(case.expected) + 1 if case.expected in keys else None
            entry = {"class": case.cls, "query": case.query, "expected": case.expected,
                     "rank": rank, "first": keys[0] if keys else None, "total": page.total}
            if case.citing:
                # R-precision of the citing documents: of the len(citing) hits after the
                # regulation itself, the share that cite it.
                after = [k for k in keys if k != case.expected][:len(case.citing)]
                entry["citing_next"] = round(
                    len(set(after) & set(case.citing)) / len(case.citing), 3)
            ranks.append(entry)
    finally:
        ix.close()
    by_class: dict[str, dict[str, float | int]] = {}
    for cls in dict.fromkeys(c.cls for c in CASES):
        mine = [r for r in ranks if r["class"] == cls]
        by_class[cls] = {
            "n": len(mine),
            "mrr": round(sum(1 / r["rank"] for r in mine if r["rank"]) / len(mine), 3),
            "first": round(sum(1 for r in mine if r["rank"] == 1) / len(mine), 3),
        }
        cited = [r["citing_next"] for r in mine if "citing_next" in r]
        if cited:
            by_class[cls]["citing_next"] = round(sum(cited) / len(cited), 3)
    return {"classes": by_class, "cases": ranks}


def main() -> None:
    """Command line: print the figures as JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        result = evaluate(Path(tmp) / "index")
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    print()


if __name__ == "__main__":
    main()
