"""The classification scheme editor (admin): add a code, change a code and its JRA rule."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.access import SECURITY_CLASSES
from earsip.errors import EarsipError, NotFound
from earsip.schemas.base import parse
from earsip.schemas.scheme import SchemeRow, normalize_code
from earsip.services.records import scheme as scheme_service
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("scheme", __name__, url_prefix="/classifications")
FATES = ("musnah", "permanen", "dinilai_kembali")


def _fields() -> dict[str, str]:
    fields = {k: request.form.get(k, "") for k in scheme_service.EDITABLE}
    fields["needs_review"] = "1" if request.form.get("needs_review") else ""
    return fields


def _page(status: int = 200, **context: object) -> tuple[str, int]:
    return render_template("scheme/edit.html", fates=FATES, security_classes=SECURITY_CLASSES,
                           **context), status


@bp.route("/new", methods=["GET", "POST"])
@requires("classification.edit")
def create() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _page(form={"code": request.args.get("parent", "")}, item=None)
    form = {**_fields(), "code": normalize_code(request.form.get("code", ""))}
    try:
        code = scheme_service.create_code(archive(), principal().actor(client()),
                                          parse(SchemeRow, form))
    except EarsipError as e:
        flash(error_text(e), "error")
        return _page(e.http_status, form=form, item=None)
    flash(gettext("Kode %(code)s ditambahkan.", code=code), "success")
    return redirect(url_for("scheme.edit", code=code))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@requires("classification.edit")
def edit(code: str) -> tuple[str, int] | Response:
    try:
        item = scheme_service.get_code(archive(), code)
    except NotFound:
        abort(404)
    if request.method == "GET":
        return _page(form=item.own, item=item)
    form = _fields()
    retired = bool(request.form.get("retired"))
    try:
        moved = scheme_service.update_code(archive(), principal().actor(client()),
                                           parse(SchemeRow, {**form, "code": item.code}),
                                           retired=retired, clearance=principal().clearance)
    except EarsipError as e:
        flash(error_text(e), "error")
        return _page(e.http_status, form={**form, "retired": retired}, item=item)
    flash(gettext("Perubahan disimpan. Tanggal retensi %(n)d dokumen dihitung ulang.", n=moved),
          "success")
    return redirect(url_for("scheme.edit", code=item.code))
