"""Changelog benchmark (issue 17): peak memory of ``quotekit build --release v2 --previous DIR`` at
100,000 quotes.

Writes two synthetic Label Studio exports with :mod:`benchmarks.synth` (same tasks, streamed to
both files): v1, and v2 where every 100th task is dropped (an article and its quotes removed) and
every 50th kept task has the stance of its first quote changed. Builds v1 (``--release v1``), then
v2 with ``--release v2 --previous`` the v1 build, each in its own subprocess (imports included:
what a user waits for) whose own peak RSS (VmHWM, read by the child at exit) is reported. Prints
one JSON line: ``build_changelog_peak_mb_100k`` (the v2 build's peak; target <= 500 MB, the build's
own target), ``build_first_peak_mb_100k`` (the v1 build, no changelog, for comparison), their
times, and the changelog's counts checked against the edits made (``counts_exact``).

Usage::

    .venv/bin/python benchmarks/changelog_bench.py [--quotes 100000] [--per-article 10] [--quick] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
for p in (REPO, HERE):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

DROP_EVERY = 100  # every 100th task is left out of v2
STANCE_EVERY = 50  # every 50th task of v2 has its first quote's stance changed

CHILD = r"""
import json, sys, time
from pathlib import Path
t = time.perf_counter()
from toolkit.dataset.build import build_dataset
from toolkit.dataset.changelog import Release
spec = json.loads(sys.argv[1])
rel = Release(spec["release"], spec.get("previous"))
summary = build_dataset([spec["export"]], spec["out"], force=True, chart=False, release=rel)
seconds = time.perf_counter() - t
peak = 0.0
for line in Path("/proc/self/status").read_text().splitlines():
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) / 1024.0
ch = rel.changelog
counts = None
if not ch.first:
    counts = {c.config: {"added": len(c.added), "removed": len(c.removed), "changed": len(c.changed), "by_field": c.by_field()}
              for c in (ch.articles, ch.quotes)}
print(json.dumps({"peak_mb": round(peak, 1), "seconds": round(seconds, 2), "quotes": summary.quotes, "articles": summary.articles, "changelog": counts}))
"""


def write_exports(v1: Path, v2: Path, quotes: int, per_article: int, seed: int = 0) -> dict:
    """Both exports, streamed; returns the edits made (what the changelog must report)."""
    import synth

    corpus = REPO / "annotations" / "articles.jsonl"
    texts = [json.loads(line).get("text", "") for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()] if corpus.is_file() else []
    rng = random.Random(seed)
    leads = synth._leads(texts)
    words = [w.strip("“”\"',.;:()") for lead in leads for w in lead.split()]
    words = [w for w in words if w.isalpha()] or synth.FILLER.split()
    speakers, stances = synth._registry_names(), synth._stance_labels()
    want = {"articles": {"removed": 0, "changed": 0}, "quotes": {"removed": 0, "changed": 0}}
    tasks = left = 0
    left = quotes
    first = {v1: True, v2: True}
    with v1.open("w", encoding="utf-8") as f1, v2.open("w", encoding="utf-8") as f2:
        f1.write("[\n")
        f2.write("[\n")
        while left > 0:
            n = min(per_article, left)
            tasks += 1
            task = synth.make_task(tasks, n, rng, leads, speakers, stances, words)
            line = json.dumps(task, ensure_ascii=False)
            f1.write(("" if first[v1] else ",\n") + line)
            first[v1] = False
            left -= n
            if tasks % DROP_EVERY == 0:
                want["articles"]["removed"] += 1
                want["quotes"]["removed"] += n
                continue
            if tasks % STANCE_EVERY == 0:
                for ann in task["annotations"]:
                    for item in ann["result"]:
                        if item.get("type") == "choices" and item.get("from_name") == synth.N.STANCE:
                            old = item["value"]["choices"][0]
                            item["value"]["choices"] = [next(s for s in stances if s != old)]
                            break
                want["quotes"]["changed"] += 1
                line = json.dumps(task, ensure_ascii=False)
            f2.write(("" if first[v2] else ",\n") + line)
            first[v2] = False
        f1.write("\n]\n")
        f2.write("\n]\n")
    return want


def child(spec: dict) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)], capture_output=True, text=True, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"build failed (exit {proc.returncode}): {(proc.stderr.strip().splitlines() or ['no output'])[-1]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quotes", type=int, default=100_000)
    ap.add_argument("--per-article", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="10,000 quotes (the figure is then not the 100k one)")
    ap.add_argument("--keep", type=Path, help="keep the exports and builds in this directory")
    args = ap.parse_args(argv)
    quotes = 10_000 if args.quick else args.quotes
    work = args.keep or Path(tempfile.mkdtemp(prefix="changelog-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        want = write_exports(work / "v1.json", work / "v2.json", quotes, args.per_article)
        export_s = time.perf_counter() - t
        first = child({"export": str(work / "v1.json"), "out": str(work / "ds-v1"), "release": "v1"})
        second = child({"export": str(work / "v2.json"), "out": str(work / "ds-v2"), "release": "v2", "previous": str(work / "ds-v1")})
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    got = second["changelog"]
    exact = all(got[c][k] == want[c][k] for c in want for k in want[c]) and got["articles"]["added"] == 0 and got["quotes"]["added"] == 0
    key = "build_changelog_peak_mb_100k" if quotes == 100_000 else f"build_changelog_peak_mb_{quotes}"
    print(json.dumps({
        key: second["peak_mb"], "build_changelog_s": second["seconds"],
        "build_first_peak_mb": first["peak_mb"], "build_first_s": first["seconds"],
        "quotes": quotes, "export_s": round(export_s, 1), "changelog": got, "expected": want, "counts_exact": exact,
    }))
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
