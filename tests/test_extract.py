"""Text extraction in a limited child process: real PDFs, office files, hostile inputs."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from earsip import extract as ex
from earsip.detect import detect_file
from earsip.errors import UnreadableFile, UnsupportedType
from earsip.extract import Extraction, Limits, extract
from tests import filegen

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
TEXT = "text/plain"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"
STATUSES = {"extracted", "empty", "encrypted", "failed", "not_applicable"}


@pytest.fixture(scope="module", autouse=True)
def _stop_helpers() -> Iterator[None]:
    yield
    ex.shutdown()


# --------------------------------------------------------------------------- PDF


def test_a_multi_page_text_pdf_round_trips_its_words_and_page_count(tmp_path: Path) -> None:
    pages = filegen.SAMPLE_ID_TEXT[:3]
    path = filegen.make_text_pdf(tmp_path / "sk.pdf", pages, title="Surat Keputusan")
    result = extract(path, PDF)
    assert result.status == "extracted"
    assert result.pages == 3
    assert result.message is None
    for word in ("pemusnahan", "retensi", "keputusan", "koordinasi", "pengawasan", "kecamatan"):
        assert word in result.text
    assert result.text.count("\f") == 2
    assert result.text.index("pemusnahan") < result.text.index("koordinasi")


def test_an_image_only_pdf_comes_out_empty_with_a_scan_hint(tmp_path: Path) -> None:
    path = filegen.make_image_pdf(tmp_path / "pindai.pdf")
    result = extract(path, PDF)
    assert result == Extraction(
        "empty", "", 1, "PDF tidak memiliki lapisan teks (hasil pindai?).", blank_pages=1
    )


def test_a_pdf_that_needs_a_user_password_is_reported_encrypted(tmp_path: Path) -> None:
    path = filegen.make_encrypted_pdf(tmp_path / "rahasia.pdf", filegen.SAMPLE_ID_TEXT[0])
    result = extract(path, PDF)
    assert result.status == "encrypted"
    assert result.text == ""
    assert "kata sandi" in (result.message or "")


def test_an_owner_password_only_pdf_is_opened_and_extracted(tmp_path: Path) -> None:
    path = filegen.make_owner_only_encrypted_pdf(tmp_path / "terbatas.pdf", "Surat edaran arsip")
    result = extract(path, PDF)
    assert result.status == "extracted"
    assert "Surat edaran arsip" in result.text
    assert result.pages == 1


def test_a_truncated_pdf_is_refused_as_unreadable(tmp_path: Path) -> None:
    # pypdf 7.1.1 cannot rebuild a PDF cut in half (no xref, no trailer): it is refused rather
    # than filed as a partial record, so the user uploads the complete file again.
    path = filegen.make_truncated_pdf(tmp_path / "terpotong.pdf", filegen.SAMPLE_ID_TEXT[1])
    with pytest.raises(UnreadableFile, match="Berkas PDF rusak atau terpotong") as refused:
        extract(path, PDF)
    assert refused.value.detail  # the parser's own account, for the audit entry


def test_a_slightly_truncated_pdf_is_still_refused(tmp_path: Path) -> None:
    path = filegen.make_truncated_pdf(tmp_path / "ekor.pdf", "Notulen rapat", keep=0.97)
    with pytest.raises(UnreadableFile):
        extract(path, PDF)


def test_a_pdf_header_over_an_html_body_raises_unreadable_file(tmp_path: Path) -> None:
    path = filegen.make_pdf_header_over_html(tmp_path / "palsu.pdf")
    with pytest.raises(UnreadableFile, match="Berkas PDF rusak"):
        extract(path, PDF)


@pytest.mark.parametrize(
    "content", [b"\xff\xfeD\x00u\x00m\x00m\x00y\x00 \x00P\x00D\x00F\x00", b"%PDF-1.4\n%%EOF\n"]
)
def test_a_tiny_file_named_pdf_raises_unreadable_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kecil.pdf"
    path.write_bytes(content)
    with pytest.raises(UnreadableFile):
        extract(path, PDF)


def test_a_flate_bomb_is_stopped_by_the_decompression_limit(tmp_path: Path) -> None:
    path = filegen.make_flate_bomb_pdf(tmp_path / "bom.pdf")
    start = time.monotonic()
    result = extract(path, PDF, Limits(timeout_s=20))
    assert time.monotonic() - start < 20
    assert result.status == "failed"
    assert "demi keamanan" in (result.message or "")
    assert "LimitReachedError" in (result.detail or "")


def test_a_slow_pdf_is_killed_at_the_time_limit(tmp_path: Path) -> None:
    path = filegen.make_slow_pdf(tmp_path / "lambat.pdf")
    start = time.monotonic()
    result = extract(path, PDF, Limits(timeout_s=2))
    elapsed = time.monotonic() - start
    assert result.status == "failed"
    assert "batas waktu 2 detik" in (result.message or "")
    assert elapsed < 3.5


def test_text_beyond_the_character_limit_is_cut_and_the_message_says_so(tmp_path: Path) -> None:
    path = filegen.make_text_pdf(tmp_path / "panjang.pdf", filegen.SAMPLE_ID_TEXT)
    result = extract(path, PDF, Limits(max_text_chars=100))
    assert result.status == "extracted"
    assert len(result.text) == 100
    assert "dipotong" in (result.message or "")


def test_a_memory_hungry_file_fails_with_a_memory_message(tmp_path: Path) -> None:
    path = tmp_path / "besar.txt"
    path.write_bytes(b"arsip " * (40 * 2**20))
    result = extract(path, TEXT, Limits(memory_mb=200))
    assert result.status == "failed"
    assert "memori" in (result.message or "")


# --------------------------------------------------------------------------- text and office


def test_a_utf8_text_file_is_extracted_and_normalised(tmp_path: Path) -> None:
    text = "\ufeffBerita acara \ufb01nal\x00 pemusnahan\x07 arsip   \r\nbaris dua\n"
    path = filegen.make_text_file(tmp_path / "catatan.txt", text)
    result = extract(path, TEXT)
    assert result == Extraction("extracted", "Berita acara final pemusnahan arsip\nbaris dua", None,
                                None)


def test_a_windows_1252_text_file_falls_back_from_utf8(tmp_path: Path) -> None:
    text = "Caf\u00e9 \u2013 arsip"
    path = filegen.make_text_file(tmp_path / "lama.txt", text, encoding="cp1252")
    assert extract(path, TEXT).text == "Caf\u00e9 \u2013 arsip"


def test_a_blank_text_file_is_empty(tmp_path: Path) -> None:
    path = filegen.make_text_file(tmp_path / "kosong.txt", " \n\t\n")
    assert extract(path, TEXT).status == "empty"


def test_a_docx_is_extracted_paragraph_by_paragraph(tmp_path: Path) -> None:
    path = filegen.make_docx(tmp_path / "nota.docx", filegen.SAMPLE_ID_TEXT[:3])
    result = extract(path, DOCX)
    assert result.status == "extracted"
    assert result.text.split("\n") == filegen.SAMPLE_ID_TEXT[:3]


def test_an_xlsx_gives_its_strings_and_numbers(tmp_path: Path) -> None:
    rows: list[list[str | int | float]] = [
        ["Nomor", "Uraian arsip", "Tahun"],
        [1, "Surat keputusan pemusnahan arsip", 2024],
        [2, "Notulen rapat koordinasi", 2.5],
    ]
    path = filegen.make_xlsx(tmp_path / "daftar.xlsx", rows)
    result = extract(path, XLSX)
    assert result.status == "extracted"
    assert result.text.split("\n") == [
        "Nomor\tUraian arsip\tTahun",
        "1\tSurat keputusan pemusnahan arsip\t2024",
        "2\tNotulen rapat koordinasi\t2.5",
    ]


def test_an_odt_is_extracted(tmp_path: Path) -> None:
    path = filegen.make_odt(tmp_path / "notulen.odt", filegen.SAMPLE_ID_TEXT[2:4])
    result = extract(path, ODT)
    assert result.status == "extracted"
    assert result.text.split("\n") == filegen.SAMPLE_ID_TEXT[2:4]


def test_a_billion_laughs_docx_fails_without_expanding(tmp_path: Path) -> None:
    path = filegen.make_hostile_docx(tmp_path / "tawa.docx", filegen.billion_laughs_document_xml())
    result = extract(path, DOCX, Limits(timeout_s=10))
    assert result.status == "failed"
    assert result.text == ""
    assert "demi keamanan" in (result.message or "")


def test_an_xxe_docx_fails_without_reading_the_target(tmp_path: Path) -> None:
    path = filegen.make_hostile_docx(tmp_path / "xxe.docx", filegen.xxe_document_xml())
    result = extract(path, DOCX)
    assert result.status == "failed"
    assert "root:" not in result.text
    assert "demi keamanan" in (result.message or "")
    assert "Forbidden" in (result.detail or "")  # defusedxml's refusal, for the audit entry


def test_a_broken_docx_zip_raises_unreadable_file(tmp_path: Path) -> None:
    good = filegen.make_docx(tmp_path / "utuh.docx", ["Surat"]).read_bytes()
    path = tmp_path / "rusak.docx"
    path.write_bytes(good[: len(good) // 3])
    with pytest.raises(UnreadableFile):
        extract(path, DOCX)


def test_an_oversized_member_in_an_office_zip_fails_for_safety(tmp_path: Path) -> None:
    path = tmp_path / "bom.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"<w:document/>")
        zf.writestr("word/media/pad.xml", b" " * (20 * 2**20))
    result = extract(path, DOCX)
    assert result.status == "failed"
    assert "demi keamanan" in (result.message or "")
    assert "bom zip" in (result.detail or "")


# --------------------------------------------------------------------------- images


@pytest.mark.parametrize(
    ("maker", "mime"), [(filegen.make_png, "image/png"), (filegen.make_jpeg, "image/jpeg")]
)
def test_png_and_jpeg_are_not_applicable_with_one_page(
    tmp_path: Path, maker: Callable[[Path], Path], mime: str
) -> None:
    result = extract(maker(tmp_path / "gambar"), mime)
    assert result == Extraction("not_applicable", "", 1,
                                "Gambar: teks belum dibaca (OCR belum tersedia).")


def test_a_multi_frame_tiff_reports_its_frame_count(tmp_path: Path) -> None:
    result = extract(filegen.make_tiff(tmp_path / "faks.tiff", frames=3), "image/tiff")
    assert result.status == "not_applicable"
    assert result.pages == 3


# --------------------------------------------------------------------------- process handling


def test_extractions_run_concurrently_and_a_slow_one_does_not_block_the_others(
    tmp_path: Path,
) -> None:
    slow = filegen.make_slow_pdf(tmp_path / "lambat.pdf")
    quick = [
        filegen.make_text_pdf(tmp_path / f"sk{i}.pdf", [filegen.SAMPLE_ID_TEXT[i]])
        for i in range(6)
    ]
    quick_done: list[float] = []
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        slow_future = pool.submit(extract, slow, PDF, Limits(timeout_s=3))
        futures = [pool.submit(extract, p, PDF) for p in quick]
        for i, fut in enumerate(futures):
            result = fut.result()
            quick_done.append(time.monotonic() - start)
            assert result.status == "extracted"
            assert filegen.SAMPLE_ID_TEXT[i].split()[0] in result.text
        assert slow_future.result().status == "failed"
    assert max(quick_done) < 2.5, quick_done


def test_many_threads_get_their_own_results(tmp_path: Path) -> None:
    paths = [
        filegen.make_text_pdf(tmp_path / f"d{i}.pdf", [f"Dokumen nomor {i} arsip"])
        for i in range(8)
    ]
    results: dict[int, str] = {}
    lock = threading.Lock()

    def work(i: int) -> None:
        text = extract(paths[i], PDF).text
        with lock:
            results[i] = text

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(f"Dokumen nomor {i} arsip" == results[i] for i in range(8))


def test_shutdown_is_safe_twice_and_extraction_works_after_it(tmp_path: Path) -> None:
    path = filegen.make_text_pdf(tmp_path / "a.pdf", ["Surat keputusan"])
    extract(path, PDF)
    ex.shutdown()
    ex.shutdown()
    assert extract(path, PDF).text == "Surat keputusan"


def test_consecutive_extractions_reuse_one_warm_worker(tmp_path: Path) -> None:
    ex.shutdown()
    paths = [filegen.make_text_pdf(tmp_path / f"s{i}.pdf", [f"Surat nomor {i}"]) for i in range(3)]
    texts = []
    pids = set()
    for path in paths:
        texts.append(extract(path, PDF).text)
        pids.update(ex.worker_pids())
    assert texts == [f"Surat nomor {i}" for i in range(3)]
    assert len(pids) == 1


def test_a_worker_killed_at_the_time_limit_is_replaced_for_the_next_file(tmp_path: Path) -> None:
    ok = filegen.make_text_pdf(tmp_path / "ok.pdf", ["Nota dinas"])
    extract(ok, PDF)
    before = set(ex.worker_pids())
    assert extract(filegen.make_slow_pdf(tmp_path / "lambat.pdf"), PDF,
                   Limits(timeout_s=1)).status == "failed"
    assert extract(ok, PDF).text == "Nota dinas"
    assert not before & set(ex.worker_pids())


def test_an_idle_worker_killed_from_outside_is_replaced_without_losing_the_file(
    tmp_path: Path,
) -> None:
    ok = filegen.make_text_pdf(tmp_path / "ok.pdf", ["Berita acara"])
    extract(ok, PDF)
    for pid in ex.worker_pids():
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    assert extract(ok, PDF).text == "Berita acara"


def test_a_worker_is_retired_after_a_failed_extraction(tmp_path: Path) -> None:
    ok = filegen.make_text_pdf(tmp_path / "ok.pdf", ["Surat edaran"])
    extract(ok, PDF)
    before = set(ex.worker_pids())
    bomb = filegen.make_flate_bomb_pdf(tmp_path / "bom.pdf")
    assert extract(bomb, PDF, Limits(timeout_s=20)).status == "failed"
    assert not before & set(ex.worker_pids())
    assert extract(ok, PDF).text == "Surat edaran"


def test_a_worker_is_retired_after_its_quota_of_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ex, "RECYCLE_AFTER_JOBS", 2)
    ex.shutdown()
    ok = filegen.make_text_pdf(tmp_path / "ok.pdf", ["Notulen"])
    pids = []
    for _ in range(4):
        extract(ok, PDF)
        pids.append(tuple(ex.worker_pids()))
    # Kept after its first file, retired after its second; then a new worker does the same.
    assert pids[1] == () and pids[3] == ()
    assert len(pids[0]) == 1 and len(pids[2]) == 1 and pids[0] != pids[2]


# --------------------------------------------------------------------------- real-world corpus


def _manifest() -> dict[str, dict[str, str]]:
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


@pytest.mark.slow
def test_every_real_world_pdf_gives_a_bounded_truthful_outcome() -> None:
    if not (CORPUS / "manifest.tsv").is_file():
        pytest.skip(f"real-world corpus not present at {CORPUS}")
    manifest = _manifest()
    files = sorted(CORPUS.rglob("*.pdf"))
    limits = Limits(timeout_s=30)

    def run(path: Path) -> tuple[Path, Extraction | None, float]:
        start = time.monotonic()
        try:
            result: Extraction | None = extract(path, PDF, limits)
        except UnreadableFile:
            result = None
        return path, result, time.monotonic() - start

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(run, files))

    problems = []
    for path, result, elapsed in outcomes:
        rel = path.relative_to(CORPUS).as_posix()
        assert elapsed < limits.timeout_s + 5, rel
        row = manifest.get(rel, {})
        encrypted = row.get("encrypted", "no") != "no" and not row["encrypted"].startswith("n/a")
        if result is None:
            if encrypted:
                problems.append(f"{rel}: UnreadableFile")
            continue
        assert result.status in STATUSES, rel
        assert result.status == "extracted" or result.text == "", rel
        if result.status in ("failed", "empty", "encrypted"):
            assert result.message, rel
        # "empty" is truthful for a restrictions-only file that opens but has no text layer.
        if encrypted and result.status not in ("encrypted", "extracted", "empty"):
            problems.append(f"{rel}: {result.status} {result.message}")
    assert problems == []


_OTHER_FORMATS_EXPECTED = {
    "paperless_simple.png": "not_applicable",
    "paperless_simple.jpg": "not_applicable",
    "paperless_simple.tiff": "not_applicable",
    "paperless_multi-page-images.tiff": "not_applicable",
    "paperless_simple.txt": "extracted",
    "sf_source.odt": "extracted",
    "id_active_regulation.xlsx": "extracted",
    "paperless_simple.gif": "refused",
    "paperless_document.webp": "refused",
    "paperless_html.eml": "refused",
    # Its first local header is damaged (unzip: "missing 1 bytes", zipfile cannot read the
    # mimetype entry); the manifest says ODT and content.xml reads fine.
    "ocrmypdf_tagged.odt": "extracted",
}


def test_real_world_non_pdf_files_are_detected_and_extracted_truthfully() -> None:
    folder = CORPUS / "other_formats"
    if not folder.is_dir():
        pytest.skip(f"real-world corpus not present at {folder}")
    seen = {}
    for name in _OTHER_FORMATS_EXPECTED:
        path = folder / name
        if not path.is_file():
            continue
        try:
            detected = detect_file(path, name)
        except UnsupportedType:
            seen[name] = "refused"
            continue
        seen[name] = extract(path, detected.mime).status
    assert seen == {n: s for n, s in _OTHER_FORMATS_EXPECTED.items() if n in seen}
    assert extract(folder / "paperless_multi-page-images.tiff", "image/tiff").pages == 3
