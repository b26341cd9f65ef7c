"""The electronic signatures of a letter's PDFs, checked offline when the letter is filed
(earsip.signatures through the extraction worker), kept as stored facts and audited.

A check never refuses a letter: a broken signature is flagged loudly on the letter and its
document, and a check that could not run says why.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from earsip import extract
from earsip.errors import EarsipError
from earsip.schemas.base import JsonObject
from earsip.services import Archive
from earsip.services.records import ingest
from earsip.signatures import SignatureCheck

log = logging.getLogger(__name__)


def _fact(check: SignatureCheck) -> JsonObject:
    moment = check.timestamp_time or check.signing_time
    return {"field": check.field, "signer": check.signer, "status": check.status,
            "intact": check.intact, "valid": check.valid, "trusted": check.trusted,
            "signing_time": moment.replace(microsecond=0).isoformat().replace("+00:00", "Z")
            if moment else None,
            "covers_whole_document": check.covers_whole_document,
            "modification": check.modification, "kind": check.kind,
            "signer_certificate_sha256": check.signer_certificate_sha256,
            "problems": list(check.problems)}


def check_files(archive: Archive, prepared: Sequence[ingest.Prepared]) -> list[list[JsonObject]]:
    """Return, for each prepared file, the facts of its signatures ([] for none or not PDF)."""
    roots = archive.config.trust_roots
    found: list[list[JsonObject]] = []
    for p in prepared:
        if p.received.detected.mime != "application/pdf":
            found.append([])
            continue
        path = archive.store.path_of(p.received.relative)
        try:
            checks = extract.verify_signatures(path, trust_roots=str(roots) if roots else None)
            found.append([_fact(c) for c in checks])
        except EarsipError as e:  # the letter is filed all the same; the check says why not
            log.warning("signature check of %s failed: %s", p.received.relative, e.message)
            found.append([{"field": "-", "signer": None, "status": "error", "intact": False,
                           "valid": False, "trusted": None, "signing_time": None,
                           "problems": [e.message]}] if _signed(path) else [])
    return found


def _signed(path: object) -> bool:
    """Return True when the bytes look like they carry a signature (a /Sig dictionary)."""
    try:
        with open(str(path), "rb") as f:
            return b"/Sig" in f.read(50 * 1024 * 1024)
    except OSError:
        return False


def attach_ids(found: list[list[JsonObject]], document_ids: Sequence[int]) -> list[JsonObject]:
    """Return the facts of every file, each naming its document."""
    return [{"document_id": doc_id, **fact}
            for doc_id, facts in zip(document_ids, found, strict=True) for fact in facts]


def summary(facts: Sequence[JsonObject]) -> list[JsonObject]:
    """Return what the audit entry keeps of each signature."""
    return [{"document_id": f.get("document_id"), "signer": f.get("signer"),
             "status": f.get("status"), "intact": f.get("intact"), "trusted": f.get("trusted")}
            for f in facts]
