"""Every page: controls with labels, images with text, one main heading, a language."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from flask.testing import FlaskClient

from tests import filegen
from tests.conftest import ADMIN_PASSWORD

UNLABELLED_TYPES = {"hidden", "submit", "button", "reset"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()
        self.images: list[dict[str, str | None]] = []
        self.h1 = 0
        self.lang: str | None = None
        self.open_labels = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "label":
            self.open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if a.get("type") not in UNLABELLED_TYPES:
                self.controls.append({**a, "_wrapped": "1" if self.open_labels else None})
        elif tag == "img":
            self.images.append(a)
        elif tag == "h1":
            self.h1 += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1


def _check(html: str, path: str) -> None:
    page = _Page()
    page.feed(html)
    assert page.lang in ("id", "en"), path
    assert page.h1 == 1, f"{path}: {page.h1} h1"
    for c in page.controls:
        labelled = (c.get("id") in page.label_for or c.get("aria-label")
                    or c.get("aria-labelledby") or c.get("_wrapped"))
        assert labelled, f"{path}: unlabelled {c}"
    for img in page.images:
        assert img.get("alt"), f"{path}: image without alt {img}"


def test_every_page_labels_its_controls_and_describes_its_images(
        client: FlaskClient, upload, tmp_path: Path) -> None:
    doc_id = upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["isi"])).get_json()["id"]
    _check(client.get("/login").get_data(as_text=True), "/login")
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                "csrf_token": token})
    for path in ("/", "/search", "/search?q=isi", "/documents/new", f"/documents/{doc_id}",
                 f"/documents/{doc_id}/edit", "/classifications", "/classifications/new",
                 "/classifications/KA.00/edit", "/admin/users", "/admin/users/new",
                 "/admin/users/1", "/account/password", "/documents/9999"):
        r = client.get(path)
        _check(r.get_data(as_text=True), path)
