"""PDF extractor: the text layer, page by page, with encrypted and damaged files told apart."""

from __future__ import annotations

import os

import pypdf
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError

from earsip.extractors.text import (
    ENCRYPTED_PDF,
    N_,
    NO_PAGE_READABLE,
    UNSAFE,
    Collector,
    Cut,
    Result,
    Unreadable,
    clean,
    failed,
    finish,
    technical,
)

PAGE_SEPARATOR = "\n\f\n"

_AES_MISSING = "AES encryption: the 'cryptography' package needed to open it is not installed"


def extract_pdf(path: str, max_chars: int) -> Result:
    """Extract the text layer of a PDF page by page."""
    try:
        reader = pypdf.PdfReader(path, strict=False)
    except (MemoryError, LimitReachedError):
        raise
    except DependencyError as e:
        # pypdf opens AES-encrypted files (empty password attempt) while reading the trailer.
        return _encrypted(None, _cannot_open(e))
    except Exception as e:
        if _declares_encryption(path):
            # A broken encryption dictionary fails inside the reader's own decrypt attempt.
            return _encrypted(None, _cannot_open(e))
        raise Unreadable(f"pypdf found no PDF structure ({technical(e)})") from e

    encrypted = reader.is_encrypted
    if encrypted:
        try:
            opened = reader.decrypt("")
        except (MemoryError, LimitReachedError):
            raise
        except Exception as e:
            return _encrypted(reader, _cannot_open(e))
        if opened == pypdf.PasswordType.NOT_DECRYPTED:
            return _encrypted(reader, "a password is needed to open it")

    try:
        pages = reader.pages
        count = len(pages)
    except (MemoryError, LimitReachedError):
        raise
    except Exception as e:
        if encrypted:
            # An encryption pypdf could not really undo (e.g. a broken key) shows up here.
            return _encrypted(None, _cannot_open(e))
        raise Unreadable(f"its page tree cannot be read ({technical(e)})") from e
    if count == 0:
        raise Unreadable("no pages")

    col = Collector(max_chars, PAGE_SEPARATOR)
    bad: list[tuple[int, str]] = []
    blank = 0
    try:
        for number in range(count):
            try:
                raw = pages[number].extract_text()
            except MemoryError:
                raise
            except Exception as e:
                bad.append((number + 1, _page_reason(e)))
                continue
            piece = clean(raw)
            if not piece:
                blank += 1
            col.add(piece)
    except Cut:
        pass

    notes: list[str] = []
    if blank and col.parts:
        notes.append(f"{blank} dari {count} halaman tanpa lapisan teks (hasil pindai?).")
    if bad:
        listed = ", ".join(str(n) for n, _ in bad[:20]) + (" ..." if len(bad) > 20 else "")
        kinds = "; ".join(sorted({k for _, k in bad}))
        detail = f"unreadable pages {listed}: {kinds}"[:500]
        if not col.parts:
            unsafe = any(k.startswith("pypdf safety limit") for _, k in bad)
            return failed(UNSAFE if unsafe else NO_PAGE_READABLE, count, detail=detail)
        notes.append(f"{len(bad)} dari {count} halaman tidak terbaca (halaman {listed}); "
                     "halaman itu mungkin rusak.")
    result = finish(col, count, notes, N_("PDF tidak memiliki lapisan teks (hasil pindai?)."))
    result["blank_pages"] = blank  # pages OCR may read
    if bad:
        result["detail"] = detail
    return result


def _declares_encryption(path: str, window: int = 1024 * 1024) -> bool:
    """Return True when the head or tail of a PDF names an /Encrypt dictionary."""
    with open(path, "rb") as f:
        head = f.read(window)
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - window))
        tail = f.read(window)
    return b"/Encrypt" in head or b"/Encrypt" in tail


def _page_reason(e: Exception) -> str:
    """Name why a page could not be read (technical: for the audit entry's detail)."""
    if isinstance(e, LimitReachedError):
        return f"pypdf safety limit reached ({technical(e)})"
    if isinstance(e, DependencyError):
        return f"decoder or filter not installed ({technical(e)})"
    return technical(e)


def _cannot_open(e: Exception) -> str:
    """Explain why an encrypted PDF could not be opened with the empty password."""
    if isinstance(e, DependencyError) and "AES" in str(e):
        return _AES_MISSING
    return f"the encryption cannot be opened ({technical(e)})"


def _encrypted(reader: pypdf.PdfReader | None, why: str) -> Result:
    """Return an encrypted result, with the page count if the page tree is readable."""
    pages: int | None = None
    if reader is not None:
        try:
            pages = len(reader.pages)
        except (FileNotDecryptedError, Exception):  # noqa: BLE001 - page count is best effort
            pages = None
    return {"status": "encrypted", "text": "", "pages": pages, "message": ENCRYPTED_PDF,
            "detail": why}
