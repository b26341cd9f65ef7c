"""How the desk files what it receives: through the filing pipeline's own steps
(`ingest.prepare`, `ingest.record`), inside the desk's transaction, linked to its letter."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, NoReturn

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from earsip import audit
from earsip.errors import ValidationError
from earsip.models import LetterDocument
from earsip.schemas.documents import DocumentInput
from earsip.services import Archive
from earsip.services.records import ingest

Source = IO[bytes] | str | os.PathLike[str]


@dataclass(frozen=True)
class Upload:
    """One file handed to the desk: its bytes and the name it came with."""

    source: Source
    filename: str | None


def prepare_all(archive: Archive, inputs: Sequence[tuple[Upload, DocumentInput]],
                clearance: str) -> list[ingest.Prepared]:
    """Prepare every file, or none: the first refusal releases those already prepared."""
    prepared: list[ingest.Prepared] = []
    try:
        for upload, data in inputs:
            p = ingest.prepare(archive, upload.source, upload.filename, data,
                               clearance=clearance)
            prepared.append(p)
            if any(o.received.temp.sha256 == p.received.temp.sha256 for o in prepared[:-1]):
                raise ValidationError("Berkas %(name)s dikirim dua kali.", field="file",
                                      params={"name": p.document_filename})
    except BaseException:
        release_all(archive, prepared)
        raise
    return prepared


def record_linked(session: Session, archive: Archive, actor: audit.Actor,
                  prepared: Sequence[ingest.Prepared], *, roles: Sequence[str],
                  first_position: int = 0, incoming_id: int | None = None,
                  outgoing_id: int | None = None,
                  disposition_id: int | None = None) -> list[int]:
    """Record the prepared files in the caller's transaction, each linked to its letter."""
    ids: list[int] = []
    for i, p in enumerate(prepared):
        doc_id, _job = ingest.record(session, archive, actor, p)
        session.add(LetterDocument(document_id=doc_id, incoming_id=incoming_id,
                                   outgoing_id=outgoing_id, disposition_id=disposition_id,
                                   role=roles[i], position=first_position + i))
        ids.append(doc_id)
    return ids


def release_all(archive: Archive, prepared: Sequence[ingest.Prepared]) -> None:
    """Undo the preparation of files whose transaction failed."""
    for p in prepared:
        ingest.release(archive, p)


def failed(archive: Archive, prepared: Sequence[ingest.Prepared], error: BaseException,
           clearance: str) -> NoReturn:
    """Release the files of a failed transaction and raise: a duplicate refusal when another
    upload recorded the same bytes first, else the error itself."""
    release_all(archive, prepared)
    if isinstance(error, IntegrityError):
        duplicate = ingest.duplicate_race(archive, prepared, clearance)
        if duplicate is not None:
            raise duplicate from error
    raise error


def finish(archive: Archive, prepared: Sequence[ingest.Prepared], ids: Sequence[int]) -> None:
    """After the commit: the files belong to their rows, and are indexed now if possible."""
    for p in prepared:
        ingest.settle(archive, p)
    if ids:
        ingest.index_filed(archive, list(ids))
