"""`earsip tasks`: the scheduled work (retention run, audit checkpoint, fixity) and its state."""

from __future__ import annotations

import click

from earsip.cli.common import main, open_archive


@main.command()
@click.option("--run", "run_now", is_flag=True, help="Jalankan tugas yang sudah waktunya.")
def tasks(run_now: bool) -> None:
    """Show when each scheduled task last ran; with --run, run those that are due."""
    from earsip.services.operations import schedule

    archive = open_archive()
    try:
        if run_now:
            for name, outcome in schedule.run_due(archive).items():
                click.echo(f"{name}: {outcome}")
        for row in schedule.status(archive):
            last = row.last_started_at
            when = f"{last:%Y-%m-%d %H:%M} UTC" if last else "belum pernah"
            every = "nonaktif" if row.every_days <= 0 else (
                f"tiap {row.every_minutes} menit" if row.every_minutes
                else f"tiap {row.every_days} hari")
            click.echo(f"{row.name:<18} {every:<14} terakhir {when} "
                       f"({row.last_outcome or '-'})")
    finally:
        archive.close()
