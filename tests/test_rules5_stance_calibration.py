"""The stance pre-fill threshold keeps what configs/stance.yaml says it was chosen for.

prefill_min_score is the lowest proposal score whose pre-filled precision on the development
data (the seeds and the dev suite without its stance check block, dev50 and later) is at least
90%. This test pre-annotates that data with the blank pipeline and checks the property: at the
shipped threshold pre-filled stances are right at least 90% of the time. A rule change that
breaks it must re-derive the threshold (configs/stance.yaml says how)."""

from pathlib import Path

import pytest

from toolkit.evaluation import evaluate, load_gold, predictions_from_records, read_jsonl
from toolkit.pipeline import preannotate_records

REPO = Path(__file__).resolve().parent.parent
POOL = [
    (REPO / "annotations/gold/seeds.jsonl", REPO / "annotations/articles.jsonl"),
    (REPO / "annotations/dev/dev.jsonl", REPO / "annotations/dev/articles.jsonl"),
]


def _in_pool(article_id: str) -> bool:
    """The dev suite's stance check block (dev50 and later) is kept out: it checks, it does not tune."""
    return not (article_id.startswith("dev") and article_id[3:5].isdigit() and int(article_id[3:5]) >= 50)


@pytest.fixture(scope="module")
def pooled():
    """Matched (gold stance, proposed stance) over the pool, proposals with the shipped threshold."""
    out = {"prefilled": 0, "right": 0}
    for gold_path, articles_path in POOL:
        gold = load_gold(gold_path, articles=articles_path)
        gold.attributions = {a: q for a, q in gold.attributions.items() if _in_pool(a)}
        articles = [r for r in read_jsonl(articles_path) if r["article_id"] in gold.attributions]
        pred = predictions_from_records(list(preannotate_records(articles)), gold.texts)
        m = evaluate(gold, pred)["by_kind"]["all"]
        out["prefilled"] += m["stance_prefilled"]
        out["right"] += m["stance_prefilled_correct"]
    return out


def test_prefilled_stances_are_right_at_least_90_percent_on_the_development_data(pooled):
    assert pooled["prefilled"] >= 150  # the pool is the seeds and the dev suite, not a handful
    assert pooled["right"] / pooled["prefilled"] >= 0.90

