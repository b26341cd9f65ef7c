"""The search backend is chosen by configuration, and services know it only by its protocol."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import earsip.search
from config import Config
from earsip.search import BACKENDS, SearchBackend, open_backend
from earsip.services import Archive

EARSIP = Path(__file__).resolve().parents[1] / "earsip"
#: A PostgreSQL address for building (not opening) the postgres backend.
POSTGRES_URL = "postgresql+psycopg://nobody@127.0.0.1:1/none"


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return {"EARSIP_INSTANCE_DIR": str(tmp_path / "instance"), "EARSIP_SECRET_KEY": "x",
            "EARSIP_INDEX_DIR": str(tmp_path / "index"), **more}


def test_whoosh_is_the_search_backend_unless_configured_otherwise(tmp_path):
    assert Config.from_env(_env(tmp_path)).search_backend == "whoosh"
    config = Config.from_env(_env(tmp_path, EARSIP_SEARCH_BACKEND=" whoosh "))
    assert config.search_backend == "whoosh"
    backend = open_backend(config)
    backend.ensure()
    assert backend.doc_count() == 0
    assert (tmp_path / "index").is_dir()
    backend.close()


def test_an_unknown_search_backend_stops_the_start_naming_the_setting_and_the_choices(
        tmp_path, cli_env, config):
    with pytest.raises(SystemExit, match=r"EARSIP_SEARCH_BACKEND must be one of postgres, "
                                         r"whoosh, got 'elastic'"):
        Archive.open(Config.from_env(_env(tmp_path, EARSIP_SEARCH_BACKEND="elastic")))
    from click.testing import CliRunner

    from earsip.cli import main

    result = CliRunner().invoke(main, ["init"], env={**cli_env,
                                                     "EARSIP_SEARCH_BACKEND": "elastic"})
    assert result.exit_code == 1
    assert "EARSIP_SEARCH_BACKEND must be one of postgres, whoosh" in result.output


def test_the_archive_holds_the_backend_the_factory_builds(archive):
    assert type(archive.index) is type(open_backend(archive.config))
    assert archive.config.search_backend in BACKENDS


def test_every_backend_has_every_method_of_the_protocol(tmp_path):
    wanted = {name for name in vars(SearchBackend) if not name.startswith("_")}
    for name, make in BACKENDS.items():
        database = {"EARSIP_DATABASE_URL": POSTGRES_URL} if name == "postgres" else {}
        config = Config.from_env(_env(tmp_path, EARSIP_SEARCH_BACKEND=name, **database))
        backend = make(config)
        missing = {m for m in wanted if not callable(getattr(backend, m, None))}
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_postgres_over_a_database_that_is_not_postgresql_stops_the_start_saying_why(
        tmp_path, cli_env):
    message = (r"EARSIP_SEARCH_BACKEND: postgres keeps the search index in the archive's "
               r"database, so EARSIP_DATABASE_URL must name a PostgreSQL database")
    with pytest.raises(SystemExit, match=message):
        Config.from_env(_env(tmp_path, EARSIP_SEARCH_BACKEND="postgres"))
    sqlite = dataclasses.replace(Config(), search_backend="postgres",
                                 database_url=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with pytest.raises(SystemExit, match=message):
        open_backend(sqlite)
    from click.testing import CliRunner

    from earsip.cli import main

    result = CliRunner().invoke(main, ["init"], env={
        **cli_env, "EARSIP_SEARCH_BACKEND": "postgres",
        "EARSIP_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"})
    assert result.exit_code == 1
    assert "must name a PostgreSQL database (postgresql+psycopg://...), not sqlite" in (
        result.output)


def test_postgres_is_built_over_a_postgresql_database_without_connecting(tmp_path):
    config = Config.from_env(_env(tmp_path, EARSIP_SEARCH_BACKEND="postgres",
                                  EARSIP_DATABASE_URL=POSTGRES_URL))
    backend = open_backend(config)
    assert backend.writes_with_database() is True
    assert backend.is_healthy() is False  # nothing listens there
    backend.close()


def _in_search(module: str) -> bool:
    return module == "earsip.search" or module.startswith("earsip.search.")


def test_outside_the_search_package_only_the_protocol_its_values_and_the_factory_are_used():
    allowed = set(earsip.search.__all__)
    wrong = []
    for path in sorted(EARSIP.rglob("*.py")):
        if path.is_relative_to(EARSIP / "search"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and _in_search(node.module or ""):
                names = {a.name for a in node.names}
                if node.module != "earsip.search" or not names <= allowed:
                    wrong.append(f"{path.relative_to(EARSIP)}: from {node.module} import "
                                 f"{', '.join(sorted(names))}")
            elif isinstance(node, ast.Import) and any(_in_search(a.name) for a in node.names):
                wrong.append(f"{path.relative_to(EARSIP)}: import earsip.search…")
    assert wrong == []
