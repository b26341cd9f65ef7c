"""`earsip jobs`: the background worker's queue from the shell (list, retry, ask for work)."""

from __future__ import annotations

import click

from earsip.cli.common import cli_actor, fail, main, open_archive
from earsip.errors import EarsipError


@main.group()
def jobs() -> None:
    """The background worker's jobs (OCR, re-index, fixity)."""


@jobs.command("list")
@click.option("--state", type=click.Choice(["pending", "running", "done", "failed"]),
              default=None, help="Hanya tugas dengan status ini.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
def list_jobs(state: str | None, limit: int) -> None:
    """Show the newest jobs and how many are in each state."""
    from earsip.services.operations import jobs as service

    archive = open_archive()
    try:
        counts = service.counts(archive)
        click.echo("  ".join(f"{name}: {n}" for name, n in counts.model_dump().items()))
        for job in service.listing(archive, state=state, limit=limit):
            doc = f"#{job.document_id}" if job.document_id else "-"
            click.echo(f"{job.id:>6} {job.kind:<8} {doc:<8} {job.state:<8} "
                       f"{job.attempts}/{job.max_attempts} {job.last_error or ''}")
    finally:
        archive.close()


@jobs.command("retry")
@click.argument("job_id", type=int)
def retry(job_id: int) -> None:
    """Give a failed job fresh attempts."""
    from earsip.services.operations import jobs as service

    archive = open_archive()
    try:
        service.retry(archive, cli_actor(), job_id)
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Tugas {job_id} dimasukkan kembali ke antrean.")


@jobs.command("request")
@click.argument("kind", type=click.Choice(["reindex", "fixity"]))
def request(kind: str) -> None:
    """Queue a re-index or a fixity check for the worker."""
    from earsip.services.operations import jobs as service

    archive = open_archive()
    try:
        job_id = service.request(archive, cli_actor(), kind)
    finally:
        archive.close()
    click.echo(f"Tugas {job_id} ({kind}) dimasukkan ke antrean.")
