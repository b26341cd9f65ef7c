"""Atomic file writes: a reader sees the old file or the whole new one, and a crash after the
call returns cannot lose the new one.

Each write goes to a temporary file in the same folder (so the final step is a rename within one
file system), is flushed and fsynced, then renamed over the target (`write_atomic`) or linked to
it, never replacing (`create_once`: the first of several processes wins); the folder is fsynced
last, so the new name is on disk too. Standard library only: every layer may import it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

# What to write: the bytes themselves, or a function that writes them into the open file.
Content = bytes | Callable[[BinaryIO], object]


def write_atomic(path: str | os.PathLike[str], content: Content, *, mode: int = 0o666) -> None:
    """Write `content` to `path`, replacing what was there in one step (OSError on failure)."""
    target = Path(path)
    temp = _write_temp(target, content, mode)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def create_once(path: str | os.PathLike[str], content: Content, *, mode: int = 0o600) -> bool:
    """Create `path` with `content` unless it exists; return False when it already did.

    The file appears whole or not at all, and never replaces one another process made first:
    of several processes creating the same file at once, one wins and the others return False
    (and should read the winner's file).
    """
    target = Path(path)
    temp = _write_temp(target, content, mode)
    try:
        os.link(temp, target)
    except FileExistsError:
        return False
    finally:
        temp.unlink(missing_ok=True)
    fsync_dir(target.parent)
    return True


def _write_temp(target: Path, content: Content, mode: int) -> Path:
    """Write `content` to a new, uniquely named file beside `target`, fsynced; return its path."""
    # Unique per process and thread; hidden, so folder listings of files pass it by.
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(content, bytes):
                f.write(content)
            else:
                content(f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Flush a folder's entries (names made, renamed or removed in it) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(root: str | os.PathLike[str]) -> None:
    """Flush every file and folder under `root`, e.g. before renaming the folder into place,
    so the rename never publishes empty or partial files."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(folder)
