"""The type checker's rules that mypy itself does not enforce: every `# type: ignore` in the
project names its error code and says why, on the same line."""

from __future__ import annotations

import re
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
# `# type: ignore[code]  # reason`: a code, then a comment of at least one word.
EXPLAINED = re.compile(r"#\s*type:\s*ignore\[[a-z-]+(,\s*[a-z-]+)*\]\s+#\s*\w")
IGNORE = re.compile(r"#\s*type:\s*ignore\b")


def _checked_files() -> list[Path]:
    """The package and config.py (which mypy checks), and the tests, benchmarks and scripts
    (which it does not: an ignore there would silence nothing, so none may be left unexplained
    either)."""
    folders = ("earsip", "tests", "bench", "scripts", "tools")
    return sorted(p for folder in folders for p in (PROJECT / folder).rglob("*.py")
                  if p != Path(__file__)) + [PROJECT / "config.py"]


def unexplained(text: str) -> list[int]:
    """Return the numbers of the lines whose `type: ignore` has no code or no reason."""
    return [n for n, line in enumerate(text.splitlines(), start=1)
            if IGNORE.search(line) and not EXPLAINED.search(line)]


def test_a_bare_or_unexplained_type_ignore_is_found() -> None:
    assert unexplained("x = f()  # type: ignore\n") == [1]
    assert unexplained("x = f()  # type: ignore[arg-type]\n") == [1]
    assert unexplained("ok = 1\nx = f()  # type: ignore[arg-type]  # the stubs say str\n") == []
    assert unexplained("x = f()  # type: ignore[attr-defined, override]  # reportlab's own\n") \
        == []


def test_every_type_ignore_in_the_project_names_its_code_and_says_why() -> None:
    found = {str(path.relative_to(PROJECT)): lines for path in _checked_files()
             if (lines := unexplained(path.read_text(encoding="utf-8")))}
    assert found == {}, f"`# type: ignore[code]  # why` expected at {found}"
