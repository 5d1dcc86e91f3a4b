"""The team-written development suite (annotations/dev/) covers every class of issue 13 (that it
builds and is current: tests/test_gold_suites.py)."""

from __future__ import annotations

from collections import defaultdict


#: the failure classes of issue 13 the suite must exercise, plus plain quotes
CLASSES = {"plain", "description", "dateline", "continuation", "small_clause", "relayed", "registry_miss", "stance"}
MIN_ARTICLES_PER_CLASS = 3  # "several times, spread across articles": never one article per trick


SUITE = "dev"  # the suite, gold, texts and records fixtures (tests/conftest.py) read it


def test_suite_size_and_article_length(suite):
    files = sorted(suite.raw.glob("*.txt"))
    assert len(files) >= 30
    for f in files:
        words = len(f.read_text(encoding="utf-8").split())
        assert 80 <= words <= 250, (f.name, words)


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
