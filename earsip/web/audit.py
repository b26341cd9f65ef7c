"""Auditor pages: the trail (filtered), one entry, export, checkpoints, verification, fixity."""

from __future__ import annotations

import datetime as dt
import json
import tempfile

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.errors import EarsipError, NotFound
from earsip.schemas.base import parse, pick
from earsip.schemas.operations import AuditQuery
from earsip.services.audit import browse as audit_browse
from earsip.services.audit import review as audit_review
from earsip.services.operations import fixity
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.get("")
@requires("audit.read")
def entries() -> tuple[str, int]:
    status = 200
    try:
        filters = parse(AuditQuery, pick(request.args, AuditQuery))
    except EarsipError as e:
        flash(error_text(e), "error")
        filters, status = AuditQuery(), e.http_status
    found = audit_browse.entries(archive(), principal(), filters)
    return render_template("audit/entries.html", found=found, filters=filters,
                           args={k: v for k, v in request.args.items() if k != "page"}), status


@bp.get("/<int:seq>")
@requires("audit.read")
def entry(seq: int) -> str:
    try:
        item = audit_browse.entry(archive(), principal(), seq)
    except NotFound:
        abort(404)
    return render_template("audit/entry.html", entry=item,
                           details_json=json.dumps(item.record.details, indent=2,
                                                   ensure_ascii=False, sort_keys=True))


def _verification_page(report: object) -> str:
    # The trail's size, hashes and the fixity counts reflect records of every class: readers
    # below the top clearance get the verdict only (docs/ACCESS.md, "Counts").
    cleared = audit_browse.cleared_for_all(principal())
    checkpoints = [audit_review.shown(c, cleared_for_all=cleared)
                   for c in audit_review.list_checkpoints(archive())[-10:][::-1]]
    return render_template("audit/verify.html", report=report, checkpoints=checkpoints,
                           fixity=fixity.last_fixity(archive()) if cleared else None,
                           cleared_for_all=cleared)


@bp.get("/verify")
@requires("audit.read")
def verification() -> str:
    return _verification_page(None)


@bp.post("/verify")
@requires("audit.read")
def verify() -> str:
    return _verification_page(audit_review.verify_chain(archive()))


@bp.post("/checkpoint")
@requires("audit.read")
def checkpoint() -> Response:
    made = audit_review.make_checkpoint(archive(), principal().actor(client()),
                                        trigger="on_demand")
    if audit_browse.cleared_for_all(principal()):
        flash(gettext("Titik periksa dibuat: %(size)s entri.", size=made.size), "success")
    else:
        flash(gettext("Titik periksa dibuat."), "success")
    return redirect(url_for("audit.verification"))


@bp.get("/export")
@requires("audit.read")
def export() -> Response:
    try:
        audit_browse.require_full_clearance(principal())
    except EarsipError as e:
        flash(error_text(e), "error")
        return redirect(url_for("audit.verification"))
    # Closed by the response once sent (send_file streams it), so no context manager here.
    spool = tempfile.TemporaryFile(dir=archive().config.instance_dir)  # noqa: SIM115
    audit_review.export_zip(archive(), principal().actor(client()), spool)
    spool.seek(0)
    name = f"jejak-audit-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.zip"
    return send_file(spool, mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)


@bp.get("/fixity")
@requires("fixity.read")
def fixity_status() -> str:
    last = fixity.last_fixity(archive())
    if last is not None:
        last = fixity.shown(last, cleared_for_all=audit_browse.cleared_for_all(principal()))
    return render_template("audit/fixity.html", fixity=last,
                           interval=archive().config.fixity_interval_days)


def _attachment(body: str | bytes, name: str, mime: str) -> Response:
    response = Response(body, mimetype=mime)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.get("/public_key.pem")
@requires("audit.read")
def public_key() -> Response:
    """The key that checks the checkpoints: auditors keep their own copy."""
    return _attachment(audit_review.public_key(archive()), "earsip-audit-public-key.pem",
                       "application/x-pem-file")


@bp.get("/checkpoints.jsonl")
@requires("audit.read")
def checkpoints() -> Response:
    """Every checkpoint, one JSON line each, as the verifier's --checkpoints reads them.

    Their sizes count every entry, about records of every class: like the export, for auditors
    cleared for every class.
    """
    try:
        audit_browse.require_full_clearance(principal())
    except EarsipError as e:
        flash(error_text(e), "error")
        return redirect(url_for("audit.verification"))
    lines = b"".join(audit_review.checkpoint_line(c)
                     for c in audit_review.list_checkpoints(archive()))
    return _attachment(lines, "earsip-audit-checkpoints.jsonl", "application/jsonl")
