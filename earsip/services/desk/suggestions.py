"""Classification codes suggested from a letter's text, learned from what the office has filed.

`retrain` reads the texts of the records kept (not destroyed, not transferred) with their codes,
measures a model trained on 80% of them against the 20% held back, trains the model in use on
all of them (`earsip.suggest`) and stores it as the newest row of `classifier_models`, audited.
Older rows keep their figures but lose their model: a model holds words of the texts it learned
from, and those of records destroyed since must not outlive them. For the same reason a
destruction calls `forget` in its own transaction (every model loses its words as the records
lose their text) and queues a retraining. The background worker retrains daily (job kind
`suggest.train`, queued by the schedule); `earsip suggest train` retrains now.

`suggest` ranks the codes for a text with the newest model (read once per process and kept
while it stays the newest) and leaves out codes retired or removed from the scheme since.
Nothing leaves the server: the model is trained and used here, from the archive's own texts.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from earsip import audit
from earsip import suggest as suggester
from earsip.db import rowcount
from earsip.models import Classification, ClassifierModel, Document, DocumentText, utcnow
from earsip.schemas.operations import moment
from earsip.schemas.suggest import CodeSuggestion, Trained
from earsip.services import Archive

__all__ = ["MAX_PER_CODE", "TEXT_CHARS", "forget", "retrain", "suggest"]

# What is read of each filed text: a letter's first page says what it is about, and the bound
# keeps a retraining's memory small whatever the archive holds.
TEXT_CHARS = 4000
# The newest texts of each code learned from: a centroid settles long before this.
MAX_PER_CODE = 1000
HOLDOUT = 0.2

_lock = threading.Lock()
_cached: tuple[tuple[str, int, dt.datetime], suggester.SuggestModel] | None = None


def _samples(archive: Archive) -> list[tuple[str, str]]:
    """Return (code, text) of the kept records with a text, the newest first, capped per code."""
    taken: Counter[str] = Counter()
    samples = []
    query = (select(Document.classification_code, func.substr(DocumentText.text, 1, TEXT_CHARS))
             .join(DocumentText, DocumentText.document_id == Document.id)
             .where(Document.disposition.is_(None), Document.personal.is_(False))
             .order_by(Document.id.desc()))
    with archive.db.read() as session:
        for code, text in session.execute(query.execution_options(yield_per=500)):
            if not text or not text.strip() or taken[code] >= MAX_PER_CODE:
                continue
            taken[code] += 1
            samples.append((code, text))
    return samples


def retrain(archive: Archive, actor: audit.Actor = audit.SYSTEM) -> Trained:
    """Measure and train a suggester on the filed texts; store it as the one in use."""
    started = time.perf_counter()
    samples = _samples(archive)
    model, accuracy = suggester.train_and_evaluate(samples, holdout=HOLDOUT)
    payload = model.to_json()
    seconds = round(time.perf_counter() - started, 3)
    with archive.db.write() as session:
        row = ClassifierModel(trained_at=utcnow(), documents=model.documents,
                              codes=len(model.codes), top1=accuracy.top1, top3=accuracy.top3,
                              payload=payload)
        session.add(row)
        session.flush()
        session.execute(update(ClassifierModel).where(ClassifierModel.id < row.id,
                                                      ClassifierModel.payload != "")
                        .values(payload=""))
        trained = Trained(model_id=row.id, trained_at=moment(row.trained_at) or "",
                          documents=model.documents, codes=len(model.codes),
                          terms=len(model.idf), size_bytes=len(payload.encode()),
                          seconds=seconds, top1=accuracy.top1, top3=accuracy.top3,
                          trained=accuracy.n_train, tested=accuracy.n_test)
        audit.append(session, actor, "suggest.train", target_type="classifier_model",
                     target_id=row.id,
                     details=trained.model_dump(include={"documents", "codes", "top1", "top3",
                                                         "tested", "size_bytes"}))
    return trained


def forget(session: Session) -> int:
    """Drop the words of every stored model in the caller's transaction (their figures stay);
    return how many lost them. Suggestions stop until the next retraining."""
    return rowcount(session.execute(update(ClassifierModel).where(ClassifierModel.payload != "")
                                    .values(payload="")))


def _model(archive: Archive) -> suggester.SuggestModel | None:
    """Return the newest stored model, read once per process while it stays the newest."""
    global _cached
    with archive.db.read() as session:
        newest = session.execute(select(ClassifierModel.id, ClassifierModel.trained_at)
                                 .where(ClassifierModel.payload != "")
                                 .order_by(ClassifierModel.id.desc()).limit(1)).first()
        if newest is None:  # none trained yet, or forgotten by a destruction
            with _lock:
                _cached = None
            return None
        key = (archive.config.database_url, newest.id, newest.trained_at)
        with _lock:
            if _cached is not None and _cached[0] == key:
                return _cached[1]
        payload = session.scalar(select(ClassifierModel.payload)
                                 .where(ClassifierModel.id == newest.id))
    if not payload:
        return None
    model = suggester.from_json(payload)
    with _lock:
        _cached = (key, model)
    return model


def suggest(archive: Archive, text: str, *, k: int = 3) -> list[CodeSuggestion]:
    """Return up to `k` codes for `text`, best first; [] until a model has learned enough."""
    if k <= 0 or not text.strip():
        return []
    model = _model(archive)
    if model is None:
        return []
    ranked = model.suggest(text, k=len(model.codes))
    if not ranked:
        return []
    with archive.db.read() as session:
        usable = set(session.scalars(select(Classification.code).where(
            Classification.code.in_([code for code, _ in ranked]),
            Classification.retired.is_(False))))
    return [CodeSuggestion(code=code, score=score)
            for code, score in ranked if code in usable][:k]
