"""Filing a document in the browser, its page, and its download."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.access import SECURITY_CLASSES
from earsip.errors import Duplicate, EarsipError, NotFound, ValidationError
from earsip.http import send_stored_file
from earsip.services import classification as classification_service
from earsip.services import documents as document_service
from earsip.services import ingest
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("documents", __name__, url_prefix="/documents")


def _form(status: int = 200, **extra: object) -> tuple[str, int]:
    codes = classification_service.effective_codes(archive(), fileable_only=True)
    return render_template("documents/new.html", codes=codes, security_classes=SECURITY_CLASSES,
                           form=request.form, **extra), status


@bp.route("/new", methods=["GET", "POST"])
@requires("document.file")
def new() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _form()
    try:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationError("Pilih berkas yang akan diarsipkan.", field="file")
        data = document_service.parse_input(request.form)
        filed = ingest.file_document(archive(), principal().actor(client()), upload.stream,
                                     upload.filename, data, clearance=principal().clearance)
    except Duplicate as e:
        flash(error_text(e), "error")
        return _form(409, existing_id=e.existing_id)
    except EarsipError as e:
        flash(error_text(e), "error")
        return _form(e.http_status)
    flash(gettext("Dokumen berhasil diarsipkan."), "success")
    return redirect(url_for("documents.show", document_id=filed.document_id))


@bp.get("/<int:document_id>")
@requires("document.read")
def show(document_id: int) -> str:
    try:
        doc = document_service.view_document(archive(), principal(), document_id, client())
    except NotFound:
        abort(404)
    return render_template("documents/show.html", doc=doc)


@bp.get("/<int:document_id>/download")
@requires("document.read")
def download(document_id: int) -> Response:
    try:
        handle = document_service.open_file(archive(), principal(), document_id, client())
    except NotFound:
        abort(404)
    return send_stored_file(handle)
