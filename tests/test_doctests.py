"""The examples in the pure core's docstrings are run, so they cannot drift from the code."""

import doctest
import importlib
import pkgutil

import pytest

import toolkit.core

CORE_MODULES = sorted(m.name for m in pkgutil.iter_modules(toolkit.core.__path__, "toolkit.core."))


@pytest.mark.parametrize("name", CORE_MODULES)
def test_core_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {name} failed (run python -m doctest -v)"


def test_core_has_examples():
    # the parametrisation above must not silently collect nothing
    assert {"toolkit.core.quotes", "toolkit.core.cues", "toolkit.core.speakers", "toolkit.core.stance"} <= set(CORE_MODULES)
