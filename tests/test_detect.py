"""Content detection: allowlist, office zips, impostors, name agreement."""

from __future__ import annotations

import threading
import zipfile
from pathlib import Path

import pytest

from earsip.detect import ALLOWED_TYPES, Detected, detect_file
from earsip.errors import UnreadableFile, UnsupportedType
from tests import filegen

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"


def _make(kind: str, path: Path) -> Path:
    makers = {
        "pdf": lambda p: filegen.make_text_pdf(p, filegen.SAMPLE_ID_TEXT[:2]),
        "png": filegen.make_png,
        "jpeg": filegen.make_jpeg,
        "tiff": filegen.make_tiff,
        "text": lambda p: filegen.make_text_file(p, "\n".join(filegen.SAMPLE_ID_TEXT)),
        "docx": lambda p: filegen.make_docx(p, filegen.SAMPLE_ID_TEXT),
        "xlsx": lambda p: filegen.make_xlsx(p, [["Nomor", "Uraian"], [1, "pemusnahan arsip"]]),
        "odt": lambda p: filegen.make_odt(p, filegen.SAMPLE_ID_TEXT),
    }
    return makers[kind](path)


@pytest.mark.parametrize(
    ("kind", "name", "mime", "ext"),
    [
        ("pdf", "surat.pdf", "application/pdf", ".pdf"),
        ("png", "scan.png", "image/png", ".png"),
        ("jpeg", "foto.jpg", "image/jpeg", ".jpg"),
        ("tiff", "faks.tiff", "image/tiff", ".tif"),
        ("text", "catatan.txt", "text/plain", ".txt"),
        ("docx", "nota.docx", DOCX, ".docx"),
        ("xlsx", "daftar.xlsx", XLSX, ".xlsx"),
        ("odt", "notulen.odt", ODT, ".odt"),
    ],
)
def test_each_allowed_type_is_detected_from_its_content(
    tmp_path: Path, kind: str, name: str, mime: str, ext: str
) -> None:
    path = _make(kind, tmp_path / name)
    assert detect_file(path, name) == Detected(mime=mime, extension=ext)
    assert detect_file(path) == Detected(mime=mime, extension=ext)
    assert ALLOWED_TYPES[mime][0] == ext


def test_an_office_file_without_a_telling_name_is_still_recognised_by_its_parts(
    tmp_path: Path,
) -> None:
    path = _make("docx", tmp_path / "tanpa-nama")
    assert detect_file(path).mime == DOCX


def test_a_docx_whose_content_types_part_is_not_first_is_recognised_by_zip_parts(
    tmp_path: Path,
) -> None:
    path = tmp_path / "urutan.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", "<w:document/>")
        zf.writestr("[Content_Types].xml", "<Types/>")
    assert detect_file(path, "urutan.docx").mime == DOCX


def test_a_csv_file_counts_as_plain_text(tmp_path: Path) -> None:
    path = filegen.make_text_file(tmp_path / "rekap.csv", "no,uraian\n1,arsip\n2,surat\n")
    assert detect_file(path, "rekap.csv") == Detected("text/plain", ".txt")


def test_an_html_file_renamed_pdf_is_refused(tmp_path: Path) -> None:
    path = filegen.make_html_renamed_pdf(tmp_path / "laporan.pdf")
    with pytest.raises(UnsupportedType) as info:
        detect_file(path, "laporan.pdf")
    assert "text/html" in info.value.message
    assert "Yang diterima" in info.value.message


def test_an_svg_with_a_script_is_refused(tmp_path: Path) -> None:
    path = filegen.make_svg(tmp_path / "logo.pdf")
    with pytest.raises(UnsupportedType, match="image/svg"):
        detect_file(path, "logo.pdf")


def test_an_executable_renamed_pdf_is_refused(tmp_path: Path) -> None:
    path = filegen.make_elf_renamed_pdf(tmp_path / "surat.pdf")
    with pytest.raises(UnsupportedType) as info:
        detect_file(path, "surat.pdf")
    assert not isinstance(info.value, UnreadableFile)
    assert "application/x-" in info.value.message


def test_a_pdf_header_over_an_html_body_passes_detection_because_magic_reads_the_header(
    tmp_path: Path,
) -> None:
    # Documented limit: extraction (test_extract) is what refuses this file.
    path = filegen.make_pdf_header_over_html(tmp_path / "palsu.pdf")
    assert detect_file(path, "palsu.pdf").mime == "application/pdf"


def test_a_pdf_with_junk_bytes_before_the_header_is_accepted_as_pdf(tmp_path: Path) -> None:
    real = filegen.make_text_pdf(tmp_path / "asli.pdf", ["Surat keputusan"])
    path = tmp_path / "sampah.pdf"
    path.write_bytes(b"\x00\x01\x02\x03" + real.read_bytes())
    assert detect_file(path, "sampah.pdf").mime == "application/pdf"


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "kosong.pdf"
    path.write_bytes(b"")
    with pytest.raises(UnsupportedType, match="Berkas kosong"):
        detect_file(path, "kosong.pdf")


def test_a_png_named_pdf_is_refused_as_a_mismatch(tmp_path: Path) -> None:
    path = filegen.make_png(tmp_path / "x.pdf")
    with pytest.raises(UnsupportedType) as info:
        detect_file(path, "x.pdf")
    assert "tidak sesuai dengan namanya" in info.value.message
    assert ".pdf" in info.value.message and "image/png" in info.value.message


@pytest.mark.parametrize("name", ["surat.exe", "surat.html", "surat.docx", "surat.zip"])
def test_a_pdf_named_as_another_known_type_is_refused(tmp_path: Path, name: str) -> None:
    path = filegen.make_text_pdf(tmp_path / "surat", ["Surat keputusan"])
    with pytest.raises(UnsupportedType, match="tidak sesuai dengan namanya"):
        detect_file(path, name)


@pytest.mark.parametrize("name", ["SURAT.PDF", "surat", "surat.arsip2024", "surat.v2", None])
def test_an_upper_case_missing_or_unknown_extension_is_accepted_by_content(
    tmp_path: Path, name: str | None
) -> None:
    path = filegen.make_text_pdf(tmp_path / "surat", ["Surat keputusan"])
    assert detect_file(path, name).mime == "application/pdf"


@pytest.mark.parametrize("name", ["foto.jpg", "foto.JPEG", "foto.jpe"])
def test_jpeg_accepts_its_usual_extensions(tmp_path: Path, name: str) -> None:
    path = filegen.make_jpeg(tmp_path / "foto")
    assert detect_file(path, name) == Detected("image/jpeg", ".jpg")


def test_a_plain_zip_is_refused(tmp_path: Path) -> None:
    path = filegen.make_zip(tmp_path / "berkas.zip", {"a.txt": b"isi"})
    with pytest.raises(UnsupportedType, match="application/zip"):
        detect_file(path, "berkas.zip")


def test_a_zip_with_a_parent_directory_entry_is_refused(tmp_path: Path) -> None:
    path = filegen.make_zip(
        tmp_path / "jahat.docx", {"word/document.xml": b"<x/>", "../../etc/cron.d/x": b"x"}
    )
    with pytest.raises(UnsupportedType, match="tidak aman"):
        detect_file(path, "jahat.docx")


def test_a_zip_with_an_absolute_entry_name_is_refused(tmp_path: Path) -> None:
    path = filegen.make_zip(
        tmp_path / "jahat.docx", {"word/document.xml": b"<x/>", "/etc/passwd": b"x"}
    )
    with pytest.raises(UnsupportedType, match="tidak aman"):
        detect_file(path, "jahat.docx")


def test_a_zip_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    members = {"word/document.xml": b"<x/>"} | {f"f/{i}": b"" for i in range(10_001)}
    path = filegen.make_zip(tmp_path / "banyak.docx", members)
    with pytest.raises(UnsupportedType, match="demi keamanan") as refused:
        detect_file(path, "banyak.docx")
    assert "entri" in (refused.value.detail or "")


def test_a_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    path = filegen.make_zip(
        tmp_path / "bom.docx", {"word/document.xml": b"<x/>", "big.xml": b" " * (50 * 2**20)}
    )
    with pytest.raises(UnsupportedType, match="demi keamanan") as refused:
        detect_file(path, "bom.docx")
    assert "bom zip" in (refused.value.detail or "")


def test_an_opendocument_spreadsheet_is_refused_naming_its_type(tmp_path: Path) -> None:
    path = tmp_path / "tabel.ods"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    with pytest.raises(UnsupportedType, match="opendocument.spreadsheet"):
        detect_file(path, "tabel.ods")


def test_an_odt_without_a_readable_mimetype_entry_is_recognised_by_its_manifest(
    tmp_path: Path,
) -> None:
    source = filegen.make_odt(tmp_path / "asli.odt", ["Notulen rapat"])
    path = tmp_path / "tanpa-mimetype.odt"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w") as dest:
        for info in src.infolist():
            if info.filename != "mimetype":
                dest.writestr(info, src.read(info))
    assert detect_file(path, "tanpa-mimetype.odt").mime == ODT


def test_a_damaged_office_zip_is_refused(tmp_path: Path) -> None:
    good = _make("docx", tmp_path / "utuh.docx").read_bytes()
    path = tmp_path / "rusak.docx"
    path.write_bytes(good[: len(good) // 2])
    with pytest.raises(UnsupportedType):
        detect_file(path, "rusak.docx")


def test_detection_is_safe_from_many_threads_at_once(tmp_path: Path) -> None:
    files = {
        "application/pdf": _make("pdf", tmp_path / "a.pdf"),
        "image/png": _make("png", tmp_path / "a.png"),
        DOCX: _make("docx", tmp_path / "a.docx"),
        "text/plain": _make("text", tmp_path / "a.txt"),
    }
    errors: list[str] = []

    def work() -> None:
        for _ in range(25):
            for mime, path in files.items():
                got = detect_file(path, path.name).mime
                if got != mime:
                    errors.append(f"{path.name}: {got}")

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
