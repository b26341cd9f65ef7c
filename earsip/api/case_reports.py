"""API v1 routes of the PPID's paper: the Buku Register Permohonan Informasi Publik, the
Register Keberatan (CSV, XLSX, PDF) and the annual Laporan Layanan Informasi Publik (JSON,
PDF, XLSX). Every file made is audited (`case.export`)."""

from __future__ import annotations

from flask import Response, g, jsonify, request
from pydantic import Field

from earsip.api import bp
from earsip.api.describe import json, operation, raw
from earsip.api.routes import current_archive as _archive
from earsip.api.routes import token_required
from earsip.errors import ValidationError
from earsip.http import attachment
from earsip.schemas.base import Model, date_or_none
from earsip.schemas.case_reports import InformationServiceReport
from earsip.services.cases import annual, papers

BINARY = {"type": "string", "format": "binary"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REGISTER_MEDIA = {"text/csv": BINARY, "application/pdf": BINARY, XLSX: BINARY}


class RegisterFilters(Model):
    """The register's year (required), an optional period within it (YYYY-MM-DD, inclusive)
    and the file's `format` (csv, xlsx or pdf; csv when not given)."""

    year: int | None = None
    from_: str | None = Field(None, alias="from")
    to: str | None = None
    format: str | None = None


class ReportQuery(Model):
    """The report's year (required) and `format` (json, pdf or xlsx; json when not given)."""

    year: int | None = None
    format: str | None = None


def _year() -> int:
    raw_year = (request.args.get("year") or "").strip()
    if not raw_year.isdecimal() or len(raw_year) != 4:
        raise ValidationError("year wajib diisi: tahun empat angka, misalnya 2026.",
                              field="year")
    return int(raw_year)


def _period() -> papers.Period:
    return papers.Period(
        _year(), date_or_none(request.args.get("from"), "from", required=False),
        date_or_none(request.args.get("to"), "to", required=False))


def _register(kind: str) -> Response:
    fmt = request.args.get("format") or "csv"
    papers.check_format(fmt)
    body, name = papers.export_register(_archive(), g.principal, kind, _period(), fmt,
                                        client_addr=request.remote_addr)
    return attachment(body, name)


@bp.get("/cases/registers/requests")
@operation("The Buku Register Permohonan Informasi Publik of a `year` (optionally `from`/`to` "
           "within it) as CSV, XLSX or PDF: every request the caller may read; identity "
           "numbers masked, the requester's address, occupation, telephone and e-mail only for "
           "the case's owner (the PPID). Audited (`case.export`).",
           query=RegisterFilters, answers={200: raw("The register.", REGISTER_MEDIA)},
           errors=(400, 401, 403))
@token_required("case.read")
def register_of_requests() -> Response:
    return _register("requests")


@bp.get("/cases/registers/objections")
@operation("The Register Keberatan of a `year` (optionally `from`/`to` within it) as CSV, "
           "XLSX or PDF: every objection the caller may read, with its reason from UU 14/2008 "
           "Pasal 35 ayat (1) and the Atasan PPID's answer. Audited (`case.export`).",
           query=RegisterFilters, answers={200: raw("The register.", REGISTER_MEDIA)},
           errors=(400, 401, 403))
@token_required("case.read")
def register_of_objections() -> Response:
    return _register("objections")


@bp.get("/reports/information-service")
@operation("The annual Laporan Layanan Informasi Publik of a `year` (due 31 March of the next "
           "year): requests received, working days taken for each, decisions, exemptions "
           "cited, objections and their outcomes, disputes, per month. `format` json (the "
           "figures), pdf (with the chart) or xlsx; the files are audited.",
           query=ReportQuery,
           answers={200: json("The figures (format json), or the file.",
                              InformationServiceReport)},
           errors=(400, 401, 403))
@token_required("case.read")
def information_service_report() -> Response:
    fmt = request.args.get("format") or "json"
    papers.check_format(fmt, annual.REPORT_FORMATS)
    year = _year()
    if fmt == "json":
        figures = annual.report(_archive(), g.principal, year)
        return jsonify(figures.model_dump(mode="json"))
    body, name = annual.export_report(_archive(), g.principal, year, fmt,
                                      client_addr=request.remote_addr)
    return attachment(body, name)
