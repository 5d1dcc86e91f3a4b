"""Score predicted quote attributions against gold: pure functions, gold + predictions in, metrics out.

Two gold formats are read:

* **quotekit** (``annotations/gold/*.jsonl``): ``{article_id, [text], quotes: [{start, end, text,
  kind, speaker (canonical), speaker_mention, speaker_start, speaker_end, stance, ...}]}``.
  Speakers are compared by canonical name.
* **polnear** (the PolNeAR benchmark export): ``{article_id, text, quotes: [{start, end, text,
  fragments, speaker, speaker_spans, cue_spans, kind, has_quote_marks}]}``. Its gold speaker is
  the source mention *as written* ("he", "veteran analyst Dana Ruiz"), so the predicted
  mention text ``text[speaker_start:speaker_end]`` is compared instead of the canonical name,
  and consecutive predicted quotes that only an attribution separates are merged into one
  attribution with several fragments (:func:`merge_attribution_fragments`), as PolNeAR does.

Predictions are ``quotekit preannotate`` output: ``{article_id, quotes: [Quote dicts]}``.

Metrics (:func:`evaluate`), per kind group (``direct``, ``indirect`` = indirect + mixed, ``all``):

* **exact**: normalised texts equal (:func:`normalize_exact`) and spans overlap; one-to-one.
* **overlap**: character spans overlap and whitespace-token Jaccard >= 0.5
  (:func:`token_jaccard`); one-to-one, greedy by best Jaccard.
* **speaker accuracy** over overlap-matched pairs (:func:`speakers_match`).
* **quote+speaker** P/R/F1: an overlap match counts only if the speaker matches too.
* **stance accuracy** over overlap-matched pairs whose gold has a stance; a proposal with
  ``stance: null`` (the pre-annotator left it for the annotator) counts as wrong here.
* **confirm-only share**: of the gold quotes that have a stance, those whose overlap-matched
  proposal is right in span (:func:`exact_key` equal, as :func:`match_exact`), speaker
  (:func:`speakers_match`) and stance: the annotator only confirms. A null stance is not
  confirm-only (the annotator must choose); ``confirm_or_choose_share`` also counts it (span and
  speaker right, stance right or left empty: one click).
* **where confirm-only is lost** (``confirm_losses``): each gold quote with a stance that is not
  confirm-only, counted once at its first failing step: ``missed`` (no overlap match),
  ``speaker`` (wrong speaker), ``span`` (right speaker, inexact span), ``stance_empty`` (left
  empty), ``stance_wrong`` (pre-filled and wrong). With ``confirm_only`` they add up to the gold
  quotes with a stance, so the largest one is the next thing to work on.
* **stance coverage**: share of those matched pairs whose proposal has a non-null stance, and
  **pre-filled stance precision**: right / pre-filled on them. Null is "not pre-filled", never wrong.

Per class (``by_tag``), when gold quotes carry ``tags`` (the development suite's failure classes):
recall, quote+speaker recall, exact-span recall, speaker and stance accuracy on the matched ones
and the confirm-only share, over the gold quotes with that tag.

Per ``rule`` (:func:`evaluate`'s ``by_rule``, all kinds together): how many proposals carry the
rule, how many of them are overlap-matched to a gold quote (precision) and how many of those also
have the right speaker (precision with speaker).

Precision for a kind group counts predictions of that kind, recall counts gold quotes of that
kind; one matching is made over all quotes, so a kind confusion is not penalised twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from toolkit.errors import BadInputError

KIND_GROUPS: tuple[str, ...] = ("direct", "indirect", "all")
FORMATS: tuple[str, ...] = ("auto", "quotekit", "polnear")

#: Quotation marks stripped by :func:`normalize_exact` and ignored in tokens.
QUOTE_MARKS = "\"'“”‘’„‟«»‹›「」『』`´"
#: Punctuation stripped from the end by :func:`normalize_exact`.
TRAILING_PUNCT = ".,;:!?…-–—"

Span = tuple[int, int]


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Attribution:
    """One unit under evaluation: a quote (one or more fragments) and who said it.

    ``speaker`` is what :func:`speakers_match` compares: the canonical name (quotekit gold) or
    the mention as written (PolNeAR). ``kind`` is ``direct``, ``indirect`` or ``mixed``.
    """

    fragments: tuple[Span, ...]
    texts: tuple[str, ...]
    kind: str
    speaker: str | None = None
    stance: str | None = None
    #: the pre-annotator's ``rule`` (predictions only), for precision per rule
    rule: str | None = None
    #: gold only: the classes the quote exercises (``tags`` in quotekit gold), for figures per class
    tags: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The fragment texts joined by a space."""
        return " ".join(self.texts)

    @property
    def start(self) -> int:
        return min(s for s, _ in self.fragments)

    @property
    def end(self) -> int:
        return max(e for _, e in self.fragments)

    @property
    def group(self) -> str:
        return kind_group(self.kind)


@dataclass
class Dataset:
    """Attributions per article, plus the article texts when known."""

    attributions: dict[str, list[Attribution]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    format: str = "quotekit"
    path: str = ""
    #: quotes whose ``text`` differs from the article text at their offsets (wrong text version?)
    offset_mismatches: int = 0
    #: predictions only: ``file:line (article_id): error`` of records that carry an ``error``
    #: instead of quotes (``quotekit preannotate`` could not annotate them); not scored
    error_records: list[str] = field(default_factory=list)


def kind_group(kind: str | None) -> str:
    """``direct`` stays direct; ``indirect``, ``mixed`` and anything else count as indirect."""
    return "direct" if kind == "direct" else "indirect"


# --------------------------------------------------------------------------- reading files


def read_jsonl(path: str | Path) -> list[dict[str, Any]]:
    """A JSON-lines file of objects, each with its line number as ``_line`` (for messages)."""
    from toolkit.io import read_jsonl_numbered

    return [{**rec, "_line": no} for no, rec in read_jsonl_numbered(path)]


def detect_format(records: Iterable[Mapping[str, Any]]) -> str:
    """``polnear`` when quotes carry ``fragments``/``speaker_spans`` (or ``polnear_commit`` is set), else ``quotekit``."""
    for rec in records:
        if "polnear_commit" in rec:
            return "polnear"
        for q in rec.get("quotes") or []:
            if isinstance(q, dict):
                return "polnear" if ("fragments" in q or "speaker_spans" in q) else "quotekit"
    return "quotekit"


def _where(path: str, rec: Mapping[str, Any]) -> str:
    return f"{path}:{rec.get('_line', '?')}"


def _article_id(rec: Mapping[str, Any], path: str) -> str:
    aid = rec.get("article_id")
    if not isinstance(aid, (str, int)) or aid == "":
        raise BadInputError(f"{_where(path, rec)}: record has no 'article_id'")
    return str(aid)


def _quotes(rec: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    quotes = rec.get("quotes")
    if quotes is None:
        return []
    if not isinstance(quotes, list) or not all(isinstance(q, dict) for q in quotes):
        raise BadInputError(f"{_where(path, rec)}: 'quotes' must be a list of objects")
    return quotes


def _offsets(q: Mapping[str, Any], rec: Mapping[str, Any], path: str, i: int) -> Span:
    s, e = q.get("start"), q.get("end")
    if not isinstance(s, int) or not isinstance(e, int) or isinstance(s, bool) or isinstance(e, bool) or not 0 <= s <= e:
        raise BadInputError(f"{_where(path, rec)}: quote #{i + 1}: 'start'/'end' must be integers with 0 <= start <= end")
    return s, e


def load_texts(path: str | Path) -> dict[str, str]:
    """``article_id -> text`` from an articles JSON-lines file (``quotekit ingest`` output)."""
    out: dict[str, str] = {}
    for rec in read_jsonl(path):
        text = rec.get("text")
        if isinstance(text, str):
            out[_article_id(rec, str(path))] = text
    return out


def gold_from_records(records: list[dict[str, Any]], fmt: str = "auto", path: str = "GOLD", texts: Mapping[str, str] | None = None) -> Dataset:
    """Build gold :class:`Dataset` from parsed records in ``fmt`` (``auto`` detects it)."""
    if fmt not in FORMATS:
        raise BadInputError(f"unknown format {fmt!r} (use one of: {', '.join(FORMATS)})")
    if fmt == "auto":
        fmt = detect_format(records)
    ds = Dataset(format=fmt, path=path)
    ds.texts.update(texts or {})
    for rec in records:
        aid = _article_id(rec, path)
        if isinstance(rec.get("text"), str):
            ds.texts[aid] = rec["text"]
        text = ds.texts.get(aid)
        items = ds.attributions.setdefault(aid, [])
        for i, q in enumerate(_quotes(rec, path)):
            s, e = _offsets(q, rec, path, i)
            if fmt == "polnear":
                frags = tuple((int(a), int(b)) for a, b in (q.get("fragments") or [[s, e]]))
                if text is not None:
                    qtexts = tuple(text[a:b] for a, b in frags)
                else:
                    qtexts = (str(q.get("text") or ""),)
                speaker = q.get("speaker")
                if speaker is None and q.get("speaker_spans") and text is not None:
                    speaker = " ".join(text[a:b] for a, b in q["speaker_spans"])
                kind = "direct" if q.get("kind") == "direct" else ("mixed" if q.get("has_quote_marks") else "indirect")
                items.append(Attribution(frags, qtexts, kind, speaker or None, None))
            else:
                qtext = q.get("text")
                if not isinstance(qtext, str):
                    if text is None:
                        raise BadInputError(f"{_where(path, rec)}: quote #{i + 1} has no 'text' and the article text is unknown (pass --articles ARTICLES.jsonl)")
                    qtext = text[s:e]
                tags = q.get("tags") or ()
                if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
                    raise BadInputError(f"{_where(path, rec)}: quote #{i + 1}: 'tags' must be a list of strings")
                items.append(Attribution(
                    ((s, e),), (qtext,), str(q.get("kind") or "indirect"), q.get("speaker") or None, q.get("stance") or None,
                    tags=tuple(tags),
                ))
    return ds


def load_gold(path: str | Path, fmt: str = "auto", articles: str | Path | None = None) -> Dataset:
    """Read a gold file (quotekit or PolNeAR format); ``articles`` supplies texts the file lacks."""
    texts = load_texts(articles) if articles else None
    return gold_from_records(read_jsonl(path), fmt, str(path), texts)


# --------------------------------------------------------------------------- predictions


def mention_text(q: Mapping[str, Any], text: str | None) -> str | None:
    """The speaker mention as written: ``text[speaker_start:speaker_end]``, else the ``speaker`` field."""
    s, e = q.get("speaker_start"), q.get("speaker_end")
    if text is not None and isinstance(s, int) and isinstance(e, int) and 0 <= s < e <= len(text):
        return text[s:e]
    return q.get("speaker") or None


def _is_filler(ch: str) -> bool:
    return ch.isspace() or ch in QUOTE_MARKS or unicodedata.category(ch).startswith("P")


def _attribution_span(q: Mapping[str, Any]) -> Span | None:
    """From the first to the last offset of the quote's speaker mention and cue (``None`` if neither)."""
    points = [q.get(k) for k in ("speaker_start", "speaker_end", "cue_start", "cue_end")]
    ints = [p for p in points if isinstance(p, int)]
    return (min(ints), max(ints)) if ints else None


def _same_attribution(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Same speaker mention (offsets, else non-empty ``speaker``) and, when both have one, the same cue."""
    sa, sb = (a.get("speaker_start"), a.get("speaker_end")), (b.get("speaker_start"), b.get("speaker_end"))
    if all(isinstance(x, int) for x in (*sa, *sb)):
        same = sa == sb
    else:
        same = bool(a.get("speaker")) and a.get("speaker") == b.get("speaker")
    ca, cb = (a.get("cue_start"), a.get("cue_end")), (b.get("cue_start"), b.get("cue_end"))
    if same and all(isinstance(x, int) for x in (*ca, *cb)):
        same = ca == cb
    return same


#: Words whose trailing period does not end a sentence ("Sen. Ruiz said").
ABBREVIATIONS = frozenset("mr mrs ms dr sen rep gov gen lt col st jr sr prof rev sgt capt cmdr adm maj pres sec u.s u.n".split())
_SENTENCE_END = re.compile(r"(\S*?)[.!?]+(?=\s|$)")


#: Words that start a second speech act after the attribution ("he said, adding that ...", "Ruiz
#: said, going on to say ..."): PolNeAR annotates the quote after them as its own attribution.
SECOND_CUE = re.compile(
    r"(?<!\w)(add|adds|adding|added|continu\w*|go(es|ing)? on|went on|suggest\w*|not(e|es|ed|ing)|"
    r"explain\w*|ask\w*|conclud\w*|repl\w*|say|says|said|saying|tell\w*|told)(?!\w)",
    re.IGNORECASE,
)


def _ends_a_sentence(middle: str) -> bool:
    for m in _SENTENCE_END.finditer(middle):
        word = m.group(1).strip(QUOTE_MARKS + "(").casefold()
        if word not in ABBREVIATIONS and not (len(word) == 1 and word.isalpha()):
            return True
    return False


def only_attribution_between(a: Mapping[str, Any], b: Mapping[str, Any], text: str) -> bool:
    """True when ``text[a.end:b.start]`` holds nothing but one attribution clause, punctuation and whitespace.

    Filler is whitespace, quotation marks and Unicode punctuation (category P*). The gap is
    filler, then a *middle*, then filler. It qualifies when the middle is empty (a quote split
    across paragraphs), or when the middle

    1. contains the attribution of ``a`` or ``b`` (from the first to the last offset of its
       speaker mention and cue),
    2. stays on one line and contains no quotation mark, and
    3. does not end a sentence inside it (no ``.``, ``!`` or ``?`` followed by a space, except
       after an abbreviation such as ``Sen.`` or an initial), and
    4. outside the attribution, has no word of :data:`SECOND_CUE` (a second speech act),

    so the middle is the rest of the attribution's own clause::

        “A,” he said. “B.”                               -> True
        “A.”\\n\\n“B.”                                   -> True (multi-paragraph quote)
        “A,” she said, clapping. “B.”                    -> True (same clause)
        “A,” he said. The crowd cheered. “B.”            -> False (another sentence)
        “A,” he said. “Not mine,” Jones replied. “B.”    -> False (a quote in between)
        “A,” he said, adding that “B.”                   -> False (a second speech act)
    """
    lo, hi = a["end"], b["start"]
    if hi < lo:
        return False
    gap = text[lo:hi]
    i, j = 0, len(gap)
    while i < j and _is_filler(gap[i]):
        i += 1
    while j > i and _is_filler(gap[j - 1]):
        j -= 1
    if i == j:
        return True
    m_lo, m_hi = lo + i, lo + j
    middle = text[m_lo:m_hi]
    inside = [
        span for span in (_attribution_span(a), _attribution_span(b))
        if span is not None and m_lo <= span[0] and span[1] <= m_hi
    ]
    if not inside:
        return False
    if "\n" in middle or any(ch in QUOTE_MARKS and not _is_apostrophe(middle, k) for k, ch in enumerate(middle)):
        return False
    if _ends_a_sentence(middle):
        return False
    rest = list(text[m_lo:m_hi])
    for a_lo, a_hi in inside:
        for k in range(a_lo - m_lo, a_hi - m_lo):
            rest[k] = " "
    return SECOND_CUE.search("".join(rest)) is None


def _is_apostrophe(s: str, k: int) -> bool:
    """``’`` or ``'`` between two letters (``Ruiz’s``, ``don't``) or after a plural ``s``."""
    if s[k] not in "'’":
        return False
    before = s[k - 1] if k > 0 else " "
    after = s[k + 1] if k + 1 < len(s) else " "
    return before.isalpha() and (after.isalpha() or before in "sS")


def merge_attribution_fragments(quotes: list[Mapping[str, Any]], text: str) -> list[list[Mapping[str, Any]]]:
    """Group consecutive quotes that PolNeAR counts as one attribution with several fragments.

    Quotes are taken in order of ``start``. Quote ``b`` joins the group of the quote ``a`` just
    before it when they have the same speaker mention (the same ``speaker_start``/``speaker_end``;
    if offsets are missing, the same non-empty ``speaker``), the same cue offsets when both have
    a cue, and :func:`only_attribution_between` holds. ``“A,” X said. “B.”`` becomes one group of two; so does ``A, X said, B`` (indirect).
    """
    groups: list[list[Mapping[str, Any]]] = []
    for q in sorted(quotes, key=lambda q: (q["start"], q["end"])):
        if groups:
            prev = groups[-1][-1]
            if _same_attribution(prev, q) and only_attribution_between(prev, q, text):
                groups[-1].append(q)
                continue
        groups.append([q])
    return groups


def predictions_from_records(
    records: list[dict[str, Any]],
    texts: Mapping[str, str],
    *,
    speaker_mode: str = "canonical",
    merge: bool = False,
    path: str = "PRED",
) -> Dataset:
    """Build the prediction :class:`Dataset`.

    ``speaker_mode="mention"`` compares the mention as written (needs ``texts``);
    ``merge=True`` applies :func:`merge_attribution_fragments` (PolNeAR convention).
    """
    ds = Dataset(format="quotekit", path=path, texts=dict(texts))
    first_line: dict[str, Any] = {}
    for rec in records:
        aid = _article_id(rec, path)
        if aid in first_line:
            raise BadInputError(
                f"{_where(path, rec)}: article {aid!r} appears again (first at line {first_line[aid]}): "
                "evaluate needs one prediction record per article (were two prediction files concatenated?)"
            )
        first_line[aid] = rec.get("_line", "?")
        if "error" in rec and not rec.get("quotes"):
            ds.error_records.append(f"{_where(path, rec)} ({aid}): {rec['error']}")
            continue  # not pre-annotated: its gold quotes count as missed, and the note says why
        text = texts.get(aid)
        raw = []
        for i, q in enumerate(_quotes(rec, path)):
            s, e = _offsets(q, rec, path, i)
            qq = dict(q, start=s, end=e)
            if not isinstance(qq.get("text"), str):
                if text is None:
                    if aid not in texts and texts:
                        qq["text"] = ""  # an article gold does not know: reported as unknown, never scored
                    else:
                        raise BadInputError(f"{_where(path, rec)}: quote #{i + 1} has no 'text' and the article text is unknown (pass --articles ARTICLES.jsonl)")
                else:
                    qq["text"] = text[s:e]
            elif text is not None and text[s:e] != qq["text"]:
                ds.offset_mismatches += 1
            raw.append(qq)
        groups = merge_attribution_fragments(raw, text) if (merge and text is not None) else [[q] for q in raw]
        items = ds.attributions.setdefault(aid, [])
        for g in groups:
            first = g[0]
            speaker = mention_text(first, text) if speaker_mode == "mention" else (first.get("speaker") or None)
            kinds = {str(q.get("kind") or "indirect") for q in g}
            kind = kinds.pop() if len(kinds) == 1 else "mixed"
            items.append(
                Attribution(
                    tuple((q["start"], q["end"]) for q in g),
                    tuple(q["text"] for q in g),
                    kind,
                    speaker,
                    first.get("stance") or None,
                    str(first["rule"]) if first.get("rule") else None,
                )
            )
    return ds


def load_predictions(path: str | Path, gold: Dataset) -> Dataset:
    """Read predictions and prepare them for comparison with ``gold`` (mention + merge for PolNeAR)."""
    polnear = gold.format == "polnear"
    return predictions_from_records(read_jsonl(path), gold.texts, speaker_mode="mention" if polnear else "canonical", merge=polnear, path=str(path))


# --------------------------------------------------------------------------- comparing


_WS = re.compile(r"\s+")


def normalize_exact(text: str) -> str:
    """Text for exact matching: whitespace collapsed, quotation marks stripped from both ends,
    trailing punctuation stripped, case kept.

    >>> normalize_exact(' “The bridge is open,” ')
    'The bridge is open'
    """
    t = _WS.sub(" ", text)
    t = t.strip(" " + QUOTE_MARKS)
    prev = None
    while prev != t:
        prev = t
        t = t.rstrip(" " + QUOTE_MARKS + TRAILING_PUNCT).lstrip(" " + QUOTE_MARKS)
    return t


def _tokens(text: str) -> set[str]:
    out = set()
    for tok in text.split():
        if not tok.isalnum():  # letters and digits only (most words) hold no filler: no per-character pass
            tok = "".join(ch for ch in tok if not _is_filler(ch))
        tok = tok.casefold()
        if tok:
            out.add(tok)
    return out


def token_jaccard(a: str, b: str) -> float:
    """Jaccard of the sets of whitespace tokens, case-folded, punctuation and quotation marks removed.

    >>> token_jaccard('“The bridge is open,”', 'the BRIDGE is open')
    1.0
    """
    ta, tb = _tokens(a), _tokens(b)
    if not ta and not tb:
        return 1.0
    return len(ta & tb) / len(ta | tb)


def spans_overlap(a: Attribution, b: Attribution) -> bool:
    """Some fragment of ``a`` shares at least one character with some fragment of ``b``."""
    return any(s1 < e2 and s2 < e1 for s1, e1 in a.fragments for s2, e2 in b.fragments)


_POSSESSIVE = re.compile(r"['’]s$")


def _name_tokens(name: str) -> list[str]:
    toks = []
    for tok in name.split():
        tok = _POSSESSIVE.sub("", tok)
        tok = "".join(ch for ch in tok if not _is_filler(ch) or ch in "-").strip("-").casefold()
        if tok:
            toks.append(tok)
    return toks


def speakers_match(gold: str | None, pred: str | None) -> bool:
    """Same speaker: equal names, or one contains the other's last token (surname), case-insensitive.

    Both missing counts as a match (an attribution with no speaker, correctly left unknown).

    >>> speakers_match('Koy Kuong', 'Kuong'), speakers_match('Dana Ruiz', 'he')
    (True, False)
    """
    if not gold or not pred:
        return not gold and not pred
    g, p = _name_tokens(gold), _name_tokens(pred)
    if not g or not p:
        return gold.strip().casefold() == pred.strip().casefold()
    return g == p or g[-1] in p or p[-1] in g


def _greedy(pairs: list[tuple[float, int, int]]) -> list[tuple[int, int]]:
    """One-to-one matching from scored (score, gold index, pred index) candidates, best first."""
    used_g: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, gi, pi in sorted(pairs, key=lambda x: (-x[0], x[1], x[2])):
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            out.append((gi, pi))
    return out


def match_overlap(gold: list[Attribution], pred: list[Attribution], threshold: float = 0.5) -> list[tuple[int, int]]:
    """Overlap matches: spans overlap and token Jaccard >= ``threshold``; greedy by best Jaccard."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if spans_overlap(g, p):
                j = token_jaccard(g.text, p.text)
                if j >= threshold:
                    pairs.append((j, gi, pi))
    return _greedy(pairs)


def exact_key(item: Attribution) -> str:
    """:func:`normalize_exact` applied to each fragment, joined by a space."""
    return " ".join(normalize_exact(t) for t in item.texts)


def match_exact(gold: list[Attribution], pred: list[Attribution]) -> list[tuple[int, int]]:
    """Exact matches: :func:`exact_key` equal and spans overlap; one-to-one."""
    pairs = []
    for gi, g in enumerate(gold):
        ng = exact_key(g)
        for pi, p in enumerate(pred):
            if spans_overlap(g, p) and exact_key(p) == ng:
                pairs.append((1.0, gi, pi))
    return _greedy(pairs)


# --------------------------------------------------------------------------- metrics


#: Why a matched gold quote with a stance is not confirm-only, in the order they are checked
#: (``missed``, no match at all, comes before them in ``confirm_losses``).
CONFIRM_LOSSES: tuple[str, ...] = ("speaker", "span", "stance_empty", "stance_wrong")


def confirm_loss(same_speaker: bool, exact_span: bool, pred_stance: str | None, gold_stance: str) -> str | None:
    """The first step at which a matched proposal stops being confirm-only, None when it is.

    >>> confirm_loss(True, True, "favor", "favor"), confirm_loss(True, False, "favor", "favor")
    (None, 'span')
    >>> confirm_loss(False, True, None, "against"), confirm_loss(True, True, None, "against")
    ('speaker', 'stance_empty')
    """
    if not same_speaker:
        return "speaker"
    if not exact_span:
        return "span"
    if pred_stance is None:
        return "stance_empty"
    return "stance_wrong" if pred_stance != gold_stance else None


@dataclass
class _Counts:
    n_gold: int = 0
    n_pred: int = 0
    exact_tp_gold: int = 0  # matched gold of this group (recall side)
    exact_tp_pred: int = 0  # matched pred of this group (precision side)
    overlap_tp_gold: int = 0
    overlap_tp_pred: int = 0
    qs_tp_gold: int = 0
    qs_tp_pred: int = 0
    speaker_correct: int = 0
    speaker_total: int = 0
    stance_correct: int = 0
    stance_total: int = 0
    stance_prefilled: int = 0  # matched pairs (gold has a stance) whose proposal has a stance
    stance_prefilled_correct: int = 0
    confirm_total: int = 0  # gold quotes with a stance
    confirm_only: int = 0  # ... whose matched proposal is right in exact span, speaker and stance
    confirm_or_choose: int = 0  # ... right in exact span and speaker, stance right or left empty
    losses: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CONFIRM_LOSSES, 0))  # matched, not confirm-only

    def as_metrics(self) -> dict[str, Any]:
        def pr(tp_pred: int, tp_gold: int) -> dict[str, float]:
            p = tp_pred / self.n_pred if self.n_pred else 0.0
            r = tp_gold / self.n_gold if self.n_gold else 0.0
            f = 2 * p * r / (p + r) if p + r else 0.0
            return {"precision": p, "recall": r, "f1": f}

        return {
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
            "exact": {**pr(self.exact_tp_pred, self.exact_tp_gold), "matched_gold": self.exact_tp_gold, "matched_pred": self.exact_tp_pred},
            "overlap": {**pr(self.overlap_tp_pred, self.overlap_tp_gold), "matched_gold": self.overlap_tp_gold, "matched_pred": self.overlap_tp_pred},
            "quote_speaker": {**pr(self.qs_tp_pred, self.qs_tp_gold), "matched_gold": self.qs_tp_gold, "matched_pred": self.qs_tp_pred},
            "speaker_accuracy": self.speaker_correct / self.speaker_total if self.speaker_total else None,
            "speaker_correct": self.speaker_correct,
            "speaker_total": self.speaker_total,
            "stance_accuracy": self.stance_correct / self.stance_total if self.stance_total else None,
            "stance_correct": self.stance_correct,
            "stance_total": self.stance_total,
            "stance_coverage": self.stance_prefilled / self.stance_total if self.stance_total else None,
            "stance_prefilled": self.stance_prefilled,
            "stance_precision": self.stance_prefilled_correct / self.stance_prefilled if self.stance_prefilled else None,
            "stance_prefilled_correct": self.stance_prefilled_correct,
            "confirm_only_share": self.confirm_only / self.confirm_total if self.confirm_total else None,
            "confirm_only": self.confirm_only,
            "confirm_or_choose_share": self.confirm_or_choose / self.confirm_total if self.confirm_total else None,
            "confirm_or_choose": self.confirm_or_choose,
            "confirm_total": self.confirm_total,
            "confirm_losses": {"missed": self.confirm_total - self.stance_total, **self.losses},
        }


def evaluate(gold: Dataset | Mapping[str, list[Attribution]], pred: Dataset | Mapping[str, list[Attribution]]) -> dict[str, Any]:
    """Compare predictions with gold; returns a JSON-ready report.

    ``{"by_kind": {"direct"|"indirect"|"all": metrics}, "by_rule": {rule: {...}}, "articles": {...}}``.
    ``by_tag`` (only when gold quotes carry ``tags``): per tag, ``n`` gold quotes, ``matched``,
    ``speaker_right``, ``exact`` (matched with an exact span), ``stance_right`` and ``confirm_only``
    counts and the rates ``recall``, ``qs_recall``, ``exact_recall``, ``speaker_accuracy`` and
    ``stance_accuracy`` (over matched; an empty stance is wrong) and ``confirm_only_share``.
    ``by_rule`` counts proposals per ``rule`` (``"(none)"`` when a proposal has none): ``n``,
    ``matched`` (overlap-matched to a gold quote), ``speaker_right`` (and the speaker matches),
    ``precision`` = matched / n and ``precision_speaker`` = speaker_right / n. Predicted articles
    absent from gold are counted and listed under ``articles.unknown_in_pred`` and not scored;
    gold articles absent from predictions count as all missed (``articles.missing_in_pred``).
    """
    g_all = gold.attributions if isinstance(gold, Dataset) else gold
    p_all = pred.attributions if isinstance(pred, Dataset) else pred
    counts = {k: _Counts() for k in KIND_GROUPS}
    rules: dict[str, list[int]] = {}  # rule -> [n, matched, speaker right]
    tags: dict[str, dict[str, int]] = {}  # tag -> counts
    tag_keys = ("n", "matched", "speaker_right", "exact", "stance_right", "confirm_only")
    unknown = sorted(a for a in p_all if a not in g_all)
    missing = sorted(a for a in g_all if a not in p_all)

    def groups(item: Attribution) -> tuple[str, str]:
        return item.group, "all"

    for aid, g_items in g_all.items():
        p_items = p_all.get(aid, [])
        for it in g_items:
            for k in groups(it):
                counts[k].n_gold += 1
                counts[k].confirm_total += bool(it.stance)
            for tag in it.tags:
                tags.setdefault(tag, dict.fromkeys(tag_keys, 0))["n"] += 1
        rule_of = [p.rule or "(none)" for p in p_items]
        for it, rule in zip(p_items, rule_of):
            for k in groups(it):
                counts[k].n_pred += 1
            rules.setdefault(rule, [0, 0, 0])[0] += 1
        for gi, pi in match_exact(g_items, p_items):
            for k in groups(g_items[gi]):
                counts[k].exact_tp_gold += 1
            for k in groups(p_items[pi]):
                counts[k].exact_tp_pred += 1
        for gi, pi in match_overlap(g_items, p_items):
            g, p = g_items[gi], p_items[pi]
            same_speaker = speakers_match(g.speaker, p.speaker)
            span_speaker_right = same_speaker and exact_key(g) == exact_key(p)
            r = rules[rule_of[pi]]
            r[1] += 1
            r[2] += same_speaker
            for tag in g.tags:
                t = tags[tag]
                t["matched"] += 1
                t["speaker_right"] += same_speaker
                t["exact"] += exact_key(g) == exact_key(p)
                t["stance_right"] += bool(g.stance) and p.stance == g.stance
                t["confirm_only"] += span_speaker_right and bool(g.stance) and p.stance == g.stance
            for k in groups(g):
                c = counts[k]
                c.overlap_tp_gold += 1
                c.speaker_total += 1
                c.speaker_correct += same_speaker
                c.qs_tp_gold += same_speaker
                if g.stance:
                    c.stance_total += 1
                    c.stance_correct += p.stance == g.stance
                    c.stance_prefilled += p.stance is not None
                    c.stance_prefilled_correct += p.stance == g.stance
                    c.confirm_only += span_speaker_right and p.stance == g.stance
                    c.confirm_or_choose += span_speaker_right and p.stance in (None, g.stance)
                    loss = confirm_loss(same_speaker, exact_key(g) == exact_key(p), p.stance, g.stance)
                    if loss:
                        c.losses[loss] += 1
            for k in groups(p):
                counts[k].overlap_tp_pred += 1
                counts[k].qs_tp_pred += same_speaker
    by_rule = {
        rule: {"n": n, "matched": m, "speaker_right": sr, "precision": m / n, "precision_speaker": sr / n}
        for rule, (n, m, sr) in sorted(rules.items(), key=lambda kv: (-kv[1][0], kv[0]))
    }
    def rates(t: dict[str, int]) -> dict[str, Any]:
        n, m = t["n"], t["matched"]
        return {
            **t,
            "recall": t["matched"] / n, "qs_recall": t["speaker_right"] / n, "exact_recall": t["exact"] / n,
            "speaker_accuracy": t["speaker_right"] / m if m else None, "stance_accuracy": t["stance_right"] / m if m else None,
            "confirm_only_share": t["confirm_only"] / n,
        }

    report = {
        "by_kind": {k: counts[k].as_metrics() for k in KIND_GROUPS},
        "by_rule": by_rule,
        "articles": {
            "gold": len(g_all),
            "pred": len(p_all),
            "scored": len(g_all) - len(missing),
            "unknown_in_pred": unknown,
            "missing_in_pred": missing,
        },
    }
    if tags:
        report["by_tag"] = {tag: rates(t) for tag, t in sorted(tags.items())}
    return report


def evaluate_files(gold_path: str | Path, pred_path: str | Path, fmt: str = "auto", articles: str | Path | None = None) -> dict[str, Any]:
    """Load both files and :func:`evaluate`; the report also names the files and the gold format."""
    gold = load_gold(gold_path, fmt, articles)
    pred = load_predictions(pred_path, gold)
    report = evaluate(gold, pred)
    report["gold"] = str(gold_path)
    report["pred"] = str(pred_path)
    report["format"] = gold.format
    report["speaker_comparison"] = "mention as written" if gold.format == "polnear" else "canonical name"
    report["articles"]["pred_offset_mismatches"] = pred.offset_mismatches
    report["articles"]["error_records_in_pred"] = pred.error_records
    return report


# --------------------------------------------------------------------------- Label Studio exports


#: How the stored predictions are labelled when they carry no ``model_version``.
NO_VERSION = "(no model_version)"


def _record_attribution(q: Any, rule: str | None = None) -> Attribution:
    """An :class:`Attribution` of one quote read from an export (a QuoteRecord)."""
    return Attribution(((q.start, q.end),), (q.text,), q.kind, q.speaker or None, q.stance or None, rule)


@dataclass
class ExportDatasets:
    """What :func:`export_datasets` reads: the submitted annotations as gold, and the stored
    predictions per ``model_version`` on the same articles."""

    gold: Dataset
    stored: dict[str, Dataset]
    #: the export reader's defects (skipped items), by reason
    defects: dict[str, int] = field(default_factory=dict)


def export_datasets(paths: Iterable[str | Path], *, registry: Any = None, stance_labels: Iterable[str] | None = None) -> ExportDatasets:
    """Gold from the submitted annotations of Label Studio exports, chosen as ``quotekit build``
    chooses them (:class:`toolkit.labelstudio.export.ExportReader`: ground truth, else the latest;
    an empty annotation is an article that quotes nobody), speakers by registry name; and the
    stored predictions of those tasks per ``model_version`` (one per article and version, the last
    one; read with the same parser, a stance may be left empty; the rule from the QUOTE region's
    meta). A prediction is taken only from a task whose text is the gold article's text."""
    from toolkit.config import load_registry, load_stance
    from toolkit.labelstudio import names as N
    from toolkit.labelstudio.export import ExportReader, IssueLog, iter_json_items, parse_annotation
    from toolkit.labelstudio.export.issues import NullLog
    from toolkit.labelstudio.tasks import proposal_rules

    registry = registry if registry is not None else load_registry()
    labels = tuple(stance_labels) if stance_labels is not None else load_stance().labels

    paths = [Path(p) for p in paths]
    issues = IssueLog()
    reader = ExportReader(paths, issues=issues, stance_labels=labels, canonical=registry.canonical)
    gold = Dataset(format="quotekit", path=", ".join(map(str, paths)))
    for art in reader.articles():
        gold.texts[art.article_id] = art.text
        gold.attributions[art.article_id] = [_record_attribution(q) for q in art.quotes]
    stored: dict[str, Dataset] = {}
    quiet = NullLog()
    for path in paths:
        for task in iter_json_items(path, quiet):
            data = task.get("data") if isinstance(task, dict) else None
            if not isinstance(data, dict) or not isinstance(task.get("predictions"), list):
                continue
            aid = str(data["article_id"]) if data.get("article_id") not in (None, "") else f"ls-task-{task.get('id')}"
            text = gold.texts.get(aid)
            if text is None or data.get(N.TEXT) != text:
                continue
            for pred in task["predictions"]:
                if not isinstance(pred, dict) or not isinstance(pred.get("result"), list):
                    continue
                version = str(pred.get("model_version") or NO_VERSION)
                rules = proposal_rules(pred["result"])
                quotes = parse_annotation(text, pred["result"], article_id=aid, where=f"{path.name} task {task.get('id')}",
                                          issues=quiet, stance_labels=labels, canonical=registry.canonical, stance_required=False)
                ds = stored.setdefault(version, Dataset(format="quotekit", path=f"{version} (stored)"))
                ds.texts[aid] = text
                ds.attributions[aid] = [_record_attribution(q, rules.get(q.region_id)) for q in quotes]
    return ExportDatasets(gold, dict(sorted(stored.items())), dict(issues.counts))


def subset(ds: Dataset, article_ids: Iterable[str]) -> Dataset:
    """The articles ``article_ids`` of ``ds`` (those it has), as a new :class:`Dataset`."""
    keep = [a for a in article_ids if a in ds.attributions]
    return Dataset({a: ds.attributions[a] for a in keep}, {a: ds.texts[a] for a in keep if a in ds.texts}, ds.format, ds.path)


def evaluate_exports(paths: Iterable[str | Path], model: str | None = None, *, registry: Any = None,
                     stance_labels: Iterable[str] | None = None, nlp: Any = None) -> dict[str, Any]:
    """Score today's pre-annotator (the blank pipeline, or the spaCy pipeline ``model``; or
    ``nlp``) against the submitted annotations of Label Studio exports (:func:`export_datasets`),
    and each ``model_version`` of the stored predictions against the same annotations, with today's
    pre-annotator scored again on that version's articles, so the two compare on the same ground.

    ``{"today": {"label", "report"}, "by_model_version": {version: {"articles", "stored", "today"}},
    "articles", "defects"}``; each report is an :func:`evaluate` report.
    """
    from toolkit.core import RULESET_ID
    from toolkit.pipeline import load_pipeline, preannotate_records

    data = export_datasets(paths, registry=registry, stance_labels=stance_labels)
    gold = data.gold
    if not gold.attributions:
        raise BadInputError(f"{gold.path}: no submitted annotation to score against (annotate in Label Studio, then export "
                            "with `quotekit ls pull`)")
    if nlp is None:
        nlp = load_pipeline(None if model in (None, "blank") else model)
    records = [{"article_id": aid, "text": text} for aid, text in gold.texts.items()]
    today = predictions_from_records(list(preannotate_records(records, nlp=nlp)), gold.texts, path="today")
    label = f"today: {RULESET_ID}, model {model or 'blank'}"
    out: dict[str, Any] = {
        "exports": [str(p) for p in paths],
        "articles": len(gold.attributions),
        "today": {"label": label, "report": evaluate(gold, today)},
        "by_model_version": {},
        "defects": data.defects,
    }
    for version, stored in data.stored.items():
        ids = list(stored.attributions)
        g = subset(gold, ids)
        out["by_model_version"][version] = {
            "articles": len(ids),
            "stored": evaluate(g, stored),
            "today": evaluate(g, subset(today, ids)),
        }
    return out
