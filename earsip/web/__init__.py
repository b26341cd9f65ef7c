"""HTML pages: sign-in, filing, documents, search, classification scheme."""

from __future__ import annotations

from flask import Flask, Response, render_template, request
from flask_login import UserMixin
from werkzeug.exceptions import HTTPException

from earsip.access import SECURITY_LABELS
from earsip.errors import EarsipError
from earsip.extensions import login_manager
from earsip.services.users import Principal

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


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


def refuse_anonymous_uploads() -> Response | None:
    """Turn away a browser upload from someone not signed in before its body is read.

    Registered ahead of the CSRF check, which would otherwise parse (and store, temporarily)
    the whole multipart body first.
    """
    from flask import redirect, url_for
    from flask_login import current_user

    if (request.method == "POST" and request.mimetype == "multipart/form-data"
            and not request.path.startswith("/api/") and not current_user.is_authenticated):
        return redirect(url_for("auth.login"))  # type: ignore[return-value]
    return None


def register(app: Flask) -> None:
    """Attach the HTML blueprints, the session user loader and the response headers."""
    from earsip.web import auth, documents, pages

    login_manager.login_view = "auth.login"
    login_manager.login_message = "Silakan masuk terlebih dahulu."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(user_id: str) -> WebUser | None:
        from flask import current_app

        from earsip.services.users import session_principal

        uid, _, version = user_id.partition(":")
        if not uid.isdigit() or not version.isdigit():
            return None
        principal = session_principal(current_app.extensions["earsip"], int(uid), int(version))
        return WebUser(principal, int(version)) if principal else None

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.errorhandler(HTTPException)
    def _http_error(e: HTTPException):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            from earsip.api.errors import http_error_response

            return http_error_response(e)
        return render_template("error.html", error=e), e.code or 500

    @app.errorhandler(EarsipError)
    def _earsip_error(e: EarsipError):  # type: ignore[no-untyped-def]
        # Raised outside a view's own handling, e.g. an upload over the limit while the form
        # is parsed for the CSRF check.
        if request.path.startswith("/api/"):
            from earsip.api.errors import error_response

            return error_response(e.http_status, e.code, e.message, field=e.field, **e.extra)
        return render_template("error.html", error=e, message=e.message), e.http_status

    @app.context_processor
    def _globals() -> dict[str, object]:
        return {"SECURITY_LABELS": SECURITY_LABELS}

    app.register_blueprint(auth.bp)
    app.register_blueprint(pages.bp)
    app.register_blueprint(documents.bp)
