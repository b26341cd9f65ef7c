"""`earsip worker`: the background worker (OCR, re-index, fixity and the scheduled tasks)."""

from __future__ import annotations

import logging

import click

from earsip.cli.common import main


@main.command()
@click.option("--no-init", is_flag=True, hidden=True,
              help="Do not initialise (the caller, `earsip serve`, already did).")
def worker(no_init: bool) -> None:
    """Run the background worker until stopped (Ctrl+C or SIGTERM)."""
    from config import Config
    from earsip.cli.core import initialise
    from earsip.cli.supervise import die_with_parent
    from earsip.services import Archive
    from earsip.services.operations import worker as service

    die_with_parent()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    config = Config.from_env()
    if not no_init:
        initialise(config)
    archive = Archive.open(config)
    if config.queue_url:
        click.echo(f"Peringatan: {service.QUEUE_URL_RETIRED}", err=True)
    click.echo("Pekerja latar berjalan (mengambil tugas dari tabel jobs).")
    try:
        service.run(archive)
    finally:
        archive.close()
