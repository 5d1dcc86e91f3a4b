"""A late-committing import can leave two tasks for one article: the next push removes the copy."""

from __future__ import annotations

from toolkit.labelstudio.push import push_records
from toolkit.labelstudio.tasks import build_task, model_version
from toolkit.labelstudio.testing import make_article

PROJECT = "quotekit duplicates"


def _by_article(client, pid):
    out: dict[str, list[dict]] = {}
    for t in client.iter_tasks(pid, fields="task_only"):
        out.setdefault(t["data"]["article_id"], []).append(t)
    return out


def test_push_removes_unannotated_copies_and_keeps_annotated_ones(ls_server):
    client = ls_server.client()
    records = [make_article(f"dup-{i}", f"D{i}", f"Article {i}. Nothing was said.", []) for i in range(3)]
    report = push_records(client, records, PROJECT, progress=False, echo=lambda s: None)
    pid = report.project_id
    # what an import cut off in transit and sent again leaves behind: copies of two articles
    copies = [build_task(r, None, model_version()).task for r in records[:2]]
    client.import_tasks(pid, copies)
    client.import_tasks(pid, copies[:1])
    assert [len(v) for _, v in sorted(_by_article(client, pid).items())] == [3, 2, 1]
    # an annotator already worked on one copy of dup-1: that work is never deleted
    annotated_copy = max(t["id"] for t in _by_article(client, pid)["dup-1"])
    client.create_annotation(annotated_copy, [])

    again = push_records(client, records, PROJECT, progress=False, echo=lambda s: None)
    tasks = _by_article(client, pid)
    assert again.imported == 0
    assert len(tasks["dup-0"]) == 1 and len(tasks["dup-2"]) == 1
    assert sorted(t["id"] for t in tasks["dup-1"]) == sorted({min(t["id"] for t in tasks["dup-1"]), annotated_copy})
    assert again.duplicates_removed == 2 and again.duplicates_kept == ["dup-1"]
    assert "duplicate tasks" in again.summary()


def test_a_task_with_a_draft_is_never_rewritten_or_deleted(ls_server):
    """Label Studio autosaves a draft within seconds of an annotator's first edit: that task is
    work in progress. `ls push --update` holds back its new text, and a duplicate clean-up keeps it."""
    client = ls_server.client()
    title = "quotekit drafts"
    records = [make_article(f"draft-{i}", f"D{i}", f"Article {i}. Nothing was said.", []) for i in range(2)]
    report = push_records(client, records, title, progress=False, echo=lambda s: None)
    pid = report.project_id
    tid = _by_article(client, pid)["draft-0"][0]["id"]
    client.request("POST", f"/api/tasks/{tid}/drafts", "create a draft", json={"result": [], "lead_time": 3.0})
    # a copy of draft-0 with a draft too, as an interrupted import may leave: both have work, both stay
    copy = client.import_tasks(pid, [build_task(records[0], [], model_version()).task])["task_ids"][0]
    client.request("POST", f"/api/tasks/{copy}/drafts", "create a draft", json={"result": [], "lead_time": 1.0})

    changed = [dict(r, text=r["text"] + " A new last line.") for r in records]
    again = push_records(client, changed, title, update=True, progress=False, echo=lambda s: None)
    tasks = _by_article(client, pid)
    assert again.changed_text_skipped == ["draft-0"] and again.text_updated == 1
    assert sorted(t["id"] for t in tasks["draft-0"]) == sorted([tid, copy]) and again.duplicates_removed == 0
    assert all(t["data"]["text"] == records[0]["text"] for t in tasks["draft-0"])  # the draft's text is untouched
    assert tasks["draft-1"][0]["data"]["text"] == changed[1]["text"]
    assert "with a draft" in again.summary()
