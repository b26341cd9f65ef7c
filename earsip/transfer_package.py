"""Transfer packages of arsip statis as BagIt bags (RFC 8493) with SHA-256 and SHA-512 manifests.

A package is assembled in a hidden sibling folder (`.<name>.<random>.partial`) and renamed to its
final name only once the bag is complete and on disk, so a crash never leaves a half-made package
under the final name (a stale `.partial` folder may remain and can be deleted).

`bagit.make_bag` changes the process's working directory while it hashes the payload, which
would break relative paths in every other thread of a web server; it therefore runs in a short
child Python process. Validation (`bagit.Bag.validate`) works on absolute paths and runs here.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import bagit

from earsip import faults
from earsip.atomic import fsync_dir, sync_tree
from earsip.errors import StorageError, ValidationError

CHECKSUMS = ("sha256", "sha512")
MAX_NAME_BYTES = 255  # longest file or folder name most file systems accept

# Run by the child process: bag_info arrives as JSON on stdin, the folder as argv[1].
_MAKE_BAG = (
    "import json, sys, bagit\n"
    "bagit.make_bag(sys.argv[1], bag_info=json.load(sys.stdin), "
    f"checksums={list(CHECKSUMS)!r}, processes=1)\n"
)
# Computed by bagit; a caller's value would be overwritten or, worse, believed.
_RESERVED_TAGS = {"payload-oxum"}


@dataclass(frozen=True)
class PackageFile:
    """A file to copy into the package's payload as data/<arcname>."""

    source: Path
    arcname: str


@dataclass(frozen=True)
class PackageResult:
    """A finished package: its folder, tag-manifest digest, Payload-Oxum and payload count.

    `digest` is the SHA-256 of tagmanifest-sha256.txt, which pins every manifest and through
    them every payload file: the one value a berita acara needs to name.
    """

    path: Path
    digest: str
    oxum: str
    files: int


# --------------------------------------------------------------------------- names


def _check_arcname(arcname: object) -> str:
    """Return the NFC form of a safe relative payload name, or refuse it."""
    if not isinstance(arcname, str) or not arcname:
        raise ValidationError("Nama berkas dalam paket tidak boleh kosong.", field="arcname")
    name = unicodedata.normalize("NFC", arcname)
    shown = {"name": ascii(arcname)}
    if "\\" in name:
        raise ValidationError("Nama berkas %(name)s memuat garis miring terbalik.",
                              field="arcname", params=shown)
    if any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in name):
        raise ValidationError("Nama berkas %(name)s memuat karakter kendali.",
                              field="arcname", params=shown)
    if name.startswith("/"):
        raise ValidationError("Nama berkas %(name)s harus relatif, bukan jalur absolut.",
                              field="arcname", params=shown)
    for part in name.split("/"):
        if part in ("", ".", ".."):
            raise ValidationError(
                "Nama berkas %(name)s memuat bagian jalur yang tidak sah (kosong, . atau ..).",
                field="arcname", params=shown,
            )
        if len(part.encode("utf-8")) > MAX_NAME_BYTES:
            raise ValidationError("Nama berkas %(name)s terlalu panjang.",
                                  field="arcname", params=shown)
    return name


def _check_names(names: list[str]) -> None:
    """Refuse names that would overwrite each other, here or on a case-insensitive disk."""
    seen: dict[str, str] = {}
    for name in names:
        key = name.casefold()
        if key in seen:
            raise ValidationError("Nama berkas %(name)s dipakai lebih dari sekali dalam paket.",
                                  field="arcname", params={"name": ascii(name)})
        seen[key] = name
    for name in names:
        parts = name.casefold().split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in seen:
                raise ValidationError(
                    "Nama berkas %(file)s bertabrakan dengan folder dari %(name)s.",
                    field="arcname", params={"file": ascii(seen[folder]), "name": ascii(name)},
                )


def _check_bag_info(bag_info: dict[str, str]) -> dict[str, str]:
    """Return bag-info tags with line breaks as spaces, refusing malformed or reserved labels."""
    clean: dict[str, str] = {}
    for label, value in bag_info.items():
        if (not isinstance(label, str) or not label or ":" in label
                or any(ch.isspace() or unicodedata.category(ch) == "Cc" for ch in label)):
            raise ValidationError("Label bag-info %(label)s tidak sah.", field="bag_info",
                                  params={"label": ascii(label)})
        if label.casefold() in _RESERVED_TAGS:
            raise ValidationError("Label bag-info %(label)s dihitung otomatis.",
                                  field="bag_info", params={"label": label})
        text = "".join(" " if unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" else ch
                       for ch in str(value))
        clean[label] = " ".join(text.split())
    return clean


# --------------------------------------------------------------------------- build


def build_package(target: Path, files: list[PackageFile], extra: dict[str, bytes],
                  bag_info: dict[str, str]) -> PackageResult:
    """Create the BagIt package folder `target` (which must not exist) and return its digest."""
    target = Path(target).absolute()
    if target.exists() or target.is_symlink():
        raise ValidationError("Folder paket %(path)s sudah ada.", field="target",
                              params={"path": str(target)})
    payload = [(_check_arcname(f.arcname), Path(f.source)) for f in files]
    extras = [(_check_arcname(name), data) for name, data in extra.items()]
    if not payload and not extras:
        # bagit writes no manifest for an empty payload, and a bag without one is invalid.
        raise ValidationError("Paket arsip harus berisi sekurang-kurangnya satu berkas.",
                              field="files")
    _check_names([name for name, _ in payload] + [name for name, _ in extras])
    info = _check_bag_info(bag_info)
    for name, source in payload:
        if not source.is_file():
            raise StorageError("Berkas sumber untuk %(name)s tidak ditemukan.",
                               params={"name": name})

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".partial",
                                     dir=target.parent))
    except OSError as exc:
        raise StorageError("Paket arsip tidak dapat dibuat: %(error)s",
                           params={"error": exc.strerror or str(exc)}) from exc
    try:
        # make_bag moves everything in the folder into data/, so the payload goes at its top.
        for name, source in payload:
            dest = work / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            stat = source.stat()
            os.utime(dest, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        for name, data in extras:
            dest = work / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        faults.point("transfer.copying")
        _make_bag(work, info)
        sync_tree(work)  # the rename never publishes empty files
        if target.exists():
            raise ValidationError("Folder paket %(path)s sudah ada.", field="target",
                                  params={"path": str(target)})
        os.rename(work, target)
        fsync_dir(target.parent)
    except BaseException as exc:
        shutil.rmtree(work, ignore_errors=True)
        if isinstance(exc, OSError):
            raise StorageError("Paket arsip tidak dapat dibuat: %(error)s",
                               params={"error": exc.strerror or str(exc)}) from exc
        raise
    oxum = str(bagit.Bag(str(target)).info["Payload-Oxum"])
    return PackageResult(
        path=target,
        digest=_sha256(target / "tagmanifest-sha256.txt"),
        oxum=oxum,
        files=int(oxum.split(".", 1)[1]),
    )


def _make_bag(folder: Path, bag_info: dict[str, str]) -> None:
    """Turn `folder` into a bag in a child process (make_bag calls os.chdir)."""
    done = subprocess.run(
        [sys.executable, "-I", "-c", _MAKE_BAG, str(folder)],
        input=json.dumps(bag_info), capture_output=True, text=True, check=False,
        cwd=folder.parent,
    )
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise StorageError("Paket arsip tidak dapat dibuat: %(error)s",
                           params={"error": lines[-1] if lines else str(done.returncode)})


def _sha256(path: Path) -> str:
    """Return the SHA-256 of a file in hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------- check and ship


def package_digest(path: Path) -> str:
    """Return the digest of a built package (SHA-256 of its tagmanifest-sha256.txt)."""
    try:
        return _sha256(path / "tagmanifest-sha256.txt")
    except OSError as e:
        raise StorageError("Paket arsip tidak dapat dibaca: %(reason)s",
                           params={"reason": e.strerror or e}) from e


def validate_package(path: Path) -> list[str]:
    """Check a package completely (structure, Payload-Oxum, every checksum); list its problems."""
    try:
        bag = bagit.Bag(str(path))
    except (bagit.BagError, OSError, UnicodeError) as exc:
        return [f"Paket tidak dapat dibuka sebagai BagIt: {exc}"]
    try:
        bag.validate(processes=1)
    except bagit.BagValidationError as exc:
        problems = _describe(exc)
        if not exc.details and bag.has_oxum():
            # A Payload-Oxum mismatch stops bagit before it names the files: check again
            # without it to say which files are missing, extra or changed.
            del bag.info["Payload-Oxum"]
            try:
                bag.validate(processes=1)
            except bagit.BagValidationError as inner:
                problems += [p for p in _describe(inner) if p not in problems]
            except (bagit.BagError, OSError, UnicodeError):
                pass
        return problems
    except (bagit.BagError, OSError, UnicodeError) as exc:
        return [f"Paket tidak sah: {exc}"]
    return []


def _describe(exc: bagit.BagValidationError) -> list[str]:
    """Return one Indonesian line per problem bagit found."""
    if not exc.details:
        return [f"Paket tidak sah: {exc.message}"]
    problems = []
    for detail in exc.details:
        if isinstance(detail, bagit.FileMissing):
            problems.append(f"Berkas {detail.path} tercantum dalam manifest tetapi tidak ada.")
        elif isinstance(detail, bagit.UnexpectedFile):
            problems.append(f"Berkas {detail.path} ada tetapi tidak tercantum dalam manifest.")
        elif isinstance(detail, bagit.ChecksumMismatch):
            problems.append(
                f"Nilai {detail.algorithm} berkas {detail.path} tidak cocok dengan manifest "
                f"(tercatat {detail.expected}, dihitung {detail.found})."
            )
        else:
            problems.append(f"Paket tidak sah: {detail}")
    return problems


def zip_package(path: Path, fileobj: IO[bytes]) -> None:
    """Write the package as a zip to fileobj (may be unseekable); its top folder is its name."""
    root = Path(path)
    if not (root / "bagit.txt").is_file():
        raise StorageError("Folder %(name)s bukan paket BagIt.", params={"name": root.name})
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED,
                         strict_timestamps=False) as zf:
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            folder = Path(dirpath)
            relative = folder.relative_to(root).as_posix()
            prefix = root.name if relative == "." else f"{root.name}/{relative}"
            zf.write(folder, prefix + "/")  # keeps an empty data/ folder, which a bag needs
            for filename in sorted(filenames):
                member = folder / filename
                # A link could pull a file from outside the package into the download.
                if member.is_symlink() or not member.is_file():
                    raise StorageError("Paket %(name)s memuat %(member)s yang bukan berkas biasa.",
                                       params={"name": root.name, "member": filename})
                zf.write(member, f"{prefix}/{filename}")
            for dirname in dirnames:
                if (folder / dirname).is_symlink():
                    raise StorageError("Paket %(name)s memuat tautan folder %(member)s.",
                                       params={"name": root.name, "member": dirname})
