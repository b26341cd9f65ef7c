"""The file store: temporary files, hashing, categorized never-overwriting storage."""

import hashlib
import io
from pathlib import Path

import pytest

from earsip.errors import StorageError, TooLarge
from earsip.storage import FileStore


def test_a_received_file_is_hashed_and_then_stored_under_its_category_and_year(
        tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    payload = b"isi surat " * 1000
    temp = store.receive(io.BytesIO(payload))
    assert temp.sha256 == hashlib.sha256(payload).hexdigest()
    assert temp.size == len(payload)
    relative = store.commit(temp, category="KA", year=2024, extension=".pdf")
    assert relative.startswith("KA/2024/") and relative.endswith(".pdf")
    assert store.path_of(relative).read_bytes() == payload
    assert not temp.path.exists()
    assert store.stale_temp_files() == []


def test_two_commits_of_identical_bytes_never_share_or_overwrite_a_path(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    a = store.commit(store.receive(io.BytesIO(b"a")), category="KA", year=2024, extension=".txt")
    b = store.commit(store.receive(io.BytesIO(b"a")), category="KA", year=2024, extension=".txt")
    assert a != b


def test_a_file_over_the_limit_is_refused_and_its_temporary_file_removed(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    with pytest.raises(TooLarge):
        store.receive(io.BytesIO(b"x" * 3000), max_bytes=1000)
    assert store.stale_temp_files() == []


@pytest.mark.parametrize("relative", ["../outside.pdf", "/etc/passwd", "KA/../../x"])
def test_paths_outside_the_root_are_refused(tmp_path: Path, relative: str) -> None:
    store = FileStore(tmp_path / "up")
    store.ensure()
    with pytest.raises(StorageError):
        store.path_of(relative)


def test_a_category_with_path_characters_is_refused(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    temp = store.receive(io.BytesIO(b"a"))
    with pytest.raises(StorageError):
        store.commit(temp, category="../KA", year=2024, extension=".pdf")


def test_old_temporary_files_are_quarantined_not_deleted(tmp_path: Path) -> None:
    import os
    import time

    store = FileStore(tmp_path / "up")
    store.ensure()
    old = store.tmp_dir / "dead.part"
    old.write_bytes(b"separuh")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    fresh = store.tmp_dir / "live.part"
    fresh.write_bytes(b"sedang diunggah")
    moved = store.quarantine_stale(older_than_s=3600)
    assert [p.name for p in moved] == ["dead.part"]
    assert (store.quarantine_dir / "dead.part").read_bytes() == b"separuh"
    assert fresh.exists()
