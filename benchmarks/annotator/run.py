#!/usr/bin/env python
"""The scripted annotator (issue 18): the five sample articles, pre-annotated by quotekit, corrected
into the gold through Label Studio's labeling screen only, every action counted.

    .venv/bin/python benchmarks/annotator/run.py [--articles ...] [--gold ...] [--only ARTICLE_ID ...]

Starts its own Label Studio (``quotekit ls serve --detach`` on a free port, a temporary data dir;
``quotekit ls stop`` at the end, always), pushes the articles with ``quotekit ls push``, opens
each task in Debian's chromium (Playwright, ``/usr/bin/chromium``), reviews every proposed quote
and performs the fixes of :mod:`plan` through the UI (:mod:`screen`), submits, ``quotekit ls
pull``s the project and compares the export with the gold. Prints a table and one JSON line.
See README.md next to this file.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
for p in (str(REPO), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from plan import Gold, Op, compare, plan, read_gold, read_proposal  # noqa: E402
from screen import Actions, Screen  # noqa: E402

from toolkit.labelstudio import names as N  # noqa: E402
from toolkit.labelstudio.testing import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

BUCKETS = ("setup", "review", "read", "fix_stance", "fix_kind", "fix_speaker", "fix_mention", "fix_cue", "fix_boundary",
           "delete_quote", "add_quote", "submit")  # fmt: skip
PROJECT = "quotekit annotator"


# --------------------------------------------------------------------------- one task on the screen


@dataclass
class TaskRun:
    article_id: str
    quotes: int  # proposed quotes (reviewed)
    seconds: float
    load_seconds: float
    acts: Actions
    steps: list = field(default_factory=list)
    hidden_rows: int = 0  # review panel rows that could not be brought into view


class Annotator:
    """Applies the plan's operations to the screen; remembers what it has already seen."""

    def __init__(self, screen: Screen, speaker_names: set[str], prop=None):
        self.s = screen
        self.names = speaker_names
        self.prop = prop
        self.seen_speakers: dict[tuple, str | None] = {}
        self.hidden_rows = 0  # review panel rows no wheeling brings into view

    def select(self, ref: tuple) -> None:
        """Click the region unless it is already the one selected."""
        if self.s.selected() != tuple(ref):
            self.s.select(*ref)

    def review(self, q: tuple, stance: str | None, speakers: list[tuple]) -> None:
        """See the quote's stance and its speaker's canonical name, and check them against the
        prediction: in the review panel when the screen has one, else by selecting each region."""
        rows = self.s.review_rows()
        if rows:
            if rows != len(self.prop.quotes):
                raise AssertionError(f"review panel: {rows} rows for {len(self.prop.quotes)} proposed quotes")
            shown = self.s.read_review_row(self.prop.quotes.index(q))
            if shown is None:  # the row cannot be brought into view: see the quote as on the old screen
                self.hidden_rows += 1
                return self._review_by_selecting(q, stance, speakers)
            want = [f"stance: {stance or '?'}"] + [self.prop.name.get(sp) or "" for sp in speakers]
            if not speakers:
                want.append("unknown")
            missing = [w for w in want if w not in shown]
            if missing:
                raise AssertionError(f"review panel row of {q} shows {shown!r}, lacking {missing}")
            return
        self._review_by_selecting(q, stance, speakers)

    def _review_by_selecting(self, q: tuple, stance: str | None, speakers: list[tuple]) -> None:
        self.select(q)
        shown = self.s.stance_shown()
        if shown != stance:
            raise AssertionError(f"review: {q} shows stance {shown!r}, the prediction says {stance!r}")
        for sp in speakers:
            if sp in self.seen_speakers:
                continue
            self.select(sp)
            self.seen_speakers[sp] = self.s.speaker_shown()

    def apply(self, op: Op) -> None:
        k, a = op.kind, op.args
        if k == "review":
            self.review(*a)
        elif k in ("stance", "kind"):
            ref, value = a
            self.select(ref)
            self.s.choose(value)
        elif k == "unknown":
            ref, on = a
            self.select(ref)
            self.s.flag(N.SPEAKER_UNKNOWN, on)
        elif k == "name":
            ref, name = a
            self.select(ref)
            if name in self.names:
                self.s.pick_speaker(name)
            else:
                self.s.type_speaker(name)
        elif k == "draw":
            self.s.draw(*a)
        elif k == "link":
            self.s.link(*a)
        elif k == "delete":
            self.s.delete(a)
        elif k == "unlink":
            raise NotImplementedError(
                f"unlink {a}: removing one relation of a region other quotes still use needs the Relations "
                "panel, which lists regions by number only; no sample task needs it")
        else:
            raise ValueError(f"unknown operation {k!r}")


def annotate_task(page, url: str, project_id: int, task: dict, gold: list[Gold], speaker_names: set[str],
                  orphans: str = "keep", select_after_create: bool = True, text_first: bool = True) -> TaskRun:
    text = task["data"][N.TEXT]
    pred = task["predictions"][0]
    prop = read_proposal(pred["result"])
    steps = plan(text, prop, gold, orphans=orphans, select_after_create=select_after_create)
    acts = Actions(page)
    screen = Screen(page, acts, text, select_after_create, text_first)
    t0 = time.monotonic()
    page.goto(f"{url}/projects/{project_id}/data?task={task['id']}")
    n_regions = len(prop.regions)
    n_rel = sum(len(v) for v in prop.said_by.values()) + sum(len(v) for v in prop.cue.values())
    screen.wait_loaded(n_regions, n_rel)
    t1 = time.monotonic()
    if select_after_create and not screen.setting_on():  # once per browser: the first task
        with acts.on("setup"):
            screen.enable_select_after_create()
    ann = Annotator(screen, speaker_names, prop)
    for step in steps:
        if step.bucket != "review" and step.span:  # the reading pass down to where the fix is done
            with acts.on("read", item=False):
                screen.read_to(*step.span)
        with acts.on(step.bucket):
            for op in step.ops:
                try:
                    ann.apply(op)
                except Exception as exc:
                    shot = Path(tempfile.gettempdir()) / f"quotekit-annotator-failure-{task['data']['article_id']}.png"
                    page.screenshot(path=str(shot))
                    last = "; ".join(f"{k} {w}" for _, k, _, w in acts.log[-8:])
                    raise RuntimeError(f"{task['data']['article_id']}: {step.bucket} ({step.note!r}), {op}: {exc} "
                                       f"(screenshot {shot}; last actions: {last})") from exc
    with acts.on("read"):  # read on to the end, looking for quotes nobody proposed
        screen.read_to_end()
    with acts.on("submit"):
        screen.submit()
    t2 = time.monotonic()
    return TaskRun(task["data"]["article_id"], len(prop.quotes), t2 - t1, t1 - t0, acts, steps, ann.hidden_rows)


# --------------------------------------------------------------------------- the whole session


def run_session(server, context, records: list[dict], gold: dict[str, list[dict]], *, project: str = PROJECT,
                orphans: str = "keep", workdir: Path, echo=print, predictions: Path | None = None,
                select_after_create: bool = True, text_first: bool = True) -> dict[str, Any]:
    """Push ``records`` to ``server`` (a :class:`toolkit.labelstudio.testing.LSServer`), annotate
    every task in the browser ``context``, pull, compare with ``gold``; the report as a dict."""
    from toolkit.config import load_registry, load_stance
    from toolkit.labelstudio.export import ExportReader, IssueLog
    from toolkit.labelstudio.testing import logged_in_page, write_jsonl

    registry = load_registry()

    def canonical(name: str) -> str:
        sp = registry.get(name)
        return sp.name if sp else name

    path = write_jsonl(workdir / "articles.jsonl", records)
    extra = ["--predictions", str(predictions)] if predictions else []
    proc = server.cli("ls", "push", str(path), "--project", project, *extra)
    if proc.returncode != 0:
        raise RuntimeError(f"quotekit ls push failed: {proc.stderr}")
    client = server.client()
    proj = client.find_project(project)
    tasks = {t["data"]["article_id"]: t for t in client.iter_tasks(proj["id"])}
    names = set(registry.names())
    page = logged_in_page(context, server)
    runs = []
    for rec in records:
        aid = rec["article_id"]
        g = read_gold(gold[aid], canonical)
        run = annotate_task(page, server.url, proj["id"], tasks[aid], g, names, orphans=orphans,
                            select_after_create=select_after_create, text_first=text_first)
        echo(f"{aid}: {run.quotes} proposed quotes, {sum(run.acts.total(b) for b in BUCKETS)} actions, "
             f"{run.seconds:.1f} s (+{run.load_seconds:.1f} s load)")
        runs.append(run)
    page.close()
    out = workdir / "export.json"
    pulled = server.cli("ls", "pull", "--project", project, "-o", str(out))
    if pulled.returncode != 0:
        raise RuntimeError(f"quotekit ls pull failed: {pulled.stderr}")
    issues = IssueLog()
    reader = ExportReader([out], issues=issues, stance_labels=load_stance().labels, canonical=canonical)
    exported = {a.article_id: a.quotes for a in reader.articles()}
    per_task = {}
    lost = wrong = 0
    for rec in records:
        aid = rec["article_id"]
        c = compare(exported.get(aid, []), read_gold(gold[aid], canonical))
        per_task[aid] = c
        lost += c["lost"]
        wrong += c["wrong"]
    report = summarise(runs, per_task, lost, wrong, [m for _, m in issues.messages])
    report["export_notes"] = dict(getattr(issues, "notes", {}))  # e.g. orphan_region: counted, nothing skipped
    return report


def summarise(runs: list[TaskRun], per_task: dict, lost: int, wrong: int, issues: list[str]) -> dict[str, Any]:
    counts = {b: Counter() for b in BUCKETS}
    fixes = Counter()
    for r in runs:
        for b in BUCKETS:
            counts[b].update(r.acts.counts.get(b, {}))
            fixes[b] += r.acts.fixes.get(b, 0)
    quotes = sum(r.quotes for r in runs)

    def mean(b: str) -> float | None:
        return round(sum(counts[b].values()) / fixes[b], 2) if fixes[b] else None

    return {
        "tasks": len(runs),
        "proposed_quotes": quotes,
        "review_actions_per_quote": round(sum(counts["review"].values()) / quotes, 2) if quotes else None,
        "review_clicks_per_quote": round(counts["review"]["click"] / quotes, 2) if quotes else None,
        "fix_speaker_actions": mean("fix_speaker"),
        "fix_stance_actions": mean("fix_stance"),
        "add_quote_actions": mean("add_quote"),
        "delete_quote_actions": mean("delete_quote"),
        "fix_kind_actions": mean("fix_kind"),
        "fix_mention_actions": mean("fix_mention"),
        "fix_cue_actions": mean("fix_cue"),
        "fix_boundary_actions": mean("fix_boundary"),
        "task_seconds": round(sum(r.seconds for r in runs) / len(runs), 1) if runs else None,
        "actions": sum(sum(c.values()) for c in counts.values()),
        "read_actions_per_task": mean("read"),
        "lost": lost,
        "wrong": wrong,
        "review_panel_hidden_rows": sum(r.hidden_rows for r in runs),
        "buckets": {b: {"fixes": fixes[b], **dict(counts[b])} for b in BUCKETS if fixes[b]},
        "per_task": {r.article_id: {"quotes": r.quotes, "actions": sum(sum(c.values()) for c in r.acts.counts.values()),
                                    "seconds": round(r.seconds, 1), **{k: v for k, v in per_task[r.article_id].items()},
                                    "log": [list(x) for x in r.acts.log]}
                     for r in runs},
        "export_issues": issues,
    }


def table(report: dict[str, Any]) -> str:
    rows = [f"{'bucket':<14}{'fixes':>6}{'click':>7}{'key':>6}{'drag':>6}{'scroll':>7}{'mean':>7}"]
    for b, c in report["buckets"].items():
        total = sum(v for k, v in c.items() if k != "fixes")
        rows.append(f"{b:<14}{c['fixes']:>6}{c.get('click', 0):>7}{c.get('key', 0):>6}{c.get('drag', 0):>6}"
                    f"{c.get('scroll', 0):>7}{total / c['fixes']:>7.2f}")
    rows.append(f"{'all actions':<20}{report['actions']:>7}")
    rows.append("")
    rows.append(f"{'article':<24}{'quotes':>7}{'actions':>8}{'seconds':>8}{'lost':>6}{'wrong':>6}")
    for aid, t in report["per_task"].items():
        rows.append(f"{aid:<24}{t['quotes']:>7}{t['actions']:>8}{t['seconds']:>8}{t['lost']:>6}{t['wrong']:>6}")
        rows += [f"    {p}" for p in t["problems"]]
    return "\n".join(rows)


# --------------------------------------------------------------------------- command line


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=Path, default=REPO / "annotations" / "articles.jsonl")
    ap.add_argument("--gold", type=Path, default=REPO / "annotations" / "gold" / "seeds.jsonl")
    ap.add_argument("--only", action="append", default=[], help="article id to annotate (repeatable; default all)")
    ap.add_argument("--orphans", choices=("delete", "keep"), default="keep",
                    help="leave the SPEAKER/CUE regions a deleted quote leaves unlinked (default: the export "
                         "reader ignores and counts them) or delete them too")
    ap.add_argument("--predictions", type=Path, help="`quotekit preannotate` output to push instead of pre-annotating "
                    "(to compare two screens on the same proposals)")
    ap.add_argument("--select-after-create", choices=("on", "off"), default="on",
                    help="Label Studio's per-browser setting 'Select region after creating it', which the guidelines "
                         "tell annotators to turn on: on (default: turned on once, booked on setup, and planned for) "
                         "or off (Label Studio's default)")
    ap.add_argument("--draw", choices=("text-first", "key-first"), default="text-first",
                    help="how a region is drawn while another is selected (setting on): drag first, then the label "
                         "key only when the new region's label is wrong (default: Label Studio gives it the selected "
                         "region's label and selects it), or Escape, label key, drag (the annotator before H-screen6)")
    ap.add_argument("--json-out", type=Path, help="also write the whole report here")
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright
    from toolkit.labelstudio.testing import acquire_server, release_server

    records = [r for r in _read_jsonl(args.articles) if not args.only or r["article_id"] in args.only]
    gold = {r["article_id"]: r["quotes"] for r in _read_jsonl(args.gold)}
    unknown = sorted(set(args.only) - {r["article_id"] for r in records})
    no_gold = [r["article_id"] for r in records if r["article_id"] not in gold]
    if unknown or no_gold or not records:
        what = (f"--only {', '.join(unknown)}: not in {args.articles}" if unknown else
                f"{', '.join(no_gold)}: no gold in {args.gold}" if no_gold else f"no article in {args.articles}")
        print(f"Error: {what}", file=sys.stderr)
        return 2
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: apt-get install chromium", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="quotekit-annotator-") as tmp:
        workdir = Path(tmp)
        t0 = time.monotonic()
        # the tests' server start: `quotekit ls serve --detach`, a free port, data in workdir (stopped
        # by acquire_server when the start fails half-way)
        server = acquire_server(workdir)
        print(f"Label Studio up in {time.monotonic() - t0:.0f} s", file=sys.stderr)
        try:  # stopped whatever happens (`quotekit ls stop`)
            with sync_playwright() as pw:
                ctx = pw.chromium.launch_persistent_context(
                    str(workdir / "chromium"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True,
                    viewport={"width": 1400, "height": 1000})  # fmt: skip
                try:
                    report = run_session(server, ctx, records, gold, orphans=args.orphans, workdir=workdir,
                                         echo=lambda m: print(m, file=sys.stderr),
                                         predictions=args.predictions.resolve() if args.predictions else None,
                                         select_after_create=args.select_after_create == "on",
                                         text_first=args.draw == "text-first")
                finally:
                    ctx.close()
        finally:
            try:
                release_server()
            except RuntimeError as exc:
                print(exc, file=sys.stderr)
    print(table(report))
    if args.json_out:
        args.json_out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    keys = ("review_actions_per_quote", "fix_speaker_actions", "fix_stance_actions", "add_quote_actions",
            "delete_quote_actions", "task_seconds", "lost", "wrong", "actions")
    print(json.dumps({k: report[k] for k in keys}))
    return 0 if report["lost"] == 0 and report["wrong"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
