"""API v1 routes of operations: the background worker's queue (the administrator's page)."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import created, json_body, token_required
from earsip.api.routes import current_archive as _archive
from earsip.errors import NotFound
from earsip.schemas.base import parse, pick
from earsip.schemas.operations import Job, JobRequest, JobsQuery, Queue
from earsip.services.operations import jobs


def _visible_job(job_id: int) -> Job:
    job = jobs.get(_archive(), job_id, clearance=g.principal.clearance)
    if job is None:
        raise NotFound("Tugas tidak ditemukan.")
    return job


@bp.get("/jobs")
@operation("The background worker's queue: how many jobs are in each state and the newest "
           "200 jobs, in one state or all (jobs about documents above the caller's clearance "
           "are left out, as on the queue page).", query=JobsQuery,
           answers={200: json("The queue.", Queue)}, errors=(400, 401, 403))
@token_required("jobs.manage")
def list_jobs() -> Response:
    query = parse(JobsQuery, pick(request.args, JobsQuery))
    clearance = g.principal.clearance
    return jsonify(Queue(counts=jobs.counts(_archive(), clearance=clearance),
                         jobs=jobs.listing(_archive(), state=query.state,
                                           clearance=clearance)).model_dump())


@bp.post("/jobs")
@operation("Ask the worker for a re-index of the search index or a fixity check of the stored "
           "files now; audited (job.request).", body=JobRequest,
           answers={201: json("The job, queued.", Job)}, errors=(400, 401, 403))
@token_required("jobs.manage")
def request_job() -> tuple[Response, int]:
    sent = parse(JobRequest, json_body())
    job_id = jobs.request(_archive(), g.principal.actor(request.remote_addr), sent.kind)
    response = jsonify(_visible_job(job_id).model_dump())
    return created(response, f"jobs/{job_id}")


@bp.get("/jobs/<int:job_id>")
@operation("One job (404 for a job about a document above the caller's clearance).",
           answers={200: json("The job.", Job)}, errors=(401, 403, 404))
@token_required("jobs.manage")
def get_job(job_id: int) -> Response:
    return jsonify(_visible_job(job_id).model_dump())


@bp.post("/jobs/<int:job_id>/retry")
@operation("Give a failed job a fresh set of attempts; audited (job.retry). 409 when the job "
           "has not failed.", answers={200: json("The job, pending again.", Job)},
           errors=(401, 403, 404, 409))
@token_required("jobs.manage")
def retry_job(job_id: int) -> Response:
    jobs.retry(_archive(), g.principal.actor(request.remote_addr), job_id,
               clearance=g.principal.clearance)
    return jsonify(_visible_job(job_id).model_dump())
