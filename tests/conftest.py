"""Fixtures: each test gets a fresh archive (database, uploads, index) under tmp_path.

Tests run on SQLite by default; when EARSIP_TEST_DATABASE_URL is set (CI sets it to the
machine's PostgreSQL) every test runs against that database, reset before each test.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from config import TEST_HASH_METHOD, Config, make_test_config
from earsip import create_app, extract
from earsip.search import SearchBackend, open_backend
from earsip.services import Archive
from earsip.services.access.users import create_user
from earsip.services.operations import setup

PROJECT = Path(__file__).resolve().parent.parent

PG_URL = os.environ.get("EARSIP_TEST_DATABASE_URL")
# The search backend every test runs against (the factory's name for it): tests about the
# Whoosh engine's own internals are marked `whoosh` and run only when it is the one.
SEARCH_BACKEND = os.environ.get("EARSIP_SEARCH_BACKEND") or "whoosh"
ADMIN_PASSWORD = "admin-pass-123"
USER_PASSWORD = "user-pass-12345"


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """Return the CSRF token of the form on `path` (the sign-in page by default)."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def sign_in(client: FlaskClient, username: str = "admin", password: str = ADMIN_PASSWORD,
            next_: str | None = None):
    """Sign in through the browser form; return the response (302 on success)."""
    token = csrf_token(client)
    url = "/login" + (f"?next={next_}" if next_ else "")
    return client.post(url, data={"username": username, "password": password,
                                  "csrf_token": token})


@contextmanager
def serving(config: Config) -> Iterator[str]:
    """Serve an app over `config` with waitress on a free port of 127.0.0.1; yield its URL."""
    from earsip.cli.webserver import make_server

    application = create_app(config)
    server = make_server(application, host="127.0.0.1", port=0, config=config)
    closing = threading.Event()

    def run() -> None:
        try:
            server.run()
        except (OSError, ValueError):  # a poll on sockets that close() just closed
            if not closing.is_set():
                raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        closing.set()
        server.close()
        thread.join(timeout=5)
        application.extensions["earsip"].close()


def multipart(path: Path, fields: dict[str, str], *, filename: str | None = None,
              content_type: str = "application/octet-stream") -> tuple[bytes, str]:
    """Return a multipart/form-data body carrying `path` as `file`, and its Content-Type.

    Built by hand for big uploads: Flask's test client spools a large file part to a temporary
    file that it does not always close.
    """
    boundary = uuid.uuid4().hex
    parts = [f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
             .encode() for k, v in fields.items()]
    parts.append(f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"{filename or path.name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                 .encode() + path.read_bytes() + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _ocr_missing() -> str | None:
    """Return what of the OCR tools is missing (Tesseract with Indonesian, OCRmyPDF), or None."""
    import subprocess

    from earsip import pdfa_copy

    if shutil.which("tesseract") is None:
        return "Tesseract (Debian tesseract-ocr)"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                           check=False).stdout.split()
    if "ind" not in langs:
        return "Tesseract's Indonesian data (Debian tesseract-ocr-ind)"
    if not pdfa_copy.available():
        return "OCRmyPDF (the ocrmypdf package)"
    return None


@pytest.fixture(scope="session")
def ocr_tools() -> None:
    """Skip a test that needs the OCR tools when they are missing; under `make test` (which
    installs them and sets EARSIP_REQUIRE_OCR=1) fail instead, so OCR is never skipped there."""
    missing = _ocr_missing()
    if missing is None:
        return
    if os.environ.get("EARSIP_REQUIRE_OCR") == "1":
        pytest.fail(f"{missing} not found: `make test` installs it (make system-deps)")
    pytest.skip(f"{missing} not found")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip the tests of Whoosh's internals (and of the queue it is written from) when another
    search backend is configured."""
    if SEARCH_BACKEND == "whoosh":
        return
    skip = pytest.mark.skip(reason=f"about the Whoosh engine; the configured search backend "
                                   f"is {SEARCH_BACKEND}")
    queue = pytest.mark.skip(reason=f"needs the pending-index queue or a rebuild beside the "
                                    f"live index; {SEARCH_BACKEND} writes search entries in "
                                    f"the database's own transactions")
    for item in items:
        if "whoosh" in item.keywords:
            item.add_marker(skip)
        elif "queue" in item.keywords:
            item.add_marker(queue)


@pytest.fixture
def open_search(tmp_path: Path, request: pytest.FixtureRequest,
                ) -> Iterator[Callable[..., SearchBackend]]:
    """Return a function building the configured search backend (EARSIP_SEARCH_BACKEND) with
    the factory, its index under tmp_path (or `index_dir`), other settings as given; every
    backend built is closed at the end. Two calls give two handles on the same index, as two
    processes would have. The postgres backend's index lives in the test database, reset and
    migrated for the test (the `config` fixture)."""
    opened: list[SearchBackend] = []
    if PG_URL and SEARCH_BACKEND == "postgres":
        settings_base: dict[str, object] = {"database_url": request.getfixturevalue(
            "config").database_url}
    else:
        settings_base = {}

    def open_(index_dir: Path | None = None, **settings: object) -> SearchBackend:
        config = make_test_config(tmp_path, search_backend=SEARCH_BACKEND,
                                  **{**settings_base, **settings})
        if index_dir is not None:
            config = replace(config, index_dir=index_dir)
        backend = open_backend(config)
        opened.append(backend)
        return backend

    yield open_
    for backend in opened:
        backend.close()


@pytest.fixture(scope="session", autouse=True)
def _stop_extractors() -> Iterator[None]:
    yield
    extract.shutdown()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path | None:
    """Migrate one SQLite database per run; each test starts from a copy of it."""
    if PG_URL:
        return None
    tmp = tmp_path_factory.mktemp("template")
    archive = Archive.open(make_test_config(tmp))
    setup.migrate(archive)
    archive.close()
    return tmp / "earsip.sqlite3"


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def config(tmp_path: Path, sqlite_template: Path | None) -> Config:
    """Return a configuration whose data lives under tmp_path."""
    if PG_URL:
        _reset_postgres(PG_URL)
        pg_config = make_test_config(tmp_path, database_url=PG_URL, search_backend=SEARCH_BACKEND)
        migrating = Archive.open(pg_config)
        setup.migrate(migrating)
        migrating.close()
        return pg_config
    assert sqlite_template is not None
    shutil.copy(sqlite_template, tmp_path / "earsip.sqlite3")
    return make_test_config(tmp_path, search_backend=SEARCH_BACKEND)


@pytest.fixture
def archive(config: Config) -> Iterator[Archive]:
    """Return an initialised archive (schema, seed scheme, admin, folders, index)."""
    a = Archive.open(config)
    setup.initialise(a)
    yield a
    a.close()


@pytest.fixture
def app(archive: Archive, config: Config) -> Iterator[Flask]:
    """Return the Flask app over the test archive."""
    application = create_app(config)
    yield application
    application.extensions["earsip"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def cli_env(config: Config) -> dict[str, str]:
    """Return the EARSIP_* environment that points the CLI at the test archive."""
    return {
        "EARSIP_DATABASE_URL": config.database_url,
        "EARSIP_UPLOAD_DIR": str(config.upload_dir),
        "EARSIP_INDEX_DIR": str(config.index_dir),
        "EARSIP_INSTANCE_DIR": str(config.instance_dir),
        "EARSIP_SECRET_KEY": "test-secret",
        "EARSIP_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "EARSIP_PASSWORD_HASH": TEST_HASH_METHOD,
        "EARSIP_SEARCH_BACKEND": config.search_backend,
    }


@pytest.fixture
def start_worker(cli_env: dict[str, str]) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Return a function starting a real `earsip worker` on the test archive (no scheduled
    tasks; a job silent for 10 s is taken back), its output into `log` when given; the
    processes still running at the end are killed."""
    started: list[subprocess.Popen[bytes]] = []

    def start(*, log: Path | None = None, **extra: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, **cli_env, "EARSIP_SCHEDULER": "0",
               "EARSIP_JOB_STALE_SECONDS": "10", **extra}
        with open(log or os.devnull, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "earsip", "worker", "--no-init"],
                                    cwd=PROJECT, env=env, start_new_session=True,
                                    stdout=out, stderr=subprocess.STDOUT)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@pytest.fixture
def runner(cli_env: dict[str, str]) -> Callable[..., object]:
    """Return a function running `earsip ARGS...` against the test archive."""
    from earsip.cli import main

    def run(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), env=cli_env, input=input,
                                  catch_exceptions=False)

    return run


@pytest.fixture
def live_server(archive: Archive, cli_env: dict[str, str], tmp_path: Path) -> Iterator[object]:
    """Return a LiveServer (tests/live.py) over the test archive, not started; killed at the
    end. Its log is tmp_path/server.log."""
    from tests.live import LiveServer

    live = LiveServer(cli_env, tmp_path / "server.log")
    yield live
    live.kill()


@pytest.fixture
def make_user(archive: Archive) -> Callable[..., str]:
    """Return a factory creating a user (roles, clearance) and returning its name."""
    from earsip.audit import SYSTEM

    def make(username: str, *, roles: tuple[str, ...] = ("staf",),
             clearance: str = "biasa") -> str:
        with archive.db.write() as session:
            create_user(session, username, USER_PASSWORD, roles=list(roles),
                        clearance=clearance, actor=SYSTEM,
                        hash_with=archive.config.password_hash_method)
        return username

    return make


@pytest.fixture
def token_for(client: FlaskClient) -> Callable[[str], dict[str, str]]:
    """Return a factory giving the Authorization header of a user (admin by default)."""

    def headers(username: str = "admin") -> dict[str, str]:
        password = ADMIN_PASSWORD if username == "admin" else USER_PASSWORD
        r = client.post("/api/v1/tokens", json={"username": username, "password": password})
        assert r.status_code == 201, r.get_json()
        return {"Authorization": f"Bearer {r.get_json()['token']}"}

    return headers


@pytest.fixture
def upload(client: FlaskClient, token_for: Callable[[str], dict[str, str]]):
    """Return a function posting a file to the API with sensible default metadata."""

    def post(path: Path, *, user: str = "admin", filename: str | None = None,
             **fields: str):
        data: dict[str, object] = {
            "title": fields.pop("title", f"Dokumen {path.stem}"),
            "classification": fields.pop("classification", "KA.00"),
            "document_date": fields.pop("document_date", "2024-03-15"),
            **fields,
        }
        with open(path, "rb") as f:
            data["file"] = (f, filename or path.name)
            return client.post("/api/v1/documents", data=data, headers=token_for(user),
                               content_type="multipart/form-data")

    return post
