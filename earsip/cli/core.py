"""Commands that set up and run the archive: init, serve, user, import, reindex, classification."""

from __future__ import annotations

import logging
import multiprocessing.util
import signal
import sys
import tempfile
import threading
from collections import Counter
from pathlib import Path

import click

from config import Config
from earsip.access import ROLES, SECURITY_CLASSES
from earsip.cli.common import cli_actor as _cli_actor
from earsip.cli.common import fail as _fail
from earsip.cli.common import main
from earsip.cli.common import open_archive as _archive
from earsip.errors import EarsipError
from earsip.services import Archive
from earsip.services.operations import setup
from earsip.services.search import indexing

log = logging.getLogger(__name__)


def initialise(config: Config) -> None:
    """Run `setup.initialise` and report what it did (the admin password only once)."""
    archive = Archive.open(config)
    try:
        result = setup.initialise(archive)
    except EarsipError as e:
        _fail(e.message)
    finally:
        archive.close()
    if result.seeded:
        click.echo("Skema klasifikasi contoh dimuat (nilai retensi perlu ditinjau).")
    if result.admin_password:
        click.echo("Pengguna admin dibuat. Kata sandi (hanya ditampilkan sekali): "
                   f"{result.admin_password}")
    if result.reindexed or result.queued_indexed:
        click.echo(f"Indeks diperbarui: {result.reindexed + result.queued_indexed} entri.")


@main.command()
def init() -> None:
    """Apply migrations and create folders, seed scheme, first admin and index (idempotent)."""
    initialise(Config.from_env())
    click.echo("Siap.")


@main.command()
@click.option("--host", default=None, help="Alamat (bawaan EARSIP_HOST atau 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (bawaan EARSIP_PORT atau 5000).")
def serve(host: str | None, port: int | None) -> None:
    """Initialise if needed, then serve the app with waitress and start the background worker
    beside it (unless EARSIP_WORKER=0)."""
    from earsip import create_app
    from earsip.cli.webserver import audit_storage_full, make_server

    config = Config.from_env()
    initialise(config)
    app = create_app(config)
    # Waitress buffers large request bodies in anonymous temporary files: keep those inside
    # the upload folder too, so document bytes never land in the system's /tmp.
    spool = Path(config.upload_dir) / ".spool"
    spool.mkdir(parents=True, exist_ok=True)
    # multiprocessing keeps its sockets (the extraction workers' forkserver) in a folder made
    # once under the temporary folder: make it in the system's, where a deep upload folder
    # cannot push the socket path past the 107 characters AF_UNIX allows.
    multiprocessing.util.get_temp_dir()
    tempfile.tempdir = str(spool)
    stop = threading.Event()
    threading.Thread(target=indexing.catch_up_forever, args=(app.extensions["earsip"], stop),
                     kwargs={"interval_s": config.index_catchup_s}, name="index-catch-up",
                     daemon=True).start()
    if config.worker:
        from earsip.cli.supervise import WorkerProcess

        background = WorkerProcess()
        threading.Thread(target=background.keep_running, args=(stop,), name="worker-supervisor",
                         daemon=True).start()
    indexing.warm_search(app.extensions["earsip"])  # in the background
    host, port = host or config.host, port or config.port
    click.echo(f"E-Arsip berjalan di http://{host}:{port}/  (Ctrl+C untuk berhenti)")
    server = make_server(app, host=host, port=port, config=config,
                         on_full=audit_storage_full(app.extensions["earsip"]))
    logging.basicConfig()
    server.print_listen("Serving on http://{}:{}")
    previous = {sig: signal.signal(sig, _stop_serving) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run()
    except _StopServing as e:
        log.info("stopping on %s", signal.Signals(e.signum).name)
    finally:
        # Stop the worker and the extraction workers before the interpreter ends, and stop
        # listening, so the operator's SIGTERM (or Ctrl+C) ends everything quietly with 0.
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        stop.set()
        if config.worker:
            background.stop()
        # Let requests in progress finish (waitress waits up to 5 s), then stop listening.
        server.task_dispatcher.shutdown()
        server.close()
        from earsip import extract

        extract.shutdown()
    click.echo("E-Arsip berhenti.")


class _StopServing(BaseException):
    """Raised in the main thread by SIGTERM or SIGINT to leave waitress's loop."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _stop_serving(signum: int, frame: object) -> None:
    raise _StopServing(signum)


@main.group()
def user() -> None:
    """Manage users."""


@user.command("create")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice(ROLES))
@click.option("--clearance", required=True, type=click.Choice(SECURITY_CLASSES))
@click.option("--full-name", default=None)
@click.option("--email", default=None, help="Where notifications are mailed (EARSIP_SMTP_URL).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--office", default=None,
              help="Kode satuan kerja pengguna (bawaan: satu-satunya satuan kerja).")
def user_create(name: str, roles: tuple[str, ...], clearance: str, full_name: str | None,
                email: str | None, password_stdin: bool, office: str | None) -> None:
    """Create a user NAME with one or more roles and a clearance, in the office CODE given by
    --office (without it: the deployment's only office; refused when there are several)."""
    from earsip.services.access.users import add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Kata sandi", hide_input=True, confirmation_prompt=True)
    archive = _archive()
    try:
        uid = add_user(archive, name, password, roles=list(roles), clearance=clearance,
                       actor=_cli_actor(), full_name=full_name, email=email, office=office)
    except EarsipError as e:
        _fail(e.message)
    finally:
        archive.close()
    click.echo(f"Pengguna {name} dibuat (id {uid}).")


@main.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--classification", required=True, help="Kode klasifikasi bawaan.")
@click.option("--security", type=click.Choice(SECURITY_CLASSES), default=None)
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jumlah proses ekstraksi yang berjalan bersamaan.")
@click.option("--metadata", type=click.Path(exists=True, dir_okay=False), default=None,
              help="CSV metadata per berkas (kolom file, title, number, date, code, security).")
@click.option("--date", "default_date", default=None, help="Tanggal dokumen bawaan YYYY-MM-DD.")
def import_(paths: tuple[str, ...], classification: str, security: str | None, jobs: int,
            metadata: str | None, default_date: str | None) -> None:
    """File every file under PATHS (recursively); files already filed are skipped."""
    from earsip.services.records import bulk

    archive = _archive()
    defaults = {"classification": classification}
    if security:
        defaults["security"] = security
    if default_date:
        defaults["document_date"] = default_date
    try:
        meta = bulk.load_metadata(metadata) if metadata else {}
        files = bulk.collect_files(paths)
        problems: list[bulk.Outcome] = []
        with click.progressbar(length=len(files), label="Mengarsipkan", file=sys.stderr) as bar:
            def progress(outcome: bulk.Outcome) -> None:
                bar.update(1)
                if outcome.status == "rejected":
                    problems.append(outcome)

            outcomes = bulk.import_paths(archive, _cli_actor(), list(paths), defaults=defaults,
                                         metadata=meta, jobs=jobs, on_outcome=progress,
                                         skip=[metadata] if metadata else [])
    except EarsipError as e:
        _fail(e.message, 2)
    finally:
        archive.close()
    counts = Counter(o.status for o in outcomes)
    for o in problems:
        click.echo(f"DITOLAK  {o.path}: {o.message}")
    click.echo(f"Selesai: {counts['filed']} diarsipkan, {counts['duplicate']} duplikat "
               f"(sudah ada), {counts['rejected']} ditolak, dari {len(outcomes)} berkas.")
    sys.exit(1 if counts["rejected"] else 0)


@main.command()
@click.option("--pending", is_flag=True, help="Only apply the pending-index queue.")
def reindex(pending: bool) -> None:
    """Rebuild the search index from the database (continuing an interrupted rebuild)."""
    archive = _archive()
    try:
        if pending:
            archive.index.ensure()
            n = indexing.process_queue(archive)
            click.echo(f"{n} entri antrean indeks diproses.")
        else:
            if indexing.rebuild_pending(archive):
                click.echo("Melanjutkan pembangunan ulang indeks yang terputus.")
            result = indexing.rebuild(archive)
            if result.resumed:
                click.echo(f"{result.resumed} dokumen sudah terindeks sebelum terputus; "
                           "tidak diulang.")
            click.echo(f"Indeks dibangun ulang: {result.indexed} dokumen.")
    except EarsipError as e:
        _fail(e.message)
    finally:
        archive.close()


@main.group()
def classification() -> None:
    """Import or export the classification scheme (CSV)."""


@classification.command("export")
@click.argument("output", type=click.Path(dir_okay=False, writable=True), default="-")
def classification_export(output: str) -> None:
    """Write the scheme as CSV to OUTPUT (standard output by default)."""
    from earsip.services.records.classification import export_scheme

    archive = _archive()
    try:
        text = export_scheme(archive, _cli_actor())
    finally:
        archive.close()
    if output == "-":
        click.echo(text, nl=False)
    else:
        Path(output).write_text(text, encoding="utf-8")


@classification.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
def classification_import(source: str) -> None:
    """Create or update codes from a CSV file (all rows or none)."""
    from earsip.services.records.classification import import_scheme

    archive = _archive()
    try:
        result = import_scheme(archive, Path(source).read_text(encoding="utf-8-sig"),
                               _cli_actor())
    except EarsipError as e:
        _fail(e.message)
    finally:
        archive.close()
    click.echo(f"Kode baru {result.created}, diubah {result.updated}, "
               f"tetap {result.unchanged}.")
