"""Inter-annotator agreement on tasks annotated by several people.

- **Quote spans**: two annotators' quotes match when they overlap and the Jaccard index of their
  whitespace-token sets is >= 0.5; matching is one-to-one (greedy, best Jaccard first). Span F1
  for a pair of annotators on a task is ``2 * matched / (n_a + n_b)``; the reported figure is
  micro-averaged over every (task, annotator pair).
- **Boundary-tolerant span F1**: the same F1 with another match: both boundaries of the two
  quotes lie within :data:`BOUNDARY_TOLERANCE` whitespace tokens of each other
  (:func:`boundary_gap`), one-to-one, nearest first; ``exact_span_f1`` is the same with a
  tolerance of 0 (identical offsets).
- **Stance, Krippendorff's alpha** (nominal, :func:`krippendorff_alpha_nominal`) over the
  clusters of matched quotes (a quote that not every annotator marked is a unit with missing
  values; any number of annotators).
- **Least agreed articles**: per task, :func:`article_agreement` (quotes both annotators agree
  on entirely, up to the boundary tolerance); the report keeps the lowest
  :data:`LEAST_AGREED` with their article ids and what differed.
- **Speaker**: share of matched quote pairs whose canonical speakers are equal (case-insensitive;
  both "unknown" counts as equal).
- **Stance**: on matched quotes. When exactly two annotators appear in the multi-annotated tasks,
  Cohen's kappa over the matched pairs; with more, Fleiss' kappa over quote clusters (connected
  matches, at most one quote per annotator, >= 2 annotators; raters per item may vary). Per label:
  Cohen's kappa of the binary "label vs. rest" decision, or Fleiss' per-category kappa.
"""

from __future__ import annotations

import heapq
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


def one_to_one(cands: list[tuple[Any, Any, int, int]]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching: candidates ``(key, tie-break, i, j)`` best (smallest) first;
    a pair is kept when neither side is matched yet. Sorted ``(i, j)``.

    >>> one_to_one([(0.1, 0, 0, 1), (0.2, 0, 0, 0), (0.3, 0, 1, 0)])
    [(0, 1), (1, 0)]
    """
    used_a: set[int] = set()
    used_b: set[int] = set()
    out = []
    for _, _, i, j in sorted(cands):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return sorted(out)


def match_quotes(a: Sequence[QuoteRecord], b: Sequence[QuoteRecord], threshold: float = 0.5) -> list[tuple[int, int]]:
    """One-to-one matches ``(index in a, index in b)``: overlapping spans, token Jaccard >= threshold."""
    cands = []
    for i, qa in enumerate(a):
        for j, qb in enumerate(b):
            if qa.start < qb.end and qb.start < qa.end:
                jac = token_jaccard(qa.text, qb.text)
                if jac >= threshold:
                    cands.append((-jac, abs(qa.start - qb.start) + abs(qa.end - qb.end), i, j))
    return one_to_one(cands)


#: Boundary-tolerant matching: each boundary may differ by at most this many whitespace tokens.
BOUNDARY_TOLERANCE = 2
#: How many of the least agreed articles the report keeps.
LEAST_AGREED = 10



def quote_clusters(by_account: dict[str, Sequence[QuoteRecord]],
                   matches: dict[tuple[str, str], list[tuple[int, int]]] | None = None) -> list[list[tuple[str, int]]]:
    """The accounts' quotes grouped by :func:`match_quotes` taken transitively: each group is
    ``[(account, quote index), ...]``, every quote in exactly one (a quote nobody else marked is a
    group of one), groups in text order. ``matches`` (account pair ``(a, b)`` with ``a < b`` ->
    :func:`match_quotes` of their quotes) saves matching again when the caller has them.

    >>> from toolkit.labelstudio.export import QuoteRecord
    >>> def q(s, e, text):
    ...     return QuoteRecord(quote_id="", start=s, end=e, text=text, kind="direct", speaker=None, speaker_start=None,
    ...                        speaker_end=None, cue_start=None, cue_end=None, stance=None, affiliation=None)
    >>> quote_clusters({"a": [q(0, 11, "we will win"), q(20, 30, "never again")], "b": [q(0, 11, "we will win")]})
    [[('a', 0), ('b', 0)], [('a', 1)]]
    """
    who = sorted(by_account)
    if matches is None:
        matches = {(a, b): match_quotes(by_account[a], by_account[b]) for a, b in combinations(who, 2)}
    parent: dict[tuple[str, int], tuple[str, int]] = {(a, i): (a, i) for a in who for i in range(len(by_account[a]))}

    def find(x: tuple[str, int]) -> tuple[str, int]:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), pairs in matches.items():
        for i, j in pairs:
            ra, rb = find((a, i)), find((b, j))
            if ra != rb:
                parent[ra] = rb
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for node in parent:
        groups.setdefault(find(node), []).append(node)
    out = list(groups.values())
    out.sort(key=lambda ms: min((by_account[a][i].start, by_account[a][i].end) for a, i in ms))
    return out


def boundary_gap(text: str, a: int, b: int) -> int:
    """How many whitespace tokens of ``text`` lie (at least partly) between offsets ``a`` and ``b``.

    >>> t = "He said that we will win."
    >>> boundary_gap(t, 8, 13), boundary_gap(t, 13, 8), boundary_gap(t, 24, 25), boundary_gap(t, 5, 5)
    (1, 1, 1, 0)
    """
    lo, hi = (a, b) if a <= b else (b, a)
    return len(text[lo:hi].split())


def match_boundaries(text: str, a: Sequence[QuoteRecord], b: Sequence[QuoteRecord], tolerance: int = BOUNDARY_TOLERANCE) -> list[tuple[int, int]]:
    """One-to-one matches ``(index in a, index in b)`` of overlapping quotes whose starts and ends
    each lie within ``tolerance`` whitespace tokens (:func:`boundary_gap`), nearest pairs (fewest tokens apart,
    then fewest characters) first; ``tolerance=0`` matches identical offsets only."""
    cands = []
    for i, qa in enumerate(a):
        for j, qb in enumerate(b):
            if not (qa.start < qb.end and qb.start < qa.end):
                continue
            gs, ge = boundary_gap(text, qa.start, qb.start), boundary_gap(text, qa.end, qb.end)
            if tolerance == 0 and (qa.start, qa.end) != (qb.start, qb.end):
                continue
            if gs <= tolerance and ge <= tolerance:
                cands.append((gs + ge, abs(qa.start - qb.start) + abs(qa.end - qb.end), i, j))
    return one_to_one(cands)


def krippendorff_alpha_nominal(units: Sequence[Counter]) -> float | None:
    """Krippendorff's alpha for nominal data from its coincidence matrix; each unit is a Counter
    value -> how many coders gave it (coders who gave none are missing values). Units with fewer
    than two values are not pairable and ignored. ``None`` when undefined (fewer than two
    pairable values, or a single value used throughout).

    ``o[c, k] = sum over units of n_uc * (n_uk - [c == k]) / (m_u - 1)``, ``n_c = sum_k o[c, k]``,
    ``alpha = 1 - (n - 1) * sum_{c != k} o[c, k] / sum_{c != k} n_c * n_k``.

    Krippendorff's own example (*Computing Krippendorff's Alpha-Reliability*, 2011: four
    observers, twelve units, missing values) gives 0.743:

    >>> A, B = "1 2 3 3 2 1 4 1 2 . . .", "1 2 3 3 2 2 4 1 2 5 . 3"
    >>> C, D = ". 3 3 3 2 3 4 2 2 5 1 .", "1 2 3 3 2 4 4 1 2 5 1 ."
    >>> units = [Counter(v for v in unit if v != ".") for unit in zip(*(x.split() for x in (A, B, C, D)))]
    >>> round(krippendorff_alpha_nominal(units), 3)
    0.743
    """
    o: Counter = Counter()
    for u in units:
        m = sum(u.values())
        if m < 2:
            continue
        for c, nc in u.items():
            for k, nk in u.items():
                o[c, k] += nc * (nk - (c == k)) / (m - 1)
    n_c: Counter = Counter()
    for (c, _k), v in o.items():
        n_c[c] += v
    n = sum(n_c.values())
    disagree = sum(v for (c, k), v in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if n < 2 or expected == 0:
        return None
    return 1 - (n - 1) * disagree / expected


def article_agreement(text: str, by_annotator: dict[str, Sequence[QuoteRecord]], tolerance: int = BOUNDARY_TOLERANCE) -> tuple[float, Counter]:
    """Agreement on one article: over annotator pairs, the mean of ``2 * agreed / (n_a + n_b)``
    where an agreed pair of quotes matches within the boundary tolerance
    (:func:`match_boundaries`) and has the same speaker (case-insensitive) and stance; a pair
    of annotators who both marked no quote agrees fully. Also what differed, summed over pairs:
    ``unmatched`` quotes, ``speaker`` and ``stance`` differences on matched quotes.

    >>> from toolkit.labelstudio.export import QuoteRecord
    >>> t = "Ann said we will win the vote today."
    >>> q = lambda s, e, st: QuoteRecord("x", s, e, t[s:e], "indirect", "Ann", 0, 3, 4, 8, st, None)
    >>> article_agreement(t, {"a": [q(9, 35, "favor")], "b": [q(9, 29, "favor")]})
    (1.0, Counter())
    >>> article_agreement(t, {"a": [q(9, 35, "favor")], "b": [q(9, 35, "against"), q(0, 3, "neutral")]})
    (0.0, Counter({'stance': 1, 'unmatched': 1}))
    """
    scores = []
    diff: Counter = Counter()
    for x, y in combinations(sorted(by_annotator), 2):
        qa, qb = by_annotator[x], by_annotator[y]
        if not qa and not qb:
            scores.append(1.0)
            continue
        agreed = 0
        matches = match_boundaries(text, qa, qb, tolerance)
        for i, j in matches:
            same_speaker = (qa[i].speaker or "").casefold() == (qb[j].speaker or "").casefold()
            same_stance = qa[i].stance == qb[j].stance
            diff["speaker"] += not same_speaker
            diff["stance"] += not same_stance
            agreed += same_speaker and same_stance
        diff["unmatched"] += len(qa) + len(qb) - 2 * len(matches)
        scores.append(2 * agreed / (len(qa) + len(qb)))
    return sum(scores) / len(scores), +diff


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
    boundary_tolerance: int = BOUNDARY_TOLERANCE
    tolerant_span_f1: float | None = None  # boundaries within boundary_tolerance tokens
    exact_span_f1: float | None = None  # identical offsets
    speaker_agreement: float | None = None
    stance_items: int = 0
    stance_observed: float | None = None
    kappa_method: str | None = None
    stance_kappa: float | None = None
    stance_alpha: float | None = None  # Krippendorff's alpha, nominal, over the clusters of matched quotes
    stance_alpha_units: int = 0
    per_label: dict[str, float | None] = field(default_factory=dict)
    #: the least agreed articles, lowest first: {"article_id", "agreement", "annotators", "quotes"
    #: (per annotator), "differences" (unmatched, speaker, stance)}
    least_agreed: list[dict[str, Any]] = field(default_factory=list)
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
        tol = self.boundary_tolerance
        rows = [
            ("tasks with several annotators", str(self.tasks)),
            ("annotators", str(len(self.annotators))),
            ("quote span F1 (overlap, token Jaccard >= 0.5)", f(self.span_f1)),
            (f"quote span F1, boundaries within {tol} token(s)", f(self.tolerant_span_f1)),
            ("quote span F1, exact boundaries", f(self.exact_span_f1)),
            ("matched quote pairs", str(self.matched)),
            ("speaker agreement on matched quotes", f(self.speaker_agreement)),
            ("stance: observed agreement", f(self.stance_observed)),
            (f"stance: {method}", f(self.stance_kappa)),
            ("stance: Krippendorff's alpha (nominal)", f(self.stance_alpha)),
        ]
        rows += [(f"stance {method}, {lab!r} vs rest", f(k)) for lab, k in self.per_label.items()]
        return rows

    def least_agreed_rows(self) -> list[tuple[str, str, str, str]]:
        """``(article id, agreement, quotes per annotator, differences)`` of the least agreed articles."""
        out = []
        for a in self.least_agreed:
            quotes = ", ".join(f"{who} {n}" for who, n in a["quotes"].items())
            diff = ", ".join(f"{n} {what}" for what, n in a["differences"].items() if n) or "-"
            out.append((a["article_id"], f"{a['agreement']:.3f}", quotes, diff))
        return out


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


class AgreementAccumulator:
    """Feed ``add(article_id, text, {annotator: quotes})`` per multi-annotated task; then ``report()``."""

    def __init__(self, stance_labels: Sequence[str], tolerance: int = BOUNDARY_TOLERANCE, keep: int = LEAST_AGREED) -> None:
        self.labels = tuple(stance_labels)
        self.tolerance = tolerance
        self.keep = keep
        self.tasks = 0
        self.annotators: set[str] = set()
        self.pairs = 0
        self.sizes = 0
        self.matched = 0
        self.tolerant = 0
        self.exact = 0
        self.speaker_same = 0
        self.stance_pairs: list[tuple[str, str, str, str]] = []  # (rater a, rater b, label a, label b)
        self.clusters: list[Counter] = []
        self.worst: list[tuple[float, str, dict[str, Any]]] = []  # bounded: the lowest article agreements

    def add(self, article_id: str, text: str, by_annotator: dict[str, list[QuoteRecord]]) -> None:
        who = sorted(by_annotator)
        if len(who) < 2:
            return
        self.tasks += 1
        self.annotators.update(who)
        pair_matches: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for a, b in combinations(who, 2):
            qa, qb = by_annotator[a], by_annotator[b]
            matches = pair_matches[(a, b)] = match_quotes(qa, qb)
            self.pairs += 1
            self.sizes += len(qa) + len(qb)
            self.matched += len(matches)
            self.tolerant += len(match_boundaries(text, qa, qb, self.tolerance))
            self.exact += len(match_boundaries(text, qa, qb, 0))
            for i, j in matches:
                x, y = qa[i], qb[j]
                if (x.speaker or "").casefold() == (y.speaker or "").casefold():
                    self.speaker_same += 1
                self.stance_pairs.append((a, b, x.stance, y.stance))
        for members in quote_clusters(by_annotator, pair_matches):
            raters = [m[0] for m in members]
            if len(raters) >= 2 and len(set(raters)) == len(raters):
                self.clusters.append(Counter(by_annotator[r][i].stance for r, i in members))
        score, diff = article_agreement(text, by_annotator, self.tolerance)
        info = {"article_id": article_id, "agreement": score, "annotators": who,
                "quotes": {w: len(by_annotator[w]) for w in who},
                "differences": {k: diff.get(k, 0) for k in ("unmatched", "speaker", "stance")}}
        self.worst.append((score, article_id, info))
        if len(self.worst) > 4 * max(self.keep, 1):
            self._trim()

    def _trim(self) -> None:
        self.worst = heapq.nsmallest(self.keep, self.worst, key=lambda t: (t[0], t[1]))

    def report(self) -> AgreementReport:
        rep = AgreementReport(tasks=self.tasks, annotators=sorted(self.annotators), annotator_pairs=self.pairs,
                              quotes_compared=self.sizes, matched=self.matched, boundary_tolerance=self.tolerance)
        if self.tasks == 0:
            return rep
        rep.span_f1 = 2 * self.matched / self.sizes if self.sizes else None
        rep.tolerant_span_f1 = 2 * self.tolerant / self.sizes if self.sizes else None
        rep.exact_span_f1 = 2 * self.exact / self.sizes if self.sizes else None
        rep.speaker_agreement = self.speaker_same / self.matched if self.matched else None
        rep.stance_alpha = krippendorff_alpha_nominal(self.clusters)
        rep.stance_alpha_units = len(self.clusters)
        self._trim()
        rep.least_agreed = [info for _score, _id, info in self.worst]
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
