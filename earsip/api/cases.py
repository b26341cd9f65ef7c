"""API v1 routes of the cases the desk registers (staff, bearer token) and of the working-day
calendar. Each parses its input into the declared model and calls one service."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.errors import ValidationError
from earsip.schemas.base import Model, parse
from earsip.schemas.cases import (
    CalendarOut,
    CaseInput,
    CaseOut,
    CasePage,
    DecisionInput,
    DeliveryInput,
    ExtendInput,
)
from earsip.services.cases import calendar, handling, intake, views


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
@operation("One case with its history; its owner also gets the persons' data (that view is "
           "audited). 404 above the caller's clearance or outside their cases.",
           answers={200: json("The case.", CaseOut)}, errors=(401, 403, 404))
@token_required("case.read")
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
