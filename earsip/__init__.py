"""E-Arsip: the application factory (wiring only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from config import Config

__all__ = ["create_app"]


def create_app(config: Config | None = None) -> Flask:
    """Create the Flask application for `config` (from EARSIP_* variables by default)."""
    # Imported here, not at module level: the extraction child processes import `earsip.*`
    # modules and should not load Flask and the whole web stack for nothing.
    import logging
    from pathlib import Path

    from flask import Flask

    from config import PROJECT_ROOT, Config
    from earsip import faults
    from earsip.extensions import csrf, login_manager
    from earsip.http import DatabaseId, EarsipRequest
    from earsip.services import Archive

    config = config or Config.from_env()
    faults.load()  # a bad EARSIP_FAULTS stops the start, not a request later
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(Path(__file__).parent / "static"),
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        # Room for the form fields around the largest file allowed.
        MAX_CONTENT_LENGTH=config.max_upload_bytes + 1024 * 1024,
        MAX_FORM_MEMORY_SIZE=1024 * 1024,
        MAX_FORM_PARTS=50,
        # With HTTPS the cookie takes the __Host- prefix: browsers then refuse it unless it is
        # Secure, host-only and for the whole site.
        SESSION_COOKIE_NAME="__Host-earsip" if config.session_cookie_secure else "earsip",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.session_cookie_secure,
        REMEMBER_COOKIE_SECURE=config.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=config.testing,
    )
    app.request_class = EarsipRequest
    # Ids in URLs fit the database's integer columns; a larger one is simply not found.
    app.url_map.converters["int"] = DatabaseId
    if config.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=config.proxy_hops,  # type: ignore[method-assign]  # Flask's way to wrap
                                x_proto=config.proxy_hops, x_host=config.proxy_hops)
    archive = Archive.open(config)
    app.extensions["earsip"] = archive

    from earsip.web import i18n, refuse_anonymous_uploads

    i18n.init_app(app, config.instance_dir)
    login_manager.init_app(app)
    app.before_request(refuse_anonymous_uploads)  # must run before the CSRF check
    csrf.init_app(app)

    from earsip.api import bp as api_bp
    from earsip.web import register as register_web

    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    register_web(app)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return app
