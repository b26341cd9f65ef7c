"""Filing a document in the browser, its page, and its download."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from earsip.access import SECURITY_CLASSES, can
from earsip.errors import Duplicate, EarsipError, NotFound, ValidationError
from earsip.http import send_stored_file
from earsip.schemas.base import parse
from earsip.schemas.documents import DocumentEdit
from earsip.services.audit import history as history_service
from earsip.services.desk import letters as desk_letters
from earsip.services.records import classification as classification_service
from earsip.services.records import documents as document_service
from earsip.services.records import editing as editing_service
from earsip.services.records import ingest
from earsip.services.retention import holds as holds_service
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("documents", __name__, url_prefix="/documents")


# What a clerk filing a series keeps for the next letter; every other field (title, number,
# dates, sender, recipient, description, tags) belongs to the letter just filed.
SERIES_FIELDS = ("classification", "security")


def _form(status: int = 200, *, form: object = None, **extra: object) -> tuple[str, int]:
    codes = classification_service.effective_codes(archive(), fileable_only=True)
    return render_template("documents/new.html", codes=codes, security_classes=SECURITY_CLASSES,
                           form=request.form if form is None else form, **extra), status


def _file_one(upload: FileStorage, fields: dict[str, str]) -> dict[str, object]:
    """File one uploaded file; return its outcome for the per-file result list."""
    name = upload.filename or ""
    try:
        data = document_service.parse_input(
            {**fields, "title": fields.get("title") or document_service.title_from_filename(name)})
        filed = ingest.file_document(archive(), principal().actor(client()), upload.stream, name,
                                     data, clearance=principal().clearance)
    except Duplicate as e:
        return {"file": name, "status": "duplicate", "message": error_text(e),
                "id": e.existing_id, "code": 409,
                "url": url_for("documents.show", document_id=e.existing_id)
                if e.existing_id else None}
    except EarsipError as e:
        return {"file": name, "status": "refused", "message": error_text(e), "id": None,
                "code": e.http_status, "field": e.field}
    return {"file": name, "status": "filed", "id": filed.document_id, "code": 201,
            "message": gettext("Diarsipkan sebagai dokumen #%(id)d.", id=filed.document_id),
            "url": url_for("documents.show", document_id=filed.document_id)}


@bp.route("/new", methods=["GET", "POST"])
@requires("document.file")
def new() -> tuple[str, int] | Response:
    """File one or more files with shared metadata; say for each what became of it.

    The page's script sends one file per request and asks for JSON; without the script the
    form posts every file at once and gets the result list as HTML.
    """
    if request.method == "GET":
        return _form()
    wants_json = request.accept_mimetypes.best == "application/json"
    uploads = [u for u in request.files.getlist("file") if u.filename]
    fields = {k: v for k, v in request.form.items() if k not in ("csrf_token", "file")}
    try:
        if not uploads:
            raise ValidationError("Pilih berkas yang akan diarsipkan.", field="file")
        # Metadata shared by every file is checked once, before any file is stored.
        document_service.parse_input({**fields, "title": fields.get("title") or "-"})
    except EarsipError as e:
        if wants_json:
            return jsonify({"results": [], "error": error_text(e),  # type: ignore[return-value]  # a (body, status) pair
                            "field": e.field}), e.http_status
        flash(error_text(e), "error")
        return _form(e.http_status)
    results = [_file_one(u, fields) for u in uploads]
    if wants_json:
        return jsonify({"results": results})
    if len(results) == 1:
        only = results[0]
        if only["status"] == "filed":
            flash(gettext("Dokumen berhasil diarsipkan."), "success")
            return redirect(str(only["url"]))
        flash(str(only["message"]), "error")
        return _form(int(only["code"]),  # type: ignore[call-overload]  # values of a result dict
                     existing_id=only["id"] if only["status"] == "duplicate" else None)
    if any(r["status"] == "filed" for r in results):
        # The next letter must not inherit this one's title, number or dates by mistake.
        return _form(200, form={k: request.form.get(k, "") for k in SERIES_FIELDS},
                     results=results)
    return _form(200, results=results)


@bp.get("/<int:document_id>")
@requires("document.read")
def show(document_id: int) -> str:
    try:
        doc = document_service.view_document(archive(), principal(), document_id, client())
    except NotFound:
        abort(404)
    gone = doc.disposition is not None and doc.disposition.status == "destroyed"
    has_preview = document_service.previewable(doc.file.mime) and not gone
    events = history_service.document_history(archive(), principal(), document_id) \
        if can(principal().roles, "document.history") else None
    held = holds_service.holds_covering(archive(), principal(), document_id)
    letter = desk_letters.letter_of_document(archive(), principal(), document_id)
    return render_template("documents/show.html", doc=doc, has_preview=has_preview,
                           events=events, holds=held, letter=letter)


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@requires("document.edit")
def edit(document_id: int) -> tuple[str, int] | Response:
    codes = classification_service.effective_codes(archive(), fileable_only=True)
    if request.method == "GET":
        try:
            current = editing_service.form_values(archive(), principal(), document_id,
                                                  client_addr=client())
        except NotFound:
            abort(404)
        return render_template("documents/edit.html", form=current, codes=codes,
                               security_classes=SECURITY_CLASSES, document_id=document_id), 200
    fields = {k: request.form.get(k, "") for k in editing_service.FIELDS}
    if request.form.get("security_reason") is not None:
        fields["security_reason"] = request.form["security_reason"]
    try:
        outcome = editing_service.edit_document(
            archive(), principal(), document_id, parse(DocumentEdit, fields), client())
    except NotFound:
        abort(404)
    except EarsipError as e:
        flash(error_text(e), "error")
        return render_template("documents/edit.html", form=request.form, codes=codes,
                               security_classes=SECURITY_CLASSES,
                               document_id=document_id), e.http_status
    if outcome.declassification is not None:
        flash(gettext("Perubahan disimpan. Penurunan klasifikasi keamanan menunggu persetujuan "
                      "pimpinan; sampai disetujui dokumen tetap pada klasifikasinya."), "success")
    else:
        flash(gettext("Perubahan disimpan."), "success")
    return redirect(url_for("documents.show", document_id=document_id))


@bp.get("/<int:document_id>/preview")
@requires("document.read")
def preview(document_id: int) -> Response:
    try:
        path = document_service.preview_file(archive(), principal(), document_id, client())
    except NotFound:
        abort(404)
    if path is None:
        abort(404)
    response = send_file(path, mimetype="image/png", conditional=False, etag=False, max_age=0)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/<int:document_id>/download")
@requires("document.read")
def download(document_id: int) -> Response:
    try:
        handle = document_service.open_file(archive(), principal(), document_id, client())
    except NotFound:
        abort(404)
    return send_stored_file(handle)


@bp.get("/<int:document_id>/searchable")
@requires("document.read")
def download_searchable(document_id: int) -> Response:
    """The searchable copy made by OCR (salinan teks-cari); the original never changes."""
    try:
        handle = document_service.open_file(archive(), principal(), document_id, client(),
                                            searchable=True)
    except NotFound:
        abort(404)
    return send_stored_file(handle)


@bp.post("/<int:document_id>/delete")
@requires("document.read")
def delete(document_id: int) -> Response:
    """Refuse (and audit) deleting a document: only the destruction procedure removes content."""
    try:
        document_service.refuse_delete(archive(), principal(), document_id,
                                       client_addr=client())
    except NotFound:
        abort(404)
    abort(403)  # pragma: no cover  (refuse_delete always raises)
