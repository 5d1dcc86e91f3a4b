"""Which annotation of a task is used, whose it is, and which task it belongs to."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from toolkit.labelstudio import names as N


def _ts(value: Any) -> float:
    """A timestamp as a number, 0.0 when missing or unreadable.

    >>> _ts("1970-01-01T00:01:00Z"), _ts(None), _ts("yesterday")
    (60.0, 0.0, 0.0)
    """
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return 0.0
    return 0.0


def annotator_key(completed_by: Any, emails: dict[int, str] | None = None) -> str | None:
    """A stable annotator name: the e-mail when known, else ``user:<id>``.

    >>> annotator_key(3), annotator_key({"id": 3, "email": "Ana@X.org"}), annotator_key(3, {3: "ana@x.org"})
    ('user:3', 'ana@x.org', 'ana@x.org')
    """
    if isinstance(completed_by, dict):
        email = completed_by.get("email")
        if isinstance(email, str) and email:
            return email.casefold()
        completed_by = completed_by.get("id")
    if isinstance(completed_by, bool):
        return None
    if isinstance(completed_by, int):
        if emails and completed_by in emails:
            return emails[completed_by]
        return f"user:{completed_by}"
    if isinstance(completed_by, str) and completed_by:
        return completed_by.casefold()
    return None


def matches_annotator(completed_by: Any, wanted: str, emails: dict[int, str]) -> bool:
    """``wanted`` is an e-mail or a numeric user id (see the package docstring).

    >>> matches_annotator({"id": 3, "email": "ana@x.org"}, "3", {}), matches_annotator(3, "ANA@x.org", {3: "ana@x.org"})
    (True, True)
    """
    w = wanted.strip().casefold()
    uid = completed_by.get("id") if isinstance(completed_by, dict) else completed_by
    if w.isdigit() and isinstance(uid, int) and not isinstance(uid, bool) and int(w) == uid:
        return True
    key = annotator_key(completed_by, emails)
    return key is not None and key == w


def annotation_sort_key(ann: dict[str, Any], file_index: int) -> tuple:
    """Later is larger: ``updated_at``, then ``created_at``, then the later file, then the id."""
    aid = ann.get("id")
    return (_ts(ann.get("updated_at")) or _ts(ann.get("created_at")), _ts(ann.get("created_at")), file_index, aid if isinstance(aid, int) else 0)


def pick_annotation(candidates: list[tuple[tuple, Any, dict[str, Any]]]) -> Any | None:
    """Choose among ``(sort_key, handle, annotation)``, cancelled ones aside: an adjudicated one
    (a reviewer's, on a ``quotekit review`` task) first, else ground truth, else the latest.

    >>> pick_annotation([((2,), "late", {}), ((3,), "cancelled", {"was_cancelled": True}), ((1,), "gt", {"ground_truth": True})])
    'gt'
    >>> pick_annotation([((2,), "late", {}), ((1,), "gt", {"ground_truth": True}), ((0,), "review", {"adjudicated": True})])
    'review'
    """
    live = [c for c in candidates if not c[2].get("was_cancelled")]
    if not live:
        return None
    adjudicated = [c for c in live if c[2].get("adjudicated")]
    gt = [c for c in live if c[2].get("ground_truth")]
    pool = adjudicated or gt or live
    return max(pool, key=lambda c: c[0])[1]


#: Task data keys of a ``quotekit review`` task (besides the source task's own data): the Label
#: Studio project and task it reviews, and a short summary of the annotators' differences.
REVIEW_OF_PROJECT = "review_of_project"
REVIEW_OF_TASK = "review_of_task"
REVIEW_SUMMARY = "review_summary"
REVIEW_FIELDS = "review_fields"  # the fields that differ, comma-separated (a Data Manager column to filter on)


def is_review_task(task: dict[str, Any]) -> bool:
    """A task of a ``quotekit review`` project: its annotations adjudicate the source task's.

    >>> is_review_task({"data": {"article_id": "a1", "review_of_task": 7}}), is_review_task({"data": {"article_id": "a1"}})
    (True, False)
    """
    data = task.get("data")
    return isinstance(data, dict) and data.get(REVIEW_OF_TASK) not in (None, "")


def same_time(a: tuple, b: tuple) -> bool:
    """Two :func:`annotation_sort_key` keys with the same ``updated_at`` and ``created_at``."""
    return a[:2] == b[:2]


def content_digest(ann: dict[str, Any]) -> bytes:
    """What the build reads of an annotation (its ``result`` and whether it was cancelled), hashed:
    two versions of one annotation with the same digest build the same article.

    >>> content_digest({"result": [{"a": 1, "b": 2}]}) == content_digest({"result": [{"b": 2, "a": 1}], "lead_time": 9})
    True
    """
    text = json.dumps([ann.get("result"), bool(ann.get("was_cancelled"))], sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def task_identity(task: dict[str, Any]) -> tuple:
    """``("article", article_id, text_sha256)``, or ``("task", <Label Studio task id>)`` without an article_id.

    >>> task_identity({"id": 7, "data": {"article_id": "a1", "text_sha256": "ab"}}), task_identity({"id": 7, "data": {}})
    (('article', 'a1', 'ab'), ('task', '7'))
    """
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    aid = data.get("article_id")
    if aid not in (None, ""):
        sha = data.get("text_sha256")
        if not sha and isinstance(data.get(N.TEXT), str):
            sha = hashlib.sha256(data[N.TEXT].encode("utf-8", "surrogatepass")).hexdigest()
        return ("article", str(aid), str(sha or ""))
    return ("task", str(task.get("id")))


def ident_str(ident: tuple) -> str:
    """A task identity for messages.

    >>> ident_str(("article", "a1", "ab")), ident_str(("task", "7"))
    ("article_id='a1'", 'id=7')
    """
    if ident[0] == "article":
        return f"article_id={ident[1]!r}"
    return f"id={ident[1]}"
