"""What the scripted annotator must change: a task's prediction against its gold, as a list of
steps in reading order (pure: no page, no server).

Quotes are matched as ``quotekit evaluate`` and ``quotekit corrections`` match them
(:func:`toolkit.evaluation.match_overlap`: spans overlap, token Jaccard >= 0.5, one-to-one, best
first). A matched quote with other offsets is deleted and drawn again (the editor cannot move a
text region's ends). Regions are named by ``(label, start, end)``, which is how the screen finds
them, so a region drawn during the session and one from the prediction are handled alike.

Each :class:`Step` is either the review of one proposed quote or one fix, booked on a bucket:

- ``review``: see the quote's stance and its speaker's canonical name;
- ``fix_stance``, ``fix_kind``: one per-region choice of a QUOTE;
- ``fix_speaker``: the canonical name of a SPEAKER region, or the ``speaker unknown`` flag;
- ``fix_mention``: the quote's said_by goes to another SPEAKER span (drawn when missing);
- ``fix_cue``: the quote's cue goes to another CUE span, or away;
- ``fix_boundary``: delete the quote and draw it again with everything it carries;
- ``delete_quote``: a proposed quote the gold lacks; ``add_quote``: a gold quote nobody proposed.

A drawn quote takes the defaults the export reader gives (``toolkit.labelstudio.export.annotation``):
its kind is left unset when :func:`is_direct` already gives the gold kind, and its links are not
drawn when :func:`imply_links` (a QUOTE with no link takes its paragraph's only unlinked SPEAKER
and CUE) gives exactly the gold links on the final state; both are decided by calling the
reader's own functions, so the plan cannot promise what the reader would not do.

A SPEAKER or CUE region that no final quote uses is an *orphan*; ``orphans="delete"`` removes
the ones a deleted quote leaves behind, with that deletion (nothing on the screen of Label Studio
1.23 as configured at the start of issue 18 tells the annotator they do no harm), ``"keep"``
leaves them (a screen that says they are ignored). Moving a link away from a region nothing else
uses deletes that region in both modes (the cheapest way to remove the link).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from toolkit.evaluation import Attribution, match_overlap
from toolkit.labelstudio import names as N
from toolkit.labelstudio.export.annotation import Links, RegionValues, imply_links, is_direct
from toolkit.labelstudio.export.issues import NullLog

Ref = tuple[str, int, int]  # (label, start, end)


@dataclass
class Op:
    """One thing to do on the screen: ``kind`` with its arguments."""

    kind: str  # select-free high-level operations, see run.apply_op
    args: tuple = ()

    def __repr__(self) -> str:
        return f"{self.kind}{self.args}"


@dataclass
class Step:
    bucket: str
    pos: int  # reading order: the offset where the annotator does it
    ops: list[Op] = field(default_factory=list)
    note: str = ""
    span: tuple[int, int] | None = None  # the text the annotator reads to do it (the quote)

    def reads_regions(self) -> "Step":
        """Widen ``span`` to every region the step touches (a speaker before its quote, a cue):
        the reading pass stops where they are all in view when they fit."""
        offs = [(r[1], r[2]) for op in self.ops for r in _refs(op.args)]
        if self.span:
            offs.append(self.span)
        if offs:
            self.span = (min(a for a, _ in offs), max(b for _, b in offs))
        return self


def _refs(args) -> list[tuple]:
    """The regions ``(label, start, end)`` among an operation's arguments (nested)."""
    if isinstance(args, tuple) and len(args) == 3 and isinstance(args[0], str) and isinstance(args[1], int):
        return [args]
    if isinstance(args, (tuple, list)):
        return [r for a in args for r in _refs(a)]
    return []


@dataclass
class Proposal:
    """The editable state of one annotation, read from a prediction's ``result``."""

    regions: set[Ref] = field(default_factory=set)
    stance: dict[Ref, str] = field(default_factory=dict)
    kind: dict[Ref, str] = field(default_factory=dict)
    unknown: set[Ref] = field(default_factory=set)
    name: dict[Ref, str] = field(default_factory=dict)  # SPEAKER -> canonical name shown (choice, else typed)
    said_by: dict[Ref, set[Ref]] = field(default_factory=dict)
    cue: dict[Ref, set[Ref]] = field(default_factory=dict)

    @property
    def quotes(self) -> list[Ref]:
        return sorted(r for r in self.regions if r[0] == N.QUOTE)


def read_proposal(result: list[dict[str, Any]]) -> Proposal:
    """The prediction's regions, choices and links, keyed by ``(label, start, end)``."""
    out = Proposal()
    ref: dict[str, Ref] = {}
    for item in result:
        if item.get("type") == "labels":
            v = item["value"]
            r = (v["labels"][0], v["start"], v["end"])
            ref[item["id"]] = r
            out.regions.add(r)
    typed: dict[Ref, str] = {}
    picked: dict[Ref, str] = {}  # the article's candidate radio (the short list beside the registry)
    for item in result:
        rid, fn, v = item.get("id"), item.get("from_name"), item.get("value") or {}
        if item.get("type") == "relation":
            a, b = ref[item["from_id"]], ref[item["to_id"]]
            (out.said_by if item["labels"] == [N.SAID_BY] else out.cue).setdefault(a, set()).add(b)
        elif fn == N.STANCE:
            out.stance[ref[rid]] = v["choices"][0]
        elif fn == N.KIND:
            out.kind[ref[rid]] = v["choices"][0]
        elif fn == N.QUOTE_FLAGS and N.SPEAKER_UNKNOWN in v.get("choices", []):
            out.unknown.add(ref[rid])
        elif fn == N.SPEAKER_NAME:  # Choices (value.choices) or Taxonomy (value.taxonomy, one path)
            out.name[ref[rid]] = v["choices"][0] if "choices" in v else v["taxonomy"][0][-1]
        elif fn == N.SPEAKER_PICK:
            picked[ref[rid]] = v["choices"][0]
        elif fn == N.SPEAKER_NEW:
            typed[ref[rid]] = v["text"][0]
    for r, name in [*picked.items(), *typed.items()]:  # a proposal fills one speaker control per region
        out.name.setdefault(r, name)
    return out


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    kind: str
    speaker: str | None
    speaker_span: tuple[int, int] | None
    cue_span: tuple[int, int] | None
    stance: str

    @property
    def ref(self) -> Ref:
        return (N.QUOTE, self.start, self.end)

    @property
    def sref(self) -> Ref | None:
        return (N.SPEAKER, *self.speaker_span) if self.speaker_span else None

    @property
    def cref(self) -> Ref | None:
        return (N.CUE, *self.cue_span) if self.cue_span else None


def read_gold(quotes: list[dict[str, Any]], canonical) -> list[Gold]:
    out = []
    for q in quotes:
        sp = (q["speaker_start"], q["speaker_end"]) if q.get("speaker_start") is not None else None
        cue = (q["cue_start"], q["cue_end"]) if q.get("cue_start") is not None else None
        out.append(Gold(q["start"], q["end"], q["kind"], canonical(q["speaker"]) if q.get("speaker") else None, sp, cue,
                        q["stance"]))
    return sorted(out, key=lambda g: (g.start, g.end))


def _att(text: str, r: Ref) -> Attribution:
    return Attribution(fragments=((r[1], r[2]),), texts=(text[r[1]:r[2]],), kind="")


def default_kind(text: str, r: Ref) -> str:
    """The kind the export reader gives a QUOTE region with no kind chosen (:func:`is_direct`)."""
    return "direct" if is_direct(text, r[1], r[2]) else "indirect"


@dataclass
class Final:
    """What the screen holds when the plan is done: regions, drawn links, ``speaker unknown`` flags."""

    regions: set[Ref]
    said_by: dict[Ref, set[Ref]]
    cue: dict[Ref, set[Ref]]
    unknown: set[Ref]
    implied: set[Ref]  # quotes whose links are left to the reader


def _rid(r: Ref) -> str:
    return f"{r[0]}:{r[1]}:{r[2]}"


def read_links(text: str, final: Final) -> dict[Ref, tuple[set[Ref], set[Ref]]]:
    """Each QUOTE's (speakers, cues) as the export reader links them: the drawn relations, then
    :func:`imply_links` for the quotes with none (the reader's own function)."""
    have = final.regions
    regions = {_rid(r): {"label": r[0], "start": r[1], "end": r[2]} for r in have}
    links = Links()
    for q in have:
        if q[0] != N.QUOTE or q in final.implied:
            continue
        sp = {_rid(o) for o in final.said_by.get(q, set()) if o in have}
        cu = sorted(_rid(o) for o in final.cue.get(q, set()) if o in have)
        if sp:
            links.speakers[_rid(q)] = sp
        if cu:
            links.cues[_rid(q)] = cu
    values = RegionValues(flags={_rid(q): {N.SPEAKER_UNKNOWN} for q in final.unknown if q in have})
    imply_links(text, regions, values, links, "plan", NullLog())
    back = {_rid(r): r for r in have}
    return {q: ({back[o] for o in links.speakers.get(_rid(q), ())}, {back[o] for o in links.cues.get(_rid(q), ())})
            for q in have if q[0] == N.QUOTE}


def plan(text: str, prop: Proposal, gold: list[Gold], *, orphans: str = "delete", implied: bool = True,
         select_after_create: bool = False) -> list[Step]:
    """The review and fix steps that turn ``prop`` into ``gold``, in reading order.

    With ``implied`` a drawn quote's links are left to the export reader (:func:`imply_links`)
    when, on the final state, that gives exactly its gold links; otherwise the first such quote
    gets its links drawn and the plan is made again (its drawn links may leave the next quote
    of the paragraph the only candidates)."""
    explicit: set[Ref] = set()
    while True:
        steps, final = _plan(text, prop, gold, orphans=orphans, implied=implied, explicit=explicit,
                             select_after_create=select_after_create)
        if not final.implied:
            return steps
        want = {g.ref: ({g.sref} if g.sref else set(), {g.cref} if g.cref else set()) for g in gold}
        got = read_links(text, final)
        wrong = {q for q in final.implied if got.get(q) != want.get(q)}
        if not wrong:
            return steps
        explicit.add(min(wrong, key=lambda r: (r[1], r[2])))  # one at a time: its drawn links may free the rest


def _plan(text: str, prop: Proposal, gold: list[Gold], *, orphans: str, implied: bool, explicit: set[Ref],
          select_after_create: bool) -> tuple[list[Step], Final]:
    pq = prop.quotes
    pairs = match_overlap([_att(text, g.ref) for g in gold], [_att(text, r) for r in pq])
    matched = {gi: pq[pi] for gi, pi in pairs if pq[pi] == gold[gi].ref}
    moved = {gi: pq[pi] for gi, pi in pairs if pq[pi] != gold[gi].ref}
    want_regions = {g.sref for g in gold if g.sref} | {g.cref for g in gold if g.cref}
    have = set(prop.regions)  # regions on the screen as the plan goes
    named: dict[Ref, str] = dict(prop.name)
    said_by = {q: set(v) for q, v in prop.said_by.items()}
    cue = {q: set(v) for q, v in prop.cue.items()}
    unknown = set(prop.unknown)
    left_to_reader: set[Ref] = set()
    steps: list[Step] = []

    def users(r: Ref) -> set[Ref]:
        return {q for q, v in (said_by if r[0] == N.SPEAKER else cue).items() if r in v and q in have}

    def drop_region(step: Step, r: Ref) -> None:
        step.ops.append(Op("delete", r))
        have.discard(r)

    def orphan_cleanup(step: Step, candidates: set[Ref]) -> None:
        for r in sorted(candidates):
            if orphans == "delete" and r in have and r not in want_regions and not users(r):
                drop_region(step, r)

    def needs_name(s: Ref, g: Gold) -> bool:
        """A SPEAKER region needs its name picked unless it shows the gold name, or was drawn
        here over the gold name's own words (the reader resolves a region's text)."""
        return named.get(s) != g.speaker and not (s not in prop.regions and text[s[1]:s[2]] == g.speaker)

    def ensure_speaker(step: Step, g: Gold, name: bool = True) -> None:
        s = g.sref
        if s not in have:
            step.ops.append(Op("draw", s))
            have.add(s)
        if name:
            if needs_name(s, g):
                step.ops.append(Op("name", (s, g.speaker)))
            named[s] = g.speaker

    def relink(step: Step, q: Ref, want: Ref | None, links: dict[Ref, set[Ref]], prepare=None) -> None:
        """Drop the quote's other links (deleting the region when nothing else uses or will use
        it: two actions, where removing one relation needs the Relations panel), then draw
        ``want`` if missing (``prepare``) and link it: from the quote, or, when a drawn region
        stays selected (``select_after_create``), from the region just drawn (no click to select
        the quote; the reader takes a relation either way)."""
        cur = links.get(q, set()) & have
        for old in sorted(cur - {want}):
            if old not in want_regions and users(old) == {q}:
                links[q].discard(old)
                drop_region(step, old)
            else:
                step.ops.append(Op("unlink", (q, old)))
                links[q].discard(old)
        if want is not None and want not in cur:
            drawn = want not in have
            if prepare is not None:
                prepare()
            if want not in have:
                step.ops.append(Op("draw", want))
                have.add(want)
            step.ops.append(Op("link", (want, q) if drawn and select_after_create else (q, want)))
            links.setdefault(q, set()).add(want)

    def add_quote(step: Step, g: Gold) -> None:
        """Draw the quote and whatever of its speaker and cue is missing (nothing is selected
        after a drawing, so no Escape between them), name the speaker, then the quote's choices:
        the stance, the kind only when the reader's default is not the gold kind, the links only
        when the reader would not imply them. The speaker first: a click on the quote closes the
        speaker list, which would otherwise keep the keys and cost an Escape before the next
        hotkey.

        When a drawn region stays selected (``select_after_create``), a region needs no click
        right after its drawing: the cue first (nothing to set on it), then the quote and its
        choices, then the speaker to name; the quote last when the speaker needs no name or the
        links are drawn. How each drawing is made is the screen's business (``screen.draw``):
        text first while a region is selected (drag, then the label key when the new region's
        label is wrong: no Escape), else Escape, key, drag."""
        q = g.ref
        lazy = implied and q not in explicit
        new = [r for r in (g.sref, g.cref) if r is not None and r not in have]
        if select_after_create:
            speaker_last = g.sref in new and needs_name(g.sref, g) and lazy
            tail = [g.cref] * (g.cref in new) + [q] + [g.sref] * speaker_last
            order = [r for r in new if r not in tail] + tail
        else:
            order = [q, *new]
        for r in order:
            step.ops.append(Op("draw", r))
            have.add(r)
            if r == q and select_after_create:
                quote_choices(step, g)
        if g.sref is not None and not select_after_create:
            ensure_speaker(step, g)
        if not select_after_create:
            quote_choices(step, g)
        if lazy:
            left_to_reader.add(q)
        if g.sref is not None:
            if not lazy:
                step.ops.append(Op("link", (q, g.sref)))
            said_by.setdefault(q, set()).add(g.sref)
        if g.cref is not None:
            if not lazy:
                step.ops.append(Op("link", (q, g.cref)))
            cue.setdefault(q, set()).add(g.cref)
        if g.sref is not None:
            ensure_speaker(step, g)  # (named already, unless the speaker comes last)

    def quote_choices(step: Step, g: Gold) -> None:
        """A new quote's stance, its kind unless the reader's default gives it, the flag."""
        q = g.ref
        step.ops.append(Op("stance", (q, g.stance)))
        if g.kind != default_kind(text, q):
            step.ops.append(Op("kind", (q, g.kind)))
        if g.sref is None:
            step.ops.append(Op("unknown", (q, True)))
            unknown.add(q)

    # everything in reading order, the state updated as the annotator goes
    events: list[tuple[int, int, str, Any]] = []
    for q in pq:
        events.append((q[1], 0, "review", q))
        if q not in matched.values() and q not in moved.values():
            events.append((q[1], 1, "delete", q))
    for gi, g in enumerate(gold):
        if gi in moved:
            events.append((moved[gi][1], 1, "boundary", gi))
        elif gi in matched:
            events.append((g.start, 1, "matched", gi))
        else:
            events.append((g.start, 1, "add", gi))
    for pos, _, what, x in sorted(events, key=lambda e: (e[0], e[1])):
        if what == "review":
            steps.append(Step("review", pos, [Op("review", (x, prop.stance.get(x), sorted(prop.said_by.get(x, ()))))],
                              text[x[1]:x[2]][:50], (x[1], x[2])))
        elif what == "delete":
            st = Step("delete_quote", pos, note=text[x[1]:x[2]][:50], span=(x[1], x[2]))
            drop_region(st, x)
            orphan_cleanup(st, prop.said_by.get(x, set()) | prop.cue.get(x, set()))
            steps.append(st)
        elif what == "boundary":
            g, old = gold[x], moved[x]
            st = Step("fix_boundary", pos, note=text[g.start:g.end][:50], span=(min(g.start, old[1]), max(g.end, old[2])))
            drop_region(st, old)
            add_quote(st, g)
            orphan_cleanup(st, prop.said_by.get(old, set()) | prop.cue.get(old, set()))
            steps.append(st)
        elif what == "add":
            g = gold[x]
            st = Step("add_quote", pos, note=text[g.start:g.end][:50], span=(g.start, g.end))
            add_quote(st, g)
            steps.append(st)
        else:
            g = gold[x]
            q, note, span = g.ref, text[g.start:g.end][:50], (g.start, g.end)
            if prop.stance.get(q) != g.stance:
                steps.append(Step("fix_stance", pos, [Op("stance", (q, g.stance))], note, span))
            if prop.kind.get(q) != g.kind:
                steps.append(Step("fix_kind", pos, [Op("kind", (q, g.kind))], note, span))
            if (q in prop.unknown) != (g.sref is None):
                steps.append(Step("fix_speaker", pos, [Op("unknown", (q, g.sref is None))], note, span))
                (unknown.add if g.sref is None else unknown.discard)(q)
            if (said_by.get(q, set()) & have) != ({g.sref} if g.sref else set()):
                # link first, name last (no Escape); a speaker drawn and left selected: name it at once
                st = Step("fix_mention", pos, note=note, span=span)
                relink(st, q, g.sref, said_by,
                       prepare=(lambda st=st, g=g: ensure_speaker(st, g, name=select_after_create)) if g.sref else None)
                if g.sref and named.get(g.sref) != g.speaker:
                    ensure_speaker(st, g)
                steps.append(st)
            elif g.sref and named.get(g.sref) != g.speaker:
                steps.append(Step("fix_speaker", pos, [Op("name", (g.sref, g.speaker))],
                                  f"{text[g.sref[1]:g.sref[2]]} -> {g.speaker}", span))
                named[g.sref] = g.speaker
            if (cue.get(q, set()) & have) != ({g.cref} if g.cref else set()):
                st = Step("fix_cue", pos, note=note, span=span)
                relink(st, q, g.cref, cue)
                steps.append(st)
    for st in steps:
        if st.bucket != "review":
            st.reads_regions()
    drawn_said = {q: v for q, v in said_by.items() if q not in left_to_reader}
    drawn_cue = {q: v for q, v in cue.items() if q not in left_to_reader}
    return steps, Final(set(have), drawn_said, drawn_cue, unknown, left_to_reader)


# --------------------------------------------------------------------------- the pulled export against the gold


def compare(exported: list[Any], gold: list[Gold]) -> dict[str, Any]:
    """``lost``: gold quotes with no exported quote of the same offsets; ``wrong``: exported quotes
    that are not exactly a gold quote (another kind, speaker, stance, speaker mention or cue, or
    no gold quote at those offsets). ``problems`` names each."""
    by_span = {(q.start, q.end): q for q in exported}
    problems = []
    lost = wrong = 0
    gold_spans = set()
    for g in gold:
        gold_spans.add((g.start, g.end))
        e = by_span.get((g.start, g.end))
        if e is None:
            lost += 1
            problems.append(f"lost {g.start}-{g.end}")
            continue
        got = (e.kind, e.speaker, (e.speaker_start, e.speaker_end) if e.speaker_start is not None else None,
               (e.cue_start, e.cue_end) if e.cue_start is not None else None, e.stance)
        want = (g.kind, g.speaker, g.speaker_span, g.cue_span, g.stance)
        if got != want:
            wrong += 1
            diff = [f"{n}: {w!r} -> {h!r}" for n, w, h in zip(("kind", "speaker", "mention", "cue", "stance"), want, got) if w != h]
            problems.append(f"wrong {g.start}-{g.end}: " + "; ".join(diff))
    for span in by_span:
        if span not in gold_spans:
            wrong += 1
            problems.append(f"extra {span[0]}-{span[1]}")
    return {"lost": lost, "wrong": wrong, "problems": problems}
