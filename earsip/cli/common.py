"""What every `earsip` command shares: the group, the archive, the CLI actor, failing."""

from __future__ import annotations

import getpass
import sys

import click

from config import Config
from earsip import audit
from earsip.services import Archive


def open_archive() -> Archive:
    """Open the archive the environment configures."""
    return Archive.open(Config.from_env())


def cli_actor() -> audit.Actor:
    """Return the audit actor of a command run from this machine's shell."""
    try:
        who = getpass.getuser()
    except (KeyError, OSError):
        who = "unknown"
    return audit.Actor(None, f"cli:{who}"[:80], "local")


def fail(message: str, code: int = 1) -> None:
    """Print `message` as an error and exit with `code`."""
    click.echo(f"Galat: {message}", err=True)
    sys.exit(code)


@click.group()
def main() -> None:
    """E-Arsip: arsip dokumen Bawaslu (pengarsipan, pencarian teks, retensi)."""
