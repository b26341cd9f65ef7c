"""The file store: temporary files, hashing, categorized never-overwriting storage."""

import hashlib
import io
import os
import resource
import subprocess
import time
from pathlib import Path

import pytest

from earsip.errors import StorageError, StorageFull, TooLarge
from earsip.owners import owner_alive, owner_tag
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
    # Until its row is committed the stored file keeps this process's claim on it.
    [claim] = store.stale_temp_files()
    assert claim.name.endswith(".filing") and claim.samefile(store.path_of(relative))
    store.settle(relative)
    assert store.stale_temp_files() == []
    assert store.path_of(relative).read_bytes() == payload


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


def test_old_temporary_files_of_unknown_processes_are_quarantined_not_deleted(
        tmp_path: Path) -> None:
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


def _dead_pid() -> int:
    gone = subprocess.Popen(["true"])
    gone.wait()
    return gone.pid


def test_a_fresh_temporary_file_of_a_dead_process_is_quarantined_and_a_live_ones_kept(
        tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    store.ensure()
    dead = store.tmp_dir / f"{owner_tag().rsplit('.', 1)[0]}.{_dead_pid()}.abc.part"
    dead.write_bytes(b"separuh")
    live = store.incoming()
    live.write(b"sedang diunggah")
    try:
        moved = store.quarantine_stale(older_than_s=3600)
        assert [p.name for p in moved] == [dead.name]
        assert live.path.exists()
    finally:
        live.close()


def test_a_claim_of_a_dead_process_is_found_with_its_stored_path(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    relative = store.commit(store.receive(io.BytesIO(b"isi")), category="KA", year=2024,
                            extension=".pdf")
    assert store.abandoned_claims(older_than_s=3600) == []  # ours, and we are alive
    [claim] = store.stale_temp_files()
    orphan = claim.with_name(claim.name.replace(f".{os.getpid()}-", f".{_dead_pid()}-", 1))
    claim.rename(orphan)
    assert store.abandoned_claims(older_than_s=3600) == [(orphan, relative)]
    kept = store.quarantine_claim(orphan, relative)
    assert kept.read_bytes() == b"isi" and kept.parent == store.quarantine_dir
    assert not store.path_of(relative).exists()
    assert relative not in list(store.iter_files())


def test_a_full_disk_while_receiving_is_a_storage_full_error_and_leaves_nothing(
        tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    store.ensure()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
    try:
        with pytest.raises(StorageFull):
            store.receive(io.BytesIO(b"x" * (2 * 1024 * 1024)))
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    assert store.stale_temp_files() == []


def test_a_full_disk_while_the_form_parser_writes_an_upload_is_a_storage_full_error(
        tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    incoming = store.incoming()
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, hard))
    try:
        with pytest.raises(StorageFull):
            for _ in range(4):
                incoming.write(b"x" * (32 * 1024))
                incoming.finish()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        incoming.close()
    assert store.stale_temp_files() == []


def test_a_file_named_by_a_process_whose_number_was_reused_counts_as_abandoned(
        tmp_path: Path) -> None:
    machine, _, rest = owner_tag().partition(".")
    pid, _, start = rest.partition("-")
    assert owner_alive(f"{machine}.{pid}-{start}.x.part") is True
    assert owner_alive(f"{machine}.{pid}-{int(start) + 1}.x.part") is False  # a later process
    assert owner_alive(f"{machine}.{_dead_pid()}-1.x.part") is False
    assert owner_alive(f"elsewhere-0-0.{pid}-{start}.x.part") is None  # another host or boot


def test_an_old_claim_is_abandoned_even_if_its_process_seems_alive(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "up")
    relative = store.commit(store.receive(io.BytesIO(b"isi")), category="KA", year=2024,
                            extension=".pdf")
    [claim] = store.stale_temp_files()
    os.utime(claim, (time.time() - 7200, time.time() - 7200))
    assert store.abandoned_claims(older_than_s=3600) == [(claim, relative)]
