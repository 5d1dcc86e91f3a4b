"""The held-out suite (annotations/heldout/) has the spread it was written for (that it builds, is current and its
offsets are valid: tests/test_gold_suites.py).

The suite is a blind check run before and after a rule change; rules must not be developed
against it (annotations/heldout/README.md). These tests only guard its integrity.
"""

from __future__ import annotations

from collections import Counter



SUITE = "heldout"  # the suite, gold, texts and records fixtures (tests/conftest.py) read it


def test_suite_size_and_article_length(suite):
    files = sorted(suite.raw.glob("*.txt"))
    assert len(files) >= 14
    for f in files:
        words = len(f.read_text(encoding="utf-8").split())
        assert 250 <= words <= 600, (f.name, words)


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
