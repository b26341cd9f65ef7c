"""The searchable copy of a scan ("salinan teks-cari"): OCRmyPDF in its own limited process.

OCRmyPDF keeps the pages that have a text layer as they are (`--skip-text`) and lays Tesseract's
invisible text over the scanned ones; images become PDF pages. The copy is asked for as PDF/A-2b
with OCRmyPDF's own PDF/A backend (`--pdfa-backend internal`: no Ghostscript, whose Debian 12
version OCRmyPDF refuses beside existing text). When that backend cannot make a page PDF/A
(some born-digital pages carry features PDF/A forbids) the copy is made as a plain searchable
PDF instead, and says so (`kind`). The command runs as a child process with an address-space
limit, `OMP_THREAD_LIMIT=1`, one job and a time limit. Plain values in and out; only `errors`
is imported from earsip.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from earsip.errors import OcrFailed, OcrUnavailable

PDFA_FAILED = 10  # OCRmyPDF: "PDF/A conversion failed"
ENCRYPTED = 8  # OCRmyPDF: "encrypted PDF" (one that opens without a password, but has owner rights)
MEMORY_MB = 2048


@dataclass(frozen=True)
class Copy:
    """A searchable copy written to the asked path: "pdfa" (PDF/A-2b) or "pdf"."""

    kind: str


def available() -> bool:
    """Return True when OCRmyPDF is installed (not imported here: the copy runs it)."""
    return importlib.util.find_spec("ocrmypdf") is not None


try:  # resolved here, so the child only calls it between fork and exec
    _prctl = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):
    _prctl = None
PR_SET_PDEATHSIG = 1


def _limit() -> None:  # runs in the child between fork and exec
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if _prctl is not None:  # a killed worker does not leave OCRmyPDF running on
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _run(source: Path, target: Path, output_type: str, *, languages: str,
         timeout_s: float) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "ocrmypdf", "--skip-text", "-l", languages,
               "--output-type", output_type, "--jobs", "1", "--optimize", "0",
               "--image-dpi", "300", "--tesseract-timeout", "120", "--quiet"]
    if output_type == "pdfa":
        command += ["--pdfa-backend", "internal"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "PYTHONWARNINGS": "ignore"}
    try:
        return subprocess.run([*command, str(source), str(target)], capture_output=True,
                              timeout=timeout_s, env=env, preexec_fn=_limit, check=False)
    except subprocess.TimeoutExpired as e:
        raise OcrFailed("Salinan teks-cari melewati batas waktu %(s)d detik.",
                        params={"s": int(timeout_s)}) from e


def make_copy(source: str | os.PathLike[str], target: str | os.PathLike[str], *,
              languages: str = "ind+eng", timeout_s: float = 1800.0) -> Copy:
    """Write the searchable copy of `source` (a PDF or image) to `target`.

    Raise OcrUnavailable when OCRmyPDF is missing and OcrFailed when no copy can be made
    (encrypted or signed PDF, damaged file, time limit).
    """
    if not available():
        raise OcrUnavailable("Salinan teks-cari tidak tersedia: paket ocrmypdf belum terpasang.")
    source, target = Path(source), Path(target)
    done = _run(source, target, "pdfa", languages=languages, timeout_s=timeout_s)
    kind = "pdfa"
    if done.returncode == PDFA_FAILED:
        target.unlink(missing_ok=True)
        done = _run(source, target, "pdf", languages=languages, timeout_s=timeout_s)
        kind = "pdf"
    if done.returncode == ENCRYPTED:
        target.unlink(missing_ok=True)
        raise OcrFailed("Salinan teks-cari tidak dibuat: PDF terenkripsi (hak akses pemilik).")
    if done.returncode != 0 or not target.is_file():
        target.unlink(missing_ok=True)
        lines = [line.strip() for line in done.stderr.decode(errors="replace").splitlines()
                 if line.strip()]
        raise OcrFailed("Salinan teks-cari tidak dapat dibuat: %(reason)s",
                        params={"reason": lines[-1][:300] if lines else done.returncode})
    return Copy(kind)
