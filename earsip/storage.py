"""FileStore: categorized, never-overwriting storage of original files under one root.

A file is streamed into a temporary file inside the root (same filesystem, so the final move is
atomic) while it is hashed; it is fsynced, then linked into place under a generated name
(`os.link` fails instead of overwriting). Until its database row is committed the file keeps a
second name in the temporary folder, a *claim* that records the process and the stored path
(`settle` removes it). Temporary files and claims are named after the process that made them,
so what a crashed process left behind is recognised at the next start (`quarantine_stale`,
`abandoned_claims`): kept in quarantine, never silently deleted.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from earsip import faults
from earsip.atomic import fsync_dir
from earsip.errors import N_, StorageError, StorageFull, TooLarge

CHUNK = 1024 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")


def _storage_error(e: OSError, template: str) -> StorageError:
    """Return the error to raise for a failed write: StorageFull when space ran out."""
    if e.errno in StorageFull.ERRNOS:
        return StorageFull(StorageFull.MESSAGE)
    return StorageError(template, params={"reason": e.strerror or e})


def _read(path: str) -> str:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _start_ticks(pid: int) -> str:
    """Return when process `pid` started (clock ticks after boot), or "" when unknown."""
    fields = _read(f"/proc/{pid}/stat").rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of proc(5)


@functools.cache
def _machine() -> str:
    """Return where a process number means one process: host name, boot and PID namespace."""
    host = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:40] or "host"
    boot = _read("/proc/sys/kernel/random/boot_id").strip().replace("-", "")[:8] or "0"
    try:
        namespace = os.stat("/proc/self/ns/pid").st_ino
    except OSError:
        namespace = 0
    return f"{host}-{boot}-{namespace}"


_tag: tuple[int, str] = (0, "")


def owner_tag() -> str:
    """Return `<machine>.<pid>-<start>`, the prefix of this process's temporary files and
    claims: enough to tell later whether the process that made them still runs."""
    global _tag
    pid = os.getpid()
    if _tag[0] != pid:  # first use, or a forked child
        _tag = (pid, f"{_machine()}.{pid}-{_start_ticks(pid)}")
    return _tag[1]


def owner_alive(name: str) -> bool | None:
    """Return whether the process that named a temporary file `name` still runs: None when
    that cannot be told (an older name, or a process of another host, boot or PID namespace
    sharing the folder). A process number now used by a later process counts as gone."""
    machine, _, rest = name.partition(".")
    pid, _, start = rest.partition(".")[0].partition("-")
    if machine != _machine() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, run by another user: tell by its start time
        pass
    return not start or _start_ticks(int(pid)) in ("", start)


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
        self._failed: OSError | None = None

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
        if self._failed is not None:
            return len(data)  # the rest of a body that cannot be kept: counted and dropped
        self._hash.update(data)
        try:
            return self._f.write(data)
        except OSError as e:
            # Raised in the form parser, this would reach the client before filing starts,
            # unaudited: `finish` (inside filing) raises it instead.
            self._fail(e)
            return len(data)

    def _fail(self, error: OSError) -> None:
        self._failed = error
        with contextlib.suppress(OSError):  # flushing what is buffered fails the same way
            self._f.close()
        self.path.unlink(missing_ok=True)
        self._f = io.BytesIO()

    def readinto(self, b) -> int:  # type: ignore[no-untyped-def, override]
        return self._f.readinto(b)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._f.seek(offset, whence)

    def tell(self) -> int:
        return self._f.tell()

    def fileno(self) -> int:
        return self._f.fileno()

    def finish(self) -> TempFile:
        """Flush and fsync what was received and return it as a TempFile; raise StorageFull
        (or StorageError) when it could not all be written."""
        if self._failed is None:
            try:
                self._f.flush()
                os.fsync(self._f.fileno())
            except OSError as e:
                self._fail(e)
        if self._failed is not None:
            raise _storage_error(self._failed, N_("Berkas tidak dapat disimpan: %(reason)s"))
        return TempFile(path=self.path, size=self._size, sha256=self._hash.hexdigest())

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
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
        return IncomingFile(self.tmp_dir / f"{owner_tag()}.{uuid.uuid4().hex}.part", max_bytes)

    def receive(self, stream: BinaryIO, *, max_bytes: int | None = None) -> TempFile:
        """Copy `stream` into a temporary file while hashing it; fsync before returning."""
        self.ensure()
        path = self.tmp_dir / f"{owner_tag()}.{uuid.uuid4().hex}.part"
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
            raise _storage_error(e, N_("Berkas tidak dapat disimpan: %(reason)s")) from e
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
        """Move `temp` into `<category>/<year>/` under a new name; return the relative path.

        The temporary file is renamed to this process's claim on the path, then linked into
        place; the claim stays until `settle` (after the row is committed) or
        `remove_unacknowledged`.
        """
        if not _SEGMENT.match(category) or not _SEGMENT.match(extension.lstrip(".") or "x"):
            raise StorageError("Kategori atau ekstensi penyimpanan tidak sah.")
        relative = f"{category}/{year:04d}/{uuid.uuid4().hex}{extension}"
        final = self._safe(relative)
        claim = self._claim(relative)
        linked = False
        try:
            os.rename(temp.path, claim)
            faults.point("store.claimed")
            final.parent.mkdir(parents=True, exist_ok=True)
            os.link(claim, final)  # fails with EEXIST rather than overwriting
            linked = True
            faults.point("store.linked")
            fsync_dir(final.parent)
            fsync_dir(self.tmp_dir)
        except OSError as e:
            # Nothing refers to the file yet and the caller is told: not an orphan to keep.
            if linked:
                final.unlink(missing_ok=True)
            claim.unlink(missing_ok=True)
            raise _storage_error(
                e, N_("Berkas tidak dapat dipindahkan ke arsip: %(reason)s")) from e
        return relative

    def _claim(self, relative: str, tag: str | None = None) -> Path:
        return self.tmp_dir / f"{tag or owner_tag()}.{relative.replace('/', '~')}.filing"

    def settle(self, relative: str) -> None:
        """Drop this process's claim on a stored file whose row is now committed."""
        with contextlib.suppress(OSError):  # a leftover claim is settled at the next start
            self._claim(relative).unlink(missing_ok=True)

    def abandoned_claims(self, *, older_than_s: float) -> list[tuple[Path, str]]:
        """Return (claim, stored relative path) of claims whose process is gone, and of any
        older than `older_than_s`."""
        if not self.tmp_dir.exists():
            return []
        cutoff = time.time() - older_than_s
        found = []
        for path in sorted(self.tmp_dir.glob("*.filing")):
            host, _, rest = path.name[:-len(".filing")].partition(".")
            _, _, encoded = rest.partition(".")
            relative = encoded.replace("~", "/")
            try:
                self._safe(relative)
                # A claim lives for one transaction: an old one is abandoned whatever its name
                # says (a stuck process, or one whose liveness cannot be told).
                if owner_alive(path.name) is not False and path.stat().st_mtime >= cutoff:
                    continue
            except (StorageError, FileNotFoundError):
                continue
            found.append((path, relative))
        return found

    def quarantine_claim(self, claim: Path, relative: str) -> Path:
        """Keep an unrecorded file's bytes in quarantine and take it out of the archive."""
        self.ensure()
        final = self._safe(relative)
        with contextlib.suppress(FileNotFoundError):
            if os.path.samefile(final, claim):
                final.unlink()  # first out of the archive: a crash now leaves only the claim
        target = self.quarantine_dir / claim.name
        os.rename(claim, target)
        return target

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
            fsync_dir(final.parent)
        except OSError as e:
            raise StorageError("Berkas tidak dapat disimpan ke arsip: %(reason)s",
                               params={"reason": e.strerror or e}) from e
        return relative, digest.hexdigest(), size

    def remove_unacknowledged(self, relative: str) -> None:
        """Remove a file placed by `commit` whose database row was never committed (and so
        was refused to the client), with this process's claim on it."""
        with contextlib.suppress(FileNotFoundError):
            self._safe(relative).unlink()
        self._claim(relative).unlink(missing_ok=True)

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
        """Move temporary files of interrupted uploads into the quarantine folder: those whose
        process is gone, and any older than `older_than_s`.

        They were never acknowledged, but are kept for an administrator to look at rather
        than deleted.
        """
        self.ensure()
        cutoff = time.time() - older_than_s
        moved = []
        for path in self.stale_temp_files():
            if path.suffix != ".part":
                continue  # claims: see abandoned_claims
            try:
                if owner_alive(path.name) is False or path.stat().st_mtime < cutoff:
                    target = self.quarantine_dir / path.name
                    os.rename(path, target)
                    moved.append(target)
            except FileNotFoundError:  # finished or removed meanwhile
                continue
        return moved

    def stale_temp_files(self) -> list[Path]:
        """Return the files in the temporary folder: uploads being received or filed now, and
        those an interrupted upload left behind."""
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
    # Another process finishing the same destruction (start-up recovery) may unlink it first.
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
    return True
