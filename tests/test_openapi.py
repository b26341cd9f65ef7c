"""The OpenAPI description stays true: every route is in it, and real answers match it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from config import PROJECT_ROOT, Config
from earsip.api.describe import spec
from tests.conftest import ADMIN_PASSWORD, serving

# The description as it was written by hand before it was generated (December 2026): the
# contract every later description keeps.
BASELINE = PROJECT_ROOT / "tests" / "openapi_v1_baseline.json"


def _api_routes(app: Flask) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            found |= {(m.lower(), path) for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    return found


def test_every_api_route_is_described_and_nothing_else(app: Flask) -> None:
    described = {(method, path) for path, ops in spec(app)["paths"].items() for method in ops}
    assert described == _api_routes(app)


def _properties(schema: object, where: str) -> Iterator[str]:
    """Every property of a schema, nested ones too, as where/name/name..."""
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            yield f"{where}/{name}"
            yield from _properties(sub, f"{where}/{name}")
        yield from _properties(schema.get("items"), f"{where}[]")


def _contract(description: dict) -> set[str]:
    """Each path, method, status, parameter, body field, required field and answer field."""
    found: set[str] = set()
    for path, ops in description["paths"].items():
        for method, op in ops.items():
            at = f"{method.upper()} {path}"
            found.add(at)
            for p in op.get("parameters", []):
                found.add(f"{at} {p['in']}:{p['name']} {_canon(p['schema'])}")
            for kind, media in op.get("requestBody", {}).get("content", {}).items():
                found |= {f"{at} body {kind} required {sorted(media['schema']['required'])}"
                          } if "required" in media["schema"] else set()
                found |= {f"{at} body{p} {s}" for p, s in _leaves(media["schema"], "")}
            for status, answer in op["responses"].items():
                found.add(f"{at} {status}")
                if answer.get("$ref"):
                    found.add(f"{at} {status} {answer['$ref']}")
                for kind, media in answer.get("content", {}).items():
                    found |= {f"{at} {status} {kind}{p}"
                              for p in _properties(media["schema"], "")}
    found.add(_canon(description["components"]["responses"]["Error"]))
    return found


def _canon(value: object) -> str:
    import json

    return json.dumps(value, sort_keys=True)


def _leaves(schema: dict, where: str) -> Iterator[tuple[str, str]]:
    for name, sub in schema.get("properties", {}).items():
        yield f"{where}/{name}", _canon(sub)


def test_every_path_method_status_and_field_of_the_written_description_is_still_there(
        app: Flask) -> None:
    """The generated description keeps the hand-written one's contract (it may add to it)."""
    import json

    lost = _contract(json.loads(BASELINE.read_text())) - _contract(spec(app))
    assert not lost, sorted(lost)


def test_the_description_is_served_to_anyone(client) -> None:
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200 and r.get_json()["openapi"] == "3.1.0"


@pytest.fixture
def live(archive, config: Config) -> Iterator[str]:
    """A waitress server on 127.0.0.1 over the test archive."""
    with serving(config) as url:
        yield url


def _new_bearer(live: str) -> dict[str, str]:
    import json
    import urllib.request

    req = urllib.request.Request(  # noqa: S310 (loopback)
        f"{live}/api/v1/tokens", method="POST",
        data=json.dumps({"username": "admin", "password": ADMIN_PASSWORD}).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310
        return {"Authorization": f"Bearer {json.loads(r.read())['token']}"}


@pytest.fixture
def bearer(live: str) -> dict[str, str]:
    return _new_bearer(live)


# Revoking tokens can revoke the very token schemathesis sends, and resetting an account's
# password, deactivating it or taking its roles can do the same to the administrator's: those
# operations are exercised in a run of their own, with a token of their own, so the others
# are not left with a revoked token or a lesser account.
ISOLATED = (r"^(DELETE /api/v1/tokens/\{token_id\}|POST /api/v1/tokens/revoke-all"
            r"|(PATCH|POST) /api/v1/users/\{user_id\}(/active|/password)?)$")


def test_schemathesis_finds_no_answer_that_contradicts_the_description(
        live: str, bearer: dict[str, str], tmp_path) -> None:
    """Generated requests (valid and invalid) against a real server, every answer checked.

    `positive_data_acceptance` is left out: a request can satisfy the schema and still be
    refused for reasons a JSON Schema cannot state (the search query's grammar, a
    classification code that does not exist, a date outside 1900–2200), and those refusals are
    the product working. Every other check runs, including "no server error", documented
    status codes, response schemas and that invalid input is refused. The stateful phase is
    left out: the description declares no links between operations for it to follow.
    """
    import os
    import subprocess
    import sys
    from pathlib import Path

    st = Path(sys.executable).parent / "schemathesis"
    seed = os.environ.get("EARSIP_SCHEMATHESIS_SEED", "20261130")
    for headers, selection, report in ((bearer, "--exclude-name-regex", "report"),
                                       (_new_bearer(live), "--include-name-regex",
                                        "report-isolated")):
        result = subprocess.run(
            [str(st), "run", f"{live}/api/v1/openapi.json", "--header",
             f"Authorization: {headers['Authorization']}", "--max-examples", "25", "--seed",
             seed, "--workers", "1", "--exclude-checks", "positive_data_acceptance",
             "--phases", "examples,coverage,fuzzing", selection, ISOLATED,
             "--report-dir", str(tmp_path / report)],
            capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False,
            env={**os.environ, "SCHEMATHESIS_HOOKS": "", "NO_COLOR": "1"})
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
        assert "401 Unauthorized (" not in result.stdout or selection == "--include-name-regex", \
            result.stdout[-3000:]  # the token held to the end
