"""Debian's Chromium, driven by Playwright, for the tests of HTML pages."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: No background networking: this machine's closed network would refuse it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium(what: str):  # noqa: ANN201 - playwright Browser
    """A headless Chromium; a missing one fails the test loudly, never skips it."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} not found: the {what} tests need a real browser; "
            "install it with `apt-get install chromium`"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
