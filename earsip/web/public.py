"""The public pages (no sign-in): a request for public information, the receipt (on screen and
as PDF), the tracking of a case by its number and code, an objection. The first part of E-Arsip
open to the internet: nothing of the archive is linked or reachable from them, they set no
cookie, their language is the `lang` parameter, every submission and lookup is counted against
the client address's limits, and every form carries a signed token and a honeypot
(`public_guard`; docs/PUBLIC.md). The API's public routes (earsip/api/public.py) call the same
services."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale, gettext
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response

from earsip.errors import EarsipError, NotFound, Throttled
from earsip.http import attachment
from earsip.paperwork_receipt import Receipt, receipt_pdf
from earsip.schemas.base import parse, pick
from earsip.schemas.cases import InformationRequest, PublicObjection, PublicReceipt
from earsip.services.access import public_limits
from earsip.services.cases import intake, types, views
from earsip.web import public_guard as guard
from earsip.web import public_words as words
from earsip.web.common import archive, client, public
from earsip.web.i18n import LANGUAGES, error_text

bp = Blueprint(guard.BLUEPRINT, __name__, url_prefix=guard.PREFIX)

Page = tuple[str, int] | tuple[str, int, dict[str, str]]
# A form's own name (its token's) and its page.
FORMS = {"permohonan": "public/request.html", "keberatan": "public/objection.html",
         "lacak": "public/track.html"}


@bp.before_request
def _limit_body() -> None:
    guard.limit_body(request)


@bp.after_request
def _strict(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = guard.CSP
    return response


def language() -> str:
    """Return the language of this public page ("id" or "en")."""
    return str(get_locale() or "id")


def public_url(endpoint: str, **values: str) -> str:
    """Return the address of a public page in this page's language."""
    if language() != "id":
        values.setdefault("lang", language())
    return url_for(endpoint, **values)  # type: ignore[arg-type]  # url_for's keywords are URL values


def switch_links() -> list[tuple[str, str, str, bool]]:
    """Return (code, name, address, current) of this page in each language: a GET page stays
    itself, an answer to a form leads to the landing page."""
    endpoint = request.endpoint if request.method == "GET" and request.endpoint \
        and request.blueprint == guard.BLUEPRINT else "public.index"
    return [(code, name, url_for(endpoint, lang=code) if code != "id" else url_for(endpoint),
             code == language()) for code, name in LANGUAGES.items()]


@bp.app_context_processor
def _public_context() -> dict[str, object]:
    return {"public_url": public_url, "switch_links": switch_links,
            "HONEYPOT": guard.HONEYPOT, "TOKEN_FIELD": guard.TOKEN_FIELD}


def render_error(status: int, title: str, message: str,
                 headers: Mapping[str, str] | None = None) -> tuple[str, int, dict[str, str]]:
    """Return the public error page (also for unknown addresses under the public prefix)."""
    return (render_template("public/error.html", title=title, message=message), status,
            {**(headers or {}), "Content-Security-Policy": guard.CSP})


@bp.errorhandler(HTTPException)
def _http_error(e: HTTPException) -> tuple[str, int, dict[str, str]]:
    return http_error_page(e)


def http_error_page(e: HTTPException) -> tuple[str, int, dict[str, str]]:
    """Return the public page for an HTTP error (404, 405, 413, ...)."""
    status = e.code or 500
    if status == 413:
        return render_error(413, gettext("Berkas terlalu besar"), _too_large())
    if status == 404:
        return render_error(404, gettext("Tidak ditemukan"),
                            gettext("Halaman yang Anda cari tidak ada."))
    return render_error(status, gettext("Terjadi kesalahan (%(code)s)", code=status),
                        gettext("Permintaan tidak dapat diproses."))


@bp.errorhandler(EarsipError)
def _earsip_error(e: EarsipError) -> tuple[str, int, dict[str, str]]:
    headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else {}
    title = gettext("Terlalu banyak permintaan") if isinstance(e, Throttled) \
        else gettext("Permintaan tidak dapat diproses")
    return render_error(e.http_status, title, error_text(e), headers)


def _too_large() -> str:
    mb = archive().config.public_max_upload_bytes // (1024 * 1024)
    return gettext("Berkas terlalu besar: unggahan pada formulir ini paling besar %(mb)s MB. "
                   "Perkecil pindaian (misalnya simpan sebagai JPEG), lalu kirim lagi.", mb=mb)


def _form_page(form: str, values: Mapping[str, str] | None = None, *, status: int = 200,
               error: str | None = None, field: str | None = None,
               headers: Mapping[str, str] | None = None) -> Page:
    """Return a public form (again, with the values sent and what was wrong)."""
    shown = {k: v for k, v in (values or {}).items()
             if k not in (guard.HONEYPOT, guard.TOKEN_FIELD, "tracking_code")}
    html = render_template(
        FORMS[form], values=shown, error=error, error_field=field,
        token=guard.form_token(form), obtain=words.OBTAIN_LABELS, copy=words.COPY_LABELS,
        reasons=words.OBJECTION_LABELS, reasons_lead=words.OBJECTION_LEAD,
        max_mb=archive().config.public_max_upload_bytes // (1024 * 1024))
    return (html, status, dict(headers)) if headers else (html, status)


def _received(form: str, kind: str) -> tuple[dict[str, str], Page | None]:
    """Count a submission or lookup, read its body and check its token and the bot trap.

    Return the fields sent, and the page to answer instead when the request is refused.
    """
    try:
        public_limits.hit(archive(), kind, client())
    except Throttled as e:
        return {}, _refused(e)
    try:
        fields = {k: v for k, v in request.form.items()}
    except RequestEntityTooLarge:
        return {}, _form_page(form, status=413, error=_too_large(), field="identity_file")
    needs_person = kind == public_limits.SUBMIT
    try:
        verdict = guard.check_form(form, fields, min_fill_s=archive().config.public_min_fill_s
                                   if needs_person else 0)
    except EarsipError as e:
        return fields, _form_page(form, fields, status=400, error=error_text(e))
    if verdict.trap is not None and needs_person:
        public_limits.record_trap(archive(), form, verdict.trap, client())
        return fields, _form_page(form, fields, status=400, error=gettext(
            "Kiriman Anda tidak dapat diproses. Periksa isian Anda, lalu kirim lagi."))
    return fields, None


def _refused(e: Throttled) -> Page:
    return render_error(429, gettext("Terlalu banyak permintaan"), error_text(e),
                        {"Retry-After": str(e.retry_after_s or 60)})


@bp.get("")
@public
def index() -> str:
    """The landing page: ask for information, track a case, object."""
    return render_template("public/index.html")


@bp.route("/permohonan", methods=["GET", "POST"])
@public
def request_form() -> Page:
    """The form of a request for public information, and its receipt once registered."""
    if request.method == "GET":
        return _form_page("permohonan")
    fields, refused = _received("permohonan", public_limits.SUBMIT)
    if refused is not None:
        return refused
    try:
        data = parse(InformationRequest, pick(request.form, InformationRequest))
        identity = guard.identity_upload(request.files)
        receipt = intake.submit_request(archive(), data, identity, client_addr=client())
    except EarsipError as error:
        e = guard.without_archive_ids(error)
        headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else None
        return _form_page("permohonan", fields, status=e.http_status, error=error_text(e),
                          field=e.field, headers=headers)
    return _receipt_page("permohonan", receipt)


@bp.route("/keberatan", methods=["GET", "POST"])
@public
def objection_form() -> Page:
    """The form of an objection (keberatan) against one's own request, and its receipt."""
    if request.method == "GET":
        number = request.args.get("nomor", "")[:80]
        return _form_page("keberatan", {"registration_number": number} if number else None)
    fields, refused = _received("keberatan", public_limits.SUBMIT)
    if refused is not None:
        return refused
    try:
        data = parse(PublicObjection, pick(request.form, PublicObjection))
        receipt = intake.submit_objection(archive(), data, client_addr=client())
    except EarsipError as e:
        headers = {"Retry-After": str(e.retry_after_s)} if e.retry_after_s else None
        return _form_page("keberatan", fields, status=e.http_status, error=error_text(e),
                          field=e.field, headers=headers)
    return _receipt_page("keberatan", receipt)


def _receipt_page(kind: str, receipt: PublicReceipt) -> Page:
    return render_template(
        "public/receipt.html", kind=kind, title=words.RECEIPT_TITLES[kind], receipt=receipt,
        receipt_token=guard.receipt_token(kind, receipt.registration_number,
                                          receipt.tracking_code),
        receipt_field=guard.RECEIPT_FIELD), 200


@bp.route("/lacak", methods=["GET", "POST"])
@public
def track() -> Page:
    """Follow a case by its registration number and tracking code (sent by POST, so the code
    never appears in an address); a wrong code answers exactly like no such case."""
    if request.method == "GET":
        return _form_page("lacak")
    fields, refused = _received("lacak", public_limits.LOOKUP)
    if refused is not None:
        return refused
    number = fields.get("registration_number", "").strip()[:80]
    try:
        case = views.track(archive(), number, fields.get("tracking_code", "")[:60])
    except NotFound as e:
        return _form_page("lacak", {"registration_number": number}, status=404,
                          error=error_text(e))
    return render_template(
        "public/status.html", number=number, case=case,
        type_label=types.TYPES[case.type].label if case.type in types.TYPES else case.type,
        statuses=types.STATUS_LABELS), 200


@bp.post("/tanda-terima")
@public
def receipt_download() -> Response | Page:
    """The receipt as PDF, made from the signed token of the receipt page (public_guard)."""
    try:
        public_limits.hit(archive(), public_limits.LOOKUP, client())
    except Throttled as e:
        return _refused(e)
    claim = guard.read_receipt(request.form.get(guard.RECEIPT_FIELD, ""))
    if claim is None or claim.kind not in words.RECEIPT_TITLES:
        return render_error(400, gettext("Tanda bukti tidak dapat dibuat"), gettext(
            "Tautan tanda bukti ini sudah kedaluwarsa atau tidak sah. Tanda bukti PDF hanya "
            "dapat diunduh dalam satu jam setelah pengiriman; nomor pendaftaran dan kode "
            "pelacakan Anda tetap berlaku di halaman Lacak."))
    try:
        case = views.track(archive(), claim.number, claim.code)
    except NotFound:
        return render_error(400, gettext("Tanda bukti tidak dapat dibuat"),
                            gettext("Permintaan tidak dapat diproses."))
    config = archive().config
    pdf = receipt_pdf(Receipt(
        office=config.office_name, kind=claim.kind, registration_number=claim.number,
        tracking_code=claim.code, case_type=str(types.TYPES[case.type].label),
        registered_at=case.registered_at, due_date=case.due_date, zone=config.timezone,
        printed_at=dt.datetime.now(dt.UTC).replace(tzinfo=None)))
    name = re.sub(r"[^A-Za-z0-9]+", "-", claim.number).strip("-") or "layanan"
    return attachment(pdf, f"tanda-terima-{name}.pdf")
