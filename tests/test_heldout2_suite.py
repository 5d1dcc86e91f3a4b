"""The second held-out suite (annotations/heldout2/) has the spread it was written for (that it builds, is
current and its offsets are valid: tests/test_gold_suites.py).

The suite is a blind check measured by the lead; rules must not be developed against it
(annotations/heldout2/README.md). These tests only guard its integrity.
"""

from __future__ import annotations

from collections import Counter

SUITE = "heldout2"  # the suite, gold, texts and records fixtures (tests/conftest.py) read it


def test_suite_size_and_article_length(suite):
    files = sorted(suite.raw.glob("*.txt"))
    assert len(files) >= 6
    for f in files:
        words = len(f.read_text(encoding="utf-8").split())
        assert 250 <= words <= 600, (f.name, words)


def test_tags_declared_and_used(gold, records):
    classes = set(gold["classes"])
    used = Counter(t for rec in records for q in rec["quotes"] for t in q["tags"])
    assert all(q.get("tags") for rec in records for q in rec["quotes"]), "a quote without tags"
    assert set(used) == classes, classes ^ set(used)


def test_descriptive_speakers_declared(gold, records):
    descriptive = set(gold["descriptive_speakers"])
    for rec in records:
        for q in rec["quotes"]:
            if "descriptive" in q["tags"]:
                assert q["speaker"] in descriptive, (rec["article_id"], q["speaker"])
            elif q["speaker"] is not None and q["speaker"][0].islower():
                assert q["speaker"] in descriptive, (rec["article_id"], q["speaker"])
