"""The third held-out suite (annotations/heldout3/) has the spread it was written for (that it builds, is
current and its offsets are valid: tests/test_gold_suites.py).

The suite is a blind check measured by the lead; rules must not be developed against it
(annotations/heldout3/README.md). These tests only guard its integrity.
"""

from __future__ import annotations

from collections import Counter

SUITE = "heldout3"  # the suite, gold, texts and records fixtures (tests/conftest.py) read it


def test_suite_size_and_article_length(suite):
    words = {f.name: len(f.read_text(encoding="utf-8").split()) for f in suite.raw.glob("*.txt")}
    assert len(words) >= 12 and all(250 <= n <= 600 for n in words.values()), words


def test_every_quote_tagged_and_every_tag_declared_and_used(gold, records):
    classes = set(gold["classes"])
    assert all(q.get("tags") for rec in records for q in rec["quotes"]), "a quote without tags"
    used = Counter(t for rec in records for q in rec["quotes"] for t in q["tags"])
    assert set(used) == classes, classes ^ set(used)
    for tag in ("pronoun", "description", "cross_paragraph", "registry_miss", "descriptive", "no_cue",
                "foreign", "implicit_stance", "partisan_neutral", "postposed", "small_clause", "coordinated",
                "according_to", "denial", "belief", "relayed", "continuation"):
        articles = {rec["article_id"] for rec in records for q in rec["quotes"] if tag in q["tags"]}
        assert len(articles) >= 3, (tag, sorted(articles))


def test_stances_and_kinds_spread(records):
    quotes = [q for rec in records for q in rec["quotes"]]
    stances = Counter(q["stance"] for q in quotes)
    kinds = Counter(q["kind"] for q in quotes)
    assert all(stances[s] >= 50 for s in ("favor", "against", "neutral")), dict(stances)
    assert all(kinds[k] >= 40 for k in ("direct", "indirect", "mixed")), dict(kinds)


def test_descriptive_speakers_declared(gold, records):
    descriptive = set(gold["descriptive_speakers"])
    for rec in records:
        for q in rec["quotes"]:
            if "descriptive" in q["tags"] or (q["speaker"] is not None and q["speaker"][0].islower()):
                assert q["speaker"] in descriptive, (rec["article_id"], q["speaker"])
    assert descriptive <= {q["speaker"] for rec in records for q in rec["quotes"]}, "a descriptive speaker no quote uses"


def test_no_speaker_and_no_cue_quotes_are_tagged(records):
    for rec in records:
        for q in rec["quotes"]:
            assert (q["speaker"] is None) == ("no_speaker" in q["tags"]), (rec["article_id"], q["text"][:40])
            assert (q["cue_start"] is None) <= ("no_cue" in q["tags"]), (rec["article_id"], q["text"][:40])


def test_registry_miss_tag_matches_the_registry(records, gold, repo):
    """registry_miss is on exactly the quotes of named speakers configs/speakers.yaml does not hold."""
    import yaml

    registry = yaml.safe_load((repo / "configs" / "speakers.yaml").read_text(encoding="utf-8"))
    names = {e["name"] for e in registry["speakers"]}
    descriptive = set(gold["descriptive_speakers"])
    for rec in records:
        for q in rec["quotes"]:
            if q["speaker"] is None or q["speaker"] in descriptive:
                continue
            assert (q["speaker"] not in names) == ("registry_miss" in q["tags"]), (rec["article_id"], q["speaker"])
