"""Sign in and sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from earsip.errors import AuthError
from earsip.services import users
from earsip.web import WebUser
from earsip.web.common import archive, client, principal

bp = Blueprint("auth", __name__)


def _local(target: str | None) -> str | None:
    """Return `target` only when it is a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    if request.method == "POST":
        try:
            p = users.login(archive(), request.form.get("username", ""),
                            request.form.get("password", ""), client())
        except AuthError as e:
            flash(e.message, "error")
            return render_template("auth/login.html"), 401
        session.clear()  # a new session on every sign-in
        version = users.session_version(archive(), p.id)
        login_user(WebUser(p, version))
        return redirect(_local(request.args.get("next")) or url_for("pages.home"))
    return render_template("auth/login.html")


@bp.post("/logout")
@login_required
def logout() -> Response:
    users.logout(archive(), principal(), client())
    logout_user()
    session.clear()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
