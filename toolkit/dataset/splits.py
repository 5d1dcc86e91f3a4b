"""Deterministic per-article splits: an article's split depends only on its id and the ratios."""

from __future__ import annotations

import hashlib
from typing import Sequence

from toolkit.errors import BadInputError

SPLITS = ("train", "validation", "test")


def parse_ratios(value: str | Sequence[float]) -> tuple[float, float, float]:
    """``"0.8,0.1,0.1"`` (or a sequence) -> three ratios summing to 1.

    >>> parse_ratios("8,1,1")
    (0.8, 0.1, 0.1)
    """
    if isinstance(value, str):
        try:
            parts = [float(x) for x in value.split(",")]
        except ValueError:
            raise BadInputError(f"--splits {value!r}: expected three numbers like 0.8,0.1,0.1") from None
    else:
        parts = [float(x) for x in value]
    if len(parts) != 3 or any(p < 0 or p != p or p == float("inf") for p in parts):
        raise BadInputError(f"--splits {value!r}: expected three non-negative numbers (train,validation,test) like 0.8,0.1,0.1")
    if sum(parts) <= 0:
        raise BadInputError(f"--splits {value!r}: the three ratios sum to 0; their sum must be > 0 (e.g. 0.8,0.1,0.1, or 1,0,0 for train only)")
    total = sum(parts)
    return tuple(round(p / total, 10) for p in parts)  # type: ignore[return-value]


def split_of(article_id: str, ratios: Sequence[float]) -> str:
    """The split of an article: a SHA-256 of its id mapped to [0, 1) against the cumulative ratios."""
    h = int.from_bytes(hashlib.sha256(article_id.encode("utf-8")).digest()[:8], "big") / 2**64
    acc = 0.0
    for name, r in zip(SPLITS, ratios):
        acc += r
        if h < acc:
            return name
    # rounding at the top end: the last split with a positive ratio
    return [n for n, r in zip(SPLITS, ratios) if r > 0][-1]
