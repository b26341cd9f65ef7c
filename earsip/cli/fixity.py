"""`earsip verify`: the fixity check of every stored file against the database."""

from __future__ import annotations

import sys

import click

from earsip.cli.common import cli_actor, fail, main
from earsip.cli.common import open_archive as _archive
from earsip.errors import EarsipError

# Problems listed per kind; the run's record keeps them all.
SHOWN = 200


def _list(title: str, items: list[str]) -> None:
    if not items:
        return
    click.echo(f"{title} ({len(items)}):", err=True)
    for item in items[:SHOWN]:
        click.echo(f"  {item}", err=True)
    if len(items) > SHOWN:
        click.echo(f"  … dan {len(items) - SHOWN} lainnya.", err=True)


@main.command("verify")
def verify() -> None:
    """Re-hash every stored file and report changed, missing and stray files; exit 1 if any."""
    from earsip.services.operations.fixity import run_fixity

    archive = _archive()
    try:
        report = run_fixity(archive, cli_actor(), trigger="cli")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Pemeriksaan fiksitas #{report.run_id}: {report.checked} berkas diperiksa, "
               f"{len(report.changed)} berubah, {len(report.missing)} hilang, "
               f"{len(report.untracked)} tidak terdaftar, {len(report.destroyed_present)} "
               "masih ada setelah dimusnahkan.")
    if report.ok:
        click.echo("Semua berkas utuh.")
        return
    _list("BERUBAH (isi tidak cocok dengan hash SHA-256 di basis data)",
          [f"{c.path} (dokumen #{c.document_id})" for c in report.changed])
    _list("HILANG atau tidak terbaca",
          [f"{m.path} (dokumen #{m.document_id})"
           + (f": {m.reason}" if m.reason else "") for m in report.missing])
    _list("TIDAK TERDAFTAR (tidak dirujuk dokumen mana pun)", report.untracked)
    _list("MASIH ADA padahal dokumennya telah dimusnahkan",
          [f"{d.path} (dokumen #{d.document_id})" for d in report.destroyed_present])
    sys.exit(1)
