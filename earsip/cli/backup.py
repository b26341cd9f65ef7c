"""`earsip backup DIR` and `earsip restore DIR`: the whole deployment (database, stored files,
keys) into a folder, and back into an empty one (docs/DEPLOYMENT.md)."""

from __future__ import annotations

from pathlib import Path

import click

from earsip.cli.common import cli_actor, fail, main, open_archive
from earsip.errors import EarsipError


@main.command("backup")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def backup_command(folder: Path) -> None:
    """Back up the database, the stored files and the keys into FOLDER (new or empty)."""
    from earsip.services.operations import backup

    archive = open_archive()
    try:
        made = backup.backup(archive, folder, cli_actor())
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Cadangan {made.database} ditulis ke {made.folder}: {made.documents} dokumen, "
               f"{made.files} berkas, {made.audit_entries} entri audit, "
               f"{made.size / 1024 / 1024:.1f} MB. Simpan di luar server ini.")


@main.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore_command(folder: Path) -> None:
    """Restore the backup in FOLDER into the configured, empty database and folders."""
    from earsip.services.operations import restore as restoring

    archive = open_archive()
    try:
        restored = restoring.restore(archive, folder, cli_actor())
    except EarsipError as e:
        fail(e.message)
    finally:
        archive.close()
    click.echo(f"Dipulihkan: {restored.documents} dokumen, {restored.files} berkas, "
               f"{restored.audit_entries} entri audit; indeks dibangun ulang "
               f"({restored.reindexed} dokumen).")
    if restored.missing:
        for path in restored.missing[:50]:
            click.echo(f"  HILANG/RUSAK {path}", err=True)
        fail(f"{len(restored.missing)} berkas yang dibutuhkan tidak ada atau rusak di cadangan.")
    click.echo("Periksa: earsip audit verify && earsip verify")
