"""Suggest registry entries: speakers the pre-annotator found but could not resolve to the registry.

Input is pre-annotator output (``{article_id, quotes: [Quote dicts]}``) plus the article texts;
output is a list of :class:`Suggestion` and a YAML snippet for ``configs/speakers.yaml``.
A speaker is suggested when

* its name (the quote's ``speaker``) is not a registry name or alias, and
* its mention is a name, not a pronoun or a description: after leading titles and determiners
  it still has a capitalised word that is not just the capital of a sentence start ("he",
  "the spokesman", "a government official", "Officials said" are left out; "Thailand said" is
  kept when "thailand" never appears in lower case in that article).

Mentions that are one word and equal the last word of exactly one longer suggested name
("Rainsy" next to "Sam Rainsy") are folded into it as an alias.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from toolkit.config import Registry

_WORD = re.compile(r"[\w][\w.’'\-]*", re.UNICODE)
_SENTENCE_START = re.compile(r"(^|[.!?:;]\s*[\"“”'’]?\s*|\n\s*[\"“”'’]?\s*|[\"“”]\s*)$")
#: Capitalised words that are not names (a mention made only of these is not a speaker).
NOT_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)
ORGANISATION_WORDS = frozenset(
    "party ministry government council committee commission union association agency court office "
    "international watch network alliance organisation organization foundation institute department "
    "embassy army police parliament assembly senate bank group front movement centre center league".split()
)


@dataclass
class Suggestion:
    """One candidate registry entry."""

    name: str
    count: int = 0
    aliases: Counter = field(default_factory=Counter)  # other surface forms seen, with counts
    articles: set[str] = field(default_factory=set)
    examples: list[str] = field(default_factory=list)
    kind: str = "person"


def _is_sentence_start(text: str, pos: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, pos - 4) : pos])) or pos == 0


def is_name_mention(mention: str, text: str = "", pos: int | None = None, pronouns: Iterable[str] = (), titles: Iterable[str] = ()) -> bool:
    """True when ``mention`` names someone rather than being a pronoun or a description.

    >>> is_name_mention("he", pronouns={"he"}), is_name_mention("the spokesman", titles={"the"})
    (False, False)
    >>> is_name_mention("opposition leader Sam Rainsy", titles={"opposition", "leader"})
    True
    """
    pron = {p.casefold() for p in pronouns}
    ttl = {t.casefold() for t in titles}
    words = _WORD.findall(mention)
    if not words or (len(words) == 1 and words[0].casefold() in pron):
        return False
    caps = [i for i, w in enumerate(words) if w[:1].isupper() and w.casefold() not in ttl | pron | NOT_NAMES]
    if not caps:
        return False
    if caps == [0] and pos is not None and text and _is_sentence_start(text, pos):
        # "Officials said ..." vs "Thailand said ...": a common noun also appears in lower case
        first = words[0]
        return re.search(r"(?<!\w)" + re.escape(first.lower()) + r"(?!\w)", text) is None
    return True


def _trim_name(name: str) -> str:
    """Drop trailing lower-case words and punctuation: ``"Sam Rainsy no doubt"`` -> ``"Sam Rainsy"``."""
    words = name.split()
    while len(words) > 1 and not words[-1][:1].isupper():
        words.pop()
    return " ".join(words).strip(" ,;:")


def _strip_titles(mention: str, titles: set[str]) -> str:
    """The mention without leading titles/determiners, when a capitalised name remains."""
    from toolkit.core.speakers import strip_titles

    return strip_titles(mention.strip().strip("“”\"‘’,.:;"), frozenset(titles))


def quote_context(text: str, q: Mapping[str, Any], width: int = 180) -> str:
    """The sentence(s) holding the quote and its speaker mention, on one line, shortened to ``width``.

    >>> quote_context("Intro. Hun Sen said it would rain. Later.", {"start": 19, "end": 33, "speaker_start": 7, "speaker_end": 14})
    'Hun Sen said it would rain.'
    """
    points = [p for p in (q.get("start"), q.get("end"), q.get("speaker_start"), q.get("speaker_end")) if isinstance(p, int)]
    lo, hi = min(points), max(points)
    para_lo = text.rfind("\n", 0, lo) + 1
    para_hi = text.find("\n", hi)
    para_hi = len(text) if para_hi < 0 else para_hi
    m = None
    for m in re.finditer(r"[.!?][\"”’]?\s", text[para_lo:lo]):
        pass
    s = para_lo + (m.end() if m else 0)
    m2 = re.search(r"[.!?][\"”’]?(\s|$)", text[hi:para_hi])
    e = hi + (m2.end() if m2 else para_hi - hi)
    snippet = " ".join(text[s:e].split())
    if len(snippet) > width:
        half = width // 2 - 2
        snippet = snippet[:half].rstrip() + " … " + snippet[-half:].lstrip()
    return snippet


def suggest_speakers(
    predictions: Iterable[Mapping[str, Any]],
    texts: Mapping[str, str],
    registry: Registry,
    *,
    pronouns: Iterable[str] = (),
    titles: Iterable[str] = (),
    min_count: int = 1,
    max_examples: int = 2,
) -> list[Suggestion]:
    """Unresolved named speakers in ``predictions``, most frequent first (see the module docstring)."""
    pronouns = set(pronouns)
    titles = set(titles)
    by_key: dict[str, Suggestion] = {}
    for rec in predictions:
        aid = str(rec.get("article_id"))
        text = texts.get(aid, "")
        for q in rec.get("quotes") or []:
            name = _trim_name((q.get("speaker") or "").strip())
            if not name or registry.get(name) is not None:
                continue
            s, e = q.get("speaker_start"), q.get("speaker_end")
            has_offsets = isinstance(s, int) and isinstance(e, int) and text
            mention = text[s:e] if has_offsets else name
            if registry.get(mention) is not None:
                continue
            if not is_name_mention(mention, text, s if has_offsets else None, pronouns, titles):
                continue
            if not is_name_mention(name, pronouns=pronouns, titles=titles):
                continue
            sug = by_key.setdefault(name.casefold(), Suggestion(name))
            sug.count += 1
            sug.articles.add(aid)
            alias = _trim_name(_strip_titles(mention, titles))
            if alias and alias != sug.name:
                sug.aliases[alias] += 1
            if text and len(sug.examples) < max_examples:
                ex = quote_context(text, q)
                if ex not in sug.examples:
                    sug.examples.append(ex)
    _fold_surnames(by_key)
    out = [s for s in by_key.values() if s.count >= min_count]
    for s in out:
        s.kind = guess_kind(s.name)
    return sorted(out, key=lambda s: (-s.count, s.name.casefold()))


def guess_kind(name: str) -> str:
    """``organisation`` when a word of ``name`` names a body (:data:`ORGANISATION_WORDS`) or it is
    one acronym of three or more capitals, else ``person``.

    >>> guess_kind("Khmer Youth Association"), guess_kind("LICADHO"), guess_kind("Jane Doe")
    ('organisation', 'organisation', 'person')
    """
    w = _WORD.findall(name)
    if any(x.casefold() in ORGANISATION_WORDS for x in w) or (len(w) == 1 and len(w[0]) >= 3 and w[0].isupper()):
        return "organisation"
    return "person"


def _fold_surnames(by_key: dict[str, Suggestion]) -> None:
    """Fold one-word names into the single longer name that ends with that word."""
    for key in [k for k, s in by_key.items() if len(_WORD.findall(s.name)) == 1]:
        short = by_key[key]
        targets = [s for k, s in by_key.items() if k != key and len(_WORD.findall(s.name)) > 1 and _WORD.findall(s.name)[-1].casefold() == key]
        if len(targets) != 1:
            continue
        long = targets[0]
        long.count += short.count
        long.articles |= short.articles
        long.aliases[short.name] += short.count
        long.aliases.update(short.aliases)
        for ex in short.examples:
            if ex not in long.examples and len(long.examples) < 2:
                long.examples.append(ex)
        del by_key[key]


def yaml_scalar(s: str) -> str:
    """A YAML scalar: plain when safe (also inside ``[...]``), else double-quoted.

    >>> yaml_scalar("Hun Sen"), yaml_scalar("Sam Rainsy, the leader"), yaml_scalar("yes")
    ('Hun Sen', '"Sam Rainsy, the leader"', '"yes"')
    """
    import json

    if re.fullmatch(r"[A-Za-z][\w .’'\-()]*", s) and not s.endswith(" ") and s.lower() not in {"yes", "no", "true", "false", "null", "on", "off"}:
        return s
    return json.dumps(s, ensure_ascii=False)


def entry_lines(name: str, aliases: Iterable[str], kind: str = "person", *, item_prefix: str = "  - ",
                flow_mapping: bool = False, flow_aliases: bool = True) -> list[str]:
    """The lines of a new registry entry (``affiliation: other`` marked TODO for the curator), laid
    out as ``item_prefix`` says (the list's indentation and dash), as a block or a flow mapping.

    >>> entry_lines("Jane Doe", ["J. Doe"])
    ['  - name: Jane Doe', '    aliases: [J. Doe]', '    affiliation: other  # TODO']
    >>> entry_lines("Khmer Youth Association", [], "organisation", item_prefix="- ", flow_mapping=True)
    ['- {name: Khmer Youth Association, kind: organisation, affiliation: other}  # TODO: affiliation']
    """
    aliases = [yaml_scalar(a) for a in aliases]
    if flow_mapping:
        fields = [f"name: {yaml_scalar(name)}"] + ([f"aliases: [{', '.join(aliases)}]"] if aliases else [])
        fields += [f"kind: {kind}"] if kind != "person" else []
        return [f"{item_prefix}{{{', '.join(fields + ['affiliation: other'])}}}  # TODO: affiliation"]
    pad = " " * len(item_prefix)
    lines = [f"{item_prefix}name: {yaml_scalar(name)}"]
    if aliases and flow_aliases:
        lines.append(f"{pad}aliases: [{', '.join(aliases)}]")
    elif aliases:
        lines += [f"{pad}aliases:"] + [f"{pad}  - {a}" for a in aliases]
    if kind != "person":
        lines.append(f"{pad}kind: {kind}")
    lines.append(f"{pad}affiliation: other  # TODO")
    return lines


def to_yaml(suggestions: Iterable[Suggestion], registry: Registry | None = None) -> str:
    """Entries to paste under ``speakers:`` in ``configs/speakers.yaml``.

    Aliases already used by the registry (or by another suggestion) are left out, so the file
    still validates; ``affiliation`` is ``other`` with a TODO for the curator.
    """
    used = {form.casefold() for sp in (registry or []) for form in sp.surface_forms}
    lines = ["  # --- suggested by `quotekit speakers suggest`: check names, merge variants, set affiliation"]
    for s in suggestions:
        if s.name.casefold() in used:
            continue
        used.add(s.name.casefold())
        aliases = []
        for alias, _ in s.aliases.most_common():
            if alias.casefold() not in used:
                used.add(alias.casefold())
                aliases.append(alias)
        lines += entry_lines(s.name, aliases, s.kind)
    return "\n".join(lines) + "\n"
