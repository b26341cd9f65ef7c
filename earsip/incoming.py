"""Files being received into the store's temporary folder, hashed as they are written."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from earsip.errors import N_, StorageError, StorageFull, TooLarge

if TYPE_CHECKING:
    from typing_extensions import Buffer


def write_error(e: OSError, template: str) -> StorageError:
    """Return the error to raise for a failed write: StorageFull when space ran out."""
    if e.errno in StorageFull.ERRNOS:
        return StorageFull(StorageFull.MESSAGE)
    return StorageError(template, params={"reason": e.strerror or e})


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
        self._f: io.BufferedIOBase = open(path, "xb+")  # noqa: SIM115 - closed by close()
        self._hash = hashlib.sha256()
        self._size = 0
        self._failed: OSError | None = None

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, b: Buffer) -> int:
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

    def readinto(self, b: Buffer) -> int:
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
            raise write_error(self._failed, N_("Berkas tidak dapat disimpan: %(reason)s"))
        return TempFile(path=self.path, size=self._size, sha256=self._hash.hexdigest())

    def close(self) -> None:
        if not self.closed:
            with contextlib.suppress(OSError):
                self._f.close()
            self.path.unlink(missing_ok=True)
        super().close()
