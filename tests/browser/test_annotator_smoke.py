"""The scripted annotator (benchmarks/annotator) on one sample article, against the session's
Label Studio and Debian's chromium: it corrects the pre-annotation into the gold through the UI
only, and the pulled export equals the gold. Keeps the benchmark from rotting silently when the
labeling screen changes.

Never ``playwright install``: the browser is /usr/bin/chromium. A missing browser or server is a
FAILURE, not a skip.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
ANNOTATOR = REPO / "benchmarks" / "annotator" / "run.py"
#: the sample article with a missed quote (drawn with its speaker, cue, stance, kind and both links)
#: and proposed stances to correct
ARTICLE = "000_f881c611f4710cce"


def _annotator():
    spec = importlib.util.spec_from_file_location("quotekit_annotator_run", ANNOTATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_scripted_annotator_turns_one_task_into_the_gold(ls_server, browser, tmp_path):
    annotator = _annotator()
    records = [r for r in _jsonl(REPO / "annotations" / "articles.jsonl") if r["article_id"] == ARTICLE]
    gold = {r["article_id"]: r["quotes"] for r in _jsonl(REPO / "annotations" / "gold" / "seeds.jsonl")}
    assert len(records) == 1

    report = annotator.run_session(ls_server, browser, records, gold, project="quotekit annotator smoke",
                                   workdir=tmp_path, echo=print)

    print(annotator.table(report))
    task = report["per_task"][ARTICLE]
    assert task["problems"] == [], task["problems"]
    assert (report["lost"], report["wrong"]) == (0, 0)
    assert report["export_issues"] == []
    # the session did real work through the screen: every proposed quote reviewed, fixes made,
    # each booked with its actions
    buckets = report["buckets"]
    assert buckets["review"]["fixes"] == report["proposed_quotes"] > 0
    fixes = {b: c for b, c in buckets.items() if b not in ("review", "submit", "read", "setup")}
    assert fixes, "the pre-annotation of this article needs fixes: the plan found none"
    for name, c in fixes.items():
        assert sum(v for k, v in c.items() if k != "fixes") >= c["fixes"], (name, c)
    assert buckets["submit"]["fixes"] == 1 and buckets["submit"].get("click") == 1
    # Label Studio's "Select region after creating it" turned on once, through the settings
    assert buckets["setup"] == {"fixes": 1, "click": 2, "key": 1}, buckets.get("setup")
    # one reading pass down the article, in whole wheel gestures, booked apart from the fixes
    assert buckets["read"]["fixes"] == 1 and set(buckets["read"]) <= {"fixes", "scroll"}, buckets["read"]
