"""Identifier queries find the document they name first (the set of bench/relevance.py)."""

from __future__ import annotations

import pytest

from bench.relevance import CASES, evaluate


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return evaluate(tmp_path_factory.mktemp("relevance") / "index")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.cls}:{c.query}")
def test_the_document_an_identifier_names_ranks_first(result, case):
    found = next(r for r in result["cases"] if r["query"] == case.query)
    assert found["rank"] == 1, found


@pytest.mark.parametrize("case", [c for c in CASES if c.citing], ids=lambda c: c.query)
def test_documents_citing_a_regulation_come_right_after_it(result, case):
    found = next(r for r in result["cases"] if r["query"] == case.query)
    assert found["citing_next"] == 1.0, found
