"""The dataset card's section on what annotators kept of the pre-annotation: Markdown lines from
the figures of :func:`toolkit.corrections.card_figures` (the figures of ``quotekit corrections``
over the same exports), which the build stores as ``summary.corrections``."""

from __future__ import annotations

from typing import Any

FIELD_NAMES = {"boundary": "quote span", "speaker": "speaker", "stance": "stance", "kind": "kind (direct / indirect / mixed)"}


def _share(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "-"


def _md(s: Any) -> str:
    return str(s).replace("|", "\\|").replace("`", "'").replace("\n", " ")


def corrections_lines(figures: dict[str, Any] | None) -> list[str]:
    """The section (empty when no annotation started from a prediction); like the sections around it
    in the card, it starts with its heading and ends with a blank line.

    >>> f = {"annotations": 2, "annotations_without_prediction": 0, "proposed": 4, "final": 4, "kept": 2, "edited": 1,
    ...      "deleted": 1, "added": 1, "fields": {"boundary": 2, "speaker": 3, "stance": 2, "kind": 3},
    ...      "by_model_version": {"quotekit-0.1.0+rules-1": {"proposed": 4, "kept": 2, "edited": 1, "deleted": 1}},
    ...      "annotations_by_model_version": {"quotekit-0.1.0+rules-1": 2}}
    >>> corrections_lines(f)[0], corrections_lines(f)[2][:60], corrections_lines(f)[-1]
    ('## Pre-annotation kept by the annotators', "Annotators started from quotekit's pre-annotation: 2 submitt", '')
    >>> corrections_lines(None)
    []
    """
    if not figures:
        return []
    f = figures
    p = f["proposed"]
    L = ["## Pre-annotation kept by the annotators", ""]
    L.append(
        f"Annotators started from quotekit's pre-annotation: {f['annotations']} submitted annotation(s) were compared with the "
        "prediction each started from (`quotekit corrections` over the same exports). "
        f"Of its {p} proposed quotes, {f['kept']} ({_share(f['kept'], p)}) were kept as proposed, {f['edited']} "
        f"({_share(f['edited'], p)}) edited and {f['deleted']} ({_share(f['deleted'], p)}) deleted; annotators added "
        f"{f['added']} quote(s) it had missed ({_share(f['added'], f['final'])} of the {f['final']} final quotes)."
        + (f" {f['annotations_without_prediction']} annotation(s) had no prediction to compare with." if f["annotations_without_prediction"] else "")
    )
    L += ["", "Per field, the proposed quotes whose field the annotator kept (a deleted quote keeps none; a stance the "
          "pre-annotator left empty and the annotator chose counts as changed):", "",
          "| field | kept | share of proposed |", "|---|---|---|"]
    for key, name in FIELD_NAMES.items():
        n = f["fields"].get(key, 0)
        L.append(f"| {name} | {n} | {_share(n, p)} |")
    versions = f.get("by_model_version") or {}
    if versions:
        L += ["", "Which rule set proposed them (the prediction's `model_version`: quotekit version + rule set):", "",
              "| proposed by | annotations | proposed | kept | edited | deleted |", "|---|---|---|---|---|---|"]
        for v, t in versions.items():
            n_ann = f.get("annotations_by_model_version", {}).get(v, 0)
            L.append(f"| `{_md(v)}` | {n_ann} | {t['proposed']} | {t['kept']} ({_share(t['kept'], t['proposed'])}) | "
                     f"{t['edited']} | {t['deleted']} |")
    return L + [""]


def corrections_section(card: Any) -> list[str]:
    """The card section (a ``SECTIONS`` renderer of :mod:`toolkit.dataset.card`): the build's
    ``summary.corrections`` figures, when it computed them."""
    return corrections_lines(card.summary.corrections)
