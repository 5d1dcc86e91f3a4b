"""Is an export file from a quotekit project? (``build`` and ``agreement`` refuse one that is not.)

An export holds no labeling config, so the result items tell: a file is *foreign* (another
project's export: NER, classification ...) when none of its annotations has a QUOTE region and
some result item names a control that quotekit's config does not have (``from_name``, result
``type``, region label, ``to_name`` or relation label). quotekit's controls come from
:func:`toolkit.labelstudio.config.quotekit_config_controls` (read from the config it generates:
their one home), so this check follows any change there; ``ls pull`` checks a project's config
itself with :func:`toolkit.labelstudio.config.foreign_config_reason`. A file with a QUOTE region anywhere is quotekit's: its odd
items are then skipped and counted by the build like any other defect.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from toolkit.errors import BadInputError
from toolkit.labelstudio import names as N

from .issues import NullLog
from .stream import iter_json_items

RELATION = "relation"  # the result ``type`` of a relation (it has no from_name)
#: Result types older quotekit configs gave a control (the speaker was a Choices drop-down before
#: issue 18: ``toolkit.labelstudio.config.OLDER_TAGS``).
OLDER_TYPES = {N.SPEAKER_NAME: ("choices",)}


@lru_cache(maxsize=1)
def quotekit_controls() -> dict[str, tuple[str, str | None, frozenset[str]]]:
    """``from_name`` -> (result ``type``, ``to_name``, the labels of the ``Labels`` tag) of quotekit's
    config (:func:`toolkit.labelstudio.config.quotekit_config_controls`; a result's type is its
    control's tag in lower case), plus ``"relation"`` -> ("relation", None, relation labels).

    >>> kind, to_name, labels = quotekit_controls()["label"]
    >>> kind, to_name, sorted(labels)
    ('labels', 'text', ['CUE', 'QUOTE', 'SPEAKER'])
    >>> quotekit_controls()["speaker_new"]
    ('textarea', 'text', frozenset())
    """
    from toolkit.labelstudio.config import quotekit_config_controls

    out = {name: (tag.lower(), to_name, frozenset(values))
           for name, (tag, to_name, values) in quotekit_config_controls().items() if name}
    out[RELATION] = (RELATION, None, frozenset((N.SAID_BY, N.CUE_OF)))
    return out


def foreign_findings(item: Any, controls: dict[str, tuple[str, str | None, frozenset[str]]]) -> list[str]:
    """What in one result item quotekit's config does not have (empty: nothing foreign).

    >>> c = quotekit_controls()
    >>> foreign_findings({"from_name": "label", "to_name": "text", "type": "labels", "value": {"labels": ["PER"]}}, c)
    ["from_name 'label' label 'PER'"]
    >>> foreign_findings({"from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}}, c)
    ["from_name 'sentiment' (choices)"]
    >>> foreign_findings({"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}, c)
    []
    >>> foreign_findings({"from_name": "label", "to_name": "image", "type": "rectanglelabels", "value": {"rectanglelabels": ["Car"]}}, c)
    ["from_name 'label' of type 'rectanglelabels' (quotekit's is 'labels')", "from_name 'label' on to_name 'image'", "from_name 'label' label 'Car'"]
    >>> foreign_findings({"type": "relation", "from_id": "a", "to_id": "b", "labels": ["works_for"]}, c)
    ["relation label 'works_for'"]
    """
    if not isinstance(item, dict):
        return []
    rtype = item.get("type")
    if rtype == RELATION:
        labels = item.get("labels") if isinstance(item.get("labels"), list) else []
        return [f"relation label {lab!r}" for lab in labels if lab not in controls[RELATION][2]]
    fname = item.get("from_name")
    if fname not in controls:
        return [f"from_name {fname!r} ({rtype})"]
    want_type, want_to, want_labels = controls[fname]
    found = []
    if rtype != want_type and rtype not in OLDER_TYPES.get(fname, ()):
        found.append(f"from_name {fname!r} of type {rtype!r} (quotekit's is {want_type!r})")
    to = item.get("to_name")
    if to is not None and to != want_to:
        found.append(f"from_name {fname!r} on to_name {to!r}")
    if want_labels:
        value = item.get("value") if isinstance(item.get("value"), dict) else {}
        labels = value.get(rtype) if isinstance(value.get(rtype), list) else value.get("labels")
        found += [f"from_name {fname!r} label {lab!r}" for lab in labels or [] if isinstance(lab, str) and lab not in want_labels]
    return found


def has_quote_region(item: Any) -> bool:
    """A QUOTE region of quotekit's config.

    >>> has_quote_region({"from_name": "label", "type": "labels", "value": {"labels": ["QUOTE"]}})
    True
    """
    if not isinstance(item, dict) or item.get("from_name") != N.LABELS:
        return False
    value = item.get("value")
    return isinstance(value, dict) and isinstance(value.get("labels"), list) and N.QUOTE in value["labels"]


def foreign_export_reason(path: str | Path, shown: int = 6) -> str | None:
    """Why ``path`` is not an export of a quotekit project, or None when it may be one.

    Reads annotation results until the first QUOTE region (so a quotekit export costs a few
    tasks); an unreadable file is None here: the build reports it.
    """
    controls = quotekit_controls()
    found: Counter[str] = Counter()
    annotations = 0
    for task in iter_json_items(path, NullLog()):
        anns = task.get("annotations") if isinstance(task, dict) else None
        for ann in anns if isinstance(anns, list) else []:
            result = ann.get("result") if isinstance(ann, dict) else None
            if not isinstance(result, list):
                continue
            annotations += 1
            for item in result:
                if has_quote_region(item):
                    return None
                found.update(foreign_findings(item, controls))
    if not found:
        return None
    what = ", ".join(f"{k} x{n}" for k, n in found.most_common(shown)) + (f" and {len(found) - shown} more" if len(found) > shown else "")
    ours = ", ".join(f"{name} ({kind}{': ' + '/'.join(sorted(labels)) if labels else ''})"
                     for name, (kind, _, labels) in controls.items() if name != RELATION)
    return (f"{path}: not an export of a quotekit project (another labeling config): none of its {annotations} "
            f"annotation(s) has a QUOTE region, and they use {what}; quotekit's config has {ours}")


def refuse_foreign_exports(paths: Iterable[str | Path], option: str = "--allow-foreign") -> None:
    """Raise :class:`BadInputError` (exit 2) naming the first foreign export of ``paths`` and what
    it holds (files that are missing or not files are left to the build to report)."""
    reasons = [r for p in paths if Path(p).is_file() for r in [foreign_export_reason(p)] if r]
    if reasons:
        more = f" (and {len(reasons) - 1} more such file(s))" if len(reasons) > 1 else ""
        raise BadInputError(f"{reasons[0]}{more}. Export the quotekit project (quotekit ls pull), or pass {option} "
                            "to read it anyway (its results are then skipped and counted like any other defect)")
