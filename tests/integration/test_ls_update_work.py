"""Real server: ``ls push --update`` never rewrites a task an annotator worked on (an annotation or
a draft): neither its text nor the prediction the work started from; the summary names it with its
task id. The other tasks get the new proposal, its review panel and its doubt."""

from __future__ import annotations

import copy

from toolkit.labelstudio import names as N
from toolkit.labelstudio.push import push_records
from toolkit.labelstudio.tasks import task_doubt
from toolkit.labelstudio.testing import sample_data
from toolkit.types import Quote

PROJECT = "quotekit update keeps work"


def _tasks(client, pid):
    return {t["data"]["article_id"]: t for t in client.iter_tasks(pid, fields="all")}


def test_update_holds_back_annotated_and_drafted_tasks_and_names_their_ids(ls_server):
    client = ls_server.client()
    recs = sample_data()
    report = push_records(client, recs, PROJECT, progress=False, echo=lambda s: None)
    pid = report.project_id
    before = _tasks(client, pid)
    annotated, drafted, free = (r["article_id"] for r in recs)
    pred = before[annotated]["predictions"][0]
    client.create_annotation(before[annotated]["id"], pred["result"], parent_prediction=pred["id"])
    client.request("POST", f"/api/tasks/{before[drafted]['id']}/drafts", "create a draft", json={"result": [], "lead_time": 2.0})

    changed = copy.deepcopy(recs)
    for r in changed:  # a new proposal for every article, same texts: other scores
        for q in r["quotes"]:
            q["score"] = round(q["score"] / 2, 4)
    again = push_records(client, changed, PROJECT, update=True, progress=False, echo=lambda s: None)
    after = _tasks(client, pid)
    assert sorted(again.worked_not_updated) == sorted([annotated, drafted])
    summary = again.summary()
    for aid in (annotated, drafted):
        assert f"{aid} (task {before[aid]['id']})" in summary
        assert [p["id"] for p in after[aid]["predictions"]] == [p["id"] for p in before[aid]["predictions"]]
        assert after[aid]["data"] == before[aid]["data"]
    assert again.predictions_replaced == 1
    new = next(r for r in changed if r["article_id"] == free)
    want = task_doubt([Quote.from_dict(q) for q in new["quotes"]])
    assert after[free]["data"][N.DOUBT] == want[N.DOUBT] != before[free]["data"][N.DOUBT]
    assert after[free]["predictions"][0]["score"] == round(1 - want[N.DOUBT], 4)
    # the annotation still points at the prediction it started from
    (ann,) = client.request("GET", f"/api/tasks/{before[annotated]['id']}/annotations", "read the annotations")
    assert ann["parent_prediction"] == pred["id"]
