"""The parsing half of earsip.extract: runs only inside extraction worker processes.

Preloaded into the forkserver so pypdf and defusedxml (imported by the extractor modules below)
are imported once; every worker is a fork of that warm process. A worker caps its own address
space before it reads any request, then serves requests one at a time: it runs the extractor
registered for the MIME type in ``EXTRACTORS`` and sends one plain dict back through its pipe.
Nothing here raises to the caller: every outcome, including "this is not a PDF", is a dict.

Workers also render first-page previews (``preview.py``: PDFium and Pillow, imported on first
use, so the forkserver stays small), page images for OCR (``render.py``) and searchable copies
(``pdfa.py``: OCRmyPDF, imported on first use and kept by the worker).

Workers also check the electronic signatures of PDFs (``earsip.signatures``: pyHanko, imported on
first use and kept by the worker).

Import rule: this package uses only the standard library, pypdf, defusedxml, pypdfium2, Pillow,
OCRmyPDF, ``earsip._zipsafe``, ``earsip.imagesize`` and ``earsip.signatures`` -- never Flask,
SQLAlchemy or the rest of earsip.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import importlib.machinery
import logging
import multiprocessing
import os
import resource
import signal
import sys
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection

from defusedxml import DefusedXmlException
from pypdf.errors import LimitReachedError

from earsip._zipsafe import ZipRefused
from earsip.extractors.image import extract_tiff
from earsip.extractors.office import extract_docx, extract_odt, extract_xlsx
from earsip.extractors.pdf import extract_pdf
from earsip.extractors.pdfa import make_copy
from earsip.extractors.plain import extract_text
from earsip.extractors.preview import render_preview
from earsip.extractors.render import render_pages
from earsip.extractors.text import (
    TOO_HEAVY,
    UNEXPECTED,
    UNSAFE,
    Result,
    Unreadable,
    failed,
    technical,
)
from earsip.filetypes import DOCX, ODT, PDF, TEXT, TIFF, XLSX

PR_SET_PDEATHSIG = 1

# MIME type -> extractor(path, max_chars); a type missing here is "not_applicable".
EXTRACTORS: dict[str, Callable[[str, int], Result]] = {
    PDF: extract_pdf,
    TEXT: extract_text,
    DOCX: extract_docx,
    XLSX: extract_xlsx,
    ODT: extract_odt,
    TIFF: extract_tiff,
}


def pose_as_main() -> None:
    """Make this (forkserver) process's __main__ match the web process's main script.

    multiprocessing re-runs the parent's main script in every child unless the child's
    __main__ already has the same file or module name; our children never need it.
    """
    spec = os.environ.get("EARSIP_EXTRACT_PARENT_MAIN", "")
    key, _, value = spec.partition("=")
    main = sys.modules.get("__main__")
    if main is None or not value or getattr(main, "__file__", None):
        return
    if key == "init_main_from_path":
        main.__file__ = value
    elif key == "init_main_from_name":
        main.__spec__ = importlib.machinery.ModuleSpec(value, None)


if os.environ.get("EARSIP_EXTRACT_PARENT_MAIN") and multiprocessing.current_process().name in (
    "MainProcess",
):
    pose_as_main()


def _end_with_parent() -> None:
    """Ask the kernel to SIGKILL this process when its parent (the forkserver) ends."""
    # Not Linux: no such call, and the pipe's end still stops an idle worker.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def serve(conn: Connection, memory_mb: int) -> None:
    """Limit this process, then answer (path, mime, max_chars) requests until told to stop.

    The loop ends on ``None`` or when the parent's end of the pipe closes (the parent died).
    A worker busy with a long request (a searchable copy) is ended by the kernel when the
    forkserver, its parent, ends, which it does when the process that started it dies.
    """
    _end_with_parent()
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    warnings.simplefilter("ignore")
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        if request[0] == "preview":
            _, path, mime, out_path, max_px = request
            result = render_preview(path, mime, out_path, max_px)
        elif request[0] == "render":
            _, path, mime, out_dir, dpi, start, count = request
            result = render_pages(path, mime, out_dir, dpi, start, count)
        elif request[0] == "pdfa":
            _, path, target, mime, languages, work_dir = request
            result = make_copy(path, target, mime, languages, work_dir)
        elif request[0] == "signatures":
            _, path, roots = request
            result = check_signatures(path, roots, memory_mb)
        else:
            path, mime, max_chars = request
            result = extract_one(path, mime, memory_mb, max_chars)
        try:
            conn.send(result)
        except MemoryError:
            conn.send(failed(TOO_HEAVY, detail=f"MemoryError sending the result ({memory_mb} MB)"))


def check_signatures(path: str, roots: list[bytes] | None, memory_mb: int) -> Result:
    """Check a PDF's signatures (see ``earsip.signatures``); every outcome is a result dict."""
    from earsip import errors, signatures

    for name in ("pyhanko", "pyhanko_certvalidator"):  # chains that fail log tracebacks
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        checks = signatures.check_signatures(path, roots)
    except errors.UnreadableFile as e:
        return {"unreadable": e.template, "detail": e.detail}
    except MemoryError:
        return failed(TOO_HEAVY, detail=f"MemoryError (memory limit {memory_mb} MB)")
    except BaseException as e:  # noqa: BLE001 - any failure must become a result, not a crash
        return failed(UNEXPECTED, detail=technical(e))
    return {"status": "signatures", "checks": [dataclasses.asdict(c) for c in checks]}


def extract_one(path: str, mime: str, memory_mb: int, max_chars: int) -> Result:
    """Extract one file; every outcome, failures included, is a result dict.

    A failure's "message" is for the user (a plain reason, see ``text``); its "detail" names
    the exception, for the audit entry only.
    """
    try:
        return _dispatch(path, mime, max_chars)
    except Unreadable as e:
        return {"unreadable": str(e) or "unreadable"}
    except MemoryError:
        return failed(TOO_HEAVY, detail=f"MemoryError (memory limit {memory_mb} MB)")
    except (LimitReachedError, DefusedXmlException, ZipRefused) as e:
        return failed(UNSAFE, detail=technical(e))
    except BaseException as e:  # noqa: BLE001 - any failure must become a result, not a crash
        return failed(UNEXPECTED, detail=technical(e))


def _dispatch(path: str, mime: str, max_chars: int) -> Result:
    """Run the extractor registered for ``mime``."""
    extractor = EXTRACTORS.get(mime)
    if extractor is None:
        return {"status": "not_applicable", "text": "", "pages": None, "message": None}
    return extractor(path, max_chars)
