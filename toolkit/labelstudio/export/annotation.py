"""One annotation's ``result`` list -> validated quotes, in five phases.

1. :func:`sort_results`: regions (checked against the text), per-region results, relations.
2. :func:`read_region_values`: the per-region choices and typed names (stance, kind, flags, speaker).
3. :func:`speaker_names`: the canonical name of each SPEAKER region (:func:`resolve_speaker`).
4. :func:`link_relations`: each QUOTE's SPEAKER and CUE regions; a SPEAKER or CUE region that no
   relation links to a QUOTE (what deleting a quote in the editor leaves behind) is ignored and
   counted (``orphan_region``, never a failure): :func:`orphan_regions`.
5. :func:`assemble_quotes`: one :class:`QuoteRecord` per valid QUOTE region.

:func:`parse_annotation` runs them. Every problem goes to the :class:`IssueLog` with a message
that starts with ``where`` and names the region or relation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from toolkit.labelstudio import names as N
from toolkit.types import QUOTE_KINDS

from .issues import IssueLog, NullLog
from .records import QuoteRecord, make_quote_id

QUOTE_MARKS = "\"“”„‟«»‹›「」『』'‘’‚‛"
_INVALID_STANCE = "\0invalid"  # a stance choice was given but is not in the scheme: the quote is dropped


def parse_annotation(
    text: str,
    result: Any,
    *,
    article_id: str,
    where: str,
    issues: IssueLog,
    stance_labels: Iterable[str],
    canonical: Callable[[str], str] = lambda s: s,
    affiliation: Callable[[str], str | None] = lambda s: None,
    prediction: Any = None,
    stance_required: bool = True,
) -> list[QuoteRecord]:
    """Join one annotation's ``result`` list into validated quotes (sorted by offset).

    ``where`` prefixes every message (e.g. ``"export.json task 12 annotation 7"``).
    ``canonical`` maps a speaker name to its registry name; ``affiliation`` gives its
    registry affiliation (``None`` when unknown; the caller decides the default).
    ``prediction``: the ``result`` list of the prediction the annotation started from (see
    :func:`source_prediction`), to tell untouched pre-annotations from the annotator's choices.
    ``stance_required=False`` reads a *prediction* (a proposal may leave the stance empty: its
    quote is kept with ``stance`` None instead of being skipped as ``no_stance``).
    """
    stance_set = set(stance_labels)
    if not isinstance(result, list):
        issues.add("malformed_result", f"{where}: 'result' is not a list")
        return []
    parts = sort_results(text, result, where, issues)
    values = read_region_values(parts, stance_set, where, issues)
    names = speaker_names(parts.regions, values, prediction, canonical, where, issues)
    links = link_relations(parts.relations, parts.regions, where, issues)
    imply_links(text, parts.regions, values, links, where, issues)
    for rid in orphan_regions(parts.regions, links):
        reg = parts.regions[rid]
        issues.add("orphan_region", f"{where} region {rid} ({reg['label']} {reg['start']}-{reg['end']}): linked to no "
                                    "QUOTE (left by a deleted quote?); ignored")
    return assemble_quotes(text, article_id, parts.regions, values, names, links, canonical, affiliation, where, issues,
                           stance_required)


# --------------------------------------------------------------------------- 1. regions


@dataclass
class Results:
    """An annotation's result items, sorted: valid regions by id, the rest for later phases."""

    regions: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> {"label", "start", "end"}
    duplicated: set[str] = field(default_factory=set)  # ids shared by several regions (all dropped)
    per_region: list[dict[str, Any]] = field(default_factory=list)  # choices / textareas, by region id
    relations: list[dict[str, Any]] = field(default_factory=list)


def sort_results(text: str, result: list, where: str, issues: IssueLog) -> Results:
    """Phase 1: keep the regions that fit ``text``; set per-region results and relations aside."""
    out = Results()
    for i, item in enumerate(result):
        if not isinstance(item, dict):
            issues.add("malformed_result", f"{where} result #{i}: not an object")
            continue
        rtype = item.get("type")
        if rtype == "relation":
            out.relations.append(item)
            continue
        rid = item.get("id")
        if not isinstance(rid, (str, int)) or isinstance(rid, bool) or rid == "":
            issues.add("malformed_result", f"{where} result #{i}: no region id")
            continue
        rid = str(rid)
        value = item.get("value")
        if not isinstance(value, dict):
            issues.add("malformed_result", f"{where} region {rid}: no 'value' object")
            continue
        if item.get("from_name") != N.LABELS and rtype != "labels":
            out.per_region.append(item)
            continue
        if rid in out.regions or rid in out.duplicated:
            if rid not in out.duplicated:
                issues.add("duplicate_region_id", f"{where} region {rid}: several regions share this id; all are dropped")
            out.duplicated.add(rid)
            out.regions.pop(rid, None)
            continue
        region = checked_region(text, item, rid, value, where, issues)
        if region is not None:
            out.regions[rid] = region
    return out


def checked_region(text: str, item: dict[str, Any], rid: str, value: dict[str, Any], where: str, issues: IssueLog) -> dict[str, Any] | None:
    """A labelled region ``{"label", "start", "end"}`` when it is well formed and fits ``text``, else None (reported).

    >>> item = {"from_name": "label", "value": {"start": 4, "end": 8, "text": "said", "labels": ["CUE"]}}
    >>> checked_region("Hun said so", item, "r1", item["value"], "t", IssueLog())
    {'label': 'CUE', 'start': 4, 'end': 8}
    """
    labels = value.get("labels")
    if item.get("from_name") != N.LABELS or not isinstance(labels, list) or len(labels) != 1:
        issues.add("malformed_result", f"{where} region {rid}: expected from_name {N.LABELS!r} with exactly one label, got {item.get('from_name')!r} {labels!r}")
        return None
    label = labels[0]
    if label not in N.REGION_LABELS:
        issues.add("unknown_label", f"{where} region {rid}: unknown region label {label!r} (expected one of {', '.join(N.REGION_LABELS)})")
        return None
    start, end, rtext = _int(value.get("start")), _int(value.get("end")), value.get("text")
    if start is None or end is None:
        issues.add("malformed_result", f"{where} region {rid}: start/end are not integers ({value.get('start')!r}, {value.get('end')!r})")
        return None
    if not (0 <= start < end <= len(text)):
        issues.add("offsets_out_of_range", f"{where} region {rid} ({label}): offsets {start}-{end} are outside the text (length {len(text)})")
        return None
    if rtext is not None and rtext != text[start:end]:
        issues.add("text_mismatch", f"{where} region {rid} ({label}): region text != text[{start}:{end}]: {_first_difference(str(rtext), text[start:end])}")
        return None
    return {"label": label, "start": start, "end": end}


# --------------------------------------------------------------------------- 2. per-region values


@dataclass
class RegionValues:
    """The per-region choices and typed names, by region id (the first one of each kind wins)."""

    stance: dict[str, str] = field(default_factory=dict)
    kind: dict[str, str] = field(default_factory=dict)
    flags: dict[str, set[str]] = field(default_factory=dict)
    speaker_choice: dict[str, str] = field(default_factory=dict)  # SPEAKER_NAME list choice
    speaker_typed: dict[str, str] = field(default_factory=dict)  # SPEAKER_NEW typed name
    speaker_pick: dict[str, str] = field(default_factory=dict)  # SPEAKER_PICK candidate choice
    items: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (region id, from_name) -> the speaker result item


def read_region_values(parts: Results, stance_set: set[str], where: str, issues: IssueLog) -> RegionValues:
    """Phase 2: read every per-region result whose region survived phase 1."""
    out = RegionValues()
    for item in parts.per_region:
        rid, fname, value = str(item["id"]), item.get("from_name"), item["value"]
        if rid not in parts.regions:
            if rid not in parts.duplicated:
                issues.add("orphan_region_result", f"{where} region {rid}: {fname!r} result for a region that is missing or was dropped")
            continue
        if fname in (N.STANCE, N.KIND, N.QUOTE_FLAGS, N.SPEAKER_NAME, N.SPEAKER_PICK):
            _read_choice(out, item, rid, fname, value, stance_set, where, issues)
        elif fname == N.SPEAKER_NEW:
            _read_typed_name(out, item, rid, fname, value, where, issues)
        else:
            issues.add("unknown_label", f"{where} region {rid}: unknown result from_name {fname!r}")
    return out


def taxonomy_choices(value: dict[str, Any]) -> list[str] | None:
    """The names a flat ``Taxonomy`` result holds (the last step of each path), or None when
    ``value.taxonomy`` is not a list of lists of strings. The speaker control is a Taxonomy since
    issue 18; older exports hold ``choices`` and are read as before.

    >>> taxonomy_choices({"taxonomy": [["Hun Sen"]]}), taxonomy_choices({"taxonomy": "Hun Sen"})
    (['Hun Sen'], None)
    """
    paths = value.get("taxonomy")
    if not isinstance(paths, list) or not all(isinstance(p, list) and p and all(isinstance(x, str) for x in p) for p in paths):
        return None
    return [p[-1] for p in paths]


def _read_choice(out: RegionValues, item: dict[str, Any], rid: str, fname: str, value: dict[str, Any],
                 stance_set: set[str], where: str, issues: IssueLog) -> None:
    """A ``choices`` result (stance, kind, quote flags, the registry speaker of older projects)
    or the ``taxonomy`` result of the registry speaker."""
    choices = value.get("choices")
    if fname == N.SPEAKER_NAME and "taxonomy" in value:
        choices = taxonomy_choices(value)
        if choices is None:
            issues.add("malformed_result", f"{where} region {rid}: {fname!r} has no 'taxonomy' list of name paths")
            return
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        issues.add("malformed_result", f"{where} region {rid}: {fname!r} has no 'choices' list")
        return
    if fname == N.QUOTE_FLAGS:
        bad = [c for c in choices if c != N.SPEAKER_UNKNOWN]
        if bad:
            issues.add("unknown_label", f"{where} region {rid}: unknown {fname} choice {bad[0]!r}")
        out.flags.setdefault(rid, set()).update(c for c in choices if c == N.SPEAKER_UNKNOWN)
        return
    if not choices:
        return
    choice = choices[0]
    if fname == N.STANCE:
        if choice not in stance_set:
            issues.add("unknown_label", f"{where} region {rid}: unknown stance {choice!r} (expected one of {', '.join(sorted(stance_set))})")
            out.stance[rid] = _INVALID_STANCE
        else:
            out.stance.setdefault(rid, choice)
    elif fname == N.KIND:
        if choice not in QUOTE_KINDS:
            issues.add("unknown_label", f"{where} region {rid}: unknown kind {choice!r} (expected one of {', '.join(QUOTE_KINDS)}); the default kind is used")
        else:
            out.kind.setdefault(rid, choice)
    elif choice.strip() and (rid, fname) not in out.items:
        (out.speaker_pick if fname == N.SPEAKER_PICK else out.speaker_choice)[rid] = choice.strip()
        out.items[(rid, fname)] = item


def _read_typed_name(out: RegionValues, item: dict[str, Any], rid: str, fname: str, value: dict[str, Any],
                     where: str, issues: IssueLog) -> None:
    """A ``speaker_new`` TextArea: the first non-blank typed name."""
    typed = value.get("text")
    if isinstance(typed, str):
        typed = [typed]
    if not isinstance(typed, list):
        issues.add("malformed_result", f"{where} region {rid}: {fname!r} value.text is not a list of strings")
        return
    names = [t.strip() for t in typed if isinstance(t, str) and t.strip()]
    if names and rid not in out.speaker_typed:
        out.speaker_typed[rid] = names[0]
        out.items[(rid, fname)] = item


# --------------------------------------------------------------------------- 3. speaker names


def speaker_names(regions: dict[str, dict[str, Any]], values: RegionValues, prediction: Any,
                  canonical: Callable[[str], str], where: str, issues: IssueLog) -> dict[str, str]:
    """Phase 3: the canonical name of each SPEAKER region named by a candidate, a registry pick or
    a typed name; when several name it differently, a ``speaker_conflict`` note names the winner
    (:func:`resolve_speaker`)."""
    pred_items = _prediction_items(prediction)
    by_control = {N.SPEAKER_NEW: values.speaker_typed, N.SPEAKER_NAME: values.speaker_choice,
                  N.SPEAKER_PICK: values.speaker_pick}
    names: dict[str, str] = {}
    for rid in sorted(set().union(*by_control.values())):
        if regions[rid]["label"] != N.SPEAKER:
            continue
        named = {fname: got[rid] for fname, got in by_control.items() if rid in got}
        if len(named) == 1:
            names[rid] = canonical(next(iter(named.values())))
            continue
        untouched = {fname: _untouched(values.items[(rid, fname)], pred_items, prediction is not None) for fname in named}
        name, why = resolve_speaker(named, untouched)
        names[rid] = canonical(name)
        if len({canonical(n).casefold() for n in named.values()}) > 1:
            reg = regions[rid]
            said = " and ".join(f"{fname!r} {CONTROL_WORDS[fname]} {named[fname]!r}" for fname in N.SPEAKER_PRECEDENCE if fname in named)
            issues.add("speaker_conflict", f"{where} region {rid} (SPEAKER {reg['start']}-{reg['end']}): {said} differ; kept {name!r} ({why})")
    return names


#: How the messages call each speaker control.
CONTROL_WORDS = {N.SPEAKER_NEW: "name", N.SPEAKER_NAME: "list choice", N.SPEAKER_PICK: "candidate"}


def resolve_speaker(named: dict[str, str], untouched: dict[str, bool]) -> tuple[str, str]:
    """The name of a SPEAKER region that several speaker controls name (``from_name`` -> name),
    and why: :data:`toolkit.labelstudio.names.SPEAKER_PRECEDENCE` among the names the annotator
    set (``untouched[from_name]`` False), else ``SPEAKER_PRECEDENCE_UNTOUCHED`` among the
    pre-annotation's (package docstring).

    >>> resolve_speaker({"speaker": "Hun Sen", "speaker_new": "spent the"}, {"speaker": False, "speaker_new": True})
    ('Hun Sen', 'the list choice was made by the annotator; the speaker_new name is the untouched pre-annotation')
    >>> resolve_speaker({"speaker_pick": "Kem Sokha", "speaker": "Hun Sen"}, {"speaker_pick": True, "speaker": False})[0]
    'Hun Sen'
    """
    def word(fname: str) -> str:
        return f"the {fname} name" if fname == N.SPEAKER_NEW else f"the {CONTROL_WORDS[fname]}"

    touched = [f for f in N.SPEAKER_PRECEDENCE if f in named and not untouched.get(f, False)]
    if not touched:
        winner = next(f for f in N.SPEAKER_PRECEDENCE_UNTOUCHED if f in named)
        return named[winner], f"{'both' if len(named) == 2 else 'all'} are untouched pre-annotations; {word(winner)} wins"
    winner = touched[0]
    if len(touched) == 1:
        rest = " and ".join(word(f) for f in N.SPEAKER_PRECEDENCE if f in named and f != winner)
        verb = "is" if len(named) == 2 else "are"
        return named[winner], f"{word(winner)} was made by the annotator; {rest} {verb} the untouched pre-annotation"
    who = "both were" if len(touched) == 2 else "all three were"
    return named[winner], f"{who} set by the annotator; {word(winner)} wins ({' > '.join(N.SPEAKER_PRECEDENCE)})"


def _prediction_items(prediction: Any) -> dict[tuple[str, str], dict[str, Any]]:
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if isinstance(prediction, list):
        for item in prediction:
            if isinstance(item, dict) and item.get("type") != "relation" and item.get("id") is not None:
                out.setdefault((str(item["id"]), str(item.get("from_name"))), item)
    return out


def _names(item: dict[str, Any]) -> list[str]:
    """The names a speaker result holds (list choices or typed text), stripped.

    >>> _names({"type": "textarea", "value": {"text": [" Hun Sen ", ""]}})
    ['Hun Sen']
    """
    value = item.get("value") if isinstance(item.get("value"), dict) else {}
    if "taxonomy" in value:
        return [v.strip() for v in taxonomy_choices(value) or [] if v.strip()]
    vals = value.get("choices") if item.get("type") == "choices" or "choices" in value else value.get("text")
    if isinstance(vals, str):
        vals = [vals]
    return [v.strip() for v in vals if isinstance(v, str) and v.strip()] if isinstance(vals, list) else []


def _untouched(item: dict[str, Any], pred_items: dict[tuple[str, str], dict[str, Any]], have_prediction: bool) -> bool:
    """Is this per-region result the pre-annotation, unchanged? (package docstring)"""
    if have_prediction:
        p = pred_items.get((str(item.get("id")), str(item.get("from_name"))))
        return p is not None and item.get("origin") != "manual" and _names(p) == _names(item)
    return item.get("origin") == "prediction"


def source_prediction_record(task: dict[str, Any], ann: dict[str, Any]) -> dict | None:
    """The prediction ``ann`` started from, whole (``model_version``, ``result``, ...):
    ``ann["prediction"]`` (Label Studio exports it expanded; ``{}`` when there is none), else the
    task's prediction whose id is ``ann["parent_prediction"]``.

    >>> source_prediction_record({"predictions": [{"id": 5, "model_version": "v", "result": [1]}]}, {"parent_prediction": 5})
    {'id': 5, 'model_version': 'v', 'result': [1]}
    """
    p = ann.get("prediction")
    if isinstance(p, dict) and isinstance(p.get("result"), list):
        return p
    pid = ann.get("parent_prediction")
    if isinstance(pid, dict):
        pid = pid.get("id")
    if pid is None:
        return None
    for p in task.get("predictions") or [] if isinstance(task.get("predictions"), list) else []:
        if isinstance(p, dict) and p.get("id") == pid and isinstance(p.get("result"), list):
            return p
    return None


def source_prediction(task: dict[str, Any], ann: dict[str, Any]) -> list | None:
    """The ``result`` of the prediction ``ann`` started from (:func:`source_prediction_record`).

    >>> source_prediction({"predictions": [{"id": 5, "result": [1]}]}, {"parent_prediction": 5})
    [1]
    """
    p = source_prediction_record(task, ann)
    return p["result"] if p is not None else None


# --------------------------------------------------------------------------- 4. relations


@dataclass
class Links:
    """What the relations say about each QUOTE region."""

    speakers: dict[str, set[str]] = field(default_factory=dict)  # QUOTE id -> SPEAKER ids
    cues: dict[str, list[str]] = field(default_factory=dict)  # QUOTE id -> CUE ids, in order


def link_relations(relations: list[dict[str, Any]], regions: dict[str, dict[str, Any]], where: str, issues: IssueLog) -> Links:
    """Phase 4: each relation between two surviving regions links a QUOTE to a SPEAKER
    (``said_by``) or a CUE (``cue``), drawn either way; an unlabelled one is read from the regions."""
    out = Links()
    for i, rel in enumerate(relations):
        link = _relation_link(i, rel, regions, where, issues)
        if link is None:
            continue
        q, other, o = link
        if other == N.SPEAKER:
            out.speakers.setdefault(q, set()).add(o)
        elif o not in out.cues.setdefault(q, []):
            out.cues[q].append(o)
    return out


def orphan_regions(regions: dict[str, dict[str, Any]], links: Links) -> list[str]:
    """The SPEAKER and CUE regions no relation links to a QUOTE, by offset: deleting a quote in the
    editor deletes its relations but leaves its speaker and cue behind; they carry nothing and
    are ignored (the annotator need not clean them up).

    >>> regs = {"q": {"label": "QUOTE", "start": 0, "end": 5}, "s": {"label": "SPEAKER", "start": 6, "end": 9},
    ...         "c": {"label": "CUE", "start": 10, "end": 14}}
    >>> orphan_regions(regs, Links(speakers={"q": {"s"}}))
    ['c']
    """
    linked = {o for ids in links.speakers.values() for o in ids} | {o for ids in links.cues.values() for o in ids}
    return [rid for rid, reg in sorted(regions.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"], kv[0]))
            if reg["label"] in (N.SPEAKER, N.CUE) and rid not in linked]


def paragraph_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (text between blank lines) around ``text[start:end]``.

    >>> paragraph_bounds("A said x.\\n\\nB said y.\\n\\nC.", 12, 13)
    (11, 20)
    """
    lo = text.rfind("\n\n", 0, start)
    hi = text.find("\n\n", end)
    return (0 if lo < 0 else lo + 2), (len(text) if hi < 0 else hi)


def imply_links(text: str, regions: dict[str, dict[str, Any]], values: RegionValues, links: Links, where: str,
                issues: IssueLog) -> None:
    """A QUOTE drawn with no link at all takes the one SPEAKER region and the one CUE region of its
    paragraph that no relation links (``implied_link``, a note): adding a quote then needs no
    relation drawn when its speaker and cue are the only unlinked ones around it. With two
    candidates of a kind nothing is implied (the quote is reported as before); a QUOTE with the
    ``speaker unknown`` flag takes only a cue.

    >>> regs = {"q": {"label": "QUOTE", "start": 0, "end": 5}, "s": {"label": "SPEAKER", "start": 6, "end": 9}}
    >>> links = Links(); imply_links("abcde Hun said", regs, RegionValues(), links, "t", IssueLog()); links.speakers
    {'q': {'s'}}
    """
    free = set(orphan_regions(regions, links))
    if not free:
        return
    linkless = [rid for rid, reg in sorted(regions.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"], kv[0]))
                if reg["label"] == N.QUOTE and not links.speakers.get(rid) and not links.cues.get(rid)]
    for qid in linkless:
        reg = regions[qid]
        lo, hi = paragraph_bounds(text, reg["start"], reg["end"])
        wanted = [N.CUE] if N.SPEAKER_UNKNOWN in values.flags.get(qid, set()) else [N.SPEAKER, N.CUE]
        for label in wanted:
            found = [o for o in free if regions[o]["label"] == label and lo <= regions[o]["start"] and regions[o]["end"] <= hi]
            if len(found) != 1:
                continue
            (o,) = found
            free.discard(o)
            if label == N.SPEAKER:
                links.speakers.setdefault(qid, set()).add(o)
            else:
                links.cues.setdefault(qid, []).append(o)
            issues.add("implied_link", f"{where} region {qid} (QUOTE {reg['start']}-{reg['end']}): no link drawn; "
                                       f"linked to {label} {o} ({regions[o]['start']}-{regions[o]['end']}), the only "
                                       f"unlinked {label} of its paragraph")


def count_orphan_regions(text: str, result: Any) -> int:
    """How many SPEAKER/CUE regions of one annotation ``result`` no relation links to a QUOTE
    (:func:`orphan_regions`), for ``ls pull``'s summary; nothing is reported.

    >>> r = [{"id": "s", "from_name": "label", "type": "labels", "value": {"start": 0, "end": 3, "labels": ["SPEAKER"]}}]
    >>> count_orphan_regions("Hun said", r)
    1
    """
    if not isinstance(result, list):
        return 0
    log = NullLog()
    parts = sort_results(text, result, "", log)
    return len(orphan_regions(parts.regions, link_relations(parts.relations, parts.regions, "", log)))


def _relation_link(i: int, rel: dict[str, Any], regions: dict[str, dict[str, Any]], where: str, issues: IssueLog) -> tuple[str, str, str] | None:
    """``(QUOTE id, SPEAKER or CUE, other id)`` for a valid relation, else None (reported)."""
    a, b = rel.get("from_id"), rel.get("to_id")
    a = str(a) if a is not None else None
    b = str(b) if b is not None else None
    if a not in regions or b not in regions:
        missing = a if a not in regions else b
        issues.add("dangling_relation", f"{where} relation #{i} {a}->{b}: region {missing} is missing or was dropped")
        return None
    labels = rel.get("labels") or []
    if not isinstance(labels, list):
        labels = [labels]
    ends = {regions[a]["label"]: a, regions[b]["label"]: b}
    if len(ends) != 2 or N.QUOTE not in ends:
        issues.add("bad_relation", f"{where} relation #{i} {a}->{b}: links {regions[a]['label']} to {regions[b]['label']}; expected QUOTE to SPEAKER or QUOTE to CUE")
        return None
    other = N.SPEAKER if N.SPEAKER in ends else N.CUE
    expected = N.SAID_BY if other == N.SPEAKER else N.CUE_OF
    unknown = [lab for lab in labels if lab not in (N.SAID_BY, N.CUE_OF)]
    if unknown:
        issues.add("unknown_label", f"{where} relation #{i} {a}->{b}: unknown relation label {unknown[0]!r}")
        return None
    if labels and expected not in labels:
        issues.add("bad_relation", f"{where} relation #{i} {a}->{b}: label {labels[0]!r} links QUOTE to {other}")
        return None
    return ends[N.QUOTE], other, ends[other]


# --------------------------------------------------------------------------- 5. quotes


def assemble_quotes(text: str, article_id: str, regions: dict[str, dict[str, Any]], values: RegionValues,
                    names: dict[str, str], links: Links, canonical: Callable[[str], str],
                    affiliation: Callable[[str], str | None], where: str, issues: IssueLog,
                    stance_required: bool = True) -> list[QuoteRecord]:
    """Phase 5: a quote per QUOTE region (by offset) with a stance and a speaker (or the
    ``speaker unknown`` flag); a second quote with the same offsets is dropped."""
    quotes: list[QuoteRecord] = []
    seen_offsets: set[tuple[int, int]] = set()
    for rid, reg in sorted(regions.items(), key=lambda kv: (kv[1]["start"], kv[1]["end"], kv[0])):
        if reg["label"] != N.QUOTE:
            continue
        s, e = reg["start"], reg["end"]
        st = values.stance.get(rid)
        if st is None and stance_required:
            issues.add("no_stance", f"{where} region {rid} (QUOTE {s}-{e}): no stance choice")
            continue
        if st == _INVALID_STANCE:
            continue
        found = quote_speaker(text, rid, reg, regions, values, names, links, canonical, where, issues)
        if found is None:
            continue
        speaker, sp_start, sp_end = found
        if (s, e) in seen_offsets:
            issues.add("duplicate_quote", f"{where} region {rid} (QUOTE {s}-{e}): another quote has the same offsets")
            continue
        seen_offsets.add((s, e))
        cue_ids = links.cues.get(rid, [])
        cue = min(cue_ids, key=lambda x: (regions[x]["start"], x)) if cue_ids else None
        quotes.append(
            QuoteRecord(
                quote_id=make_quote_id(article_id, s, e),
                start=s,
                end=e,
                text=text[s:e],
                kind=values.kind.get(rid) or ("direct" if is_direct(text, s, e) else "indirect"),
                speaker=speaker,
                speaker_start=sp_start,
                speaker_end=sp_end,
                cue_start=regions[cue]["start"] if cue else None,
                cue_end=regions[cue]["end"] if cue else None,
                stance=st,
                affiliation=(affiliation(speaker) or "other") if speaker else None,
                region_id=rid,
            )
        )
    return quotes


def quote_speaker(text: str, rid: str, reg: dict[str, Any], regions: dict[str, dict[str, Any]], values: RegionValues,
                  names: dict[str, str], links: Links, canonical: Callable[[str], str], where: str,
                  issues: IssueLog) -> tuple[str | None, int | None, int | None] | None:
    """``(speaker, start, end)`` of a QUOTE region: its one linked speaker (the name of phase 3,
    else the region's text, canonicalised; the first region of that speaker), or ``(None, None,
    None)`` with the ``speaker unknown`` flag, or ``(None, start, end)`` for a pronoun nobody
    named or a description that names nobody (``unnamed_speaker``, :func:`is_unnamed_mention`); None
    when the quote must be dropped (reported)."""
    s, e = reg["start"], reg["end"]
    spk_regions = links.speakers.get(rid, set())
    if not spk_regions:
        if N.SPEAKER_UNKNOWN in values.flags.get(rid, set()):
            return None, None, None
        issues.add("no_speaker", f"{where} region {rid} (QUOTE {s}-{e}): no said_by relation to a SPEAKER and no {N.SPEAKER_UNKNOWN!r} flag")
        return None
    resolved = {}
    unnamed = []
    for sid in spk_regions:
        sreg = regions[sid]
        name = names.get(sid)
        if name is None:
            mention = text[sreg["start"] : sreg["end"]].strip()
            if is_unnamed_mention(mention) and canonical(mention) == mention:
                unnamed.append(sid)
                continue
            name = canonical(mention) if mention else None
        if name:
            resolved[sid] = name
    if not resolved and unnamed:
        sid = min(unnamed, key=lambda x: (regions[x]["start"], x))
        mention = text[regions[sid]["start"] : regions[sid]["end"]].strip()
        issues.add("unnamed_speaker", f"{where} region {rid} (QUOTE {s}-{e}): its SPEAKER region {sid} ({mention!r}) has no "
                   "canonical name; kept with the mention and no name (pick the name in Label Studio)")
        return None, regions[sid]["start"], regions[sid]["end"]
    if not resolved:
        blank = ", ".join(sorted(spk_regions))
        issues.add("no_speaker", f"{where} region {rid} (QUOTE {s}-{e}): its SPEAKER region {blank} is blank and has no canonical speaker")
        return None
    if len({n.casefold() for n in resolved.values()}) > 1:
        issues.add("ambiguous_speaker", f"{where} region {rid} (QUOTE {s}-{e}): linked to several speakers: {', '.join(sorted(set(resolved.values())))}")
        return None
    sid = min(resolved, key=lambda x: (regions[x]["start"], x))
    return resolved[sid], regions[sid]["start"], regions[sid]["end"]


def is_bare_pronoun(mention: str) -> bool:
    """A SPEAKER mention that is only a pronoun ("She", "they"): never a canonical name, so a region
    left without a name keeps its mention and names nobody (the pre-annotator does the same:
    ``+pronoun_unresolved``).

    >>> is_bare_pronoun("She"), is_bare_pronoun(" they "), is_bare_pronoun("Hun Sen"), is_bare_pronoun("the spokesman")
    (True, True, False, False)
    """
    from toolkit.core.frames import OBJECT_PRONOUNS, PRONOUNS

    return mention.strip().casefold() in PRONOUNS | OBJECT_PRONOUNS


def is_anaphoric_description(mention: str) -> bool:
    """A SPEAKER mention that points back to someone without naming them: a definite or possessive
    description in lower case ("the spokesman", "her father", "the long-serving premier"). Its
    text is never a canonical name (GUIDELINES: the speaker is the person it refers to), so a
    region left without a name keeps its mention and names nobody, as a bare pronoun does
    (the pre-annotator's ``+description_unresolved``). A capitalised word makes it a name ("the
    Ministry of Interior"); an indefinite one ("a villager") is a descriptive name.

    >>> [is_anaphoric_description(m) for m in ("the spokesman", "her father", "The long-serving premier",
    ...                                         "the Ministry of Interior", "a villager", "Hun Sen", "the")]
    [True, True, True, False, False, False, False]
    """
    from toolkit.core.frames import DETERMINERS

    words = mention.split()
    if len(words) < 2 or words[0].casefold() not in DETERMINERS - {"a", "an"}:
        return False
    return not any(w[:1].isupper() for w in words[1:])


def is_unnamed_mention(mention: str) -> bool:
    """A bare pronoun or an anaphoric description: a mention that names nobody by itself.

    >>> is_unnamed_mention("he"), is_unnamed_mention("the envoy"), is_unnamed_mention("Sam Rainsy")
    (True, True, False)
    """
    return is_bare_pronoun(mention) or is_anaphoric_description(mention)


def is_direct(text: str, start: int, end: int) -> bool:
    """True when the span is surrounded by (or starts and ends with) quotation marks.

    >>> is_direct('He said “we will win” today.', 9, 20)
    True
    """
    if 0 < start and end < len(text) and text[start - 1] in QUOTE_MARKS and text[end] in QUOTE_MARKS:
        return True
    return end - start >= 2 and text[start] in QUOTE_MARKS and text[end - 1] in QUOTE_MARKS


# --------------------------------------------------------------------------- helpers


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _first_difference(a: str, b: str, context: int = 15) -> str:
    """Where two strings first differ, with some context on each side (for ``text_mismatch``).

    >>> _first_difference("Hun Sen said", "Hun Sen sad")
    "they differ from char 10 (lengths 12 and 11): common 'Hun Sen sa', then region 'id' vs text 'd'"
    """
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    lo = max(0, i - context)
    lead = ("…" if lo else "") + a[lo:i]
    return (f"they differ from char {i} (lengths {len(a)} and {len(b)}): common {lead!r}, "
            f"then region {_short(a[i:], context)!r} vs text {_short(b[i:], context)!r}")


def _short(s: Any, n: int = 40) -> str:
    s = str(s)
    return s if len(s) <= n else s[: n - 1] + "…"
