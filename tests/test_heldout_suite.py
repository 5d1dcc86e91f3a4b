"""The held-out suite (annotations/heldout/) builds, is current and its gold offsets are valid.

The suite is a blind check run before and after a rule change; rules must not be developed
against it (annotations/heldout/README.md). These tests only guard its integrity.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HELDOUT = REPO / "annotations" / "heldout"
RAW = HELDOUT / "raw"
GOLD = HELDOUT / "heldout.gold.yaml"
ARTICLES = HELDOUT / "articles.jsonl"
HELDOUT_JSONL = HELDOUT / "heldout.jsonl"
SCRIPT = REPO / "scripts" / "build_gold.py"

_spec = importlib.util.spec_from_file_location("build_gold", SCRIPT)
build_gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_gold)


@pytest.fixture(scope="module")
def gold() -> dict:
    return build_gold.load_gold(GOLD)


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return build_gold.load_articles(ARTICLES)


@pytest.fixture(scope="module")
def records(gold, texts) -> list[dict]:
    return build_gold.build(gold, texts)  # raises GoldError listing every problem


def test_suite_size_and_article_length():
    files = sorted(RAW.glob("*.txt"))
    assert len(files) >= 14
    for f in files:
        words = len(f.read_text(encoding="utf-8").split())
        assert 250 <= words <= 600, (f.name, words)


def test_articles_jsonl_is_current(tmp_path):
    """articles.jsonl is what ingest makes of raw/ today (else: annotations/heldout/rebuild)."""
    out = tmp_path / "articles.jsonl"
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ingest", str(RAW), "-o", str(out)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    fresh = {r["article_id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert fresh == build_gold.load_articles(ARTICLES), "stale: run annotations/heldout/rebuild"
    assert set(fresh) == {p.stem for p in RAW.glob("*.txt")}


def test_gold_builds_and_heldout_jsonl_is_current(gold, records):
    assert [r["article_id"] for r in records] == sorted(gold["articles"])
    committed = [json.loads(line) for line in HELDOUT_JSONL.read_text(encoding="utf-8").splitlines()]
    assert committed == records, "stale: run annotations/heldout/rebuild"


def test_every_raw_article_has_gold(gold):
    assert set(gold["articles"]) == {p.stem for p in RAW.glob("*.txt")}
    assert all(gold["articles"][a] for a in gold["articles"]), "an article without gold quotes"


def test_offsets_match_text(records, texts):
    for rec in records:
        text = texts[rec["article_id"]]
        quotes = rec["quotes"]
        spans = [(q["start"], q["end"]) for q in quotes]
        for q in quotes:
            where = (rec["article_id"], q["text"][:40])
            assert text[q["start"]:q["end"]] == q["text"], where
            assert q["text"] == q["text"].strip(), where
            if q["speaker_mention"] is None:
                assert q["speaker"] is None and q["speaker_start"] is None, where
            else:
                assert text[q["speaker_start"]:q["speaker_end"]] == q["speaker_mention"], where
                # a mention is never resolved inside another quote's span
                assert not any(a <= q["speaker_start"] < b for a, b in spans), where
            if q["cue_start"] is not None:
                cue = text[q["cue_start"]:q["cue_end"]]
                assert re.fullmatch(r"[\w’'-]+(?: [\w’'-]+)?", cue), (where, cue)
            if q["kind"] == "direct":  # the words inside the marks: no mark inside the span's ends
                assert q["text"][0] not in "“\"" and q["text"][-1] not in "”\"", where
        for a, b in zip(quotes, quotes[1:]):
            assert a["end"] <= b["start"], (rec["article_id"], a["text"], b["text"])


def test_tags_declared_used_and_spread(gold, records):
    classes = set(gold["classes"])
    used = Counter(t for rec in records for q in rec["quotes"] for t in q["tags"])
    assert set(used) == classes, classes ^ set(used)
    for tag in ("pronoun", "description", "cross_paragraph", "registry_miss", "no_cue", "foreign"):
        articles = {rec["article_id"] for rec in records for q in rec["quotes"] if tag in q["tags"]}
        assert len(articles) >= 3, (tag, sorted(articles))


def test_stances_kinds_and_descriptive_speakers(gold, records):
    quotes = [q for rec in records for q in rec["quotes"]]
    stances = Counter(q["stance"] for q in quotes)
    kinds = Counter(q["kind"] for q in quotes)
    assert all(stances[s] >= 30 for s in ("favor", "against", "neutral")), dict(stances)
    assert all(kinds[k] >= 20 for k in ("direct", "indirect", "mixed")), dict(kinds)
    descriptive = set(gold["descriptive_speakers"])
    for q in quotes:
        if q["speaker"] is not None and q["speaker"][0].islower():
            assert q["speaker"] in descriptive, q["speaker"]
