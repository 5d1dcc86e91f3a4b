"""Nothing lost when others write at the same time (issue 19, items 1-2), on the real server.

Label Studio retries a task import that hit "database is locked" (its SQLite middleware re-runs
the request), but the first try has already taken the predictions out of the payload: the retry
creates bare tasks and answers ``prediction_count: 0``. ``ls push`` compares every answer with
what it sent, then checks the project at the end (one task per article, each with this push's
prediction), re-creates what the server dropped, and fails with exit 3 naming the tasks when it
cannot: it never reports success over a bare task. One writer per project (ProjectLock): a second
push to the same project waits for the first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from toolkit.errors import ServerError
from toolkit.labelstudio.push import ProjectLock, push_records
from toolkit.labelstudio.testing import make_article, quote, write_jsonl

pytestmark = pytest.mark.integration

QUIET = {"progress": False, "echo": lambda s: None}


def _articles(prefix: str, n: int) -> list[dict]:
    out = []
    for i in range(n):
        text = f"Article {prefix} {i}. “We will return on day {i},” Sam Rainsy said. The road was closed."
        out.append(make_article(f"{prefix}-{i}", f"{prefix} {i}", text, [
            quote(text, f"We will return on day {i},", "direct", "Sam Rainsy", "Sam Rainsy", "said", "against", 0.8),
        ]))
    return out


def _audit(client, pid: int) -> tuple[dict[str, int], list[str]]:
    """(tasks per article, article ids of tasks without any prediction)."""
    count: dict[str, int] = {}
    bare: list[str] = []
    for t in client.iter_tasks(pid, fields="all"):
        aid = t["data"]["article_id"]
        count[aid] = count.get(aid, 0) + 1
        if not t.get("predictions"):
            bare.append(aid)
    return count, sorted(bare)


class DropsPredictions:
    """The real client, but the import of batches ``drop`` reaches the server without its
    predictions and answers ``prediction_count: 0``: what Label Studio's locked-database retry does."""

    def __init__(self, client, drop: set[int], also_break_repair: bool = False):
        self._c, self.drop, self.batch, self.break_repair = client, drop, 0, also_break_repair
        self.url = client.url

    def __getattr__(self, name):
        return getattr(self._c, name)

    def import_tasks(self, pid, tasks):
        self.batch += 1
        if self.batch in self.drop:
            bare = [{k: v for k, v in t.items() if k != "predictions"} for t in tasks]
            resp = self._c.import_tasks(pid, bare)
            assert resp["prediction_count"] == 0
            return resp
        return self._c.import_tasks(pid, tasks)

    def create_prediction(self, *a, **kw):
        if self.break_repair:
            return {}  # accepted, stored nowhere
        return self._c.create_prediction(*a, **kw)


def test_a_batch_stored_without_its_predictions_is_repaired(ls_server):
    client = ls_server.client()
    records = _articles("drop", 9)
    report = push_records(DropsPredictions(client, {2}), records, "quotekit dropped predictions", batch_size=3, **QUIET)
    count, bare = _audit(client, report.project_id)
    assert bare == [] and count == {r["article_id"]: 1 for r in records}
    assert report.import_shortfall == {"tasks": 0, "predictions": 3}
    assert sorted(report.predictions_repaired) == ["drop-3", "drop-4", "drop-5"]
    assert "3 pre-annotations the server dropped re-created" in report.summary()
    # idempotent: a second push neither imports nor re-creates anything
    again = push_records(client, records, "quotekit dropped predictions", batch_size=3, **QUIET)
    assert again.imported == 0 and again.predictions_repaired == []
    for t in client.iter_tasks(report.project_id, fields="all"):
        assert len(t["predictions"]) == 1, t["data"]["article_id"]


def test_a_repair_that_does_not_take_fails_naming_the_tasks(ls_server):
    client = ls_server.client()
    records = _articles("norepair", 4)
    with pytest.raises(ServerError) as exc:
        push_records(DropsPredictions(client, {1}, also_break_repair=True), records, "quotekit no repair",
                     batch_size=2, **QUIET)
    msg = str(exc.value)
    assert exc.value.exit_code == 3
    assert "2 tasks in project 'quotekit no repair' are still without their pre-annotation" in msg
    assert "norepair-0 (task " in msg and "norepair-1 (task " in msg and "--update" in msg


def test_the_same_check_after_update(ls_server):
    """--update replaces predictions one task at a time: a replacement that is lost is caught too."""
    client = ls_server.client()
    title = "quotekit update check"
    records = _articles("upd", 3)
    push_records(client, records, title, **QUIET)
    changed = [dict(r, quotes=[dict(q, stance="neutral") for q in r["quotes"]]) for r in records]
    with pytest.raises(ServerError, match=r"3 tasks in project 'quotekit update check' are still without"):
        push_records(DropsPredictions(client, set(), also_break_repair=True), changed, title, update=True, **QUIET)
    report = push_records(client, changed, title, update=True, **QUIET)
    assert report.predictions_replaced == 3 and report.predictions_repaired == []  # the re-run puts them back
    count, bare = _audit(client, report.project_id)
    assert bare == [] and set(count.values()) == {1}


ANNOTATOR = textwrap.dedent("""
    import itertools, os, sys, time
    from toolkit.labelstudio.client import Connection, LabelStudioClient
    url, token, pid, stop = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    c = LabelStudioClient(Connection(url, token), retries=1)
    tasks = [t["id"] for t in c.iter_tasks(pid, fields="task_only")]
    n = 0
    for tid in itertools.cycle(tasks):
        if os.path.exists(stop):
            break
        try:
            c.create_annotation(tid, [{"id": f"r{n}", "from_name": "label", "to_name": "text", "type": "labels",
                                       "value": {"start": 0, "end": 7, "text": "Article", "labels": ["QUOTE"]}}])
            n += 1
        except Exception:
            pass
    print(n)
""")


def _start_annotator(ls_server, tmp_path: Path, title: str) -> tuple[subprocess.Popen, Path]:
    client = ls_server.client()
    rep = push_records(client, _articles(f"busy-{title[-2:]}", 20), title, **QUIET)
    stop = tmp_path / f"stop-{rep.project_id}"
    proc = subprocess.Popen([sys.executable, "-c", ANNOTATOR, ls_server.url, ls_server.token, str(rep.project_id), str(stop)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, stop


def _stop_annotator(proc: subprocess.Popen, stop: Path) -> int:
    stop.touch()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return int(out.strip() or 0)


def test_push_during_annotation_leaves_no_bare_task_and_no_duplicate(ls_server, tmp_path):
    """200 tasks in batches of 10 while two annotator processes write in another project."""
    annotators = [_start_annotator(ls_server, tmp_path, f"quotekit annotators a{i}") for i in range(2)]
    try:
        src = write_jsonl(tmp_path / "articles.jsonl", _articles("load", 200))
        proc = ls_server.cli("ls", "push", str(src), "--project", "quotekit push under load", "--batch-size", "10",
                             timeout=900)
    finally:
        written = sum(_stop_annotator(p, s) for p, s in annotators)
    assert proc.returncode == 0, proc.stderr
    assert written > 0  # the annotators really wrote during the push
    client = ls_server.client()
    pid = client.find_project("quotekit push under load")["id"]
    count, bare = _audit(client, pid)
    assert bare == [], f"{len(bare)} tasks without pre-annotation: {bare[:5]}"
    assert len(count) == 200 and set(count.values()) == {1}
    assert "200 tasks imported" in proc.stdout


def test_two_identical_pushes_started_together_give_one_project_one_task_each(ls_server, tmp_path):
    title = "quotekit twin pushes"
    src = write_jsonl(tmp_path / "articles.jsonl", _articles("twin", 60))
    cmd = [sys.executable, "-m", "toolkit", "ls", "push", str(src), "--project", title, "--batch-size", "10"]
    procs = [subprocess.Popen(cmd, env=ls_server.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outs = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1] for o in outs]
    client = ls_server.client()
    assert len(client.projects_titled(title)) == 1
    count, bare = _audit(client, client.find_project(title)["id"])
    assert bare == [] and len(count) == 60 and set(count.values()) == {1}
    stdouts = sorted(o[0] for o in outs)
    assert any("60 tasks imported, 0 already present" in s for s in stdouts)
    assert any("0 tasks imported, 60 already present" in s for s in stdouts)


def test_a_killed_push_rerun_gives_no_bare_task_and_no_duplicate(ls_server, tmp_path):
    title = "quotekit killed push"
    src = write_jsonl(tmp_path / "articles.jsonl", _articles("killed", 200))
    cmd = [sys.executable, "-m", "toolkit", "ls", "push", str(src), "--project", title, "--batch-size", "5"]
    proc = subprocess.Popen(cmd, env=ls_server.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    client = ls_server.client()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:  # kill it once some batches are in
        project = client.projects_titled(title)
        if project and sum(1 for _ in client.iter_tasks(project[0]["id"], fields="task_only")) >= 20:
            break
        time.sleep(0.2)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    rerun = ls_server.cli("ls", "push", str(src), "--project", title, "--batch-size", "5", timeout=600)
    assert rerun.returncode == 0, rerun.stderr  # the dead push's lock went with it
    count, bare = _audit(client, client.find_project(title)["id"])
    assert bare == [] and len(count) == 200 and set(count.values()) == {1}


def test_a_project_created_twice_at_once_ends_as_one(ls_server):
    """Another machine (no shared lock) created the same title between our look and our create:
    the older project wins and ours, still empty, is deleted."""
    client = ls_server.client()
    title = "quotekit created twice"
    first = client.create_project(title=title)

    class LooksTooEarly:
        def __init__(self, c):
            self._c, self.url, self.looked = c, c.url, False

        def __getattr__(self, name):
            return getattr(self._c, name)

        def find_project(self, t):
            if not self.looked:
                self.looked = True
                return None  # what we saw before the other writer's create landed
            return self._c.find_project(t)

    report = push_records(LooksTooEarly(client), _articles("twice", 2), title, **QUIET)
    assert report.project_id == first["id"]
    assert [p["id"] for p in client.projects_titled(title)] == [first["id"]]
    count, bare = _audit(client, first["id"])
    assert bare == [] and count == {"twice-0": 1, "twice-1": 1}


def test_an_empty_twin_left_by_a_retried_create_is_removed(ls_server):
    """Label Studio re-runs a project create that hit "database is locked": a partly committed
    first try can leave a second, empty project with the same title (seen under load). A push
    removes quotekit's empty twins, before and after its work; a twin that is not quotekit's, or
    holds tasks, is never deleted."""
    from toolkit.errors import BadInputError
    from toolkit.labelstudio.push import PROJECT_DESCRIPTION

    client = ls_server.client()
    title = "quotekit twin project"
    first = push_records(client, _articles("twin-p", 2), title, **QUIET)
    twin = client.create_project(title=title, description=PROJECT_DESCRIPTION)  # what the retried create leaves
    again = push_records(client, _articles("twin-p", 3), title, **QUIET)
    assert again.project_id == first.project_id and again.empty_projects_removed == 1 and again.imported == 1
    assert [p["id"] for p in client.projects_titled(title)] == [first.project_id]
    assert "1 empty projects with the same title removed" in again.summary()
    assert twin["id"] != first.project_id
    # someone else's project with the same title stays, and the push says so
    other = client.create_project(title=title, description="my NER project")
    with pytest.raises(BadInputError, match="several Label Studio projects are titled"):
        push_records(client, _articles("twin-p", 3), title, **QUIET)
    assert other["id"] in [p["id"] for p in client.projects_titled(title)]
    client.delete_project(other["id"])
