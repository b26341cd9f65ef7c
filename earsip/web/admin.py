"""Administration pages: user accounts (create, edit, deactivate, reset password)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.access import ROLES, SECURITY_CLASSES
from earsip.errors import EarsipError, NotFound
from earsip.services.access import users
from earsip.web.common import archive, client, principal, requires
from earsip.web.i18n import error_text

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _form_values() -> dict[str, object]:
    return {"username": request.form.get("username", "").strip(),
            "full_name": request.form.get("full_name", "").strip(),
            "email": request.form.get("email", "").strip(),
            "roles": request.form.getlist("roles"),
            "clearance": request.form.get("clearance", "")}


def _user_or_404(user_id: int) -> users.UserView:
    try:
        return users.get_user(archive(), user_id)
    except NotFound:
        abort(404)


@bp.get("/users")
@requires("user.manage")
def user_list() -> str:
    return render_template("admin/users.html", users=users.list_users(archive()))


@bp.route("/users/new", methods=["GET", "POST"])
@requires("user.manage")
def user_new() -> tuple[str, int] | str | Response:
    ctx = {"roles": ROLES, "security_classes": SECURITY_CLASSES}
    if request.method == "GET":
        return render_template("admin/user_new.html", form={"roles": ["staf"],
                                                            "clearance": "biasa"}, **ctx)
    form = _form_values()
    temporary = users.temporary_password()
    try:
        uid = users.add_user(archive(), str(form["username"]), temporary,
                             roles=form["roles"], clearance=str(form["clearance"]),  # type: ignore[arg-type]  # roles: a list of str
                             actor=principal().actor(client()),
                             full_name=str(form["full_name"]) or None, must_change_password=True,
                             email=str(form["email"]) or None)
    except EarsipError as e:
        flash(error_text(e), "error")
        return render_template("admin/user_new.html", form=form, **ctx), e.http_status
    # The initial password is shown once, in this response only (never in a cookie).
    return render_template("admin/user_password.html", user=users.get_user(archive(), uid),
                           temporary=temporary, created=True)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("user.manage")
def user_edit(user_id: int) -> tuple[str, int] | str | Response:
    user = _user_or_404(user_id)
    ctx = {"user": user, "roles": ROLES, "security_classes": SECURITY_CLASSES}
    if request.method == "GET":
        return render_template("admin/user_edit.html", form={
            "full_name": user.full_name or "", "email": user.email or "",
            "roles": list(user.roles),
            "clearance": user.clearance}, **ctx)
    form = _form_values()
    try:
        users.update_user(archive(), principal().actor(client()), user_id,
                          full_name=str(form["full_name"]), roles=form["roles"],  # type: ignore[arg-type]  # roles: a list of str
                          clearance=str(form["clearance"]), email=str(form["email"]))
    except EarsipError as e:
        flash(error_text(e), "error")
        return render_template("admin/user_edit.html", form=form, **ctx), e.http_status
    flash(gettext("Perubahan disimpan."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/active")
@requires("user.manage")
def user_active(user_id: int) -> Response:
    _user_or_404(user_id)
    active = request.form.get("active") == "1"
    try:
        users.set_active(archive(), principal().actor(client()), user_id, active=active)
    except EarsipError as e:
        flash(error_text(e), "error")
    else:
        flash(gettext("Akun diaktifkan kembali.") if active else
              gettext("Akun dinonaktifkan; semua sesinya telah diakhiri."), "success")
    return redirect(url_for("admin.user_edit", user_id=user_id))


@bp.post("/users/<int:user_id>/password")
@requires("user.manage")
def user_password(user_id: int) -> str:
    user = _user_or_404(user_id)
    temporary = users.reset_password(archive(), principal().actor(client()), user_id)
    # Shown once, in this response only (never in the session cookie or a flash message).
    return render_template("admin/user_password.html", user=user, temporary=temporary)
