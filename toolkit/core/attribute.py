"""Orchestration only: a spaCy Doc in, a list of :class:`~toolkit.types.Quote` out.

Steps (each lives in its own module):

1. :func:`toolkit.core.quotes.find_quotations` pairs quotation marks;
2. :func:`toolkit.core.cues.find_cues` finds cues outside quotations;
3. :func:`toolkit.core.frames.read_frames` reads speaker + content around each cue, and
   :func:`toolkit.core.frames.line_frames` reads whole-line attributions (``NAME: ...``,
   ``“...” ― Name``); :func:`drop_channel_frames` removes relays ("according to agency reports");
4. frames become quotes here: content that is one quotation -> ``direct``; content holding a
   quotation -> ``mixed``; else ``indirect``. Quotations left over are continuations of the
   previous direct quote (same or next paragraph), else attributed to the next quote of the
   paragraph, else the words of a speech act of their sentence ("threatened ... “a coup”");
   short unattributed ones and titles in quotation marks (:func:`is_title`) are not proposed;
5. :class:`toolkit.core.speakers.SpeakerResolver` resolves mentions in text order, with the
   registry names in sentence-subject position as antecedents for pronouns and role nouns;
6. :func:`toolkit.core.stance.propose_stance` proposes a stance.

``score`` combines the frame's and the speaker resolution's confidence; ``rule`` is
``"<frame pattern>+<resolution step>"`` so annotators can sort and filter by doubt.

Limits: one sentence of context for indirect speech (no clause spanning sentences), no real
coreference (nearest compatible antecedent), stance is a lexical proposal. Runs in time linear
in the text length (bounded windows, bisect lookups, clauses capped at 1,500 characters).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace

from toolkit.config import Registry, StanceScheme
from toolkit.core import doc_text, has
from toolkit.core.cues import Cue, CueLexicon, find_cues
from toolkit.core.frames import PRONOUNS, Frame, person_like_noun, body_before_place, colon_frames, perspective_frames, position_frames, subordinate_report_end, dateline_spans, name_across_and, has, judgement_frames, line_frames, name_in_apposition, np_left, possessor_of_channel, read_frames, sentence_bounds, sentence_spans, speaker_left, split_at_line_breaks, sentence_subjects, split_at_datelines, tidy_speaker
from toolkit.core.quotes import Quotation, find_quotations
from toolkit.core.speakers import MentionLexicon, Resolution, SpeakerResolver, aged_names, bare_name, described_subject, implausible_mention, strip_titles, titled_name, without_article
from toolkit.core.stance import StanceLexicon, propose_stance, side_from_mention, speaker_context
from toolkit.types import Quote


@dataclass(frozen=True)
class Lexicons:
    """The data the heuristics run on (``configs/cues.yaml``, ``mentions.yaml``, ``stance_signals.yaml``)."""

    cues: CueLexicon
    mentions: MentionLexicon
    stance: StanceLexicon


@dataclass
class Options:
    min_direct_words: int = 4  # shorter unattributed quotations are terms or scare quotes
    fuzzy_threshold: float = 85.0
    unattributed: bool = False  # propose long quotations with no speaker at all (low score)


@dataclass
class _Draft:
    start: int
    end: int
    kind: str
    frame: Frame | None
    score: float
    pattern: str
    source: "_Draft | None" = None  # continuation: speaker copied from this draft
    quotations: list[Quotation] = field(default_factory=list)
    resolution: Resolution | None = None
    mention: tuple[int, int] | None = None  # chars


def attribute(doc, registry: Registry, stance_scheme: StanceScheme | None, lexicons: Lexicons, options: Options | None = None, warnings: list[str] | None = None, date: str | None = None) -> list[Quote]:
    """Quotes of ``doc`` in text order; unbalanced-mark warnings are appended to ``warnings``.
    ``date``: the article's date (``YYYY-MM-DD`` or a prefix), for the speaker's side on that
    date (:meth:`~toolkit.config.Registry.affiliation`: a defector's former party); ``None``: the
    registry's plain affiliation."""
    return [Quote(**d) for d in attribute_dicts(doc, registry, stance_scheme, lexicons, options, warnings, date)]


def attribute_dicts(doc, registry: Registry, stance_scheme: StanceScheme | None, lexicons: Lexicons, options: Options | None = None, warnings: list[str] | None = None, date: str | None = None) -> list[dict]:
    """:func:`attribute` with each quote as the plain dict of :meth:`Quote.to_dict` (what the
    pipeline component stores and writes: no Quote object is made)."""
    opts = options or Options()
    text = doc_text(doc)
    scan = find_quotations(text)
    if warnings is not None:
        warnings.extend(f"char {off}: {msg}" for off, msg in scan.warnings)
    owner = _quotation_index(text, scan.quotations)

    def quotation_at(char: int) -> Quotation | None:
        if 0 <= char < len(owner) and owner[char] >= 0:
            return scan.quotations[owner[char]]
        return None

    cues = find_cues(doc, lexicons.cues, blocked=lambda tok: owner[tok.idx] >= 0)
    datelines = dateline_spans(text)
    sents = split_at_line_breaks(doc, split_at_datelines(doc, sentence_spans(doc), datelines))
    bounds = sentence_bounds(doc, sents)
    frames = read_frames(doc, cues, lexicons.cues, quotation_at, bounds) + line_frames(doc, quotation_at, lexicons.mentions.label_stop) + judgement_frames(doc, lexicons.cues, bounds, quotation_at)
    frames = [subordinate_report_end(doc, text, f, bounds) for f in frames]
    frames += verbless_frames(doc, frames, lexicons, bounds, quotation_at)
    if datelines:  # "KUALA LUMPUR: ..." is no speaker label
        frames = [f for f in frames if not (f.pattern == "speaker_label" and any(a <= doc[f.speaker[0]].idx < b for a, b in datelines))]
    frames = drop_channel_frames(doc, frames, bounds, lexicons.cues.recipient, lexicons.cues.anonymity, lexicons.mentions.description_words)
    frames = tidy_speakers(doc, frames, bounds, registry, lexicons)
    drafts = _drafts_from_frames(doc, frames, scan.quotations, quotation_at)
    drafts += _leftover_quotations(text, scan.quotations, drafts, opts)
    drafts += _introduced_quotations(text, scan.quotations, drafts, opts, lexicons.mentions)
    fragments = _quoted_fragments(doc, scan.quotations, drafts, lexicons.cues, opts, bounds)
    for d in fragments:
        d.frame = tidy_speakers(doc, [d.frame], bounds, registry, lexicons)[0]
    drafts += fragments
    drafts = [d for d in drafts if not (d.kind == "direct" and is_title(text[d.start : d.end]))]
    drafts.sort(key=lambda d: (d.start, d.end))
    _resolve_speakers(doc, drafts, registry, lexicons.mentions, opts, inside=lambda c: owner[c] >= 0, sents=sents, not_names=lexicons.cues.mention_time_any, date=date)
    return [_to_quote(doc, text, d, registry, stance_scheme, lexicons.stance, date) for d in drafts]


def verbless_frames(doc, frames: list[Frame], lexicons: Lexicons, bounds, quotation_at) -> list[Frame]:
    """Attributions without a speech verb (:func:`toolkit.core.frames.perspective_frames`: "In
    his view, S", "For X, S"; :func:`toolkit.core.frames.colon_frames`: "X put it plainly:
    “...”") whose content no frame of a cue already holds.

    >>> # 'Sok Eysan said: “No.”' -> the cue's frame only; 'Sok Eysan put it plainly: “No.”' -> a colon frame
    """
    taken = [(f.start, f.end) for f in frames]

    def free(f: Frame) -> bool:
        return not any(a <= f.start < b or f.start <= a < f.end for a, b in taken)

    role_nouns = frozenset(n.split()[-1] for n in lexicons.mentions.role_nouns)
    new = perspective_frames(doc, lexicons.cues, bounds, quotation_at, lambda sp: _entity_is(doc, sp, ("PERSON",)))
    new += position_frames(doc, lexicons.cues, bounds, quotation_at)
    new += colon_frames(doc, lexicons.cues, bounds, quotation_at, role_nouns, lambda sp: _entity_is(doc, sp, ("PERSON", "ORG", "NORP", "GPE")), lexicons.mentions.description_words)
    return [f for f in new if free(f)]


#: Frame patterns whose speaker is not read around a cue by the mention readers (whole-line
#: labels and dash signatures): their names are taken as they are.
_LINE_PATTERNS = frozenset(("speaker_label", "dash_quote"))


def tidy_speakers(doc, frames: list[Frame], bounds, registry: Registry, lexicons: Lexicons) -> list[Frame]:
    """Each frame with its speaker mention trimmed to the speaker (:func:`toolkit.core.frames.tidy_speaker`:
    no time expression, place, other-script words, symbols or filler words before the name; a
    channel's owner, not the channel: :func:`toolkit.core.frames.possessor_of_channel`)."""
    out = frames
    for n, f in enumerate(frames):
        if f.speaker is None or f.pattern in _LINE_PATTERNS:
            continue
        span = tidy_speaker(doc, f.speaker, bounds[f.speaker[0]][0], lexicons.cues, lexicons.mentions.description_words, lambda t: registry.get(t) is not None)
        span = body_before_place(doc, span, bounds[f.speaker[0]][0], lexicons.mentions.body_nouns)
        span = name_across_and(doc, span, bounds[f.speaker[0]][0], lambda t: registry.get(t) is not None)
        span = possessor_of_channel(doc, span, lexicons.mentions.channel_nouns)
        if span[0] > f.cue.start or f.pattern.startswith("participle"):  # "said the group’s director, Phorn Dara" / "The Thai envoy, Somsak Noi, ..., writing that"
            span = name_in_apposition(doc, span, bounds[f.speaker[0]][1]) or span
        if span != f.speaker:
            if out is frames:
                out = list(frames)
            out[n] = replace(f, speaker=span)
    return out


_SMALL_WORDS = frozenset("a an the of in on at for to and or but is are with by from as vs".split())


def is_title(content: str) -> bool:
    """A name or title in quotation marks ("Everything But Arms", "Rivers of Gold", "A Song For
    The River,"), not a quote: up to 8 words, (nearly) every content word capitalised.

    >>> is_title("Everything But Arms"), is_title("We will not allow it.")
    (True, False)
    """
    words = [w.strip(".,;:!?’'\"()[]") for w in content.split()]
    words = [w for w in words if w]
    if not words or len(words) > 8 or content.rstrip().endswith(("?", "!")):
        return False
    if len(words) > 1 and content.rstrip().endswith(".") and not words[-1][:1].isupper():
        return False
    content_words = [w for w in words if w.lower() not in _SMALL_WORDS]
    if not content_words:
        return False
    caps = sum(1 for w in content_words if w[:1].isupper())
    if len(words) == 1:  # "“No,” he said." is a quote; a bare “Arrogant” is a title
        return words[0][:1].isupper() and len(words[0]) > 1 and content.strip()[-1:].isalnum()
    return caps / len(content_words) >= 0.75


def drop_channel_frames(doc, frames: list[Frame], bounds: list[tuple[int, int]] | None = None, recipient: frozenset[str] = frozenset(), anonymity: tuple[str, ...] = (), source_words: frozenset[str] | None = None) -> list[Frame]:
    """Drop frames that only relay another attribution.

    - "CONTENT, according to X" / "CONTENT, X said" whose content holds another cue: X is the
      reporting channel ("Prayut said ..., according to agency reports");
    - a belief cue inside another reported clause ("According to Mu Sochua, the CNRP wants ...");
    - "which explains why ...": a relative "which" as the speaker of a non-that clause;
    - a relayed report (the conventions): "X said Y had told her by phone that S" is S, spoken
      by Y; X only passes it on. The frame of X is dropped when its clause opens with the
      speaker of a cue of ``recipient`` (told, assured, informed) that has a clause of its own;
    - the anonymity formula ("who asked that his name not be used"): a short clause holding one
      of the ``anonymity`` phrases;
    - evidence inside another report (:func:`_evidence_inside_report`, with ``source_words``).
    """
    cue_chars = sorted(doc[f.cue.start].idx for f in frames if f.cue.cls == "speech")
    bounds = bounds if bounds is not None else sentence_bounds(doc)
    by_sentence: dict[int, list[Frame]] = {}
    for f in frames:
        by_sentence.setdefault(bounds[f.cue.start][0], []).append(f)
    text = doc_text(doc)

    def text_of(f: Frame) -> str:
        return text[f.start : f.end]

    nested_evidence = source_words is not None
    relayed = {doc[g.speaker[0]].idx for g in frames if g.speaker is not None and g.cue.lemma in recipient and g.speaker[1] <= g.cue.start and _told_whom(doc, g)}
    out = []
    for f in frames:
        if relayed and f.pattern.startswith("preposed") and f.speaker is not None and doc[f.speaker[0]].idx != f.start and _relays(text, f.start, relayed):
            continue  # "X said [Y had told her that S]": Y's frame holds S
        if nested_evidence and _evidence_inside_report(doc, f, frames, source_words):
            continue  # "X said the transfer of power showed that ...": part of X's report
        if nested_evidence and thing_infers(doc, f, source_words):
            continue  # "The early signs suggest he ...": the journalist's inference, no source
        if anonymity and (len(text_of(f)) < 80 and any(a in text_of(f).lower() for a in anonymity) or anonymity_after_cue(text, doc[f.cue.start].idx, anonymity)):
            continue  # "who asked that his name not be used", "who asked not to be named": the anonymity formula
        if f.speaker is not None and f.speaker[1] - f.speaker[0] == 1 and doc[f.speaker[0]].lower_ == "which" and not f.pattern.endswith("_that") and not source_relative(doc, f):
            continue  # "..., which perhaps explains why ...": the narrator's comment
        if f.pattern in ("according_to", "according_to_post", "postposed"):
            own = doc[f.cue.start].idx
            k = bisect.bisect_left(cue_chars, f.start)
            if any(c != own for c in cue_chars[k : bisect.bisect_left(cue_chars, f.end)]):
                continue
        if f.cue.cls == "belief" and any(
            g is not f and g.start <= doc[f.cue.start].idx < g.end and not g.pattern.endswith("_quote")
            for g in by_sentence.get(bounds[f.cue.start][0], ())
        ):
            continue  # "Sok Eysan said the CPP believed ...": part of what is reported
        out.append(f)
    return out


#: Speech verbs whose relative "which" subject is a source, not the narrator ("LICADHO, which
#: says compensation rates have not been published").
_SOURCE_RELATIVE_CUES = frozenset("say claim insist argue allege warn state maintain contend report estimate".split())


def source_relative(doc, f: Frame) -> bool:
    """Is the relative "which" of ``f`` a named body reporting ("according to the rights group
    LICADHO, which says S")? The cue is a plain speech verb right after "which" and a
    capitalised name stands before its comma; "..., which perhaps explains why ..." stays the
    narrator's comment.

    >>> # "according to the group LICADHO, which says rates have not been published" -> True
    """
    w = f.speaker[0]
    return f.cue.lemma in _SOURCE_RELATIVE_CUES and f.cue.start == w + 1 and w >= 2 and doc[w - 1].text == "," and doc[w - 2].text[:1].isupper()


def anonymity_after_cue(text: str, cue_char: int, anonymity: tuple[str, ...]) -> bool:
    """Does an anonymity phrase follow the cue of a relative "who" at once ("who asked not to be
    named", "who spoke on condition of anonymity")? Then the cue is the source's condition, not a report,
    whatever the frame reads as its content (a postposed reading takes the noun before "who").

    >>> t = "A diplomat, who asked not to be named, said no."
    >>> anonymity_after_cue(t, t.index("asked"), ("not to be named",))
    True
    >>> t = "An official said on condition of anonymity that he would resign."
    >>> anonymity_after_cue(t, t.index("said"), ("anonymity",))
    False
    """
    if not text[max(0, cue_char - 5) : cue_char].rstrip().lower().endswith("who"):
        return False  # "an official said on condition of anonymity that S" is a report
    return any(a in text[cue_char : cue_char + 50].lower() for a in anonymity)


#: Cues whose subject is often a thing, not a source: "the figures show that", "the report found".
_EVIDENCE_CUES = frozenset("show prove demonstrate mean".split())
#: Things that are sources in their own right ("some reports suggest", "documents seen by X show")
_SOURCE_THINGS = frozenset(
    "report reports document documents source sources poll polls survey surveys study studies statement statements letter letters records memo data"
    " slide slides story stories chart charts graph graphs map maps video videos footage article articles book books email emails tweet tweets"
    " cable cables transcript transcripts recording recordings photo photos picture pictures analysis analyses review audit"
    " investigation findings ruling judgment judgement verdict indictment complaint lawsuit filing filings".split()
)


def _evidence_inside_report(doc, f: Frame, frames: list[Frame], source_words: frozenset[str]) -> bool:
    """Is ``f`` a thing's evidence inside another frame's reported clause ("Wang said [the
    transfer of power showed that Cambodia was stable]")? Its cue is an evidence verb, its
    speaker a lower-case noun phrase whose head is no person, body or group noun
    (``source_words``) nor a pronoun; it is part of the outer report, not a quote of its own."""
    if f.cue.lemma not in _EVIDENCE_CUES or f.speaker is None:
        return False
    first, head = doc[f.speaker[0]], doc[f.speaker[1] - 1]
    if not first.text[:1].islower() or not head.text[:1].islower() or head.lower_ in source_words or head.lower_ in PRONOUNS or head.lower_ in _SOURCE_THINGS:
        return False
    at = doc[f.cue.start].idx
    return any(g is not f and g.speaker is not None and g.start <= at < g.end for g in frames)


#: Verbs of inference: with a thing as subject, the journalist's reading, not a source's words
_INFERENCE_CUES = frozenset("suggest show indicate mean prove demonstrate reveal tell".split())
#: "X, Y and Z all suggested": a quantifier after the names is no thing
_QUANTIFIER_HEADS = frozenset("all both each some many most several few others".split())
def thing_infers(doc, f: Frame, source_words: frozenset[str]) -> bool:
    """Is ``f`` an inference with a thing as subject ("The early signs suggest he would stay",
    "Turnout tells you that voters are afraid", "The figures tell their own story: S")? Its cue
    is an inference verb (for "tell", only with a generic "you"/"us" or a thing told), its speaker a noun phrase with no name whose head is a lower-case
    noun that names no person, body or group (``source_words``, :func:`person_like_noun`) and
    no source thing ("a poll suggests" is kept: a poll is a source).

    >>> # "The early signs suggest he would stay" -> True; "Villagers suggest the dam ..." -> False
    """
    if f.cue.lemma not in _INFERENCE_CUES or f.speaker is None or f.speaker[1] > f.cue.start:
        return False
    if f.cue.lemma == "tell" and (f.cue.end >= len(doc) or doc[f.cue.end].lower_ not in ("you", "us", "their", "its", "a", "the", "this", "another")):
        return False  # "tells you that", "tell their own story:"; not "told reporters"
    toks = doc[f.speaker[0] : f.speaker[1]]
    head = toks[-1]
    if not head.is_alpha or not head.text[:1].islower() or head.lower_ in source_words or head.lower_ in PRONOUNS or head.lower_ in _SOURCE_THINGS or head.lower_ in _QUANTIFIER_HEADS:
        return False
    if any(t.text[:1].isupper() for t in toks[1:]):
        return False  # a name in it: "the CNRP’s figures"
    return not person_like_noun(head.text)


def _relays(text: str, start: int, tellers: set[int]) -> bool:
    """Does a clause starting at ``start`` open with a teller of ``tellers`` (char starts), at
    most a few words of description before the name ("his colleague Ny Sokha had told him")?"""
    for t in tellers:
        if 0 <= t - start <= 30 and not re.search(r"[^\w\s’'-]", text[start:t]) and len(text[start:t].split()) <= 3:
            return True
    return False


def _told_whom(doc, g: Frame) -> bool:
    """Is ``g`` "Y told her/him/Name (by phone ...) that S" (a that- or zero-clause after a
    pronoun or named addressee), the inner report of a relay? Not "tells so many lies that"."""
    k = g.cue.end
    return g.pattern in ("preposed_that", "preposed_zero") and k < len(doc) and (doc[k].lower_ in ("her", "him", "them", "us", "me") or doc[k].text[:1].isupper())


def _quotation_index(text: str, quotations: list[Quotation]) -> list[int]:
    """For each char, the index of the quotation whose marks enclose it, else -1 (linear)."""
    owner = [-1] * (len(text) + 1)
    for k, q in enumerate(quotations):
        end = max(q.outer_end, q.end)
        if end > q.open:
            owner[q.open : end] = [k] * (end - q.open)
    return owner


def _drafts_from_frames(doc, frames: list[Frame], quotations, quotation_at) -> list[_Draft]:
    text = doc_text(doc)
    direct: dict[int, _Draft] = {}
    spans: dict[tuple[int, int], _Draft] = {}
    cut_points = sorted(_attribution_start_char(doc, f) for f in frames)
    opens = [q.open for q in quotations]  # quotations are sorted by their opening mark
    for f in frames:
        if f.pattern.endswith("_quote"):
            q = quotation_at(f.start)
            d = _Draft(f.start, f.end, "direct", f, f.score, f.pattern, quotations=[q] if q else [])
            old = direct.get(f.start)
            if old is None or old.score < d.score:
                direct[f.start] = d
            continue
        s, e = f.start, _cut_at_next_attribution(text, f.start, f.end, cut_points)
        if e - s < (4 if f.pattern.startswith("judgement") else 8):
            continue  # a judgement may be one word: "seen by many diplomats as overdue"
        k = bisect.bisect_left(opens, s - 1)
        inside = []
        while k < len(quotations) and quotations[k].open < e:
            q = quotations[k]
            if s <= q.open < e or s <= q.start < e:
                inside.append(q)
            k += 1
        q0 = quotation_at(s)
        if q0 is not None and q0.start <= s + 1 and q0.end >= e - 2 and q0 in inside and len(inside) == 1:
            d = _Draft(q0.start, q0.end, "direct", f, f.score, f.pattern + "_quote", quotations=[q0])
            if q0.start not in direct or direct[q0.start].score < d.score:
                direct[q0.start] = d
            continue
        kind = "mixed" if inside else "indirect"
        e2 = max([e] + [q.outer_end for q in inside if q.outer_end <= e + 2])
        d = _Draft(s, e2, kind, f, f.score, f.pattern, quotations=inside)
        old = spans.get((s, e2))
        if old is None or old.score < d.score:
            spans[(s, e2)] = d
    out = list(direct.values())
    used = {q.open for d in out for q in d.quotations}
    # a mixed quote whose quotation is also a direct quote of another frame: keep the direct one
    for d in spans.values():
        if d.kind == "mixed" and all(q.open in used for q in d.quotations) and _only_quotations(text, d):
            continue
        out.append(d)
    return out


def _only_quotations(text: str, d: _Draft) -> bool:
    """Is the draft's content nothing but its quotations (and punctuation)?"""
    rest = text[d.start : d.end]
    for q in sorted(d.quotations, key=lambda q: -q.open):
        a, b = q.open - d.start, max(q.outer_end, q.end) - d.start
        rest = rest[: max(a, 0)] + rest[max(b, 0) :]
    return not re.search(r"\w", rest)


def _attribution_start_char(doc, f: Frame) -> int:
    """Where the attribution of ``f`` starts: its speaker when right before the cue, else the cue."""
    first = f.cue.start
    if f.speaker is not None and f.speaker[1] <= f.cue.start and f.cue.start - f.speaker[1] <= 3:
        first = f.speaker[0]
    return doc[first].idx


#: What may stand between a clause and the next attribution that ends it.
#: A comma may sit inside a closing quotation mark: `... because “they lost,” she said`.
#: ", a figure it described as ...": an appositive noun phrase holding the next attribution.
_BEFORE_ATTRIBUTION = re.compile(r"(?:,[”’\"»]*|,?\s+(?:and|but|though|although|while|whereas|as|because)|,\s+(?:a|an|the)\s+[a-z][\w-]*)$")


def _cut_at_next_attribution(text: str, start: int, end: int, cut_points: list[int]) -> int:
    """End a clause before another attribution that follows a comma ("..., adding that")."""
    k = bisect.bisect_right(cut_points, start)
    while k < len(cut_points) and cut_points[k] < end:
        c = cut_points[k]
        before = text[start:c].rstrip()
        m = _BEFORE_ATTRIBUTION.search(before)
        if m is not None and m.start() > 8:
            return start + len(before[: m.start()].rstrip(" ,"))
        k += 1
    return end


def _covered_mask(text: str, drafts: list[_Draft]) -> bytearray:
    """1 for every char inside an indirect or mixed draft (their quotations are not leftovers)."""
    mask = bytearray(len(text) + 1)
    for d in drafts:
        if d.kind != "direct":
            mask[d.start : d.end] = b"\x01" * (d.end - d.start)
    return mask


#: A continuation quote must start within this many chars of the previous quote's end.
CONTINUATION_REACH = 2000


def _ends_with_quotation(d: _Draft) -> bool:
    """A mixed quote closed by its quotation and a postposed attribution ("X is “a real
    unknown,” said Y"): a quotation after it continues the speaker's words, as after a direct
    quote. (Other mixed quotes are too often followed by someone else's quotation.)"""
    return d.kind == "mixed" and d.pattern == "postposed_mixed" and any(q.close is not None and max(q.outer_end, q.end) >= d.end for q in d.quotations)


def _leftover_quotations(text: str, quotations: list[Quotation], drafts: list[_Draft], opts: Options) -> list[_Draft]:
    """Quotations no frame took: continuations, next-quote attribution, or nothing."""
    used = {q.open for d in drafts for q in d.quotations}
    covered = _covered_mask(text, drafts)
    direct = sorted((d for d in drafts if d.kind == "direct" or _ends_with_quotation(d)), key=lambda d: d.end)
    ends = [d.end for d in direct]
    by_start = sorted((d for d in direct if d.frame is not None), key=lambda d: d.start)
    starts = [d.start for d in by_start]
    out: list[_Draft] = []
    by_open = {q.open: d for d in drafts if d.kind == "direct" and d.frame is not None for q in d.quotations}
    for n, q in enumerate(quotations):
        if q.open in used or covered[q.open]:
            continue
        n_words = len(text[q.start : q.end].split())
        if n_words < opts.min_direct_words:
            continue
        if is_pull_quote(text, q, quotations):
            continue
        k = bisect.bisect_right(ends, q.open)
        prev = direct[k - 1] if k else None
        if out and out[-1].end <= q.open and (prev is None or out[-1].end > prev.end):
            prev = out[-1]
        p_start = text.rfind("\n", max(0, q.open - CONTINUATION_REACH), q.open) + 1
        closer = paragraph_chain_end(quotations, n) if not text[p_start : q.open].strip() else None
        if prev is not None and q.open - prev.end <= CONTINUATION_REACH:
            between = text[prev.end : q.open]
            same_par = "\n" not in between
            par_initial = not text[p_start : q.open].strip()
            prev_par_end = text.find("\n", prev.end, prev.end + CONTINUATION_REACH)
            prev_par_end = min(len(text), prev.end + CONTINUATION_REACH) if prev_par_end < 0 else prev_par_end
            tail = text[prev.end : prev_par_end]
            next_par = par_initial and between.count("\n\n") <= 1 and between.strip("\n ").count("\n") == 0 and len(tail) < 80
            if same_par or next_par:
                d = _Draft(q.start, q.end, "direct", None, 0.7 if same_par else 0.6, "continuation", source=prev, quotations=[q])
                out.append(d)
                continue
        if closer is not None and closer.open in by_open:  # “A ... (no closing mark) / “B,” he said.
            out.append(_Draft(q.start, q.end, "direct", None, 0.65, "open_paragraph", source=by_open[closer.open], quotations=[q]))
            continue
        j = bisect.bisect_right(starts, q.end)
        nxt = by_start[j] if j < len(by_start) else None
        if nxt is not None and nxt.start - q.end <= CONTINUATION_REACH and "\n" not in text[q.end : nxt.start]:
            out.append(_Draft(q.start, q.end, "direct", None, 0.55, "next_quote", source=nxt, quotations=[q]))
            continue
        if opts.unattributed and not text[p_start : q.open].strip():
            out.append(_Draft(q.start, q.end, "direct", None, 0.25, "unattributed", quotations=[q]))
    return out


_INTRO_NAME = re.compile(r"(?:[A-Z][^,.;:!?“”\"\n]{0,60}, )?(?P<name>[A-Z][\w’'\-]+(?:[ \t]+[A-Z][\w’'\-]+){1,3})(?=,|[ \t]+[a-z])")
_PERSONAL_WORD = re.compile(r"\b(?:[Hh]e|[Ss]he|[Hh]is|[Hh]er|him)\b")


def introduced_speaker(paragraph: str, lex: MentionLexicon) -> tuple[int, int] | None:
    """The person a narrative paragraph introduces before a quotation that has no attribution
    (features: "Sok Chanthy was 24 when she joined the strike." / "His brother, Keo Vanna,
    remembers the night." then “...”): the name that opens its first sentence (after a
    description and a comma), when the paragraph has no quotation mark and speaks of the person
    with he/she (so no place or body). ``(start, end)`` in ``paragraph``, else None.

    >>> introduced_speaker("His brother, Keo Vanna, remembers the night he was taken.", MentionLexicon())
    (13, 22)
    >>> introduced_speaker("Phnom Penh was quiet on Monday.", MentionLexicon()) is None
    True
    """
    if any(c in paragraph for c in "“”\"") or not _PERSONAL_WORD.search(paragraph):
        return None
    m = _INTRO_NAME.match(paragraph)
    if m is None:
        return None
    words = m.group("name").split()
    if any(w.lower() in lex.titles or w.lower() in lex.body_nouns for w in words):
        return None
    return m.start("name"), m.end("name")


def _introduced_quotations(text: str, quotations: list[Quotation], drafts: list[_Draft], opts: Options, lex: MentionLexicon) -> list[_Draft]:
    """Quotations still without a draft that open the paragraph right after a narrative paragraph
    introducing a person (:func:`introduced_speaker`), and the paragraphs that continue them
    (:func:`paragraph_chain_end`): that person's words, pattern ``introduced`` (score 0.4, a
    reading to check). The speaker's mention is the name in the paragraph before; no cue."""
    used = {q.open for d in drafts for q in d.quotations}
    covered = _covered_mask(text, drafts)
    out: list[_Draft] = []
    head: _Draft | None = None
    for n, q in enumerate(quotations):
        if q.open in used or covered[q.open]:
            head = None
            continue
        p_start = text.rfind("\n", 0, q.open) + 1
        if text[p_start : q.open].strip():
            head = None
            continue
        if head is not None and n > 0 and quotations[n - 1].continues and quotations[n - 1].open in {x.open for x in head.quotations} | {x.open for d in out for x in d.quotations}:
            out.append(_Draft(q.start, q.end, "direct", None, 0.4, "introduced", source=head, quotations=[q]))
            continue
        head = None
        if len(text[q.start : q.end].split()) < opts.min_direct_words:
            continue
        before = text[:p_start].rstrip()
        par_start = before.rfind("\n") + 1
        found = introduced_speaker(before[par_start:], lex)
        if found is None:
            continue
        d = _Draft(q.start, q.end, "direct", None, 0.4, "introduced", quotations=[q])
        d.mention = (par_start + found[0], par_start + found[1])
        out.append(d)
        head = d
    return out


def paragraph_chain_end(quotations: list[Quotation], n: int) -> Quotation | None:
    """The quotation that closes the multi-paragraph quotation ``quotations[n]`` opens: a
    paragraph that opens a quotation and does not close it is continued by the quotation that
    opens the next paragraph (the typographic convention), and so on until one closes. None when
    ``quotations[n]`` is closed. Its attribution ("“B,” he said.") is the whole chain's.

    >>> from toolkit.core.quotes import find_quotations
    >>> qs = find_quotations("“We sat on the road.\\n\\n“Then they shot,” she said.").quotations
    >>> paragraph_chain_end(qs, 0) is qs[1]
    True
    """
    k = n
    while k < len(quotations) and quotations[k].continues:
        k += 1
    return quotations[k] if k > n and k < len(quotations) else None


def is_pull_quote(text: str, q: Quotation, quotations: list[Quotation]) -> bool:
    """A paragraph that is only a quotation repeating words of another quotation of the article
    (a pull quote set in the page: “Your office belongs to the people”) is page furniture, no
    second quote.

    >>> from toolkit.core.quotes import find_quotations
    >>> t = "“Your office belongs to the people of your commune,” he said.\\n\\n“Your office belongs to the people”\\n"
    >>> qs = find_quotations(t).quotations
    >>> is_pull_quote(t, qs[1], qs), is_pull_quote(t, qs[0], qs)
    (True, False)
    """
    p0 = text.rfind("\n", 0, q.open) + 1
    p1 = text.find("\n", q.outer_end)
    p1 = len(text) if p1 < 0 else p1
    if text[p0 : q.open].strip() or text[q.outer_end : p1].strip(" \t.”\""):
        return False
    words = " ".join(text[q.start : q.end].split()).rstrip(".,!?").casefold()
    return bool(words) and any(o is not q and words in " ".join(text[o.start : o.end].split()).casefold() for o in quotations)


_NAMING_VERBS = ("call", "label", "brand", "dub", "term", "describ")


def _quoted_fragments(doc, quotations: list[Quotation], drafts: list[_Draft], lex: CueLexicon, opts: Options, bounds) -> list[_Draft]:
    """A short quotation after a speech act of the same sentence is its subject's words.

    "The authority threatened airlines ... for supporting “a coup d’état”" -> direct quote of the
    authority. Short quotations with no speech act before them (titles, scare quotes) stay out.
    """
    text = doc_text(doc)
    used = {q.open for d in drafts for q in d.quotations}
    covered = _covered_mask(text, drafts)
    tagged = has(doc, "TAG")
    out: list[_Draft] = []
    for q in quotations:
        if q.open in used or q.close is None or covered[q.open]:
            continue
        if len(text[q.start : q.end].split()) >= opts.min_direct_words:
            continue
        span = doc.char_span(q.open, q.open + 1, alignment_mode="expand")
        if span is None:
            continue
        sent_start = bounds[span[0].i][0]
        for i in range(span[0].i - 1, max(sent_start, span[0].i - 25) - 1, -1):
            tok = doc[i]
            if lex.speech_act(tok, tagged) and tok.lower_.endswith("ed"):
                speaker = speaker_left(doc, i, sent_start, lex)
                if speaker is not None:
                    naming = tok.lower_.startswith(_NAMING_VERBS) or any(t.lower_ == "as" for t in doc[i + 1 : span[0].i])
                    if naming:  # "called X “Y”", "condemned X as “Y”": the small clause, mixed
                        start = doc[i + 1].idx
                        if out and out[-1].pattern == "small_clause_fragment" and out[-1].start == start:
                            # "called Trump a “liar” who is “amoral,” a “bully”": one small clause
                            last = out[-1]
                            last.end = q.outer_end
                            last.quotations.append(q)
                            last.frame = replace(last.frame, end=q.outer_end)
                            break
                        frame = Frame(Cue(i, i + 1, tok.lower_, "speech_act"), speaker, start, q.outer_end, "small_clause_fragment", 0.5)
                        out.append(_Draft(start, q.outer_end, "mixed", frame, 0.5, "small_clause_fragment", quotations=[q]))
                    else:
                        frame = Frame(Cue(i, i + 1, tok.lower_, "speech_act"), speaker, q.start, q.end, "quoted_fragment", 0.45)
                        out.append(_Draft(q.start, q.end, "direct", frame, 0.45, "quoted_fragment", quotations=[q]))
                break
    return out


def _resolve_speakers(doc, drafts: list[_Draft], registry: Registry, mlex: MentionLexicon, opts: Options, inside=None, sents=None, not_names: frozenset[str] = frozenset(), date: str | None = None) -> None:
    text = doc_text(doc)
    resolver = SpeakerResolver(registry, mlex, opts.fuzzy_threshold, date=date)
    resolver.read_descriptions(text, not_names)
    for pos, name in aged_names(text, not_names):  # "Sok Dara, 31, a sewer, ..." is a person
        if inside is None or not inside(pos):
            res = resolver.resolve_name(name, pos)
            resolver.note(pos, res.name if res is not None and res.name else name, res.speaker if res is not None else None, kind="person")
    _note_sentence_subjects(doc, resolver, inside, sents)
    for d in drafts:
        if d.frame is not None and d.frame.speaker is not None:
            s, e = d.frame.speaker
            d.mention = (doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text))
    for d in drafts:  # whitespace only (a frame ending in a blank line), or a cut-off phrase: no mention
        if d.mention and implausible_mention(text[d.mention[0] : d.mention[1]]):
            d.mention = None
    with_mention = sorted((d for d in drafts if d.mention), key=lambda d: d.mention[0])
    done: dict[tuple[int, int], Resolution] = {}
    for d in with_mention:
        key = d.mention
        if key in done:
            d.resolution = done[key]
            continue
        mention = text[key[0] : key[1]]
        target = mention
        if mention.lower() in ("who", "which") and d.frame is not None:
            ante = _relative_antecedent(doc, d.frame.speaker[0])
            if ante is not None:
                target = ante
        if _impersonal(doc, d.frame):
            done[key] = d.resolution = Resolution(None, 0.4, "impersonal")
            d.mention = None
            continue
        res = resolver.resolve(target, key[0])
        if target is not mention and res.how == "as_written" and target:
            res = Resolution(res.name, 0.5, "relative")
        if res.how == "as_written" and target is mention and resolver.person_of_body(mention) == mention:
            ent = _entity_name(doc, key)
            if ent is not None and ent != res.name and not name_tail(ent, res.name) and strip_titles(ent, mlex.titles) != res.name:  # "Mr Sophal" is Sophal
                res = resolver.resolve_name(ent, key[0]) or Resolution(ent, 0.55, "entity")
        done[key] = d.resolution = res
        if res.name and res.how not in ("pronoun_unresolved",):
            # "the Mekong Current found": a capitalised name after "the" is a body or an outlet, no he/she
            kind = "organisation" if res.how == "as_written" and mention[:4].lower() == "the " and res.name[:1].isupper() and res.speaker is None else None
            resolver.note(key[0], res.name, res.speaker, kind=kind)
    for d in sorted(drafts, key=lambda d: d.start):
        if d.resolution is None and d.source is not None:
            src = d.source
            while src.resolution is None and src.source is not None:
                src = src.source
            d.resolution = src.resolution
            d.mention = src.mention


_PASSIVE_AUX = frozenset("was is has had have been be will would".split())
#: adverbs between the auxiliaries of an impersonal passive ("it has also been alleged that")
_AUX_ADVERBS = frozenset("also widely long often repeatedly since previously now further already generally".split())
#: "it is understood that", "it was thought that", "it is said that": impersonal like "it was announced"
_IRREGULAR_PARTICIPLES = frozenset("understood thought said known told written shown heard seen felt".split())


def _impersonal(doc, frame: Frame | None) -> bool:
    """"it was announced that ...", "it is understood that ...", "it has also been alleged that
    ...": no speaker at all (speaker None, no mention)."""
    if frame is None or frame.speaker is None or frame.speaker[1] - frame.speaker[0] != 1:
        return False
    s = frame.speaker[0]
    between = doc[frame.speaker[1] : frame.cue.start]
    verb = doc[frame.cue.start].lower_
    return doc[s].lower_ == "it" and len(between) > 0 and any(t.lower_ in _PASSIVE_AUX for t in between) and all(t.lower_ in _PASSIVE_AUX or t.lower_ in _AUX_ADVERBS for t in between) and (verb.endswith("ed") or verb in _IRREGULAR_PARTICIPLES)


def _note_sentence_subjects(doc, resolver: SpeakerResolver, inside=None, sents=None) -> None:
    """Registry names in subject position become antecedents for later pronouns and role nouns,
    and so do other names the sentence describes right after them ("Chea Vannath, a CPP
    spokesman, rejected it. ... he said": :func:`described_subject`).

    ("Hun Sen has mocked his opponent. ... “Don’t,” he said." -> Hun Sen.)
    """
    text = doc_text(doc)
    for span in sentence_subjects(doc, sents if sents is not None else sentence_spans(doc)):
        if span is None:
            continue
        pos = doc[span[0]].idx
        if inside is not None and inside(pos):
            continue  # subjects inside quotations are the speaker's words, not antecedents
        last = doc[span[1] - 1]
        end = last.idx + len(last)
        mention = text[pos:end]
        owner = resolver.known_possessor(mention)
        if owner is not None:  # "Andi’s family paid ... He is home now": Andi again
            resolver.note(pos, owner.name, owner.speaker, kind=owner.kind)
            continue
        res = resolver.resolve_name(mention, pos)
        if res is None and mention[:4].lower() == "the " and resolver.is_role_description(mention):
            res = resolver.description(mention, pos, scan=False)
        if res is not None and res.name:
            resolver.note(pos, res.name, res.speaker)
        elif res is None and text.startswith(", ", end):
            described = described_subject(text, pos, end, resolver.lex)
            if described is not None:
                resolver.note(pos, mention, None, description=described[0], kind=described[1])
            else:
                desc = description_before_name(text, pos, end)
                if desc is not None:  # "The station’s director, Keo Vy, denied it": Keo Vy is the subject
                    resolver.note(pos, mention, None, description=desc, kind="person")
        elif res is None:
            titled = titled_name(mention, resolver.lex)
            if titled is not None:  # "Malaysian Foreign Minister Mohamad Hasan said ..." (no registry entry)
                resolver.note(pos + mention.rfind(titled[0]), titled[0], None, description=titled[1], kind="person")
            elif bare_name(mention, resolver.lex) and (_person_entity(doc, span) if has(doc, "ENT_IOB") else _pronoun_follows(doc, span, resolver.lex)):  # "Sok Chanthy was 24 when she ..."
                resolver.note(pos, mention, None, kind="person")


_DESCRIPTION_BEFORE = re.compile(r"(?:^|(?<=[.!?”\"]\s)|(?<=\n))([A-Z][^.!?,;:\n“”\"]{2,80}), $")


def description_before_name(text: str, start: int, end: int) -> str | None:
    """The description that opens the sentence before the subject name ``text[start:end]``
    ("The station’s director, Keo Sarath, denied it" -> "The station’s director"): up to 80
    characters, a lower-case word in it, the name set off by commas; else None. The name two to
    four capitalised words.

    >>> t = "It rained. The station’s director, Keo Sarath, denied it."
    >>> i = t.index("Keo"); description_before_name(t, i, i + 10)
    'The station’s director'
    >>> t = "In Phnom Penh, Keo Sarath, a monk, said"; i = t.index("Keo")
    >>> description_before_name(t, i, i + 10) is None  # a place, no description
    True
    """
    name = text[start:end].split()
    if not 2 <= len(name) <= 4 or not all(w[:1].isupper() for w in name) or not text.startswith(",", end):
        return None
    m = _DESCRIPTION_BEFORE.search(text, max(0, start - 90), start)
    if m is None or m.end() != start:
        return None
    desc = m.group(1)
    words = desc.split()
    if not any(w[:1].islower() for w in words[1:]) or words[0].lower() in ("in", "on", "at", "after", "before", "during", "for", "from", "with", "since", "when", "while", "as", "but", "and"):
        return None
    return desc


_NAME_LABELS = ("PERSON", "ORG", "GPE", "NORP")


def _person_entity(doc, span: tuple[int, int]) -> bool:
    """Without NER, any span may be a person; with it, only a span the tagger calls PERSON."""
    return _entity_is(doc, span, ("PERSON",))


_PERSONAL = frozenset("he she his her him".split())


def _pronoun_follows(doc, span: tuple[int, int], lex: MentionLexicon) -> bool:
    """Without NER: does a personal pronoun (he, she, his, her, him) follow the name in its
    sentence ("Sok Chanthy was 24 when she joined the strike")? Then the name is a person's
    ("Most Americans", "Gender Equality" are not followed by one)."""
    sent = doc[span[0]].sent if doc.has_annotation("SENT_START") else None
    end = sent.end if sent is not None else min(len(doc), span[1] + 30)
    return any(t.lower_ in _PERSONAL for t in doc[span[1] : min(end, span[1] + 30)])


def _entity_is(doc, span: tuple[int, int], labels: tuple[str, ...]) -> bool:
    """Without NER, True; with it, does an entity of ``labels`` touch the span?"""
    if not has(doc, "ENT_IOB"):
        return True
    return any(t.ent_type_ in labels for t in doc[span[0] : span[1]])


def _entity_name(doc, span: tuple[int, int]) -> str | None:
    """With NER: the person, organisation, place or nationality entity that ends a mention ("Thai
    Prime Minister Prayut Chan-o-cha" -> "Prayut Chan-o-cha", "Thailand"), else None (an entity
    before the head noun is a modifier: "the United Nations human rights office"). Reads the
    mention's own tokens only."""
    if not has(doc, "ENT_IOB"):
        return None
    sp = doc.char_span(span[0], span[1], alignment_mode="expand")
    if sp is None:
        return None
    found: list[tuple[str, list]] = []
    for tok in sp:
        if tok.ent_type_ in _NAME_LABELS:
            if tok.ent_iob_ == "B" or not found or found[-1][0] != tok.ent_type_:
                found.append((tok.ent_type_, [tok]))
            else:
                found[-1][1].append(tok)
    for label in ("PERSON", "ORG", "GPE", "NORP"):
        for lab, toks in reversed(found):
            if lab == label and toks[-1].i == sp[-1].i:
                # an entity is the speaker only as the mention's head: "Thailand said", not
                # "Cambodia’s government", "Malaysian police", "the UN human rights office"
                return without_article(doc[toks[0].i : toks[-1].i + 1].text)  # "The Fisheries Administration" -> without "The"
    return None


def name_tail(part: str, name: str | None) -> bool:
    """Is ``part`` the last words of the proper name ``name`` ("Sok Heng" of "Ham Sok Heng")? A
    tagger's entity that leaves out a name's first word is no better name than the mention's own.

    >>> name_tail("Sok Heng", "Ham Sok Heng"), name_tail("Thailand", "Thai army"), name_tail("Heng", "Ham Sok Heng")
    (True, False, True)
    """
    if not name or not part or part == name:
        return False
    w, p = name.split(), part.split()
    return len(p) < len(w) and w[-len(p):] == p and all(x[:1].isupper() for x in w)


def _relative_antecedent(doc, i: int) -> str | None:
    """"Sam Rainsy, who said ..." -> "Sam Rainsy"."""
    j = i - 1
    if j >= 0 and doc[j].text == ",":
        span = np_left(doc, j - 1, max(0, i - 12))
        if span is not None:
            return doc[span[0] : span[1]].text
    return None


def _to_quote(doc, text: str, d: _Draft, registry: Registry, scheme: StanceScheme | None, slex: StanceLexicon, date: str | None = None) -> dict:
    """The quote of a draft, as the dict of :meth:`Quote.to_dict` (same keys, same order);
    ``date``: the article's, for the speaker's registry side on that date."""
    res = d.resolution
    speaker = res.name if res else None  # an unresolved "she" or "the spokesman": the mention, no name
    res_score = res.score if res else 0.2
    cue_start = cue_end = None
    frame = d.frame if d.frame is not None else (d.source.frame if d.source is not None else None)
    if frame is not None:
        cue_start = doc[frame.cue.start].idx
        last = doc[frame.cue.end - 1]
        cue_end = last.idx + len(last.text)
    content = text[d.start : d.end]
    cue_text = text[cue_start:cue_end] if cue_start is not None else ""
    stance = None
    if scheme is not None:
        side = registry.affiliation(speaker, date) or side_from_mention(speaker_context(text, d.mention, speaker), slex)
        stance, stance_score = propose_stance(content, side, slex, cue_text)
        if stance_score < scheme.prefill_min_score:
            stance = None  # not sure enough: the annotator chooses (a wrong pre-fill anchors)
    score = round(max(0.0, min(1.0, 0.65 * d.score + 0.35 * res_score)), 3)
    how = res.how if res else "no_speaker"
    return {
        "start": d.start,
        "end": d.end,
        "text": content,
        "kind": d.kind,
        "speaker": speaker,
        "speaker_start": d.mention[0] if d.mention else None,
        "speaker_end": d.mention[1] if d.mention else None,
        "cue_start": cue_start,
        "cue_end": cue_end,
        "stance": stance,
        "score": score,
        "rule": f"{d.pattern}+{how}",
    }
