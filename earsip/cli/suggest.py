"""`earsip suggest`: the classification suggester of the front desk (train it now)."""

from __future__ import annotations

import click

from earsip.cli.common import cli_actor, fail, main, open_archive
from earsip.errors import EarsipError


@main.group()
def suggest() -> None:
    """Classification codes suggested from a letter's text."""


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@suggest.command("train")
def train() -> None:
    """Retrain the suggester on the filed texts now and show its held-back accuracy."""
    from earsip.services.desk import suggestions

    archive = open_archive()
    try:
        trained = suggestions.retrain(archive, cli_actor())
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Model saran #{trained.model_id}: {trained.documents} dokumen, "
               f"{trained.codes} kode, {trained.terms} kata, {trained.size_bytes / 1024:.0f} KB, "
               f"{trained.seconds:.1f} detik.")
    if trained.tested:
        click.echo(f"Akurasi pada {trained.tested} dokumen yang disisihkan (model dilatih pada "
                   f"{trained.trained}): top-1 {_share(trained.top1)}, "
                   f"top-3 {_share(trained.top3)}.")
    else:
        click.echo("Akurasi belum dapat diukur: terlalu sedikit dokumen per kode.")
