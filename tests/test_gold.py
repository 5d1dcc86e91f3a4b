"""The hand-written seed gold (annotations/gold/seeds.gold.yaml) resolves cleanly and is well formed."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SEEDS_DIR = Path(__file__).resolve().parents[1] / "annotations" / "raw"  # the shipped raw seeds
GOLD = REPO / "annotations" / "gold" / "seeds.gold.yaml"
SCRIPT = REPO / "scripts" / "build_gold.py"
ARTICLES = REPO / "annotations" / "articles.jsonl"
SPEAKERS = REPO / "configs" / "speakers.yaml"
STANCE = REPO / "configs" / "stance.yaml"

_spec = importlib.util.spec_from_file_location("build_gold", SCRIPT)
build_gold = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_gold)


def _raw_texts() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt"))}


def _sources() -> list:
    params = [pytest.param("raw", id="raw-seeds")]
    params.append(pytest.param("ingest", id="articles.jsonl"))
    return params


@pytest.fixture(scope="module")
def gold() -> dict:
    return build_gold.load_gold(GOLD)


def _texts(source: str) -> dict[str, str]:
    return _raw_texts() if source == "raw" else build_gold.load_articles(ARTICLES)


@pytest.mark.parametrize("source", _sources())
def test_every_span_resolves(gold, source):
    texts = _texts(source)
    records = build_gold.build(gold, texts)  # raises GoldError listing every problem
    assert [r["article_id"] for r in records] == sorted(gold["articles"])
    for rec in records:
        text = texts[rec["article_id"]]
        quotes = rec["quotes"]
        assert len(quotes) == len(gold["articles"][rec["article_id"]])
        for q in quotes:
            assert text[q["start"]:q["end"]] == q["text"]
            if q["speaker_mention"] is not None:
                assert text[q["speaker_start"]:q["speaker_end"]] == q["speaker_mention"]
            else:
                assert q["speaker_start"] is None and q["speaker_end"] is None
        # sorted, no duplicates, no overlaps
        for a, b in zip(quotes, quotes[1:]):
            assert a["end"] <= b["start"], (rec["article_id"], a["text"], b["text"])


def test_same_relative_anchors_on_raw_and_ingested_text(gold):
    """Mention and cue anchor to the same place relative to the quote whatever the text source."""
    keys = ("speaker_start", "speaker_end", "cue_start", "cue_end")

    def rel(rec):
        return [(q["text"], [None if q[k] is None else q[k] - q["start"] for k in keys]) for q in rec["quotes"]]

    raw = build_gold.build(gold, _raw_texts())
    ing = build_gold.build(gold, build_gold.load_articles(ARTICLES))
    assert [rel(r) for r in raw] == [rel(r) for r in ing]


def test_fields_valid(gold):
    registry = {s["name"] for s in yaml.safe_load(SPEAKERS.read_text(encoding="utf-8"))["speakers"]}
    labels = set(yaml.safe_load(STANCE.read_text(encoding="utf-8"))["labels"])
    descriptive = set(gold.get("descriptive_speakers") or [])
    assert descriptive.isdisjoint(registry), "descriptive names already in the registry: drop them"
    assert len(descriptive) <= 10
    used = set()
    allowed_keys = {"text", "kind", "speaker", "speaker_mention", "cue", "stance", "note",
                    "occurrence", "context", "attribution_inside"}
    for article_id, quotes in gold["articles"].items():
        assert (SEEDS_DIR / f"{article_id}.txt").exists() or not SEEDS_DIR.is_dir(), article_id
        seen = set()
        for q in quotes:
            where = (article_id, q.get("text"))
            assert set(q) <= allowed_keys, (where, set(q) - allowed_keys)
            assert q["kind"] in {"direct", "indirect", "mixed"}, where
            assert q["stance"] in labels, where
            assert q["speaker"] in registry | descriptive, where
            assert q["speaker_mention"] is not None or q["speaker"] == "unknown", where
            assert (q["text"], q.get("occurrence"), q.get("context")) not in seen, ("duplicate", where)
            seen.add((q["text"], q.get("occurrence"), q.get("context")))
            used.add(q["speaker"])
    assert descriptive <= used, f"unused descriptive speakers: {descriptive - used}"


def test_wrong_quote_text_names_article(tmp_path, gold):
    bad = json.loads(json.dumps(gold))
    article_id = sorted(bad["articles"])[0]
    target = next(q for q in bad["articles"][article_id] if "context" not in q)
    target["text"] = "words nobody ever said in this article"
    gold_path = tmp_path / "bad.gold.yaml"
    gold_path.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    articles = tmp_path / "articles.jsonl"
    with articles.open("w", encoding="utf-8") as fh:
        for aid, text in (_raw_texts() if SEEDS_DIR.is_dir() else build_gold.load_articles(ARTICLES)).items():
            fh.write(json.dumps({"article_id": aid, "text": text}, ensure_ascii=False) + "\n")
    out = tmp_path / "out.jsonl"

    with pytest.raises(build_gold.GoldError) as exc:
        build_gold.build(build_gold.load_gold(gold_path), build_gold.load_articles(articles))
    assert any(article_id in m and "words nobody ever said" in m for m in exc.value.messages)

    proc = subprocess.run([sys.executable, str(SCRIPT), "--articles", str(articles), "--gold", str(gold_path),
                           "-o", str(out)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert article_id in proc.stderr and "not found" in proc.stderr
    assert not out.exists()


def test_ambiguous_without_occurrence_is_an_error(gold):
    texts = {"a1": "He said “yes.” Later he said “yes.”"}
    g = {"articles": {"a1": [{"text": "yes.", "kind": "direct", "speaker": "unknown", "speaker_mention": "he",
                              "cue": "said", "stance": "neutral"}]}}
    with pytest.raises(build_gold.GoldError, match="a1.*occurs 2 times"):
        build_gold.build(g, texts)
    g["articles"]["a1"][0]["occurrence"] = 2
    (rec,) = build_gold.build(g, texts)
    q = rec["quotes"][0]
    assert q["start"] == texts["a1"].rindex("yes.")
    assert texts["a1"][q["speaker_start"]:q["speaker_end"]] == "he" and q["speaker_start"] > 10


def test_cli_writes_jsonl(tmp_path):
    articles = tmp_path / "articles.jsonl"
    texts = _raw_texts() if SEEDS_DIR.is_dir() else build_gold.load_articles(ARTICLES)
    with articles.open("w", encoding="utf-8") as fh:
        for aid, text in texts.items():
            fh.write(json.dumps({"article_id": aid, "text": text}, ensure_ascii=False) + "\n")
    out = tmp_path / "gold" / "seeds.jsonl"
    assert build_gold.main(["--articles", str(articles), "-o", str(out)]) == 0
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == len(texts)
    assert set(recs[0]) == {"article_id", "quotes"}
    assert set(recs[0]["quotes"][0]) == {"start", "end", "text", "kind", "speaker", "speaker_mention",
                                         "speaker_start", "speaker_end", "cue_start", "cue_end", "stance"}
    assert [p.name for p in out.parent.iterdir()] == ["seeds.jsonl"]  # no temp file left behind


def test_tags_are_copied_and_checked_against_classes():
    texts = {"a1": "He said “yes.” She said “no.”"}
    q1 = {"text": "yes.", "kind": "direct", "speaker": "unknown", "speaker_mention": "He", "cue": "said",
          "stance": "neutral", "tags": ["plain"]}
    q2 = {"text": "no.", "kind": "direct", "speaker": "unknown", "speaker_mention": "She", "cue": "said",
          "stance": "neutral"}
    g = {"classes": {"plain": "an easy quote"}, "articles": {"a1": [q1, q2]}}
    (rec,) = build_gold.build(g, texts)
    assert rec["quotes"][0]["tags"] == ["plain"] and "tags" not in rec["quotes"][1]
    q2["tags"] = ["plian"]
    with pytest.raises(build_gold.GoldError, match=r"a1, quote #2 'no\.'.*unknown tag\(s\) \['plian'\]"):
        build_gold.build(g, texts)
    q2["tags"] = "plain"
    with pytest.raises(build_gold.GoldError, match="'tags' must be a non-empty list"):
        build_gold.build(g, texts)
    del g["classes"]
    q2["tags"] = ["anything"]  # without 'classes' any tag is accepted
    assert build_gold.build(g, texts)[0]["quotes"][1]["tags"] == ["anything"]


def test_invalid_yaml_is_one_line_error_naming_the_line(tmp_path):
    bad = tmp_path / "bad.gold.yaml"
    bad.write_text("articles:\n  a1:\n    - text: x\n      note: a: b\n", encoding="utf-8")
    articles = tmp_path / "articles.jsonl"
    articles.write_text(json.dumps({"article_id": "a1", "text": "x"}) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(SCRIPT), "--articles", str(articles), "--gold", str(bad),
                           "-o", str(tmp_path / "o.jsonl")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"{bad}:4: invalid YAML" in proc.stderr
    proc = subprocess.run([sys.executable, str(SCRIPT), "--articles", str(tmp_path / "missing.jsonl"), "--gold", str(GOLD),
                           "-o", str(tmp_path / "o.jsonl")], capture_output=True, text=True)
    assert proc.returncode == 2 and "missing.jsonl: not found" in proc.stderr
