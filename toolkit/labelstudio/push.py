"""``quotekit ls push``: articles (optionally with quotes) -> Label Studio tasks with predictions.

Idempotent and resumable: each task's data carries ``article_id`` and ``text_sha256``; before
importing, the project's tasks are listed and an article already present is never imported
again. A push killed mid-way and re-run imports exactly what is missing. A batch whose request
failed in transit is checked against the server before it is retried (no blind re-import).

``--update`` replaces the predictions of tasks whose text changed (when not yet annotated) or
whose quotekit prediction differs from the new one (other model_version, other result), and
sets the project's ``model_version`` so the labeling UI shows the new predictions.

``--predictions PREDICTIONS.jsonl`` (:func:`read_predictions`, :func:`join_predictions`): the
output of ``quotekit preannotate`` or ``python -m toolkit.scale`` (``{article_id, quotes,
warnings, text_sha256}`` or ``{article_id, error}``), joined to the articles by ``article_id`` and used
instead of running the pre-annotator. An article with no prediction, or whose prediction has an
``error``, or whose ``text_sha256`` is not the hash of the article's text (made on another
version of it: its offsets would point elsewhere) is not pushed (counted and named); a
prediction for an article that is not in the articles file is reported and ignored. Nothing is
pre-annotated on the way in.

Records without quotes (and without ``--predictions``) go through a ``preannotator`` that the
command layer passes in (``quotekit ls push`` gives ``toolkit.pipeline.preannotate_records``):
this adapter never imports the pipeline; without one they are refused.

Nothing is lost when others write at the same time (issue 19): one writer per project
(:class:`ProjectLock`), every import answer compared with what was sent
(:func:`check_import_answer`), and the project checked at the end (:func:`verify_pushed`: one
task per article, each with this push's prediction; what the server dropped is re-created once,
else exit 3 naming the tasks).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from toolkit.errors import BadInputError, ServerError
from toolkit.labelstudio.chars import offset_breaking_characters
from toolkit.labelstudio.tasks import (BuiltTask, build_task, candidate_names, label_interface, model_version, text_sha256,
                                       validate_prediction)
from toolkit.types import Quote, quote_shape_error

Echo = Callable[[str], None]
MAX_SHOWN_ERRORS = 10


@dataclass
class PushReport:
    project_id: int = 0
    project_title: str = ""
    project_created: bool = False
    config_updated: bool = False
    records: int = 0
    imported: int = 0
    already_present: int = 0
    predictions_replaced: int = 0
    text_updated: int = 0
    preannotated: int = 0
    preannotate_failed: list[str] = field(default_factory=list)
    duplicates_in_input: int = 0
    import_retried: bool = False
    predictions_repaired: list[str] = field(default_factory=list)  # tasks the server made bare: prediction re-created
    waited_for_lock: float = 0.0
    empty_projects_removed: int = 0  # empty twins of the project (same title) left by a retried create
    import_shortfall: dict[str, int] = field(default_factory=lambda: {"tasks": 0, "predictions": 0})
    duplicates_removed: int = 0
    duplicates_kept: list[str] = field(default_factory=list)
    outdated_not_updated: int = 0
    changed_text_skipped: list[str] = field(default_factory=list)
    worked_not_updated: list[str] = field(default_factory=list)  # articles --update held back: an annotator worked on them
    task_ids: dict[str, int] = field(default_factory=dict)  # article -> task id, for the held-back lists
    order: str = "input"
    speaker_control: str = "Candidates"  # "Choices": an older project kept its speaker drop-down
    update: bool = False
    predictions_file: str = ""
    predictions_used: int = 0
    prediction_missing: list[str] = field(default_factory=list)  # articles without a prediction: not pushed
    prediction_failed: list[str] = field(default_factory=list)  # "aid: error" from the predictions file: not pushed
    prediction_stale: list[str] = field(default_factory=list)  # made on another text of the article: not pushed
    prediction_unknown: list[str] = field(default_factory=list)  # predictions for articles not in the input
    warnings: list[str] = field(default_factory=list)
    model_version: str = ""
    project_model_version: str = ""
    seconds: float = 0.0

    def _named(self, aids: list[str], n: int = 10) -> str:
        """``int-1 (task 5), int-2 (task 6), ...``: articles with their Label Studio task ids."""
        named = [f"{a} (task {self.task_ids[a]})" if a in self.task_ids else a for a in aids[:n]]
        return ", ".join(named) + (", ..." if len(aids) > n else "")

    def summary(self) -> str:
        parts = [
            f"Project {self.project_title!r} (id {self.project_id}{', created' if self.project_created else ''}"
            f"{', config updated' if self.config_updated else ''}): "
            f"{self.imported} tasks imported, {self.already_present} already present"
        ]
        if self.predictions_replaced:
            parts.append(f"{self.predictions_replaced} predictions replaced")
        if self.text_updated:
            parts.append(f"{self.text_updated} task texts updated")
        if self.preannotated:
            parts.append(f"{self.preannotated} articles pre-annotated")
        if self.predictions_file:
            parts.append(f"{self.predictions_used} predictions from {self.predictions_file}")
        if self.duplicates_in_input:
            parts.append(f"{self.duplicates_in_input} duplicate records in the input skipped")
        if self.duplicates_removed:
            parts.append(f"{self.duplicates_removed} duplicate tasks from an interrupted or concurrent import removed")
        if self.predictions_repaired:
            parts.append(f"{len(self.predictions_repaired)} pre-annotations the server dropped re-created")
        if self.empty_projects_removed:
            parts.append(f"{self.empty_projects_removed} empty projects with the same title removed")
        lines = [", ".join(parts) + f" ({self.seconds:.1f} s; model_version {self.model_version})."]
        if self.preannotate_failed:
            lines.append(f"{len(self.preannotate_failed)} articles could not be pre-annotated and were not pushed: "
                         + "; ".join(self.preannotate_failed[:5]))
        if self.prediction_missing:
            lines.append(f"{len(self.prediction_missing)} articles have no prediction in {self.predictions_file} and were not pushed "
                         f"({', '.join(self.prediction_missing[:5])}{', ...' if len(self.prediction_missing) > 5 else ''}): "
                         "pre-annotate them and push again")
        if self.prediction_failed:
            lines.append(f"{len(self.prediction_failed)} articles have a failed prediction (an 'error' record) in "
                         f"{self.predictions_file} and were not pushed: " + "; ".join(self.prediction_failed[:5]))
        if self.prediction_stale:
            lines.append(f"{len(self.prediction_stale)} predictions in {self.predictions_file} were made on another version "
                         f"of the article's text (text_sha256 differs) and were not pushed "
                         f"({', '.join(self.prediction_stale[:5])}{', ...' if len(self.prediction_stale) > 5 else ''}): "
                         "re-run `quotekit preannotate` on these articles and push again")
        if self.prediction_unknown:
            lines.append(f"{len(self.prediction_unknown)} predictions in {self.predictions_file} are for articles not in the "
                         f"articles file and were ignored: {', '.join(self.prediction_unknown[:5])}"
                         f"{', ...' if len(self.prediction_unknown) > 5 else ''}")
        if self.outdated_not_updated:
            lines.append(f"{self.outdated_not_updated} existing tasks have other predictions than this push: "
                         "re-run with --update to replace them")
        if self.worked_not_updated:
            shown = self._named(self.worked_not_updated)
            lines.append(f"{len(self.worked_not_updated)} tasks with an annotation or a draft were not updated "
                         f"({shown}): a push never rewrites a task an annotator worked on (its pre-annotation "
                         "stays the one the work started from)")
        if self.changed_text_skipped:
            shown = self._named(self.changed_text_skipped)
            if self.update:  # only annotated tasks are held back under --update
                lines.append(f"{len(self.changed_text_skipped)} annotated tasks (or with a draft) have a different text and "
                             f"were held back ({shown}): tasks annotators worked on are never rewritten; to re-annotate the "
                             "new text, delete the task in Label Studio (after pulling its annotations) and push again")
            else:
                lines.append(f"{len(self.changed_text_skipped)} existing tasks have a different text ({shown}): "
                             "re-run with --update to replace the unannotated ones (annotated tasks are never rewritten)")
        if self.duplicates_kept:
            lines.append(f"{len(self.duplicates_kept)} articles have several annotated tasks, left as they are "
                         f"(merge them in Label Studio): {', '.join(self.duplicates_kept[:5])}")
        if self.warnings:
            lines.append(f"{len(self.warnings)} warnings, e.g. {self.warnings[0]}")
        if self.speaker_control == "Choices":
            lines.append("This project was made before the speaker became a searchable list: it keeps its speaker "
                         "drop-down (its annotations use it; Label Studio cannot show them with the new list). "
                         "A new project gets the searchable list.")
        if self.project_model_version and self.project_model_version != self.model_version:
            lines.append(f"The project shows predictions of model_version {self.project_model_version!r}; "
                         "re-run with --update to switch it to this one.")
        return "\n".join(lines)


# --------------------------------------------------------------------------- input


def read_records(path: Path, report: PushReport) -> list[dict[str, Any]]:
    """Article records (``article_id``, ``text`` + metadata, optional ``quotes``), de-duplicated."""
    from toolkit.io import read_jsonl_numbered

    records: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for n, rec in read_jsonl_numbered(path):
        where = f"{path}:{n}"
        if "text" not in rec and ("quotes" in rec or "error" in rec):
            raise BadInputError(
                f"{where}: this is a predictions record (article_id + quotes/error, no text, as `quotekit preannotate` "
                f"writes): pass it with --predictions next to the articles: "
                f"`quotekit ls push ARTICLES.jsonl --predictions {path} --project TITLE`"
            )
        if "error" in rec and "quotes" not in rec:
            report.preannotate_failed.append(f"{rec.get('article_id', '?')}: {rec['error']}")
            continue
        aid, text = rec.get("article_id"), rec.get("text")
        if not isinstance(aid, str) or not aid or not isinstance(text, str) or not text:
            raise BadInputError(
                f"{where}: needs 'article_id' and 'text' (article records from `quotekit ingest`, "
                "or those records with a 'quotes' list)"
            )
        if "quotes" in rec and not isinstance(rec["quotes"], list):
            raise BadInputError(f"{where}: article {aid}: 'quotes' must be a list")
        refuse_offset_breaking_text(aid, text, where)
        sha = text_sha256(text)
        if aid in seen:
            if seen[aid] != sha:
                raise BadInputError(f"{where}: article {aid} appears twice with different texts")
            report.duplicates_in_input += 1
            continue
        seen[aid] = sha
        records.append(rec)
    return records


def refuse_offset_breaking_text(aid: str, text: str, where: str = "") -> None:
    """A :class:`BadInputError` when ``text`` holds a character Label Studio counts differently
    from Python (``toolkit.labelstudio.chars``: NUL): its highlights would be drawn off by one."""
    bad_chars = offset_breaking_characters(text)
    if bad_chars:
        found = ", ".join(f"{n} x {label}" for label, n in bad_chars.items())
        raise BadInputError(
            f"{where + ': ' if where else ''}article {aid}: its text holds characters Label Studio counts differently "
            f"({found}): every highlight after them would be drawn off by one; ingest the article with `quotekit ingest` "
            "(which removes them and counts what it removed) and pre-annotate the ingested text"
        )


def read_predictions(path: Path) -> dict[str, dict[str, Any]]:
    """``quotekit preannotate`` / ``python -m toolkit.scale`` output: article_id -> its record
    (``{article_id, quotes, warnings, text_sha256}`` or ``{article_id, error}``). Shapes are checked here,
    quote fields when the tasks are built; two records for one article are an error."""
    from toolkit.io import read_jsonl_numbered

    out: dict[str, dict[str, Any]] = {}
    line_of: dict[str, int] = {}
    for n, rec in read_jsonl_numbered(path):
        where = f"{path}:{n}"
        aid = rec.get("article_id")
        if "text" in rec and "quotes" not in rec and "error" not in rec:
            raise BadInputError(f"{where}: an article record, not a prediction: --predictions takes the output of "
                                "`quotekit preannotate` (article_id, quotes, warnings); the articles go first")
        if not isinstance(aid, str) or not aid:
            raise BadInputError(f"{where}: a prediction needs an 'article_id' (records of `quotekit preannotate`: "
                                "article_id, quotes, warnings)")
        if "error" not in rec and not isinstance(rec.get("quotes"), list):
            raise BadInputError(f"{where}: prediction for article {aid} needs a 'quotes' list (or an 'error')")
        if aid in out:
            raise BadInputError(f"{where}: a second prediction for article {aid} (first at line {line_of[aid]}); "
                                "keep one per article")
        out[aid] = rec
        line_of[aid] = n
    return out


def join_predictions(records: list[dict[str, Any]], predictions: dict[str, dict[str, Any]], report: PushReport,
                     source: str = "the predictions") -> list[dict[str, Any]]:
    """Articles with their ``quotes`` from ``predictions`` (by ``article_id``); the ones with no
    prediction or a failed one are left out and counted in ``report`` (never pre-annotated here)."""
    out: list[dict[str, Any]] = []
    wanted = set()
    for rec in records:
        aid = rec["article_id"]
        wanted.add(aid)
        if "quotes" in rec:
            raise BadInputError(f"article {aid} has 'quotes' in the articles file and --predictions was given: "
                                "push plain articles (from `quotekit ingest`) with --predictions")
        pred = predictions.get(aid)
        if pred is None:
            report.prediction_missing.append(aid)
            continue
        if "error" in pred:
            report.prediction_failed.append(f"{aid}: {pred['error'] or 'an error record'}")
            continue
        sha = pred.get("text_sha256")
        if isinstance(sha, str) and sha and sha != text_sha256(rec["text"]):
            report.prediction_stale.append(aid)  # offsets refer to another version of the text
            continue
        out.append({**rec, "quotes": pred["quotes"]})
        report.warnings += [f"article {aid}: {w}" for w in pred.get("warnings") or [] if isinstance(w, str)]
    report.prediction_unknown = [aid for aid in predictions if aid not in wanted]
    report.predictions_used = len(out)
    return out


def _quotes(rec: dict[str, Any]) -> list[Quote]:
    if not isinstance(rec["quotes"], list):
        raise BadInputError(f"article {rec['article_id']}: 'quotes' must be a list of quote records")
    out = []
    for i, q in enumerate(rec["quotes"], start=1):
        if isinstance(q, Quote):
            out.append(q)
            continue
        problem = quote_shape_error(q)
        if problem:
            raise BadInputError(f"article {rec['article_id']}, quote {i}: not a quote record ({problem}); "
                                "quotes must have the shape `quotekit preannotate` writes")
        out.append(Quote.from_dict(q))
    return out


#: What the command layer hands to a push for records that come without quotes: article records
#: in, one ``quotekit preannotate`` result per record out (``{article_id, quotes, warnings}`` or
#: ``{article_id, error}``), e.g. ``lambda recs: toolkit.pipeline.preannotate_records(recs)``.
Preannotator = Callable[[list[dict[str, Any]]], Iterable[dict[str, Any]]]


def preannotate(records: list[dict[str, Any]], preannotator: Preannotator | None, report: PushReport,
                echo: Echo) -> dict[str, list[Quote]]:
    """Quotes for ``records`` (none of which has ``quotes``) from the command layer's
    ``preannotator``; this adapter never runs the pipeline itself. Without one, records that need
    quotes are bad input."""
    if not records:
        return {}
    if preannotator is None:
        shown = ", ".join(r["article_id"] for r in records[:5]) + (", ..." if len(records) > 5 else "")
        raise BadInputError(
            f"{len(records)} articles have no 'quotes' ({shown}): run `quotekit preannotate ARTICLES.jsonl -o "
            "PREDICTIONS.jsonl` and push with --predictions PREDICTIONS.jsonl"
        )
    echo(f"Pre-annotating {len(records)} articles...")
    out: dict[str, list[Quote]] = {}
    for res in preannotator(records):
        aid = str(res.get("article_id"))
        if res.get("error"):
            report.preannotate_failed.append(f"{aid}: {res['error']}")
            continue
        out[aid] = [Quote.from_dict(q) if isinstance(q, dict) else q for q in res.get("quotes", [])]
        report.warnings += [f"article {aid}: {w}" for w in res.get("warnings", [])]
    report.preannotated = len(out)
    return out


# --------------------------------------------------------------------------- server side


@dataclass
class Existing:
    task_id: int
    sha: str
    annotated: bool
    predictions: list[dict]
    data: dict = field(default_factory=dict)


def _data_current(ex: Existing, bt: BuiltTask) -> bool:
    """Whether the task already holds the data this push would send (the review panel and the
    doubt figures change with the proposal, the text hash does not)."""
    return all(ex.data.get(k) == v for k, v in bt.task["data"].items())


def has_work(task: dict) -> bool:
    """Whether an annotator has worked on ``task``: an annotation, or a draft (Label Studio
    autosaves one within seconds of the first edit; ``draft_exists`` covers every user's drafts
    and is only sent with ``fields=all``). Such a task is never rewritten or deleted by a push.

    >>> has_work({"total_annotations": 0, "draft_exists": True}), has_work({"total_annotations": 0, "drafts": []})
    (True, False)
    """
    return bool(task.get("total_annotations") or task.get("annotations") or task.get("is_labeled")
                or task.get("draft_exists") or task.get("drafts"))


class ExistingTasks(dict):
    """article_id -> :class:`Existing` (the first task seen); ``duplicated``: some article has several."""

    duplicated = False


def existing_tasks(client, pid: int, with_predictions: bool) -> ExistingTasks:
    out = ExistingTasks()
    for t in client.iter_tasks(pid, fields="all" if with_predictions else "task_only"):
        data = t.get("data") or {}
        aid = data.get("article_id")
        if not aid:
            continue
        annotated = has_work(t)
        if str(aid) in out:
            out.duplicated = True
            continue
        out[str(aid)] = Existing(t["id"], data.get("text_sha256", ""), annotated, t.get("predictions") or [], data)
    return out


def remove_duplicate_tasks(client, pid: int, report: PushReport) -> None:
    """Delete the extra copies of an article's task that an import cut off in transit may leave.

    An import whose answer is lost can still be committed by the server after we looked, and then
    be sent again. Per article (key: ``article_id`` + text hash) the oldest task is kept, and every
    annotated one; the other copies carry no work and are deleted. Annotated copies are reported.
    """
    groups: dict[tuple[str, str], list[tuple[int, bool]]] = {}
    for t in client.iter_tasks(pid, fields="all"):  # "all": draft_exists is only computed then
        data = t.get("data") or {}
        if not data.get("article_id"):
            continue
        annotated = has_work(t)
        groups.setdefault((str(data["article_id"]), data.get("text_sha256", "")), []).append((t["id"], annotated))
    for (aid, _sha), tasks in groups.items():
        if len(tasks) < 2:
            continue
        tasks.sort()
        keep = {tasks[0][0]} | {tid for tid, annotated in tasks if annotated}
        if len(keep) > 1 and aid not in report.duplicates_kept:
            report.duplicates_kept.append(aid)
        for tid, _annotated in tasks:
            if tid not in keep:
                client.delete_task(tid)
                report.duplicates_removed += 1


def ensure_project(client, title: str, config_xml: str | Callable[[str | None], str], report: PushReport, echo: Echo,
                   allow_foreign: bool = False) -> dict:
    """The project titled ``title``, created with ``config_xml`` or updated to it. ``config_xml``
    may be a function of the project's current config (None for a new project), so that a push
    looks the project up once to choose its config (an older project keeps its speaker control)."""
    from toolkit.labelstudio.config import guidelines_html

    remove_empty_twins(client, title, None, report)
    project = client.find_project(title)
    if callable(config_xml):
        config_xml = config_xml(None if project is None else project.get("label_config"))
    if project is None:
        project = create_titled_project(
            client,
            title,
            label_config=config_xml,
            expert_instruction=guidelines_html(),
            show_instruction=True,
            description=PROJECT_DESCRIPTION,
        )
        project = _settle_project_race(client, title, project)
        report.project_created = True
        echo(f"Created project {title!r} (id {project['id']}).")
    elif (project.get("label_config") or "").strip() != config_xml.strip():
        refuse_foreign_project(project, allow_foreign)
        try:
            project = client.update_project(project["id"], label_config=config_xml, expert_instruction=guidelines_html())
        except ServerError as exc:
            raise ServerError(
                f"cannot update the labeling config of project {title!r}: {exc} "
                "(existing annotations use labels the new config lacks?)"
            ) from None
        report.config_updated = True
        echo(f"Updated the labeling config of project {title!r}.")
    return project


def refuse_foreign_project(project: dict, allow_foreign: bool = False) -> None:
    """Pushing into a project of another labeling config (a NER or classification project with
    the same title) would replace its config and strand its annotations: refused (exit 2, naming
    its controls) unless ``allow_foreign``. A project with no control at all (Label Studio's
    empty default config) is not someone else's work and gets quotekit's config."""
    from toolkit.labelstudio.config import config_controls, foreign_config_reason

    if allow_foreign:
        return
    current = project.get("label_config") or ""
    try:
        has_controls = bool(config_controls(current)) if current.strip() else False
    except ValueError:
        has_controls = True  # unreadable: not ours to overwrite
    reason = foreign_config_reason(current) if has_controls else None
    if reason:
        raise BadInputError(
            f"project {project.get('title')!r} (id {project.get('id')}) is not a quotekit project: {reason}. "
            "Push to another --project title, or pass --allow-foreign to replace its labeling config"
        )


PROJECT_DESCRIPTION = "quotekit: quotes, speakers and stance (see annotations/GUIDELINES.md)"


def remove_empty_twins(client, title: str, keep: int | None, report: PushReport) -> None:
    """Delete the extra projects titled ``title`` that quotekit created and that hold no task.

    Label Studio re-runs a request that hit "database is locked" (its SQLite middleware): a
    project create whose first try was partly committed can leave a second, empty project with
    the same title (seen under load: the push succeeded, every later push and pull failed with
    "several projects titled"). Kept: ``keep`` (the project this push uses), else the oldest one
    with tasks, else the oldest; never deleted: a project with a task or not made by quotekit."""
    if not hasattr(client, "projects_titled"):
        return
    titled = sorted(client.projects_titled(title), key=lambda p: p["id"])
    if len(titled) < 2:
        return
    full = [client.get_project(p["id"]) for p in titled]
    has_tasks = {p["id"]: next(iter(client.iter_tasks(p["id"], fields="task_only")), None) is not None for p in full}
    if keep is None:
        keep = next((p["id"] for p in full if has_tasks[p["id"]]), full[0]["id"])
    for p in full:
        if p["id"] != keep and not has_tasks[p["id"]] and (p.get("description") or "").startswith("quotekit:"):
            client.delete_project(p["id"])
            report.empty_projects_removed += 1


def create_titled_project(client, title: str, **fields: Any) -> dict:
    """Create the project titled ``title``. A create is sent once (:mod:`client`), so on a server
    fault (a 5xx: SQLite's "database is locked" while others write; a broken connection) the
    server is asked whether the project arrived before the create is sent again, with the
    client's backoff: the fault never ends a push that a second try would finish, and never
    makes two projects."""
    tries, delay = getattr(client, "retries", 3), getattr(client, "backoff", 0.5)
    tried = 0
    while True:
        tried += 1
        try:
            return client.create_project(title=title, **fields)
        except ServerError as exc:
            if not getattr(exc, "retryable", False) or tried >= tries:
                raise
        time.sleep(delay)
        delay *= 2
        arrived = client.projects_titled(title)
        if arrived:
            return client.get_project(min(p["id"] for p in arrived))


def _settle_project_race(client, title: str, created: dict) -> dict:
    """The one project titled ``title`` after we created ``created``: when another writer (another
    machine: the lock below is per machine) created one with the same title at the same moment,
    the oldest (lowest id) wins and ours, still empty, is deleted. Both writers reach the same
    answer, so no two projects keep one title."""
    titled = sorted(client.projects_titled(title), key=lambda p: p["id"]) if hasattr(client, "projects_titled") else []
    if len(titled) < 2 or titled[0]["id"] == created["id"]:
        return created
    client.delete_project(created["id"])
    return client.get_project(titled[0]["id"])


# --------------------------------------------------------------------------- one writer per project


def lock_dir() -> Path:
    """Where push locks live: ``$QUOTEKIT_LOCK_DIR``, else ``~/.cache/quotekit/locks``."""
    import os

    from toolkit.io import user_cache_dir

    raw = os.environ.get("QUOTEKIT_LOCK_DIR")
    return Path(raw) if raw else user_cache_dir() / "locks"


def lock_wait_seconds() -> float:
    """How long a push waits for another push to the same project: ``$QUOTEKIT_LOCK_WAIT`` (default 600 s)."""
    import os

    raw = os.environ.get("QUOTEKIT_LOCK_WAIT", "").strip()
    try:
        return max(0.0, float(raw)) if raw else 600.0
    except ValueError:
        raise BadInputError(f"QUOTEKIT_LOCK_WAIT={raw!r} is not a number of seconds") from None


class ProjectLock:
    """An exclusive lock per (server URL, project title), held for a whole push.

    Two pushes to one project from this machine never interleave: the second waits (it says so
    once, naming the first one's pid) up to :func:`lock_wait_seconds`, then fails with exit 3. The
    lock is an ``fcntl.flock`` on a file named by a hash of URL and title, so it is released by
    the kernel when the holder dies (a killed push never leaves a stale lock). URLs are hashed,
    never written: the file holds only the pid and the title.

    >>> import tempfile
    >>> with ProjectLock("http://127.0.0.1:8080", "demo", directory=Path(tempfile.mkdtemp())) as lock:
    ...     lock.path.name.startswith("push-")
    True
    """

    def __init__(self, url: str, title: str, echo: Echo = print, wait: float | None = None,
                 directory: Path | None = None):
        import hashlib

        self.title = title
        self.echo = echo
        self.wait = lock_wait_seconds() if wait is None else wait
        key = hashlib.sha256(f"{url.rstrip('/')}\n{title}".encode()).hexdigest()[:24]
        self.path = (directory or lock_dir()) / f"push-{key}.lock"
        self.fd: int | None = None
        self.waited = 0.0

    def __enter__(self) -> "ProjectLock":
        import fcntl
        import os
        import time

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        t0 = time.monotonic()
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - t0
                if waited >= self.wait:
                    holder = _lock_holder(fd)
                    os.close(fd)
                    raise ServerError(
                        f"another quotekit push to project {self.title!r} on this server is still running{holder} "
                        f"after {waited:.0f} s: wait for it to finish and push again (set QUOTEKIT_LOCK_WAIT to wait longer)"
                    ) from None
                if not told:
                    self.echo(f"Waiting for another push to project {self.title!r}{_lock_holder(fd)} to finish...")
                    told = True
                time.sleep(0.2)
        self.waited = time.monotonic() - t0
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {self.title}\n".encode(), 0)
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        import fcntl
        import os

        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def _lock_holder(fd: int) -> str:
    import os

    try:
        pid = os.pread(fd, 64, 0).decode("utf-8", "replace").split(" ", 1)[0]
    except OSError:
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


# --------------------------------------------------------------------------- verification


def verify_pushed(client, pid: int, pushed: dict[str, BuiltTask], mv: str, report: PushReport, echo: Echo) -> None:
    """After the imports and updates: every article of ``pushed`` has exactly one unannotated
    task (copies left by a concurrent or interrupted import are removed) and that task carries
    this push's prediction. A prediction the server dropped (Label Studio's import retry on
    "database is locked" re-runs the request after its first try consumed the predictions, and
    answers ``prediction_count: 0``) is re-created once; what is still missing after that is a
    :class:`ServerError` naming the tasks: a push never reports success over a bare task."""
    if not pushed:
        return
    for attempt in (1, 2):
        tasks = _tasks_by_article(client, pid, set(pushed))
        if any(len(v) > 1 for v in tasks.values()):
            remove_duplicate_tasks(client, pid, report)
            tasks = _tasks_by_article(client, pid, set(pushed))
        missing_task = sorted(aid for aid in pushed if aid not in tasks)
        bare: list[tuple[str, int]] = []
        for aid, bt in pushed.items():
            if aid not in tasks or bt.prediction is None:
                continue
            if not any(_has_prediction(t, bt.prediction, mv) for t in tasks[aid]):
                bare.append((aid, tasks[aid][0]["id"]))
        if missing_task:
            shown = ", ".join(missing_task[:10]) + (", ..." if len(missing_task) > 10 else "")
            raise ServerError(f"{len(missing_task)} articles sent to project {report.project_title!r} have no task there "
                              f"({shown}): push again to import them")
        if not bare:
            return
        if attempt == 2:
            shown = ", ".join(f"{aid} (task {tid})" for aid, tid in bare[:10]) + (", ..." if len(bare) > 10 else "")
            raise ServerError(f"{len(bare)} tasks in project {report.project_title!r} are still without their "
                              f"pre-annotation after a repair ({shown}): push again with --update to add it")
        echo(f"Label Studio stored {len(bare)} tasks without their pre-annotation; re-creating it...")
        for aid, tid in bare:
            pred = pushed[aid].prediction
            client.create_prediction(tid, pred["result"], pred.get("score"), pred["model_version"])
            if aid not in report.predictions_repaired:
                report.predictions_repaired.append(aid)


def _tasks_by_article(client, pid: int, wanted: set[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for t in client.iter_tasks(pid, fields="all"):
        aid = str((t.get("data") or {}).get("article_id") or "")
        if aid in wanted:
            out.setdefault(aid, []).append(t)
    for v in out.values():
        v.sort(key=lambda t: t["id"])
    return out


def _has_prediction(task: dict, pred: dict, mv: str) -> bool:
    """Whether ``task`` holds ``pred`` (same model_version and result)."""
    want = _normalise(pred["result"])
    return any(p.get("model_version") == mv and _normalise(p.get("result") or []) == want
               for p in task.get("predictions") or [] if isinstance(p, dict))


def _normalise(result: list[dict]) -> str:
    return json.dumps(sorted(json.dumps(r, sort_keys=True) for r in result))


def _is_current(existing: Existing, pred: dict | None) -> bool:
    if pred is None:
        return True
    for p in existing.predictions:
        if p.get("model_version") == pred["model_version"] and _normalise(p.get("result") or []) == _normalise(pred["result"]):
            return True
    return False


# --------------------------------------------------------------------------- push


def push_file(client, source: Path, project_title: str, *, preannotator: Preannotator | None = None,
              update: bool = False, batch_size: int = 200, model_version: str | None = None,
              echo: Echo = print, progress: bool = True, predictions: Path | None = None,
              allow_foreign: bool = False, order: str = "input") -> PushReport:
    """Push the articles in ``source``; with ``predictions`` (a ``quotekit preannotate`` output
    file) their quotes come from it, joined by ``article_id`` (module docstring); records without
    quotes go through ``preannotator`` (given by the command layer) or are refused."""
    import time

    t0 = time.monotonic()
    order_tasks([], order)  # a bad --order is bad input before anything is read
    report = PushReport(project_title=project_title, order=order)
    records = read_records(Path(source), report)
    report.records = len(records)
    if predictions is not None:
        report.predictions_file = str(predictions)
        records = join_predictions(records, read_predictions(Path(predictions)), report, str(predictions))
    return push_records(client, records, project_title, preannotator=preannotator, update=update,
                        batch_size=batch_size, mv=model_version, echo=echo, progress=progress, report=report, t0=t0,
                        allow_foreign=allow_foreign)


def push_records(client, records: list[dict[str, Any]], project_title: str, *,
                 preannotator: Preannotator | None = None, update: bool = False, batch_size: int = 200,
                 mv: str | None = None, echo: Echo = print, progress: bool = True, report: PushReport | None = None,
                 t0: float | None = None, allow_foreign: bool = False, order: str | None = None) -> PushReport:
    import time

    from toolkit.config import load_registry, load_stance
    from toolkit.labelstudio.config import build_label_config, speaker_control_of

    t0 = t0 if t0 is not None else time.monotonic()
    report = report or PushReport(project_title=project_title, records=len(records))
    report.update = update
    if order is not None:
        order_tasks([], order)
        report.order = order
    mv = mv or model_version()
    report.model_version = mv
    registry, scheme = load_registry(), load_stance()
    configs: dict[str, tuple[str, Any]] = {}  # speaker control -> (config XML, its LabelInterface)

    def config_for(control: str) -> tuple[str, Any]:
        """quotekit's config with this speaker control (an older project keeps its Choices)."""
        if control not in configs:
            xml = build_label_config(registry.names(), scheme.labels, scheme.target.description, speaker_control=control)
            configs[control] = (xml, label_interface(xml))
        return configs[control]

    def build_and_validate(recs: list[dict[str, Any]], quotes_of, control: str = "Candidates") -> list[BuiltTask]:
        out: list[BuiltTask] = []
        errors: list[str] = []
        interface = config_for(control)[1]
        for rec in recs:
            bt = build_task(rec, quotes_of(rec), mv, registry, speaker_control=control)
            if bt.prediction is not None:
                errors += validate_prediction(bt.article_id, rec["text"], bt.prediction, stance_labels=scheme.labels,
                                              speaker_names=registry.names(), interface=interface,
                                              candidates=candidate_names(bt.task["data"]))
            out.append(bt)
        if errors:
            shown = "; ".join(errors[:MAX_SHOWN_ERRORS])
            more = f" (and {len(errors) - MAX_SHOWN_ERRORS} more)" if len(errors) > MAX_SHOWN_ERRORS else ""
            raise BadInputError(f"{len(errors)} invalid predictions, nothing pushed: {shown}{more}")
        return out

    for rec in records:  # (read_records already named the file and line of such a record)
        refuse_offset_breaking_text(str(rec.get("article_id")), rec.get("text") or "")
    # 1. records that bring their quotes: validated before anything is sent
    with_quotes = [r for r in records if "quotes" in r]
    built_given = {bt.article_id: bt for bt in build_and_validate(with_quotes, _quotes)}

    # 2. the project and what it already holds: one writer at a time (ProjectLock)
    if not project_title.strip():
        raise BadInputError("the project title is empty: pass --project TITLE")
    with ProjectLock(getattr(client, "url", ""), project_title, echo) as lock:
        report.waited_for_lock = lock.waited
        # a project made before the speaker became a Taxonomy keeps its Choices drop-down: Label
        # Studio's editor crashes when a Taxonomy meets its annotations' choices results (measured).
        # One made with the Taxonomy alone gets the candidate list (a control more: its annotated
        # tasks, which have no candidates in their data, show none and open as before; measured).
        # ensure_project looks the project up once and asks which config it gets (config_of).
        def config_of(current: str | None) -> str:
            report.speaker_control = "Choices" if speaker_control_of(current) == "Choices" else "Candidates"
            return config_for(report.speaker_control)[0]

        def rebuild_given() -> dict[str, BuiltTask]:  # validated again in the project's own controls
            if report.speaker_control == "Candidates":
                return built_given
            return {bt.article_id: bt for bt in build_and_validate(with_quotes, _quotes, report.speaker_control)}

        _push_locked(client, records, project_title, report, config_of, rebuild_given,
                     lambda recs, quotes_of: build_and_validate(recs, quotes_of, report.speaker_control),
                     preannotator, update, batch_size, mv, registry, echo, progress, allow_foreign)
    report.seconds = time.monotonic() - t0
    return report


def _push_locked(client, records, project_title, report, config_of, rebuild_given, build_and_validate,
                 preannotator, update, batch_size, mv, registry, echo, progress, allow_foreign) -> None:
    project = ensure_project(client, project_title, config_of, report, echo, allow_foreign)
    built_given = rebuild_given()
    pid = project["id"]
    report.project_id = pid
    existing = existing_tasks(client, pid, with_predictions=True)
    report.already_present = sum(1 for r in records if r["article_id"] in existing)

    # 3. pre-annotate only what will be sent (new articles; with --update also existing ones)
    need_pre = [r for r in records if "quotes" not in r and (update or r["article_id"] not in existing)]
    pre = preannotate(need_pre, preannotator, report, echo)
    pre_ok = [r for r in need_pre if r["article_id"] in pre]
    built_pre = {bt.article_id: bt for bt in build_and_validate(pre_ok, lambda r: pre[r["article_id"]])}
    # existing articles without quotes and without --update: compared by text only
    built_plain = {
        r["article_id"]: build_task(r, None, mv, registry)
        for r in records if "quotes" not in r and r["article_id"] not in pre and r["article_id"] in existing
    }
    built = [
        built_given.get(r["article_id"]) or built_pre.get(r["article_id"]) or built_plain.get(r["article_id"])
        for r in records
    ]
    built = [bt for bt in built if bt is not None]
    for bt in built:
        report.warnings += bt.warnings

    new = order_tasks([bt for bt in built if bt.article_id not in existing], report.order)
    old = [bt for bt in built if bt.article_id in existing]
    import_batches(client, pid, new, batch_size, report, echo, progress)
    if existing.duplicated:  # copies the new articles may have are removed by verify_pushed
        remove_duplicate_tasks(client, pid, report)
    pushed = {bt.article_id: bt for bt in new}

    for bt in old:
        ex = existing[bt.article_id]
        pred = bt.prediction
        report.task_ids[bt.article_id] = ex.task_id
        if ex.sha != bt.task["data"]["text_sha256"]:
            if not update or ex.annotated:
                report.changed_text_skipped.append(bt.article_id)
                continue
            client.update_task(ex.task_id, bt.task["data"])
            report.text_updated += 1
            _replace_predictions(client, ex, pred, mv)
            report.predictions_replaced += pred is not None
            pushed[bt.article_id] = bt
            continue
        if _is_current(ex, pred) and (pred is None or _data_current(ex, bt)):
            continue
        if not update:
            report.outdated_not_updated += 1
            continue
        if ex.annotated:  # its annotation or draft started from the prediction it has: keep both
            report.worked_not_updated.append(bt.article_id)
            continue
        client.update_task(ex.task_id, bt.task["data"])  # the review panel and doubt of the new proposal
        _replace_predictions(client, ex, pred, mv)
        report.predictions_replaced += 1
        pushed[bt.article_id] = bt

    verify_pushed(client, pid, pushed, mv, report, echo)
    remove_empty_twins(client, project_title, pid, report)  # a create retried by the server may leave one
    current = client.get_project(pid)
    project_mv = current.get("model_version") or ""
    if update or not project_mv:
        if project_mv != mv:
            client.update_project(pid, model_version=mv)
        project_mv = mv
    report.project_model_version = project_mv


ORDERS = ("input", "doubt")


def order_tasks(tasks: list[BuiltTask], order: str) -> list[BuiltTask]:
    """The import order: ``input`` (as read), or ``doubt``: the most doubtful first (task data
    ``doubt``, :func:`toolkit.labelstudio.tasks.task_doubt`), ties in input order, so Label
    Studio's default order (by task id) shows them first.

    >>> ts = [BuiltTask(a, {"data": {"doubt": d}}) for a, d in (("a", 0.1), ("b", 0.9), ("c", 0.1))]
    >>> [t.article_id for t in order_tasks(ts, "doubt")]
    ['b', 'a', 'c']
    """
    from toolkit.labelstudio import names as N

    if order == "input":
        return tasks
    if order != "doubt":
        raise BadInputError(f"--order {order!r}: expected one of {', '.join(ORDERS)}")
    return sorted(tasks, key=lambda bt: -float(bt.task["data"].get(N.DOUBT) or 0.0))


def _replace_predictions(client, ex: Existing, pred: dict | None, mv: str) -> None:
    """Delete the task's quotekit predictions (any ``quotekit-`` model_version, or ``mv``), add ``pred``."""
    for p in ex.predictions:
        pmv = p.get("model_version") or ""
        if pmv.startswith("quotekit-") or pmv == mv:
            client.delete_prediction(p["id"])
    if pred is not None:
        client.create_prediction(ex.task_id, pred["result"], pred.get("score"), pred["model_version"])


def import_batches(client, pid: int, tasks: list[BuiltTask], batch_size: int, report: PushReport,
                    echo: Echo, progress: bool) -> None:
    if not tasks:
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), disable=not progress) as bar:
        job = bar.add_task("import", total=len(tasks))
        for i in range(0, len(tasks), batch_size):
            batch = tasks[i : i + batch_size]
            _import_one_batch(client, pid, batch, report)
            bar.advance(job, len(batch))


def _import_one_batch(client, pid: int, batch: list[BuiltTask], report: PushReport, tries: int = 3) -> None:
    """Import one batch; after a failure in transit, import only what did not arrive."""
    import time

    pending = batch
    for attempt in range(tries):
        try:
            resp = client.import_tasks(pid, [bt.task for bt in pending])
        except ServerError as exc:
            msg = str(exc)
            if "refused" in msg and "(5" not in msg:  # a 4xx: the server said no, retrying will not help
                raise
            if attempt == tries - 1:
                raise ServerError(f"{msg} (import of {len(pending)} tasks; re-run the same push to resume)") from None
            report.import_retried = True  # the push ends by removing any copy this may create
            time.sleep(1.0 * (attempt + 1))
            there = existing_tasks(client, pid, with_predictions=False)
            arrived = [bt for bt in pending if bt.article_id in there]
            report.imported += len(arrived)
            pending = [bt for bt in pending if bt.article_id not in there]
            if not pending:
                return
            continue
        count = resp.get("task_count", len(pending)) if isinstance(resp, dict) else len(pending)
        report.imported += count
        check_import_answer(resp, pending, report)
        return


def check_import_answer(resp: Any, sent: list[BuiltTask], report: PushReport) -> None:
    """Compare the server's counts for one import with what was sent; a shortfall is recorded
    (``report.import_shortfall``) and repaired by :func:`verify_pushed` at the end of the push.

    >>> r = PushReport()
    >>> check_import_answer({"task_count": 2, "prediction_count": 0}, [BuiltTask("a", {"predictions": [{}]}, [])] * 2, r)
    >>> r.import_shortfall
    {'tasks': 0, 'predictions': 2}
    """
    if not isinstance(resp, dict):
        return
    want_tasks = len(sent)
    want_preds = sum(len(bt.task.get("predictions") or []) for bt in sent)
    got_tasks, got_preds = resp.get("task_count"), resp.get("prediction_count")
    if isinstance(got_tasks, int) and got_tasks < want_tasks:
        report.import_shortfall["tasks"] += want_tasks - got_tasks
    if isinstance(got_preds, int) and got_preds < want_preds:
        report.import_shortfall["predictions"] += want_preds - got_preds
