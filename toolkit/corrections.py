"""What annotators changed: each submitted annotation against the prediction it started from.

Every Label Studio export holds, per task, the submitted annotations and the prediction each one
started from (``annotation.prediction`` / ``parent_prediction``, else the task's prediction of
the wanted ``model_version``). Both are read with the export reader's own parser, a stance left
empty included (in a proposal; in an annotation too: its quote is what the annotator left, though
the build skips it as ``no_stance``, so an annotation equal to its prediction is all kept), quotes are matched as ``quotekit evaluate`` matches them (spans overlap,
whitespace-token Jaccard >= 0.5, one-to-one, best first), and each proposed quote is counted:

- **kept**: span, speaker, stance and kind unchanged;
- **edited**: matched but changed, counted per field (``boundary``, ``speaker``, ``stance``,
  ``kind``; ``quotes`` counts each edited quote once);
- **deleted**: proposed, not in the annotation; and each final quote not proposed is **added**.

So ``kept + edited.quotes + deleted == proposed`` and ``kept + edited.quotes + added == final``.
The same counts per proposal ``rule`` (it travels in the QUOTE region's ``meta`` of the
prediction: :func:`toolkit.labelstudio.tasks.proposal_rules`), per proposed registry speaker and
per proposed kind; a stance confusion (proposed, ``(empty)`` when left empty, x final) on
matched quotes; annotation time from ``lead_time``.

The same counts per ``model_version`` of the prediction compared (the rule set that proposed it).

The chart (:func:`write_chart`) shows where the edits go, by rule: one stacked bar per rule,
its proposals split into kept, edited (by the one field changed, or ``several``) and deleted
(:func:`chart_series`). The dataset card's section is built from :func:`card_figures` of the
same report (:mod:`toolkit.dataset.corrections_section`). :func:`check_comparable` says, in one
line, why exports give nothing to compare (no prediction, no annotation, a broken file).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from toolkit.evaluation import Attribution, match_overlap
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export import IssueLog, iter_json_items, parse_annotation, source_prediction_record
from toolkit.labelstudio.tasks import proposal_rules

FIELDS = ("boundary", "speaker", "stance", "kind")
EMPTY = "(empty)"
SEVERAL = "several"
#: The chart's segments, in stacking order: each proposal falls in exactly one.
SEGMENTS = ("kept", *(f"edited: {f}" for f in FIELDS), f"edited: {SEVERAL} fields", "deleted")


@dataclass
class _Tally:
    proposed: int = 0
    kept: int = 0
    edited: int = 0
    deleted: int = 0
    fields: Counter = field(default_factory=Counter)
    #: edited proposals by the one field changed, or SEVERAL (each edited proposal once)
    split: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {"proposed": self.proposed, "kept": self.kept, "edited": self.edited, "deleted": self.deleted,
                **{f: self.fields.get(f, 0) for f in FIELDS},
                "edited_only": {f: self.split.get(f, 0) for f in (*FIELDS, SEVERAL)}}


@dataclass
class Corrections:
    tasks: int = 0
    annotations: int = 0
    without_prediction: int = 0  # annotations with no prediction (of --model-version) to compare with
    proposed: int = 0
    final: int = 0
    kept: int = 0
    edited_quotes: int = 0
    edited: Counter = field(default_factory=Counter)
    deleted: int = 0
    added: int = 0
    by_rule: dict[str, _Tally] = field(default_factory=dict)
    by_speaker: dict[str, _Tally] = field(default_factory=dict)
    by_kind: dict[str, _Tally] = field(default_factory=dict)
    by_version: dict[str, _Tally] = field(default_factory=dict)  # model_version of the prediction compared
    stance_confusion: dict[str, Counter] = field(default_factory=dict)
    lead_time_s: float = 0.0
    timed_annotations: int = 0
    #: model_version -> annotations compared that started from a prediction of it
    model_versions: Counter = field(default_factory=Counter)
    #: what the files hold, for the messages of :func:`check_comparable`
    task_items: int = 0  # tasks with a text, annotated or not
    versions_seen: Counter = field(default_factory=Counter)  # model_version of every source prediction
    problems: list[str] = field(default_factory=list)  # the reader's invalid_json messages

    def to_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks,
            "annotations": self.annotations,
            "annotations_without_prediction": self.without_prediction,
            "proposed": self.proposed,
            "final": self.final,
            "kept": self.kept,
            "edited": {**{f: self.edited.get(f, 0) for f in FIELDS}, "quotes": self.edited_quotes},
            "deleted": self.deleted,
            "added": self.added,
            "by_rule": {k: v.to_dict() for k, v in sorted(self.by_rule.items())},
            "by_speaker": {k: v.to_dict() for k, v in sorted(self.by_speaker.items())},
            "by_kind": {k: v.to_dict() for k, v in sorted(self.by_kind.items())},
            "by_model_version": {k: v.to_dict() for k, v in sorted(self.by_version.items())},
            "stance_confusion": {p: dict(sorted(c.items())) for p, c in sorted(self.stance_confusion.items())},
            "model_versions": dict(sorted(self.model_versions.items())),
            "lead_time": {
                "seconds": round(self.lead_time_s, 1),
                "annotations": self.timed_annotations,
                "per_annotation_s": round(self.lead_time_s / self.timed_annotations, 1) if self.timed_annotations else None,
                "per_final_quote_s": round(self.lead_time_s / self.final, 1) if self.final and self.timed_annotations else None,
            },
        }

    def rows(self) -> list[tuple[str, str]]:
        def pct(n: int) -> str:
            return f"{n} ({100 * n / self.proposed:.0f}%)" if self.proposed else str(n)

        out = [("tasks", str(self.tasks)), ("annotations compared", str(self.annotations - self.without_prediction)),
               ("proposed quotes", str(self.proposed)), ("final quotes", str(self.final)),
               ("kept as proposed", pct(self.kept)), ("edited", pct(self.edited_quotes))]
        out += [(f"  edited: {f}", str(self.edited.get(f, 0))) for f in FIELDS]
        out += [("deleted", pct(self.deleted)), ("added (missed by the pre-annotator)", str(self.added))]
        if self.without_prediction:
            out.append(("annotations without a prediction (not compared)", str(self.without_prediction)))
        d = self.to_dict()["lead_time"]
        if d["annotations"]:
            out.append(("annotation time", f"{d['seconds']} s over {d['annotations']} annotations "
                                           f"({d['per_annotation_s']} s each, {d['per_final_quote_s']} s per final quote)"))
        return out


def _attribution(q) -> Attribution:
    return Attribution(fragments=((q.start, q.end),), texts=(q.text,), kind=q.kind, speaker=q.speaker, stance=q.stance)


def _changed(p, f) -> list[str]:
    """The fields of proposal ``p`` the final quote ``f`` changed.

    >>> from types import SimpleNamespace as Q
    >>> _changed(Q(start=0, end=5, speaker="A", stance=None, kind="direct"), Q(start=0, end=6, speaker="A", stance="favor", kind="direct"))
    ['boundary', 'stance']
    """
    out = []
    if (p.start, p.end) != (f.start, f.end):
        out.append("boundary")
    if (p.speaker or None) != (f.speaker or None):
        out.append("speaker")
    if p.stance != f.stance:
        out.append("stance")
    if p.kind != f.kind:
        out.append("kind")
    return out


def _proposal(task: dict, ann: dict) -> dict | None:
    """The prediction ``ann`` started from (the export reader's
    :func:`~toolkit.labelstudio.export.source_prediction_record`), else the task's last prediction.

    >>> t = {"predictions": [{"id": 1, "model_version": "a", "result": [1]}, {"id": 2, "model_version": "b", "result": [2]}]}
    >>> _proposal(t, {"parent_prediction": 1})["id"], _proposal(t, {})["id"], _proposal({}, {})
    (1, 2, None)
    """
    source = source_prediction_record(task, ann)
    if source is None:
        preds = [p for p in task.get("predictions") or [] if isinstance(p, dict) and isinstance(p.get("result"), list)]
        source = preds[-1] if preds else None
    return source


@dataclass(frozen=True)
class Compared:
    """One submitted annotation and the prediction it started from, both read and aligned
    (:func:`compared_annotations`)."""

    text: str
    article_id: str
    where: str  # "<file> task <id>", for messages
    annotation: dict
    prediction: dict  # the whole prediction record (model_version, result, ...)
    version: str  # its model_version, "(none)" when it has none
    proposed: list  # the proposal's quotes (QuoteRecords; a stance may be empty)
    final: list  # the annotation's quotes (likewise)
    matched: dict[int, int]  # final quote index -> proposed quote index (matched as evaluate matches)


def compare_task(task: Any, where: str, *, registry: Any, stance_labels: tuple[str, ...], model_version: str | None = None,
                 seen: "Corrections") -> Iterator[Compared]:
    """Each submitted (not cancelled) annotation of one Label Studio task (an export's item, or a
    task rebuilt from the ML backend's webhook log) that started from a prediction (of
    ``model_version``), with that prediction, read and aligned: the one home of that pairing.
    ``where`` names the task in messages (``<file> task <id>``); ``seen`` counts what it holds
    (tasks, annotations, those without a prediction, model_versions)."""
    if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
        return
    text = task["data"].get(N.TEXT)
    if not isinstance(text, str):
        return
    seen.task_items += 1
    anns = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    if not anns:
        return
    seen.tasks += 1
    aid = str(task["data"].get("article_id") or f"ls-task-{task.get('id')}")
    quiet = IssueLog()
    for ann in anns:
        seen.annotations += 1
        source = _proposal(task, ann)
        version = str(source.get("model_version") or "(none)") if source is not None else None
        if version is not None:
            seen.versions_seen[version] += 1
        if source is None or (model_version is not None and version != model_version):
            seen.without_prediction += 1
            continue
        seen.model_versions[version] += 1
        proposal = source["result"]
        proposed = parse_annotation(text, proposal, article_id=aid, where=where, issues=quiet, stance_labels=stance_labels,
                                    canonical=registry.canonical, stance_required=False)
        final = parse_annotation(text, ann.get("result"), article_id=aid, where=where, issues=quiet,
                                 stance_labels=stance_labels, canonical=registry.canonical, prediction=proposal, stance_required=False)
        matched = dict(match_overlap([_attribution(q) for q in final], [_attribution(q) for q in proposed]))
        yield Compared(text, aid, where, ann, source, version, proposed, final, matched)


def task_where(path: str | Path, task: Any) -> str:
    """How a task of the export ``path`` is named in messages.

    >>> task_where("exports/a.json", {"id": 4})
    'a.json task 4'
    """
    return f"{Path(path).name} task {task.get('id') if isinstance(task, dict) else '?'}"


def _configs(registry: Any, stance_labels: Iterable[str] | None) -> tuple[Any, tuple[str, ...]]:
    from toolkit.config import load_registry, load_stance

    registry = registry if registry is not None else load_registry()
    labels = tuple(stance_labels) if stance_labels is not None else load_stance().labels
    return registry, labels


def compared_annotations(paths: Iterable[str | Path], *, registry: Any = None, stance_labels: Iterable[str] | None = None,
                         model_version: str | None = None, seen: "Corrections | None" = None) -> Iterator[Compared]:
    """:func:`compare_task` over every task of the exports ``paths`` (the corrections report and
    ``speakers suggest --from-export`` read it), streamed task by task. ``seen`` (a
    :class:`Corrections`) also counts what the files hold, unreadable files included."""
    registry, labels = _configs(registry, stance_labels)
    seen = seen if seen is not None else Corrections()
    for path in paths:
        read = IssueLog()
        for task in iter_json_items(Path(path), read):
            yield from compare_task(task, task_where(path, task), registry=registry, stance_labels=labels,
                                    model_version=model_version, seen=seen)
        seen.problems += [m for reason, m in read.messages if reason == "invalid_json"]


class CorrectionsCounter:
    """Counts :class:`Corrections` task by task, for a reader that already holds the tasks (the
    build's pass over the exports, the backend's webhook log): :meth:`add_task` for each task,
    then :attr:`report`. :func:`corrections` is this counter over whole export files.

    >>> c = CorrectionsCounter(registry=__import__("toolkit.config", fromlist=["x"]).load_registry(), stance_labels=("favor",))
    >>> c.add_task({"id": 1, "data": {"text": "t"}, "annotations": [{"id": 2, "result": []}]}, "x.json")
    >>> (c.report.tasks, c.report.annotations, c.report.without_prediction)
    (1, 1, 1)
    """

    def __init__(self, *, registry: Any = None, stance_labels: Iterable[str] | None = None, model_version: str | None = None) -> None:
        self.registry, self.labels = _configs(registry, stance_labels)
        self.model_version = model_version
        self.report = Corrections()

    def add_task(self, task: Any, source: str | Path) -> None:
        """Count one task read from ``source`` (its file, for messages)."""
        self.count(compare_task(task, task_where(source, task), registry=self.registry, stance_labels=self.labels,
                                model_version=self.model_version, seen=self.report))

    def count(self, compared: Iterable[Compared]) -> None:
        """Count annotations already paired (by :func:`compare_task` with this counter's report as ``seen``)."""
        out = self.report
        for c in compared:
            lead = c.annotation.get("lead_time")
            if isinstance(lead, (int, float)) and not isinstance(lead, bool) and lead >= 0:
                out.lead_time_s += float(lead)
                out.timed_annotations += 1
            _count(out, c, proposal_rules(c.prediction["result"]), self.registry, out.by_version.setdefault(c.version, _Tally()))


def corrections(paths: Iterable[str | Path], *, model_version: str | None = None, registry: Any = None,
                stance_labels: Iterable[str] | None = None) -> Corrections:
    """Count what annotators changed in the exports ``paths`` (module docstring)."""
    counter = CorrectionsCounter(registry=registry, stance_labels=stance_labels, model_version=model_version)
    counter.count(compared_annotations(paths, registry=counter.registry, stance_labels=counter.labels,
                                       model_version=model_version, seen=counter.report))
    return counter.report


def corrections_from_backend_logs(paths: Iterable[str | Path], *, model_version: str | None = None, registry: Any = None,
                                  stance_labels: Iterable[str] | None = None) -> Corrections:
    """Count what annotators changed, from the ML backend's webhook logs ``paths``
    (:mod:`toolkit.labelstudio.backend_log`: the latest event per annotation wins), through the
    same pairing as exports; each annotation is compared with the prediction Label Studio stored
    in it (``annotation.prediction``)."""
    from toolkit.labelstudio.backend_log import backend_log_tasks

    counter = CorrectionsCounter(registry=registry, stance_labels=stance_labels, model_version=model_version)
    for path in paths:
        for task in backend_log_tasks(path):
            counter.add_task(task, path)
    return counter.report


def check_comparable(report: Corrections, paths: Iterable[str | Path], model_version: str | None = None, *,
                     backend_log: bool = False) -> None:
    """Raise a one-line :class:`~toolkit.errors.BadInputError` (exit 2) when the exports (or the
    ML backend's webhook logs, ``backend_log``) give nothing to compare, saying why and what to do:
    an invalid or truncated file, no Label Studio task, no submitted annotation, or no annotation
    that started from a prediction (of ``model_version``)."""
    from toolkit.errors import BadInputError

    names = ", ".join(str(p) for p in paths)
    if report.problems:
        raise BadInputError(f"{report.problems[0]} (a complete export is needed: pull it again with `quotekit ls pull`)")
    if backend_log and not report.annotations:
        raise BadInputError(f"{names}: the webhook log holds no live submitted annotation (none recorded yet, or all "
                            "deleted or skipped): annotate in a project connected with `quotekit ls connect`, or pass an export "
                            "from `quotekit ls pull`")
    if not report.task_items:
        raise BadInputError(f"{names}: no Label Studio task with data.{N.TEXT} (pass the JSON export of a quotekit project, "
                            "e.g. from `quotekit ls pull`)")
    if not report.annotations:
        raise BadInputError(f"{names}: none of the {report.task_items} task(s) has a submitted annotation, so nothing was "
                            "corrected yet (annotate in Label Studio, then export again with `quotekit ls pull`)")
    if report.annotations == report.without_prediction:
        if model_version is not None and report.versions_seen:
            found = ", ".join(f"{v!r} ({n})" for v, n in report.versions_seen.most_common())
            raise BadInputError(f"{names}: no annotation started from a prediction of model_version {model_version!r}; "
                                f"the annotations started from {found}: pass one of those to --model-version, or leave it out")
        if backend_log:
            raise BadInputError(f"{names}: none of the {report.annotations} recorded annotation(s) carries the prediction it "
                                "started from (Label Studio stores it in the annotation when the project's model_version is "
                                "the backend's, which `quotekit ls connect` sets): connect the project, or read an export "
                                "from `quotekit ls pull`")
        raise BadInputError(f"{names}: none of the {report.annotations} submitted annotation(s) started from a prediction "
                            "(the export holds no pre-annotation to compare with): push pre-annotated tasks with "
                            "`quotekit ls push`, annotate from them, and export with `quotekit ls pull` (it keeps the predictions)")


def _count(out: Corrections, c: Compared, rules: dict[str, str], registry: Any, version: _Tally) -> None:
    proposed, final = c.proposed, c.final
    out.proposed += len(proposed)
    out.final += len(final)
    pairs = {pi: fi for fi, pi in c.matched.items()}
    for pi, p in enumerate(proposed):
        tallies = [out.by_rule.setdefault(rules.get(p.region_id, "(no rule)"), _Tally()),
                   out.by_kind.setdefault(p.kind, _Tally()), version]
        if p.speaker and registry.get(p.speaker) is not None:
            tallies.append(out.by_speaker.setdefault(p.speaker, _Tally()))
        for t in tallies:
            t.proposed += 1
        fi = pairs.get(pi)
        if fi is None:
            out.deleted += 1
            for t in tallies:
                t.deleted += 1
            continue
        f = final[fi]
        out.stance_confusion.setdefault(p.stance or EMPTY, Counter())[f.stance or EMPTY] += 1
        changed = _changed(p, f)
        if not changed:
            out.kept += 1
            for t in tallies:
                t.kept += 1
            continue
        out.edited_quotes += 1
        out.edited.update(changed)
        for t in tallies:
            t.edited += 1
            t.fields.update(changed)
            t.split[changed[0] if len(changed) == 1 else SEVERAL] += 1
    out.added += len(final) - len(pairs)


# --------------------------------------------------------------------------- the dataset card's figures


def card_figures(report: Corrections | dict[str, Any]) -> dict[str, Any] | None:
    """The figures of the dataset card's section (:mod:`toolkit.dataset.corrections_section`) from a
    report, or None when no annotation was compared with a prediction: how many proposals were
    kept whole, edited, deleted; per field, how many proposals kept that field (matched and that
    field unchanged: a deleted proposal keeps none); the quotes added; and per ``model_version``
    (the rule set that proposed them) the same counts.

    >>> r = {"annotations": 2, "annotations_without_prediction": 0, "proposed": 4, "final": 4, "kept": 2, "deleted": 1,
    ...      "added": 1, "edited": {"boundary": 1, "speaker": 0, "stance": 1, "kind": 0, "quotes": 1}, "by_model_version": {}}
    >>> f = card_figures(r)
    >>> f["fields"], f["kept_share"]
    ({'boundary': 2, 'speaker': 3, 'stance': 2, 'kind': 3}, 0.5)
    """
    d = report.to_dict() if isinstance(report, Corrections) else report
    compared = d["annotations"] - d["annotations_without_prediction"]
    if not compared:
        return None
    matched = d["kept"] + d["edited"]["quotes"]
    return {
        "annotations": compared,
        "annotations_without_prediction": d["annotations_without_prediction"],
        "proposed": d["proposed"],
        "final": d["final"],
        "kept": d["kept"],
        "edited": d["edited"]["quotes"],
        "deleted": d["deleted"],
        "added": d["added"],
        "kept_share": d["kept"] / d["proposed"] if d["proposed"] else None,
        "fields": {f: matched - d["edited"][f] for f in FIELDS},
        "by_model_version": {v: {k: t[k] for k in ("proposed", "kept", "edited", "deleted")}
                             for v, t in d.get("by_model_version", {}).items()},
        "annotations_by_model_version": dict(d.get("model_versions", {})),
    }


# --------------------------------------------------------------------------- the chart


def chart_series(report: dict[str, Any], top: int = 25) -> tuple[list[str], dict[str, list[int]]]:
    """The chart's data from a :meth:`Corrections.to_dict` report: the rules, most proposals first
    (the ``top`` ones; the rest summed as ``(other rules)``), and per :data:`SEGMENTS` one count per
    rule; a rule's segments add up to its proposals.

    >>> t = {"proposed": 3, "kept": 1, "edited": 1, "deleted": 1, "edited_only": {"stance": 1}}
    >>> chart_series({"by_rule": {"r": t}})
    (['r'], {'kept': [1], 'edited: boundary': [0], 'edited: speaker': [0], 'edited: stance': [1], 'edited: kind': [0], 'edited: several fields': [0], 'deleted': [1]})
    """
    def segments(t: dict[str, Any]) -> list[int]:
        only = t.get("edited_only", {})
        return [t.get("kept", 0), *(only.get(f, 0) for f in FIELDS), only.get(SEVERAL, 0), t.get("deleted", 0)]

    ranked = sorted(report.get("by_rule", {}).items(), key=lambda kv: (-kv[1]["proposed"], kv[0]))
    rows = [(rule, segments(t)) for rule, t in ranked[:top]]
    if len(ranked) > top:
        rest = [sum(col) for col in zip(*(segments(t) for _, t in ranked[top:]))]
        rows.append((f"(other {len(ranked) - top} rules)", rest))
    series = {seg: [counts[i] for _, counts in rows] for i, seg in enumerate(SEGMENTS)}
    return [r for r, _ in rows], series


COLORS = {"kept": "#2e7d32", "edited: boundary": "#f9a825", "edited: speaker": "#1565c0", "edited: stance": "#8e24aa",
          "edited: kind": "#00838f", f"edited: {SEVERAL} fields": "#6d4c41", "deleted": "#c62828"}


def chart_figure(report: dict[str, Any], top: int = 25):
    """A matplotlib Figure (Agg) of :func:`chart_series`: one horizontal stacked bar per rule."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    rules, series = chart_series(report, top)
    names = [r.replace("$", r"\$") for r in rules][::-1] or ["(no proposal)"]
    fig, ax = plt.subplots(figsize=(9, max(2.2, 0.38 * len(names) + 1.4)), dpi=100)
    left = [0] * len(names)
    for seg in SEGMENTS:
        vals = series[seg][::-1] or [0]
        ax.barh(names, vals, left=left, label=seg, color=COLORS[seg])
        left = [a + b for a, b in zip(left, vals)]
    kept, proposed = report.get("kept", 0), report.get("proposed", 0)
    share = f", {100 * kept / proposed:.0f}% kept" if proposed else ""
    ax.set_title(f"Where the edits go, by rule ({proposed} proposed quotes{share}; {report.get('added', 0)} added)")
    ax.set_xlabel("proposed quotes")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def write_chart(report: dict[str, Any], path: str | Path, top: int = 25) -> Path:
    """Write :func:`chart_figure` to ``path`` as a PNG, atomically (:func:`toolkit.io.atomic_open`)."""
    import matplotlib.pyplot as plt

    from toolkit.io import atomic_open

    fig = chart_figure(report, top)
    try:
        with atomic_open(path, binary=True) as fh:
            fig.savefig(fh, format="png")
    finally:
        plt.close(fig)
    return Path(path)
