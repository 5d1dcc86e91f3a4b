#!/usr/bin/env python
"""Submit the seed gold annotations to Label Studio as an annotator's corrections.

The first release's annotations were made by careful annotators (the hand-made reference in
``annotations/gold/seeds.gold.yaml``, conventions in ``annotations/GUIDELINES.md``). This script
enters them into a real Label Studio project exactly as a person would leave them in the UI:
one annotation per task, started from the task's prediction (``parent_prediction``), with
QUOTE/SPEAKER/CUE regions carrying 10-character region ids like the ones the UI draws, the
``said_by`` and cue relations, the per-region stance/kind choices and the canonical speaker.

    scripts/annotate_from_gold.py --project "quotekit sample" [--gold annotations/gold/seeds.jsonl]

Then ``quotekit ls pull --project ... -o annotations/exports/NAME.json`` takes the snapshot.
Tasks that already carry an annotation are left alone (re-running is safe).
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from pathlib import Path

from toolkit.config import load_registry
from toolkit.errors import QuotekitError
from toolkit.labelstudio.client import connect
from toolkit.labelstudio.tasks import build_result
from toolkit.types import Quote

REPO = Path(__file__).resolve().parents[1]


def ui_like_ids(result: list[dict], seed: str) -> list[dict]:
    """Replace our derived region ids by 10-character random ids, as the UI draws them."""
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + "_-"
    mapping: dict[str, str] = {}
    out = []
    for item in result:
        item = json.loads(json.dumps(item))
        if item.get("type") == "relation":
            item["from_id"], item["to_id"] = mapping[item["from_id"]], mapping[item["to_id"]]
        else:
            item["id"] = mapping.setdefault(item["id"], "".join(rng.choice(alphabet) for _ in range(10)))
            item.pop("score", None)
            item["origin"] = "manual"
        out.append(item)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--project", required=True)
    ap.add_argument("--gold", type=Path, default=REPO / "annotations" / "gold" / "seeds.jsonl")
    ap.add_argument("--data-dir", default=None, help="data dir of `quotekit ls serve --detach` (for URL and token)")
    args = ap.parse_args(argv)
    try:
        client = connect(data_dir=args.data_dir)
        project = client.find_project(args.project)
        if project is None:
            raise QuotekitError(f"no project titled {args.project!r}: push the articles first (quotekit ls push)")
        registry = load_registry()
        gold = {}
        for line in args.gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                gold[rec["article_id"]] = rec["quotes"]
        done = skipped = 0
        for task in client.iter_tasks(project["id"]):
            aid = task["data"].get("article_id")
            if aid not in gold:
                continue
            if task.get("annotations"):
                skipped += 1
                continue
            text = task["data"]["text"]
            quotes = [Quote.from_dict({**q, "score": 1.0, "rule": "gold"}) for q in gold[aid]]
            for q in quotes:
                if text[q.start:q.end] != q.text:
                    raise QuotekitError(f"article {aid}: gold quote {q.text[:40]!r} does not match the task text at "
                                        f"{q.start}-{q.end}; rebuild the gold with scripts/rebuild")
            result, warnings = build_result(aid, text, quotes, registry)
            for w in warnings:
                print(f"warning: {w}", file=sys.stderr)
            body = {"result": ui_like_ids(result, aid), "lead_time": 600.0, "was_cancelled": False}
            preds = task.get("predictions") or []
            if preds:
                body["parent_prediction"] = preds[0]["id"] if isinstance(preds[0], dict) else preds[0]
            client.request("POST", f"/api/tasks/{task['id']}/annotations/", f"annotate task {task['id']}",
                           retry=False, json=body)
            done += 1
        print(f"annotated {done} task(s); {skipped} already had an annotation")
        return 0
    except QuotekitError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
