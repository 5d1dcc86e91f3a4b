"""Where the annotators of one task disagree: what ``quotekit review`` sends to a reviewer and
what the build counts as agreed.

Quotes of the accounts are matched pairwise as ``quotekit agreement`` matches them
(:func:`toolkit.dataset.agreement.match_quotes`: overlapping spans, whitespace-token Jaccard >=
0.5, one-to-one, best first) and joined into clusters (connected matches). A cluster is one
quote as the accounts saw it; a difference is, per cluster and field:

- ``quote``: not every account has the quote (one marked it, another did not);
- ``boundary``: every account has it, with other start/end offsets (or one account split it in two);
- ``speaker``: other canonical speakers (case-insensitive; no speaker is ``(unknown)``);
- ``stance``: other stance labels (no label is ``(empty)``);
- ``kind``: direct / indirect / mixed differ.

Two versions with no difference agree (two empty annotations too: nobody is quoted).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from toolkit.dataset.agreement import quote_clusters
from toolkit.labelstudio.export import QuoteRecord

FIELDS = ("quote", "boundary", "speaker", "stance", "kind")
NONE = "(none)"
UNKNOWN = "(unknown)"
EMPTY = "(empty)"


@dataclass(frozen=True)
class Difference:
    """One field of one quote on which the accounts differ: ``values`` account -> what it has."""

    field: str
    start: int
    end: int
    text: str  # the quote's text, as the first account that has it marked it
    values: tuple[tuple[str, str], ...]

    def line(self, width: int = 40) -> str:
        """One line for the reviewer.

        >>> Difference("stance", 3, 9, "we win", (("a@x", "favor"), ("b@x", "against"))).line()
        "chars 3-9 'we win': stance a@x favor | b@x against"
        """
        quoted = self.text if len(self.text) <= width else self.text[: width - 1] + "…"
        return f"chars {self.start}-{self.end} {quoted!r}: {self.field} " + " | ".join(f"{a} {v}" for a, v in self.values)


def _speaker(q: QuoteRecord) -> str:
    return q.speaker if q.speaker else UNKNOWN


def differences(by_account: Mapping[str, Sequence[QuoteRecord]]) -> list[Difference]:
    """Every difference between the accounts' versions of one task (module docstring), in text
    order; empty when they agree.

    >>> from toolkit.labelstudio.export import QuoteRecord
    >>> def q(s, e, text, stance="favor"):
    ...     return QuoteRecord(quote_id="", start=s, end=e, text=text, kind="direct", speaker="Hun Sen", speaker_start=None,
    ...                        speaker_end=None, cue_start=None, cue_end=None, stance=stance, affiliation=None)
    >>> [d.field for d in differences({"a": [q(0, 11, "we will win")], "b": [q(0, 11, "we will win", "against")]})]
    ['stance']
    >>> differences({"a": [q(0, 11, "we will win")], "b": [q(0, 11, "we will win")]})
    []
    """
    accounts = sorted(by_account)
    out: list[Difference] = []
    for members in quote_clusters(by_account):
        mine: dict[str, list[QuoteRecord]] = {}
        for a, i in sorted(members, key=lambda m: (m[0], by_account[m[0]][m[1]].start)):
            mine.setdefault(a, []).append(by_account[a][i])
        first = next(qs[0] for a in accounts for qs in [mine.get(a)] if qs)
        start = min(q.start for qs in mine.values() for q in qs)
        end = max(q.end for qs in mine.values() for q in qs)

        def diff(field: str, value: Callable[[list[QuoteRecord]], str]) -> None:
            vals = tuple((a, value(mine.get(a, []))) for a in accounts)
            if len({v.casefold() for _, v in vals}) > 1:
                out.append(Difference(field, start, end, first.text, vals))

        if len(mine) < len(accounts):
            diff("quote", lambda qs: ", ".join(f"{q.start}-{q.end}" for q in qs) or NONE)
            continue
        diff("boundary", lambda qs: ", ".join(f"{q.start}-{q.end}" for q in qs))
        if any(len(qs) > 1 for qs in mine.values()):
            continue  # split differently: the other fields do not line up
        diff("speaker", lambda qs: _speaker(qs[0]))
        diff("stance", lambda qs: qs[0].stance or EMPTY)
        diff("kind", lambda qs: qs[0].kind or EMPTY)
    return out


def summarise(diffs: Sequence[Difference], accounts: Sequence[str], limit: int = 8) -> str:
    """A short summary of the differences for the review task (first ``limit`` lines).

    >>> summarise([Difference("stance", 3, 9, "we win", (("a@x", "favor"), ("b@x", "against")))], ["a@x", "b@x"])
    "2 versions (a@x, b@x) differ on 1 quote (stance): chars 3-9 'we win': stance a@x favor | b@x against"
    """
    if not diffs:
        return f"{len(accounts)} versions ({', '.join(accounts)}) agree"
    quotes = len({(d.start, d.end) for d in diffs})
    head = (f"{len(accounts)} versions ({', '.join(accounts)}) differ on {quotes} quote{'s' if quotes != 1 else ''} "
            f"({', '.join(fields_of(diffs))}): ")
    lines = [d.line() for d in diffs[:limit]]
    if len(diffs) > limit:
        lines.append(f"... and {len(diffs) - limit} more")
    return head + "; ".join(lines)


def fields_of(diffs: Sequence[Difference]) -> list[str]:
    """The fields that differ, in :data:`FIELDS` order.

    >>> fields_of([Difference("stance", 0, 1, "", ()), Difference("quote", 0, 1, "", ())])
    ['quote', 'stance']
    """
    found = {d.field for d in diffs}
    return [f for f in FIELDS if f in found]


class AnnotationStatus:
    """What the build counts per article (``BuildSummary``): adjudicated (its annotation is a
    reviewer's), agreed (several accounts, no difference), disagreed (several accounts that
    differ, not adjudicated) or single-annotated. Feed every multi-annotated task through
    :meth:`watch` (the export reader's ``on_multi``) and every built article to :meth:`add`."""

    def __init__(self) -> None:
        self.agree: dict[str, bool] = {}  # article id -> its accounts agree
        self.adjudicated: set[str] = set()
        self.built: set[str] = set()

    def watch(self, on_multi: Callable[[str, str, dict[str, list[QuoteRecord]]], None] | None = None) -> Callable:
        """An ``on_multi`` callback that records agreement, then calls ``on_multi``."""

        def callback(article_id: str, text: str, by_account: dict[str, list[QuoteRecord]]) -> None:
            self.agree[article_id] = not differences(by_account)
            if on_multi is not None:
                on_multi(article_id, text, by_account)

        return callback

    def add(self, article: Any) -> None:
        """One built article (an :class:`~toolkit.labelstudio.export.ArticleRecord`)."""
        self.built.add(article.article_id)
        if article.adjudicated:
            self.adjudicated.add(article.article_id)

    def counts(self) -> dict[str, int]:
        out = {"adjudicated_articles": len(self.adjudicated), "agreed_articles": 0, "disagreed_articles": 0, "single_annotated_articles": 0}
        for aid in self.built - self.adjudicated:
            agree = self.agree.get(aid)
            key = "single_annotated_articles" if agree is None else "agreed_articles" if agree else "disagreed_articles"
            out[key] += 1
        return out

    def fill(self, summary: Any) -> None:
        """Set the counts on a :class:`~toolkit.dataset.summary.BuildSummary`."""
        for k, v in self.counts().items():
            setattr(summary, k, v)


def describe(by_account: Mapping[str, Sequence[QuoteRecord]]) -> tuple[list[str], str] | None:
    """``(fields that differ, summary)`` for ``quotekit review``, or None when the versions agree."""
    diffs = differences(by_account)
    if not diffs:
        return None
    return fields_of(diffs), summarise(diffs, sorted(by_account))
