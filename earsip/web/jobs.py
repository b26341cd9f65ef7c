"""The administrator's queue page: the background worker's jobs, retrying a failed one, and
asking for a re-index or a fixity check."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from earsip.services.operations import jobs
from earsip.web.common import archive, client, principal, requires
from earsip.web.steps import run_step

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")


@bp.get("")
@requires("jobs.manage")
def queue() -> str:
    state = request.args.get("state")
    state = state if state in jobs.STATES else None
    # A job names its document: the page shows only the jobs of documents the reader may see.
    clearance = principal().clearance
    return render_template("admin/jobs.html",
                           jobs=jobs.listing(archive(), state=state, clearance=clearance),
                           counts=jobs.counts(archive(), clearance=clearance), state=state,
                           due=jobs.due_count(archive(), clearance=clearance))


@bp.post("/<int:job_id>/retry")
@requires("jobs.manage")
def retry(job_id: int) -> Response:
    return run_step(lambda: jobs.retry(archive(), principal().actor(client()), job_id,
                                         clearance=principal().clearance),
                    gettext("Tugas dimasukkan kembali ke antrean."),
                    again=lambda status: redirect(url_for("jobs.queue")),
                    then=url_for("jobs.queue"))


@bp.post("/request/<kind>")
@requires("jobs.manage")
def request_job(kind: str) -> Response:
    """Ask the worker to rebuild the index or check the stored files now."""
    if kind not in ("reindex", "fixity"):
        return redirect(url_for("jobs.queue"))
    return run_step(lambda: jobs.request(archive(), principal().actor(client()), kind),
                    gettext("Tugas dimasukkan ke antrean."),
                    again=lambda status: redirect(url_for("jobs.queue")),
                    then=url_for("jobs.queue"))
