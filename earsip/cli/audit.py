"""`earsip audit …`: verify the audit trail, sign a checkpoint, export the trail for auditors."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from earsip.cli.common import cli_actor, fail, main
from earsip.cli.common import open_archive as _archive
from earsip.errors import EarsipError


@main.group("audit")
def audit_group() -> None:
    """Check, sign and export the audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain and every signed checkpoint; exit 1 naming the first broken entry."""
    from earsip.services.audit.review import verify_chain

    archive = _archive()
    try:
        report = verify_chain(archive)
    finally:
        archive.close()
    if report.intact:
        click.echo(f"Jejak audit utuh: {report.entries} entri, hash terakhir {report.head}.")
        if report.checkpoints:
            click.echo(f"{report.checkpoints} titik periksa cocok dan bertanda tangan sah "
                       f"(kunci {report.key_id}).")
        else:
            click.echo("Belum ada titik periksa bertanda tangan (earsip audit checkpoint).")
        return
    first = report.findings[0]
    click.echo(f"Jejak audit RUSAK mulai entri #{first.seq}: {first.words} "
               f"({first.problem}).", err=True)
    for finding in report.findings[1:50]:
        click.echo(f"  entri #{finding.seq}: {finding.words} ({finding.problem})", err=True)
    if len(report.findings) > 50:
        click.echo(f"  … dan {len(report.findings) - 50} temuan lain.", err=True)
    sys.exit(1)


@audit_group.command("checkpoint")
def audit_checkpoint() -> None:
    """Sign the trail's current size and head with the server key (a checkpoint)."""
    from earsip.services.audit.review import checkpoint_line, make_checkpoint

    archive = _archive()
    try:
        checkpoint = make_checkpoint(archive, cli_actor(), trigger="on_demand")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Titik periksa #{checkpoint.id} dibuat ({checkpoint.created_at}).")
    click.echo(f"  Entri tercakup : {checkpoint.size}")
    click.echo(f"  Hash terakhir  : {checkpoint.head_hash}")
    click.echo(f"  Kunci          : {checkpoint.key_id}")
    click.echo(f"  Tanda tangan   : {checkpoint.signature}")
    # The same line as in an export's checkpoints.jsonl, for auditors to add to their copy.
    click.echo("Baris untuk berkas titik periksa auditor (JSON):")
    click.echo(checkpoint_line(checkpoint).decode(), nl=False)


@audit_group.command("export")
@click.argument("output_dir", type=click.Path(path_type=Path))
def audit_export(output_dir: Path) -> None:
    """Write the trail, its checkpoints and the public key into the new folder OUTPUT_DIR."""
    from earsip.services.audit.review import export

    archive = _archive()
    try:
        result = export(archive, cli_actor(), output_dir)
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Ekspor ditulis ke {result.path}: {result.entries} entri, "
               f"{result.checkpoints} titik periksa, kunci {result.key_id}.")
    click.echo(f"Hash terakhir (entri ekspor ini): {result.head}")
    click.echo("Periksa di komputer lain: python3 tools/verify_audit_export.py "
               f"{result.path} --public-key KUNCI.pem --checkpoints TITIK_PERIKSA.jsonl")
