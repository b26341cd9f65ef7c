"""Deciding on a request to lower a record's security class (from the document's page)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.access import can
from earsip.errors import EarsipError, NotFound
from earsip.schemas.accounts import Declassification, Refusal
from earsip.schemas.base import parse, pick
from earsip.services.access import declassification as declassification_service
from earsip.services.access import duties
from earsip.web import documents as document_pages
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("declassification", __name__, url_prefix="/declassifications")


def _decide(request_id: int, action, done: str) -> tuple[str, int] | Response:
    """Run a decision; back to the document's page, with the reason when refused."""
    try:
        view = action()
    except NotFound:
        abort(404)
    except EarsipError as e:
        flash(error_text(e), "error")
        document_id = declassification_service.document_of(archive(), principal(), request_id)
        return document_pages.show(document_id), e.http_status
    flash(done, "success")
    return redirect(url_for("documents.show", document_id=view.document_id))


@bp.post("/<int:request_id>/approve")
@requires("declassification.decide")
def approve(request_id: int) -> tuple[str, int] | Response:
    return _decide(request_id, lambda: declassification_service.approve(
        archive(), principal(), request_id, password=request.form.get("password"),
        client_addr=client()), gettext("Penurunan klasifikasi keamanan disetujui."))


@bp.post("/<int:request_id>/refuse")
@requires("declassification.decide")
def refuse(request_id: int) -> tuple[str, int] | Response:
    return _decide(request_id, lambda: declassification_service.refuse(
        archive(), principal(), request_id, parse(Refusal, pick(request.form, Refusal)),
        client_addr=client()), gettext("Penurunan klasifikasi keamanan ditolak."))


@dataclass(frozen=True)
class Pending:
    """A pending request on the document's page, and why this reader may not approve it
    (None when they may, or when they do not decide)."""

    request: Declassification
    refusal: duties.Refusal | None


@bp.app_template_global()
def pending_declassifications(document_id: int) -> list[Pending]:
    """The pending requests of a document, each with why this reader may not approve it;
    empty for readers who neither edit nor decide."""
    p = principal()
    if not (can(p.roles, "declassification.decide") or can(p.roles, "document.edit")):
        return []
    deciding = can(p.roles, "declassification.decide")
    return [Pending(r, declassification_service.decision_refusal(archive(), p, r.id)
                    if deciding else None)
            for r in declassification_service.pending(archive(), p, document_id=document_id)]


@bp.app_template_global()
def declassifications_awaiting() -> list[Declassification]:
    """The requests the signed-in leader is asked to decide (the start page names them)."""
    return declassification_service.awaiting_decision(archive(), principal())
