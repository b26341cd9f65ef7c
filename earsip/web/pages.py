"""Home, search and classification-scheme pages."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request
from flask_login import login_required

from earsip.access import SECURITY_CLASSES
from earsip.errors import EarsipError
from earsip.services import classification as classification_service
from earsip.services import documents as document_service
from earsip.services import search as search_service
from earsip.web.common import archive, client, principal

bp = Blueprint("pages", __name__)


@bp.get("/")
@login_required
def home() -> str:
    with archive().db.read() as session:
        recent = document_service.recent(session, principal())
        return render_template("pages/home.html", recent=recent)


@bp.get("/search")
@login_required
def search() -> tuple[str, int] | str:
    with archive().db.read() as session:
        codes = classification_service.list_effective(session)
    result = None
    status = 200
    params = search_service.SearchParams()
    if request.args:
        try:
            params = search_service.parse_params(request.args)
            result = search_service.search(archive(), principal(), params, client())
        except EarsipError as e:
            flash(e.message, "error")
            status = e.http_status
    return render_template("pages/search.html", result=result, params=params, codes=codes,
                           security_classes=SECURITY_CLASSES,
                           args=request.args), status


@bp.get("/classifications")
@login_required
def classifications() -> str:
    with archive().db.read() as session:
        codes = classification_service.list_effective(session)
    return render_template("pages/classifications.html", codes=codes)
