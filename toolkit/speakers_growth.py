"""Registry growth from corrections: the speakers annotators named that the pre-annotation did not.

``quotekit speakers suggest --from-export EXPORT...`` reads Label Studio exports. For every
submitted annotation it takes the prediction the annotation started from (as ``quotekit
corrections`` does), aligns the final quotes with the proposed ones (the same matching: spans
overlap, token Jaccard >= 0.5, one-to-one) and keeps each final quote whose speaker

* the annotator *named*: a ``speaker`` list choice or a typed ``speaker_new`` name on its SPEAKER
  region (the export reader's own reading: :func:`~toolkit.labelstudio.export.resolve_speaker`
  decides when a region has both); a SPEAKER region left without a name is not counted, and
* differs from what the matched proposal said (another name, or no speaker), or the quote was
  not proposed at all (an added quote).

Each such name is then sorted (:func:`group_changes`):

* **registry speaker**: a registry name or alias. The annotator corrected the *attribution*, not
  the registry: listed as a speaker change, never a suggestion;
* **likely alias or misspelling of <entry>**: its name, or its name without leading titles, is a
  registry form, or scores at least :data:`ALIAS_THRESHOLD` (rapidfuzz ratio or token-sort
  ratio, case and punctuation folded) against one (:class:`RegistryMatcher`);
* **new person**: anything else; new names similar to one another are folded into one suggestion
  (the most frequent spelling is the name, the others its aliases).

Suggestions are numbered; ``--apply`` adds them (all, or those of ``--only``) to the registry
file by :func:`edit_registry_text`: aliases into the entry's alias list, new entries at the end
of the ``speakers:`` list in the file's own layout; comments, order and formatting stay. A
suggestion that would break the registry's conventions (a one-word person alias or name, a form
that names another entry once its titles are stripped) is shown with the reason and never applied.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from toolkit.config import Registry, Speaker
from toolkit.core.speakers import strip_titles, words
from toolkit.corrections import Corrections, compared_annotations
from toolkit.labelstudio.export import IssueLog
from toolkit.labelstudio.export.annotation import read_region_values, sort_results, speaker_names
from toolkit.speakers_suggest import entry_lines, guess_kind, quote_context, yaml_scalar

#: a name scoring at least this against a registry form is "likely an alias or misspelling" of it
#: (the resolver's fuzzy step uses the same figure: "Sar Keng" -> Sar Kheng 94, "Hun Many" vs
#: Hun Manet 82 stays a new person)
ALIAS_THRESHOLD = 85.0

REGISTRY = "registry"
ALIAS = "alias"
NEW = "new"


@dataclass
class Change:
    """One final quote whose speaker the annotator named differently from the proposal."""

    name: str  # as chosen or typed
    source: str  # "list" (the speaker choice) or "typed" (speaker_new)
    proposed: str | None  # the matched proposal's speaker (canonical); None: no speaker or no proposal
    added: bool  # the quote was not proposed at all
    mention: str  # the SPEAKER region's text
    context: str
    where: str
    task: str


@dataclass
class Suggestion:
    """A registry addition (``group`` alias or new) or, for ``group`` registry, a speaker change."""

    group: str
    name: str
    entry: str | None = None  # alias: the registry entry it belongs to; registry: the entry chosen
    close_to: str | None = None  # alias: the registry form it matched
    score: float | None = None
    count: int = 0
    tasks: set[str] = field(default_factory=set)
    sources: Counter = field(default_factory=Counter)  # list / typed
    proposed: Counter = field(default_factory=Counter)  # what the proposals said ("(none)", "(not proposed)")
    variants: Counter = field(default_factory=Counter)  # new: other spellings folded in
    kind: str = "person"
    context: str = ""
    where: str = ""
    blocked: str | None = None  # why --apply never adds it
    id: int | None = None

    def aliases(self) -> list[str]:
        """The forms ``--apply`` adds: the name (alias group) or the variants (new group)."""
        return [self.name] if self.group == ALIAS else [v for v, _ in self.variants.most_common()]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "group": self.group, "name": self.name, "entry": self.entry, "close_to": self.close_to,
                "score": self.score, "count": self.count, "tasks": len(self.tasks), "sources": dict(self.sources),
                "proposed": dict(self.proposed.most_common()), "variants": dict(self.variants.most_common()),
                "kind": self.kind, "context": self.context, "where": self.where, "blocked": self.blocked}


@dataclass
class GrowthReport:
    annotations_compared: int = 0
    final_quotes: int = 0
    changes: list[Change] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)  # alias and new, numbered
    registry_changes: list[Suggestion] = field(default_factory=list)  # group registry, not numbered
    unreadable: list[str] = field(default_factory=list)  # invalid_json messages

    def to_dict(self) -> dict[str, Any]:
        return {"annotations_compared": self.annotations_compared, "final_quotes": self.final_quotes,
                "speaker_changes": len(self.changes),
                "suggestions": [s.to_dict() for s in self.suggestions],
                "registry_speaker_changes": [s.to_dict() for s in self.registry_changes]}


# --------------------------------------------------------------------------- reading the exports


def named_speaker_regions(text: str, result: Any, prediction: Any, stance_labels: Iterable[str], where: str) -> dict[tuple[int, int], tuple[str, str]]:
    """``(start, end)`` of each SPEAKER region the annotator named -> ``(name, "list" | "typed")``,
    read by the export reader's phases 1-3 (a region with both: :func:`resolve_speaker`'s winner).

    >>> r = [{"id": "s", "from_name": "label", "type": "labels", "value": {"start": 0, "end": 3, "text": "Hun", "labels": ["SPEAKER"]}},
    ...      {"id": "s", "from_name": "speaker_new", "type": "textarea", "value": {"text": ["Hun Senn"]}}]
    >>> named_speaker_regions("Hun said so.", r, None, ["favor"], "t")
    {(0, 3): ('Hun Senn', 'typed')}
    """
    if not isinstance(result, list):
        return {}
    quiet = IssueLog()
    parts = sort_results(text, result, where, quiet)
    values = read_region_values(parts, set(stance_labels), where, quiet)
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for rid, name in speaker_names(parts.regions, values, prediction, lambda s: s, where, quiet).items():
        reg = parts.regions[rid]
        source = "typed" if values.speaker_typed.get(rid) == name else "list"
        out.setdefault((reg["start"], reg["end"]), (name, source))
    return out


def speaker_changes(paths: Iterable[str | Path], *, registry: Registry, stance_labels: Iterable[str],
                    model_version: str | None = None) -> GrowthReport:
    """Every final quote whose speaker the annotator named differently from the proposal (module
    docstring); annotations and their predictions are paired by :func:`~toolkit.corrections.compared_annotations`."""
    labels = tuple(stance_labels)
    out = GrowthReport()
    seen = Corrections()
    for c in compared_annotations(paths, registry=registry, stance_labels=labels, model_version=model_version, seen=seen):
        out.annotations_compared += 1
        out.final_quotes += len(c.final)
        named = named_speaker_regions(c.text, c.annotation.get("result"), c.prediction["result"], labels, c.where)
        for fi, f in enumerate(c.final):
            hit = named.get((f.speaker_start, f.speaker_end)) if f.speaker else None
            if hit is None:
                continue
            p = c.proposed[c.matched[fi]] if fi in c.matched else None
            if p is not None and (p.speaker or "").casefold() == f.speaker.casefold():
                continue
            q = {"start": f.start, "end": f.end, "speaker_start": f.speaker_start, "speaker_end": f.speaker_end}
            out.changes.append(Change(hit[0], hit[1], p.speaker if p else None, p is None,
                                      c.text[f.speaker_start:f.speaker_end], quote_context(c.text, q), c.where, c.article_id))
    out.unreadable += seen.problems
    return out


# --------------------------------------------------------------------------- grouping


def name_score(a: str, b: str, **_: Any) -> float:
    """How alike two (already folded) names are: the better of rapidfuzz's ratio and token-sort
    ratio (so "sen hun" is "hun sen", and one wrong letter in a first word still counts).

    >>> name_score("hun senn", "hun sen") > 90, name_score("sen hun", "hun sen"), name_score("hun many", "hun manet") < 85
    (True, 100.0, True)
    """
    from rapidfuzz import fuzz

    return max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b))


class RegistryMatcher:
    """The registry form most like a name (:meth:`closest`)."""

    def __init__(self, registry: Registry, titles: Iterable[str] = (), threshold: float = ALIAS_THRESHOLD) -> None:
        from rapidfuzz.utils import default_process

        self.registry = registry
        self.titles = frozenset(t.casefold() for t in titles)
        self.threshold = threshold
        self.fold = default_process  # case and punctuation folded, as the forms are
        self.forms = [(form, sp) for sp in registry for form in sp.surface_forms]
        self._folded = [default_process(form) for form, _ in self.forms]

    def stripped(self, name: str) -> str:
        """``name`` without its leading titles ("Prime Minister Hun Sen" -> "Hun Sen")."""
        return strip_titles(name, self.titles)

    def closest(self, name: str) -> tuple[Speaker, str, float] | None:
        """``(entry, form, score)``: the registry form equal to ``name`` without its titles (score
        100), else the best-scoring form at or above the threshold (ties: registry order), else None."""
        from rapidfuzz import process

        bare = self.stripped(name)
        sp = self.registry.get(bare)
        if sp is not None:
            return sp, bare, 100.0
        best = None
        for query in dict.fromkeys((name, bare)):
            hit = process.extractOne(self.fold(query), self._folded, scorer=name_score, processor=None, score_cutoff=self.threshold)
            if hit is not None and (best is None or hit[1] > best[1] or (hit[1] == best[1] and hit[2] < best[2])):
                best = hit
        if best is None:
            return None
        form, sp = self.forms[best[2]]
        return sp, form, round(float(best[1]), 1)

    def name_words(self, form: str) -> tuple[str, ...]:
        """The words of ``form`` after its leading titles (as the registry's conventions count them)."""
        w = words(form)
        k = 0
        while k < len(w) and w[k].casefold() in self.titles:
            k += 1
        return w[k:]


def classify(name: str, matcher: RegistryMatcher) -> Suggestion:
    """An empty suggestion for ``name``: a registry speaker, a likely alias of an entry, or new.

    >>> from toolkit.config import parse_registry
    >>> m = RegistryMatcher(parse_registry({"speakers": [{"name": "Sar Kheng", "affiliation": "government"}]}, "x.yaml"))
    >>> [(s.group, s.entry) for s in (classify("sar kheng", m), classify("Sar Keng", m), classify("Jane Doe", m))]
    [('registry', 'Sar Kheng'), ('alias', 'Sar Kheng'), ('new', None)]
    """
    sp = matcher.registry.get(name)
    if sp is not None:
        return Suggestion(REGISTRY, sp.name, entry=sp.name)
    hit = matcher.closest(name)
    if hit is not None:
        return Suggestion(ALIAS, name, hit[0].name, hit[1], hit[2], kind=hit[0].kind)
    return Suggestion(NEW, name, kind=guess_kind(name))


def group_changes(changes: Iterable[Change], matcher: RegistryMatcher) -> tuple[list[Suggestion], list[Suggestion]]:
    """``(suggestions, registry speaker changes)`` (module docstring); suggestions numbered from 1:
    aliases first (by entry, most frequent first), then new people (most frequent first)."""
    by_key: dict[tuple[str, str], Suggestion] = {}
    for c in changes:
        s = by_key.get(("", c.name.casefold()))  # the name seen before, whatever its group
        if s is None:
            s = classify(c.name, matcher)
            s.context, s.where = c.context, c.where
            s = by_key.setdefault((s.group, s.name.casefold()), s)  # a registry entry chosen under several names: one row
            by_key[("", c.name.casefold())] = s
        s.count += 1
        s.tasks.add(c.task)
        s.sources[c.source] += 1
        s.proposed["(not proposed)" if c.added else (c.proposed or "(no speaker)")] += 1
    groups = {k: s for k, s in by_key.items() if k[0]}
    registry_changes = sorted((s for (g, _), s in groups.items() if g == REGISTRY), key=lambda s: (-s.count, s.name.casefold()))
    aliases = sorted((s for (g, _), s in groups.items() if g == ALIAS), key=lambda s: (s.entry.casefold(), -s.count, s.name.casefold()))
    new = _fold_variants(sorted((s for (g, _), s in groups.items() if g == NEW), key=lambda s: (-s.count, s.name.casefold())), matcher)
    suggestions = aliases + new
    for i, s in enumerate(suggestions, start=1):
        s.blocked = _blocked(s, matcher)
        s.id = i
    return suggestions, registry_changes


def _fold_variants(new: list[Suggestion], matcher: RegistryMatcher) -> list[Suggestion]:
    """Fold each new name into an earlier (more frequent) one it scores at least the threshold against."""
    kept: list[Suggestion] = []
    for s in new:
        host = next((k for k in kept if name_score(matcher.fold(s.name), matcher.fold(k.name)) >= matcher.threshold), None)
        if host is None:
            kept.append(s)
            continue
        host.variants[s.name] += s.count
        host.count += s.count
        host.tasks |= s.tasks
        host.sources.update(s.sources)
        host.proposed.update(s.proposed)
    return kept


def _blocked(s: Suggestion, matcher: RegistryMatcher) -> str | None:
    """Why ``--apply`` must not add ``s`` (configs/speakers.yaml conventions), else None."""
    if s.kind == "person":
        for form in [s.name] + s.aliases():
            if len(matcher.name_words(form)) < 2:
                what = "alias" if s.group == ALIAS or form != s.name else "name"
                return f"one-word person {what} {form!r}: the registry keeps full names (the resolver's surname step finds a lone surname)"
    for form in [s.name] + s.aliases():
        other = matcher.registry.get(" ".join(matcher.name_words(form)))
        if other is not None and other.name != s.entry:
            return f"{form!r} without its titles is {other.name!r}'s name: pick {other.name!r} in Label Studio instead"
    return None


# --------------------------------------------------------------------------- editing the registry file


class RegistryEditError(ValueError):
    """The registry file has a layout :func:`edit_registry_text` cannot edit safely."""


def edit_registry_text(text: str, aliases: Iterable[tuple[str, str]], entries: Iterable[Suggestion]) -> str:
    """``text`` (a speakers.yaml) with ``aliases`` ``(entry name, alias)`` added to the entries'
    alias lists and ``entries`` appended to the ``speakers:`` list, in the file's own layout.
    Only inserts text: comments, order and formatting stay. Aliases an entry already has
    (any case) are skipped.

    >>> print(edit_registry_text("speakers:  # all\\n  - name: Hun Sen\\n    affiliation: government\\n", [("Hun Sen", "Hun Senn")], []), end="")
    speakers:  # all
      - name: Hun Sen
        aliases: [Hun Senn]
        affiliation: government
    """
    import yaml

    nl = "\r\n" if "\r\n" in text else "\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    seq = _speakers_node(root)
    items = {_scalar(item, "name").strip().casefold(): item for item in seq.value if isinstance(item, yaml.MappingNode) and _scalar(item, "name")}
    edits: list[tuple[int, str]] = []
    seen: set[str] = set()
    for entry, alias in aliases:
        item = items.get(entry.strip().casefold())
        if item is None:
            raise RegistryEditError(f"no entry named {entry!r} in the speakers list")
        node = _value(item, "aliases")
        have = {n.value.strip().casefold() for n in node.value} if isinstance(node, yaml.SequenceNode) else set()
        have.add(_scalar(item, "name").strip().casefold())
        if alias.casefold() in have or (entry.casefold(), alias.casefold()) in seen:
            continue
        seen.add((entry.casefold(), alias.casefold()))
        edits.append(_alias_edit(text, item, node, alias, nl))
    new = list(entries)
    if new:
        edits.append(_append_edit(text, seq, new, nl))
    out = text
    for index, piece in sorted(_merge_same_index(edits), key=lambda e: -e[0]):
        out = out[:index] + piece + out[index:]
    return out


def _speakers_node(root: Any):
    import yaml

    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if k.value == "speakers" and isinstance(v, yaml.SequenceNode):
                if v.flow_style or not v.value:
                    raise RegistryEditError("the 'speakers:' list is empty or written in flow style [...]: add the first entries by hand")
                return v
    raise RegistryEditError("no 'speakers:' list at the top level")


def _value(mapping: Any, key: str) -> Any:
    return next((v for k, v in mapping.value if k.value == key), None)


def _scalar(mapping: Any, key: str) -> str:
    import yaml

    v = _value(mapping, key)
    return v.value if isinstance(v, yaml.ScalarNode) and isinstance(v.value, str) else ""


def _line_end(text: str, index: int) -> int:
    """The index just after the end of the line holding ``index`` (its newline included)."""
    k = text.find("\n", index)
    return len(text) if k < 0 else k + 1


def _merge_same_index(edits: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Edits at one index joined in their order (so two aliases for one list keep theirs)."""
    merged: dict[int, str] = {}
    for index, piece in edits:
        merged[index] = merged.get(index, "") + piece
    return list(merged.items())


def _alias_edit(text: str, item: Any, node: Any, alias: str, nl: str) -> tuple[int, str]:
    """Where and what to insert to add ``alias`` to the entry ``item`` (``node``: its aliases list or None)."""
    import yaml

    scalar = yaml_scalar(alias)
    if isinstance(node, yaml.SequenceNode):
        if node.flow_style:
            if not node.value:
                return node.start_mark.index + 1, scalar
            return node.value[-1].end_mark.index, f", {scalar}"
        last = node.value[-1]
        return _line_end(text, last.end_mark.index), f"{' ' * node.start_mark.column}- {scalar}{nl}"
    if node is not None:
        raise RegistryEditError(f"entry {_scalar(item, 'name')!r}: 'aliases' is not a list")
    name_key, name_value = next((k, v) for k, v in item.value if k.value == "name")
    if item.flow_style:
        return name_value.end_mark.index, f", aliases: [{scalar}]"
    return _line_end(text, name_value.end_mark.index), f"{' ' * name_key.start_mark.column}aliases: [{scalar}]{nl}"


def _append_edit(text: str, seq: Any, entries: list[Suggestion], nl: str) -> tuple[int, str]:
    """The new entries, laid out like the last entry of the list, inserted after it."""
    last = seq.value[-1]
    end = _last_content_index(last)
    at = _line_end(text, end)
    line_start = text.rfind("\n", 0, last.start_mark.index) + 1
    prefix = text[line_start:last.start_mark.index]
    if prefix.strip() != "-":
        prefix = " " * max(0, last.start_mark.column - 2) + "- "
    dash = prefix[: prefix.index("-")]
    flow_aliases = _aliases_style_is_flow(seq)
    lines = [f"{dash}# --- added by `quotekit speakers suggest --from-export` from annotators' corrections: set each affiliation"]
    for s in entries:
        lines += entry_lines(s.name, s.aliases(), s.kind, item_prefix=prefix, flow_mapping=bool(getattr(last, "flow_style", False)),
                             flow_aliases=flow_aliases)
    piece = nl.join(lines) + nl
    if at == len(text) and not text.endswith("\n"):
        piece = nl + piece
    return at, piece


def _last_content_index(node: Any) -> int:
    """The end of the last scalar or flow collection inside ``node`` (a block node's own end mark
    runs on over the blank and comment lines after it)."""
    import yaml

    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else list(node.value)
    return max((_last_content_index(c) for c in children), default=node.start_mark.index)


def _aliases_style_is_flow(seq: Any) -> bool:
    """Does the file write alias lists in flow style ``[a, b]`` (the majority; flow when none)?"""
    import yaml

    styles = Counter(bool(v.flow_style) for item in seq.value if isinstance(item, yaml.MappingNode)
                     for v in [_value(item, "aliases")] if isinstance(v, yaml.SequenceNode))
    return styles[True] >= styles[False]


def apply_suggestions(path: Path, suggestions: Iterable[Suggestion]) -> tuple[str, str]:
    """Write ``suggestions`` (alias and new, not blocked) into the registry file ``path``:
    :func:`edit_registry_text`, then the result is loaded with the project's registry loader
    (:func:`toolkit.config.load_registry`, from a temporary copy) and every addition is checked to
    resolve to its entry; only then is ``path`` replaced, atomically. Returns ``(old text, new text)``;
    nothing is written when they are equal."""
    from toolkit.config import load_registry
    from toolkit.errors import BadInputError, QuotekitError
    from toolkit.io import atomic_write_text

    chosen = [s for s in suggestions if s.group in (ALIAS, NEW) and not s.blocked]
    with open(path, encoding="utf-8", newline="") as fh:
        old = fh.read()
    try:
        new = edit_registry_text(old, [(s.entry, a) for s in chosen if s.group == ALIAS for a in s.aliases()],
                                 [s for s in chosen if s.group == NEW])
    except RegistryEditError as exc:
        raise BadInputError(f"{path}: {exc}; nothing was written") from None
    if new == old:
        return old, new
    with tempfile.TemporaryDirectory(prefix="quotekit-registry-") as tmp:
        check = Path(tmp) / path.name
        check.write_text(new, encoding="utf-8", newline="")
        try:
            reg = load_registry(check)
        except QuotekitError as exc:
            raise BadInputError(f"{str(exc).replace(str(check), str(path))} (in the registry as edited; nothing was written)") from None
    for s in chosen:
        want = s.entry if s.group == ALIAS else s.name
        for form in [s.name, *s.aliases()]:
            sp = reg.get(form)
            if sp is None or sp.name != want:
                raise BadInputError(f"{path}: after the edit {form!r} does not resolve to {want!r}; nothing was written")
    atomic_write_text(path, new)
    return old, new


def unified_diff(old: str, new: str, path: Path | str) -> str:
    """The change as a unified diff, three lines of context: ``a/PATH`` -> ``b/PATH`` for a path
    relative to the working directory (as git writes it), else the absolute path on both sides.

    >>> print(unified_diff("a: 1\\n", "a: 1\\nb: 2\\n", "configs/x.yaml"), end="")
    --- a/configs/x.yaml
    +++ b/configs/x.yaml
    @@ -1 +1,2 @@
     a: 1
    +b: 2
    """
    p = Path(path)
    try:
        rel = p.resolve().relative_to(Path.cwd().resolve()) if p.is_absolute() else p
        names = (f"a/{rel.as_posix()}", f"b/{rel.as_posix()}")
    except ValueError:
        names = (str(p), str(p))
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        fromfile=names[0], tofile=names[1]))


def parse_only(value: str | None, suggestions: list[Suggestion]) -> list[Suggestion]:
    """The suggestions ``--only`` names: numbers (``"1,3"``), ranges (``"2-4"``) or names (``"Hun
    Senn"``, any case; a name stays the same after an ``--apply`` renumbers the rest), or every
    applicable one when ``value`` is None; raises ValueError naming an unknown or blocked one.

    >>> ss = [Suggestion(ALIAS, "A B", id=1), Suggestion(NEW, "C D", id=2), Suggestion(NEW, "E F", id=3)]
    >>> [s.name for s in parse_only("1,3", ss)], [s.name for s in parse_only("2-3", ss)], [s.name for s in parse_only("e f", ss)]
    (['A B', 'E F'], ['C D', 'E F'], ['E F'])
    """
    if value is None:
        return [s for s in suggestions if not s.blocked]
    by_id = {s.id: s for s in suggestions}
    by_name = {s.name.casefold(): s for s in suggestions}
    out: list[Suggestion] = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", part)
        if m is None:
            if part.casefold() not in by_name:
                raise ValueError(f"--only {value!r}: no suggestion is named {part!r}")
            picked = [by_name[part.casefold()]]
        else:
            ids = range(int(m[1]), int(m[2] or m[1]) + 1)
            missing = [i for i in ids if i not in by_id]
            if missing:
                raise ValueError(f"--only {value!r}: there is no suggestion #{missing[0]} (they are numbered 1-{len(suggestions)})")
            picked = [by_id[i] for i in ids]
        for s in picked:
            if s.blocked:
                raise ValueError(f"--only {value!r}: suggestion #{s.id} {s.name!r} cannot be applied: {s.blocked}")
            if s not in out:
                out.append(s)
    return out
