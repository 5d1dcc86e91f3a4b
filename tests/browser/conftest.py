"""Browser tests: Debian's chromium driven by Playwright, against the session's Label Studio server
(``ls_server`` in tests/conftest.py, which also marks every test here ``browser``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.labelstudio.testing import CHROMIUM, CHROMIUM_FLAGS


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """Debian's chromium driven by Playwright (never `playwright install`); missing = FAILURE."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium"
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1400, "height": 1000},
        )  # fmt: skip
        try:
            yield ctx
        finally:
            ctx.close()
