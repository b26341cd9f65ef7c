"""The Whoosh engine is vendored in all but name: a canary for a Whoosh that changed under it.

`earsip/search` was written against whoosh-reloaded 2.7.5 and reaches past its public API: the
private names below (attributes of its matchers, writers, weightings and tables of contents,
and hooks it overrides) and three of its on-disk layouts. A different Whoosh may change any of
them without notice, and a wrong read of a postings block gives wrong search results rather
than an error. So a different installed version fails here, naming what to revisit; every
private name the package uses must be listed here (a new use without an entry fails); and
every listed name must still exist in the installed Whoosh.

After revisiting: run tests/test_search_planning.py and tests/test_reindex.py (the array
evaluation against Whoosh's own collectors, our writers against Whoosh's own writer), then set
WRITTEN_AGAINST.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import inspect
import re
import sys
from pathlib import Path

import pytest
import whoosh

pytestmark = pytest.mark.whoosh

WRITTEN_AGAINST = "2.7.5"
SEARCH = Path(__file__).resolve().parents[1] / "earsip" / "search"

#: Every private name of Whoosh used in earsip/search: the modules using it, and what it is.
PRIVATE_NAMES: dict[str, tuple[tuple[str, ...], str]] = {
    # W3LeafMatcher (whoosh/codec/whoosh3.py): postings read block by block, straight from the
    # postings file.
    "_blocklength": (("postings",), "W3LeafMatcher: postings in the current block"),
    "_byteids": (("postings",), "W3LeafMatcher: whether ids are stored as bytes"),
    "_compression": (("postings",), "W3LeafMatcher: whether the block is zlib-compressed"),
    "_dataoffset": (("postings",), "W3LeafMatcher: where the block's data starts"),
    "_goto": (("postings",), "W3LeafMatcher: move to the block at an offset"),
    "_lastblock": (("postings",), "W3LeafMatcher: whether this is the term's last block"),
    "_maxid": (("postings",), "W3LeafMatcher: the block's largest id"),
    "_nextoffset": (("postings",), "W3LeafMatcher: where the next block starts"),
    "_postfile": (("postings",), "W3LeafMatcher, W3TermsReader: the open postings file"),
    # whoosh/codec/whoosh3.py: the name of a field's lengths column.
    "_lenfield": (("bulkwrite", "filters"), "the column holding a field's byte-coded lengths"),
    # whoosh/writing.py, whoosh/externalsort.py: the writer and its posting pool, subclassed.
    "_close_segment": (("bulkwrite",), "SegmentWriter: closes the new segment's files"),
    "_commit_toc": (("bulkwrite",), "SegmentWriter: writes the table of contents (overridden)"),
    "_finalize_segment": (("bulkwrite",), "SegmentWriter: the segment's final bookkeeping"),
    "_flush_segment": (("bulkwrite",), "SegmentWriter: writes the postings (overridden)"),
    "_tempstorage": (("bulkwrite",), "SegmentWriter: its temporary storage"),
    "_open_run": (("bulkwrite",), "PostingPool: opens a spilled run"),
    "_read_run": (("bulkwrite",), "PostingPool: reads a spilled run (overridden)"),
    "_remove_run": (("bulkwrite",), "PostingPool: deletes a spilled run"),
    "_write_run": (("bulkwrite",), "PostingPool: writes a spilled run (overridden)"),
    "_fields": (("bulkwrite",), "Schema: its field table, copied for the writer's schema"),
    # whoosh/scoring.py, whoosh/matching: BM25F's per-field B, and the scorer hook.
    "_field_B": (("boolean_arrays", "stats"), "BM25F: the per-field length normalisation"),
    "_score": (("stats",), "WeightLengthScorer: the score of a weight and length (overridden)"),
    # whoosh/query/terms.py: the terms a prefix expands to (overridden by CappedPrefix).
    "_btexts": (("query",), "Prefix/MultiTerm: the expanded terms (overridden)"),
    # whoosh/reading.py, whoosh/codec/whoosh3.py: a segment reader's parts.
    "_segid": (("cache",), "SegmentReader: the id of its segment"),
    "_terms": (("postings",), "SegmentReader: its terms reader (W3TermsReader)"),
    "_codec": (("postings",), "W3TermsReader: its codec, to open a postings reader directly"),
    "_perdoc": (("filters",), "SegmentReader: its per-document reader (W3PerDocReader)"),
    "_cached_reader": (("filters",), "W3PerDocReader: a column's cached reader"),
    # whoosh/index.py: the latest table-of-contents generation in a folder.
    "_latest_generation": (("rebuild",), "TOC: the newest generation on disk"),
}

#: Whoosh's on-disk layouts read or written directly, and the modules doing it.
BYTE_FORMATS: dict[str, tuple[str, ...]] = {
    "W3 postings blocks (zlib-compressed pickles: delta-coded ids, weights, encoded positions)":
        ("postings", "cache"),
    "the field-lengths column (one byte per document, Whoosh's length code)":
        ("bulkwrite", "filters", "stats"),
    "the index folder's files (TOC generations, per-segment file names, hard-linked on a switch)":
        ("rebuild", "health", "index"),
}


def modules_to_revisit() -> dict[str, list[str]]:
    """Return each module of earsip/search that depends on Whoosh's internals, with what of
    them it uses (private names, then formats)."""
    uses: dict[str, list[str]] = {}
    for name, (mods, _) in sorted(PRIVATE_NAMES.items()):
        for m in mods:
            uses.setdefault(f"earsip/search/{m}.py", []).append(name)
    for what, mods in BYTE_FORMATS.items():
        for m in mods:
            uses.setdefault(f"earsip/search/{m}.py", []).append(what.split(" (")[0])
    return dict(sorted(uses.items()))


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _whoosh_names_of(module: str, class_name: str) -> set[str]:
    """Return the identifiers in the source of the Whoosh classes `class_name` derives from."""
    cls = getattr(importlib.import_module(f"earsip.search.{module}"), class_name)
    names: set[str] = set()
    for klass in cls.__mro__:
        if klass.__module__.startswith("whoosh"):
            names |= set(re.findall(r"\b(_[A-Za-z]\w*)\b", inspect.getsource(klass)))
    return names


def _self_attribute(node: ast.AST) -> str | None:
    """Return `x` for `self._x`, `cls._x` and `super()._x`, else None."""
    if not isinstance(node, ast.Attribute):
        return None
    value = node.value
    if isinstance(value, ast.Call) or (isinstance(value, ast.Name)
                                       and value.id in ("self", "cls")):
        return node.attr
    return None


def private_whoosh_names() -> dict[str, set[str]]:
    """Return the private Whoosh names each module of earsip/search uses (read from the source).

    Counted: private names imported from whoosh; in our subclasses of Whoosh classes, private
    attributes and methods that those classes' source also has (what we read, set or override
    of theirs); private attributes named by a string (`getattr(leaf, "_perdoc", None)`: how
    the package probes Whoosh's objects); elsewhere, private attributes that our own code never
    defines, i.e. Whoosh objects' own. (Not seen: `obj._x` on a Whoosh object where `_x` is
    also a name of ours; write such a read as a `getattr` with a string.)
    """
    trees = {p.stem: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(SEARCH.glob("*.py"))}
    used: dict[str, set[str]] = {}
    inherited: set[int] = set()  # nodes counted as Whoosh's inside our subclasses
    for module, tree in trees.items():
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            theirs = _whoosh_names_of(module, cls.name)
            for node in ast.walk(cls):
                name = node.name if isinstance(node, ast.FunctionDef) else _self_attribute(node)
                if name and _private(name) and name in theirs:
                    used.setdefault(name, set()).add(module)
                    inherited.add(id(node))
    ours: set[str] = set()
    for tree in trees.values():
        for node in ast.walk(tree):
            if id(node) in inherited:
                continue
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                ours.add(node.name)
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for sub in (s for t in targets for s in ast.walk(t) if id(s) not in inherited):
                    if isinstance(sub, ast.Name):
                        ours.add(sub.id)
                    elif _self_attribute(sub):
                        ours.add(sub.attr)
    for module, tree in trees.items():
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("whoosh"):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.Attribute) and id(node) not in inherited \
                    and not _self_attribute(node) and node.attr not in ours:
                names = [node.attr]
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                  and node.func.id in ("getattr", "hasattr", "setattr") and len(node.args) > 1
                  and isinstance(node.args[1], ast.Constant)
                  and isinstance(node.args[1].value, str)):
                names = [node.args[1].value]
            for name in filter(_private, names):
                used.setdefault(name, set()).add(module)
    return used


def test_the_installed_whoosh_is_the_version_the_search_engine_was_written_against():
    installed = importlib.metadata.version("whoosh-reloaded")
    if installed != WRITTEN_AGAINST:
        revisit = "\n".join(f"  {path}: {', '.join(uses)}"
                            for path, uses in modules_to_revisit().items())
        names = "\n".join(f"  {name}: {what}" for name, (_, what) in sorted(PRIVATE_NAMES.items()))
        pytest.fail(
            f"whoosh-reloaded {installed} is installed, but earsip/search was written against "
            f"{WRITTEN_AGAINST} and reaches into its private names and on-disk formats. "
            f"Revisit these modules:\n{revisit}\nThe private names:\n{names}\n"
            "Then run tests/test_search_planning.py and tests/test_reindex.py and set "
            "WRITTEN_AGAINST in tests/test_search_whoosh_canary.py.",
            pytrace=False)


def test_every_private_whoosh_name_used_by_the_search_package_is_listed_with_its_modules():
    listed = {name: set(mods) for name, (mods, _) in PRIVATE_NAMES.items()}
    found = private_whoosh_names()
    unlisted = {n: sorted(m) for n, m in found.items() if n not in listed}
    assert not unlisted, f"private Whoosh names used but not in PRIVATE_NAMES: {unlisted}"
    stale = sorted(set(listed) - set(found))
    assert not stale, f"PRIVATE_NAMES lists names no longer used: {stale}"
    moved = {n: sorted(found[n]) for n in listed if found[n] != listed[n]}
    assert not moved, f"private Whoosh names used by other modules than listed: {moved}"


def test_every_listed_private_name_still_exists_in_the_installed_whoosh():
    source = "\n".join(p.read_text(encoding="utf-8")
                       for p in Path(whoosh.__file__).parent.rglob("*.py"))
    present = set(re.findall(r"\b(_[A-Za-z]\w*)\b", source))
    missing = {name: mods for name, (mods, _) in PRIVATE_NAMES.items() if name not in present}
    assert not missing, f"gone from the installed Whoosh; revisit: {missing}"


def test_the_listed_modules_exist():
    for path in modules_to_revisit():
        assert (SEARCH.parents[1] / path).is_file(), path
    assert len(PRIVATE_NAMES) == 29  # the count docs/CHOICES.md gives


def test_the_detector_sees_a_new_private_use(tmp_path, monkeypatch):
    """A private name a module starts using is caught (the scan reads the source, not a list)."""
    copy = tmp_path / "search"
    copy.mkdir()
    for path in SEARCH.glob("*.py"):
        (copy / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    with (copy / "collect.py").open("a", encoding="utf-8") as f:
        f.write("\n\ndef _peek(searcher):\n    return searcher._closereader\n")
    monkeypatch.setattr(sys.modules[__name__], "SEARCH", copy)
    assert private_whoosh_names()["_closereader"] == {"collect"}
