"""Headless Chromium for the browser tests: Debian's package driven by Playwright, launched once a
test module (the `browser` fixture in conftest.py) or once a test (`with launched() as browser:`);
screenshots are kept under test-artifacts/ for a person to look at."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent.parent / "test-artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
# a module of browser tests over a live server with the real model: `pytestmark = BROWSER_MODULE`
BROWSER_MODULE = [pytest.mark.browser, pytest.mark.slow, pytest.mark.model, pytest.mark.timeout(300), needs_chromium]


@contextmanager
def launched() -> Iterator:
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path
