"""Crawling the app as a person would: links and GET forms, breadth first, bounded.

Used by tests/test_crawl.py (every page answers and reads as words) and
tests/e2e/test_phone_width.py (every page fits a phone's width).
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from config import Config, make_test_config
from earsip.services import Archive
from earsip.services.audit.words import ACTIONS
from earsip.services.operations import setup
from tests import world as world_module
from tests.conftest import PG_URL, _reset_postgres, csrf_token

PER_KIND = 2  # pages of one kind (same path shape, query keys and choices) per crawl
PER_PATH = 40  # pages of one path shape per crawl (a search's filters combine endlessly)
MAX_PAGES = 400
MAX_OPTIONS = 60
# Where a crawl starts: the start page, and pages the menu does not link yet.
START = ("/", "/reports/information-service")

# Internal codes that must never reach a person as text.
CODES = set(ACTIONS) | {
    "ocr_pending", "sangat_rahasia", "dinilai_kembali", "password_change_required",
    "not_found", "unsupported_type", "database_busy", "storage_full",
}
# Status words stored in English that the Indonesian interface must translate.
ENGLISH_STATES = {"success", "failure", "refused", "pending", "running", "done", "failed",
                  "submitted", "approved", "executed", "cancelled", "prepared", "confirmed",
                  "extracted", "empty", "destroyed", "transferred", "scheduled", "on_demand"}
REPRS = [re.compile(p) for p in (r"\bNone\b", r"object at 0x", r"datetime\.(date|datetime)\(",
                                 r"Decimal\(", r"\{'", r"\['", r"<built-in", r"\bUndefined\b",
                                 r"%\(\w+\)s")]
# A person reads dates written out (7 Desember 2026) and times in the office's zone (WIB).
RAW_DATE = re.compile(r"\b(19|20)\d\d-\d\d-\d\d\b|\bUTC\b|\b\d+ (bita|bytes)\b")
DOTTED = re.compile(r"\b[a-z]+\.[a-z_]+\b")
FILE_ENDINGS = {"pdf", "png", "tif", "tiff", "jpg", "jpeg", "docx", "xlsx", "csv", "txt", "zip",
                "html", "json", "jsonl", "pem", "exe", "odt"}


class Page(HTMLParser):
    """Links, GET forms and the visible text of one page."""

    SKIP = {"script", "style", "pre", "code", "textarea", "template"}

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, list[tuple[str, list[str]]]]] = []
        self.text: list[str] = []
        self._skip: list[str] = []
        self._form: tuple[str, list[tuple[str, list[str]]]] | None = None
        self._select: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag in self.SKIP or "mono" in a.get("class", "").split():
            self._skip.append(tag)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = a.get("method", "get").lower()
            self._form = (a.get("action", ""), []) if method == "get" else None
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self._form[1].append((a["name"], [a.get("value", "")]))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = (a["name"], [])
            self._form[1].append(self._select)
        elif self._select is not None and tag == "option":
            self._select[1].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.text.append(data.strip())


def kind_of(url: str) -> str:
    """Return what makes two pages the same kind: path shape, query keys and choices.

    Numbers (ids, pages) and classification codes in the path do not make a new kind; a
    choice in the query (a filter's option) does, so every option of every filter is tried.
    """
    parts = urlsplit(url)
    shape = re.sub(r"/(\d+|[A-Z]{2}(\.\d+)*)(?=/|$)", "/N", parts.path)
    keys = sorted({f"{k}={'N' if v.isdecimal() else v}" for k, v in parse_qsl(parts.query)
                   if v and k != "page"})
    return shape + "?" + "&".join(keys)


def form_urls(base: str, action: str, fields: list[tuple[str, list[str]]]) -> Iterator[str]:
    """Yield the form sent with its defaults, then with each choice of each select."""
    target = urljoin(base, action or base).split("?", 1)[0]
    defaults = {name: values[0] if values else "" for name, values in fields}
    yield f"{target}?{urlencode(defaults)}"
    for name, values in fields:
        for value in values[1:MAX_OPTIONS]:
            yield f"{target}?{urlencode({**defaults, name: value})}"


def problems_in(text: list[str], *, language: str) -> list[str]:
    """Return what a person should never read on a page."""
    found = []
    joined = "\n".join(text)
    for pattern in REPRS:
        if m := pattern.search(joined):
            found.append(f"repr {m.group(0)!r} in …{joined[max(0, m.start() - 60):m.end() + 60]}…")
    for m in RAW_DATE.finditer(joined):
        found.append(f"raw {m.group(0)!r} in …{joined[max(0, m.start() - 60):m.end() + 60]}…")
    for m in DOTTED.finditer(joined):
        word = m.group(0)
        if word in CODES or (word.split(".")[-1] not in FILE_ENDINGS and "." in word
                             and word.split(".")[0] in {c.split(".")[0] for c in ACTIONS}):
            found.append(f"code {word!r} in …{joined[max(0, m.start() - 60):m.end() + 60]}…")
    for chunk in text:
        for token in re.findall(r"\b[a-z]+_[a-z_]+\b", chunk):
            found.append(f"code {token!r} in {chunk[:120]!r}")
        if language == "id" and chunk.strip().lower() in ENGLISH_STATES:
            found.append(f"untranslated {chunk!r}")
    return found


def build_world(tmp: Path) -> tuple[Config, world_module.World]:
    """Make a fresh database under `tmp` (or reset the test PostgreSQL) and fill it."""
    if PG_URL:
        _reset_postgres(PG_URL)
        config = make_test_config(tmp, database_url=PG_URL)
    else:
        config = make_test_config(tmp)
    archive = Archive.open(config)
    setup.initialise(archive)
    built = world_module.build(archive, tmp / "files")
    archive.close()
    return config, built


def signed_in(app: Flask, username: str, password: str) -> FlaskClient:
    client = app.test_client()
    r = client.post("/login", data={"username": username, "password": password,
                                    "csrf_token": csrf_token(client)})
    assert r.status_code == 302, f"{username} could not sign in: {r.get_data(as_text=True)}"
    if "/account/password" in r.headers["Location"]:
        pytest.fail(f"{username} must change the password first")
    return client


def crawl(client: FlaskClient, language: str, start: str | None = None
          ) -> tuple[dict[str, int], list[str]]:
    """Visit what the user can reach from `start` (by default from START); return status per
    URL and the problems found. (The public pages take their language from `lang` in
    `start`, not the cookie.)"""
    client.set_cookie("earsip_lang", language)
    seen: set[str] = set()
    kinds: Counter[str] = Counter()
    paths: Counter[str] = Counter()
    queue: deque[str] = deque([start] if start else START)
    statuses: dict[str, int] = {}
    problems: list[str] = []
    while queue and len(statuses) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        kind = kind_of(url)
        path = kind.split("?", 1)[0]
        if kinds[kind] >= PER_KIND or paths[path] >= PER_PATH:
            continue
        kinds[kind] += 1
        paths[path] += 1
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code >= 500 or response.status_code not in (
                200, 301, 302, 303, 304, 307, 308, 403, 404):
            problems.append(f"{url} answered {response.status_code}")
        if 300 <= response.status_code < 400:
            location = response.headers.get("Location", "")
            if location.startswith("/") and not location.startswith("/login"):
                queue.append(location)
        if response.mimetype != "text/html" or response.status_code >= 300:
            response.close()
            continue
        page = Page()
        page.feed(response.get_data(as_text=True))
        response.close()
        problems += [f"{url}: {p}" for p in problems_in(page.text, language=language)]
        for href in page.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or parts.path.startswith("/static/") \
                    or parts.path == "/logout":
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
        for action, fields in page.forms:
            for target in form_urls(url, action, fields):
                if urlsplit(target).path not in ("/logout", "/language"):
                    queue.append(target)
    return statuses, problems
