"""FileStore: categorized, never-overwriting storage of original files under one root.

A file is streamed into a temporary file inside the root (same filesystem, so the final move is
atomic) while it is hashed; it is fsynced, then linked into place under a generated name
(`os.link` fails instead of overwriting). Until its database row is committed the file keeps a
second name in the temporary folder, a *claim* that records the process and the stored path
(`settle` removes it). Temporary files and claims are named after the process that made them
(`earsip.owners`), so what a crashed process left behind is recognised at the next start
(`quarantine_stale`, `abandoned_claims`): kept in quarantine, never silently deleted. Uploads
arrive through `earsip.incoming`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from earsip import faults
from earsip.atomic import fsync_dir
from earsip.errors import N_, StorageError, TooLarge
from earsip.incoming import IncomingFile, TempFile, write_error
from earsip.owners import owner_alive, owner_tag

# IncomingFile, TempFile, owner_alive and owner_tag are imported from here too.
__all__ = ["CHUNK", "FileStore", "IncomingFile", "TempFile", "owner_alive", "owner_tag", "shred"]

CHUNK = 1024 * 1024
_SEGMENT = re.compile(r"^[A-Za-z0-9._-]+$")


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

    def receive(self, stream: IO[bytes], *, max_bytes: int | None = None) -> TempFile:
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
            raise write_error(e, N_("Berkas tidak dapat disimpan: %(reason)s")) from e
        return TempFile(path=path, size=size, sha256=digest.hexdigest())

    def receive_path(self, source: str | os.PathLike[str], **kwargs: int | None) -> TempFile:
        """Copy the file at `source` into a temporary file (see `receive`)."""
        try:
            with open(source, "rb") as f:
                return self.receive(f, **kwargs)
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
            raise write_error(
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
