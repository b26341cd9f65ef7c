"""The cases' pages for the staff (Layanan Satu Pintu, part 2): the register of cases, one case
with its history and its owner's steps (take up, extend, decide, record the delivery), and the
counter's registration of a case with its files and the requester's receipt."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.access import can
from earsip.errors import EarsipError, NotFound
from earsip.schemas.base import parse, pick
from earsip.schemas.cases import (
    CASE_CHANNELS,
    CASE_TYPES,
    DELIVERY_METHODS,
    CaseInput,
    CaseOut,
    DecisionInput,
    DeliveryInput,
    ExtendInput,
    outcomes_of,
)
from earsip.services.cases import handling, intake, types, views
from earsip.services.desk import overview
from earsip.services.desk.filing import Upload
from earsip.services.records import documents
from earsip.web import cases_words as words
from earsip.web.common import archive, client, local_moment, local_now, principal, requires
from earsip.web.formatting import day
from earsip.web.i18n import error_text
from earsip.web.steps import run_step

bp = Blueprint("cases", __name__)
PAGE = 50
# "Due soon": due from today up to this many days ahead (the desk page links here too).
SOON_DAYS = views.CASES_SOON_DAYS
DUE_FILTERS = ("overdue", "soon")
ISO_DAY = re.compile(r"\b\d{4}-\d\d-\d\d\b")


def labels() -> dict[str, Any]:
    """The words of the cases' codes, for every cases template."""
    return {name: getattr(words, name) for name in (
        "TYPE_LABELS", "STATUS_LABELS", "CHANNEL_LABELS", "OUTCOME_LABELS", "DELIVERY_LABELS",
        "PERSON_LABELS", "EVENT_LABELS", "REGIME_LABELS", "CLOCK_LABELS", "COUNT_LABELS",
        "DETAIL_LABELS", "DETAIL_CHOICES", "DETAIL_DATES", "REASON_LABELS", "STEP_LABELS")}


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdecimal() and 0 < int(raw) < 10**6 else 1


def _choice(name: str, values: tuple[str, ...]) -> str | None:
    value = request.args.get(name) or None
    return value if value in values else None


@bp.get("/cases")
@requires("case.read")
def register() -> str:
    due = _choice("due", DUE_FILTERS)
    query = views.CaseQuery(type=_choice("type", CASE_TYPES),
                            status=_choice("status", types.STATUSES),
                            overdue=due == "overdue",
                            due_within=SOON_DAYS if due == "soon" else None,
                            page=_page_number(), per_page=PAGE)
    page = views.list_cases(archive(), principal(), query)
    return render_template("cases/register.html", page=page, args=request.args,
                           clock=overview.case_clock(archive(), principal()),
                           case_types=CASE_TYPES, statuses=types.STATUSES,
                           due_filters=DUE_FILTERS, soon_days=SOON_DAYS, page_size=PAGE,
                           **labels())


@bp.app_template_filter("iso_days")
def iso_days(note: str | None) -> str:
    """A stored note (a case's timeliness) with its ISO dates written out the interface's
    way."""
    return "" if not note else ISO_DAY.sub(lambda m: day(m.group(0)), note)


def _documents(ids: list[int]) -> list[tuple[int, str | None]]:
    """Each document of the case with its title when the reader may see it."""
    found: list[tuple[int, str | None]] = []
    for document_id in ids:
        try:
            found.append((document_id, documents.describe(archive(), principal(),
                                                          document_id).title))
        except NotFound:
            found.append((document_id, None))
    return found


def _case_page(out: CaseOut, status: int = 200) -> tuple[str, int]:
    me = principal()
    mine = out.owner_role in me.roles
    may_handle = mine and can(me.roles, "case.handle")
    people = overview.recipients(archive(), me, out.security) if may_handle else []
    my_steps = [s for s in out.steps if s.to == me.username and s.status in views.STEP_OPEN]
    return render_template(
        "cases/case.html", case=out, mine=mine, may_handle=may_handle, people=people,
        full=mine or any(s.to == me.username for s in out.steps),
        my_steps=my_steps, instructions=archive().config.instruction_list,
        signatories=list(archive().config.signatory_units),
        documents=_documents(out.document_ids),
        timeliness=iso_days(out.timeliness_note), outcomes=outcomes_of(out.type),
        delivery_methods=DELIVERY_METHODS, done=out.status in views.DONE,
        today=archive().local_today().isoformat(), **labels()), status


@bp.get("/cases/<int:case_id>")
@requires("inbox")
def show(case_id: int, status: int = 200) -> tuple[str, int]:
    try:
        out = views.get_case(archive(), principal(), case_id, client_addr=client(),
                             log_view=status == 200)
    except NotFound:
        abort(404)
    return _case_page(out, status)


def _step(action: Any, done: str, case_id: int) -> Any:
    return run_step(action, done, again=lambda status: show(case_id, status),
                    then=url_for("cases.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/start")
@requires("case.handle")
def start(case_id: int) -> Any:
    return _step(lambda: handling.start(archive(), principal(), case_id, client_addr=client()),
                 gettext("Layanan mulai diproses."), case_id)


@bp.post("/cases/<int:case_id>/extend")
@requires("case.handle")
def extend(case_id: int) -> Any:
    return _step(lambda: handling.extend(
        archive(), principal(), case_id, parse(ExtendInput, pick(request.form, ExtendInput)),
        client_addr=client()), gettext("Jangka waktu layanan diperpanjang."), case_id)


@bp.post("/cases/<int:case_id>/decision")
@requires("case.handle")
def decide(case_id: int) -> Any:
    return _step(lambda: handling.decide(
        archive(), principal(), case_id,
        parse(DecisionInput, pick(request.form, DecisionInput)), client_addr=client()),
        gettext("Keputusan dicatat."), case_id)


@bp.post("/cases/<int:case_id>/delivery")
@requires("case.handle")
def deliver(case_id: int) -> Any:
    return _step(lambda: handling.deliver(
        archive(), principal(), case_id,
        parse(DeliveryInput, pick(request.form, DeliveryInput)), client_addr=client()),
        gettext("Penyampaian jawaban dicatat; layanan selesai."), case_id)


def _new_form(case_type: str | None, status: int = 200, form: Any = None) -> tuple[str, int]:
    values = form if form is not None else {"received_at": local_now(), "channel": "loket"}
    return render_template(
        "cases/new.html", case_type=case_type, case_types=CASE_TYPES, channels=CASE_CHANNELS,
        fields=words.fields_of(case_type) if case_type else (),
        required=words.required_of(case_type) if case_type else (),
        form=values, **labels()), status


@bp.route("/cases/new", methods=["GET", "POST"])
@requires("case.register")
def new() -> tuple[str, int] | Response:
    source = request.form if request.method == "POST" else request.args
    case_type = source.get("type")
    if case_type not in CASE_TYPES:
        case_type = None
    if request.method == "GET" or case_type is None:
        if request.method == "POST":
            flash(gettext("Pilih jenis layanan."), "error")
            return _new_form(None, 400)
        return _new_form(case_type)
    fields = pick(request.form, CaseInput)
    fields["received_at"] = local_moment(request.form.get("received_at", ""))
    uploads = [Upload(f.stream, f.filename) for f in request.files.getlist("file")
               if f.filename]
    try:
        out = intake.register(archive(), principal(), parse(CaseInput, fields), uploads,
                              client_addr=client())
    except EarsipError as e:
        flash(error_text(e), "error")
        return _new_form(case_type, e.http_status, request.form)
    # The tracking code is shown this once (only its hash is kept): no redirect, no flash.
    return render_template("cases/receipt.html", case=out,
                           office=archive().config.office_name, **labels()), 201
