"""The team-written gold suites (annotations/dev/: development; annotations/heldout/, heldout2/, heldout3/, heldout4/, heldout5/, heldout6/:
blind, held out) build, are current and their gold offsets are valid. Suite-specific checks (size,
classes, balance) are in tests/test_dev_suite.py, tests/test_heldout_suite.py and tests/test_blind_suites.py."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(params=["dev", "heldout", "heldout2", "heldout3", "heldout4", "heldout5", "heldout6"])
def suite(request, gold_suite):
    return gold_suite(request.param)


def test_articles_jsonl_is_current(suite, tmp_path):
    """articles.jsonl is what ingest makes of raw/ today (else: the suite's rebuild)."""
    out = tmp_path / "articles.jsonl"
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ingest", str(suite.raw), "-o", str(out)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    fresh = {r["article_id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert fresh == suite.texts, f"stale: run {suite.rebuild}"
    assert set(fresh) == {p.stem for p in suite.raw.glob("*.txt")}


def test_gold_builds_and_derived_gold_is_current(suite):
    assert [r["article_id"] for r in suite.records] == sorted(suite.gold["articles"])
    committed = [json.loads(line) for line in suite.derived.read_text(encoding="utf-8").splitlines()]
    assert committed == suite.records, f"stale: run {suite.rebuild}"


def test_every_raw_article_has_gold(suite):
    articles = suite.gold["articles"]
    assert set(articles) == {p.stem for p in suite.raw.glob("*.txt")}
    assert all(articles[a] for a in articles), "an article without gold quotes"


def test_offsets_match_text(suite):
    for rec in suite.records:
        text = suite.texts[rec["article_id"]]
        quotes = rec["quotes"]
        for q in quotes:
            others = [(o["start"], o["end"]) for o in quotes if o is not q]
            where = (rec["article_id"], q["text"][:40])
            assert text[q["start"]:q["end"]] == q["text"], where
            assert q["text"] == q["text"].strip(), where
            if q["speaker_mention"] is None:
                assert q["speaker"] is None and q["speaker_start"] is None, where
            else:
                assert text[q["speaker_start"]:q["speaker_end"]] == q["speaker_mention"], where
                # a mention is never resolved inside another quote's span
                assert not any(a <= q["speaker_start"] < b for a, b in others), where
            if q["cue_start"] is not None:
                cue = text[q["cue_start"]:q["cue_end"]]
                assert re.fullmatch(r"[\w’'-]+(?: [\w’'-]+)?", cue), (where, cue)
            if q["kind"] == "direct":  # the words inside the marks: no mark at the span's ends
                assert q["text"][0] not in "“\"" and q["text"][-1] not in "”\"", where
        for a, b in zip(quotes, quotes[1:]):
            assert a["end"] <= b["start"], (rec["article_id"], a["text"], b["text"])
