"""Shared fixtures (one home): paths to the repo and its sample corpus, the session's real Label
Studio server, and the tiers: every test that uses the server (``ls_server``) or lives in
tests/integration is marked ``integration``, every test that uses ``browser`` or lives in
tests/browser is marked ``browser``, so ``pytest -m "not integration and not browser"`` never
starts a server or a browser."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RAW = REPO / "annotations" / "raw"
ARTICLES = REPO / "annotations" / "articles.jsonl"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def sample_articles() -> list[dict]:
    return [json.loads(line) for line in ARTICLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def pytest_collection_modifyitems(config, items):
    for item in items:
        parts = Path(str(item.fspath)).parts
        fixtures = set(getattr(item, "fixturenames", ()))
        if "integration" in parts or "ls_server" in fixtures:
            item.add_marker(pytest.mark.integration)
        if "browser" in parts or "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.integration)  # a browser test needs the server too


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory):
    """A real Label Studio server for the whole test session, started with quotekit's own code
    (``quotekit ls serve --detach`` on a free port and a temporary data dir; ``ls stop`` at the
    end). When it cannot start, every test that uses it FAILS with the reason: there is no skip."""
    from toolkit.labelstudio.testing import acquire_server, release_server

    try:
        server = acquire_server(tmp_path_factory.getbasetemp())
    except RuntimeError as exc:
        pytest.fail(str(exc))
    try:
        yield server
    finally:
        release_server()


@pytest.fixture
def sample_records() -> list[dict]:
    from toolkit.labelstudio.testing import sample_data

    return sample_data()
