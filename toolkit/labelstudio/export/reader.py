"""The two passes over the export files: :class:`ExportReader`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from toolkit.errors import BadInputError
from toolkit.labelstudio import names as N

from .annotation import parse_annotation, source_prediction
from .choice import (
    annotation_sort_key,
    annotator_key,
    content_digest,
    ident_str,
    is_review_task,
    matches_annotator,
    pick_annotation,
    same_time,
    task_identity,
)
from .issues import IssueLog, NullLog
from .records import AccountVersion, ArticleRecord, ExportInfo, QuoteRecord, TaskVersions
from .stream import iter_json_items


@dataclass
class _Choice:
    key: tuple
    file_index: int
    position: int
    ann_index: int


class ExportReader:
    """Read several exports into articles: ``reader.info`` after :meth:`scan`, then :meth:`articles`."""

    def __init__(
        self,
        paths: Iterable[str | Path],
        *,
        issues: IssueLog,
        stance_labels: Iterable[str],
        annotator: str | None = None,
        canonical: Callable[[str], str] = lambda s: s,
        affiliation: Callable[[str, str | None], str | None] = lambda name, date: None,
    ) -> None:
        self.paths = [Path(p) for p in paths]
        if not self.paths:
            raise BadInputError("no export file given (pass one or more Label Studio JSON exports)")
        for p in self.paths:
            if not p.exists():
                raise BadInputError(f"{p}: file not found (pass a Label Studio JSON export)")
            if not p.is_file():
                raise BadInputError(f"{p}: not a file (pass a Label Studio JSON export file)")
        self.issues = issues
        self.stance_labels = tuple(stance_labels)
        self.annotator = annotator
        self.canonical = canonical
        self.affiliation = affiliation
        self.info = ExportInfo(files=[str(p) for p in self.paths])
        self._chosen: dict[tuple, _Choice] = {}
        self._per_annotator: dict[tuple, dict[str, _Choice]] = {}
        self._emails: dict[int, dict[int, str]] = {}  # account scope -> user id -> e-mail
        self._scope: list[int] = [0] * len(self.paths)  # file index -> account scope
        self._scope_label: list[str | None] = [None] * len(self.paths)  # file index -> label suffix
        #: (identity, annotation id) seen in several versions with one updated_at: compared in pass 2
        self._same_time: set[tuple[tuple, Any]] = set()
        self._scanned = False
        self.info.file_labels = file_labels(self.paths)
        self.info.file_tasks = [0] * len(self.paths)

    def _who(self, completed_by: Any, file_index: int) -> str | None:
        """The account of ``completed_by`` in file ``file_index`` (package docstring: account scopes)."""
        key = annotator_key(completed_by, self._emails.get(self._scope[file_index]))
        uid = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
        suffix = self._scope_label[file_index]
        if suffix and key is not None and isinstance(uid, int) and key == f"user:{uid}":
            return f"{key} ({suffix})"
        return key

    def _group_files(self, projects: list[set], tids: dict[tuple, dict[int, set]], ann_tasks: dict[Any, dict[int, set]] | None = None) -> None:
        """Account scopes: files that are snapshots of one Label Studio project share one.
        ``ann_tasks``: annotation id -> file index -> task identities; one annotation id on two
        different tasks cannot come from one database, so those files are kept apart."""
        n = len(self.paths)
        apart: set[tuple[int, int]] = set()
        for by_file in list(tids.values()) + list((ann_tasks or {}).values()):
            fis = sorted(by_file)
            for i, a in enumerate(fis):
                for b in fis[i + 1:]:
                    if not by_file[a] & by_file[b]:
                        apart.add((a, b))
        groups: list[list[int]] = []
        for fi in range(n):
            for g in groups:
                if all(len(projects[fi]) == 1 and None not in projects[fi] and projects[fi] == projects[fj] and (fj, fi) not in apart for fj in g):
                    g.append(fi)
                    break
            else:
                groups.append([fi])
        for gi, g in enumerate(groups):
            for fi in g:
                self._scope[fi] = gi
                self._scope_label[fi] = self.info.file_labels[g[0]] if len(groups) > 1 else None
        self.info.account_scopes = len(groups)

    # pass 1 ------------------------------------------------------------
    def scan(self) -> ExportInfo:
        """First pass: which annotation wins for each task; who annotated what."""
        raw: dict[tuple, dict[Any, tuple[tuple, _Choice, dict[str, Any]]]] = {}
        first_seen: dict[tuple, str] = {}  # identity -> where it was first seen, in input order
        versions_of: dict[tuple, set[str]] = {}  # identity -> model versions (a task counts once, whatever the files)
        projects: list[set] = [set() for _ in self.paths]  # file index -> Label Studio project ids
        tids: dict[tuple, dict[int, set]] = {}  # (identity, project) -> file index -> Label Studio task ids
        emails_raw: dict[tuple[int, int], str] = {}  # (file index, user id) -> e-mail
        ann_tasks: dict[Any, dict[int, set]] = {}  # annotation id -> file index -> task identities
        for fi, path in enumerate(self.paths):
            for pos, task in enumerate(iter_json_items(path, self.issues)):
                if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                    self.issues.add("not_a_task", f"{path} item #{pos}: not a Label Studio task (an object with 'data')")
                    continue
                self.info.file_tasks[fi] += 1
                ident = task_identity(task)
                project = _project_of(task)
                projects[fi].add(project)
                if project is not None:
                    tids.setdefault((ident, project), {}).setdefault(fi, set()).add(str(task.get("id")))
                if ident not in first_seen:
                    first_seen[ident] = f"{path.name} task {task.get('id')}"
                versions_of.setdefault(ident, set()).update(self._model_versions(task))
                anns = task.get("annotations") or []
                if not isinstance(anns, list):
                    anns = []
                review = is_review_task(task)
                for ai, ann in enumerate(anns):
                    if not isinstance(ann, dict):
                        continue
                    cb = ann.get("completed_by")
                    if isinstance(cb, dict) and isinstance(cb.get("id"), int) and isinstance(cb.get("email"), str):
                        emails_raw[(fi, cb["id"])] = cb["email"].casefold()
                    choice = _Choice(annotation_sort_key(ann, fi), fi, pos, ai)
                    aid = ann.get("id")
                    if isinstance(aid, int) and not isinstance(aid, bool):
                        ann_tasks.setdefault(aid, {}).setdefault(fi, set()).add(ident)
                    slim = {"was_cancelled": bool(ann.get("was_cancelled")), "ground_truth": bool(ann.get("ground_truth")), "completed_by": cb,
                            "id": aid, "updated_at": ann.get("updated_at") or ann.get("created_at"), "adjudicated": review}
                    if not isinstance(aid, (int, str)) or isinstance(aid, bool):
                        aid = ("pos", fi, pos, ai)
                    prev = raw.setdefault(ident, {}).get(aid)
                    if prev is not None and same_time(choice.key, prev[0]):
                        self._same_time.add((ident, aid))
                    if prev is None or choice.key >= prev[0]:
                        raw[ident][aid] = (choice.key, choice, slim)
        self.info.tasks = len(first_seen)
        for versions in versions_of.values():
            self.info.model_versions.update(versions)
        self._group_files(projects, tids, ann_tasks)
        del tids, ann_tasks
        for (fi, uid), email in emails_raw.items():
            self._emails.setdefault(self._scope[fi], {})[uid] = email
        for ident in first_seen:  # input order
            cands = list(raw.get(ident, {}).values())
            if self.annotator is not None:
                cands = [c for c in cands if matches_annotator(c[2]["completed_by"], self.annotator, self._emails.get(self._scope[c[1].file_index], {}))]
            chosen = pick_annotation(cands)
            if chosen is None:
                if any(c[2]["was_cancelled"] for c in cands):
                    self.issues.add("cancelled", f"{first_seen[ident]} ({ident_str(ident)}): every annotation{' by ' + self.annotator if self.annotator else ''} was cancelled")
                else:
                    self.issues.add("not_annotated", f"{first_seen[ident]} ({ident_str(ident)}): no annotation{' by ' + self.annotator if self.annotator else ''}")
                continue
            self._chosen[ident] = chosen
            self._note_superseded(ident, chosen, [c for c in cands if not c[2]["was_cancelled"]])
            # per-annotator latest live annotation, for agreement
            per: dict[str, tuple[tuple, _Choice]] = {}
            live_by: Counter[str] = Counter()
            for key, ch, slim in raw.get(ident, {}).values():
                if slim["was_cancelled"]:
                    continue
                who = self._who(slim["completed_by"], ch.file_index)
                if who is None:
                    continue
                self.info.annotators.add(who)
                if slim["adjudicated"]:  # a reviewer's version settles the others: it is not compared with them
                    continue
                live_by[who] += 1
                if who not in per or key > per[who][0]:
                    per[who] = (key, ch)
            if any(n >= 2 for n in live_by.values()):
                self.info.same_account_tasks += 1
            if len(per) >= 2:
                self._per_annotator[ident] = {w: c for w, (_, c) in per.items()}
        self.info.multi_annotated = len(self._per_annotator)
        self.info.emails_known = bool(self._emails)
        self._scanned = True
        return self.info

    def _compare_versions(self, ident: tuple, task: dict[str, Any], fi: int, seen: dict[tuple, tuple]) -> None:
        """Pass 2: the versions of an annotation that pass 1 found several times with one
        ``updated_at`` (and ``created_at``) must have the same content (:func:`content_digest`);
        when they differ nothing says which is right: ``annotation_conflict`` names both places.
        (Hashing every annotation in pass 1 instead doubled its time.)"""
        anns = task.get("annotations")
        for ann in anns if isinstance(anns, list) else []:
            aid = ann.get("id") if isinstance(ann, dict) else None
            if not isinstance(aid, (int, str)) or isinstance(aid, bool) or (ident, aid) not in self._same_time:
                continue
            slot = (ident, aid, annotation_sort_key(ann, fi)[:2])
            here = (content_digest(ann), self.info.file_labels[fi], task.get("id"), ann.get("updated_at") or ann.get("created_at"))
            before = seen.get(slot)
            seen[slot] = here
            if before is not None and before[0] != here[0]:
                self.issues.add(
                    "annotation_conflict",
                    f"{ident_str(ident)}: annotation {aid} differs between {before[1]} task {before[2]} and {here[1]} task {here[2]} "
                    f"with the same updated_at {here[3]}; the one read last ({here[1]} task {here[2]}) is used, the other set aside; "
                    "check which one is right")

    def _note_superseded(self, ident: tuple, chosen: _Choice, live: list[tuple[tuple, _Choice, dict[str, Any]]]) -> None:
        """Count a ``superseded`` note when ``chosen`` was picked among several live annotations."""
        if len(live) < 2:
            return
        labels = self.info.file_labels
        kept = next(c for c in live if c[1] is chosen)
        aside = sorted((c for c in live if c[1] is not chosen), key=lambda c: c[0], reverse=True)
        if kept[2]["adjudicated"]:
            why = "the adjudicated annotation (quotekit review) wins"
        elif kept[2]["ground_truth"]:
            why = "the ground-truth annotation wins"
        elif kept[0][0] > aside[0][0][0]:
            why = "the latest updated_at wins"
        else:
            why = "same updated_at: the later file on the command line, then the higher id, wins"

        def desc(c: tuple[tuple, _Choice, dict[str, Any]]) -> str:
            gt = ", ground truth" if c[2]["ground_truth"] else ""
            return f"annotation {c[2]['id']} from {labels[c[1].file_index]} (updated_at {c[2]['updated_at']}{gt})"

        self.issues.add("superseded", f"{ident_str(ident)}: kept {desc(kept)}; set aside {'; '.join(desc(c) for c in aside)} ({why})")
        for f in dict.fromkeys(labels[c[1].file_index] for c in aside):
            self.info.superseded[(labels[chosen.file_index], f)] += 1

    @staticmethod
    def _model_versions(task: dict[str, Any]) -> set[str]:
        """The model_versions of a task's predictions (expanded ones) and of the prediction its
        annotations started from (``annotation.prediction``). Each task (identity) is counted
        once per version in :attr:`ExportInfo.model_versions`, however many files hold it. A
        ``quotekit review`` task has none: its predictions are the annotators' versions."""
        found: set[str] = set()
        if is_review_task(task):
            return found
        for p in task.get("predictions") or [] if isinstance(task.get("predictions"), list) else []:
            if isinstance(p, dict) and isinstance(p.get("model_version"), str) and p["model_version"]:
                found.add(p["model_version"])
        for a in task.get("annotations") or [] if isinstance(task.get("annotations"), list) else []:
            p = a.get("prediction") if isinstance(a, dict) else None
            if isinstance(p, dict) and isinstance(p.get("model_version"), str) and p["model_version"]:
                found.add(p["model_version"])
        return found

    # pass 2 ------------------------------------------------------------
    def articles(
        self,
        on_multi: Callable[[str, str, dict[str, list[QuoteRecord]]], None] | None = None,
        on_task: Callable[[dict[str, Any], Path], None] | None = None,
    ) -> Iterator[ArticleRecord]:
        """Second pass: yield one validated article per task, in input order.

        ``on_multi(article_id, text, {annotator: quotes})`` is called for each task annotated
        by several people (for agreement); problems in those extra annotations are not counted.
        ``on_task(task, path)`` is called with every task object of every file, as read (the
        build counts the corrections figures from it in this same pass).
        """
        if not self._scanned:
            self.scan()
        emitted: set[str] = set()
        versions: dict[tuple, tuple] = {}  # (identity, annotation id, time) -> the version read last (_compare_versions)
        conflicted = {ident for ident, _ in self._same_time}
        pending: dict[tuple, dict[str, list[QuoteRecord]]] = {}
        quiet = NullLog()
        for fi, path in enumerate(self.paths):
            for pos, task in enumerate(iter_json_items(path, quiet)):
                if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                    continue
                if on_task is not None:
                    on_task(task, path)
                ident = task_identity(task)
                if ident in conflicted:
                    self._compare_versions(ident, task, fi, versions)
                chosen = self._chosen.get(ident)
                multi = self._per_annotator.get(ident)
                hit = chosen is not None and chosen.file_index == fi and chosen.position == pos
                multi_hits = {w: c for w, c in (multi or {}).items() if c.file_index == fi and c.position == pos}
                if not hit and not multi_hits:
                    continue
                data = task["data"]
                text = data.get(N.TEXT)
                tid = task.get("id")
                where_task = f"{path.name} task {tid}"
                article_id = str(data["article_id"]) if data.get("article_id") not in (None, "") else f"ls-task-{tid}"
                if not isinstance(text, str) or not text.strip():
                    if hit:
                        self.issues.add("no_text", f"{where_task}: task data has no '{N.TEXT}'")
                    continue
                if not all(_unicode_ok(data.get(k)) for k in (N.TEXT, "article_id", "title", "outlet", "date")):
                    if hit:
                        self.issues.add("invalid_text", f"{where_task}: task text or metadata is not valid Unicode (lone surrogate)")
                    continue
                anns = task.get("annotations") or []
                date = data.get("date") if isinstance(data.get("date"), str) else None
                affiliation = _on_date(self.affiliation, date)
                if multi_hits and on_multi is not None:
                    got = pending.setdefault(ident, {})
                    got.update((who, v.quotes) for who, v in self._read_versions(task, multi_hits, article_id, where_task, affiliation).items())
                    if len(got) == len(multi):
                        on_multi(article_id, text, pending.pop(ident))
                if not hit:
                    continue
                ann = anns[chosen.ann_index]
                where = f"{where_task} annotation {ann.get('id')}"
                result = ann.get("result")
                judged_empty = result == []  # "nobody is quoted here": a valid judgement (null is malformed)
                if article_id in emitted:
                    self.issues.add("duplicate_article", f"{where_task}: article_id {article_id!r} was already built from another task (different text_sha256?)")
                    continue
                emitted.add(article_id)
                quotes = [] if judged_empty else parse_annotation(
                    text, result, article_id=article_id, where=where, issues=self.issues, stance_labels=self.stance_labels,
                    canonical=self.canonical, affiliation=affiliation, prediction=source_prediction(task, ann))
                for q in [q for q in quotes if not _unicode_ok(q.speaker)]:
                    self.issues.add("invalid_text", f"{where} region {q.region_id}: speaker name is not valid Unicode (lone surrogate)")
                    quotes.remove(q)
                yield ArticleRecord(
                    article_id=article_id,
                    text=text,
                    title=_meta(data.get("title")),
                    outlet=_meta(data.get("outlet")),
                    date=_meta(data.get("date")),
                    quotes=quotes,
                    no_quotes_judged=judged_empty,
                    task_id=tid,
                    annotator=self._who(ann.get("completed_by"), fi),
                    source=str(path),
                    adjudicated=is_review_task(task),
                )

    def _read_versions(self, task: dict[str, Any], hits: dict[str, _Choice], article_id: str, where: str,
                       affiliation: Callable[[str], str | None]) -> dict[str, AccountVersion]:
        """The annotations ``hits`` (account -> choice) of ``task``, parsed; their problems are not counted."""
        anns = task.get("annotations") or []
        text = task["data"][N.TEXT]
        out = {}
        for who, c in hits.items():
            ann = anns[c.ann_index]
            quotes = parse_annotation(text, ann.get("result"), article_id=article_id, where=where, issues=NullLog(),
                                      stance_labels=self.stance_labels, canonical=self.canonical, affiliation=affiliation,
                                      prediction=source_prediction(task, ann))
            out[who] = AccountVersion(who, ann, quotes)
        return out

    def versions(self) -> Iterator[TaskVersions]:
        """A second pass over the tasks annotated by several accounts only: each account's latest
        live annotation, read (a reviewer's on a ``quotekit review`` task is not one of them). A
        task is yielded once its last version has been read (a task in several files: the
        versions are pooled as for :meth:`articles`); a task with no text is left out."""
        if not self._scanned:
            self.scan()
        pending: dict[tuple, TaskVersions] = {}
        for fi, path in enumerate(self.paths):
            for pos, task in enumerate(iter_json_items(path, NullLog())):
                if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                    continue
                ident = task_identity(task)
                multi = self._per_annotator.get(ident)
                hits = {w: c for w, c in (multi or {}).items() if c.file_index == fi and c.position == pos}
                if not hits:
                    continue
                data = task["data"]
                text = data.get(N.TEXT)
                if not isinstance(text, str) or not text.strip() or not all(_unicode_ok(data.get(k)) for k in (N.TEXT, "article_id")):
                    continue
                tid = task.get("id")
                article_id = str(data["article_id"]) if data.get("article_id") not in (None, "") else f"ls-task-{tid}"
                tv = pending.get(ident)
                if tv is None:
                    tv = pending[ident] = TaskVersions(article_id, text, data, tid, _project_of(task), {})
                date = data.get("date") if isinstance(data.get("date"), str) else None
                tv.versions.update(self._read_versions(task, hits, article_id, f"{path.name} task {tid}", _on_date(self.affiliation, date)))
                if len(tv.versions) == len(multi):
                    yield pending.pop(ident)


def _unicode_ok(v: Any) -> bool:
    if not isinstance(v, str):
        return True
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _meta(v: Any) -> str | None:
    """Task metadata (title, outlet, date): null or "" is None. ``ls push`` has to send a missing
    value as "" (Label Studio refuses null in a key shown by a ``Header``), so "" means null."""
    return None if v is None or v == "" else str(v)


def file_labels(paths: Iterable[str | Path]) -> list[str]:
    """Names of the input files for messages and the card: the file name, or the path as given
    when two inputs share a name."""
    paths = [Path(p) for p in paths]
    names = Counter(p.name for p in paths)
    return [p.name if names[p.name] == 1 else str(p) for p in paths]


def _project_of(task: dict[str, Any]) -> Any:
    """The Label Studio project id of a task (``project``, else its first annotation's), or None."""
    p = task.get("project")
    if p is None:
        for a in task.get("annotations") or [] if isinstance(task.get("annotations"), list) else []:
            if isinstance(a, dict) and a.get("project") is not None:
                p = a["project"]
                break
    return p if isinstance(p, (int, str)) and not isinstance(p, bool) else None


def _on_date(affiliation: Callable[[str, str | None], str | None], date: str | None) -> Callable[[str], str | None]:
    """``affiliation`` of a speaker on the article's ``date`` (the registry's dated affiliations:
    a defector's quotes before the switch keep the side they spoke for).

    >>> _on_date(lambda name, date: f"{name}@{date}", "2013-07-28")("Sam Rainsy")
    'Sam Rainsy@2013-07-28'
    """
    return lambda name: affiliation(name, date)
