"""The office dimension of reading: an office user reads only their office's documents (one of
another office answers like a missing one, and is neither listed nor counted); a province
supervisor reads every office's within clearance; the province administrator only their own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from earsip.access import Principal, reach
from earsip.errors import NotFound
from earsip.services import Archive
from earsip.services.records import dashboard, ingest
from earsip.services.records.documents import (
    DocumentInput,
    open_file,
    recent_documents,
    view_document,
)
from tests import filegen
from tests.test_offices import _office, _user_in

CLASSES = ("biasa", "terbatas", "rahasia", "sangat_rahasia")


def _file(archive: Archive, officer: Principal, tmp_path: Path, tag: str) -> list[int]:
    ids = []
    for security in CLASSES:
        pdf = filegen.make_text_pdf(tmp_path / f"{tag}-{security}.pdf", [f"Surat {tag}"])
        ids.append(ingest.file_document(archive, officer.actor(), pdf, pdf.name, DocumentInput(
            title=f"Surat {tag} {security}", classification="KA.00", security=security,
            document_date=dt.date(2024, 1, 2)), clearance=officer.clearance).document_id)
    return ids


@pytest.fixture
def world(archive: Archive, tmp_path: Path) -> dict[str, list[int]]:
    _office(archive, "JI-16", "Bawaslu Kabupaten Mojokerto", "Mojokerto")
    home = _user_in(archive, "arsip_a", "JI-XX", "arsiparis", clearance="sangat_rahasia")
    away = _user_in(archive, "arsip_b", "JI-16", "arsiparis", clearance="sangat_rahasia")
    return {"JI-XX": _file(archive, home, tmp_path, "a"),
            "JI-16": _file(archive, away, tmp_path, "b")}


def test_reach_is_the_own_office_but_every_office_for_a_province_supervisor() -> None:
    staff = Principal(1, "s", frozenset({"staf"}), "biasa", office_id=3)
    keeper = Principal(2, "p", frozenset({"admin_provinsi"}), "biasa", office_id=3)
    supervisor = Principal(3, "v", frozenset({"supervisor_provinsi"}), "biasa", office_id=3)
    operator = Principal(0, "cli", frozenset({"admin"}), "sangat_rahasia")
    assert reach(staff) == reach(keeper) == frozenset({3})
    assert reach(supervisor) is None and reach(operator) is None


@pytest.mark.parametrize("roles", [("arsiparis",), ("staf",), ("admin", "arsiparis"),
                                   ("admin_provinsi",), ("pimpinan",)])
@pytest.mark.parametrize("clearance", CLASSES)
def test_an_office_user_never_reads_lists_or_counts_another_offices_documents(
        archive: Archive, world: dict[str, list[int]], roles: tuple[str, ...],
        clearance: str) -> None:
    reader = _user_in(archive, "baca_b", "JI-16", *roles, clearance=clearance)
    for doc_id in world["JI-XX"]:
        with pytest.raises(NotFound):
            view_document(archive, reader, doc_id)
        with pytest.raises(NotFound):
            open_file(archive, reader, doc_id)
    listed = {d.id for d in recent_documents(archive, reader, limit=50)}
    assert listed and listed <= set(world["JI-16"])
    visible = CLASSES.index(clearance) + 1
    assert dashboard.overview(archive, reader).total == visible
    assert view_document(archive, reader, world["JI-16"][0]).id == world["JI-16"][0]


@pytest.mark.parametrize("clearance", CLASSES)
def test_a_province_supervisor_reads_both_offices_within_clearance(
        archive: Archive, world: dict[str, list[int]], clearance: str) -> None:
    supervisor = _user_in(archive, "pengawas", "JI-16", "supervisor_provinsi",
                          clearance=clearance)
    visible = CLASSES.index(clearance) + 1
    for ids in world.values():
        for n, doc_id in enumerate(ids):
            if n < visible:
                assert view_document(archive, supervisor, doc_id).id == doc_id
            else:
                with pytest.raises(NotFound):
                    view_document(archive, supervisor, doc_id)
    assert dashboard.overview(archive, supervisor).total == 2 * visible
    listed = {d.id for d in recent_documents(archive, supervisor, limit=50)}
    assert listed == set(world["JI-XX"][:visible]) | set(world["JI-16"][:visible])


def test_the_retention_report_lists_only_the_offices_within_reach(
        archive: Archive, world: dict[str, list[int]]) -> None:
    from earsip.services.retention import cycle

    later = dt.date(2200, 1, 1)
    reader = _user_in(archive, "laporan_b", "JI-16", "arsiparis", clearance="sangat_rahasia")
    supervisor = _user_in(archive, "pengawas", "JI-16", "supervisor_provinsi",
                          clearance="sangat_rahasia")
    own = {r.id for r in cycle.report(archive, reader, "due", as_of=later).results}
    every = {r.id for r in cycle.report(archive, supervisor, "due", as_of=later).results}
    assert own == set(world["JI-16"])
    assert every == set(world["JI-16"]) | set(world["JI-XX"])


def test_a_hold_is_neither_placed_on_nor_read_from_another_offices_document(
        archive: Archive, world: dict[str, list[int]]) -> None:
    from earsip.schemas.retention import HoldInput
    from earsip.services.retention import holds

    officer = _user_in(archive, "hold_b", "JI-16", "arsiparis", clearance="sangat_rahasia")
    with pytest.raises(NotFound):
        holds.place_hold(archive, officer, HoldInput(
            reference="REG-1", reason="Sengketa", document_ids=[world["JI-XX"][0]]))
    with pytest.raises(NotFound):
        holds.holds_covering(archive, officer, world["JI-XX"][0])
    assert holds.holds_covering(archive, officer, world["JI-16"][0]) == []
