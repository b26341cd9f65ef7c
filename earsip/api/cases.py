"""API v1 routes of the cases the desk registers (staff, bearer token) and of the working-day
calendar. Each parses its input into the declared model and calls one service."""

from __future__ import annotations

from typing import Annotated

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.errors import ValidationError
from earsip.schemas.base import Model, Text, parse, pick
from earsip.schemas.cases import (
    AnswerInput,
    CalendarOut,
    CaseInput,
    CaseOut,
    CasePage,
    CaseStepOut,
    DecisionInput,
    DeliveryInput,
    ExtendInput,
)
from earsip.schemas.desk import DispositionDone, DispositionInput
from earsip.services.cases import calendar, handling, intake, routing, views
from earsip.services.desk.filing import Upload


def _client() -> str | None:
    return request.remote_addr


class CaseFilters(Model):
    """Filters of the register of cases."""

    type: str | None = None
    status: str | None = None
    overdue: bool | None = None
    page: int | None = None
    per_page: int | None = None


class YearQuery(Model):
    """The year of the calendar (this year when absent)."""

    year: int | None = None


class CaseSteps(Model):
    """Steps of a case's routing."""

    items: list[CaseStepOut]


class AssignedStep(Model):
    """A step routed to the caller, with its case's registration number."""

    registration_number: str
    step: CaseStepOut


class AssignedSteps(Model):
    """The open steps routed to the caller."""

    items: list[AssignedStep]


class ExternalNumber(Model):
    """A case's number in a national system."""

    number: Annotated[str, Text("Nomor", limit=120)] = ""


def _whole(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdecimal() or not low <= int(raw) <= high:
        raise ValidationError("%(name)s harus bilangan bulat %(low)d–%(high)d.", field=name,
                              params={"name": name, "low": low, "high": high})
    return int(raw)


def _flag(name: str) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ValidationError("%(name)s harus true atau false.", field=name, params={"name": name})


@bp.post("/cases")
@operation("Register a case brought to the desk (petugas_layanan, ppid): `type`, "
           "`received_at` (ISO 8601 with offset), `channel`, and the fields of its type. The "
           "answer carries the registration number, the due date computed in working days "
           "with the rules in force, whether it came within its filing window, and (once) the "
           "tracking code for the person.", body=CaseInput,
           answers={201: json("Registered.", CaseOut)}, errors=(400, 401, 403, 503))
@token_required("case.register")
def register_case() -> tuple[Response, int]:
    data = parse(CaseInput, json_body())
    out = intake.register(_archive(), g.principal, data, client_addr=_client())
    return created(jsonify(out.model_dump(mode="json")), f"cases/{out.id}")


@bp.get("/cases")
@operation("The register of cases, newest first, within the caller's clearance (the owner "
           "roles see their own cases): `type`, `status` (registered, in_progress, answered, "
           "closed), `overdue` (true: past the due date and not answered), `page`, "
           "`per_page`. Identity numbers are masked.", query=CaseFilters,
           answers={200: json("One page.", CasePage)}, errors=(400, 401, 403))
@token_required("case.read")
def list_cases() -> Response:
    query = views.CaseQuery(type=request.args.get("type") or None,
                            status=request.args.get("status") or None,
                            overdue=_flag("overdue"), page=_whole("page", 1, 1, 10**6),
                            per_page=_whole("per_page", 50, 1, 500))
    return jsonify(views.list_cases(_archive(), g.principal, query).model_dump(mode="json"))


@bp.get("/cases/<int:case_id>")
@operation("One case with its history and routing; its owner and those it was routed to "
           "also get the persons' data (that view is audited). 404 above the caller's "
           "clearance, or for someone who neither reads the register, owns it nor was routed "
           "it.", answers={200: json("The case.", CaseOut)}, errors=(401, 403, 404))
@token_required("inbox")
def get_case(case_id: int) -> Response:
    return jsonify(views.get_case(_archive(), g.principal, case_id, client_addr=_client())
                   .model_dump(mode="json"))


@bp.post("/cases/<int:case_id>/extend")
@operation("Extend the answer's due date once, with a written `reason` (a request: 7 working "
           "days after the first due date, counted with the case's own rule version).",
           body=ExtendInput, answers={200: json("The case, with its new `due_date`.", CaseOut)},
           errors=(400, 401, 403, 404, 409))
@token_required("case.handle")
def extend_case(case_id: int) -> Response:
    data = parse(ExtendInput, json_body())
    out = handling.extend(_archive(), g.principal, case_id, data, client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.post("/cases/<int:case_id>/decision")
@operation("Decide a case: `outcome` (a request: dikabulkan, dikabulkan_sebagian, ditolak "
           "with the `exemption` cited, tidak_dikuasai), optional `note`.", body=DecisionInput,
           answers={200: json("The case, answered.", CaseOut)},
           errors=(400, 401, 403, 404, 409))
@token_required("case.handle")
def decide_case(case_id: int) -> Response:
    data = parse(DecisionInput, json_body())
    out = handling.decide(_archive(), g.principal, case_id, data, client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.post("/cases/<int:case_id>/delivery")
@operation("Record how (`method`) and when (`delivered_on`, today when absent) the answer "
           "reached the person; the case is closed.", body=DeliveryInput,
           answers={200: json("The case, closed.", CaseOut)}, errors=(400, 401, 403, 404, 409))
@token_required("case.handle")
def deliver_case(case_id: int) -> Response:
    data = parse(DeliveryInput, json_body())
    out = handling.deliver(_archive(), g.principal, case_id, data, client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.get("/calendar")
@operation("The working-day calendar of a `year` (this year by default): the holidays and cuti "
           "bersama the clocks skip (`non_working_days`), the days the office works although "
           "they are off (`working_days`), the weekly days off, and the calendar's revision.",
           query=YearQuery, answers={200: json("The calendar.", CalendarOut)},
           errors=(400, 401, 403))
@token_required("calendar.read")
def get_calendar() -> Response:
    archive = _archive()
    year = _whole("year", archive.local_today().year, 1, 9999)
    return jsonify(calendar.year_view(archive, g.principal, year).model_dump(mode="json"))


@bp.post("/cases/<int:case_id>/dispositions")
@operation("Route a case from its owner to one or more people (`to`: usernames, "
           "`instruction`, optional `note` and `due_date`); they see the case and its persons "
           "and answer on it.", body=DispositionInput,
           answers={201: json("The new steps.", CaseSteps)}, errors=(400, 401, 403, 404, 409))
@token_required("case.handle")
def route_case(case_id: int) -> tuple[Response, int]:
    data = parse(DispositionInput, json_body())
    steps = routing.route(_archive(), g.principal, case_id, data, client_addr=_client())
    return created(jsonify(CaseSteps(items=steps).model_dump(mode="json")),
                   f"cases/{case_id}")


@bp.get("/cases/steps")
@operation("The open steps of cases routed to the caller, soonest due first.",
           answers={200: json("The steps, each with its case's number.", AssignedSteps)},
           errors=(401, 403))
@token_required("inbox")
def assigned_steps() -> Response:
    rows = routing.assigned(_archive(), g.principal)
    return jsonify(AssignedSteps(items=[AssignedStep(registration_number=n, step=s)
                                        for n, s in rows]).model_dump(mode="json"))


@bp.post("/cases/steps/<int:step_id>/done")
@operation("Answer a step of a case routed to the caller: a `note` and 0..n files (`file`), "
           "filed under the case's code and class in the same transaction.",
           upload=DispositionDone, files="many",
           answers={200: json("The step, done.", CaseStepOut)},
           errors=(400, 401, 403, 404, 409, 413, 415, 503, 507))
@token_required("inbox")
def respond_step(step_id: int) -> Response:
    data = parse(DispositionDone, pick(request.form, DispositionDone))
    files = [Upload(f.stream, f.filename) for f in request.files.getlist("file") if f.filename]
    out = routing.respond(_archive(), g.principal, step_id, data, files, client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.post("/cases/steps/<int:step_id>/withdraw")
@operation("Take back an open step of a case the caller owns (its history keeps it).",
           answers={200: json("The step, withdrawn.", CaseStepOut)},
           errors=(401, 403, 404, 409))
@token_required("case.handle")
def withdraw_step(step_id: int) -> Response:
    out = routing.withdraw(_archive(), g.principal, step_id, client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.post("/cases/<int:case_id>/answer")
@operation("Number the case's answer letter in the agenda surat keluar (`signatory`, optional "
           "`subject`, `letter_date`) and file the signed letter when sent (`file`, optional: "
           "file it later on its number).", upload=AnswerInput, files="optional:file",
           answers={200: json("The case, with `answer_number`.", CaseOut)},
           errors=(400, 401, 403, 404, 409, 413, 415, 503, 507))
@token_required("case.handle")
def answer_case(case_id: int) -> Response:
    data = parse(AnswerInput, pick(request.form, AnswerInput) if not request.is_json
                 else json_body())
    sent = request.files.get("file")
    upload = Upload(sent.stream, sent.filename) if sent and sent.filename else None
    out = handling.answer(_archive(), g.principal, case_id, data, upload,
                          client_addr=_client())
    return jsonify(out.model_dump(mode="json"))


@bp.post("/cases/<int:case_id>/external-number")
@operation("Record the case's number in a national system (e-PPID, SIGAPLAPOR, SP4N-LAPOR!).",
           body=ExternalNumber, answers={200: json("The case.", CaseOut)},
           errors=(400, 401, 403, 404))
@token_required("case.handle")
def set_external_number(case_id: int) -> Response:
    data = parse(ExternalNumber, json_body())
    out = handling.set_external_number(_archive(), g.principal, case_id, data.number,
                                       client_addr=_client())
    return jsonify(out.model_dump(mode="json"))
