"""API v1 routes of the audit trail: its entries (auditors cleared for every class), its
verification (any auditor; the details for those cleared for every class) and its export."""

from __future__ import annotations

import datetime as dt
import tempfile

from flask import Response, g, jsonify, request, send_file

from earsip import audit
from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import token_required
from earsip.schemas.base import parse, pick
from earsip.schemas.operations import AuditPage, AuditQuery, AuditRecord, Verification
from earsip.services.audit import browse as audit_browse
from earsip.services.audit import review as audit_review


@bp.get("/audit/entries")
@operation("The audit trail, newest first, 50 entries a page, narrowed by day, actor, action "
           "or document; each entry as stored and hashed. Only for auditors cleared for every "
           "class (the entries name records of every class), else 403.", query=AuditQuery,
           answers={200: json("One page of entries.", AuditPage)}, errors=(400, 401, 403))
@token_required("audit.read")
def audit_entries() -> Response:
    query = parse(AuditQuery, pick(request.args, AuditQuery))
    found = audit_browse.records(_archive(), g.principal, audit_browse.Filters(
        since=query.since, until=query.until, actor=query.actor, action=query.action,
        document_id=query.document, page=query.page or 1))
    return jsonify(AuditPage(total=found.total, page=found.page, pages=found.pages,
                             per_page=audit_browse.PER_PAGE,
                             entries=[AuditRecord.model_validate(audit.record(e))
                                      for e in found.entries]).model_dump())


@bp.get("/audit/entries/<int:seq>")
@operation("One entry by its sequence number, as stored and hashed (auditors cleared for "
           "every class).", answers={200: json("The entry.", AuditRecord)},
           errors=(401, 403, 404))
@token_required("audit.read")
def audit_entry(seq: int) -> Response:
    found = audit_browse.entry(_archive(), g.principal, seq)
    return jsonify(AuditRecord.model_validate(audit.record(found.raw)).model_dump())


@bp.post("/audit/verify")
@operation("Check every entry against its predecessor and its own hash, then every signed "
           "checkpoint. Any auditor learns whether the trail is intact; the findings, the "
           "number of entries, the head hash and the checkpoints are for auditors cleared for "
           "every class.", answers={200: json("The outcome.", Verification)},
           errors=(401, 403, 503))
@token_required("audit.read")
def audit_verify() -> Response:
    from flask_babel import gettext

    report = audit_review.verify_chain(_archive())
    if not audit_browse.cleared_for_all(g.principal):
        return jsonify(Verification(intact=report.intact, findings=[]).model_dump())
    findings = [{"seq": f.seq, "problem": f.problem,
                 "message": gettext(f.template, **f.params) if f.template else f.problem}
                for f in report.findings]
    return jsonify(Verification.model_validate({
        "intact": report.intact, "findings": findings, "entries": report.entries,
        "head": report.head, "checkpoints": report.checkpoints,
        "key_id": report.key_id}).model_dump())


@bp.get("/audit/export")
@operation("The whole trail with its checkpoints and the public key, as the ZIP that "
           "tools/verify_audit_export.py checks on another machine; audited (audit.export). "
           "Only for auditors cleared for every class.",
           answers={200: raw("The export.", {"application/zip": {
               "type": "string", "format": "binary"}})}, errors=(401, 403))
@token_required("audit.read")
def audit_export() -> Response:
    audit_browse.require_full_clearance(g.principal)
    # Closed by the response once sent (send_file streams it), so no context manager here.
    spool = tempfile.TemporaryFile(dir=_archive().config.instance_dir)  # noqa: SIM115
    audit_review.export_zip(_archive(), g.principal.actor(request.remote_addr), spool)
    spool.seek(0)
    name = f"jejak-audit-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.zip"
    return send_file(spool, mimetype="application/zip", as_attachment=True,
                     download_name=name, max_age=0)
