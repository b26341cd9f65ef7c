"""Browser tests: Playwright driving Debian's Chromium against a waitress server on 127.0.0.1.

`make test` installs the Debian `chromium` package and sets EARSIP_REQUIRE_BROWSER=1, so there
these tests run or fail; run by hand on a machine without Chromium, they are skipped.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import replace

import pytest

from config import Config
from tests.conftest import serving

CHROMIUM = os.environ.get("EARSIP_CHROMIUM", "/usr/bin/chromium")
# The flags this machine's closed network needs (no background connections, no QUIC).
CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("EARSIP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's "
                        "chromium package")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return CHROMIUM


@pytest.fixture
def server(archive, config: Config) -> Iterator[str]:
    """Serve the app with waitress on a free port of 127.0.0.1; yield its base URL."""
    with serving(replace(config, testing=False)) as url:
        yield url


@pytest.fixture
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()
