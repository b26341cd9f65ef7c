"""Every page a person can reach, for every role at every clearance, in both languages.

One messy archive (tests/world.py) is built once for the module. Each user signs in and
follows, breadth first, every link and every GET form reachable from the start page (each
choice of each select too), a few pages of each kind (tests/crawling.py). Every page must
answer 200, 3xx, 403 or 404, never 5xx, and read as words: no raw `None`, no Python repr, no
internal code (an audit action, a status or class name) where a person reads text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask

from earsip import create_app
from tests import world as world_module
from tests.crawling import build_world, crawl, signed_in


@pytest.fixture(scope="module")
def crawl_app(tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[Flask, world_module.World]]:
    """Return the app over the messy archive, and the world's ids (built once)."""
    config, built = build_world(tmp_path_factory.mktemp("crawl"))
    app = create_app(config)
    yield app, built
    app.extensions["earsip"].close()


@pytest.mark.parametrize("username", ["admin", *world_module.crawl_users()])
def test_every_page_each_user_can_reach_answers_and_reads_as_words_in_both_languages(
        crawl_app: tuple[Flask, world_module.World], username: str) -> None:
    app, _ = crawl_app
    password = "admin-pass-123" if username == "admin" else world_module.PASSWORD
    client = signed_in(app, username, password)
    for language in ("id", "en"):
        statuses, problems = crawl(client, language)
        assert len(statuses) > 5, statuses
        assert not problems, "\n".join(problems[:40])


@pytest.mark.parametrize("language", ["id", "en"])
def test_an_anonymous_visitor_reaches_every_public_page_and_nothing_of_the_archive(
        crawl_app: tuple[Flask, world_module.World], language: str) -> None:
    app, built = crawl_app
    visitor = app.test_client()
    start = "/layanan" + ("?lang=en" if language == "en" else "")
    statuses, problems = crawl(visitor, language, start)
    assert not problems, "\n".join(problems[:40])
    pages = {url.split("?", 1)[0] for url in statuses}
    assert {"/layanan", "/layanan/permohonan", "/layanan/lacak", "/layanan/keberatan"} <= pages
    assert all(p.startswith("/layanan") for p in pages), pages  # nothing of the archive
    assert set(statuses.values()) == {200}, statuses
    if language == "en":  # its links keep the language (and one leads back to Indonesian)
        assert {"/layanan/permohonan?lang=en", "/layanan/lacak?lang=en"} <= set(statuses)
    visitor.delete_cookie("earsip_lang")
    # The world's case, tracked with its number and code on the public page (a POST).
    html = visitor.get("/layanan/lacak").get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert token
    found = visitor.post("/layanan/lacak", data={
        "registration_number": built.titles["case_number"],
        "tracking_code": built.titles["case_code"], "form_token": token.group(1)})
    assert found.status_code == 200 and built.titles["case_number"] in found.get_data(
        as_text=True)


def test_the_crawl_reaches_the_audit_trail_and_its_filters_for_an_auditor(
        crawl_app: tuple[Flask, world_module.World]) -> None:
    app, _ = crawl_app
    statuses, _problems = crawl(signed_in(app, "auditor-sr", world_module.PASSWORD), "id")
    visited = set(statuses)
    assert "/audit" in visited
    assert any(u.startswith("/audit?") and "action=document.file" in u for u in visited)
    assert any(re.fullmatch(r"/audit/\d+", u) for u in visited)
    assert any(u.startswith("/documents/") for u in visited)


def test_the_trail_names_what_happened_in_words(
        crawl_app: tuple[Flask, world_module.World]) -> None:
    app, built = crawl_app
    client = signed_in(app, "auditor-sr", world_module.PASSWORD)
    html = client.get("/audit?action=document.file").get_data(as_text=True)
    assert "menolak unggahan" in html and "mengarsipkan dokumen" in html
    assert "bukan.exe" in html and "palsu.pdf" in html
    assert built.titles["letter"] in html  # a filed document named by its title
    client.set_cookie("earsip_lang", "en")
    html = client.get("/audit?action=document.edit").get_data(as_text=True)
    assert "Surat tugas pengawasan → Surat tugas pengawasan TPS" in html
    assert ">document.edit<" not in html


def test_a_document_history_says_what_changed(
        crawl_app: tuple[Flask, world_module.World]) -> None:
    app, built = crawl_app
    client = signed_in(app, "arsiparis-b", world_module.PASSWORD)
    html = client.get(f"/documents/{built.ids['edited']}").get_data(as_text=True)
    assert "mengubah metadata dokumen" in html
    assert "Surat tugas pengawasan → Surat tugas pengawasan TPS" in html


def test_the_crawl_reaches_the_information_service_report_and_its_downloads_for_the_ppid(
        crawl_app: tuple[Flask, world_module.World]) -> None:
    app, _ = crawl_app
    statuses, problems = crawl(signed_in(app, "ppid-sr", world_module.PASSWORD), "id")
    assert not problems, "\n".join(problems[:20])
    assert any(u.startswith("/reports/information-service") and s == 200
               for u, s in statuses.items())
    downloads = [u for u in statuses if u.startswith("/cases/registers/")]
    assert downloads and all(statuses[u] == 200 for u in downloads)


def test_the_crawl_reaches_the_cases_the_guest_book_and_the_calendar_for_the_desk(
        crawl_app: tuple[Flask, world_module.World]) -> None:
    app, built = crawl_app
    statuses, _problems = crawl(signed_in(app, "petugas-layanan-sr", world_module.PASSWORD), "id")
    visited = set(statuses)
    assert {"/cases", "/cases/new", "/guests", "/calendar", "/calendar/rules"} <= visited
    assert any(u.startswith("/cases?") and "due=overdue" in u for u in visited)
    assert any(u.startswith("/cases/new?type=") for u in visited)
    assert any(re.fullmatch(r"/cases/\d+", u) for u in visited)
    client = signed_in(app, "petugas-layanan-sr", world_module.PASSWORD)
    overdue = client.get("/cases?due=overdue").get_data(as_text=True)
    assert f"/cases/{built.ids['case_overdue']}" in overdue
    assert "Rahmat Hidayat" in client.get("/guests").get_data(as_text=True)
    assert "Tahapan kampanye Pilkada 2024" in client.get("/calendar/rules").get_data(as_text=True)
