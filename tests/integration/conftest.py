"""A real Label Studio server for the whole test session, started with quotekit's own code.

``quotekit ls serve --detach --port <free port> --data-dir <tmp>`` (venv from
``$QUOTEKIT_LS_VENV`` or the default location, installed on first use) and
``quotekit ls stop`` at the end. When the server cannot start, every test that uses it FAILS
with the reason: there is no skip.
"""

from __future__ import annotations

import pytest

from toolkit.labelstudio.testing import LSServer, acquire_server, release_server, sample_data

__all__ = ["ls_server", "sample_records"]


@pytest.fixture(scope="session")
def ls_server(tmp_path_factory) -> LSServer:
    """The session's server (shared with tests/browser, which imports this fixture)."""
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
    return sample_data()
