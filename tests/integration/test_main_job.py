"""The README's first command, ``bash scripts/quickstart`` = ``quotekit run``, end to end against
the real Label Studio server, twice: the second run must reuse the running server, import no
task twice and write the same files. (``scripts/quickstart`` only adds ``scripts/setup``, which
``scripts/test`` runs before this suite.)

Nothing here is skipped: without a server the test FAILS.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[2]
PROJECT = "quotekit main job"


def _tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def _run_main_job(ls_server, tmp_path: Path) -> subprocess.CompletedProcess:
    """``quotekit run`` from the repository root with its defaults (corpus, gold, exports), the
    outputs sent to ``tmp_path`` and the session's server (found through its data dir)."""
    port = urlparse(ls_server.url).port
    cmd = [sys.executable, "-m", "toolkit", "run", "--out", str(tmp_path / "out"), "--dataset", str(tmp_path / "ds"),
           "--project", PROJECT, "--port", str(port)]
    proc = subprocess.run(cmd, cwd=REPO, env=ls_server.env(), capture_output=True, text=True, timeout=900)
    ls_server.outputs.append(proc.stdout + proc.stderr)  # checked for the token by test_token_secrecy
    assert proc.returncode == 0, f"quotekit run failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}"
    return proc


def test_main_job_runs_end_to_end_and_reruns_safely(ls_server, tmp_path):
    annotations_before = _tree_digest(REPO / "annotations")
    n_articles = len(list((REPO / "annotations" / "raw").glob("*.txt")))

    first = _run_main_job(ls_server, tmp_path)
    out = first.stdout + first.stderr
    for step in ("ingest", "preannotate", "evaluate", "ls serve", "ls push", "build"):
        assert f"quotekit {step}" in out, f"step {step!r} did not run:\n{out[-3000:]}"
    assert "reused" in out  # the session's server was running: reused, not a second one started
    assert f"{n_articles} tasks imported" in out, out[-3000:]

    articles = [json.loads(line) for line in (tmp_path / "out" / "articles.jsonl").read_text().splitlines()]
    preds = [json.loads(line) for line in (tmp_path / "out" / "predictions.jsonl").read_text().splitlines()]
    assert len(articles) == len(preds) == n_articles
    assert sum(len(p["quotes"]) for p in preds) > 0

    # the tasks in Label Studio: one per article, each with the pre-annotations as a prediction
    client = ls_server.client()
    project = client.find_project(PROJECT)
    tasks = list(client.iter_tasks(project["id"]))
    assert sorted(t["data"]["article_id"] for t in tasks) == sorted(a["article_id"] for a in articles)
    assert all(t["predictions"] and t["predictions"][0]["result"] for t in tasks)

    # the dataset loads with one line
    import datasets

    quotes = datasets.load_dataset(str(tmp_path / "ds"), "quotes")
    assert sum(len(split) for split in quotes.values()) > 0
    assert "stance" in quotes["train"].features
    first_files = {f: (tmp_path / "out" / f).read_bytes() for f in ("articles.jsonl", "predictions.jsonl")}
    first_parquet = _tree_digest(tmp_path / "ds")

    # the README says every step is safe to re-run: the same command again
    second = _run_main_job(ls_server, tmp_path)
    out2 = second.stdout + second.stderr
    assert "0 tasks imported" in out2 and f"{n_articles} already present" in out2, out2[-3000:]
    assert len(list(client.iter_tasks(project["id"]))) == n_articles
    assert {f: (tmp_path / "out" / f).read_bytes() for f in first_files} == first_files
    assert _tree_digest(tmp_path / "ds") == first_parquet
    # raw data and the committed exports are inputs only
    assert _tree_digest(REPO / "annotations") == annotations_before
