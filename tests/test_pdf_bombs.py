"""PDF bombs and loops sent to a live server: each is stopped by the extraction limits with a
truthful outcome (refused with a reason, or filed saying its text could not be read), never a
server error, and `/api/v1/health` keeps answering within a second throughout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from config import Config
from earsip.services import Archive, setup
from tests import filegen
from tests.conftest import serving
from tests.live import FIELDS, Client, upload_watching_health

BOMBS: dict[str, Callable[[Path], Path]] = {
    "flate": lambda p: filegen.make_flate_bomb_pdf(p, inflated_mb=300),
    "lzw": lambda p: filegen.make_lzw_bomb_pdf(p, inflated_mb=300),
    "circular-xref": filegen.make_circular_xref_pdf,
    "cyclic-outline": filegen.make_cyclic_outline_pdf,
    "page-tree-loop": filegen.make_page_tree_loop_pdf,
    "deep-nesting": filegen.make_deeply_nested_pdf,
}


@pytest.fixture
def server(config: Config) -> Iterator[str]:
    limited = replace(config, extract_timeout_s=5)
    archive = Archive.open(limited)
    setup.initialise(archive)
    archive.close()
    with serving(limited) as url:
        yield url


@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_pdf_bomb_or_loop_is_bounded_and_the_server_keeps_answering(
        server: str, tmp_path: Path, kind: str) -> None:
    client = Client(server).sign_in()
    payload = BOMBS[kind](tmp_path / f"{kind}.pdf").read_bytes()
    (status, body, _), health, elapsed = upload_watching_health(
        client, payload, {**FIELDS, "title": f"Bom {kind}"})
    assert elapsed < 30
    assert max(health, default=0) < 1.0
    assert status < 500, body
    if status == 201:
        assert body["text_status"] in ("extracted", "empty", "failed"), body
        if body["text_status"] != "extracted":
            assert body["text_message"], body
    else:
        assert body["error"]["message"], body
