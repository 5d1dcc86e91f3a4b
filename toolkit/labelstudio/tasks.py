"""Articles + quotes -> Label Studio tasks with predictions, and their validation.

Pure: no network. One task per article::

    {"data": {"text", "article_id", "title", "outlet", "date", "text_sha256",
              "review", "doubt", "lowest_score", "stance_empty", "speaker_candidates"},
     "predictions": [{"model_version", "score", "result": [...]}]}

``review`` is the always-visible panel of the proposed quotes (:func:`review_html`); ``doubt``
and its parts (:func:`task_doubt`) let the Data Manager sort the most doubtful tasks first, and
the prediction's ``score`` is ``1 - doubt`` (Label Studio's score is a confidence).
``speaker_candidates`` (:func:`speaker_candidates`) are the options of the per-region candidate
radio of SPEAKER regions; the pre-annotation names a speaker there when it can.

The result items follow ``names.py``. Region ids are derived from the article id, the offsets
and the label (``region_id``), so a re-run produces the same ids and one SPEAKER mention shared
by several quotes is one region with several ``said_by`` relations.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Collection, Iterable

from toolkit.labelstudio import names as N
from toolkit.types import text_sha256  # noqa: F401  (re-exported)
from toolkit.types import QUOTE_KINDS, Quote

_LETTER = {N.QUOTE: "q", N.SPEAKER: "s", N.CUE: "c"}


def model_version() -> str:
    """``quotekit-<version>+<ruleset>``: the version of quotekit's predictions."""
    from toolkit import __version__
    from toolkit.core import RULESET_ID

    return f"quotekit-{__version__}+{RULESET_ID}"


def region_id(article_id: str, start: int, end: int, label: str) -> str:
    """A stable 10-character region id, e.g. ``region_id("a1", 10, 25, "QUOTE") -> "q3f9c0d2a1"``."""
    digest = hashlib.sha1(f"{article_id}\x1f{start}\x1f{end}\x1f{label}".encode("utf-8")).hexdigest()
    return _LETTER.get(label, "r") + digest[:9]


class PredictionError(ValueError):
    """A prediction that must not be sent; the message names the article and the quote."""


@dataclass
class BuiltTask:
    article_id: str
    task: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def prediction(self) -> dict[str, Any] | None:
        preds = self.task.get("predictions") or []
        return preds[0] if preds else None


def task_data(record: dict[str, Any]) -> dict[str, Any]:
    """The task's ``data``: text plus the metadata shown to annotators and kept for provenance.

    A missing (null) title, outlet or date is sent as ``""``: the labeling config shows them with
    ``Header`` tags, and Label Studio 1.23 refuses an import whose Header-bound key is null
    (``tasks/validation.py``: a Header takes str, int or float). The export parser reads ``""``
    back as None (:func:`toolkit.labelstudio.export._meta`), so null stays null in the dataset.
    """
    text = record["text"]
    data: dict[str, Any] = {N.TEXT: text}
    for key in N.DATA_KEYS:
        if key == "text_sha256":
            data[key] = text_sha256(text)
        else:
            value = record.get(key)
            data[key] = "" if value is None else str(value)
    data[N.REVIEW] = ""  # the labeling config shows it: the key must exist (build_task fills it)
    data[N.SPEAKER_CANDIDATES] = []  # the same (Label Studio refuses an import without it); build_task fills it
    return data


# --------------------------------------------------------------------------- candidate speakers

#: At most this many candidate speakers per task (a radio each, beside the article), unless the
#: speakers the pre-annotation resolved, or those and the registry names the text shows acting
#: (:func:`acting_mentions`), are more: resolved speakers are always offered, acting names up to
#: ``MAX_WITH_ACTING`` in all.
MAX_CANDIDATES = 12
#: The ceiling for acting names. Each candidate takes a line of the right column (about 21 px; two
#: for the 10 registry names longer than 35 characters), which the review panel under a selected
#: SPEAKER's controls loses: at 14 one-line candidates it still shows 3 rows whole, at 16 only 2
#: (measured in Label Studio 1.23.2, 1400x1000; tests/browser/test_ls_candidates_ui.py).
MAX_WITH_ACTING = MAX_CANDIDATES + 2


def _registry_forms(registry) -> tuple[tuple[str, str], ...]:
    """(surface form, canonical name) of every registry name or alias written with a capital
    (a proper name: "the government" or "the opposition" alone would offer a name per article)."""
    return tuple((form, sp.name) for sp in registry for form in sp.surface_forms if any(c.isupper() for c in form))


@lru_cache(maxsize=4)
def _mention_pattern(forms: tuple[tuple[str, str], ...]):
    by_form = {form: name for form, name in forms}
    alternatives = "|".join(re.escape(f) for f in sorted(by_form, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)") if alternatives else None, by_form


def registry_mentions(text: str, registry) -> dict[str, int]:
    """Canonical registry name -> offset of its first mention in ``text`` (its name or an alias
    written with a capital, whole words, case as written in the registry).

    >>> from toolkit.config import Registry, Speaker
    >>> r = Registry([Speaker("Hun Sen", "government", aliases=("Samdech Hun Sen",)), Speaker("Kem Sokha", "opposition")])
    >>> registry_mentions("Samdech Hun Sen met Kem Sokha; Hun Sen said so.", r)
    {'Hun Sen': 0, 'Kem Sokha': 20}
    """
    return _first_offsets(_mentions(text, registry))


def _first_offsets(mentions: Iterable[tuple[str, int, int]]) -> dict[str, int]:
    """Canonical name -> start of its first mention, from :func:`_mentions`' triples."""
    first: dict[str, int] = {}
    for name, start, _end in mentions:
        first.setdefault(name, start)
    return first


def _mentions(text: str, registry) -> Iterable[tuple[str, int, int]]:
    """(canonical name, start, end) of every registry mention in ``text`` (see :func:`registry_mentions`)."""
    if registry is None:
        return
    pattern, by_form = _mention_pattern(_registry_forms(registry))
    for m in pattern.finditer(text) if pattern is not None else ():
        yield by_form[m.group(0)], m.start(), m.end()


#: the word right after a mention, with spaces only between (no comma: "Hun Sen, who ..." is not it)
_NEXT_WORD = re.compile(r"[ \t]+([a-z][a-z’'-]*)")


def verb_after(text: str, end: int, verb_forms: Collection[str]) -> bool:
    """Is the word right after ``end`` (spaces only between) a lower-case verb form: one of
    ``verb_forms`` (the cue lexicon's: "says", "told") or a past form in -ed ("justified",
    "ordered", "reported")? Then the words before ``end`` are its subject: someone acting in the text.

    >>> t = "The Supreme Court justified it; Reuters says so; the EU, Hun Sen and the Red Cross."
    >>> [verb_after(t, t.index(w) + len(w), {"says"}) for w in ("Court", "Reuters", "EU", "Sen", "Cross")]
    [True, True, False, False, False]
    """
    m = _NEXT_WORD.match(text, end)
    return bool(m) and (m.group(1).endswith("ed") or m.group(1) in verb_forms)


@lru_cache(maxsize=1)
def speech_verb_forms() -> frozenset[str]:
    """The surface forms of the cue lexicon's verbs (``configs/cues.yaml``: "said", "tells"),
    but those of its ``noun_ambiguous`` lemmas ("ASEAN states", "the party's claims"), whose
    past form in -ed counts anyway."""
    from toolkit.config import configs_dir, load_lexicon_file
    from toolkit.core.cues import CueLexicon

    d = configs_dir()
    lex = CueLexicon.from_dict(load_lexicon_file(d, "cues.yaml"), source=d / "cues.yaml")
    return frozenset(f for f, lemma in lex.forms.items() if lemma not in lex.noun_ambiguous)


def acting_mentions(text: str, registry, verb_forms: Collection[str] | None = None,
                    mentions: list[tuple[str, int, int]] | None = None) -> dict[str, int]:
    """Canonical registry name -> offset of its first mention, for the names the text shows
    acting: some mention of theirs directly followed by a verb (:func:`verb_after`). The
    speakers of quotes the pre-annotation missed are among them when the verb is no cue of its
    lexicon ("The Supreme Court justified the dissolution on the grounds ..."). ``mentions``:
    the text's registry mentions when the caller has them already (:func:`speaker_candidates`).

    >>> from toolkit.config import Registry, Speaker
    >>> r = Registry([Speaker("Hun Sen", "government"), Speaker("Kem Sokha", "opposition")])
    >>> acting_mentions("Kem Sokha met Hun Sen. Later Hun Sen ruled it out.", r, verb_forms=())
    {'Hun Sen': 14}
    """
    forms = speech_verb_forms() if verb_forms is None else verb_forms
    found = list(_mentions(text, registry)) if mentions is None else mentions
    first = _first_offsets(found)
    return {name: first[name] for name, _start, end in found if verb_after(text, end, forms)}


def speaker_candidates(text: str, quotes: Iterable[Quote], registry, limit: int = MAX_CANDIDATES,
                       verb_forms: Collection[str] | None = None) -> list[str]:
    """The article's candidate speakers, offered as one click each on a SPEAKER region, ordered
    by first mention: the registry names of

    1. the speakers the pre-annotation resolved (always all of them);
    2. the registry people and bodies the text shows acting (:func:`acting_mentions`: likely
       speakers of the quotes it missed), by first mention, up to ``MAX_WITH_ACTING`` names in all;
    3. the other registry names the text mentions, by first mention, while there is room
       (``limit`` names at most).

    A speaker the registry lacks is not a candidate (it keeps its typed name).

    >>> from toolkit.config import Registry, Speaker
    >>> r = Registry([Speaker("Hun Sen", "government"), Speaker("Kem Sokha", "opposition"), Speaker("Sam Rainsy", "opposition")])
    >>> text = "Kem Sokha met Sam Rainsy. The premier said it was over."
    >>> speaker_candidates(text, [Quote(43, 54, "it was over", "indirect", speaker="Hun Sen", speaker_start=26, speaker_end=37)], r)
    ['Kem Sokha', 'Sam Rainsy', 'Hun Sen']
    >>> speaker_candidates(text, [Quote(43, 54, "it was over", "indirect", speaker="Hun Sen", speaker_start=26, speaker_end=37)], r, limit=1)
    ['Hun Sen']
    >>> speaker_candidates("Kem Sokha met Sam Rainsy, who denied it.", [], r, limit=1)
    ['Kem Sokha']
    >>> speaker_candidates("Kem Sokha met Sam Rainsy. Sam Rainsy denied it.", [], r, limit=1)
    ['Sam Rainsy']
    """
    if registry is None:
        return []
    found = list(_mentions(text, registry))  # one scan of the text for every step below
    first = _first_offsets(found)
    chosen: dict[str, int] = {}
    for q in quotes:
        name = _canonical(q.speaker, registry) if q.speaker else None
        if name is not None:
            at = q.speaker_start if q.speaker_start is not None else q.start
            chosen[name] = min(chosen.get(name, at), first.get(name, at), at)
    acting = acting_mentions(text, registry, verb_forms, mentions=found)
    for at, name in sorted((at, name) for name, at in acting.items() if name not in chosen):
        if len(chosen) >= MAX_WITH_ACTING:
            break
        chosen[name] = at
    room = max(0, limit - len(chosen))
    mentioned = sorted((at, name) for name, at in first.items() if name not in chosen)[:room]
    return [name for _at, name in sorted([(at, name) for name, at in chosen.items()] + mentioned)]


def candidate_names(data: dict[str, Any]) -> list[str] | None:
    """The candidate speakers a task's data offers (``[{"value": name}, ...]``), None when it has
    no such key (a task of an older project).

    >>> candidate_names({"speaker_candidates": [{"value": "Hun Sen"}]}), candidate_names({})
    (['Hun Sen'], None)
    """
    items = data.get(N.SPEAKER_CANDIDATES)
    if not isinstance(items, list):
        return None
    return [it["value"] for it in items if isinstance(it, dict) and isinstance(it.get("value"), str)]


# --------------------------------------------------------------------------- doubt and review


def quote_doubt(q: Quote) -> float:
    """How unsure the proposal of one quote is: ``1 - score``, raised to 1 when its stance is
    left empty (the annotator must choose it anyway).

    >>> quote_doubt(Quote(0, 3, "abc", "direct", stance="favor", score=0.8)), quote_doubt(Quote(0, 3, "abc", "direct", score=0.8))
    (0.2, 1.0)
    """
    if q.stance is None:
        return 1.0
    return round(1.0 - min(1.0, max(0.0, float(q.score or 0.0))), 4)


def task_doubt(quotes: list[Quote]) -> dict[str, float]:
    """A task's doubt figures (task data keys ``doubt``, ``lowest_score``, ``stance_empty``):
    ``doubt = 1 - lowest score x (1 - share of quotes with stance left empty)``, 0 (sure) to 1;
    a task with no proposal has doubt 0 (nothing proposed to check; its text still needs reading).

    >>> task_doubt([Quote(0, 3, "abc", "direct", stance="favor", score=0.9), Quote(4, 6, "de", "indirect", score=0.5)])
    {'doubt': 0.75, 'lowest_score': 0.5, 'stance_empty': 0.5}
    >>> task_doubt([])
    {'doubt': 0.0, 'lowest_score': 1.0, 'stance_empty': 0.0}
    """
    if not quotes:
        return {N.DOUBT: 0.0, N.LOWEST_SCORE: 1.0, N.STANCE_EMPTY: 0.0}
    lowest = min(min(1.0, max(0.0, float(q.score or 0.0))) for q in quotes)
    empty = sum(q.stance is None for q in quotes) / len(quotes)
    return {N.DOUBT: round(1.0 - lowest * (1.0 - empty), 4), N.LOWEST_SCORE: round(lowest, 4),
            N.STANCE_EMPTY: round(empty, 4)}


STANCE_COLOURS = {"favor": "#237804", "against": "#a8071a", "neutral": "#595959"}
REVIEW_QUOTE_WORDS = 7


def _snippet(text: str, words: int = REVIEW_QUOTE_WORDS) -> str:
    """The first ``words`` words of a quote, for the review panel.

    >>> _snippet("one two three four", 2)
    'one two …'
    """
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def review_html(text: str, quotes: list[Quote], registry=None) -> str:
    """The review panel of one task: every proposed quote in text order, one table row each
    (``tr.qk-quote``) with the start of the quote, its canonical speaker (the mention, when the
    registry does not know it, marked "new"; "name?" and the mention when the pre-annotator found a
    mention but could not name it; "unknown" when there is none), its stance ("?" when
    left empty), its kind and its doubt (:func:`quote_doubt`); the most doubtful rows are marked.
    Shown beside the article by the labeling config (a ``HyperText``), so reviewing a proposal
    needs no click; it shows the proposal as pushed, not the annotator's later edits."""
    import html

    esc = html.escape
    fig = task_doubt(quotes)
    rows = []
    for i, q in enumerate(sorted(quotes, key=lambda q: (q.start, q.end)), start=1):
        if q.speaker:
            canon = _canonical(q.speaker, registry)
            mention = text[q.speaker_start:q.speaker_end] if q.speaker_start is not None and q.speaker_end is not None else None
            speaker = f"<b>{esc(canon or q.speaker)}</b>" + ("" if canon else ' <i style="color:#ad6800">(new)</i>')
            if mention and mention.strip() and mention.strip() != (canon or q.speaker):
                speaker += f' <span style="color:#8c8c8c">&larr; {esc(_snippet(mention.strip(), 4))}</span>'
        elif q.speaker_start is not None and q.speaker_end is not None and text[q.speaker_start:q.speaker_end].strip():
            # a mention the pre-annotator could not name ("She" with no antecedent): name it
            mention = _snippet(text[q.speaker_start:q.speaker_end].strip(), 4)
            speaker = f'<i style="color:#d46b08">name?</i> <span style="color:#8c8c8c">&larr; {esc(mention)}</span>'
        else:
            speaker = '<i style="color:#8c8c8c">unknown</i>'
        stance = q.stance or "?"
        colour = STANCE_COLOURS.get(q.stance or "", "#d46b08")
        doubt = quote_doubt(q)
        mark = "background:#fff1f0;" if doubt >= 0.5 else ""
        rows.append(
            f'<tr class="qk-quote" style="{mark}border-top:1px solid #eee">'
            f'<td style="color:#8c8c8c;vertical-align:top;padding-right:3px">{i}</td>'
            f'<td style="vertical-align:top"><span style="color:#595959">{esc(_snippet(q.text))}</span><br>'
            f'{speaker} &middot; <b style="color:{colour}">stance: {esc(stance)}</b> &middot; {esc(q.kind)}</td>'
            f'<td class="qk-doubt" style="vertical-align:top;text-align:right;padding-left:3px">{doubt:.2f}</td></tr>'
        )
    head = (f'<div class="qk-review" style="font-size:11.5px;line-height:1.3">'
            f'<div style="font-weight:600">Proposed quotes: {len(quotes)} &middot; doubt {fig[N.DOUBT]:.2f}</div>'
            f'<div style="color:#8c8c8c">lowest score {fig[N.LOWEST_SCORE]:.2f}; stance left empty (?) in '
            f'{sum(q.stance is None for q in quotes)} of {len(quotes)}; right: each quote\'s doubt</div>')
    if not rows:
        return head + '<div>No quote proposed: read the article for missed quotes.</div></div>'
    return head + '<table style="width:100%;border-collapse:collapse">' + "".join(rows) + "</table></div>"


def _span_text(text: str, start: int, end: int, claimed: str | None = None) -> str:
    """The region's ``value.text``: what the pre-annotator claims (validated later), else the span."""
    return claimed if claimed is not None else text[start:end]


def _region(rid: str, start: int, end: int, text: str, label: str, score: float | None = None,
            claimed: str | None = None, rule: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": rid,
        "from_name": N.LABELS,
        "to_name": N.TEXT,
        "type": "labels",
        "value": {"start": start, "end": end, "text": _span_text(text, start, end, claimed), "labels": [label]},
    }
    if score is not None:
        item["score"] = round(float(score), 4)
    if rule:
        item["meta"] = {N.RULE_META: rule}
    return item


def proposal_rules(result: Any) -> dict[str, str]:
    """QUOTE region id -> the rule that proposed it, read from a prediction's ``result`` (the
    region's ``meta``, where :func:`build_result` puts it): how each proposal's rule comes back
    from Label Studio in an export, for the corrections report.

    >>> proposal_rules([{"id": "q1", "type": "labels", "meta": {"quotekit_rule": "preposed_that+registry"}}])
    {'q1': 'preposed_that+registry'}
    """
    out: dict[str, str] = {}
    for item in result if isinstance(result, list) else ():
        meta = item.get("meta") if isinstance(item, dict) else None
        if isinstance(meta, dict) and isinstance(meta.get(N.RULE_META), str) and isinstance(item.get("id"), str):
            out[item["id"]] = meta[N.RULE_META]
    return out


def _per_region(rid: str, start: int, end: int, text: str, from_name: str, kind: str, values: list[str],
                claimed: str | None = None) -> dict[str, Any]:
    value: dict[str, Any] = {"start": start, "end": end, "text": _span_text(text, start, end, claimed)}
    if kind == "taxonomy":  # a flat Taxonomy: one path of one name per value
        value["taxonomy"] = [[v] for v in values]
    else:
        value["choices" if kind == "choices" else "text"] = values
    return {"id": rid, "from_name": from_name, "to_name": N.TEXT, "type": kind, "value": value}


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    """A relation; its direction (arrow heads) gives its colour on the labeling screen
    (``toolkit.labelstudio.config.RELATION_DIRECTIONS``: Label Studio 1.23 colours no type)."""
    from toolkit.labelstudio.config import RELATION_DIRECTIONS

    return {"type": "relation", "from_id": from_id, "to_id": to_id, "direction": RELATION_DIRECTIONS.get(label, "right"),
            "labels": [label]}


def build_result(article_id: str, text: str, quotes: Iterable[Quote], registry=None,
                 speaker_control: str = "Candidates", candidates: Iterable[str] | None = None) -> tuple[list[dict], list[str]]:
    """The prediction ``result`` list for one article, and warnings (e.g. a speaker with no span).

    ``speaker_control``: the project's speaker screen (``toolkit.labelstudio.config
    .speaker_control_of``): ``"Candidates"`` names a registry speaker in the candidate radio
    (:data:`names.SPEAKER_PICK`) when it is one of ``candidates`` (the task's
    ``speaker_candidates``), else like ``"Taxonomy"``, which writes the registry name as a
    ``taxonomy`` result; ``"Choices"`` (a project made before issue 18) as a ``choices`` result.
    One control per region: clicking another candidate is then the whole fix."""
    result: list[dict] = []
    warnings: list[str] = []
    seen_regions: set[str] = set()
    seen_relations: set[tuple[str, str, str]] = set()

    def add_region(start: int, end: int, label: str, score: float | None = None, claimed: str | None = None,
                   rule: str | None = None) -> str:
        rid = region_id(article_id, start, end, label)
        if rid not in seen_regions:
            seen_regions.add(rid)
            result.append(_region(rid, start, end, text, label, score, claimed, rule))
        return rid

    def add_relation(a: str, b: str, label: str) -> None:
        if (a, b, label) not in seen_relations:
            seen_relations.add((a, b, label))
            result.append(_relation(a, b, label))

    speaker_names: dict[str, tuple[int, int, str]] = {}
    for i, q in enumerate(quotes, start=1):
        qid = add_region(q.start, q.end, N.QUOTE, q.score, q.text, q.rule)
        if q.stance is not None:
            result.append(_per_region(qid, q.start, q.end, text, N.STANCE, "choices", [q.stance], q.text))
        if q.kind:
            result.append(_per_region(qid, q.start, q.end, text, N.KIND, "choices", [q.kind], q.text))
        has_span = q.speaker_start is not None and q.speaker_end is not None
        if has_span:
            sid = add_region(q.speaker_start, q.speaker_end, N.SPEAKER)
            add_relation(qid, sid, N.SAID_BY)
            if q.speaker:
                speaker_names.setdefault(sid, (q.speaker_start, q.speaker_end, q.speaker))
        elif q.speaker:
            warnings.append(
                f"article {article_id}, quote {i} (chars {q.start}-{q.end}): speaker {q.speaker!r} has no span "
                "in the text; pushed without a SPEAKER region"
            )
        else:
            result.append(_per_region(qid, q.start, q.end, text, N.QUOTE_FLAGS, "choices", [N.SPEAKER_UNKNOWN], q.text))
        if q.cue_start is not None and q.cue_end is not None:
            cid = add_region(q.cue_start, q.cue_end, N.CUE)
            add_relation(qid, cid, N.CUE_OF)
    offered = set(candidates or ()) if speaker_control == "Candidates" else set()
    for sid, (start, end, name) in speaker_names.items():
        canonical = _canonical(name, registry)
        if canonical is not None and canonical in offered:
            result.append(_per_region(sid, start, end, text, N.SPEAKER_PICK, "choices", [canonical]))
        elif canonical is not None:
            kind = "choices" if speaker_control == "Choices" else "taxonomy"
            result.append(_per_region(sid, start, end, text, N.SPEAKER_NAME, kind, [canonical]))
        else:
            result.append(_per_region(sid, start, end, text, N.SPEAKER_NEW, "textarea", [name]))
    return result, warnings


def _canonical(name: str, registry) -> str | None:
    if registry is None:
        return None
    sp = registry.get(name)
    return sp.name if sp is not None else None


def build_task(record: dict[str, Any], quotes: list[Quote] | None, mv: str, registry=None,
               speaker_control: str = "Candidates") -> BuiltTask:
    """A task for one article record; with ``quotes`` (possibly empty) it carries a prediction.

    For a project with the candidate list (``speaker_control`` ``"Candidates"``) the data's
    ``speaker_candidates`` are those the record already carries (a task's data, as the ML backend
    receives it: what the screen shows), else :func:`speaker_candidates`; an older project's
    config has no such list and its tasks no such key."""
    article_id = str(record["article_id"])
    task: dict[str, Any] = {"data": task_data(record)}
    candidates: list[str] | None = None
    if speaker_control == "Candidates":
        candidates = candidate_names(record)
        if candidates is None:
            candidates = speaker_candidates(record["text"], quotes or [], registry)
        task["data"][N.SPEAKER_CANDIDATES] = [{"value": name} for name in candidates]
    else:
        del task["data"][N.SPEAKER_CANDIDATES]
    warnings: list[str] = []
    if quotes is not None:
        result, warnings = build_result(article_id, record["text"], quotes, registry, speaker_control, candidates)
        figures = task_doubt(quotes)
        task["data"].update(figures)
        task["data"][N.REVIEW] = review_html(record["text"], quotes, registry)
        pred: dict[str, Any] = {"model_version": mv, "result": result, "score": round(1.0 - figures[N.DOUBT], 4)}
        task["predictions"] = [pred]
    return BuiltTask(article_id, task, warnings)


# --------------------------------------------------------------------------- validation


def _quote_no(result: list[dict], rid: str) -> str:
    n = 0
    for item in result:
        if item.get("type") == "labels" and N.QUOTE in item.get("value", {}).get("labels", []):
            n += 1
            if item.get("id") == rid:
                return f"quote {n}"
    return "region"


def validate_prediction(
    article_id: str,
    text: str,
    prediction: dict[str, Any],
    *,
    stance_labels: Iterable[str],
    speaker_names: Iterable[str],
    interface=None,
    candidates: Iterable[str] | None = None,
) -> list[str]:
    """Every problem of one prediction, as messages naming the article and the quote.

    Checks what Label Studio itself does not: offsets in range, ``value.text == text[start:end]``,
    known labels/choices, per-region results on a region of the right label, relation ends that
    exist and point QUOTE -> SPEAKER (said_by) or QUOTE -> CUE (cue). ``candidates``: the task's
    candidate speakers (:func:`candidate_names` of its data); None when the project has no
    candidate list, and then a candidate result is an error. ``interface`` (a
    ``LabelInterface``) adds the SDK's own check of labels, choices and relations (it does not
    check the options of dynamic choices: ``candidates`` does).
    """
    errors: list[str] = []
    result = prediction.get("result")
    if not isinstance(result, list):
        return [f"article {article_id}: prediction has no result list"]
    stance_ok, speakers_ok = set(stance_labels), set(speaker_names)
    regions: dict[str, str] = {}
    for item in result:
        if item.get("type") == "labels":
            labels = item.get("value", {}).get("labels") or []
            if item.get("id"):
                regions[item["id"]] = labels[0] if labels else ""

    def where(item: dict) -> str:
        rid = item.get("id") or item.get("from_id") or "?"
        v = item.get("value") or {}
        span = f" (chars {v.get('start')}-{v.get('end')} {str(v.get('text', ''))[:40]!r})" if "start" in v else ""
        return f"article {article_id}, {_quote_no(result, rid)} [{rid}]{span}"

    for item in result:
        kind = item.get("type")
        if kind == "relation":
            a, b, labels = item.get("from_id"), item.get("to_id"), item.get("labels") or []
            if a not in regions or b not in regions:
                missing = a if a not in regions else b
                errors.append(f"{where(item)}: relation {labels} points to region {missing!r}, which does not exist")
                continue
            if labels not in ([N.SAID_BY], [N.CUE_OF]):
                errors.append(f"{where(item)}: relation labels {labels} (expected [{N.SAID_BY!r}] or [{N.CUE_OF!r}])")
                continue
            want = N.SPEAKER if labels == [N.SAID_BY] else N.CUE
            if regions[a] != N.QUOTE or regions[b] != want:
                errors.append(f"{where(item)}: relation {labels[0]} must go from a QUOTE to a {want}, not {regions[a]} -> {regions[b]}")
            continue
        value = item.get("value")
        if not isinstance(value, dict):
            errors.append(f"{where(item)}: result item has no value")
            continue
        if item.get("to_name") != N.TEXT:
            errors.append(f"{where(item)}: to_name {item.get('to_name')!r} (expected {N.TEXT!r})")
        start, end = value.get("start"), value.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            errors.append(f"{where(item)}: offsets {start}-{end} out of range for a text of {len(text)} characters")
            continue
        if kind != "textarea" and value.get("text") != text[start:end]:  # a TextArea's value.text is typed names
            errors.append(f"{where(item)}: region text {value.get('text')!r} != text[{start}:{end}] {text[start:end]!r}")
        fn = item.get("from_name")
        if kind == "labels":
            labels = value.get("labels") or []
            if fn != N.LABELS or len(labels) != 1 or labels[0] not in N.REGION_LABELS:
                errors.append(f"{where(item)}: labels {labels} (from_name {fn!r}) not one of {list(N.REGION_LABELS)}")
            continue
        rid = item.get("id")
        owner = regions.get(rid)
        if owner is None:
            errors.append(f"{where(item)}: per-region {fn!r} refers to region {rid!r}, which does not exist")
            continue
        choices = value.get("choices") or []
        if fn == N.SPEAKER_NAME and kind == "taxonomy":
            paths = value.get("taxonomy")
            ok = isinstance(paths, list) and all(isinstance(p, list) and len(p) == 1 for p in paths)
            choices = [p[0] for p in paths] if ok else []
            if not ok or len(paths) != 1:
                errors.append(f"{where(item)}: {fn} needs value.taxonomy = [[name]] (one name), not {paths!r}")
        if fn == N.STANCE:
            expect, allowed, vals = N.QUOTE, stance_ok, choices
        elif fn == N.KIND:
            expect, allowed, vals = N.QUOTE, set(QUOTE_KINDS), choices
        elif fn == N.QUOTE_FLAGS:
            expect, allowed, vals = N.QUOTE, {N.SPEAKER_UNKNOWN}, choices
        elif fn == N.SPEAKER_NAME:
            expect, allowed, vals = N.SPEAKER, speakers_ok, choices
        elif fn == N.SPEAKER_PICK and candidates is not None:
            expect, allowed, vals = N.SPEAKER, set(candidates), choices
            if kind != "choices" or len(choices) != 1:
                errors.append(f"{where(item)}: {fn} needs value.choices = [name] (one candidate), not {choices!r}")
        elif fn == N.SPEAKER_NEW:
            texts = value.get("text")
            expect, allowed, vals = N.SPEAKER, None, texts
            if not (isinstance(texts, list) and texts and all(isinstance(t, str) and t.strip() for t in texts)):
                errors.append(f"{where(item)}: {N.SPEAKER_NEW} needs a non-empty list of names in value.text")
        else:
            why = " (this project's config has no candidate list)" if fn == N.SPEAKER_PICK else ""
            errors.append(f"{where(item)}: unknown from_name {fn!r}{why}")
            continue
        if owner != expect:
            errors.append(f"{where(item)}: {fn!r} belongs on a {expect} region, not on {owner or 'an unlabelled region'}")
        if allowed is not None:
            bad = [v for v in (vals or []) if v not in allowed]
            if bad or not vals:
                errors.append(f"{where(item)}: {fn} value {bad or vals} not one of {sorted(allowed)}")
    if interface is not None and not errors:
        sdk_errors = interface.validate_prediction({"result": result}, return_errors=True)
        if sdk_errors is not True and sdk_errors:
            errors += [f"article {article_id}: Label Studio config check: {e}" for e in sdk_errors]
    return errors


def label_interface(config_xml: str):
    """The SDK's offline ``LabelInterface`` for ``config_xml``."""
    from label_studio_sdk.label_interface import LabelInterface

    return LabelInterface(config_xml)
