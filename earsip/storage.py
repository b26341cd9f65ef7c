"""FileStore: categorized, never-overwriting storage of original files under one root.

A file is streamed into a temporary file inside the root (same filesystem, so the final move is
atomic) while it is hashed; it is fsynced, then linked into place under a generated name
(`os.link` fails instead of overwriting) and the temporary name is removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from earsip.errors import StorageError, TooLarge

CHUNK = 1024 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")


@dataclass(frozen=True)
class TempFile:
    """A received file waiting in the store's temporary folder."""

    path: Path
    size: int
    sha256: str


class IncomingFile(io.RawIOBase):
    """A file being received straight into the store's temporary folder, hashed as it is written.

    The web server's form parser writes an upload into it, so a browser or API upload is copied
    once, inside the upload folder, never spooled elsewhere. Closing it without `finish` (a
    refused or aborted request) removes the file.
    """

    def __init__(self, path: Path, max_bytes: int | None) -> None:
        super().__init__()
        self.path = path
        self._max = max_bytes
        self._f = open(path, "xb+")  # noqa: SIM115 - closed by close()
        self._hash = hashlib.sha256()
        self._size = 0

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[no-untyped-def, override]
        data = bytes(b)
        self._size += len(data)
        if self._max is not None and self._size > self._max:
            raise TooLarge("Berkas melebihi batas %(mb)d MB.",
                               params={"mb": self._max // (1024 * 1024)})
        self._hash.update(data)
        return self._f.write(data)

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def, override]
        return self._f.readinto(b)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def fileno(self) -> int:
        return self._f.fileno()

    def finish(self) -> TempFile:
        """Flush and fsync what was received and return it as a TempFile."""
        self._f.flush()
        os.fsync(self._f.fileno())
        return TempFile(path=self.path, size=self._size, sha256=self._hash.hexdigest())

    def close(self) -> None:
        if not self.closed:
            self._f.close()
            self.path.unlink(missing_ok=True)
        super().close()


class FileStore:
    """Stores original files below `root`; every path goes through a checked join."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.tmp_dir = self.root / ".tmp"
        self.quarantine_dir = self.root / ".quarantine"

    def ensure(self) -> None:
        """Create the root and its working folders."""
        for d in (self.root, self.tmp_dir, self.quarantine_dir):
            d.mkdir(parents=True, exist_ok=True)

    def _safe(self, relative: str) -> Path:
        path = (self.root / relative).resolve()
        if self.root not in path.parents:
            raise StorageError("Jalur berkas di luar folder penyimpanan ditolak.")
        return path

    def incoming(self, *, max_bytes: int | None = None) -> IncomingFile:
        """Return a new IncomingFile in the temporary folder."""
        self.ensure()
        return IncomingFile(self.tmp_dir / f"{uuid.uuid4().hex}.part", max_bytes)

    def receive(self, stream: BinaryIO, *, max_bytes: int | None = None) -> TempFile:
        """Copy `stream` into a temporary file while hashing it; fsync before returning."""
        self.ensure()
        path = self.tmp_dir / f"{uuid.uuid4().hex}.part"
        digest = hashlib.sha256()
        size = 0
        try:
            with open(path, "xb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise TooLarge("Berkas melebihi batas %(mb)d MB.",
                                       params={"mb": max_bytes // (1024 * 1024)})
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except TooLarge:
            path.unlink(missing_ok=True)
            raise
        except OSError as e:
            path.unlink(missing_ok=True)
            raise StorageError("Berkas tidak dapat disimpan: %(reason)s",
                               params={"reason": e.strerror or e}) from e
        return TempFile(path=path, size=size, sha256=digest.hexdigest())

    def receive_path(self, source: str | os.PathLike[str], **kwargs: int | None) -> TempFile:
        """Copy the file at `source` into a temporary file (see `receive`)."""
        try:
            with open(source, "rb") as f:
                return self.receive(f, **kwargs)  # type: ignore[arg-type]
        except OSError as e:
            raise StorageError("Berkas tidak dapat dibaca: %(reason)s",
                               params={"reason": e.strerror or e}) from e

    def discard(self, temp: TempFile) -> None:
        """Remove a temporary file that will not be filed."""
        temp.path.unlink(missing_ok=True)

    def commit(self, temp: TempFile, *, category: str, year: int, extension: str) -> str:
        """Move `temp` into `<category>/<year>/` under a new name; return the relative path."""
        if not _SEGMENT.match(category) or not _SEGMENT.match(extension.lstrip(".") or "x"):
            raise StorageError("Kategori atau ekstensi penyimpanan tidak sah.")
        relative = f"{category}/{year:04d}/{uuid.uuid4().hex}{extension}"
        final = self._safe(relative)
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.link(temp.path, final)  # fails with EEXIST rather than overwriting
        except OSError as e:
            raise StorageError("Berkas tidak dapat dipindahkan ke arsip: %(reason)s",
                               params={"reason": e.strerror or e}) from e
        try:
            temp.path.unlink()
            _fsync_dir(final.parent)
        except OSError as e:
            final.unlink(missing_ok=True)  # nothing refers to it yet
            raise StorageError("Berkas tidak dapat dipindahkan ke arsip: %(reason)s",
                               params={"reason": e.strerror or e}) from e
        return relative

    def commit_beside(self, source: Path, original: str, suffix: str) -> tuple[str, str, int]:
        """Move `source` (a file made from a stored one, e.g. its searchable copy) next to the
        stored file `original`, never overwriting; return (relative path, SHA-256, size)."""
        if not re.fullmatch(r"\.[a-z0-9]+(\.[a-z0-9]+)?", suffix):
            raise StorageError("Ekstensi penyimpanan tidak sah.")
        digest, size = hashlib.sha256(), 0
        with open(source, "rb") as f:
            os.fsync(f.fileno())
            for block in iter(lambda: f.read(1024 * 1024), b""):
                digest.update(block)
                size += len(block)
        stem = self._safe(original).name.split(".", 1)[0]
        relative = f"{original.rsplit('/', 1)[0]}/{stem}-{uuid.uuid4().hex[:8]}{suffix}"
        final = self._safe(relative)
        try:
            os.link(source, final)
            source.unlink()
            _fsync_dir(final.parent)
        except OSError as e:
            raise StorageError("Berkas tidak dapat disimpan ke arsip: %(reason)s",
                               params={"reason": e.strerror or e}) from e
        return relative, digest.hexdigest(), size

    def remove_unacknowledged(self, relative: str) -> None:
        """Remove a file placed by `commit` whose database row was never committed."""
        with contextlib.suppress(FileNotFoundError):
            self._safe(relative).unlink()

    def destroy(self, relative: str) -> bool:
        """Destroy a stored file's content (see `shred`); False when it was already gone.

        Used only by the destruction procedure (pemusnahan).
        """
        return shred(self._safe(relative))

    def iter_files(self) -> Iterator[str]:
        """Yield the relative path of every stored file (working folders excluded), sorted."""
        if not self.root.exists():
            return
        skip = {self.tmp_dir, self.quarantine_dir, self.root / ".spool"}
        for folder, dirs, files in os.walk(self.root):
            here = Path(folder)
            dirs[:] = sorted(d for d in dirs if here / d not in skip)
            for name in sorted(files):
                if here == self.root and name.startswith("."):
                    continue  # .gitkeep and the like
                yield (here / name).relative_to(self.root).as_posix()

    def path_of(self, relative: str) -> Path:
        """Return the absolute path of a stored file."""
        return self._safe(relative)

    def quarantine_stale(self, *, older_than_s: float) -> list[Path]:
        """Move temporary files older than `older_than_s` into the quarantine folder.

        They are left by uploads interrupted by a crash: never acknowledged, but kept for an
        administrator to look at rather than deleted.
        """
        self.ensure()
        cutoff = time.time() - older_than_s
        moved = []
        for path in self.stale_temp_files():
            try:
                if path.stat().st_mtime < cutoff:
                    target = self.quarantine_dir / path.name
                    os.rename(path, target)
                    moved.append(target)
            except FileNotFoundError:  # finished or removed meanwhile
                continue
        return moved

    def stale_temp_files(self) -> list[Path]:
        """Return temporary files left behind by an interrupted upload."""
        if not self.tmp_dir.exists():
            return []
        return sorted(p for p in self.tmp_dir.iterdir() if p.is_file())


def shred(path: Path) -> bool:
    """Overwrite a file's bytes, flush them to disk, then remove the file.

    The file is overwritten in place (so every hard link to it loses the content too) with
    random bytes, then zeros, each pass fsynced, before it is unlinked and its folder fsynced.
    Return False when the file was already gone. What the file system or the disk keeps
    elsewhere (journals, copy-on-write snapshots, SSD remapping, backups) is beyond an
    application's reach: see docs/RETENTION.md.
    """
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    except OSError as e:
        raise StorageError("Berkas tidak dapat dimusnahkan: %(reason)s",
                           params={"reason": e.strerror or e}) from e
    try:
        size = os.fstat(fd).st_size
        for fill in (None, b"\0"):
            os.lseek(fd, 0, os.SEEK_SET)
            left = size
            while left > 0:
                n = min(CHUNK, left)
                os.write(fd, os.urandom(n) if fill is None else fill * n)
                left -= n
            os.fsync(fd)
    except OSError as e:
        raise StorageError("Berkas tidak dapat dimusnahkan: %(reason)s",
                           params={"reason": e.strerror or e}) from e
    finally:
        os.close(fd)
    path.unlink()
    _fsync_dir(path.parent)
    return True


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
