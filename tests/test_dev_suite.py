"""The team-written development suite (annotations/dev/) builds, is current and covers every class of issue 13."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DEV = REPO / "annotations" / "dev"
RAW = DEV / "raw"
GOLD = DEV / "dev.gold.yaml"
ARTICLES = DEV / "articles.jsonl"
DEV_JSONL = DEV / "dev.jsonl"
SCRIPT = REPO / "scripts" / "build_gold.py"

#: the failure classes of issue 13 the suite must exercise, plus plain quotes
CLASSES = {"plain", "description", "dateline", "continuation", "small_clause", "relayed", "registry_miss", "stance"}
MIN_ARTICLES_PER_CLASS = 3  # "several times, spread across articles": never one article per trick

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
    assert len(files) >= 30
    for f in files:
        words = len(f.read_text(encoding="utf-8").split())
        assert 80 <= words <= 250, (f.name, words)


def test_articles_jsonl_is_current(tmp_path):
    """articles.jsonl is what ingest makes of raw/ today (else: annotations/dev/rebuild)."""
    out = tmp_path / "articles.jsonl"
    proc = subprocess.run([sys.executable, "-m", "toolkit", "ingest", str(RAW), "-o", str(out)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    fresh = {r["article_id"]: r["text"] for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert fresh == build_gold.load_articles(ARTICLES), "stale: run annotations/dev/rebuild"
    assert set(fresh) == {p.stem for p in RAW.glob("*.txt")}


def test_gold_builds_and_dev_jsonl_is_current(gold, records):
    assert [r["article_id"] for r in records] == sorted(gold["articles"])
    committed = [json.loads(line) for line in DEV_JSONL.read_text(encoding="utf-8").splitlines()]
    assert committed == records, "stale: run annotations/dev/rebuild"


def test_every_raw_article_has_gold(gold):
    assert set(gold["articles"]) == {p.stem for p in RAW.glob("*.txt")}
    assert all(gold["articles"][a] for a in gold["articles"]), "an article without gold quotes"


def test_offsets_match_text(records, texts):
    for rec in records:
        text = texts[rec["article_id"]]
        quotes = rec["quotes"]
        for q in quotes:
            where = (rec["article_id"], q["text"][:40])
            assert text[q["start"]:q["end"]] == q["text"], where
            assert q["text"] == q["text"].strip(), where
            if q["speaker_mention"] is None:
                assert q["speaker"] is None and q["speaker_start"] is None, where
            else:
                assert text[q["speaker_start"]:q["speaker_end"]] == q["speaker_mention"], where
            if q["cue_start"] is not None:
                cue = text[q["cue_start"]:q["cue_end"]]
                assert re.fullmatch(r"[\w’'-]+(?: [\w’'-]+)?", cue), (where, cue)
        for a, b in zip(quotes, quotes[1:]):
            assert a["end"] <= b["start"], (rec["article_id"], a["text"], b["text"])


def test_every_class_present_in_several_articles(gold, records):
    assert set(gold["classes"]) == CLASSES
    articles = defaultdict(set)
    for rec in records:
        for q in rec["quotes"]:
            assert q.get("tags"), (rec["article_id"], q["text"][:40])
            for tag in q["tags"]:
                articles[tag].add(rec["article_id"])
    for cls in sorted(CLASSES):
        assert len(articles[cls]) >= MIN_ARTICLES_PER_CLASS, (cls, sorted(articles[cls]))


def test_class_examples_are_what_their_tag_says(records, texts):
    """Spot checks that tie a tag to the text, so a mis-tagged quote is caught."""
    seen = defaultdict(int)
    for rec in records:
        text = texts[rec["article_id"]]
        for q in rec["quotes"]:
            par_start = text.rfind("\n", 0, q["start"]) + 1
            par_end = text.find("\n", q["end"])
            par = text[par_start:(len(text) if par_end == -1 else par_end)]
            if "continuation" in q["tags"]:
                # a paragraph that is only the quotation, the speaker's mention in an earlier paragraph
                assert par.strip(" “”\"") == q["text"], rec["article_id"]
                assert q["speaker_end"] < par_start and q["cue_start"] is None
                seen["continuation"] += 1
            if "relayed" in q["tags"]:
                assert text[q["cue_start"]:q["cue_end"]] == "told", rec["article_id"]
                seen["relayed"] += 1
            if "description" in q["tags"]:
                mention = q["speaker_mention"]
                assert mention[0].islower() or mention.split()[0] in {"The", "A"}, (rec["article_id"], mention)
                # the person is named before the description is used
                surname = q["speaker"].split()[-1]
                seen["description"] += surname in text[:q["speaker_start"]] or surname in text[q["speaker_end"]:q["speaker_end"] + 200]
    assert seen["continuation"] >= 5 and seen["relayed"] >= 5 and seen["description"] >= 20


def test_stances_are_balanced(records):
    counts = defaultdict(int)
    for rec in records:
        for q in rec["quotes"]:
            counts[q["stance"]] += 1
    assert all(counts[s] >= 30 for s in ("favor", "against", "neutral")), dict(counts)


def test_descriptive_speakers_declared_and_used(gold):
    descriptive = set(gold["descriptive_speakers"])
    used = {q["speaker"] for quotes in gold["articles"].values() for q in quotes}
    assert descriptive <= used, descriptive - used
    for quotes in gold["articles"].values():
        for q in quotes:
            if q["speaker"][0].islower():  # a description, not a name
                assert q["speaker"] in descriptive, q["speaker"]
