"""Real server: ``ls push --update`` never rewrites a task an annotator worked on (an annotation or
a draft): neither its text nor the prediction the work started from; the summary names it with its
task id. The other tasks get the new proposal, its review panel and its doubt."""

from __future__ import annotations

import copy

from toolkit.labelstudio import names as N
from toolkit.labelstudio.push import push_records
from toolkit.labelstudio.tasks import task_doubt
from toolkit.labelstudio.testing import older_project, sample_data
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


def test_a_project_made_with_the_older_speaker_drop_down_keeps_it(ls_server):
    """Label Studio 1.23's editor crashes (TypeError in the Taxonomy) when a SPEAKER region whose
    annotation holds the older ``choices`` result is selected under the Taxonomy config: a project
    made before issue 18 keeps its Choices drop-down, and its new predictions use it."""
    from toolkit.config import load_stance
    from toolkit.labelstudio.config import speaker_control_of
    from toolkit.labelstudio.export import ExportReader, IssueLog
    from toolkit.labelstudio.pull import pull_export

    client = ls_server.client()
    title = PROJECT + " older"
    scheme = load_stance()
    recs = sample_data()
    project = older_project(client, title, "Choices", "older", recs[:2])
    first = _tasks(client, project["id"])[recs[0]["article_id"]]
    pred = first["predictions"][0]
    client.create_annotation(first["id"], pred["result"], parent_prediction=pred["id"])

    report = push_records(client, recs, title, update=True, progress=False, echo=lambda s: None)
    assert report.speaker_control == "Choices" and "keeps its speaker drop-down" in report.summary()
    assert speaker_control_of(client.get_project(project["id"])["label_config"]) == "Choices"
    after = _tasks(client, project["id"])
    speaker = [r for t in after.values() for p in t["predictions"] for r in p["result"] if r.get("from_name") == N.SPEAKER_NAME]
    assert len(speaker) >= 3 and {r["type"] for r in speaker} == {"choices"}
    assert recs[2]["article_id"] in after  # the new article, imported with the older control
    # a fresh project gets the candidate list and the searchable list
    fresh = push_records(client, recs[:1], title + " fresh", progress=False, echo=lambda s: None)
    assert fresh.speaker_control == "Candidates"
    assert speaker_control_of(client.get_project(fresh.project_id)["label_config"]) == "Candidates"
    # and the export of the older project reads as ever
    import tempfile
    from pathlib import Path

    out = Path(tempfile.mkdtemp()) / "older.json"
    pull_export(client, title, out, echo=lambda s: None)
    log = IssueLog()
    (art,) = ExportReader([out], issues=log, stance_labels=scheme.labels).articles()
    assert len(art.quotes) == len(recs[0]["quotes"]), log.messages
