"""HTML pages: sign-in, accounts, filing, documents, search, classification scheme, admin."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from flask import (
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_login import UserMixin, current_user
from werkzeug.exceptions import HTTPException

from earsip.access import ROLE_LABELS, SECURITY_LABELS, Principal, can
from earsip.errors import EarsipError
from earsip.extensions import csrf, login_manager
from earsip.services.audit.words import FIXITY_OUTCOMES, TRIGGERS
from earsip.web.i18n import LANGUAGES, error_text

if TYPE_CHECKING:
    from config import Config

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# Endpoints a user who must change a temporary password may still reach.
_DURING_PASSWORD_CHANGE = {"auth.password", "auth.logout", "i18n.switch", "static"}
# How often the idle clock in the session cookie is refreshed (seconds).
_SEEN_RESOLUTION = 30


class WebUser(UserMixin):
    """The signed-in browser user; its id carries the session version."""

    def __init__(self, principal: Principal, version: int) -> None:
        self.principal = principal
        self.version = version

    def get_id(self) -> str:
        return f"{self.principal.id}:{self.version}"

    @property
    def username(self) -> str:
        return self.principal.username


def start_session(user: WebUser) -> None:
    """Begin a fresh browser session for `user`: nothing of the previous session survives."""
    from flask_login import login_user

    session.clear()
    login_user(user)
    now = time.time()
    session["login_at"] = now
    session["seen_at"] = now


def refuse_anonymous_uploads() -> Response | None:
    """Turn away a browser upload from someone not signed in before its body is read.

    Registered ahead of the CSRF check, which would otherwise parse (and store, temporarily)
    the whole multipart body first.
    """
    from earsip.web.public_guard import is_public_page

    if (request.method == "POST" and request.mimetype == "multipart/form-data"
            and not request.path.startswith("/api/") and not is_public_page()
            and not current_user.is_authenticated):
        return redirect(url_for("auth.login"))  # type: ignore[return-value]  # Werkzeug's Response
    return None


def _session_fresh(cfg: Config) -> bool:
    """Return True while the session is within its idle and absolute time limits."""
    now = time.time()
    login_at, seen_at = session.get("login_at"), session.get("seen_at")
    if not isinstance(login_at, float | int) or not isinstance(seen_at, float | int):
        return False
    if now - seen_at > cfg.session_idle_minutes * 60:
        return False
    if now - login_at > cfg.session_max_hours * 3600:
        return False
    if now - seen_at > _SEEN_RESOLUTION:
        session["seen_at"] = now
    return True


def _load_user(user_id: str) -> WebUser | None:
    from flask import current_app

    from earsip.services.access.auth import session_principal

    uid, _, version = user_id.partition(":")
    if not uid.isdigit() or not version.isdigit():
        return None
    archive = current_app.extensions["earsip"]
    if not _session_fresh(archive.config):
        g.session_expired = True
        return None
    principal = session_principal(archive, int(uid), int(version))
    if principal is None:
        g.session_expired = True
        return None
    return WebUser(principal, int(version))


def _unauthorized() -> Response:
    if g.get("session_expired"):
        session.clear()
        flash(gettext("Sesi Anda telah berakhir. Silakan masuk kembali."), "info")
    else:
        flash(gettext("Silakan masuk terlebih dahulu."), "info")
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))  # type: ignore[return-value]  # Werkzeug's Response


def _password_change_first() -> Response | None:
    if request.blueprint == "public":  # open to everyone, whoever is signed in
        return None
    if (current_user.is_authenticated and current_user.principal.must_change_password
            and request.endpoint not in _DURING_PASSWORD_CHANGE
            and not request.path.startswith("/api/")):
        return redirect(url_for("auth.password"))  # type: ignore[return-value]  # Werkzeug's Response
    return None


def security_headers(response: Response) -> Response:
    """Add the headers every response carries (docs/ACCESS.md, "Headers")."""
    from flask import current_app

    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # Pages and JSON carry what one user's clearance allows: no shared or local copies.
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    if current_app.extensions["earsip"].config.env == "production":
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _inbox_waiting() -> int:
    """Return how many things wait on the signed-in user (the menu's counter): dispositions
    new, due tomorrow or overdue, and the lists and requests awaiting their decision."""
    from earsip.services.desk import notifications

    if not current_user.is_authenticated:
        return 0
    return notifications.count(current_app.extensions["earsip"], current_user.principal)


def register(app: Flask) -> None:
    """Attach the HTML blueprints, the session user loader and the response headers."""
    from earsip.web import (
        admin,
        audit,
        auth,
        case_reports,
        cases,
        cases_admin,
        cases_work,
        crosssite,
        declassification,
        desk,
        disposal,
        documents,
        formatting,
        i18n,
        jobs,
        pages,
        public,
        public_guard,
        retention,
        scheme,
        transfer,
    )

    formatting.register(app)
    # The public pages and API never set a cookie (public_guard); their forms carry a signed
    # token of their own instead of the session's CSRF token.
    app.session_interface = public_guard.CookielessSessions()
    csrf.exempt(public.bp)
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    app.before_request(_password_change_first)
    app.before_request(crosssite.confirm_cross_site)
    app.after_request(security_headers)

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):
        if request.path.startswith("/api/"):
            from earsip.api.errors import http_error_response

            return http_error_response(e)
        if public_guard.is_public_page():  # an unknown address under the public pages
            return public.http_error_page(e)
        return render_template("error.html", error=e), e.code or 500

    @app.errorhandler(EarsipError)
    def _earsip_error(e: EarsipError):
        # Raised outside a view's own handling, e.g. an upload over the limit while the form
        # is parsed for the CSRF check.
        if request.path.startswith("/api/"):
            from earsip.api.errors import earsip_error_response

            return earsip_error_response(e)
        headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else {}
        return (render_template("error.html", error=e, message=error_text(e)), e.http_status,
                headers)

    @app.template_filter("tr")
    def _translate_stored(message: str | None) -> str:
        """Translate a message the system stored with a record, when the catalog has it.

        Unlike `_()` in a template, this never %-formats, so any stored text is safe here.
        """
        return gettext(message) if message else ""

    @app.context_processor
    def _globals() -> dict[str, object]:
        from flask_babel import get_locale

        roles = current_user.principal.roles if current_user.is_authenticated else frozenset()
        return {"SECURITY_LABELS": SECURITY_LABELS, "ROLE_LABELS": ROLE_LABELS,
                "TRIGGERS": TRIGGERS, "FIXITY_OUTCOMES": FIXITY_OUTCOMES,
                "may": lambda permission: can(roles, permission),
                "inbox_waiting": _inbox_waiting,
                "LANGUAGES": LANGUAGES, "current_language": str(get_locale())}

    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(i18n.bp)
    app.register_blueprint(scheme.bp)
    app.register_blueprint(retention.bp)
    app.register_blueprint(disposal.bp)
    app.register_blueprint(declassification.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(public.bp)
    app.register_blueprint(case_reports.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(cases_admin.bp)
    app.register_blueprint(cases_work.bp)
