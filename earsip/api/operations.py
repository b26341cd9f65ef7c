"""API v1 routes of operations: the background worker's queue (the administrator's page)."""

from __future__ import annotations

from flask import Response, g, jsonify, request

from earsip.api import bp
from earsip.api.describe import json, operation
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import json_body, token_required
from earsip.errors import NotFound
from earsip.models import Job as JobRow
from earsip.schemas.base import parse, pick
from earsip.schemas.operations import Job, JobRequest, JobsQuery, Queue, moment
from earsip.services.operations import jobs


def job_json(job: JobRow) -> dict[str, object]:
    """A job as the API answers it."""
    return Job(id=job.id, kind=job.kind, document_id=job.document_id, state=job.state,
               attempts=job.attempts, max_attempts=job.max_attempts,
               created_at=moment(job.created_at), not_before=moment(job.not_before),
               started_at=moment(job.started_at), finished_at=moment(job.finished_at),
               last_error=job.last_error).model_dump()


def _visible_job(job_id: int) -> dict[str, object]:
    job = jobs.get(_archive(), job_id, clearance=g.principal.clearance)
    if job is None:
        raise NotFound("Tugas tidak ditemukan.")
    return job_json(job)


@bp.get("/jobs")
@operation("The background worker's queue: how many jobs are in each state and the newest "
           "200 jobs, in one state or all (jobs about documents above the caller's clearance "
           "are left out, as on the queue page).", query=JobsQuery,
           answers={200: json("The queue.", Queue)}, errors=(400, 401, 403))
@token_required("jobs.manage")
def list_jobs() -> Response:
    query = parse(JobsQuery, pick(request.args, JobsQuery))
    clearance = g.principal.clearance
    return jsonify(Queue.model_validate({
        "counts": jobs.counts(_archive(), clearance=clearance),
        "jobs": [job_json(j) for j in jobs.listing(_archive(), state=query.state,
                                                  clearance=clearance)]}).model_dump())


@bp.post("/jobs")
@operation("Ask the worker for a re-index of the search index or a fixity check of the stored "
           "files now; audited (job.request).", body=JobRequest,
           answers={201: json("The job, queued.", Job)}, errors=(400, 401, 403))
@token_required("jobs.manage")
def request_job() -> tuple[Response, int]:
    sent = parse(JobRequest, json_body())
    job_id = jobs.request(_archive(), g.principal.actor(request.remote_addr), sent.kind)
    response = jsonify(_visible_job(job_id))
    response.headers["Location"] = f"/api/v1/jobs/{job_id}"
    return response, 201


@bp.get("/jobs/<int:job_id>")
@operation("One job (404 for a job about a document above the caller's clearance).",
           answers={200: json("The job.", Job)}, errors=(401, 403, 404))
@token_required("jobs.manage")
def get_job(job_id: int) -> Response:
    return jsonify(_visible_job(job_id))


@bp.post("/jobs/<int:job_id>/retry")
@operation("Give a failed job a fresh set of attempts; audited (job.retry). 409 when the job "
           "has not failed.", answers={200: json("The job, pending again.", Job)},
           errors=(401, 403, 404, 409))
@token_required("jobs.manage")
def retry_job(job_id: int) -> Response:
    jobs.retry(_archive(), g.principal.actor(request.remote_addr), job_id,
               clearance=g.principal.clearance)
    return jsonify(_visible_job(job_id))
