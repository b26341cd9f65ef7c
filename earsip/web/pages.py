"""Home, search and classification-scheme pages."""

from __future__ import annotations

from flask import Blueprint, flash, render_template, request

from earsip import filetypes
from earsip.access import SECURITY_CLASSES, can
from earsip.errors import EarsipError
from earsip.schemas.search import SearchParams
from earsip.services.records import classification as classification_service
from earsip.services.records import dashboard as dashboard_service
from earsip.services.records import documents as document_service
from earsip.services.search import searching as search_service
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("pages", __name__)
SEARCH_KEYS = ("q", "classification", "year_from", "year_to", "security", "mime", "per_page",
               "sort")


@bp.get("/")
@requires("dashboard")
def home() -> str:
    p = principal()
    overview = dashboard_service.overview(archive(), p)
    # Titles are records: a user whose roles do not read records sees the figures only.
    reader = can(p.roles, "document.read")
    recent = document_service.recent_documents(archive(), p) if reader else []
    return render_template(
        "pages/home.html", o=overview, recent=recent,
        code_chart=dashboard_service.bars(overview.by_top_code[:8]),
        phase_chart=dashboard_service.bars(overview.by_phase))


@bp.get("/search")
@requires("search")
def search() -> tuple[str, int] | str:
    codes = classification_service.effective_codes(archive())
    result = None
    status = 200
    params = SearchParams()
    if request.args:
        try:
            params = search_service.parse_params(request.args)
            result = search_service.search(archive(), principal(), params, client())
        except EarsipError as e:
            flash(error_text(e), "error")
            status = e.http_status
    # Only known parameters go back into links: url_for treats keys like _external specially.
    args = {k: v for k in SEARCH_KEYS if (v := request.args.get(k, "").strip())}
    return render_template("pages/search.html", result=result, params=params, codes=codes,
                           security_classes=SECURITY_CLASSES, file_types=filetypes.LABELS,
                           args=args), status


@bp.get("/classifications")
@requires("classification.read")
def classifications() -> str:
    codes = classification_service.effective_codes(archive())
    return render_template("pages/classifications.html", codes=codes)
