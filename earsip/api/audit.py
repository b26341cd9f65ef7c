"""API v1 routes of the audit trail: its entries (auditors cleared for every class), its
verification (any auditor; the details for those cleared for every class), its export, its
signed checkpoints and public key, and the last fixity run."""

from __future__ import annotations

import datetime as dt
import tempfile

from flask import Response, g, jsonify, request, send_file

from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import token_required
from earsip.schemas.audit import Checkpoint, FixityStatus
from earsip.schemas.base import parse, pick
from earsip.schemas.operations import AuditPage, AuditQuery, AuditRecord, Verification
from earsip.services.audit import browse as audit_browse
from earsip.services.audit import review as audit_review
from earsip.services.operations import fixity


@bp.get("/audit/entries")
@operation("The audit trail, newest first, 50 entries a page, narrowed by day, actor, action "
           "or document; each entry as stored and hashed. Only for auditors cleared for every "
           "class (the entries name records of every class), else 403.", query=AuditQuery,
           answers={200: json("One page of entries.", AuditPage)}, errors=(400, 401, 403))
@token_required("audit.read")
def audit_entries() -> Response:
    query = parse(AuditQuery, pick(request.args, AuditQuery))
    return jsonify(audit_browse.records(_archive(), g.principal, query).model_dump())


@bp.get("/audit/entries/<int:seq>")
@operation("One entry by its sequence number, as stored and hashed (auditors cleared for "
           "every class).", answers={200: json("The entry.", AuditRecord)},
           errors=(401, 403, 404))
@token_required("audit.read")
def audit_entry(seq: int) -> Response:
    found = audit_browse.entry(_archive(), g.principal, seq)
    return jsonify(found.record.model_dump())


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
               "type": "string", "format": "binary"}})}, errors=(401, 403, 503))
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


@bp.get("/audit/checkpoints")
@operation("Every signed checkpoint, oldest first, as tools/verify_audit_export.py "
           "--checkpoints reads them (one JSON object each). Their sizes and head hashes count "
           "entries about records of every class: null for an auditor below sangat_rahasia, "
           "as on the verification page.",
           answers={200: json("The checkpoints.", Checkpoint, many=True)}, errors=(401, 403))
@token_required("audit.read")
def audit_checkpoints() -> Response:
    cleared = audit_browse.cleared_for_all(g.principal)
    return jsonify([audit_review.shown(c, cleared_for_all=cleared).model_dump()
                    for c in audit_review.list_checkpoints(_archive())])


@bp.post("/audit/checkpoints")
@operation("Sign the trail's current size and head hash now (trigger on_demand), as the "
           "verification page's button does; audited (audit.checkpoint).",
           answers={201: json("The checkpoint made (size and head hash as above).",
                              Checkpoint)}, errors=(401, 403, 503))
@token_required("audit.read")
def audit_make_checkpoint() -> tuple[Response, int]:
    made = audit_review.make_checkpoint(_archive(), g.principal.actor(request.remote_addr),
                                        trigger="on_demand")
    cleared = audit_browse.cleared_for_all(g.principal)
    return jsonify(audit_review.shown(made, cleared_for_all=cleared).model_dump()), 201


@bp.get("/audit/public-key")
@operation("The PEM public key that checks the checkpoints' signatures: auditors keep their "
           "own copy.", answers={200: raw("The key.", {"application/x-pem-file": {
               "type": "string"}})}, errors=(401, 403, 503))
@token_required("audit.read")
def audit_public_key() -> Response:
    response = Response(audit_review.public_key(_archive()), mimetype="application/x-pem-file")
    response.headers.set("Content-Disposition", "attachment",
                         filename="earsip-audit-public-key.pem")
    return response


@bp.get("/audit/fixity")
@operation("The last fixity run (every stored file's SHA-256 against the database) and the "
           "days between scheduled runs. Its outcome, counts and paths cover the files of "
           "every class: a caller below sangat_rahasia gets its times only, as on the page.",
           answers={200: json("The last run.", FixityStatus)}, errors=(401, 403))
@token_required("fixity.read")
def audit_fixity() -> Response:
    last = fixity.last_fixity(_archive())
    cleared = audit_browse.cleared_for_all(g.principal)
    return jsonify(FixityStatus(
        interval_days=_archive().config.fixity_interval_days,
        last=fixity.shown(last, cleared_for_all=cleared) if last is not None else None,
    ).model_dump())
