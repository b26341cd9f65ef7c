"""The house rules of docs/ARCHITECTURE.md, read from the source: what may import what, where a
service lives, and how long a module may grow."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

EARSIP = Path(__file__).resolve().parent.parent / "earsip"
MAX_LINES = 400
DOORS = ("earsip.web", "earsip.api", "earsip.cli")
# Everything else is below the services: modules that each wrap one library or hold plain rules
# and values (docs/ARCHITECTURE.md, "Modules").
ENTRY = ("earsip.web", "earsip.api", "earsip.cli", "earsip.services", "earsip.http",
         "earsip.extensions", "earsip.__main__")
# Flask's request-bound objects belong to the doors only.
REQUEST_BOUND = {"request", "g", "session", "current_app"}


def module_name(path: Path) -> str:
    parts = path.relative_to(EARSIP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> list[tuple[str, Path]]:
    return sorted((module_name(p), p) for p in EARSIP.rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Return every module (and `module.name`) that `path` imports, relative imports resolved."""
    found: set[str] = set()
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def test_no_module_of_the_package_is_longer_than_four_hundred_lines() -> None:
    long = {name: n for name, path in modules()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}, f"split these along their meaning (docs/ARCHITECTURE.md): {long}"


@pytest.mark.parametrize("name, path", [m for m in modules()
                                        if m[0] != "earsip" and not within(m[0], ENTRY)],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_the_layers_below_the_services_never_import_the_services_or_the_doors(
        name: str, path: Path) -> None:
    upward = {m for m in imported(path)
              if within(m, ("earsip.services", *DOORS)) or m == "flask" or m.startswith("flask.")
              or m == "earsip.create_app"}
    assert upward == set(), f"{name} imports {sorted(upward)}"


@pytest.mark.parametrize("name, path", [m for m in modules() if within(m[0], ("earsip.services",))],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_the_services_never_import_a_door_or_a_request(name: str, path: Path) -> None:
    wrong = {m for m in imported(path) if within(m, DOORS)
             or m in {f"flask.{n}" for n in REQUEST_BOUND} or m == "flask"}
    assert wrong == set(), f"{name} imports {sorted(wrong)}"


def test_every_service_lives_in_an_area_package_that_names_it() -> None:
    services = EARSIP / "services"
    loose = sorted(p.name for p in services.glob("*.py") if p.name != "__init__.py")
    assert loose == [], "a service module belongs in its area's package (docs/ARCHITECTURE.md)"
    for package in sorted(p for p in services.iterdir() if (p / "__init__.py").exists()):
        init = (package / "__init__.py").read_text()
        tree = ast.parse(init)
        named = next(ast.literal_eval(node.value) for node in tree.body
                     if isinstance(node, ast.Assign)
                     and any(getattr(t, "id", "") == "__all__" for t in node.targets))
        present = sorted(p.stem for p in package.glob("*.py") if p.name != "__init__.py")
        assert sorted(named) == present, f"services/{package.name}/__init__.py lists {named}"
        doc = ast.get_docstring(tree) or ""
        missing = [m for m in present if f"`{m}`" not in doc]
        assert missing == [], f"services/{package.name}/__init__.py does not describe {missing}"


def test_no_package_init_of_the_services_imports_anything() -> None:
    for init in (EARSIP / "services").glob("*/__init__.py"):
        tree = ast.parse(init.read_text())
        imports = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
        assert imports == [], f"{init} imports (services import modules, not packages)"


# A service answers with a declared model (earsip/schemas) or a typed view, never a bag of keys
# of any value. `JsonObject` names what is stored as it is (an audit entry's details, a job's
# result, a row's column values); a mapping of one typed value (`dict[str, int]`) is typed.
UNDECLARED = re.compile(r"(?<![\w.])(dict\[str, (object|Any)\]|dict(?!\[)|Any)(?!\w)")


def _public_answers(tree: ast.Module) -> Iterator[tuple[str, str]]:
    """Yield (name, annotation) of what a module's public functions, methods and class fields
    give to their callers."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                and not node.name.startswith("_") and node.returns is not None:
            yield node.name, ast.unparse(node.returns)
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and not item.name.startswith("_") \
                        and item.returns is not None:
                    yield f"{node.name}.{item.name}", ast.unparse(item.returns)
                elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) \
                        and not item.target.id.startswith("_"):
                    yield f"{node.name}.{item.target.id}", ast.unparse(item.annotation)


def undeclared(source: str) -> list[str]:
    """Return the public answers of a module that are plain dictionaries (a task's callable
    field gives its payload to the audit entry, not to a caller)."""
    return [f"{name} -> {note}" for name, note in _public_answers(ast.parse(source))
            if UNDECLARED.search(note) and not note.startswith("Callable[")]


def test_a_plain_dictionary_answer_is_found() -> None:
    assert undeclared("def f() -> dict[str, object]: ...\n") == ["f -> dict[str, object]"]
    assert undeclared("class V:\n    rows: list[dict[str, Any]]\n") \
        == ["V.rows -> list[dict[str, Any]]"]
    assert undeclared("def _f() -> dict[str, object]: ...\n"
                      "def g() -> Document: ...\nclass W:\n    ids: dict[int, Document]\n") == []
    assert undeclared("def f() -> list[Hold]: ...\ndef g(x: JsonObject) -> int: ...\n"
                      "def h() -> dict[str, int]: ...\n") == []
    assert undeclared("def f() -> dict: ...\ndef g() -> Any: ...\n") == ["f -> dict", "g -> Any"]


@pytest.mark.parametrize("name, path", [m for m in modules() if within(m[0], ("earsip.services",))],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_every_public_service_answers_with_a_declared_model_not_a_dictionary(
        name: str, path: Path) -> None:
    found = undeclared(path.read_text())
    assert found == [], f"{name}: declare {found} in earsip/schemas (or as a typed view)"
