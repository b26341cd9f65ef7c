"""PDF bombs and loops sent to a live server: each is stopped by the extraction limits with a
truthful outcome (refused with a reason, or filed saying its text could not be read), never a
server error, and `/api/v1/health` keeps answering within a second throughout."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from config import Config
from earsip.services import Archive
from earsip.services.operations import setup
from tests import filegen
from tests.conftest import serving
from tests.live import FIELDS, Client, upload_watching_health

# What each must end as: filed with this text status (and words of its message), or refused.
BOMBS: dict[str, tuple[Callable[[Path], Path], str, str]] = {
    "flate": (lambda p: filegen.make_flate_bomb_pdf(p, inflated_mb=300), "failed",
              "demi keamanan"),
    "lzw": (lambda p: filegen.make_lzw_bomb_pdf(p, inflated_mb=300), "failed", "demi keamanan"),
    # pypdf follows neither loop: the page's text is read.
    "circular-xref": (filegen.make_circular_xref_pdf, "extracted", ""),
    "cyclic-outline": (filegen.make_cyclic_outline_pdf, "extracted", ""),
    "page-tree-loop": (filegen.make_page_tree_loop_pdf, "refused", "Berkas PDF rusak"),
    "deep-nesting": (filegen.make_deeply_nested_pdf, "refused", "Berkas PDF rusak"),
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
    make, outcome, words = BOMBS[kind]
    payload = make(tmp_path / f"{kind}.pdf").read_bytes()
    (status, body, _), health, elapsed = upload_watching_health(
        client, payload, {**FIELDS, "title": f"Bom {kind}"})
    assert elapsed < 30
    assert health and max(health) < 1.0
    if outcome == "refused":
        assert status == 415, body
        assert body["error"]["code"] == "unreadable_file"
        assert words in body["error"]["message"], body
    else:
        assert status == 201, body
        assert body["text_status"] == outcome, body
        assert words in (body["text_message"] or ""), body
