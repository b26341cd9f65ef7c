"""The work on a case beyond its owner's decision: routing it (disposisi) to units or people,
their answers with the documents they file, the answer letter numbered through the agenda
surat keluar, and the case's number in a national system."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request, url_for
from flask_babel import gettext

from earsip.schemas.base import parse, pick
from earsip.schemas.cases import AnswerInput
from earsip.schemas.desk import DispositionDone, DispositionInput
from earsip.services.cases import handling, routing
from earsip.services.desk.filing import Upload
from earsip.web.common import archive, client, principal, requires
from earsip.web.steps import run_step

bp = Blueprint("cases_work", __name__)


def _uploads() -> list[Upload]:
    return [Upload(f.stream, f.filename) for f in request.files.getlist("file") if f.filename]


def _step(action: Any, done: str, case_id: int) -> Any:
    from earsip.web.cases import show  # the case page, shown again with the reason

    return run_step(action, done, again=lambda status: show(case_id, status),
                    then=url_for("cases.show", case_id=case_id))


@bp.post("/cases/<int:case_id>/route")
@requires("case.handle")
def route(case_id: int) -> Any:
    fields = pick(request.form, DispositionInput)
    fields["to"] = request.form.getlist("to")
    return _step(lambda: routing.route(archive(), principal(), case_id,
                                       parse(DispositionInput, fields), client_addr=client()),
                 gettext("Layanan didisposisikan."), case_id)


@bp.post("/cases/<int:case_id>/steps/<int:step_id>/done")
@requires("inbox")
def respond(case_id: int, step_id: int) -> Any:
    return _step(lambda: routing.respond(
        archive(), principal(), step_id, parse(DispositionDone, pick(request.form,
                                                                     DispositionDone)),
        _uploads(), client_addr=client()), gettext("Tindak lanjut disposisi dicatat."), case_id)


@bp.post("/cases/<int:case_id>/steps/<int:step_id>/withdraw")
@requires("case.handle")
def withdraw(case_id: int, step_id: int) -> Any:
    return _step(lambda: routing.withdraw(archive(), principal(), step_id, client_addr=client()),
                 gettext("Disposisi ditarik."), case_id)


@bp.post("/cases/<int:case_id>/answer")
@requires("case.handle")
def answer(case_id: int) -> Any:
    sent = _uploads()
    return _step(lambda: handling.answer(
        archive(), principal(), case_id, parse(AnswerInput, pick(request.form, AnswerInput)),
        sent[0] if sent else None, client_addr=client()),
        gettext("Surat jawaban diberi nomor."), case_id)


@bp.post("/cases/<int:case_id>/external-number")
@requires("case.handle")
def external_number(case_id: int) -> Any:
    return _step(lambda: handling.set_external_number(
        archive(), principal(), case_id, request.form.get("number", ""), client_addr=client()),
        gettext("Nomor pada sistem nasional dicatat."), case_id)
