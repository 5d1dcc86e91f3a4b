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
