"""API v1 routes of the front desk: incoming letters, dispositions and the inbox, outgoing
letter numbers. Each parses its input into the declared model and calls one service."""

from __future__ import annotations

import datetime as dt

from flask import Response, g, jsonify, request
from pydantic import Field

from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.errors import ValidationError
from earsip.http import MEDIA, attachment
from earsip.schemas.base import Model, date_or_none, parse, pick
from earsip.schemas.desk import (
    DispositionDone,
    DispositionInput,
    DispositionOut,
    Inbox,
    IncomingInput,
    IncomingLetterOut,
    LetterPage,
    NumberRequest,
    OutgoingOut,
    OutgoingPage,
    Prefill,
    Routed,
)
from earsip.services.desk import dispositions, letters, outgoing, papers, prefill
from earsip.services.desk.filing import Upload

BINARY = {"type": "string", "format": "binary"}
EXPORT_MEDIA = {"text/csv": BINARY, "application/pdf": BINARY,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": BINARY}
ROUTED = json("The new steps (`items`; `id` is the first).", Routed)


def _client() -> str | None:
    return request.remote_addr


def _uploads(*, required: bool = False) -> list[Upload]:
    files = [f for f in request.files.getlist("file") if f.filename]
    if required and not files:
        raise ValidationError("Berkas wajib dikirim pada kolom 'file'.", field="file")
    return [Upload(f.stream, f.filename) for f in files]


def _paging() -> tuple[int, int]:
    def whole(name: str, default: int, top: int) -> int:
        raw = request.args.get(name, "").strip()
        if not raw:
            return default
        if not raw.isdecimal() or not 0 <= int(raw) <= top:
            raise ValidationError("%(name)s harus bilangan bulat 0–%(top)d.", field=name,
                                  params={"name": name, "top": top})
        return int(raw)

    return min(max(whole("limit", 50, 500), 1), 500), whole("offset", 0, 10**9)


def _day(name: str) -> dt.date | None:
    return date_or_none(request.args.get(name), name, required=False)


class ExportFilters(Model):
    """The register's filters (as its listing takes them) and the file's `format`."""

    format: str | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    q: str | None = None
    status: str | None = None
    classification: str | None = None


class NoFields(Model):
    """Only the file."""


class LetterFilters(Model):
    """Filters of the agenda registers (dates are YYYY-MM-DD, inclusive)."""

    from_: str | None = Field(None, alias="from")
    to: str | None = None
    q: str | None = None
    status: str | None = None
    classification: str | None = None
    limit: int | None = None
    offset: int | None = None


@bp.post("/letters/incoming")
@operation("Register an incoming letter (the petugas_layanan role): its agenda number is "
           "issued and its files (the letter, then its lampiran; none is allowed, attach "
           "later) are filed into the archive in the same transaction. A refused file refuses "
           "the whole registration, and no agenda number is used.", upload=IncomingInput,
           files="many", answers={201: json("Registered.", IncomingLetterOut)},
           errors=(400, 401, 403, 409, 413, 415, 503, 507))
@token_required("letter.register")
def register_letter() -> tuple[Response, int]:
    data = parse(IncomingInput, pick(request.form, IncomingInput))
    out = letters.register(_archive(), g.principal, data, _uploads(), client_addr=_client())
    return created(jsonify(out.model_dump(mode="json")), f"letters/incoming/{out.id}")


@bp.post("/letters/prefill")
@operation("Read a letter's number, date, subject, sender and the classification code in its "
           "number from its scan or PDF (OCR for a scan), with up to three codes suggested "
           "from its text and its electronic signatures checked; each field null when not "
           "found. Nothing is stored.", upload=NoFields,
           answers={200: json("The proposed values.", Prefill)},
           errors=(400, 401, 403, 413, 415, 503))
@token_required("letter.register")
def prefill_letter() -> Response:
    upload = next((f for f in request.files.getlist("file") if f.filename), None)
    if upload is None:
        raise ValidationError("Berkas wajib dikirim pada kolom 'file'.", field="file")
    return jsonify(prefill.prefill(_archive(), g.principal, upload.stream, upload.filename)
                   .model_dump(mode="json"))


@bp.post("/letters/incoming/<int:letter_id>/files")
@operation("Attach the scan of a letter registered without it, or more lampiran (filed like "
           "any document, in one transaction).", upload=NoFields, files="many",
           answers={200: json("The letter afterwards.", IncomingLetterOut)},
           errors=(400, 401, 403, 404, 409, 413, 415, 503, 507))
@token_required("letter.register")
def attach_letter_files(letter_id: int) -> Response:
    out = letters.attach(_archive(), g.principal, letter_id, _uploads(required=True),
                         client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.get("/letters/incoming/<int:letter_id>")
@operation("One incoming letter with its documents and its routing (404 above the caller's "
           "clearance, or for someone it was not routed to who does not read the agenda).",
           answers={200: json("The letter.", IncomingLetterOut)}, errors=(401, 403, 404))
@token_required("inbox")
def get_letter(letter_id: int) -> Response:
    return jsonify(letters.get_letter(_archive(), g.principal, letter_id)
                   .model_dump(mode="json"))


@bp.get("/letters/incoming")
@operation("The agenda surat masuk, newest first, within the caller's clearance: `from`/`to` "
           "(received, YYYY-MM-DD), `q` (number, agenda number, subject, sender), `status` "
           "(registered, disposed, done, no_scan), `classification`, `limit`, `offset`.",
           query=LetterFilters, answers={200: json("One page.", LetterPage)},
           errors=(400, 401, 403))
@token_required("letter.read")
def list_letters() -> Response:
    limit, offset = _paging()
    query = letters.LetterQuery(
        date_from=_day("from"), date_to=_day("to"), q=request.args.get("q") or None,
        status=request.args.get("status") or None,
        classification=request.args.get("classification") or None, limit=limit, offset=offset)
    return jsonify(letters.list_letters(_archive(), g.principal, query).model_dump(mode="json"))


@bp.get("/letters/incoming/<int:letter_id>/sheet")
@operation("The lembar disposisi of a letter as PDF (audited), for offices that still sign on "
           "paper: the steps made so far, and empty rows for handwritten ones.",
           answers={200: raw("The sheet.", {"application/pdf": BINARY})},
           errors=(401, 403, 404))
@token_required("inbox")
def disposition_sheet(letter_id: int) -> Response:
    body, name = papers.disposition_sheet(_archive(), g.principal, letter_id,
                                          client_addr=_client())
    return attachment(body, name)


def _format() -> str:
    fmt = request.args.get("format") or "csv"
    if fmt not in MEDIA:
        raise ValidationError("format harus csv, xlsx atau pdf.", field="format")
    return fmt


@bp.get("/letters/incoming/export")
@operation("The agenda surat masuk in its legal layout as CSV, XLSX or PDF (`format`), every "
           "row within the caller's clearance and the filters of the listing (audited).",
           query=ExportFilters, answers={200: raw("The register.", EXPORT_MEDIA)},
           errors=(400, 401, 403))
@token_required("letter.read")
def export_incoming() -> Response:
    query = letters.LetterQuery(
        date_from=_day("from"), date_to=_day("to"), q=request.args.get("q") or None,
        status=request.args.get("status") or None,
        classification=request.args.get("classification") or None)
    body, name = papers.export_incoming(_archive(), g.principal, query, _format(),
                                        client_addr=_client())
    return attachment(body, name)


@bp.get("/letters/outgoing/export")
@operation("The agenda surat keluar as CSV, XLSX or PDF (`format`), every row within the "
           "caller's clearance and the filters of the listing (audited).",
           query=ExportFilters, answers={200: raw("The register.", EXPORT_MEDIA)},
           errors=(400, 401, 403))
@token_required("letter.read")
def export_outgoing() -> Response:
    query = outgoing.NumberQuery(
        date_from=_day("from"), date_to=_day("to"), q=request.args.get("q") or None,
        status=request.args.get("status") or None,
        classification=request.args.get("classification") or None)
    body, name = papers.export_outgoing(_archive(), g.principal, query, _format(),
                                        client_addr=_client())
    return attachment(body, name)


@bp.post("/letters/incoming/<int:letter_id>/dispositions")
@operation("Route a letter from the agenda to one or more people (pimpinan, the desk) with an "
           "instruction and a due date. Refused (400) to oneself, in a loop, to an unknown "
           "user or to someone whose clearance is below the letter's class.",
           body=DispositionInput, answers={201: ROUTED},
           errors=(400, 401, 403, 404, 503))
@token_required("inbox")
def dispose_letter(letter_id: int) -> tuple[Response, int]:
    data = parse(DispositionInput, json_body())
    steps = dispositions.dispose(_archive(), g.principal, letter_id, data,
                                 client_addr=_client())
    return _steps(steps, letter_id)


def _steps(steps: list[DispositionOut], letter_id: int) -> tuple[Response, int]:
    body = Routed(id=steps[0].id, items=steps).model_dump(mode="json")
    return created(jsonify(body), f"letters/incoming/{letter_id}")


@bp.get("/inbox")
@operation("The dispositions addressed to the caller, overdue first: `status` open (default), "
           "new, read, in_progress, done, overdue or all.",
           answers={200: json("The inbox.", Inbox)}, errors=(400, 401, 403))
@token_required("inbox")
def inbox() -> Response:
    status = request.args.get("status") or "open"
    return jsonify(dispositions.inbox(_archive(), g.principal, status).model_dump(mode="json"))


@bp.post("/dispositions/<int:disposition_id>/read")
@operation("Mark a disposition addressed to the caller as read (the time is kept once).",
           answers={200: json("The disposition.", DispositionOut)},
           errors=(401, 403, 404, 503))
@token_required("inbox")
def read_disposition(disposition_id: int) -> Response:
    return jsonify(dispositions.mark_read(_archive(), g.principal, disposition_id,
                                          client_addr=_client()).model_dump(mode="json"))


@bp.post("/dispositions/<int:disposition_id>/start")
@operation("Mark a disposition addressed to the caller as in progress.",
           answers={200: json("The disposition.", DispositionOut)},
           errors=(401, 403, 404, 409, 503))
@token_required("inbox")
def start_disposition(disposition_id: int) -> Response:
    return jsonify(dispositions.start(_archive(), g.principal, disposition_id,
                                      client_addr=_client()).model_dump(mode="json"))


@bp.post("/dispositions/<int:disposition_id>/done")
@operation("Close a disposition with its follow-up `note`; JSON, or multipart with optional "
           "`file`s filed into the archive under the letter's code and class.",
           upload=DispositionDone, files="many",
           answers={200: json("The disposition.", DispositionOut)},
           errors=(400, 401, 403, 404, 409, 413, 415, 503, 507))
@token_required("inbox")
def done_disposition(disposition_id: int) -> Response:
    source = request.form if request.mimetype == "multipart/form-data" else json_body()
    data = parse(DispositionDone, pick(source, DispositionDone))
    files = _uploads() if request.mimetype == "multipart/form-data" else []
    return jsonify(dispositions.mark_done(_archive(), g.principal, disposition_id, data, files,
                                          client_addr=_client()).model_dump(mode="json"))


@bp.post("/dispositions/<int:disposition_id>/forward")
@operation("Pass a disposition addressed to the caller on to others (a further step).",
           body=DispositionInput, answers={201: ROUTED},
           errors=(400, 401, 403, 404, 409, 503))
@token_required("inbox")
def forward_disposition(disposition_id: int) -> tuple[Response, int]:
    data = parse(DispositionInput, json_body())
    steps = dispositions.forward(_archive(), g.principal, disposition_id, data,
                                 client_addr=_client())
    return _steps(steps, steps[0].letter_id)


@bp.post("/dispositions/<int:disposition_id>/withdraw")
@operation("Withdraw a disposition the caller sent, while it is unread.",
           answers={200: json("The disposition.", DispositionOut)},
           errors=(401, 403, 404, 409, 503))
@token_required("inbox")
def withdraw_disposition(disposition_id: int) -> Response:
    return jsonify(dispositions.withdraw(_archive(), g.principal, disposition_id,
                                         client_addr=_client()).model_dump(mode="json"))


@bp.post("/letters/outgoing/numbers")
@operation("Issue the next number of an outgoing letter (the petugas_layanan role), or "
           "reserve it (`reserve`: true) until it expires; a letter dated before the newest "
           "number gets an inserted number (0207.1).", body=NumberRequest,
           answers={201: json("The number.", OutgoingOut)}, errors=(400, 401, 403, 503))
@token_required("number.issue")
def issue_number() -> tuple[Response, int]:
    data = parse(NumberRequest, json_body())
    out = outgoing.issue_number(_archive(), g.principal, data, client_addr=_client())
    return created(jsonify(out.model_dump(mode="json")), f"letters/outgoing/{out.id}")


@bp.get("/letters/outgoing/<int:number_id>")
@operation("One number of the agenda surat keluar.",
           answers={200: json("The number.", OutgoingOut)}, errors=(401, 403, 404))
@token_required("letter.read")
def get_number(number_id: int) -> Response:
    return jsonify(outgoing.get_number(_archive(), g.principal, number_id)
                   .model_dump(mode="json"))


@bp.get("/letters/outgoing")
@operation("The agenda surat keluar, newest first: `from`/`to` (letter date), `q`, `status` "
           "(issued, reserved, filed, cancelled, waiting), `classification`, `limit`, `offset`.",
           query=LetterFilters, answers={200: json("One page.", OutgoingPage)},
           errors=(400, 401, 403))
@token_required("letter.read")
def list_numbers() -> Response:
    limit, offset = _paging()
    query = outgoing.NumberQuery(
        date_from=_day("from"), date_to=_day("to"), q=request.args.get("q") or None,
        status=request.args.get("status") or None,
        classification=request.args.get("classification") or None, limit=limit, offset=offset)
    return jsonify(outgoing.list_numbers(_archive(), g.principal, query)
                   .model_dump(mode="json"))


@bp.post("/letters/outgoing/<int:number_id>/file")
@operation("File the signed letter (scan or signed PDF) under its number.", upload=NoFields,
           answers={200: json("The number, filed.", OutgoingOut)},
           errors=(400, 401, 403, 404, 409, 413, 415, 503, 507))
@token_required("number.issue")
def file_outgoing(number_id: int) -> Response:
    [upload] = _uploads(required=True)[:1]
    return jsonify(outgoing.file_letter(_archive(), g.principal, number_id, upload,
                                        client_addr=_client()).model_dump(mode="json"))
