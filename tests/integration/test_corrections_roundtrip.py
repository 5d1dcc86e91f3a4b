"""issue 15 on a REAL server: push pre-annotated articles, make annotations from the predictions
through the API with known changes (keep, change a stance, delete a quote, move a boundary, pick
another speaker, add a missed quote), pull, and `quotekit corrections` counts exactly those; the
rule of each proposal comes back from Label Studio in the export."""

from __future__ import annotations

import copy
import json

import pytest

from fixtures.lsexport import Ann
from toolkit.labelstudio import names as N
from toolkit.labelstudio.tasks import model_version
from toolkit.labelstudio.testing import write_jsonl

pytestmark = pytest.mark.integration

PROJECT = "quotekit corrections round trip"


def _quote_id(result: list[dict], text: str, quote: str) -> str:
    start = text.index(quote)
    (rid,) = [r["id"] for r in result if r.get("type") == "labels" and N.QUOTE in r["value"]["labels"]
              and (r["value"]["start"], r["value"]["end"]) == (start, start + len(quote))]
    return rid


def _speaker_id(result: list[dict], text: str, mention: str) -> str:
    start = text.index(mention)
    (rid,) = [r["id"] for r in result if r.get("type") == "labels" and N.SPEAKER in r["value"]["labels"]
              and r["value"]["start"] == start]
    return rid


def test_corrections_counts_exactly_the_changes_made_through_the_api(ls_server, sample_records, tmp_path, run_cli):
    path = write_jsonl(tmp_path / "articles.jsonl", sample_records)
    pushed = ls_server.cli("ls", "push", path, "--project", PROJECT)
    assert pushed.returncode == 0, pushed.stderr
    client = ls_server.client()
    project = client.find_project(PROJECT)
    tasks = {t["data"]["article_id"]: t for t in client.iter_tasks(project["id"])}
    texts = {r["article_id"]: r["text"] for r in sample_records}

    def annotate(aid: str, edit) -> None:
        pred = tasks[aid]["predictions"][0]
        result = copy.deepcopy(pred["result"])
        result = edit(result, texts[aid]) or result
        client.create_annotation(tasks[aid]["id"], result, parent_prediction=pred["id"], lead_time=30.0)

    def int1(result, text):
        # Hun Sen's quote kept; Mu Sochua's stance changed from 'against' to 'neutral'
        q = _quote_id(result, text, "It shows that the regime fears the truth,")
        for r in result:
            if r.get("id") == q and r.get("from_name") == N.STANCE:
                r["value"]["choices"] = ["neutral"]

    def int2(result, text):
        # deleted: the opposition's quote, with its relations
        gone = _quote_id(result, text, "the elections were a sham")
        result = [r for r in result if r.get("id") != gone and r.get("from_id") != gone and r.get("to_id") != gone]
        # boundary: 'Sam Rainsy would be arrested on arrival' -> 'Sam Rainsy would be arrested' (same region)
        moved = _quote_id(result, text, "Sam Rainsy would be arrested on arrival")
        end = text.index("Sam Rainsy would be arrested") + len("Sam Rainsy would be arrested")
        for r in result:
            if r.get("id") == moved:
                r["value"]["end"] = end
                r["value"]["text"] = text[r["value"]["start"]:end]
        # another speaker: 'the road was closed' is said_by Kuy Kuong's mention instead of the village chief
        road = _quote_id(result, text, "the road was closed")
        chief, kuong = _speaker_id(result, text, "A village chief"), _speaker_id(result, text, "Kuy Kuong")
        for r in result:
            if r.get("type") == "relation" and (r["from_id"], r["to_id"]) == (road, chief):
                r["to_id"] = kuong
        return result

    def int3(result, text):
        # kept, and a quote the pre-annotator missed is added
        extra = Ann(text, seed="added")
        extra.quote("Nothing else happened today", None, "neutral", kind="indirect", unknown=True)
        result += extra.result

    annotate("int-1", int1)
    annotate("int-2", int2)
    annotate("int-3", int3)
    out = tmp_path / "corrections.json"
    pulled = ls_server.cli("ls", "pull", "--project", PROJECT, "-o", out)
    assert pulled.returncode == 0, pulled.stderr

    code, stdout, err = run_cli(["corrections", out, "--json", "--chart", tmp_path / "chart.png"])
    assert code == 0, err
    r = json.loads(stdout.strip().splitlines()[-1])
    assert (r["tasks"], r["annotations"], r["annotations_without_prediction"]) == (3, 3, 0)
    assert (r["proposed"], r["final"], r["kept"], r["deleted"], r["added"]) == (6, 6, 2, 1, 1)
    assert r["edited"] == {"boundary": 1, "speaker": 1, "stance": 1, "kind": 0, "quotes": 3}
    assert r["stance_confusion"] == {"against": {"neutral": 1}, "favor": {"favor": 2}, "neutral": {"neutral": 2}}
    # the rule of every proposal went to Label Studio in its QUOTE region's meta and came back
    assert set(r["by_rule"]) == {"test"} and r["by_rule"]["test"]["proposed"] == 6
    assert r["by_rule"]["test"]["edited_only"] == {"boundary": 1, "speaker": 1, "stance": 1, "kind": 0, "several": 0}
    assert r["model_versions"] == {model_version(): 3}
    assert r["lead_time"]["seconds"] == 90.0 and r["lead_time"]["annotations"] == 3
    assert (tmp_path / "chart.png").read_bytes()[:4] == b"\x89PNG"

    # evaluate --export scores the pushed predictions against the same annotations
    code, stdout, err = run_cli(["evaluate", "--export", out, "--json"])
    assert code == 0, err
    ev = json.loads(stdout.strip().splitlines()[-1])
    stored = ev["by_model_version"][model_version()]
    assert stored["articles"] == 3
    m = stored["stored"]["by_kind"]["all"]
    assert (m["n_gold"], m["n_pred"], m["overlap"]["matched_gold"], m["quote_speaker"]["matched_gold"]) == (6, 6, 5, 4)
