"""The language of the interface: Bahasa Indonesia by default, English as a switch.

Message templates are written in Bahasa Indonesia in the code and templates; the English
catalog (`earsip/translations/en/LC_MESSAGES/messages.po`) translates them. The catalog is
compiled into the instance folder when the app starts, so no build step is needed.
"""

from __future__ import annotations

import functools
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, current_app, redirect, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.atomic import write_atomic
from earsip.errors import EarsipError
from earsip.extensions import babel
from earsip.web.common import local_path, public

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT = "id"
COOKIE = "earsip_lang"
CATALOGS = Path(__file__).resolve().parent.parent / "translations"

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """Return the interface language of this request.

    Browsers use the language chosen with the switch (a cookie), else Bahasa Indonesia. API
    clients may ask for English error messages with Accept-Language. The public pages, which
    set no cookie, take it from their `lang` parameter alone (public_guard).
    """
    from earsip.web.public_guard import is_public_page

    if is_public_page():
        asked = request.args.get("lang")
        return asked if asked in LANGUAGES else DEFAULT
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(list(LANGUAGES), default=DEFAULT) or DEFAULT
    return DEFAULT


def error_text(e: EarsipError) -> str:
    """Return an error's message in the interface language."""
    if not e.params:
        return gettext(e.template)
    # Parameters that are messages themselves (labels, steps marked with N_) are translated
    # too; any other text (a title, a number) is not in the catalog and stays as it is.
    params = {k: gettext(v) if isinstance(v, str) and v else v for k, v in e.params.items()}
    return gettext(e.template, **params)


def compile_catalogs(target: Path) -> None:
    """Compile every .po catalog into `target` (`<lang>/LC_MESSAGES/messages.mo`) if outdated."""
    for po in sorted(CATALOGS.glob("*/LC_MESSAGES/messages.po")):
        mo = target / po.relative_to(CATALOGS).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f)
        # A process starting beside us reads the old file or the whole new one.
        write_atomic(mo, functools.partial(write_mo, catalog=catalog))


def init_app(app: Flask, instance_dir: Path) -> None:
    """Compile the catalogs and attach Flask-Babel with the locale selector."""
    target = instance_dir / "translations"
    compile_catalogs(target)
    app.config["BABEL_DEFAULT_LOCALE"] = DEFAULT
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)


@bp.post("/language")
@public
def switch() -> Response:
    """Remember the chosen language in a cookie and go back where the user was."""
    lang = request.form.get("lang", "")
    response = redirect(local_path(request.form.get("next")) or url_for("pages.home"))
    if lang in LANGUAGES:
        response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, httponly=True,
                            samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
