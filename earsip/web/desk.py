"""The front desk's pages: the desk, registering a letter, a letter with its routing, the
agenda registers (masuk, keluar) and each person's inbox of dispositions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.access import SECURITY_CLASSES, can
from earsip.errors import EarsipError, NotFound, ValidationError
from earsip.http import MEDIA, attachment
from earsip.schemas.base import date_or_none, parse, pick
from earsip.schemas.desk import (
    CHANNELS,
    URGENCIES,
    DispositionDone,
    DispositionInput,
    IncomingInput,
    NumberRequest,
)
from earsip.services.cases import routing
from earsip.services.desk import (
    dispositions,
    letters,
    notifications,
    outgoing,
    overview,
    papers,
    prefill,
)
from earsip.services.desk.filing import Upload
from earsip.services.records import classification as classification_service
from earsip.web.common import archive, client, local_moment, local_now, principal, requires
from earsip.web.i18n import error_text
from earsip.web.steps import run_step

bp = Blueprint("desk", __name__)
PAGE = 50


def _uploads() -> list[Upload]:
    return [Upload(f.stream, f.filename) for f in request.files.getlist("file") if f.filename]


def _filters() -> dict[str, Any]:
    def day(name: str) -> dt.date | None:
        try:
            return date_or_none(request.args.get(name), name, required=False)
        except ValidationError:
            return None

    page = request.args.get("page", "1")
    return {"date_from": day("from"), "date_to": day("to"),
            "q": (request.args.get("q") or "").strip() or None,
            "status": request.args.get("status") or None,
            "classification": (request.args.get("classification") or "").strip() or None,
            "limit": PAGE,
            "offset": (int(page) - 1) * PAGE if page.isdecimal() and 0 < int(page) < 10**6 else 0}


@bp.get("/desk")
@requires("letter.read")
def home() -> str:
    return render_template("desk/home.html", view=overview.overview(archive(), principal()))


def _new_form(status: int = 200, form: Any = None) -> tuple[str, int]:
    codes = classification_service.effective_codes(archive(), fileable_only=True)
    values = form if form is not None else {"received_at": local_now(), "urgency": "biasa",
                                            "channel": "loket"}
    return render_template("desk/new.html", form=values, codes=codes, channels=CHANNELS,
                           urgencies=URGENCIES, security_classes=SECURITY_CLASSES), status


@bp.route("/letters/incoming/new", methods=["GET", "POST"])
@requires("letter.register")
def new() -> tuple[str, int] | Response:
    if request.method == "GET":
        return _new_form()
    fields = pick(request.form, IncomingInput)
    fields["received_at"] = local_moment(request.form.get("received_at", ""))
    try:
        data = parse(IncomingInput, fields)
        out = letters.register(archive(), principal(), data, _uploads(),
                               client_addr=client())
    except EarsipError as e:
        flash(error_text(e), "error")
        return _new_form(e.http_status, request.form)
    flash(gettext("Surat dicatat dengan nomor agenda %(number)s.", number=out.agenda_number),
          "success")
    return redirect(url_for("desk.letter", letter_id=out.id))


@bp.post("/letters/prefill")
@requires("letter.register")
def prefill_fields() -> Response | tuple[Response, int]:
    """The registration form's script sends the dropped file here; the answer is JSON."""
    upload = next((f for f in request.files.getlist("file") if f.filename), None)
    try:
        if upload is None:
            raise ValidationError("Pilih berkas pindaian surat.", field="file")
        found = prefill.prefill(archive(), principal(), upload.stream, upload.filename)
    except EarsipError as e:
        return jsonify({"error": {"code": e.code, "message": error_text(e)}}), e.http_status
    return jsonify(found.model_dump(mode="json"))


@bp.get("/letters/incoming")
@requires("letter.read")
def incoming() -> str:
    filters = _filters()
    try:
        page = letters.list_letters(archive(), principal(), letters.LetterQuery(**filters))
    except ValidationError as e:
        flash(error_text(e), "error")
        page = letters.list_letters(archive(), principal(), letters.LetterQuery(
            **{**filters, "status": None}))
    return render_template("desk/incoming.html", page=page, args=request.args,
                           statuses=letters.STATUSES, page_size=PAGE)


@bp.get("/letters/incoming/<int:letter_id>")
@requires("inbox")
def letter(letter_id: int, status: int = 200) -> tuple[str, int]:
    try:
        out = letters.get_letter(archive(), principal(), letter_id)
    except NotFound:
        abort(404)
    me = principal()
    unread = [d.id for d in out.dispositions if d.to == me.username and d.status == "new"]
    for step_id in unread:  # opening the letter is reading what was sent to one
        dispositions.mark_read(archive(), me, step_id, client_addr=client())
    if unread:
        out = letters.get_letter(archive(), me, letter_id)
    mine = [d for d in out.dispositions if d.to == me.username
            and d.status in ("new", "read", "in_progress")]
    sent_unread = [d for d in out.dispositions if d.from_ == me.username and d.status == "new"]
    may_route = can(me.roles, "letter.dispose")
    people = overview.recipients(archive(), me, out.security) if (may_route or mine) else []
    return render_template("desk/letter.html", letter=out, mine=mine, sent_unread=sent_unread,
                           may_route=may_route, people=people,
                           instructions=archive().config.instruction_list), status


@bp.get("/letters/incoming/<int:letter_id>/sheet")
@requires("inbox")
def sheet(letter_id: int) -> Response:
    try:
        body, name = papers.disposition_sheet(archive(), principal(), letter_id,
                                              client_addr=client())
    except NotFound:
        abort(404)
    return attachment(body, name)


def _export_format() -> str:
    fmt = request.args.get("format", "csv")
    return fmt if fmt in MEDIA else "csv"


@bp.get("/letters/incoming/export")
@requires("letter.read")
def export_incoming() -> Response:
    filters = {**_filters(), "status": request.args.get("status") or None}
    if filters["status"] not in (None, *letters.STATUSES):
        filters["status"] = None
    body, name = papers.export_incoming(archive(), principal(), letters.LetterQuery(**filters),
                                        _export_format(), client_addr=client())
    return attachment(body, name)


@bp.get("/letters/outgoing/export")
@requires("letter.read")
def export_outgoing() -> Response:
    filters = _filters()
    if filters["status"] not in (None, *outgoing.STATUSES):
        filters["status"] = None
    body, name = papers.export_outgoing(archive(), principal(), outgoing.NumberQuery(**filters),
                                        _export_format(), client_addr=client())
    return attachment(body, name)


def _step(action: Any, done: str, letter_id: int) -> Any:
    return run_step(action, done, again=lambda status: letter(letter_id, status),
                    then=url_for("desk.letter", letter_id=letter_id))


def _route_input() -> DispositionInput:
    fields = pick(request.form, DispositionInput)
    chosen = request.form.getlist("to")
    fields["to"] = [n for item in chosen for n in item.split(",")]
    if request.form.get("instruction") == "_other":
        fields["instruction"] = request.form.get("instruction_other", "")
    return parse(DispositionInput, fields)


@bp.post("/letters/incoming/<int:letter_id>/dispositions")
@requires("inbox")
def dispose(letter_id: int) -> Any:
    return _step(lambda: dispositions.dispose(archive(), principal(), letter_id,
                                              _route_input(), client_addr=client()),
                 gettext("Disposisi dikirim."), letter_id)


@bp.post("/letters/incoming/<int:letter_id>/files")
@requires("letter.register")
def attach(letter_id: int) -> Any:
    return _step(lambda: letters.attach(archive(), principal(), letter_id, _uploads(),
                                        client_addr=client()),
                 gettext("Pindaian surat diarsipkan."), letter_id)


def _letter_of(disposition_id: int) -> int:
    """The letter of a step the user sent or received (404 otherwise)."""
    try:
        return dispositions.letter_of(archive(), principal(), disposition_id)
    except NotFound:
        abort(404)


@bp.post("/dispositions/<int:disposition_id>/read")
@requires("inbox")
def read(disposition_id: int) -> Any:
    letter_id = _letter_of(disposition_id)
    return _step(lambda: dispositions.mark_read(archive(), principal(), disposition_id,
                                                client_addr=client()),
                 gettext("Disposisi ditandai sudah dibaca."), letter_id)


@bp.post("/dispositions/<int:disposition_id>/start")
@requires("inbox")
def start(disposition_id: int) -> Any:
    letter_id = _letter_of(disposition_id)
    return _step(lambda: dispositions.start(archive(), principal(), disposition_id,
                                            client_addr=client()),
                 gettext("Disposisi sedang dikerjakan."), letter_id)


@bp.post("/dispositions/<int:disposition_id>/done")
@requires("inbox")
def done(disposition_id: int) -> Any:
    letter_id = _letter_of(disposition_id)
    return _step(lambda: dispositions.mark_done(
        archive(), principal(), disposition_id,
        parse(DispositionDone, pick(request.form, DispositionDone)), _uploads(),
        client_addr=client()), gettext("Disposisi selesai ditindaklanjuti."), letter_id)


@bp.post("/dispositions/<int:disposition_id>/forward")
@requires("inbox")
def forward(disposition_id: int) -> Any:
    letter_id = _letter_of(disposition_id)
    return _step(lambda: dispositions.forward(archive(), principal(), disposition_id,
                                              _route_input(), client_addr=client()),
                 gettext("Disposisi diteruskan."), letter_id)


@bp.post("/dispositions/<int:disposition_id>/withdraw")
@requires("inbox")
def withdraw(disposition_id: int) -> Any:
    letter_id = _letter_of(disposition_id)
    return _step(lambda: dispositions.withdraw(archive(), principal(), disposition_id,
                                               client_addr=client()),
                 gettext("Disposisi ditarik."), letter_id)


@bp.get("/notifications")
@requires("inbox")
def notification_list() -> str:
    return render_template("desk/notifications.html",
                           found=notifications.pending(archive(), principal()))


@bp.get("/inbox")
@requires("inbox")
def inbox() -> str:
    status = request.args.get("status") or "open"
    if status not in dispositions.INBOX_STATUSES:
        status = "open"
    return render_template("desk/inbox.html", box=dispositions.inbox(archive(), principal(),
                                                                     status),
                           status=status, statuses=dispositions.INBOX_STATUSES,
                           case_steps=routing.assigned(archive(), principal()))


def _outgoing_page(status: int = 200, form: Any = None) -> tuple[str, int]:
    filters = _filters()
    if filters["status"] not in (None, *outgoing.STATUSES):
        filters["status"] = None
    page = outgoing.list_numbers(archive(), principal(), outgoing.NumberQuery(**filters))
    codes = classification_service.effective_codes(archive(), fileable_only=True)
    return render_template(
        "desk/outgoing.html", page=page, args=request.args, statuses=outgoing.STATUSES,
        codes=codes, signatories=archive().config.signatory_units,
        security_classes=SECURITY_CLASSES, page_size=PAGE,
        form=form if form is not None else {"letter_date": archive().local_today()
                                            .isoformat()}), status


@bp.get("/letters/outgoing")
@requires("letter.read")
def outgoing_list() -> tuple[str, int]:
    return _outgoing_page()


@bp.post("/letters/outgoing")
@requires("number.issue")
def issue() -> tuple[str, int] | Response:
    try:
        out = outgoing.issue_number(archive(), principal(),
                                    parse(NumberRequest, pick(request.form, NumberRequest)),
                                    client_addr=client())
    except EarsipError as e:
        flash(error_text(e), "error")
        return _outgoing_page(e.http_status, request.form)
    flash(gettext("Nomor surat keluar: %(number)s", number=out.number), "success")
    return redirect(url_for("desk.outgoing_list"))


@bp.post("/letters/outgoing/<int:number_id>/file")
@requires("number.issue")
def file_outgoing(number_id: int) -> tuple[str, int] | Response:
    uploads = _uploads()
    try:
        if not uploads:
            raise ValidationError("Pilih berkas surat yang sudah ditandatangani.", field="file")
        out = outgoing.file_letter(archive(), principal(), number_id, uploads[0],
                                   client_addr=client())
    except NotFound:
        abort(404)
    except EarsipError as e:
        flash(error_text(e), "error")
        return _outgoing_page(e.http_status)
    flash(gettext("Surat %(number)s diarsipkan.", number=out.number), "success")
    return redirect(url_for("desk.outgoing_list"))
