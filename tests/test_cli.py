"""The `earsip` command: init, users, bulk import, classification CSV, reindex."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from earsip.models import Classification, Document, User
from earsip.services import Archive
from tests import filegen
from tests.conftest import SEARCH_BACKEND


def _documents(archive: Archive) -> list[Document]:
    with archive.db.read() as session:
        return list(session.scalars(select(Document).order_by(Document.id)))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "pindaian"
    (root / "2023" / "rapat").mkdir(parents=True)
    filegen.make_text_pdf(root / "2023" / "rapat" / "notulen_rapat.pdf",
                          filegen.SAMPLE_ID_TEXT[2:4])
    filegen.make_text_pdf(root / "2023" / "keputusan.pdf", filegen.SAMPLE_ID_TEXT[1:2])
    filegen.make_docx(root / "memo.docx", filegen.SAMPLE_ID_TEXT[4:5])
    filegen.make_png(root / "foto_kegiatan.png")
    (root / ".DS_Store").write_bytes(b"\x00\x00")
    return root


def test_init_creates_the_admin_once_and_prints_a_generated_password_once(
        config, cli_env: dict[str, str]) -> None:
    from earsip.cli import main

    env = dict(cli_env, EARSIP_ADMIN_PASSWORD="")
    first = CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "Kata sandi" in first.output
    second = CliRunner().invoke(main, ["init"], env=env, catch_exceptions=False)
    assert second.exit_code == 0
    assert "Kata sandi" not in second.output
    archive = Archive.open(config)
    with archive.db.read() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        assert session.scalar(select(func.count()).select_from(Classification)) >= 28
    archive.close()


def test_user_create_reads_the_password_from_stdin_and_the_user_can_get_a_token(
        runner, client) -> None:
    result = runner("user", "create", "arsiparis1", "--role", "arsiparis", "--clearance",
                    "rahasia", "--password-stdin", input="kata-sandi-panjang\n")
    assert result.exit_code == 0, result.output
    r = client.post("/api/v1/tokens", json={"username": "arsiparis1",
                                            "password": "kata-sandi-panjang"})
    assert r.status_code == 201


def test_user_create_refuses_a_short_password(runner) -> None:
    result = runner("user", "create", "pendek", "--role", "staf", "--clearance", "biasa",
                    "--password-stdin", input="abc\n")
    assert result.exit_code == 1
    assert "minimal" in result.output


def test_import_files_a_folder_recursively_and_a_second_run_files_nothing_twice(
        runner, folder: Path, archive: Archive, tmp_path: Path) -> None:
    first = runner("import", str(folder), "--classification", "KA.00")
    assert first.exit_code == 0, first.output
    assert "4 diarsipkan, 0 duplikat" in first.output
    docs = _documents(archive)
    assert sorted(d.original_filename for d in docs) == [
        "foto_kegiatan.png", "keputusan.pdf", "memo.docx", "notulen_rapat.pdf"]
    assert {d.title for d in docs} >= {"notulen rapat", "foto kegiatan"}
    second = runner("import", str(folder), "--classification", "KA.00")
    assert second.exit_code == 0, second.output
    assert "0 diarsipkan, 4 duplikat" in second.output
    assert len(_documents(archive)) == 4
    stored = [p for p in archive.store.root.rglob("*") if p.is_file() and ".tmp" not in p.parts]
    assert len(stored) == 4


def test_import_reports_refused_files_with_reasons_and_exits_non_zero(
        runner, folder: Path, archive: Archive) -> None:
    filegen.make_html_renamed_pdf(folder / "palsu.pdf")
    result = runner("import", str(folder), "--classification", "KA.00", "--jobs", "2")
    assert result.exit_code == 1
    assert "palsu.pdf" in result.output and "DITOLAK" in result.output
    assert "4 diarsipkan, 0 duplikat (sudah ada), 1 ditolak" in result.output
    assert len(_documents(archive)) == 4


def test_import_takes_per_file_metadata_from_a_csv(runner, folder: Path, tmp_path: Path,
                                                   archive: Archive) -> None:
    meta = tmp_path / "metadata.csv"
    meta.write_text(
        "file,title,number,date,code,security\n"
        "2023/keputusan.pdf,SK Penetapan JRA,001/HK.01.01/2023,2023-02-01,HK.01.01,terbatas\n"
        "memo.docx,Memo kearsipan,,2022-07-09,,\n", encoding="utf-8")
    result = runner("import", str(folder), "--classification", "KA.00", "--metadata", str(meta))
    assert result.exit_code == 0, result.output
    by_name = {d.original_filename: d for d in _documents(archive)}
    sk = by_name["keputusan.pdf"]
    assert (sk.title, sk.number, sk.classification_code, sk.security) == (
        "SK Penetapan JRA", "001/HK.01.01/2023", "HK.01.01", "terbatas")
    assert sk.document_date.isoformat() == "2023-02-01"
    memo = by_name["memo.docx"]
    assert (memo.title, memo.classification_code, memo.document_date.isoformat()) == (
        "Memo kearsipan", "KA.00", "2022-07-09")


def test_imported_documents_are_searchable(runner, folder: Path, client, token_for) -> None:
    assert runner("import", str(folder), "--classification", "KA.00").exit_code == 0
    r = client.get("/api/v1/search", query_string={"q": "pemutakhiran"},
                   headers=token_for("admin"))
    assert r.get_json()["total"] == 1


def test_import_with_an_unknown_code_rejects_every_file(runner, folder: Path) -> None:
    result = runner("import", str(folder), "--classification", "ZZ.99")
    assert result.exit_code == 1
    assert "0 diarsipkan" in result.output and "4 ditolak" in result.output


def test_classification_export_and_import_round_trip(runner, tmp_path: Path,
                                                     archive: Archive) -> None:
    out = tmp_path / "skema.csv"
    assert runner("classification", "export", str(out)).exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("code,name,parent,active_years,active_trigger")
    assert "PM.01.02,Hasil Pengawasan Pemilu Tingkat Kab/Kota,PM.01,2,tahapan pemilu berakhir,8" \
        in text
    edited = text.replace("KA.00,Administrasi Persuratan,KA,2,",
                          "KA.00,Administrasi Persuratan,KA,4,")
    edited += "KA.00.01,Surat Masuk,,,,,,,0,\n"
    out.write_text(edited, encoding="utf-8")
    result = runner("classification", "import", str(out))
    assert result.exit_code == 0, result.output
    assert "Kode baru 1, diubah 1" in result.output
    with archive.db.read() as session:
        child = session.get(Classification, "KA.00.01")
        assert child is not None and child.parent_code == "KA.00"
        assert session.get(Classification, "KA.00").active_years == 4


def test_a_bad_classification_csv_changes_nothing(runner, tmp_path: Path,
                                                  archive: Archive) -> None:
    bad = tmp_path / "buruk.csv"
    bad.write_text("code,name,final_fate\nKA.09,Baru,musnah\nKA.10,Rusak,dibakar\n")
    result = runner("classification", "import", str(bad))
    assert result.exit_code == 1
    assert "nasib akhir" in result.output
    with archive.db.read() as session:
        assert session.get(Classification, "KA.09") is None


def _lose_index(archive: Archive) -> None:
    """Lose the search index: Whoosh's folder, or every entry of PostgreSQL's table."""
    archive.index.close()
    if SEARCH_BACKEND == "postgres":
        archive.index.delete(archive.index.indexed_ids())
    else:
        shutil.rmtree(archive.config.index_dir)


def test_reindex_rebuilds_a_deleted_index_from_the_database(runner, folder: Path, archive,
                                                            client, token_for) -> None:
    assert runner("import", str(folder), "--classification", "KA.00").exit_code == 0
    _lose_index(archive)
    result = runner("reindex")
    assert result.exit_code == 0, result.output
    assert "4 dokumen" in result.output
    r = client.get("/api/v1/search", query_string={"q": "pemutakhiran"},
                   headers=token_for("admin"))
    assert r.get_json()["total"] == 1


def test_init_rebuilds_an_index_that_no_longer_matches_the_database(
        runner, folder: Path, archive: Archive) -> None:
    assert runner("import", str(folder), "--classification", "KA.00").exit_code == 0
    _lose_index(archive)
    result = runner("init")
    assert result.exit_code == 0, result.output
    assert "Indeks diperbarui: 4" in result.output


def test_init_with_a_too_short_admin_password_says_why_and_fails(cli_env: dict[str, str]) -> None:
    from earsip.cli import main

    result = CliRunner().invoke(main, ["init"], env=dict(cli_env, EARSIP_ADMIN_PASSWORD="pendek"))
    assert result.exit_code == 1
    assert "minimal 10 karakter" in result.output
