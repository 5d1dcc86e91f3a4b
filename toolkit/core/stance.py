"""Stance proposal for one quote: a prior from the speaker's affiliation plus lexical signals.

This is a **proposal** for the annotator, sorted by its score, never a verdict: it does not read
negation, irony or who the quote is about. ``score`` is the winning label's share of the summed
label scores (so 0.33 means "no idea", close to 1 means "prior and words agree").

>>> lex = StanceLexicon.from_dict({"weight": 0.3, "priors": {"unknown": {"favor": 0.2, "against": 0.4, "neutral": 0.4}},
...     "signals": {"favor": ["coup"], "against": [], "neutral": []}})
>>> propose_stance("They were plotting a coup.", None, lex)[0]
'favor'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

LABELS = ("favor", "against", "neutral")
#: the keys :meth:`StanceLexicon.from_dict` reads (anything else in stance_signals.yaml is a misspelling)
STANCE_SIGNAL_KEYS = ("weight", "max_signals", "priors", "signals")


@dataclass(frozen=True)
class StanceLexicon:
    weight: float = 0.2
    max_signals: int = 3
    priors: dict[str, dict[str, float]] = field(default_factory=dict)
    patterns: dict[str, re.Pattern | None] = field(default_factory=dict)
    #: per label, the first word of each signal phrase; ``None`` when a phrase starts with a
    #: non-word character (the label's pattern then always runs)
    first_words: dict[str, frozenset[str] | None] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], labels: tuple[str, ...] = LABELS, source: Any = "stance_signals.yaml") -> "StanceLexicon":
        """Validate and build; errors are :class:`~toolkit.config.ConfigError` naming ``source``
        and the key (unknown keys, affiliations and labels; wrong types)."""
        from toolkit.config import ConfigError, check_keys, expect_list, expect_mapping, expect_number
        from toolkit.types import AFFILIATIONS

        check_keys(data, STANCE_SIGNAL_KEYS, source, "top level")
        priors_raw = expect_mapping(data.get("priors"), source, "priors", " of affiliation -> {label: probability}")
        check_keys(priors_raw, (*AFFILIATIONS, "unknown"), source, "priors")
        priors: dict[str, dict[str, float]] = {}
        for k, v in priors_raw.items():
            hint = f" like {{{', '.join(f'{lab}: 0.3' for lab in labels)}}}"
            v = expect_mapping(v, source, f"priors.{k}", hint)
            check_keys(v, labels, source, f"priors.{k}")
            priors[str(k)] = {lab: expect_number(v.get(lab, 0.0), source, f"priors.{k}.{lab}") for lab in labels}
        signals = expect_mapping(data.get("signals"), source, "signals", " of label -> list of phrases")
        check_keys(signals, labels, source, "signals")
        signals = {lab: expect_list(v, source, f"signals.{lab}") for lab, v in signals.items()}
        weight = expect_number(data.get("weight", 0.2), source, "weight")
        max_signals = expect_number(data.get("max_signals", 3), source, "max_signals", int)
        if max_signals < 0 or weight < 0:
            raise ConfigError(f"{source}: key {'weight' if weight < 0 else 'max_signals'!r}: must not be negative")
        patterns: dict[str, re.Pattern | None] = {}
        first_words: dict[str, frozenset[str] | None] = {}
        for lab in labels:
            words = sorted({str(w).strip().lower().replace("’", "'") for w in signals.get(lab) or () if str(w).strip()}, key=len, reverse=True)
            patterns[lab] = re.compile(r"(?<!\w)(?:" + _trie(words) + r")(?!\w)") if words else None
            firsts = [_WORD.match(w) for w in words]
            first_words[lab] = frozenset(m.group() for m in firsts) if all(firsts) else None
        return cls(weight, max_signals, priors, patterns, first_words)


_WORD = re.compile(r"\w+")


def _trie(phrases: list[str]) -> str:
    """A regex matching the same as ``"|".join(map(re.escape, phrases))`` with the longest phrase
    first, shaped as a character trie (``co(?:up|lou?r revolution)``): Python's ``re`` tries
    the alternatives of a flat alternation one by one at every position, a trie branches on
    each character. At one position only phrases that are prefixes of one another can match;
    the optional groups are greedy, so the longest is tried first and the lookahead after the
    pattern backtracks to a shorter one, as the flat alternation does.

    >>> _trie(["allowed", "allow", "ally"])
    'all(?:ow(?:ed)?|y)'
    """
    trie: dict = {}
    for p in phrases:
        node = trie
        for ch in p:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not alts:
            return ""
        if len(alts) == 1:
            body = alts[0]
            if "" not in node:
                return body
            return f"(?:{body})?" if len(body) > 1 else f"{body}?"
        body = "(?:" + "|".join(alts) + ")"
        return body + "?" if "" in node else body

    return build(trie)


def signal_counts(text: str, lexicon: StanceLexicon) -> dict[str, int]:
    """How many distinct signal phrases of each label occur in ``text`` (case-insensitive)."""
    low = text.lower().replace("’", "'")
    present: set[str] | None = None  # the text's words, read once
    out = {}
    for lab, pat in lexicon.patterns.items():
        if pat is None:
            out[lab] = 0
            continue
        firsts = lexicon.first_words.get(lab)
        if firsts is not None:
            # a phrase can only match where its first word stands as a whole word: when none
            # of the label's first words is in the text, its (long) alternation need not run
            if present is None:
                present = set(_WORD.findall(low))
            if firsts.isdisjoint(present):
                out[lab] = 0
                continue
        out[lab] = len(set(pat.findall(low)))
    return out


def propose_stance(text: str, affiliation: str | None, lexicon: StanceLexicon) -> tuple[str, float]:
    """``(label, score)`` for a quote's text (plus its cue) and the speaker's affiliation."""
    prior = lexicon.priors.get(affiliation or "unknown") or lexicon.priors.get("unknown") or {lab: 1 / 3 for lab in LABELS}
    counts = signal_counts(text, lexicon)
    scores = {lab: prior.get(lab, 0.0) + lexicon.weight * min(counts.get(lab, 0), lexicon.max_signals) for lab in prior}
    label = max(scores, key=lambda lab: (scores[lab], lab == "neutral"))
    total = sum(scores.values()) or 1.0
    return label, round(scores[label] / total, 3)
