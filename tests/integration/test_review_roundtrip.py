"""quotekit review against a REAL Label Studio server: two accounts annotate the same task
differently through the API, ``review`` creates the review task (every version as a prediction,
the differences in its data), re-running adds nothing, a third account submits the final version,
and ``build`` with both projects' exports keeps the adjudicated version; an adjudicated task is not
reopened when an annotator changes their version afterwards."""

from __future__ import annotations

import json
from dataclasses import replace

import pyarrow.parquet as pq
import pytest

from toolkit.labelstudio.tasks import build_result
from toolkit.labelstudio.testing import ensure_user, sample_data, write_jsonl
from toolkit.types import Quote

pytestmark = pytest.mark.integration

SOURCE = "quotekit review source"
REVIEW = "quotekit review source (review)"


def _result(rec: dict, quotes: list[Quote]) -> list[dict]:
    return build_result(rec["article_id"], rec["text"], quotes)[0]


def _other_stance(q: Quote) -> Quote:
    return replace(q, stance={"favor": "against", "against": "neutral"}.get(q.stance, "favor"))


@pytest.fixture(scope="module")
def setup(ls_server, tmp_path_factory):
    """The sample articles pushed, annotated by alice and bob: int-1 differently (the stance of its
    first quote), int-2 alike, int-3 by alice only."""
    tmp = tmp_path_factory.mktemp("review")
    records = sample_data()
    proc = ls_server.cli("ls", "push", write_jsonl(tmp / "articles.jsonl", records), "--project", SOURCE)
    assert proc.returncode == 0, proc.stderr
    client = ls_server.client()
    ids = {name: ensure_user(client, f"{name}@review.test") for name in ("alice", "bob", "carol")}
    pid = client.find_project(SOURCE)["id"]
    tasks = {t["data"]["article_id"]: t for t in client.iter_tasks(pid)}
    by_id = {r["article_id"]: r for r in records}
    quotes = {aid: [Quote.from_dict(q) for q in rec["quotes"]] for aid, rec in by_id.items()}
    assert quotes["int-1"], "the sample article int-1 has quotes"
    bob_1 = [_other_stance(quotes["int-1"][0])] + quotes["int-1"][1:]
    plan = [("int-1", "alice", quotes["int-1"]), ("int-1", "bob", bob_1), ("int-2", "alice", quotes["int-2"]),
            ("int-2", "bob", quotes["int-2"]), ("int-3", "alice", quotes["int-3"])]
    for aid, who, qs in plan:
        client.create_annotation(tasks[aid]["id"], _result(by_id[aid], qs), completed_by=ids[who])
    return {"tmp": tmp, "client": client, "ids": ids, "tasks": tasks, "records": by_id, "quotes": quotes, "bob_1": bob_1, "pid": pid}


def _review_tasks(client) -> list[dict]:
    project = client.find_project(REVIEW)
    assert project is not None
    return list(client.iter_tasks(project["id"]))


def _review(ls_server, *extra: str) -> dict:
    proc = ls_server.cli("review", "--project", SOURCE, "--json", *extra)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    return json.loads(proc.stdout)


def _stances(task: dict) -> dict[str, list[str]]:
    return {p["model_version"]: sorted(r["value"]["choices"][0] for r in p["result"] if r.get("from_name") == "stance")
            for p in task["predictions"]}


def _kinds(task: dict) -> dict[str, list[str]]:
    return {p["model_version"]: sorted(r["value"]["choices"][0] for r in p["result"] if r.get("from_name") == "kind")
            for p in task["predictions"]}


def test_review_round_trip(ls_server, setup):
    client, ids, records = setup["client"], setup["ids"], setup["records"]
    first = _review(ls_server)
    assert (first["multi_annotated"], first["agreeing"], first["disagreeing"]) == (2, 1, 1)
    assert first["added"] == 1 and first["review_created"] and first["fields"] == {"stance": 1}

    tasks = _review_tasks(client)
    assert len(tasks) == 1
    rt = tasks[0]
    data = rt["data"]
    assert data["article_id"] == "int-1" and data["text"] == records["int-1"]["text"]
    assert data["review_of_task"] == setup["tasks"]["int-1"]["id"] and data["review_of_project"] == setup["pid"]
    assert "stance" in data["review_summary"] and data["review_fields"] == "stance"
    assert sorted(p["model_version"] for p in rt["predictions"]) == ["alice@review.test", "bob@review.test"]
    stances = _stances(rt)
    assert stances["alice@review.test"] != stances["bob@review.test"]
    assert "review_summary" in client.find_project(REVIEW)["label_config"]

    again = _review(ls_server)  # idempotent: nothing new
    assert (again["added"], again["updated"], again["unchanged"], again["review_created"]) == (0, 0, 1, False)
    assert [t["id"] for t in _review_tasks(client)] == [rt["id"]]

    # before anyone reviews it, bob's newer version (alice's stance, another kind) replaces his old one in the task
    qs = setup["quotes"]["int-1"]
    client.create_annotation(setup["tasks"]["int-1"]["id"], _result(records["int-1"], [replace(qs[0], kind="mixed")] + qs[1:]), completed_by=ids["bob"])
    updated = _review(ls_server)
    assert (updated["added"], updated["updated"], updated["fields"]) == (0, 1, {"kind": 1})
    [rt] = _review_tasks(client)
    assert _stances(rt)["bob@review.test"] == stances["alice@review.test"]
    assert "mixed" in _kinds(rt)["bob@review.test"] and rt["data"]["review_fields"] == "kind"
    preds = {p["model_version"]: p["result"] for p in rt["predictions"]}

    # carol adjudicates: alice's version with a third stance on the first quote
    final_first = replace(qs[0], stance=next(s for s in ("favor", "against", "neutral") if s not in (qs[0].stance, setup["bob_1"][0].stance)))
    client.create_annotation(rt["id"], _result(records["int-1"], [final_first] + qs[1:]), completed_by=ids["carol"])

    # bob changes his mind again afterwards: the adjudicated task is not reopened
    client.create_annotation(setup["tasks"]["int-1"]["id"], _result(records["int-1"], setup["bob_1"]), completed_by=ids["bob"])
    third = _review(ls_server)
    assert third["added"] == 0 and third["adjudicated"] == 1 and third["adjudicated_changed"] == ["int-1"]
    after = _review_tasks(client)
    assert [t["id"] for t in after] == [rt["id"]]
    assert {p["model_version"]: p["result"] for p in after[0]["predictions"]} == preds

    tmp = setup["tmp"]
    for title, name in ((SOURCE, "source.json"), (REVIEW, "review.json")):
        proc = ls_server.cli("ls", "pull", "--project", title, "-o", str(tmp / name))
        assert proc.returncode == 0, proc.stderr
    from toolkit.dataset import build_dataset

    summary = build_dataset([tmp / "source.json", tmp / "review.json"], tmp / "ds", chart=False)
    rows = [r for f in (tmp / "ds" / "data" / "quotes").glob("*.parquet") for r in pq.read_table(f).to_pylist()]
    from toolkit.config import load_stance

    labels = load_stance().labels
    got = {r["start"]: labels[r["stance"]] for r in rows if r["article_id"] == "int-1"}
    assert got[final_first.start] == final_first.stance
    assert (summary.adjudicated_articles, summary.agreed_articles, summary.single_annotated_articles) == (1, 1, 1)
    assert summary.articles == 3

    # a reviewer's draft keeps a review task as it is; versions that come to agree are named, not deleted
    q3 = setup["quotes"]["int-3"]
    client.create_annotation(setup["tasks"]["int-3"]["id"], _result(records["int-3"], [_other_stance(q3[0])]), completed_by=ids["bob"])
    fourth = _review(ls_server)
    assert fourth["added"] == 1 and fourth["adjudicated"] == 1
    new = next(t for t in _review_tasks(client) if t["data"]["article_id"] == "int-3")
    client.request("POST", f"/api/tasks/{new['id']}/drafts", "save a draft", json={"result": [], "lead_time": 1.0})
    client.create_annotation(setup["tasks"]["int-3"]["id"], _result(records["int-3"], [replace(q3[0], kind="mixed")]), completed_by=ids["bob"])
    fifth = _review(ls_server)
    assert fifth["in_progress"] == ["int-3"] and fifth["updated"] == 0
    still = next(t for t in _review_tasks(client) if t["data"]["article_id"] == "int-3")
    assert _kinds(still) == _kinds(new)
    client.create_annotation(setup["tasks"]["int-3"]["id"], _result(records["int-3"], [replace(q3[0], kind="mixed")]), completed_by=ids["alice"])
    sixth = _review(ls_server)
    assert sixth["now_agree"] == ["int-3"] and len(_review_tasks(client)) == 2

    # nothing to review: no review project is created
    empty = tmp / "empty.json"
    empty.write_text("[]", encoding="utf-8")
    nothing = _review(ls_server, "--export", str(empty), "--review-project", "quotekit nothing to review")
    assert nothing["review_project_id"] == 0 and client.find_project("quotekit nothing to review") is None
