"""Sign in, sign out, change one's own password, and one's own API tokens."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from earsip.errors import AuthError, EarsipError, NotFound, Throttled
from earsip.services.access import auth as auth_service
from earsip.services.access import tokens as token_service
from earsip.services.access import users
from earsip.web import WebUser, start_session
from earsip.web.common import archive, client, local_path, principal, public, requires
from earsip.web.i18n import error_text

bp = Blueprint("auth", __name__)

DEVICE_COOKIE = "earsip_device"
DEVICE_MAX_AGE = 180 * 24 * 3600


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="earsip.device")


def _trusted_device(username: str) -> str | None:
    """Return the device id of a valid trusted-device cookie issued to `username`, if any."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _devices().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("u") != auth_service.username_key(username):
        return None
    device = data.get("d")
    return device if isinstance(device, str) and len(device) == 32 else None


def _remember_device(response: Response, username: str, device: str) -> None:
    response.set_cookie(DEVICE_COOKIE,
                        _devices().dumps({"u": auth_service.username_key(username), "d": device}),
                        max_age=DEVICE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> tuple[str, int] | str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"))
    if request.method == "GET":
        return render_template("auth/login.html")
    username = request.form.get("username", "")
    try:
        signed = auth_service.login(archive(), username, request.form.get("password", ""),
                                    client(), device=_trusted_device(username))
    except AuthError as e:
        flash(error_text(e), "error")
        return render_template("auth/login.html", username=username[:80]), \
            429 if isinstance(e, Throttled) else 401
    start_session(WebUser(signed.principal, signed.session_version))
    if signed.principal.must_change_password:
        flash(gettext("Kata sandi Anda sementara. Buat kata sandi baru sebelum melanjutkan."),
              "info")
        response = redirect(url_for("auth.password"))
    else:
        response = redirect(local_path(request.args.get("next")) or url_for("pages.home"))
    _remember_device(response, signed.principal.username, signed.device)
    return response


@bp.post("/logout")
@requires("account")
def logout() -> Response:
    auth_service.logout(archive(), principal(), client())
    logout_user()
    session.clear()
    flash(gettext("Anda telah keluar."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires("account")
def password() -> tuple[str, int] | str | Response:
    if request.method == "GET":
        return render_template("auth/password.html")
    new = request.form.get("new_password", "")
    if new != request.form.get("confirm_password", ""):
        flash(gettext("Konfirmasi kata sandi baru tidak sama."), "error")
        return render_template("auth/password.html"), 400
    p = principal()
    try:
        version = users.change_password(archive(), p, request.form.get("current_password", ""),
                                        new, client(), device=_trusted_device(p.username))
    except EarsipError as e:
        flash(error_text(e), "error")
        return render_template("auth/password.html"), e.http_status
    # Every other session has ended; this one continues as a new session.
    start_session(WebUser(p, version))  # the principal is read afresh on every request
    flash(gettext("Kata sandi telah diganti. Sesi lain akun ini telah diakhiri."), "success")
    return redirect(url_for("pages.home"))


@bp.get("/account/tokens")
@requires("account")
def tokens() -> str:
    return render_template("auth/tokens.html",
                           tokens=token_service.list_own(archive(), principal()))


@bp.post("/account/tokens/<int:token_id>/revoke")
@requires("account")
def token_revoke(token_id: int) -> Response:
    try:
        token_service.revoke_own(archive(), principal(), token_id, client())
    except NotFound:
        abort(404)
    flash(gettext("Token #%(id)d telah dicabut.", id=token_id), "success")
    return redirect(url_for("auth.tokens"))


@bp.post("/account/tokens/revoke-all")
@requires("account")
def tokens_revoke_all() -> Response:
    count = token_service.revoke_all_own(archive(), principal(), client())
    flash(ngettext("%(num)d token dicabut.", "%(num)d token dicabut.", count) if count
          else gettext("Tidak ada token aktif untuk dicabut."), "success" if count else "info")
    return redirect(url_for("auth.tokens"))
