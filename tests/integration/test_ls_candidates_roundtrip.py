"""Real server: a project made with the registry list alone (issue 18's first screen, no candidate
radio) gets the candidate list from ``ls push --update``; the task an annotator worked on keeps
its data and prediction and its export reads as before; the others get candidates and predictions
valid for the new config; ``build`` reads both kinds."""

from __future__ import annotations

import copy

from toolkit.labelstudio import names as N
from toolkit.labelstudio.push import push_records
from toolkit.labelstudio.testing import older_project, sample_data

PROJECT = "quotekit candidates older"


def _tasks(client, pid):
    return {t["data"]["article_id"]: t for t in client.iter_tasks(pid, fields="all")}


def test_a_project_without_the_candidate_list_gets_it_and_keeps_its_work(ls_server, tmp_path):
    from toolkit.config import load_registry, load_stance
    from toolkit.dataset import build_dataset
    from toolkit.labelstudio.config import speaker_control_of
    from toolkit.labelstudio.export import ExportReader, IssueLog
    from toolkit.labelstudio.pull import pull_export

    client = ls_server.client()
    scheme, registry = load_stance(), load_registry()
    recs = sample_data()
    project = older_project(client, PROJECT, "Taxonomy", "quotekit-0.1.0+older", recs[:2])
    before = _tasks(client, project["id"])
    assert all(N.SPEAKER_CANDIDATES not in t["data"] for t in before.values())
    worked = before[recs[0]["article_id"]]
    pred = worked["predictions"][0]
    # the annotator changed a speaker in the registry list (Hun Sen -> Sar Kheng)
    result = copy.deepcopy(pred["result"])
    changed = [r for r in result if r.get("from_name") == N.SPEAKER_NAME and r["value"]["taxonomy"] == [["Hun Sen"]]]
    assert len(changed) == 1
    changed[0]["value"]["taxonomy"] = [["Sar Kheng"]]
    client.create_annotation(worked["id"], result, parent_prediction=pred["id"])

    report = push_records(client, recs, PROJECT, update=True, progress=False, echo=lambda s: None)
    assert report.config_updated and report.speaker_control == "Candidates"
    assert speaker_control_of(client.get_project(project["id"])["label_config"]) == "Candidates"
    after = _tasks(client, project["id"])
    # the worked task: untouched (no candidates in its data, the prediction the work started from)
    assert after[worked["data"]["article_id"]]["data"] == worked["data"]
    assert [p["id"] for p in after[worked["data"]["article_id"]]["predictions"]] == [pred["id"]]
    assert report.worked_not_updated == [recs[0]["article_id"]]
    # the free task and the new one: candidates, and the speakers named among them
    for rec in recs[1:]:
        task = after[rec["article_id"]]
        offered = [c["value"] for c in task["data"][N.SPEAKER_CANDIDATES]]
        picks = [r["value"]["choices"][0] for p in task["predictions"] for r in p["result"] if r.get("from_name") == N.SPEAKER_PICK]
        assert set(picks) <= set(offered)
        assert not [r for p in task["predictions"] for r in p["result"] if r.get("from_name") == N.SPEAKER_NAME]
    assert any(after[r["article_id"]]["data"][N.SPEAKER_CANDIDATES] for r in recs[1:])
    assert [c["value"] for c in after["int-2"]["data"][N.SPEAKER_CANDIDATES]][:2] == ["Cambodia National Rescue Party", "Koy Kuong"]
    # accept the new proposal of int-2: its candidates come back as speakers
    t2 = after["int-2"]
    p2 = t2["predictions"][0]
    client.create_annotation(t2["id"], p2["result"], parent_prediction=p2["id"])

    out = tmp_path / "older.json"
    pull_export(client, PROJECT, out, echo=lambda s: None)
    log = IssueLog(strict=True)
    arts = {a.article_id: a for a in ExportReader([out], issues=log, stance_labels=scheme.labels).articles()}
    assert log.total == 0, log.messages
    first = {q.text: q.speaker for q in arts[recs[0]["article_id"]].quotes}
    assert "Sar Kheng" in first.values() and "Hun Sen" not in first.values()  # read as before: the registry pick
    want = {q["text"]: (registry.canonical(q["speaker"]) if q["speaker"] else None) for q in recs[1]["quotes"]}
    assert {q.text: q.speaker for q in arts["int-2"].quotes} == want
    s = build_dataset([out], tmp_path / "ds", strict=True, chart=False)
    assert s.articles == 2 and s.skipped == {}
