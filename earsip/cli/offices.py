"""The offices of a deployment (satuan kerja): `earsip office create` and `earsip office list`."""

from __future__ import annotations

import click

from earsip.access import OFFICE_LEVELS
from earsip.cli.common import cli_principal, fail, main, open_archive
from earsip.errors import EarsipError


@main.group()
def office() -> None:
    """Manage the offices (satuan kerja) of the deployment."""


@office.command("create")
@click.argument("code")
@click.option("--name", required=True, help="Nama satuan kerja, mis. Bawaslu Kota Surabaya.")
@click.option("--place", required=True, help="Tempat (kota) satuan kerja.")
@click.option("--parent", default=None, help="Kode satuan kerja induk (kantor provinsi).")
@click.option("--level", type=click.Choice(OFFICE_LEVELS), default="kabkota",
              show_default=True)
def office_create(code: str, name: str, place: str, parent: str | None, level: str) -> None:
    """Create the office CODE (audited)."""
    from earsip.schemas.base import parse
    from earsip.schemas.offices import NewOffice
    from earsip.services.access import offices

    archive = open_archive()
    try:
        made = offices.create_office(archive, cli_principal(), parse(NewOffice, {
            "code": code, "name": name, "place": place, "level": level, "parent": parent}),
            client_addr="local")
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Satuan kerja {made.code} dibuat: {made.name}, {made.place}.")


@office.command("list")
def office_list() -> None:
    """List the offices: code, level, parent, name and place."""
    from earsip.services.access import offices

    archive = open_archive()
    try:
        rows = offices.list_offices(archive)
    finally:
        archive.close()
    for o in rows:
        click.echo(f"{o.code}\t{o.level}\t{o.parent or '-'}\t{o.name}\t{o.place}")
