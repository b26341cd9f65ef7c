"""earsip.atomic: a file is replaced or created whole, never half, and never left as a temp file."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import BinaryIO

import pytest

from earsip.atomic import create_once, fsync_dir, sync_tree, write_atomic


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_a_write_replaces_the_file_whole_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "progress.json"
    target.write_bytes(b"old")
    write_atomic(target, b'{"count": 3}')
    assert target.read_bytes() == b'{"count": 3}'
    assert _names(tmp_path) == ["progress.json"]


def test_a_writer_function_writes_into_the_open_file(tmp_path: Path) -> None:
    def write(f: BinaryIO) -> None:
        f.write(b"satu ")
        f.write(b"dua")

    write_atomic(tmp_path / "a.txt", write)
    assert (tmp_path / "a.txt").read_bytes() == b"satu dua"


def test_a_failed_write_keeps_the_old_file_and_removes_its_temporary_file(
        tmp_path: Path) -> None:
    target = tmp_path / "catalog.mo"
    target.write_bytes(b"old")

    def fail_halfway(f: BinaryIO) -> None:
        f.write(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomic(target, fail_halfway)
    assert target.read_bytes() == b"old"
    assert _names(tmp_path) == ["catalog.mo"]


def test_a_write_into_a_missing_folder_fails_without_leaving_anything(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "nowhere" / "x", b"x")
    assert _names(tmp_path) == []


def test_create_once_makes_the_file_with_its_mode_and_never_replaces_it(
        tmp_path: Path) -> None:
    key = tmp_path / "secret_key"
    assert create_once(key, b"first\n", mode=0o600)
    assert not create_once(key, b"second\n", mode=0o600)
    assert key.read_bytes() == b"first\n"
    assert key.stat().st_mode & 0o777 == 0o600
    assert _names(tmp_path) == ["secret_key"]


def test_of_many_threads_creating_one_file_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "audit_ed25519.pem"
    won: list[bytes] = []
    start = threading.Barrier(8)

    def attempt(n: int) -> None:
        content = f"key {n}\n".encode()
        start.wait()
        if create_once(target, content):
            won.append(content)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(won) == 1 and target.read_bytes() == won[0]
    assert _names(tmp_path) == ["audit_ed25519.pem"]


def test_a_whole_folder_can_be_flushed_before_it_is_renamed_into_place(tmp_path: Path) -> None:
    work = tmp_path / "package"
    (work / "data").mkdir(parents=True)
    (work / "data" / "a.pdf").write_bytes(b"%PDF-1.4")
    (work / "bagit.txt").write_text("BagIt-Version: 1.0\n")
    sync_tree(work)
    work.rename(tmp_path / "final")
    fsync_dir(tmp_path)
    assert (tmp_path / "final" / "data" / "a.pdf").read_bytes() == b"%PDF-1.4"
