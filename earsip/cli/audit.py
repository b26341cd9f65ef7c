"""`earsip audit …`: the audit trail's verification (checkpoints and export to follow)."""

from __future__ import annotations

import sys

import click

from earsip.cli.common import main
from earsip.cli.common import open_archive as _archive


@main.group("audit")
def audit_group() -> None:
    """Check the audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check the hash chain of the audit trail; exit 1 and name the first broken entry."""
    from earsip.services.audit_review import verify_chain

    archive = _archive()
    try:
        report = verify_chain(archive)
    finally:
        archive.close()
    if report.intact:
        click.echo(f"Jejak audit utuh: {report.entries} entri, hash terakhir {report.head}.")
        return
    first = report.findings[0]
    click.echo(f"Jejak audit RUSAK mulai entri #{first.seq}: {first.problem}.", err=True)
    for finding in report.findings[1:50]:
        click.echo(f"  entri #{finding.seq}: {finding.problem}", err=True)
    if len(report.findings) > 50:
        click.echo(f"  … dan {len(report.findings) - 50} temuan lain.", err=True)
    sys.exit(1)
