"""Destruction pages: draw up a list, review it, approve it, carry it out (berita acara)."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.errors import EarsipError, NotFound
from earsip.schemas.base import parse, pick
from earsip.schemas.retention import (
    Cancellation,
    DisposalApproval,
    DisposalExecution,
    DisposalProposal,
    ItemRemoval,
)
from earsip.services.retention import destruction as disposal_service
from earsip.services.retention import destruction_execution
from earsip.services.retention import destruction_papers as papers
from earsip.services.retention import destruction_views as views
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text
from earsip.web.steps import run_step

bp = Blueprint("disposal", __name__, url_prefix="/disposals")
WITNESS_ROWS = 4


def _ids(values: list[str]) -> list[int]:
    """Return the document ids of checked boxes (ASCII digits within the id range only)."""
    return [int(v) for v in values if v.isascii() and v.isdecimal() and 0 < int(v) < 2**31]


@bp.get("")
@requires("retention.read")
def lists() -> str:
    return render_template("disposal/lists.html",
                           lists=views.list_lists(archive(), principal()))


@bp.route("/new", methods=["GET", "POST"])
@requires("disposal.propose")
def new() -> tuple[str, int] | Response:
    if request.method == "POST":
        try:
            ids = _ids(request.form.getlist("document_id"))
            proposal = parse(DisposalProposal, {"document_ids": ids,
                                                "note": request.form.get("note")})
            list_id = disposal_service.propose(archive(), principal(), proposal,
                                               client_addr=client())
        except EarsipError as e:
            flash(error_text(e), "error")
            status = e.http_status
        else:
            flash(gettext("Daftar usul musnah dibuat dan diajukan untuk dinilai."), "success")
            return redirect(url_for("disposal.show", list_id=list_id))
    else:
        status = 200
    candidates = views.candidates(archive(), principal(), client_addr=client())
    return render_template("disposal/new.html", candidates=candidates), status


def _show(list_id: int, status: int = 200) -> tuple[str, int]:
    try:
        view = views.view_list(archive(), principal(), list_id, client_addr=client())
        # Why this reader may not approve (proposer, separation of duties): said, no form.
        refusal = views.approval_refusal(archive(), principal(), list_id) \
            if view.status == "submitted" else None
    except NotFound:
        abort(404)
    return render_template("disposal/show.html", listing=view, today=dt.date.today(),
                           witness_rows=WITNESS_ROWS, refusal=refusal), status


@bp.app_template_global()
def lists_awaiting_approval() -> list[views.Awaiting]:
    """The lists the signed-in leader is asked to decide on (the start page names them)."""
    return views.awaiting_approval(archive(), principal())


@bp.get("/<int:list_id>")
@requires("retention.read")
def show(list_id: int) -> tuple[str, int]:
    return _show(list_id)


def _step(list_id: int, action, done: str) -> tuple[str, int] | Response:
    """Run one step of the procedure; back to the list with its outcome."""
    return run_step(action, done, again=lambda status: _show(list_id, status),
                    then=url_for("disposal.show", list_id=list_id))


@bp.post("/<int:list_id>/items/<int:item_id>/remove")
@requires("disposal.review")
def remove_item(list_id: int, item_id: int) -> tuple[str, int] | Response:
    return _step(list_id, lambda: disposal_service.remove_item(
        archive(), principal(), list_id, item_id,
        parse(ItemRemoval, pick(request.form, ItemRemoval)), client_addr=client()),
        gettext("Butir dikeluarkan dari daftar."))


@bp.post("/<int:list_id>/approve")
@requires("disposal.approve")
def approve(list_id: int) -> tuple[str, int] | Response:
    def approve_list() -> None:
        sent = parse(DisposalApproval, pick(request.form, DisposalApproval))
        disposal_service.approve(archive(), principal(), list_id, sent, client_addr=client())

    return _step(list_id, approve_list, gettext("Daftar disetujui."))


@bp.post("/<int:list_id>/cancel")
@requires("disposal.propose")
def cancel(list_id: int) -> tuple[str, int] | Response:
    return _step(list_id, lambda: disposal_service.cancel(
        archive(), principal(), list_id, parse(Cancellation, pick(request.form, Cancellation)),
        client_addr=client()), gettext("Daftar dibatalkan."))


@bp.post("/<int:list_id>/execute")
@requires("disposal.execute")
def execute(list_id: int) -> tuple[str, int] | Response:
    sent: dict[str, object] = {name: request.form.get(name) for name in (
        "berita_acara_number", "official_name", "official_position", "place", "method")}
    sent["witnesses"] = [{"name": request.form.get(f"witness_name_{i}", ""),
                          "position": request.form.get(f"witness_position_{i}", "")}
                         for i in range(1, WITNESS_ROWS + 1)]
    # The page's "Selesaikan pemusnahan" (on a list already carried out) sends no berita acara.
    empty = "berita_acara_number" not in request.form
    return _step(list_id, lambda: destruction_execution.execute(
        archive(), principal(), list_id, None if empty else parse(DisposalExecution, sent),
        client_addr=client()),
        gettext("Pemusnahan dilaksanakan; berita acara dan daftar telah diarsipkan."))


@bp.get("/<int:list_id>/list.pdf")
@requires("retention.read")
def list_pdf(list_id: int) -> Response:
    try:
        body, name = papers.list_pdf(archive(), principal(), list_id, client_addr=client())
    except NotFound:
        abort(404)
    response = Response(body, mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response
