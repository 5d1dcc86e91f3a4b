"""``quotekit ls pull``: a snapshot export of the annotated tasks, written to a NEW file.

The snapshot (``POST /api/projects/<id>/exports`` with ``task_filter_options={"annotated":
"only"}``) holds every annotated task with its full annotations (relations included: no
converter runs) and its predictions. The file is written atomically (temporary file in the same
directory, then linked into place) and an existing file is never overwritten: exports are raw
annotations, and raw annotations are never edited.

Nothing vanishes unseen: Label Studio's "annotated only" filter leaves out the tasks with no
live annotation, so after the download the project's tasks are listed and those missing from
the snapshot are counted by why (``skipped``: every annotation cancelled by the annotator;
``not annotated yet``), with the first article ids. Annotations are counted live (submitted,
not cancelled); cancelled ones kept in the snapshot are counted apart.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from toolkit.errors import BadInputError, QuotekitError, ServerError
from toolkit.io import refuse_existing

Echo = Callable[[str], None]
EXPORT_TIMEOUT = 600.0


@dataclass
class PullResult:
    path: Path
    tasks: int
    annotations: int  # live: submitted and not cancelled
    project_id: int
    seconds: float
    cancelled_annotations: int = 0  # cancelled annotations present in the snapshot
    project_tasks: int | None = None  # tasks in the project (None: not listed)
    left_out_skipped: list[str] = field(default_factory=list)  # not in the snapshot: every annotation cancelled
    left_out_unannotated: list[str] = field(default_factory=list)  # not in the snapshot: no annotation yet
    left_out_other: list[str] = field(default_factory=list)  # not in the snapshot although annotated (annotated meanwhile?)
    orphan_regions: int = 0  # SPEAKER/CUE regions linked to no quote in live annotations: build ignores them

    def summary(self) -> str:
        cancelled = f", {self.cancelled_annotations} cancelled" if self.cancelled_annotations else ""
        lines = [f"Wrote {self.path}: {self.tasks} annotated tasks, {self.annotations} annotations{cancelled} "
                 f"(project id {self.project_id}, {self.seconds:.1f} s)."]
        left = len(self.left_out_skipped) + len(self.left_out_unannotated) + len(self.left_out_other)
        if self.project_tasks is not None and left:
            why = []
            if self.left_out_skipped:
                why.append(f"{len(self.left_out_skipped)} skipped (every annotation cancelled: {_ids(self.left_out_skipped)})")
            if self.left_out_unannotated:
                why.append(f"{len(self.left_out_unannotated)} not annotated yet ({_ids(self.left_out_unannotated)})")
            if self.left_out_other:
                why.append(f"{len(self.left_out_other)} annotated after the snapshot was made ({_ids(self.left_out_other)}): pull again")
            lines.append(f"{left} of the project's {self.project_tasks} tasks are not in the export: " + "; ".join(why) + ".")
        if self.orphan_regions:
            lines.append(f"{self.orphan_regions} SPEAKER/CUE regions are linked to no quote (left by deleted quotes): "
                         "build ignores them and counts them (orphan_region); no clean-up needed.")
        return "\n".join(lines)


def _ids(ids: list[str], n: int = 5) -> str:
    return ", ".join(ids[:n]) + (f", ... ({len(ids) - n} more)" if len(ids) > n else "")


def no_project_message(client, title: str, shown: int = 5) -> str:
    """``no Label Studio project titled ...``, with the titles that exist and how projects are made."""
    try:
        titles = client.project_titles()
    except QuotekitError:  # the listing is a courtesy: never hide the real error behind it
        titles = None
    msg = f"no Label Studio project titled {title!r} at {client.url}"
    if titles:
        more = f", ... ({len(titles) - shown} more)" if len(titles) > shown else ""
        msg += f"; existing projects: {', '.join(repr(t) for t in titles[:shown])}{more}"
    elif titles is not None:
        msg += "; the server has no project yet"
    return msg + " (`quotekit ls push ARTICLES.jsonl --project TITLE` creates one)"


def write_new_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically; fail if ``path`` exists (even if it appeared meanwhile)."""
    from toolkit.io import atomic_open

    with atomic_open(path, binary=True, exclusive=True) as fh:
        fh.write(data)


def pull_export(client, project_title: str, output: Path, echo: Echo = print,
                timeout: float = EXPORT_TIMEOUT, allow_foreign: bool = False,
                data_dir: str | Path | None = None) -> PullResult:
    """Snapshot-export the annotated tasks of ``project_title`` to the new file ``output``.

    A project whose labeling config is not quotekit's (``foreign_config_reason``) is refused
    before any snapshot is made, unless ``allow_foreign``. The snapshot is deleted from the
    server once downloaded, and also when the download failed; when the server is the one
    ``quotekit ls serve`` runs for ``data_dir``, its file is removed too (Label Studio 1.23
    keeps the file of a deleted export).
    """
    t0 = time.monotonic()
    output = Path(output)
    refuse_existing(output)  # before asking the server for anything
    project = client.find_project(project_title)
    if project is None:
        raise BadInputError(no_project_message(client, project_title))
    pid = project["id"]
    if not allow_foreign:
        refuse_foreign_project(project, project_title)
    snapshot = {"export": client.create_export(pid, title=f"quotekit pull {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}")}
    snapshot_dir = _snapshot_dir(client, data_dir, pid)
    try:
        raw = _download(client, pid, snapshot, project_title, timeout)
    except BaseException:
        delete_snapshot(client, pid, snapshot["export"], snapshot_dir, echo, quiet=True)  # never hides the error
        raise
    delete_snapshot(client, pid, snapshot["export"], snapshot_dir, echo)
    eid = snapshot["export"]["id"]
    try:
        tasks = json.loads(raw)
    except ValueError:
        raise ServerError(f"export snapshot {eid} is not JSON ({len(raw)} bytes)") from None
    if not isinstance(tasks, list):
        raise ServerError(f"export snapshot {eid} is not a list of tasks")
    anns = [a for t in tasks if isinstance(t, dict) for a in (t.get("annotations") or []) if isinstance(a, dict)]
    cancelled = sum(1 for a in anns if a.get("was_cancelled"))
    data = (json.dumps(tasks, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    write_new_file(output, data)
    result = PullResult(output, len(tasks), len(anns) - cancelled, pid, 0.0, cancelled_annotations=cancelled)
    result.orphan_regions = count_orphans(tasks)
    account_for_left_out(client, pid, tasks, result)
    result.seconds = time.monotonic() - t0
    return result


def refuse_foreign_project(project: dict, title: str) -> None:
    """BadInputError (exit 2) when the project's labeling config is not quotekit's."""
    from toolkit.labelstudio.config import foreign_config_reason

    reason = foreign_config_reason(project.get("label_config"))
    if reason is not None:
        raise BadInputError(
            f"project {title!r} is not a quotekit project: {reason}; its annotations cannot be built into "
            "a quote dataset (pass --allow-foreign to pull it anyway)"
        )


def _download(client, pid: int, snapshot: dict, project_title: str, timeout: float) -> bytes:
    """Wait until the snapshot (``snapshot["export"]``, kept up to date) is ready, then download it."""
    export = snapshot["export"]
    eid = export["id"]
    deadline = time.monotonic() + timeout
    while export.get("status") not in ("completed", "failed"):
        if time.monotonic() > deadline:
            raise ServerError(f"the export snapshot {eid} of project {project_title!r} was not ready after {timeout:.0f} s")
        time.sleep(0.5)
        export = snapshot["export"] = client.get_export(pid, eid)
    if export["status"] == "failed":
        raise ServerError(f"Label Studio failed to build export snapshot {eid} of project {project_title!r}; see the server log")
    return client.download_export(pid, eid)


def _snapshot_dir(client, data_dir, pid: int) -> Path | None:
    """Where Label Studio keeps the project's snapshot files, when the server is ours (else None)."""
    try:
        if not client.is_server_of(data_dir):
            return None
    except (AttributeError, OSError):
        return None
    from toolkit.labelstudio.server import resolve_data_dir

    return resolve_data_dir(data_dir) / "media" / "export" / str(int(pid))


def delete_snapshot(client, pid: int, export: dict, snapshot_dir: Path | None, echo: Echo,
                    quiet: bool = False) -> None:
    """Delete the export snapshot on the server (and its file in ``snapshot_dir``, when given).

    A failure is a warning (``quiet``: silent, when another error is on its way): the export
    file is written either way, and the next pull does not depend on it.
    """
    eid = export["id"]
    if snapshot_dir is not None and not export.get("md5"):  # its file is named after the md5
        try:
            export = client.get_export(pid, eid)
        except QuotekitError:
            pass
    try:
        client.delete_export(pid, eid)
    except QuotekitError as exc:
        if not quiet:
            echo(f"Warning: the export snapshot {eid} stays on the server (deleting it failed: {exc}); "
                 "delete it in the project's Export dialog")
        return
    if snapshot_dir is not None:
        remove_snapshot_files(client, pid, export, snapshot_dir)


def remove_snapshot_files(client, pid: int, export: dict, snapshot_dir: Path) -> list[Path]:
    """Remove the file(s) of a deleted snapshot from the server's data dir: Label Studio 1.23
    keeps them (its flag ``ff_back_dev_4664_remove_storage_file_on_export_delete`` is stale and
    off), ``project-<pid>-at-<minute>-<md5[:8]>[_suffix].json`` in ``media/export/<pid>/``. A
    file is left alone while another snapshot of the project has the same md5 (it may be its).
    """
    md5 = str(export.get("md5") or "")
    if len(md5) < 8 or not snapshot_dir.is_dir():
        return []
    try:
        if any(str(e.get("md5") or "") == md5 for e in client.list_exports(pid)):
            return []
    except QuotekitError:
        return []
    removed = []
    for f in snapshot_dir.glob(f"project-{int(pid)}-at-*-{md5[:8]}*.json"):
        try:
            f.unlink()
            removed.append(f)
        except OSError:
            pass
    return removed


def count_orphans(tasks: list) -> int:
    """SPEAKER/CUE regions linked to no QUOTE in the live (not cancelled) annotations of ``tasks``.

    >>> region = {"id": "c", "from_name": "label", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["CUE"]}}
    >>> count_orphans([{"data": {"text": "said it"}, "annotations": [{"result": [region]}]}])
    1
    """
    from toolkit.labelstudio.export.annotation import count_orphan_regions

    n = 0
    for t in tasks:
        text = (t.get("data") or {}).get("text") if isinstance(t, dict) else None
        if not isinstance(text, str):
            continue
        for a in t.get("annotations") or []:
            if isinstance(a, dict) and not a.get("was_cancelled"):
                n += count_orphan_regions(text, a.get("result"))
    return n


def account_for_left_out(client, pid: int, exported: list, result: PullResult) -> None:
    """Fill ``result`` with the project's tasks that the snapshot left out, and why."""
    in_export = {t.get("id") for t in exported if isinstance(t, dict)}
    total = 0
    for t in client.iter_tasks(pid, fields="task_only"):
        total += 1
        if t.get("id") in in_export:
            continue
        data = t.get("data") or {}
        name = str(data.get("article_id") or f"task {t.get('id')}")
        if t.get("total_annotations"):
            result.left_out_other.append(name)
        elif t.get("cancelled_annotations"):
            result.left_out_skipped.append(name)
        else:
            result.left_out_unannotated.append(name)
    result.project_tasks = total
