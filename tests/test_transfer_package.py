"""BagIt transfer packages: built, checked by us and by bagit's own validator, zipped."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from earsip.errors import StorageError, ValidationError
from earsip.transfer_package import (
    PackageFile,
    PackageResult,
    build_package,
    validate_package,
    zip_package,
)
from tests.filegen import SAMPLE_ID_TEXT, make_text_pdf

BAGIT_CLI = Path(sys.executable).parent / "bagit.py"
BAG_INFO = {
    "Source-Organization": "Bawaslu Kota Mojokerto",
    "External-Identifier": "PENYERAHAN-2026-01",
    "External-Description": "Arsip statis hasil pengawasan\nPemilu 2024",
    "Bagging-Date": "2026-11-30",
}


def extras() -> dict[str, bytes]:
    """Return the metadata files a real transfer carries."""
    return {
        "metadata.json": json.dumps({"paket": "PENYERAHAN-2026-01", "arsip": 2}).encode(),
        "metadata.csv": "\ufeffkode,judul\r\nKP.01,Surat keputusan\r\n".encode(),
        "audit.jsonl": b'{"aksi": "serah"}\n',
        "daftar_arsip.csv": "\ufeffNo,Kode\r\n1,KP.01\r\n2,PW.02\r\n".encode(),
        "berita_acara_penyerahan.pdf": b"%PDF-1.4 berita acara",
    }


@pytest.fixture
def sources(tmp_path: Path) -> list[PackageFile]:
    """Two real PDFs to put in a package."""
    src = tmp_path / "sumber"
    src.mkdir()
    first = make_text_pdf(src / "a.pdf", [SAMPLE_ID_TEXT[0], SAMPLE_ID_TEXT[1]])
    second = make_text_pdf(src / "b.pdf", [SAMPLE_ID_TEXT[2]], title="Notulen rapat")
    return [
        PackageFile(first, "arsip/KP.01/2024-0001 Berita acara pemusnahan.pdf"),
        PackageFile(second, "arsip/PW.02/2024-0002 Notulen rapat koordinasi é.pdf"),
    ]


@pytest.fixture
def package(tmp_path: Path, sources: list[PackageFile]) -> PackageResult:
    """A freshly built package."""
    return build_package(tmp_path / "keluar" / "paket-2026-01", sources, extras(), dict(BAG_INFO))


def cli_validate(path: Path) -> subprocess.CompletedProcess[str]:
    """Run the validator shipped with bagit on a package."""
    assert BAGIT_CLI.is_file(), f"bagit.py not found next to {sys.executable}"
    return subprocess.run([sys.executable, str(BAGIT_CLI), "--validate", str(path)],
                          capture_output=True, text=True, check=False, timeout=120)


# --------------------------------------------------------------------------- building


def test_a_built_package_is_valid_for_us_and_for_bagit(package: PackageResult) -> None:
    assert validate_package(package.path) == []
    done = cli_validate(package.path)
    assert done.returncode == 0, done.stderr
    assert "is valid" in done.stderr


def test_the_package_holds_every_file_under_data(package: PackageResult,
                                                 sources: list[PackageFile]) -> None:
    data = package.path / "data"
    for item in sources:
        assert (data / item.arcname).read_bytes() == item.source.read_bytes()
    for name, content in extras().items():
        assert (data / name).read_bytes() == content
    assert package.files == 7
    size = sum(p.stat().st_size for p in data.rglob("*") if p.is_file())
    assert package.oxum == f"{size}.7"


def test_the_package_has_sha256_and_sha512_manifests(package: PackageResult) -> None:
    names = sorted(p.name for p in package.path.iterdir())
    assert names == ["bag-info.txt", "bagit.txt", "data", "manifest-sha256.txt",
                     "manifest-sha512.txt", "tagmanifest-sha256.txt", "tagmanifest-sha512.txt"]
    manifest = (package.path / "manifest-sha256.txt").read_text(encoding="utf-8")
    pdf = package.path / "data/arsip/KP.01/2024-0001 Berita acara pemusnahan.pdf"
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert f"{digest}  data/arsip/KP.01/2024-0001 Berita acara pemusnahan.pdf" in manifest
    assert len((package.path / "manifest-sha512.txt").read_text().splitlines()) == 7


def test_the_digest_is_the_sha256_of_the_tag_manifest(package: PackageResult) -> None:
    tagmanifest = (package.path / "tagmanifest-sha256.txt").read_bytes()
    assert package.digest == hashlib.sha256(tagmanifest).hexdigest()
    assert b"manifest-sha256.txt" in tagmanifest and b"bag-info.txt" in tagmanifest


def test_bag_info_carries_the_given_tags_on_one_line_each(package: PackageResult) -> None:
    info = (package.path / "bag-info.txt").read_text(encoding="utf-8")
    assert "Source-Organization: Bawaslu Kota Mojokerto\n" in info
    assert "External-Description: Arsip statis hasil pengawasan Pemilu 2024\n" in info
    assert "Bagging-Date: 2026-11-30\n" in info
    assert f"Payload-Oxum: {package.oxum}\n" in info


def test_building_leaves_nothing_but_the_package(package: PackageResult) -> None:
    assert [p.name for p in package.path.parent.iterdir()] == ["paket-2026-01"]


def test_an_existing_target_is_refused(package: PackageResult,
                                       sources: list[PackageFile]) -> None:
    before = package.path.joinpath("tagmanifest-sha256.txt").read_bytes()
    with pytest.raises(ValidationError, match="sudah ada"):
        build_package(package.path, sources, {}, {})
    assert package.path.joinpath("tagmanifest-sha256.txt").read_bytes() == before


@pytest.mark.parametrize("arcname", [
    "/etc/passwd",
    "../keluar.pdf",
    "arsip/../../keluar.pdf",
    "arsip/..",
    "arsip\\surat.pdf",
    "arsip/surat\n.pdf",
    "arsip/surat\r.pdf",
    "arsip/surat\x00.pdf",
    "arsip/surat\x1b.pdf",
    "arsip/surat\x7f.pdf",
    "",
    "arsip//surat.pdf",
    "./surat.pdf",
    "arsip/",
    "a" * 256,
])
def test_a_bad_arcname_is_refused_and_nothing_is_left(tmp_path: Path, sources: list[PackageFile],
                                                      arcname: str) -> None:
    target = tmp_path / "keluar" / "paket"
    with pytest.raises(ValidationError) as err:
        build_package(target, [PackageFile(sources[0].source, arcname)], {}, {})
    assert err.value.field == "arcname"
    assert not target.parent.exists() or list(target.parent.iterdir()) == []
    with pytest.raises(ValidationError):
        build_package(target, [], {arcname: b"x"}, {})


@pytest.mark.parametrize("names", [
    ["arsip/surat.pdf", "arsip/surat.pdf"],
    ["arsip/Surat.pdf", "arsip/surat.PDF"],  # one file on a case-insensitive disk
    ["arsip/caf\u00e9.pdf", "arsip/cafe\u0301.pdf"],  # the same name, composed and decomposed
    ["arsip", "arsip/surat.pdf"],  # a file where a folder must go
])
def test_names_that_would_overwrite_each_other_are_refused(tmp_path: Path,
                                                           sources: list[PackageFile],
                                                           names: list[str]) -> None:
    files = [PackageFile(sources[0].source, name) for name in names]
    with pytest.raises(ValidationError):
        build_package(tmp_path / "paket", files, {}, {})
    with pytest.raises(ValidationError):
        build_package(tmp_path / "paket", files[:1], {names[1]: b"x"}, {})
    assert not (tmp_path / "paket").exists()


def test_a_computed_or_malformed_bag_info_tag_is_refused(tmp_path: Path,
                                                         sources: list[PackageFile]) -> None:
    for bag_info in ({"Payload-Oxum": "1.1"}, {"Kode:Arsip": "x"}, {"Kode Arsip": "x"},
                     {"": "x"}, {"Kode\nArsip": "x"}):
        with pytest.raises(ValidationError) as err:
            build_package(tmp_path / "paket", sources, {}, bag_info)
        assert err.value.field == "bag_info"


def test_a_missing_source_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        build_package(tmp_path / "paket", [PackageFile(tmp_path / "hilang.pdf", "a.pdf")], {}, {})
    assert not (tmp_path / "paket").exists()


def test_a_build_that_fails_halfway_leaves_no_partial_folder(tmp_path: Path,
                                                             sources: list[PackageFile]) -> None:
    # Each part is a valid name, but together they exceed the longest path the OS accepts.
    deep = "/".join(["d" * 250] * 20) + "/surat.pdf"
    out = tmp_path / "keluar"
    with pytest.raises(StorageError):
        build_package(out / "paket", [sources[0], PackageFile(sources[1].source, deep)], {}, {})
    assert list(out.iterdir()) == []


def test_an_empty_package_is_refused(tmp_path: Path) -> None:
    # bagit would write no manifest at all, and a bag without one is invalid.
    with pytest.raises(ValidationError) as err:
        build_package(tmp_path / "kosong", [], {}, {})
    assert err.value.field == "files"
    assert list(tmp_path.iterdir()) == []


def test_extras_alone_make_a_valid_package(tmp_path: Path) -> None:
    result = build_package(tmp_path / "metadata", [], {"metadata.json": b"{}"}, {})
    assert result.files == 1 and result.oxum == "2.1"
    assert validate_package(result.path) == []
    assert cli_validate(result.path).returncode == 0


# --------------------------------------------------------------------------- validation


def test_a_modified_payload_file_is_reported_by_both(package: PackageResult) -> None:
    target = package.path / "data/arsip/KP.01/2024-0001 Berita acara pemusnahan.pdf"
    content = bytearray(target.read_bytes())
    content[-20] ^= 0x01  # same size: only the checksums can tell
    target.write_bytes(bytes(content))
    problems = validate_package(package.path)
    assert len(problems) == 2
    assert all("2024-0001 Berita acara pemusnahan.pdf" in p for p in problems)
    assert {"sha256", "sha512"} == {p.split()[1] for p in problems}
    done = cli_validate(package.path)
    assert done.returncode == 1
    assert "2024-0001 Berita acara pemusnahan.pdf" in done.stderr


def test_a_file_that_changed_size_is_named_too(package: PackageResult) -> None:
    (package.path / "data/metadata.json").write_bytes(b'{"paket": "diubah"}')
    problems = validate_package(package.path)
    assert any("Payload-Oxum" in p for p in problems)
    assert any("data/metadata.json" in p and "sha256" in p for p in problems)
    assert cli_validate(package.path).returncode == 1


def test_a_removed_file_is_reported_by_both(package: PackageResult) -> None:
    (package.path / "data/audit.jsonl").unlink()
    problems = validate_package(package.path)
    assert any("Payload-Oxum" in p for p in problems)
    assert "Berkas data/audit.jsonl tercantum dalam manifest tetapi tidak ada." in problems
    done = cli_validate(package.path)
    assert done.returncode == 1
    assert "is invalid" in done.stderr


def test_an_added_file_is_reported(package: PackageResult) -> None:
    (package.path / "data/sisipan.txt").write_text("tambahan")
    problems = validate_package(package.path)
    assert "Berkas data/sisipan.txt ada tetapi tidak tercantum dalam manifest." in problems
    assert cli_validate(package.path).returncode == 1


def test_a_changed_bag_info_is_caught_by_the_tag_manifest(package: PackageResult) -> None:
    info = package.path / "bag-info.txt"
    info.write_text(info.read_text().replace("Mojokerto", "Surabaya"))
    assert any("bag-info.txt" in p for p in validate_package(package.path))
    assert cli_validate(package.path).returncode == 1


def test_a_folder_that_is_not_a_bag_is_reported(tmp_path: Path) -> None:
    problems = validate_package(tmp_path)
    assert len(problems) == 1 and "bagit.txt" in problems[0]


# --------------------------------------------------------------------------- zip


def test_a_zip_round_trip_contains_every_file(package: PackageResult, tmp_path: Path) -> None:
    buf = io.BytesIO()
    zip_package(package.path, buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        assert zf.testzip() is None
        members = {n for n in zf.namelist() if not n.endswith("/")}
        zf.extractall(tmp_path / "unduhan")
    on_disk = {f"paket-2026-01/{p.relative_to(package.path).as_posix()}"
               for p in package.path.rglob("*") if p.is_file()}
    assert members == on_disk
    assert len(members) == 7 + 6
    unpacked = tmp_path / "unduhan" / "paket-2026-01"
    assert validate_package(unpacked) == []
    assert cli_validate(unpacked).returncode == 0


def test_a_zip_can_be_streamed_to_an_unseekable_pipe(package: PackageResult) -> None:
    read_fd, write_fd = os.pipe()
    received: list[bytes] = []

    def drain() -> None:
        with os.fdopen(read_fd, "rb") as reader:
            received.append(reader.read())

    reader_thread = threading.Thread(target=drain)
    reader_thread.start()
    with os.fdopen(write_fd, "wb") as writer:
        zip_package(package.path, writer)
    reader_thread.join(timeout=60)
    with zipfile.ZipFile(io.BytesIO(received[0])) as zf:
        assert zf.testzip() is None
        assert "paket-2026-01/data/metadata.json" in zf.namelist()


def test_a_package_with_a_symlink_is_not_zipped(package: PackageResult, tmp_path: Path) -> None:
    secret = tmp_path / "rahasia.txt"
    secret.write_text("kata sandi")
    (package.path / "data" / "tautan.txt").symlink_to(secret)
    with pytest.raises(StorageError):
        zip_package(package.path, io.BytesIO())


def test_only_a_bag_is_zipped(tmp_path: Path) -> None:
    with pytest.raises(StorageError):
        zip_package(tmp_path, io.BytesIO())
