"""What every `earsip` command shares: the group, the archive, the CLI actor, failing."""

from __future__ import annotations

import getpass
import sys
from typing import NoReturn

import click

from config import Config
from earsip import audit
from earsip.access import ROLES, SECURITY_CLASSES, Principal
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


def cli_principal() -> Principal:
    """Return the operator at the server's shell as a principal, with full clearance.

    Whoever can run `earsip` here can read the database and the files anyway; the commands
    still go through the services, so every step is checked and audited like any other. The
    operator is never `pimpinan`: approving a destruction list takes a signed-in leader, so
    shell access cannot stand in for the second pair of eyes.
    """
    roles = frozenset(r for r in ROLES if r != "pimpinan")
    return Principal(0, cli_actor().username or "cli", roles, SECURITY_CLASSES[-1])


def fail(message: str, code: int = 1) -> NoReturn:
    """Print `message` as an error and exit with `code`."""
    click.echo(f"Galat: {message}", err=True)
    sys.exit(code)


@click.group()
def main() -> None:
    """E-Arsip: arsip dokumen Bawaslu (pengarsipan, pencarian teks, retensi)."""
