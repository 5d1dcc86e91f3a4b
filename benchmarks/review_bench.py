"""``quotekit review`` benchmark: 1,000 multi-annotated synthetic tasks (target <= 60 s).

A synthetic export (``benchmarks/synth.py``'s tasks, ``--per-article`` quotes each) where every
task has two accounts' annotations and one in three a third: account 2 changes one quote's stance
in half the tasks, account 3 leaves one quote out, so about two tasks in three disagree. Measured:

- ``detect_s``: reading the export and building the review tasks offline
  (:func:`toolkit.labelstudio.review.read_disagreements` with quotekit's compare);
- ``import_s`` (with ``--server``): creating the review project and importing the review tasks
  into a real Label Studio started for the run (``quotekit ls serve --detach`` on a free port and
  a temporary data dir, stopped at the end; its start-up is not counted), with the checks of a
  real run (one task per article, every version's prediction); then ``rerun_s``, the same
  import again (nothing to add: the listing and comparison only).

``review_1k_s`` = ``detect_s`` + ``import_s`` (``detect_s`` alone without ``--server``),
scaled to 1,000 tasks when ``--tasks`` differs. One JSON line on stdout.

Usage::

    .venv/bin/python benchmarks/review_bench.py [--tasks 1000] [--per-article 10] [--server]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.synth import FILLER, _leads, _registry_names, _stance_labels, make_task  # noqa: E402
from toolkit.labelstudio import names as N  # noqa: E402


def _other_stance(items: list[dict], rng: random.Random, stances: list[str]) -> list[dict]:
    """``items`` with the stance of one quote changed."""
    out = copy.deepcopy(items)
    choices = [it for it in out if it.get("from_name") == N.STANCE]
    it = rng.choice(choices)
    it["value"]["choices"] = [next(s for s in stances if s != it["value"]["choices"][0])]
    return out


def _one_quote_less(items: list[dict], rng: random.Random) -> list[dict]:
    """``items`` without one QUOTE region (its per-region results and relations too)."""
    qids = [it["id"] for it in items if it.get("type") == "labels" and it["value"]["labels"] == [N.QUOTE]]
    gone = rng.choice(qids)
    return [it for it in items if it.get("id") != gone and it.get("from_id") != gone]


def write_multi_export(path: Path, tasks: int, per_article: int, seed: int = 0) -> None:
    rng = random.Random(seed)
    leads = _leads(None)
    words = [w for w in FILLER.split() if w.isalpha()]
    speakers, stances = _registry_names(), _stance_labels()
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i in range(1, tasks + 1):
            t = make_task(i, per_article, rng, leads, speakers, stances, words)
            first = t["annotations"][0]
            items = first["result"]
            second = {**first, "id": i * 10 + 1, "completed_by": 2,
                      "result": _other_stance(items, rng, stances) if i % 2 else items}
            anns = [first, second]
            if i % 3 == 0:
                anns.append({**first, "id": i * 10 + 2, "completed_by": 3, "result": _one_quote_less(items, rng)})
            t["annotations"] = anns
            t["project"] = 1
            fh.write(("," if i > 1 else "") + json.dumps(t, ensure_ascii=False) + "\n")
        fh.write("]\n")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=1000)
    p.add_argument("--per-article", type=int, default=10)
    p.add_argument("--server", action="store_true", help="also import into a Label Studio started for the run")
    args = p.parse_args(argv)

    from toolkit.config import load_registry, load_stance
    from toolkit.dataset.disagreements import describe
    from toolkit.labelstudio.review import ReviewReport, read_disagreements

    registry, scheme = load_registry(), load_stance()
    out: dict = {"tasks": args.tasks, "quotes_per_task": args.per_article}
    with tempfile.TemporaryDirectory(prefix="review-bench-") as tmp:
        export = Path(tmp) / "export.json"
        write_multi_export(export, args.tasks, args.per_article)
        t0 = time.perf_counter()
        report = ReviewReport()
        built = read_disagreements([export], describe, registry=registry, scheme=scheme, report=report)
        out["detect_s"] = round(time.perf_counter() - t0, 2)
        out.update(multi_annotated=report.multi_annotated, disagreeing=report.disagreeing, review_tasks=len(built),
                   fields=report.fields)
        total = out["detect_s"]
        if args.server:
            out.update(_import(Path(tmp), built, registry, scheme))
            total += out["import_s"]
    out["review_1k_s"] = round(total * 1000 / args.tasks, 2)
    print(json.dumps(out))
    return 0


def _import(tmp: Path, built: list, registry, scheme) -> dict:
    from toolkit.labelstudio.config import build_label_config
    from toolkit.labelstudio.review import ReviewReport, push_review_tasks, review_config
    from toolkit.labelstudio.testing import acquire_server, release_server

    server = acquire_server(tmp)
    try:
        client = server.client()
        config = review_config(build_label_config(registry.names(), scheme.labels, scheme.target.description))
        quiet = lambda m: None  # noqa: E731
        t0 = time.perf_counter()
        first = ReviewReport(review_title="bench (review)")
        push_review_tasks(client, "bench (review)", config, built, first, echo=quiet)
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = ReviewReport(review_title="bench (review)")
        push_review_tasks(client, "bench (review)", config, built, again, echo=quiet)
        rerun_s = time.perf_counter() - t0
        return {"import_s": round(import_s, 2), "rerun_s": round(rerun_s, 2), "imported": first.added,
                "rerun_added": again.added, "rerun_unchanged": again.unchanged}
    finally:
        release_server()


if __name__ == "__main__":
    sys.exit(main())
