"""Corrections report benchmark (issue 15): ``quotekit corrections`` on a synthetic 10,000-task export.

Builds a Label Studio export with :mod:`benchmarks.synth` (10 quotes per task by default), where
each task's prediction differs from its submitted annotation as an annotator's corrections would
(per quote, at random: the stance changed or left empty in the proposal, the boundary moved, the
speaker linked to another mention, the quote missed by the proposal (added) or proposed and
deleted), every proposal carrying its rule in the QUOTE region's meta and every annotation
started from the prediction (``parent_prediction``). Then runs ``quotekit corrections EXPORT
--json`` in a subprocess (imports included: what a user waits for) and prints one JSON line:
``corrections_10k_s`` (its wall time), ``corrections_peak_mb_10k`` (its own peak RSS, VmHWM read
by the child at exit: a child's ``ru_maxrss`` would carry this parent's peak over ``execve``) and
the report's counts, checked against the edits made (``counts_exact``). Targets: <= 60 s and
<= 500 MB.

Usage::

    .venv/bin/python benchmarks/corrections_bench.py [--tasks 10000] [--per-article 10] [--quick] [--keep EXPORT.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

RULES = ("postposed_quote+registry", "preposed_that+registry", "preposed_zero+registry", "continuation+registry",
         "postposed_quote+pronoun")
#: edit -> probability per quote (the rest is kept as proposed)
EDITS = {"stance": 0.10, "stance_empty": 0.04, "boundary": 0.05, "speaker": 0.04, "added": 0.04, "deleted": 0.03}


def _vmhwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _quotes(items: list[dict]) -> list[dict]:
    from toolkit.labelstudio import names as N

    return [r for r in items if r.get("type") == "labels" and N.QUOTE in r["value"]["labels"]]


def corrected_task(task: dict, rng: random.Random, stances: list[str], expected: Counter) -> dict:
    """The synthetic task with a prediction that the annotation corrects (one edit or none per quote)."""
    from toolkit.labelstudio import names as N

    ann = task["annotations"][0]
    final = ann["result"]
    pred = copy.deepcopy(final)
    text = task["data"][N.TEXT]
    said_by = {r["from_id"]: r for r in pred if r.get("type") == "relation" and r["labels"] == [N.SAID_BY]}
    speakers = [r["to_id"] for r in said_by.values()]
    drop_pred: set[str] = set()
    drop_final: set[str] = set()
    for q in _quotes(pred):
        rid = q["id"]
        q["meta"] = {N.RULE_META: rng.choice(RULES)}
        expected["proposed"] += 1
        u, edit = rng.random(), "kept"
        for name, p in EDITS.items():
            if u < p:
                edit = name
                break
            u -= p
        stance = next((r for r in pred if r.get("id") == rid and r.get("from_name") == N.STANCE), None)
        if edit == "stance" and stance is not None:
            stance["value"]["choices"] = [rng.choice([s for s in stances if s != stance["value"]["choices"][0]])]
        elif edit == "stance_empty" and stance is not None:
            pred.remove(stance)
            edit = "stance"
        elif edit == "boundary":
            cut = text.rfind(" ", q["value"]["start"], q["value"]["end"] - 1)  # the proposal misses the last word
            if cut <= q["value"]["start"]:
                edit = "kept"
            for r in pred if edit == "boundary" else ():
                if r.get("id") == rid:
                    r["value"]["end"], r["value"]["text"] = cut, text[r["value"]["start"]:cut]
        elif edit == "speaker":
            rel = said_by.get(rid)
            other = [s for s in speakers if rel is not None and s != rel["to_id"]]
            mention = {r["id"]: r["value"]["text"] for r in pred if r.get("type") == "labels"}
            other = [s for s in other if mention.get(s) != mention.get(rel["to_id"])] if rel is not None else []
            if other:
                rel["to_id"] = rng.choice(other)
            else:
                edit = "kept"
        elif edit == "added":
            drop_pred.add(rid)
        elif edit == "deleted":
            drop_final.add(rid)
        if stance is None and edit == "stance":
            edit = "kept"
        expected[edit] += 1
    pred = [r for r in pred if r.get("id") not in drop_pred and r.get("from_id") not in drop_pred]
    ann["result"] = [r for r in final if r.get("id") not in drop_final and r.get("from_id") not in drop_final]
    expected["proposed"] -= len(drop_pred)
    task["predictions"] = [{"id": task["id"], "model_version": "quotekit-bench+rules-x", "score": 0.5, "result": pred}]
    ann["parent_prediction"] = task["id"]
    return task


def write_export(path: Path, tasks: int, per_article: int, seed: int = 0) -> Counter:
    """Write the export; returns the counts the report must give."""
    from benchmarks import synth

    rng = random.Random(seed)
    texts = [json.loads(line).get("text", "") for line in (REPO / "annotations" / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    leads = synth._leads(texts)
    words = [w.strip("“”\"',.;:()") for lead in leads for w in lead.split()]
    words = [w for w in words if w.isalpha()] or synth.FILLER.split()
    speakers, stances = synth._registry_names(), synth._stance_labels()
    expected: Counter = Counter()
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        for i in range(1, tasks + 1):
            task = synth.make_task(i, per_article, rng, leads, speakers, stances, words)
            task["annotations"] = task["annotations"][:1]  # one annotation per task (synth adds a second to 1 in 20)
            corrected_task(task, rng, stances, expected)
            fh.write(("" if i == 1 else ",\n") + json.dumps(task, ensure_ascii=False))
        fh.write("\n]\n")
    return expected


def child(export: str, out: str) -> None:
    """Run ``quotekit corrections EXPORT --json`` in this process; write its JSON and VmHWM to ``out``."""
    import contextlib
    import io

    from toolkit.cli import main

    sys.argv = ["quotekit", "corrections", export, "--json"]
    buf = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buf):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    report = json.loads(buf.getvalue().strip().splitlines()[-1]) if code == 0 else None
    Path(out).write_text(json.dumps({"code": code, "peak_mb": _vmhwm_mb(), "report": report}), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--tasks", type=int, default=10_000)
    p.add_argument("--per-article", type=int, default=10, help="quotes per task (default 10)")
    p.add_argument("--quick", action="store_true", help="1,000 tasks (the figures keep their 10k names, marked quick)")
    p.add_argument("--keep", type=Path, help="write the export here and keep it")
    p.add_argument("--child", nargs=2, metavar=("EXPORT", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        child(*args.child)
        return 0
    tasks = 1_000 if args.quick else args.tasks
    with tempfile.TemporaryDirectory(prefix="corrections-bench-") as tmp:
        export = args.keep or Path(tmp) / "export.json"
        t = time.perf_counter()
        expected = write_export(export, tasks, args.per_article)
        made_s = time.perf_counter() - t
        out = Path(tmp) / "child.json"
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", str(export), str(out)],
                              capture_output=True, text=True, cwd=REPO)
        wall = time.perf_counter() - t
        if proc.returncode != 0 or not out.is_file():
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        got = json.loads(out.read_text(encoding="utf-8"))
        size_mb = export.stat().st_size / 1e6
    r = got["report"]
    if got["code"] != 0 or r is None:
        print(f"quotekit corrections exited {got['code']}", file=sys.stderr)
        return 1
    counts = {"proposed": r["proposed"], "kept": r["kept"], "deleted": r["deleted"], "added": r["added"],
              "boundary": r["edited"]["boundary"], "speaker": r["edited"]["speaker"], "stance": r["edited"]["stance"]}
    want = {k: expected.get(k, 0) for k in counts}
    print(json.dumps({
        "corrections_10k_s": round(wall, 1),
        "corrections_peak_mb_10k": round(got["peak_mb"], 1),
        "tasks": tasks,
        "quotes_proposed": r["proposed"],
        "export_mb": round(size_mb, 1),
        "quick": bool(args.quick),
        "counts": counts,
        "counts_expected": want,
        "counts_exact": counts == want,
        "export_made_s": round(made_s, 1),
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
