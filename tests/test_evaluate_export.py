"""quotekit evaluate --export: today's pre-annotator and the stored predictions (per model_version)
scored against the submitted annotations of Label Studio exports."""

from __future__ import annotations

import json

from fixtures.lsexport import Ann, annotation, task, write
from toolkit.corrections import corrections
from toolkit.evaluation import evaluate, evaluate_exports, load_gold, predictions_from_records, read_jsonl
from toolkit.labelstudio.tasks import build_result
from toolkit.labelstudio.testing import quote
from toolkit.pipeline import preannotate_records
from toolkit.types import Quote

T1 = "“We will return,” Sam Rainsy said. Hun Sen said the opposition had planned a coup."
T2 = "Mu Sochua said the court was not independent."


def _prediction(pid: int, version: str, article_id: str, text: str, quotes: list[dict]) -> dict:
    result, _ = build_result(article_id, text, [Quote.from_dict(q) for q in quotes])
    return {"id": pid, "model_version": version, "result": result}


def _export(tmp_path):
    truth = Ann(T1, seed="gt")
    truth.quote("We will return,", "Sam Rainsy", "against", kind="direct")
    truth.quote("the opposition had planned a coup", "Hun Sen", "favor")
    # task 1: the ground truth wins over a later annotation (an empty one: "nobody is quoted")
    t1 = task(T1, id=1, article_id="a", annotations=[
        annotation(truth, id=1, task=1, ground_truth=True),
        annotation([], id=2, task=1, created_at="2026-02-01T10:00:00.000000Z"),
    ])
    # the old rule set found the direct quote only, and gave it to the wrong speaker
    t1["predictions"] = [_prediction(5, "old", "a", T1, [quote(T1, "We will return,", "direct", "Hun Sen", "Hun Sen", "said", "against")])]
    court = Ann(T2, seed="b")
    court.quote("the court was not independent", "Mu Sochua", "against")
    t2 = task(T2, id=2, article_id="b", annotations=[annotation(court, id=3, task=2)])
    t2["predictions"] = [_prediction(6, "new", "b", T2, [quote(T2, "the court was not independent", "indirect", "Mu Sochua", "Mu Sochua", "said", "against")])]
    return write(tmp_path / "export.json", [t1, t2])


def test_today_and_each_stored_version_are_scored_on_the_same_annotations(tmp_path):
    r = evaluate_exports([_export(tmp_path)])
    today = r["today"]["report"]["by_kind"]["all"]
    assert r["articles"] == 2 and today["n_gold"] == 3  # the ground truth of task 1, not its later empty annotation
    assert today["quote_speaker"]["f1"] == 1.0  # today's rules find all three plain quotes and their speakers
    assert set(r["by_model_version"]) == {"old", "new"}
    old = r["by_model_version"]["old"]
    assert old["articles"] == 1
    stored = old["stored"]["by_kind"]["all"]
    assert (stored["n_gold"], stored["n_pred"], stored["overlap"]["matched_gold"], stored["quote_speaker"]["matched_gold"]) == (2, 1, 1, 0)
    assert old["today"]["by_kind"]["all"]["n_gold"] == 2  # today is scored again on the old version's articles only
    assert old["today"]["by_kind"]["all"]["quote_speaker"]["f1"] == 1.0
    new = r["by_model_version"]["new"]["stored"]["by_kind"]["all"]
    assert (new["n_gold"], new["quote_speaker"]["f1"], new["stance_accuracy"]) == (1, 1.0, 1.0)


def test_the_committed_export_scores_as_its_gold_file(repo):
    """The sample export was submitted from annotations/gold/seeds.jsonl: scoring today's
    pre-annotator on the export must give the very figures of scoring it on the gold file."""
    export = repo / "annotations" / "exports" / "seeds-v1.json"
    articles = repo / "annotations" / "articles.jsonl"
    r = evaluate_exports([export])
    gold = load_gold(repo / "annotations" / "gold" / "seeds.jsonl", articles=articles)
    today = predictions_from_records(list(preannotate_records(read_jsonl(articles))), gold.texts)
    expected = evaluate(gold, today)
    assert r["articles"] == len(gold.attributions)
    assert r["today"]["report"]["by_kind"] == expected["by_kind"]
    assert r["today"]["report"]["by_rule"] == expected["by_rule"]
    (version, stored), = r["by_model_version"].items()
    assert version == "quotekit-0.1.0+rules-1" and stored["articles"] == len(gold.attributions)
    # the stored proposals are the ones the corrections report compares with
    assert stored["stored"]["by_kind"]["all"]["n_pred"] == corrections([export]).proposed


def test_cli_export_mode(tmp_path, run_cli):
    path = _export(tmp_path)
    code, out, err = run_cli(["evaluate", "--export", path, "--json"])
    assert code == 0, err
    d = json.loads(out.strip().splitlines()[-1])
    assert d["today"]["label"].endswith("model blank") and set(d["by_model_version"]) == {"old", "new"}
    code, out, err = run_cli(["evaluate", "--export", path])
    assert code == 0, err
    assert "old (stored)" in out and "on the same articles" in out
    for args, said in ((["evaluate"], "pass GOLD and PRED"), (["evaluate", path, path, "--export", path], "not both"),
                       (["evaluate", "--export", tmp_path / "nope.json"], "file not found")):
        code, _, err = run_cli(args)
        assert code == 2 and said in err and len(err.strip().splitlines()) == 1, err


def test_export_without_annotations_or_of_another_config_is_refused(tmp_path, run_cli):
    code, _, err = run_cli(["evaluate", "--export", write(tmp_path / "todo.json", [task(T1, id=1, article_id="a")])])
    assert code == 2 and "no submitted annotation" in err
    ner = [{"id": "n1", "from_name": "label", "to_name": "text", "type": "labels",
            "value": {"start": 0, "end": 3, "text": T1[:3], "labels": ["PER"]}}]
    path = write(tmp_path / "ner.json", [task(T1, id=1, article_id="a", annotations=[annotation(ner, id=1, task=1)])])
    code, _, err = run_cli(["evaluate", "--export", path])
    assert code == 2 and "not an export of a quotekit project" in err and "--allow-foreign" in err
