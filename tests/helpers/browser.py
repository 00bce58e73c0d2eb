"""Debian's Chromium, driven by Playwright, for the tests of HTML pages."""

from __future__ import annotations

import os
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


#: Set by ``.ci/run`` (and any CI): there a missing browser fails the tests.
REQUIRED = bool(os.environ.get("KG_REQUIRE_BROWSER") or os.environ.get("CI"))


@contextmanager
def chromium(what: str):  # noqa: ANN201 - playwright Browser
    """A headless Chromium. Without one the test is skipped, saying how to get
    it, on a developer's machine, and fails in CI, where it must run."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} not found: the {what} tests need a real browser; "
            "install it with `apt-get install chromium`"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
