"""Transfer pages: prepare a package of arsip statis, download it, confirm receipt."""

from __future__ import annotations

import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.errors import EarsipError, NotFound
from earsip.schemas.base import parse, pick
from earsip.schemas.transfers import Receipt, TransferInput
from earsip.services.retention import transfer as transfer_service
from earsip.services.retention import transfer_views
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text
from earsip.web.steps import run_step

bp = Blueprint("transfer", __name__, url_prefix="/transfers")
FIELDS = ("recipient_institution", "recipient_name", "recipient_position", "official_name",
          "official_position", "place")


@bp.get("")
@requires("retention.read")
def lists() -> str:
    return render_template("transfer/lists.html",
                           transfers=transfer_views.list_transfers(archive(), principal()))


@bp.route("/new", methods=["GET", "POST"])
@requires("transfer.manage")
def new() -> tuple[str, int] | Response:
    form = {k: request.form.get(k, "") for k in FIELDS}
    status = 200
    if request.method == "POST":
        ids = [int(v) for v in request.form.getlist("document_id")
               if v.isascii() and v.isdecimal() and 0 < int(v) < 2**31]
        try:
            transfer_id = transfer_service.prepare(
                archive(), principal(), parse(TransferInput, {**form, "document_ids": ids}),
                client_addr=client())
        except EarsipError as e:
            flash(error_text(e), "error")
            status = e.http_status
        else:
            flash(gettext("Paket penyerahan dibuat dan divalidasi."), "success")
            return redirect(url_for("transfer.show", transfer_id=transfer_id))
    return render_template("transfer/new.html", form=form,
                           candidates=transfer_views.candidates(archive(), principal()),
                           office_place=archive().config.office_place), status


def _show(transfer_id: int, status: int = 200) -> tuple[str, int]:
    try:
        view = transfer_views.get_transfer(archive(), principal(), transfer_id)
    except NotFound:
        abort(404)
    return render_template("transfer/show.html", transfer=view), status


@bp.get("/<int:transfer_id>")
@requires("retention.read")
def show(transfer_id: int) -> tuple[str, int]:
    return _show(transfer_id)


@bp.get("/<int:transfer_id>/package")
@requires("transfer.manage")
def package(transfer_id: int) -> Response:
    # Closed by the response once sent (send_file streams it), so no context manager here.
    spool = tempfile.TemporaryFile(dir=archive().config.instance_dir)  # noqa: SIM115
    try:
        name = transfer_service.write_zip(archive(), principal(), transfer_id, spool,
                                          client_addr=client())
    except NotFound:
        spool.close()
        abort(404)
    except EarsipError as e:
        spool.close()
        flash(error_text(e), "error")
        return redirect(url_for("transfer.show", transfer_id=transfer_id))
    spool.seek(0)
    return send_file(spool, mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)


def _step(transfer_id: int, action, done: str) -> tuple[str, int] | Response:
    """Run one step of the transfer; back to its page with the outcome."""
    return run_step(action, done, again=lambda status: _show(transfer_id, status),
                    then=url_for("transfer.show", transfer_id=transfer_id))


@bp.post("/<int:transfer_id>/confirm")
@requires("transfer.manage")
def confirm(transfer_id: int) -> tuple[str, int] | Response:
    return _step(transfer_id, lambda: transfer_service.confirm(
        archive(), principal(), transfer_id, parse(Receipt, pick(request.form, Receipt)),
        client_addr=client()),
        gettext("Penyerahan dikonfirmasi; arsip ditandai telah diserahkan."))


@bp.post("/<int:transfer_id>/cancel")
@requires("transfer.manage")
def cancel(transfer_id: int) -> tuple[str, int] | Response:
    return _step(transfer_id, lambda: transfer_service.cancel(
        archive(), principal(), transfer_id, client_addr=client()),
        gettext("Penyerahan dibatalkan; salinan paket dimusnahkan."))
