"""`earsip retention …`, `earsip hold …` and `earsip document delete` (always refused)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from earsip.cli.common import cli_actor, cli_principal, fail, main, open_archive
from earsip.errors import EarsipError
from earsip.schemas.base import parse
from earsip.schemas.retention import HoldInput, HoldLift, ReportQuery


def _query(kind: str = "due", months: int = 12, as_of: str | None = None) -> ReportQuery:
    """Validate the options as the API validates its query (`schemas.retention.ReportQuery`)."""
    try:
        return parse(ReportQuery, {"kind": kind, "months": months, "as_of": as_of})
    except EarsipError as e:
        fail(e.message, 2)


@main.group()
def retention() -> None:
    """Retention (JRA): the phase run and the reports."""


@retention.command("run")
@click.option("--as-of", "as_of", default=None, help="Tanggal acuan YYYY-MM-DD (bawaan hari ini).")
def retention_run(as_of: str | None) -> None:
    """Move documents whose dates have passed into their next phase (idempotent)."""
    from earsip.services.retention import cycle as service

    archive = open_archive()
    try:
        result = service.run(archive, cli_actor(), as_of=_query(as_of=as_of).as_of)
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Retensi per {result.as_of.isoformat()}: {result.total} dokumen berpindah fase.")
    for transition, ids in sorted(result.moved.items()):
        before, after = transition.split(">")
        click.echo(f"  {before} → {after}: {len(ids)}")


@retention.command("report")
@click.argument("kind", type=click.Choice(["due", "upcoming", "hold", "awaiting"]))
@click.option("--months", type=int, default=12, show_default=True,
              help="Jangka waktu laporan 'upcoming' (bulan).")
@click.option("--as-of", "as_of", default=None, help="Tanggal acuan YYYY-MM-DD.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "xlsx"]), default="text",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Berkas tujuan (wajib untuk xlsx).")
def retention_report(kind: str, months: int, as_of: str | None, fmt: str,
                     output: str | None) -> None:
    """Report what is due now, due in the next months, on hold, or awaiting its event."""
    from earsip.services.retention import cycle as service

    query = _query(kind, months, as_of)
    archive = open_archive()
    try:
        if fmt == "text":
            result = service.report(archive, cli_principal(), kind, months=query.months,
                                    as_of=query.as_of)
        else:
            if fmt == "xlsx" and not output:
                fail("--output wajib untuk format xlsx.", 2)
            body, _name = service.export_report(archive, cli_principal(), kind, fmt,
                                                months=query.months, as_of=query.as_of,
                                                client_addr="local")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    if fmt != "text":
        if output:
            Path(output).write_bytes(body)
        else:
            sys.stdout.buffer.write(body)
        return
    for row in result.results:
        due = row.due_on.isoformat() if row.due_on else "-"
        hold = "  [DITAHAN]" if row.on_hold else ""
        click.echo(f"#{row.id}\t{row.classification}\t{row.phase}\t{due}\t{row.title}{hold}")
    click.echo(f"{result.total} dokumen.")


@main.group()
def hold() -> None:
    """Legal holds: place, lift, list."""


@hold.command("place")
@click.option("--reference", required=True, help="Nomor referensi (mis. nomor register sengketa).")
@click.option("--reason", required=True, help="Alasan penahanan.")
@click.option("--document", "documents", type=int, multiple=True, help="Id dokumen (berulang).")
@click.option("--code", default=None, help="Kode klasifikasi (beserta turunannya).")
def hold_place(reference: str, reason: str, documents: tuple[int, ...],
               code: str | None) -> None:
    """Place a legal hold on documents or a whole classification code."""
    from earsip.services.retention.holds import place_hold

    archive = open_archive()
    try:
        placed = parse(HoldInput, {"reference": reference, "reason": reason,
                                   "document_ids": list(documents), "classification_code": code})
        view = place_hold(archive, cli_principal(), placed, client_addr="local")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Penahanan #{view.id} ({view.reference}) dipasang.")


@hold.command("lift")
@click.argument("hold_id", type=int)
@click.option("--reason", required=True, help="Alasan pencabutan.")
def hold_lift(hold_id: int, reason: str) -> None:
    """Lift a legal hold."""
    from earsip.services.retention.holds import lift_hold

    archive = open_archive()
    try:
        view = lift_hold(archive, cli_principal(), hold_id, parse(HoldLift, {"reason": reason}),
                         client_addr="local")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Penahanan #{view.id} ({view.reference}) dicabut.")


@hold.command("list")
@click.option("--all", "show_all", is_flag=True, help="Termasuk yang sudah dicabut.")
def hold_list(show_all: bool) -> None:
    """List legal holds (active ones by default)."""
    from earsip.services.retention.holds import list_holds

    archive = open_archive()
    try:
        views = list_holds(archive, cli_principal(), active_only=not show_all)
    finally:
        archive.close()
    for v in views:
        scope = f"kode {v.classification_code}" if v.classification_code else ""
        docs = f"{len(v.document_ids)} dokumen" if v.document_ids else ""
        state = "aktif" if v.active else f"dicabut {v.lifted_at:%Y-%m-%d}"
        click.echo(f"#{v.id}\t{v.reference}\t{state}\t{' + '.join(filter(None, [scope, docs]))}")


@main.group()
def document() -> None:
    """Documents (a record leaves the archive only by the destruction procedure)."""


@document.command("delete")
@click.argument("document_id", type=int)
def document_delete(document_id: int) -> None:
    """Always refused (and audited): use the destruction procedure."""
    from earsip.services.records.documents import refuse_delete

    archive = open_archive()
    try:
        refuse_delete(archive, cli_principal(), document_id, client_addr="local")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
