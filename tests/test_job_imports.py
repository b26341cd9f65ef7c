"""The job machinery and the worker import in one direction only: no cycle through them.

`jobs.py` finds each kind's work in the explicit table `job_kinds.HANDLERS`; `worker.py` serves
the queue with `jobs.execute`. The check reads every import of every module under
earsip/services, those inside functions included (a deferred import is a cycle all the same),
and each module is imported first in a fresh interpreter.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SERVICES = Path(__file__).resolve().parent.parent / "earsip" / "services"
PACKAGE = "earsip.services"
MACHINERY = ("operations.jobs", "operations.job_kinds", "operations.worker")


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Return the modules under earsip.services (as `area.module`) that `path` imports,
    anywhere in it."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(PACKAGE):
            base = node.module[len(PACKAGE) + 1:]
            found.update(f"{base}.{alias.name}" for alias in node.names)  # a module imported
            found.add(base)  # or names from one
        elif isinstance(node, ast.Import):
            found.update(alias.name[len(PACKAGE) + 1:] for alias in node.names
                         if alias.name.startswith(PACKAGE + "."))
    return found & modules


def _graph() -> dict[str, set[str]]:
    paths = {".".join(p.relative_to(SERVICES).with_suffix("").parts): p
             for p in SERVICES.rglob("*.py") if p.stem != "__init__"}
    return {name: _imports(path, set(paths)) - {name} for name, path in paths.items()}


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), list(graph[start])
    while todo:
        name = todo.pop()
        if name == goal:
            return True
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return False


def test_jobs_job_kinds_and_worker_are_in_no_import_cycle() -> None:
    graph = _graph()
    assert set(MACHINERY) <= set(graph)
    cycles = [name for name in MACHINERY if _reaches(graph, name, name)]
    assert cycles == [], f"import cycle through {cycles}"
    assert "operations.worker" not in graph["operations.jobs"]
    assert "operations.jobs" not in graph["operations.job_kinds"]


def test_the_cycle_check_finds_a_cycle_when_there_is_one() -> None:
    graph = {"jobs": {"job_kinds"}, "job_kinds": {"ocr"}, "ocr": {"jobs"}, "worker": {"jobs"}}
    assert _reaches(graph, "jobs", "jobs") and not _reaches(graph, "worker", "worker")


@pytest.mark.parametrize("name", MACHINERY)
def test_each_module_of_the_job_machinery_imports_first_in_a_fresh_interpreter(
        name: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {PACKAGE}.{name}"],
                          capture_output=True, text=True, timeout=120, check=False,
                          cwd=SERVICES.parent.parent)
    assert done.returncode == 0, done.stderr


def test_every_kind_of_job_has_its_handler_in_the_table() -> None:
    from earsip.services.operations import job_kinds, jobs

    assert jobs.KINDS == ("ocr", "reindex", "fixity", "suggest.train", "notify.email") \
        == tuple(job_kinds.HANDLERS)
    assert set(job_kinds.GIVEN_UP) <= set(job_kinds.HANDLERS)
