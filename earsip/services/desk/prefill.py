"""Prefill from the document: a dropped scan or PDF is read for the letter's number, date,
subject, sender and classification code (earsip.letterparse), with up to three codes suggested
from its text and its electronic signatures checked. Nothing is stored: the clerk confirms or
corrects each value, and the file is filed only when the letter is registered.
"""

from __future__ import annotations

import logging
import tempfile
from typing import IO

from earsip import detect, extract, letterparse, ocr
from earsip.access import Principal
from earsip.errors import EarsipError, NotFound
from earsip.filetypes import PDF
from earsip.schemas.desk import Prefill, PrefillSignature
from earsip.services import Archive
from earsip.services.access.users import require
from earsip.services.desk import suggestions
from earsip.services.records.classification import get_effective
from earsip.signatures import SignatureCheck

log = logging.getLogger(__name__)
OCR_PAGES = 2  # a letter's header and its signature block are on its first pages
SCANNABLE = (PDF, "image/png", "image/jpeg", "image/tiff")


def _text(archive: Archive, path: str, mime: str) -> str:
    got = extract.extract(path, mime, archive.extract_limits)
    if got.status == "extracted" and not got.blank_pages:
        return got.text
    if mime not in SCANNABLE or not archive.config.ocr:
        return got.text
    settings = archive.ocr_settings
    try:
        ocr.check_available(settings)
        with tempfile.TemporaryDirectory(prefix="prefill-") as tmp:
            rendered, _total = extract.render_pages(path, mime, tmp, dpi=settings.dpi, start=0,
                                                    count=OCR_PAGES,
                                                    limits=archive.extract_limits)
            pages = ocr.read_pages(rendered, settings)
    except EarsipError as e:  # no OCR here: the clerk types the fields
        log.info("prefill without OCR: %s", e.message)
        return got.text
    return "\n\f\n".join(p.text for p in pages if p.text.strip()) or got.text


def _known(archive: Archive, code: str | None) -> str | None:
    if code is None:
        return None
    try:
        with archive.db.read() as session:
            eff = get_effective(session, code)
    except NotFound:
        return None
    return None if eff.retired else eff.code


def _signature(check: SignatureCheck) -> PrefillSignature:
    moment = check.timestamp_time or check.signing_time
    return PrefillSignature(field=check.field, signer=check.signer, status=check.status,
                            signing_time=moment.replace(microsecond=0).isoformat()
                            .replace("+00:00", "Z") if moment else None,
                            intact=check.intact, trusted=check.trusted,
                            problems=list(check.problems))


def prefill(archive: Archive, principal: Principal, source: IO[bytes],
            filename: str | None) -> Prefill:
    """Read a letter's fields from its file; the file is not kept."""
    require(principal, "letter.register")
    temp = archive.store.receive(source, max_bytes=archive.config.max_upload_bytes)
    try:
        detected = detect.detect_file(temp.path, filename)
        text = _text(archive, str(temp.path), detected.mime)
        fields = letterparse.parse_letter(text, today=archive.local_today())
        signatures: list[PrefillSignature] = []
        if detected.mime == PDF:
            roots = archive.config.trust_roots
            try:
                signatures = [_signature(c) for c in extract.verify_signatures(
                    temp.path, trust_roots=str(roots) if roots else None)]
            except EarsipError as e:
                log.info("prefill could not check signatures: %s", e.message)
        return Prefill(
            letter_number=fields.letter_number, letter_date=fields.letter_date,
            subject=fields.subject, sender=fields.sender,
            classification=_known(archive, fields.classification),
            suggestions=suggestions.suggest(archive, text, k=3), signatures=signatures)
    finally:
        archive.store.discard(temp)
