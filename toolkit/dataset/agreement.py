"""Inter-annotator agreement on tasks annotated by several people.

- **Quote spans**: two annotators' quotes match when they overlap and the Jaccard index of their
  whitespace-token sets is >= 0.5; matching is one-to-one (greedy, best Jaccard first). Span F1
  for a pair of annotators on a task is ``2 * matched / (n_a + n_b)``; the reported figure is
  micro-averaged over every (task, annotator pair).
- **Speaker**: share of matched quote pairs whose canonical speakers are equal (case-insensitive;
  both "unknown" counts as equal).
- **Stance**: on matched quotes. When exactly two annotators appear in the multi-annotated tasks,
  Cohen's kappa over the matched pairs; with more, Fleiss' kappa over quote clusters (connected
  matches, at most one quote per annotator, >= 2 annotators; raters per item may vary). Per label:
  Cohen's kappa of the binary "label vs. rest" decision, or Fleiss' per-category kappa.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from itertools import combinations
from typing import Any, Sequence

from toolkit.labelstudio.export import QuoteRecord


def token_jaccard(a: str, b: str) -> float:
    """Jaccard index of the whitespace-token sets.

    >>> token_jaccard("we will win", "we will")
    0.6666666666666666
    """
    ta, tb = set(a.split()), set(b.split())
    if not ta and not tb:
        return 1.0
    return len(ta & tb) / len(ta | tb)


def match_quotes(a: Sequence[QuoteRecord], b: Sequence[QuoteRecord], threshold: float = 0.5) -> list[tuple[int, int]]:
    """One-to-one matches ``(index in a, index in b)``: overlapping spans, token Jaccard >= threshold."""
    cands = []
    for i, qa in enumerate(a):
        for j, qb in enumerate(b):
            if qa.start < qb.end and qb.start < qa.end:
                jac = token_jaccard(qa.text, qb.text)
                if jac >= threshold:
                    cands.append((-jac, abs(qa.start - qb.start) + abs(qa.end - qb.end), i, j))
    cands.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for _, _, i, j in cands:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return sorted(out)


def cohen_kappa(pairs: Sequence[tuple[str, str]], labels: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters; ``None`` when undefined (no items, or chance agreement is 1)."""
    n = len(pairs)
    if n == 0:
        return None
    po = sum(1 for x, y in pairs if x == y) / n
    ca = Counter(x for x, _ in pairs)
    cb = Counter(y for _, y in pairs)
    pe = sum(ca[lab] * cb[lab] for lab in set(labels) | set(ca) | set(cb)) / (n * n)
    if pe >= 1.0:
        return None
    return (po - pe) / (1 - pe)


def fleiss_kappa(items: Sequence[Counter], labels: Sequence[str]) -> float | None:
    """Fleiss' kappa; each item is a Counter label -> raters (>= 2 raters per item, may vary)."""
    items = [c for c in items if sum(c.values()) >= 2]
    if not items:
        return None
    p_items = []
    total = 0
    cat: Counter = Counter()
    for c in items:
        n = sum(c.values())
        p_items.append((sum(v * v for v in c.values()) - n) / (n * (n - 1)))
        total += n
        cat.update(c)
    p_bar = sum(p_items) / len(items)
    pe = sum((v / total) ** 2 for v in cat.values())
    if pe >= 1.0:
        return None
    return (p_bar - pe) / (1 - pe)


def fleiss_category_kappa(items: Sequence[Counter], label: str) -> float | None:
    """Fleiss' per-category kappa: 1 - sum x(n-x) / (sum n(n-1) * p q)."""
    items = [c for c in items if sum(c.values()) >= 2]
    if not items:
        return None
    total = sum(sum(c.values()) for c in items)
    p = sum(c[label] for c in items) / total
    denom = sum(sum(c.values()) * (sum(c.values()) - 1) for c in items) * p * (1 - p)
    if denom == 0:
        return None
    num = sum(c[label] * (sum(c.values()) - c[label]) for c in items)
    return 1 - num / denom


@dataclass
class AgreementReport:
    tasks: int = 0
    annotators: list[str] = field(default_factory=list)
    annotator_pairs: int = 0
    quotes_compared: int = 0
    matched: int = 0
    span_f1: float | None = None
    speaker_agreement: float | None = None
    stance_items: int = 0
    stance_observed: float | None = None
    kappa_method: str | None = None
    stance_kappa: float | None = None
    per_label: dict[str, float | None] = field(default_factory=dict)
    input_tasks: int = 0  # tasks read from the inputs (agreement covers those annotated by several people)
    input_problems: list[str] = field(default_factory=list)  # files not read to the end, items that are not tasks
    same_account_tasks: int = 0  # tasks where one account has several annotations: only its latest is compared
    account_scopes: int = 1  # groups of input files whose integer user ids are comparable (1: all files)

    def not_compared(self) -> str | None:
        """Why annotations of one task were not compared with each other (None when nothing to say)."""
        if not self.same_account_tasks:
            return None
        return (f"{self.same_account_tasks} task(s) have several annotations by the same account; only that account's latest "
                "is compared (an integer user id is one account within one export file, and across files that are snapshots "
                "of one Label Studio project: same project id, same task ids)")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def rows(self) -> list[tuple[str, str]]:
        """``(measure, value)`` rows for a table (CLI and card)."""
        f = _fmt
        method = {"cohen": "Cohen's kappa", "fleiss": "Fleiss' kappa"}.get(self.kappa_method or "", "kappa")
        rows = [
            ("tasks with several annotators", str(self.tasks)),
            ("annotators", str(len(self.annotators))),
            ("quote span F1 (overlap, token Jaccard >= 0.5)", f(self.span_f1)),
            ("matched quote pairs", str(self.matched)),
            ("speaker agreement on matched quotes", f(self.speaker_agreement)),
            ("stance: observed agreement", f(self.stance_observed)),
            (f"stance: {method}", f(self.stance_kappa)),
        ]
        rows += [(f"stance {method}, {lab!r} vs rest", f(k)) for lab, k in self.per_label.items()]
        return rows


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


class AgreementAccumulator:
    """Feed ``add(article_id, text, {annotator: quotes})`` per multi-annotated task; then ``report()``."""

    def __init__(self, stance_labels: Sequence[str]) -> None:
        self.labels = tuple(stance_labels)
        self.tasks = 0
        self.annotators: set[str] = set()
        self.pairs = 0
        self.sizes = 0
        self.matched = 0
        self.speaker_same = 0
        self.stance_pairs: list[tuple[str, str, str, str]] = []  # (rater a, rater b, label a, label b)
        self.clusters: list[Counter] = []

    def add(self, article_id: str, text: str, by_annotator: dict[str, list[QuoteRecord]]) -> None:
        who = sorted(by_annotator)
        if len(who) < 2:
            return
        self.tasks += 1
        self.annotators.update(who)
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def find(x):
            while parent.get(x, x) != x:
                x = parent[x]
            return x

        for a, b in combinations(who, 2):
            qa, qb = by_annotator[a], by_annotator[b]
            matches = match_quotes(qa, qb)
            self.pairs += 1
            self.sizes += len(qa) + len(qb)
            self.matched += len(matches)
            for i, j in matches:
                x, y = qa[i], qb[j]
                if (x.speaker or "").casefold() == (y.speaker or "").casefold():
                    self.speaker_same += 1
                self.stance_pairs.append((a, b, x.stance, y.stance))
                ra, rb = find((a, i)), find((b, j))
                if ra != rb:
                    parent[ra] = rb
        comps: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for node in set(parent) | set(parent.values()):
            comps.setdefault(find(node), []).append(node)
        for members in comps.values():
            raters = [m[0] for m in members]
            if len(raters) >= 2 and len(set(raters)) == len(raters):
                self.clusters.append(Counter(by_annotator[r][i].stance for r, i in members))

    def report(self) -> AgreementReport:
        rep = AgreementReport(tasks=self.tasks, annotators=sorted(self.annotators), annotator_pairs=self.pairs, quotes_compared=self.sizes, matched=self.matched)
        if self.tasks == 0:
            return rep
        rep.span_f1 = 2 * self.matched / self.sizes if self.sizes else None
        rep.speaker_agreement = self.speaker_same / self.matched if self.matched else None
        if len(self.annotators) == 2:
            rep.kappa_method = "cohen"
            first = rep.annotators[0]
            pairs = [(la, lb) if ra == first else (lb, la) for ra, rb, la, lb in self.stance_pairs]
            rep.stance_items = len(pairs)
            rep.stance_observed = sum(x == y for x, y in pairs) / len(pairs) if pairs else None
            rep.stance_kappa = cohen_kappa(pairs, self.labels)
            rep.per_label = {lab: cohen_kappa([(x == lab, y == lab) for x, y in pairs], [True, False]) for lab in self.labels}
        else:
            rep.kappa_method = "fleiss"
            items = self.clusters
            rep.stance_items = len(items)
            if items:
                agree = [sum(v * (v - 1) for v in c.values()) / (sum(c.values()) * (sum(c.values()) - 1)) for c in items]
                rep.stance_observed = sum(agree) / len(agree)
            rep.stance_kappa = fleiss_kappa(items, self.labels)
            rep.per_label = {lab: fleiss_category_kappa(items, lab) for lab in self.labels}
        return rep
