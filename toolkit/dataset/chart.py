"""The speaker x stance chart of the dataset card (matplotlib, Agg backend, PNG)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Mapping, Sequence

UNKNOWN = "(speaker unknown)"
COLORS = {"favor": "#2e7d32", "against": "#c62828", "neutral": "#9e9e9e"}


def chart_title(counts: Mapping[str | None, Counter], shown: Sequence[str | None]) -> str:
    """The chart title; speakers are counted as in the card and the summary (unknown apart).

    >>> chart_title({"A": Counter(favor=2), "B": Counter(against=1), None: Counter(neutral=1)}, ["A", None])
    'Stance by speaker (top 1 of 2 speakers + unknown, 4 quotes)'
    """
    named = sum(1 for k in counts if k is not None)
    shown_named = sum(1 for k in shown if k is not None)
    total = sum(sum(c.values()) for c in counts.values())
    unknown = " + unknown" if None in counts else ""
    head = f"top {shown_named} of {named}" if shown_named < named else f"{named}"
    return f"Stance by speaker ({head} speaker{'s' if named != 1 else ''}{unknown}, {total} quotes)"


def speaker_stance_chart(
    counts: Mapping[str | None, Counter],
    labels: Sequence[str],
    path: str | Path,
    top: int = 20,
) -> Path:
    """Horizontal stacked bars: quotes per speaker (the ``top`` most quoted), split by stance."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1].values()), kv[0] or ""))[:top]
    # "$" would start matplotlib mathtext in a tick label
    names = [name.replace("$", r"\$") if name is not None else UNKNOWN for name, _ in ranked][::-1]
    rows = [c for _, c in ranked][::-1]
    fig, ax = plt.subplots(figsize=(8, max(2.0, 0.35 * len(names) + 1.2)), dpi=100)
    try:
        left = [0] * len(names)
        for lab in labels:
            vals = [c.get(lab, 0) for c in rows]
            ax.barh(names, vals, left=left, label=lab, color=COLORS.get(lab))
            left = [a + b for a, b in zip(left, vals)]
        ax.set_xlabel("quotes")
        ax.set_title(chart_title(counts, [name for name, _ in ranked]))
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        fig.tight_layout()
        out = Path(path)
        fig.savefig(out, format="png")
    finally:
        plt.close(fig)
    return out
