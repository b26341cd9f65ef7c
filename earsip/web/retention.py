"""Retention pages: the reports (due, upcoming, on hold, awaiting an event) and legal holds."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.errors import EarsipError, NotFound, ValidationError
from earsip.schemas.base import parse, pick
from earsip.schemas.retention import HoldInput, HoldLift
from earsip.services.retention import cycle as retention_service
from earsip.services.retention import holds as hold_service
from earsip.web import formatting
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("retention", __name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report_args() -> tuple[str, int]:
    kind = request.args.get("kind", "due")
    if kind not in retention_service.REPORT_KINDS:
        kind = "due"
    try:
        months = int(request.args.get("months", "12"))
    except ValueError:
        months = 12
    return kind, max(1, min(months, retention_service.MAX_MONTHS))


@bp.get("/retention")
@requires("retention.read")
def report() -> str:
    kind, months = _report_args()
    result = retention_service.view_report(archive(), principal(), kind, months=months,
                                           client_addr=client())
    return render_template("retention/report.html", report=result, kind=kind, months=months,
                           counting=archive().config.retention_counting)


@bp.get("/retention/export")
@requires("retention.read")
def export() -> Response:
    kind, months = _report_args()
    fmt = "xlsx" if request.args.get("format") == "xlsx" else "csv"
    wording = retention_service.Wording(translate=gettext, day=formatting.day)
    body, name = retention_service.export_report(archive(), principal(), kind, fmt,
                                                 months=months, client_addr=client(),
                                                 wording=wording)
    response = Response(body, mimetype="text/csv; charset=utf-8" if fmt == "csv" else XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


@bp.get("/holds")
@requires("retention.read")
def holds() -> str:
    show_all = request.args.get("all") == "1"
    views = hold_service.list_holds(archive(), principal(), active_only=not show_all)
    return render_template("retention/holds.html", holds=views, show_all=show_all,
                           form={"document_ids": request.args.get("document", "")})


def _ids(raw: str) -> list[int]:
    ids = []
    for part in raw.replace(",", " ").split():
        part = part.lstrip("#")
        if not part.isdigit() or not 0 < int(part) < 2**31:
            raise ValueError(part)
        ids.append(int(part))
    return ids


@bp.post("/holds")
@requires("hold.manage")
def place_hold() -> tuple[str, int] | Response:
    form = {k: request.form.get(k, "") for k in
            ("reference", "reason", "document_ids", "classification_code")}
    try:
        try:
            ids = _ids(form["document_ids"])
        except ValueError as e:
            raise ValidationError("Nomor dokumen tidak sah: %(value)s.", field="document_ids",
                                  params={"value": str(e)}) from e
        placed = parse(HoldInput, {**form, "document_ids": ids})
        view = hold_service.place_hold(archive(), principal(), placed, client_addr=client())
    except EarsipError as e:
        flash(error_text(e), "error")
        views = hold_service.list_holds(archive(), principal(), active_only=True)
        return render_template("retention/holds.html", holds=views, show_all=False,
                               form=form), e.http_status
    flash(gettext("Penahanan %(reference)s dipasang.", reference=view.reference), "success")
    return redirect(url_for("retention.hold", hold_id=view.id))


@bp.get("/holds/<int:hold_id>")
@requires("retention.read")
def hold(hold_id: int) -> str:
    try:
        view = hold_service.get_hold(archive(), principal(), hold_id)
    except NotFound:
        abort(404)
    return render_template("retention/hold.html", hold=view)


@bp.post("/holds/<int:hold_id>/lift")
@requires("hold.manage")
def lift_hold(hold_id: int) -> Response:
    try:
        hold_service.lift_hold(archive(), principal(), hold_id,
                               parse(HoldLift, pick(request.form, HoldLift)), client_addr=client())
    except NotFound:
        abort(404)
    except EarsipError as e:
        flash(error_text(e), "error")
    else:
        flash(gettext("Penahanan dicabut."), "success")
    return redirect(url_for("retention.hold", hold_id=hold_id))


