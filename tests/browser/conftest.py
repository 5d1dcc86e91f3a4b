"""Browser tests reuse the session's Label Studio server of tests/integration (one server per
session: the fixture's server is reference-counted in ``toolkit.labelstudio.testing``)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_NAME = "quotekit_tests_integration_conftest"
if _NAME not in sys.modules:
    _spec = importlib.util.spec_from_file_location(_NAME, Path(__file__).resolve().parents[1] / "integration" / "conftest.py")
    _module = importlib.util.module_from_spec(_spec)
    sys.modules[_NAME] = _module
    _spec.loader.exec_module(_module)

ls_server = sys.modules[_NAME].ls_server
sample_records = sys.modules[_NAME].sample_records

__all__ = ["ls_server", "sample_records"]
