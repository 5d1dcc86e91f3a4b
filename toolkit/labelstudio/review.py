"""``quotekit review``: the tasks whose annotators disagree, sent to a review project where a
reviewer settles them (Label Studio Community has no reviewer stream of its own).

1. The source project is exported (``ls pull``'s snapshot, to a temporary file) or its
   exports are given; :meth:`~toolkit.labelstudio.export.ExportReader.versions` reads each
   account's latest live annotation of every task annotated by several accounts.
2. A ``compare`` function that the command layer passes in (quotekit's:
   :func:`toolkit.dataset.disagreements.differences`, quotes matched as ``quotekit agreement``
   matches them) says whether the versions differ, on which fields (quote, boundary, speaker,
   stance, kind), with a short summary; this adapter never imports the dataset layer.
3. Each disagreeing task becomes a review task: the source task's data (same ``article_id``,
   ``text`` and ``text_sha256``, so the build pools the reviewer's annotation with the
   annotators'), plus ``review_of_project``, ``review_of_task``, ``review_summary`` (shown above
   the text: the review project's config is quotekit's with one more ``Header``) and
   ``review_fields``; every account's version is a prediction (:func:`toolkit.labelstudio.tasks.build_result`
   of its quotes, ``model_version`` the account: the e-mail when the server names the user id,
   else ``user:<id>``; no prefix, as Label Studio 1.23 shows a version's tab as the first 8 and
   last 6 characters of a name longer than 15, so ``annotator:alice@example.org`` would read
   ``annotato...le.org``; every prediction of a review task is a version). The reviewer picks or edits a version and submits it; ``quotekit build`` with
   the review project's export among its inputs uses it ahead of ground truth and latest.
4. The review project (default title ``"<source title> (review)"``) is created or updated like a
   push (:func:`toolkit.labelstudio.push.ensure_project`, :class:`~toolkit.labelstudio.push.ProjectLock`,
   batched import, :func:`~toolkit.labelstudio.push.verify_pushed` per account). Re-running adds
   only the new disagreements; a review task an annotator worked on (a submitted annotation: the
   task is adjudicated; or a draft) is never rewritten or deleted; one nobody touched whose
   versions changed since gets the new versions; one whose versions now agree is left and named.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from toolkit.errors import BadInputError
from toolkit.labelstudio.export import (
    REVIEW_FIELDS,
    REVIEW_OF_PROJECT,
    REVIEW_OF_TASK,
    REVIEW_SUMMARY,
    ExportReader,
    IssueLog,
    QuoteRecord,
    TaskVersions,
)
from toolkit.labelstudio.push import (
    ProjectLock,
    PushReport,
    import_batches,
    ensure_project,
    has_work,
    remove_duplicate_tasks,
    remove_empty_twins,
    verify_pushed,
)
from toolkit.labelstudio.tasks import (BuiltTask, build_result, candidate_names, speaker_candidates, task_data,
                                      validate_prediction)
from toolkit.labelstudio import names as N
from toolkit.types import Quote

Echo = Callable[[str], None]


#: ``{account: quotes}`` of one task -> ``(fields that differ, e.g. ["speaker", "stance"], a short
#: summary for the reviewer)``, or None when the versions agree.
Compare = Callable[[dict[str, list[QuoteRecord]]], "tuple[list[str], str] | None"]


@dataclass
class ReviewReport:
    project_title: str = ""
    review_title: str = ""
    review_project_id: int = 0
    review_created: bool = False
    exports: list[str] = field(default_factory=list)
    tasks_read: int = 0  # tasks in the export(s)
    multi_annotated: int = 0  # tasks with versions of several accounts
    agreeing: int = 0
    disagreeing: int = 0
    fields: dict[str, int] = field(default_factory=dict)  # field -> disagreeing tasks
    added: int = 0  # review tasks imported by this run
    updated: int = 0  # untouched review tasks given the annotators' new versions
    unchanged: int = 0  # review tasks already there with the same versions
    adjudicated: int = 0  # review tasks with a submitted annotation (never reopened)
    adjudicated_changed: list[str] = field(default_factory=list)  # ... whose annotators' versions changed since
    in_progress: list[str] = field(default_factory=list)  # review tasks with a draft only: left as they are
    now_agree: list[str] = field(default_factory=list)  # unadjudicated review tasks whose versions no longer differ
    skipped: list[str] = field(default_factory=list)  # "article: why" (invalid version, ...)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        fields = ", ".join(f"{k} {v}" for k, v in sorted(self.fields.items(), key=lambda kv: -kv[1]))
        lines = [
            f"{self.tasks_read} tasks read, {self.multi_annotated} annotated by several accounts: {self.agreeing} agree, "
            f"{self.disagreeing} disagree" + (f" (by field: {fields})" if fields else "") + ".",
        ]
        if not self.review_project_id:
            lines.append(f"Nothing to review: no review project {self.review_title!r} was created ({self.seconds:.1f} s).")
            return "\n".join(lines)
        lines.append(f"Review project {self.review_title!r} (id {self.review_project_id}{', created' if self.review_created else ''}): "
                     f"{self.added} review tasks added, {self.updated} updated, {self.unchanged} already there, "
                     f"{self.adjudicated} adjudicated ({self.seconds:.1f} s).")
        if self.adjudicated_changed:
            lines.append(f"{len(self.adjudicated_changed)} adjudicated tasks have other versions now; they are not reopened "
                         f"({_ids(self.adjudicated_changed)}).")
        if self.in_progress:
            lines.append(f"{len(self.in_progress)} review tasks have a reviewer's draft (or were skipped) and were left as they are "
                         f"({_ids(self.in_progress)}).")
        if self.now_agree:
            lines.append(f"{len(self.now_agree)} review tasks not yet adjudicated no longer disagree ({_ids(self.now_agree)}): "
                         "submit or delete them in Label Studio.")
        if self.skipped:
            lines.append(f"{len(self.skipped)} disagreeing tasks were not sent to review: " + "; ".join(self.skipped[:5]))
        return "\n".join(lines)


def _ids(ids: Sequence[str], n: int = 5) -> str:
    return ", ".join(ids[:n]) + (f", ... ({len(ids) - n} more)" if len(ids) > n else "")


def default_review_title(project_title: str) -> str:
    """``default_review_title("round 1") -> "round 1 (review)"``."""
    return f"{project_title} (review)"


def review_config(config_xml: str) -> str:
    """quotekit's labeling config with the differences shown above the article (a ``Header`` on
    ``$review_summary``; no control is added, so the project stays a quotekit project).

    >>> review_config("<View>\\n  <Text name='text' value='$text'/>\\n</View>").splitlines()[1].strip()
    '<View style="background: #fff7e6; padding: 4px 8px; margin-bottom: 8px"><Header name="review_summary" value="$review_summary" size="6"/></View>'
    """
    header = (f'<View style="background: #fff7e6; padding: 4px 8px; margin-bottom: 8px">'
              f'<Header name="{REVIEW_SUMMARY}" value="${REVIEW_SUMMARY}" size="6"/></View>')
    root = re.search(r"<View\b[^>]*>", config_xml)
    if root is None:
        raise ValueError("a labeling config has a <View> root")
    return f"{config_xml[:root.end()]}\n  {header}{config_xml[root.end():]}"


def account_names(client) -> dict[str, str]:
    """``"user:<id>"`` -> e-mail of the server's accounts (``GET /api/users/``): an export names
    annotators by id only. Empty when the server does not list them."""
    from toolkit.errors import QuotekitError

    try:
        users = client.request("GET", "/api/users/", "list the users")
    except QuotekitError:
        return {}
    if isinstance(users, dict):
        users = users.get("results") or []
    return {f"user:{u['id']}": str(u["email"]).casefold() for u in users or []
            if isinstance(u, dict) and isinstance(u.get("id"), int) and u.get("email")}


def version_prediction(tv: TaskVersions, quotes: Iterable[QuoteRecord], account: str, registry=None,
                       candidates: Iterable[str] | None = None) -> dict[str, Any]:
    """One account's version of a task as a prediction (``model_version``: the account); a
    speaker among ``candidates`` (the review task's short list) is named in the candidate radio."""
    result, _warnings = build_result(tv.article_id, tv.text, [Quote.from_dict(asdict(q)) for q in quotes], registry,
                                     candidates=candidates)
    return {"model_version": account, "result": result}


def review_task(tv: TaskVersions, found: tuple[list[str], str], names: dict[str, str], registry=None) -> BuiltTask:
    """The review task of a disagreeing task: its data and every account's version."""
    record = {"article_id": tv.article_id, "text": tv.text, **{k: tv.data.get(k) for k in ("title", "outlet", "date")}}
    data = task_data(record)
    data[REVIEW_OF_PROJECT] = "" if tv.project is None else tv.project
    data[REVIEW_OF_TASK] = tv.task_id
    fields, summary = found
    data[REVIEW_SUMMARY] = summary
    data[REVIEW_FIELDS] = ", ".join(fields)
    versions = sorted(tv.versions.items(), key=lambda kv: names.get(kv[0], kv[0]))
    # the short list offers every version's registry speakers (one click to take another's name)
    candidates = speaker_candidates(tv.text, [Quote.from_dict(asdict(q)) for _, v in versions for q in v.quotes], registry)
    data[N.SPEAKER_CANDIDATES] = [{"value": name} for name in candidates]
    preds = [version_prediction(tv, v.quotes, names.get(who, who), registry, candidates) for who, v in versions]
    return BuiltTask(tv.article_id, {"data": data, "predictions": preds})


def find_disagreements(versions: Iterable[TaskVersions], compare: Compare, *, registry, stance_labels: Sequence[str],
                       names: dict[str, str] | None = None, report: ReviewReport | None = None) -> list[BuiltTask]:
    """Offline: the review tasks of the disagreeing tasks among ``versions``, each version
    checked as a push checks a prediction (a task without an ``article_id`` cannot be matched
    back to its task by the build: skipped and named, like a version that fails the check)."""
    names = names or {}
    report = report if report is not None else ReviewReport()
    speakers = registry.names()
    fields: dict[str, int] = dict(report.fields)
    out: list[BuiltTask] = []
    for tv in versions:
        report.multi_annotated += 1
        by = {names.get(who, who): v.quotes for who, v in tv.versions.items()}
        found = compare(by)
        if found is None:
            report.agreeing += 1
            continue
        report.disagreeing += 1
        for f in found[0]:
            fields[f] = fields.get(f, 0) + 1
        if tv.data.get("article_id") in (None, ""):
            report.skipped.append(f"task {tv.task_id}: no article_id in its data")
            continue
        bt = review_task(tv, found, names, registry)
        errors = [e for p in bt.task["predictions"]
                  for e in validate_prediction(bt.article_id, tv.text, p, stance_labels=stance_labels, speaker_names=speakers,
                                             candidates=candidate_names(bt.task["data"]))]
        if errors:
            report.skipped.append(errors[0])
            continue
        out.append(bt)
    report.fields = fields
    return out


def read_disagreements(paths: Sequence[Path], compare: Compare, *, registry, scheme, names: dict[str, str] | None = None,
                       report: ReviewReport | None = None) -> list[BuiltTask]:
    """Offline: read the exports ``paths`` (speakers canonicalised with ``registry``) and return
    the review tasks of their disagreeing tasks; ``report`` gets the counts."""
    report = report if report is not None else ReviewReport()
    reader = ExportReader(paths, issues=IssueLog(), stance_labels=scheme.labels, canonical=registry.canonical)
    report.tasks_read = reader.scan().tasks
    return find_disagreements(reader.versions(), compare, names=names, registry=registry, stance_labels=scheme.labels, report=report)


# --------------------------------------------------------------------------- server side


@dataclass
class _ReviewTask:
    task_id: int
    adjudicated: bool  # a submitted annotation (not skipped)
    worked: bool  # any work: an annotation (skipped too) or a draft
    versions: set[tuple[str, str]]  # (model_version, result) of its predictions: the versions
    predictions: list[dict]


def _key(pred: dict) -> tuple[str, str]:
    return pred.get("model_version") or "", json.dumps(sorted(json.dumps(r, sort_keys=True) for r in pred.get("result") or []))


def _review_tasks(client, pid: int, report: PushReport) -> dict[str, _ReviewTask]:
    """article_id -> the review task (copies an interrupted import left are removed first)."""
    out: dict[str, _ReviewTask] = {}
    for attempt in (1, 2):
        out, duplicated = {}, False
        for t in client.iter_tasks(pid, fields="all"):
            aid = str((t.get("data") or {}).get("article_id") or "")
            if not aid:
                continue
            if aid in out:
                duplicated = True
                continue
            preds = [p for p in t.get("predictions") or [] if isinstance(p, dict)]  # all versions (module docstring)
            adjudicated = bool(t.get("total_annotations"))  # submitted, not skipped
            worked = has_work(t) or bool(t.get("cancelled_annotations"))
            out[aid] = _ReviewTask(t["id"], adjudicated, worked, {_key(p) for p in preds}, preds)
        if not duplicated or attempt == 2:
            return out
        remove_duplicate_tasks(client, pid, report)
    return out


def push_review_tasks(client, review_title: str, config_xml: str, built: list[BuiltTask], report: ReviewReport, *,
                      echo: Echo = print, batch_size: int = 200, progress: bool = False) -> None:
    """Create or update the review project with ``built`` (module docstring, step 4); with
    nothing to review and no review project yet, none is created."""
    push_report = PushReport(project_title=review_title)
    if not built and client.find_project(review_title) is None:
        return
    with ProjectLock(getattr(client, "url", ""), review_title, echo):
        project = ensure_project(client, review_title, config_xml, push_report, echo)
        pid = project["id"]
        report.review_project_id, report.review_created = pid, push_report.project_created
        existing = _review_tasks(client, pid, push_report)
        wanted = {bt.article_id for bt in built}
        new = [bt for bt in built if bt.article_id not in existing]
        import_batches(client, pid, new, batch_size, push_report, echo, progress)
        report.added = len(new)
        changed: list[BuiltTask] = []
        for bt in built:
            ex = existing.get(bt.article_id)
            if ex is None:
                continue
            same = ex.versions == {_key(p) for p in bt.task["predictions"]}
            if ex.adjudicated:
                if not same:
                    report.adjudicated_changed.append(bt.article_id)
            elif ex.worked:  # a draft, or skipped by the reviewer: never rewritten
                report.in_progress.append(bt.article_id)
            elif same:
                report.unchanged += 1
            else:  # nobody touched it: the annotators' current versions replace the old ones
                client.update_task(ex.task_id, bt.task["data"])
                for p in ex.predictions:
                    client.delete_prediction(p["id"])
                for p in bt.task["predictions"]:
                    client.create_prediction(ex.task_id, p["result"], None, p["model_version"])
                changed.append(bt)
        report.updated = len(changed)
        report.adjudicated = sum(1 for ex in existing.values() if ex.adjudicated)
        report.now_agree = sorted(aid for aid, ex in existing.items() if aid not in wanted and not ex.adjudicated)
        sent = new + changed
        for mv in sorted({p["model_version"] for bt in sent for p in bt.task["predictions"]}):
            one = {bt.article_id: BuiltTask(bt.article_id, {"data": bt.task["data"], "predictions": [p]})
                   for bt in sent for p in bt.task["predictions"] if p["model_version"] == mv}
            verify_pushed(client, pid, one, mv, push_report, echo)
        remove_empty_twins(client, review_title, pid, push_report)


def review_project(client, project_title: str, review_title: str | None, compare: Compare, *,
                   exports: Sequence[Path] | None = None, registry=None, scheme=None, echo: Echo = print,
                   batch_size: int = 200, progress: bool = False, data_dir: str | Path | None = None) -> ReviewReport:
    """``quotekit review``: export ``project_title`` (or read ``exports``), find the disagreeing
    tasks with ``compare`` and create or update the review project (module docstring)."""
    from toolkit.config import load_registry, load_stance
    from toolkit.labelstudio.config import build_label_config
    from toolkit.labelstudio.pull import pull_export

    t0 = time.monotonic()
    review_title = review_title or default_review_title(project_title)
    if review_title == project_title:
        raise BadInputError(f"--review-project {review_title!r} is the project under review: pick another title")
    registry = registry if registry is not None else load_registry()
    scheme = scheme if scheme is not None else load_stance()
    report = ReviewReport(project_title=project_title, review_title=review_title)
    with tempfile.TemporaryDirectory(prefix="quotekit-review-") as tmp:
        if exports:
            paths = [Path(p) for p in exports]
        else:
            paths = [Path(tmp) / "export.json"]
            pull_export(client, project_title, paths[0], echo=echo, data_dir=data_dir)
        report.exports = [str(p) for p in paths] if exports else []
        built = read_disagreements(paths, compare, registry=registry, scheme=scheme, names=account_names(client), report=report)
    config_xml = review_config(build_label_config(registry.names(), scheme.labels, scheme.target.description))
    push_review_tasks(client, review_title, config_xml, built, report, echo=echo, batch_size=batch_size, progress=progress)
    report.seconds = time.monotonic() - t0
    return report
