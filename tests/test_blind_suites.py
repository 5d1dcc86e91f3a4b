"""The blind held-out suites written with tags and descriptive speakers (annotations/heldout2/,
heldout3/, heldout4/, heldout5/, heldout6/) have the spread they were written for (that they build, are current and their offsets
are valid: tests/test_gold_suites.py).

The suites are blind checks measured by the lead; rules must not be developed against them (their
READMEs). These tests only guard their integrity; one copy of each check, one row per suite.
"""

from __future__ import annotations

from collections import Counter

import pytest

_SPREAD = ("pronoun", "description", "cross_paragraph", "registry_miss", "descriptive", "no_cue",
           "foreign", "implicit_stance", "partisan_neutral", "postposed", "small_clause")

#: suite -> (at least this many articles, tags each found in at least 3 articles)
BLIND_SUITES = {
    "heldout2": (14, _SPREAD),
    "heldout3": (12, _SPREAD + ("coordinated", "according_to", "denial", "belief", "relayed", "continuation")),
    "heldout4": (12, _SPREAD + ("coordinated", "according_to", "denial", "belief", "continuation", "interrupted",
                                "multi_sentence")),
    "heldout5": (12, _SPREAD + ("coordinated", "according_to", "denial", "belief", "continuation", "interrupted",
                                "multi_sentence", "relayed")),
    "heldout6": (10, _SPREAD + ("coordinated", "according_to", "denial", "belief", "interrupted", "multi_sentence",
                                "document")),
}


@pytest.fixture(scope="module", params=sorted(BLIND_SUITES))
def blind(request, gold_suite):
    return gold_suite(request.param)


def _quotes(blind):
    return [(rec["article_id"], q) for rec in blind.records for q in rec["quotes"]]


def test_suite_size_and_article_length(blind):
    words = {f.name: len(f.read_text(encoding="utf-8").split()) for f in blind.raw.glob("*.txt")}
    assert len(words) >= BLIND_SUITES[blind.name][0] and all(250 <= n <= 600 for n in words.values()), words


def test_every_quote_tagged_and_every_tag_declared_and_used(blind):
    classes = set(blind.gold["classes"])
    assert all(q.get("tags") for _, q in _quotes(blind)), "a quote without tags"
    used = Counter(t for _, q in _quotes(blind) for t in q["tags"])
    assert set(used) == classes, classes ^ set(used)
    for tag in BLIND_SUITES[blind.name][1]:
        articles = {aid for aid, q in _quotes(blind) if tag in q["tags"]}
        assert len(articles) >= 3, (tag, sorted(articles))


def test_stances_and_kinds_spread(blind):
    stances = Counter(q["stance"] for _, q in _quotes(blind))
    kinds = Counter(q["kind"] for _, q in _quotes(blind))
    assert all(stances[s] >= 50 for s in ("favor", "against", "neutral")), dict(stances)
    assert all(kinds[k] >= 40 for k in ("direct", "indirect", "mixed")), dict(kinds)


def test_descriptive_speakers_declared(blind):
    descriptive = set(blind.gold["descriptive_speakers"])
    for aid, q in _quotes(blind):
        if "descriptive" in q["tags"] or (q["speaker"] is not None and q["speaker"][0].islower()):
            assert q["speaker"] in descriptive, (aid, q["speaker"])
    assert descriptive <= {q["speaker"] for _, q in _quotes(blind)}, "a descriptive speaker no quote uses"


def test_no_speaker_and_no_cue_quotes_are_tagged(blind):
    for aid, q in _quotes(blind):
        assert (q["speaker"] is None) == ("no_speaker" in q["tags"]), (aid, q["text"][:40])
        assert (q["cue_start"] is None) <= ("no_cue" in q["tags"]), (aid, q["text"][:40])


def test_registry_miss_tag_matches_the_registry(blind, repo):
    """registry_miss is on exactly the quotes of named speakers configs/speakers.yaml does not hold."""
    import yaml

    registry = yaml.safe_load((repo / "configs" / "speakers.yaml").read_text(encoding="utf-8"))
    names = {e["name"] for e in registry["speakers"]}
    descriptive = set(blind.gold["descriptive_speakers"])
    for aid, q in _quotes(blind):
        if q["speaker"] is None or q["speaker"] in descriptive:
            continue
        assert (q["speaker"] not in names) == ("registry_miss" in q["tags"]), (aid, q["speaker"])
