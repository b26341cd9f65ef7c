"""API v1 routes of what the record pages show besides the records: a document's history in
words, its first-page preview and the start page's counts, with the same permissions and
clearance as the pages."""

from __future__ import annotations

from flask import Response, g, jsonify, request, send_file
from flask_babel import gettext

from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.errors import error_response
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import token_required
from earsip.schemas.operations import moment
from earsip.schemas.records import (
    Count,
    DueDocument,
    History,
    HistoryDetail,
    HistoryEntry,
    Overview,
)
from earsip.services.audit import history as history_service
from earsip.services.audit.words import Described
from earsip.services.records import dashboard as dashboard_service
from earsip.services.records import documents as document_service


def _tr(message: str | None) -> str | None:
    """A stored message template in the caller's language (never %-formatted)."""
    return gettext(message) if message else message


def _entry(e: Described) -> HistoryEntry:
    target = None
    if e.target is not None:
        target = gettext(e.target.template, **e.target.params) if e.target.params \
            else gettext(e.target.template)
    return HistoryEntry(
        seq=e.seq, occurred_at=moment(e.occurred_at) or "", actor=_tr(e.actor) or "",
        action=_tr(e.action) or "", outcome=_tr(e.outcome) or "", refused=e.refused,
        target=target, client_addr=e.client_addr,
        details=[HistoryDetail(label=gettext(d.label), value=_tr(d.value) or "",
                               old=_tr(d.old) if d.changed else None) for d in e.details])


@bp.get("/documents/<int:document_id>/history")
@operation("A document's history in words: who filed, viewed, changed, downloaded it, newest "
           "first, as its page shows it to those who review records. A document above the "
           "caller's clearance is answered 404, like a missing one.",
           answers={200: json("The history.", History)}, errors=(401, 403, 404))
@token_required("document.history")
def document_history(document_id: int) -> Response:
    events = history_service.document_history(_archive(), g.principal, document_id)
    return jsonify(History(document_id=document_id,
                           entries=[_entry(e) for e in events]).model_dump())


@bp.get("/overview")
@operation("The start page's figures: documents held, per top-level code and per phase, due "
           "this month and this year, waiting for an event, counted only over the documents "
           "the caller may see; the titles due this month only for roles that read records.",
           answers={200: json("The figures.", Overview)}, errors=(401, 403))
@token_required("dashboard")
def overview() -> Response:
    o = dashboard_service.overview(_archive(), g.principal)
    return jsonify(Overview(
        total=o.total, due_this_month=o.due_this_month, due_this_year=o.due_this_year,
        waiting_for_event=o.waiting_for_event,
        by_top_code=[Count(key=k, count=n) for k, n in o.by_top_code],
        by_phase=[Count(key=k, count=n) for k, n in o.by_phase],
        due_list=[DueDocument(id=d.id, title=d.title, classification=d.classification,
                              date=d.date.isoformat(), change=d.change)
                  for d in o.due_list]).model_dump())


@bp.get("/documents/<int:document_id>/preview")
@operation("A PNG of the document's first page (PDFs and images; plain text and DOCX their "
           "first lines drawn), as its page shows it; made on first request, then kept. Each "
           "request is audited (document.preview). 404 when the document has none (its type "
           "gets none, it could not be drawn, or its content was destroyed), and for a "
           "document above the caller's clearance, like a missing one.",
           answers={200: raw("The preview.", {"image/png": {"type": "string",
                                                             "format": "binary"}})},
           errors=(401, 403, 404))
@token_required("document.read")
def document_preview(document_id: int) -> Response:
    path = document_service.preview_file(_archive(), g.principal, document_id,
                                         request.remote_addr)
    if path is None:
        return error_response(404, "not_found", gettext("Dokumen ini tidak memiliki pratinjau."))
    response = send_file(path, mimetype="image/png", conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response
