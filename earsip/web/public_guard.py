"""What keeps the public pages (and the public API) safe to open to the internet, beside the
rate limits of `services.access.public_limits`: no cookie, signed form tokens with a honeypot,
the smaller upload limit, and the signed receipt token.

No session, no cookie. The public pages and API never set a cookie: the session interface
below saves nothing for them (a staff member's own session cookie, sent along, is neither
refreshed nor changed), they are exempt from Flask-WTF's CSRF check (whose token lives in the
session) and the language is a `lang` parameter carried in their links and form actions.

The form token stands in for the CSRF token and is the bot trap. Each form carries a token
signed with the app's secret key (itsdangerous, its own salt per form), holding the form's name
and the moment the page was made. A submission is refused (400) without a valid token or with
one older than `FORM_MAX_AGE_S`; it is caught by the trap when the hidden honeypot field
`website` (which a person never sees: it is off-screen and skipped by keyboard and screen
readers) has a value, or when it comes sooner than `EARSIP_PUBLIC_MIN_FILL_SECONDS` after the
page was made. A caught submission is answered with a neutral message (a person who was that
fast may send it again) and audited (`public.trapped`). No outside service, no script.

The receipt's PDF. The tracking code is shown once, on the receipt page, and never stored in
clear (only its hash). To offer the receipt as a PDF without keeping the code anywhere, the
receipt page carries a second signed token (`receipt_token`: the case's number, its code and
the kind of receipt) in a hidden field of a small POST form; the PDF is drawn from it when that
form is sent, after the code has been checked against the case again. Nothing is stored on the
server, the code never travels in a URL (so it never reaches an access log or a Referer), the
token is signed (nobody can make a receipt for a code that is not the case's) and it expires
after `RECEIPT_MAX_AGE_S`: a receipt page left open in a browser stops yielding PDFs after an
hour, and the page itself is sent with `Cache-Control: no-store`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, Request, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.datastructures import FileStorage

from earsip.errors import Conflict, Duplicate, EarsipError, TooLarge, ValidationError
from earsip.services.desk.filing import Upload

# Where the public pages live: the language of an error page there is taken from `lang` too.
PREFIX = "/layanan"
BLUEPRINT = "public"
HONEYPOT = "website"
TOKEN_FIELD = "form_token"  # noqa: S105 - a field's name, not a secret
RECEIPT_FIELD = "receipt"
# A person may take a long time to write a request; after this the page is sent again.
FORM_MAX_AGE_S = 4 * 3600
RECEIPT_MAX_AGE_S = 3600
# Room for the text fields of a public form beside its one file.
FORM_SLACK_BYTES = 64 * 1024
# Stricter than the staff pages' policy: the public pages have no script at all.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
       "base-uri 'none'; frame-ancestors 'none'")

View = TypeVar("View", bound=Callable[..., Any])


def cookieless(view: View) -> View:
    """Mark a view (outside the public blueprint: the public API's) as never setting a cookie."""
    view.cookieless = True  # type: ignore[attr-defined]  # read by CookielessSessions
    return view


def is_public_page() -> bool:
    """Return True when this request is for a public page (a route of the blueprint, or an
    unknown address under its prefix)."""
    return request.blueprint == BLUEPRINT or request.path == PREFIX \
        or request.path.startswith(PREFIX + "/")


def sets_no_cookie() -> bool:
    """Return True when this request's response must carry no cookie."""
    if is_public_page():
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "cookieless", False))


class CookielessSessions(SecureCookieSessionInterface):
    """The app's signed-cookie sessions, saved for every request but the public ones."""

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if sets_no_cookie():
            return
        super().save_session(app, session, response)


def limit_body(req: Request) -> None:
    """Hold a public request's body to the public upload limit (413 past it)."""
    config = current_app.extensions["earsip"].config
    req.max_content_length = config.public_max_upload_bytes + FORM_SLACK_BYTES
    req.max_form_parts = 20


def identity_upload(files: Mapping[str, FileStorage], name: str = "identity_file"
                    ) -> Upload | None:
    """Return the uploaded identity scan, if one was sent, within the public upload limit."""
    upload = files.get(name)
    if upload is None or not upload.filename:
        return None
    limit = current_app.extensions["earsip"].config.public_max_upload_bytes
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size > limit:
        raise TooLarge("Berkas melebihi batas %(mb)d MB.", params={"mb": limit // (1024 * 1024)},
                       field=name)
    return Upload(upload.stream, upload.filename)


def without_archive_ids(error: EarsipError) -> EarsipError:
    """Return the error a member of the public is shown: an identity scan whose bytes the
    archive already holds as something else than an identity scan (the same scan sent with an
    earlier request is simply linked to the new one) is said in words, never with the
    archive's document."""
    if isinstance(error, Duplicate):
        return Conflict("Berkas pindaian identitas ini tidak dapat diterima. Kirim permohonan "
                        "tanpa pindaian, atau dengan pindaian yang lain.",
                        field="identity_file")
    return error


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"],
                                  salt=f"earsip.public.{purpose}")


def form_token(form: str) -> str:
    """Return a fresh signed token for the public form `form`."""
    return _serializer("form").dumps({"f": form, "t": time.time()})


@dataclass(frozen=True)
class FormCheck:
    """What the form token and the honeypot say of a submission: `trap` names the trap that
    caught it ("honeypot", "too_fast"), None for a person."""

    trap: str | None


def check_form(form: str, data: Mapping[str, str], *, min_fill_s: int) -> FormCheck:
    """Check a public form's token and honeypot; raise ValidationError (400) for a missing,
    foreign or expired token (the page is simply sent again)."""
    token = data.get(TOKEN_FIELD, "")
    try:
        payload = _serializer("form").loads(token, max_age=FORM_MAX_AGE_S)
    except SignatureExpired:
        raise ValidationError("Halaman formulir ini sudah terlalu lama dibuka. Periksa isian "
                              "Anda, lalu kirim lagi.", field=TOKEN_FIELD) from None
    except BadSignature:
        raise ValidationError("Formulir tidak sah. Muat ulang halaman, lalu kirim lagi.",
                              field=TOKEN_FIELD) from None
    if not isinstance(payload, dict) or payload.get("f") != form:
        raise ValidationError("Formulir tidak sah. Muat ulang halaman, lalu kirim lagi.",
                              field=TOKEN_FIELD)
    if data.get(HONEYPOT, ""):
        return FormCheck("honeypot")
    started = payload.get("t")
    if not isinstance(started, int | float) or time.time() - started < min_fill_s:
        return FormCheck("too_fast")
    return FormCheck(None)


@dataclass(frozen=True)
class ReceiptClaim:
    """What a receipt token holds: the kind of receipt ("permohonan", "keberatan"), the case's
    registration number and its tracking code."""

    kind: str
    number: str
    code: str


def receipt_token(kind: str, number: str, code: str) -> str:
    """Return the signed token from which the receipt's PDF is made (see the module's doc)."""
    return _serializer("receipt").dumps({"k": kind, "n": number, "c": code})


def read_receipt(token: str) -> ReceiptClaim | None:
    """Return what a receipt token holds, or None when it is not ours or has expired."""
    try:
        payload = _serializer("receipt").loads(token, max_age=RECEIPT_MAX_AGE_S)
    except BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict):
        return None
    kind, number, code = payload.get("k"), payload.get("n"), payload.get("c")
    if not all(isinstance(v, str) for v in (kind, number, code)):
        return None
    return ReceiptClaim(str(kind), str(number), str(code))
