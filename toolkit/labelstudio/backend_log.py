"""The ML backend's webhook log read back as Label Studio tasks (for ``quotekit corrections``).

``quotekit ls backend`` appends one JSON line per annotation event Label Studio sends to its
webhook (``<data dir>/annotations.jsonl``, :data:`toolkit.labelstudio.backend.ANNOTATIONS_FILE`;
the line is :func:`toolkit.labelstudio.backend.webhook_event`): ``action``, ``received_at``,
``project`` (id, title) and, as Label Studio sent them,

- ``ANNOTATION_CREATED`` / ``ANNOTATION_UPDATED``: ``task`` (id, data) and ``annotation`` (id,
  result, was_cancelled, lead_time, ``prediction``: the prediction it was made from, as Label
  Studio stored it, ...);
- ``ANNOTATIONS_CREATED``: ``annotation`` and ``task`` as two lists, the task of each annotation
  at the same place (else found by the annotation's ``task`` id);
- ``ANNOTATIONS_DELETED``: ``annotations``, a list of ``{"id": ...}``.

The latest event of an annotation id wins, in the order of the lines (the writer appends in the
order the events arrive): an update replaces what was created, a deletion drops it. Each task is
then rebuilt as an export would hold it (``{"id", "data", "annotations": [...]}``, its live
annotations in line order) and read by the same pairing as exports
(:func:`toolkit.corrections.compare_task`). The file is read twice, as exports are: the first
pass keeps, per annotation id, only where its latest event is; the second rebuilds the tasks.

A line that is not a webhook event (not JSON, cut short, no annotation id or task data) stops
the reading with a one-line :class:`~toolkit.errors.BadInputError` naming the file and the line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

from toolkit.errors import BadInputError

CREATED, UPDATED, MANY_CREATED, DELETED = "ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATIONS_CREATED", "ANNOTATIONS_DELETED"


def default_log_path() -> Path:
    """The log ``quotekit ls backend`` writes by default (``--data-dir``, else
    ``$QUOTEKIT_BACKEND_DATA_DIR``, else ``.quotekit/backend``)."""
    from toolkit.labelstudio.backend import ANNOTATIONS_FILE, resolve_data_dir

    return resolve_data_dir(None) / ANNOTATIONS_FILE


def is_backend_log(path: str | Path) -> bool:
    """Whether ``path`` looks like the backend's webhook log: its first non-blank line is a JSON
    object with an ``action`` (a Label Studio export is one JSON array).

    >>> import tempfile, os
    >>> d = tempfile.mkdtemp()
    >>> open(os.path.join(d, "a.jsonl"), "w").write('{"action": "ANNOTATION_CREATED"}\\n') and is_backend_log(os.path.join(d, "a.jsonl"))
    True
    >>> open(os.path.join(d, "e.json"), "w").write('[{"id": 1, "data": {}}]') and is_backend_log(os.path.join(d, "e.json"))
    False
    """
    try:
        with open(path, encoding="utf-8-sig") as fh:
            for line in fh:
                if line.strip():
                    break
            else:
                return False
    except (OSError, UnicodeDecodeError):
        return False
    if not line.lstrip().startswith("{"):
        return False
    try:
        first = json.loads(line)
    except ValueError:
        return False
    return isinstance(first, dict) and isinstance(first.get("action"), str)


def _key(value: Any) -> Any:
    """An annotation or task id usable as a key (an int, or a non-empty string), else None.

    >>> _key(3), _key("3"), _key(True), _key(None), _key({"id": 1})
    (3, '3', None, None, None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)) or value == "":
        return None
    return value


def _events(path: Path) -> Iterator[tuple[int, list[tuple[Any, dict, dict]], list[Any]]]:
    """Per line: its number, the annotations it sets ``(id, annotation, task)`` and the annotation
    ids it deletes; a bad line raises one line naming ``path`` and the line."""
    from toolkit.labelstudio.backend import RECORDED_ACTIONS

    def bad(n: int, why: str) -> BadInputError:
        return BadInputError(f"{path} line {n}: {why}; each line of the ML backend's webhook log is one event as "
                             "`quotekit ls backend` writes it (remove or repair the line, e.g. one cut short by a full disk)")

    try:
        fh = open(path, encoding="utf-8-sig")
    except FileNotFoundError:
        raise BadInputError(f"{path}: file not found (the ML backend writes its webhook log in its data dir once an "
                            "annotation is submitted in a project connected with `quotekit ls connect`)") from None
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        n = 0
        try:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    event = json.loads(line)
                except ValueError as exc:
                    raise bad(n, f"not JSON ({exc.args[0].split(':')[0]})") from None
                if not isinstance(event, dict) or not isinstance(event.get("action"), str):
                    raise bad(n, "not a webhook event (a JSON object with an 'action')")
                action = event["action"]
                if action not in RECORDED_ACTIONS:
                    continue
                if action == DELETED:
                    gone = event.get("annotations")
                    ids = [_key(a.get("id")) if isinstance(a, dict) else None for a in gone] if isinstance(gone, list) else [None]
                    if None in ids:
                        raise bad(n, f"{action} without a list of annotation ids ('annotations': [{{\"id\": ...}}])")
                    yield n, [], ids
                    continue
                anns, tasks = event.get("annotation"), event.get("task")
                if action != MANY_CREATED:
                    anns, tasks = [anns], [tasks]
                if not isinstance(anns, list) or not isinstance(tasks, list) or not anns:
                    raise bad(n, f"{action} without 'annotation' and 'task' lists")
                if len(tasks) != len(anns):  # find each annotation's task by its id
                    by_id = {_key(t.get("id")): t for t in tasks if isinstance(t, dict)}
                    tasks = [by_id.get(_key(a.get("task"))) if isinstance(a, dict) else None for a in anns]
                out = []
                for ann, task in zip(anns, tasks):
                    if not isinstance(ann, dict) or _key(ann.get("id")) is None:
                        raise bad(n, f"{action} without an annotation id")
                    if not isinstance(task, dict) or _key(task.get("id")) is None or not isinstance(task.get("data"), dict):
                        raise bad(n, f"{action} of annotation {ann['id']} without its task (id and data)")
                    out.append((ann["id"], ann, task))
                yield n, out, []
        except UnicodeDecodeError as exc:
            raise bad(n + 1, f"not UTF-8 text ({exc.reason})") from None


def backend_log_tasks(path: str | Path) -> Iterator[dict[str, Any]]:
    """The tasks of the webhook log ``path``, each with its live annotations in their latest
    version (module docstring), in the order their last annotation appears."""
    path = Path(path)
    latest: dict[Any, tuple[int, int, Any]] = {}  # annotation id -> (line, place in the line, task id)
    for n, anns, gone in _events(path):
        for i, (aid, _, task) in enumerate(anns):
            latest[aid] = (n, i, _key(task["id"]))
        for aid in gone:
            latest.pop(aid, None)
    wanted: dict[int, list[int]] = {}  # line -> places in it to keep
    left: dict[Any, int] = {}  # task id -> annotations still to read
    for n, i, tid in latest.values():
        wanted.setdefault(n, []).append(i)
        left[tid] = left.get(tid, 0) + 1
    del latest
    pending: dict[Any, dict[str, Any]] = {}
    for n, anns, _ in _events(path):
        for i in wanted.get(n, ()):
            _, ann, task = anns[i]
            tid = _key(task["id"])
            got = pending.setdefault(tid, {"id": task["id"], "data": task["data"], "annotations": []})
            got["data"] = task["data"]  # the task as of its latest event
            got["annotations"].append(ann)
            left[tid] -= 1
            if not left[tid]:
                yield pending.pop(tid)
