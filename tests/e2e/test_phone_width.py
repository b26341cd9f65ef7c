"""Every page the crawl reaches fits a phone: at 390 px nothing is wider than the viewport.

The crawl (tests/crawling.py) runs as several users over the messy archive; one page of each
path shape is then opened in Chromium at 390 x 844, signed in as the user who reached it. Wide
tables must scroll inside their own box, the menu must fold, long words must wrap.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import pytest

from earsip import create_app
from tests import world as world_module
from tests.conftest import serving
from tests.crawling import build_world, crawl, kind_of, signed_in

USERS = ("admin", "arsiparis-sr", "auditor-sr", "pimpinan-r", "staf-b", "petugas-layanan-r",
         "ppid-r", "penanganan-pelanggaran-t")
PHONE = {"width": 390, "height": 844}
# What is wider than the page itself, as the browser measures it.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-wrap')) {
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
                ' ' + Math.round(box.right));
    }
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


@pytest.fixture(scope="module")
def phone_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """Serve the messy archive; return its URL and one page per path shape (url -> user)."""
    config, _ = build_world(tmp_path_factory.mktemp("phone"))
    app = create_app(config)
    pages: dict[str, tuple[str, str]] = {}
    for user in USERS:
        password = "admin-pass-123" if user == "admin" else world_module.PASSWORD
        statuses, _problems = crawl(signed_in(app, user, password), "id")
        for url, status in statuses.items():
            shape = kind_of(url).split("?", 1)[0]
            if status == 200 and shape not in pages and not urlsplit(url).path.endswith(
                    ("/download", "/searchable", "/preview", ".pdf", ".zip", ".pem", ".jsonl",
                     "/export", "/package")):
                pages[shape] = (url, user)
    app.extensions["earsip"].close()
    with serving(replace(config, testing=False)) as base:
        yield base, {url: user for url, user in pages.values()}


def test_no_page_is_wider_than_a_phone(browser, phone_site) -> None:
    base, pages = phone_site
    assert len(pages) > 15, pages
    too_wide = []
    contexts = {}
    for user in sorted(set(pages.values())):
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(f"{base}/login")
        page.fill("#username", user)
        page.fill("#password", "admin-pass-123" if user == "admin" else world_module.PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        contexts[user] = (context, page)
    for url, user in sorted(pages.items()):
        page = contexts[user][1]
        page.goto(base + url)
        measured = page.evaluate(OVERFLOW)
        if measured["scroll"] > PHONE["width"]:
            too_wide.append(f"{url} ({user}): {measured['scroll']} px; {measured['wide']}")
    for context, _page in contexts.values():
        context.close()
    assert not too_wide, "\n".join(too_wide)


def test_at_phone_width_the_menu_folds_behind_a_button(browser, phone_site) -> None:
    base, _pages = phone_site
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill("#username", "admin")
    page.fill("#password", "admin-pass-123")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    menu = page.locator("#main-menu")
    button = page.locator(".menu-button")
    assert button.is_visible() and not menu.is_visible()
    button.click()
    assert menu.is_visible() and button.get_attribute("aria-expanded") == "true"
    assert page.locator("#main-menu a", has_text="Klasifikasi").is_visible()
    page.set_viewport_size({"width": 1280, "height": 800})
    assert menu.is_visible() and not button.is_visible()
    context.close()
