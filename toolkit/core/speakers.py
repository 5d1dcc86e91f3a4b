"""Speaker mentions -> canonical speakers, through the registry and the article so far.

:class:`SpeakerResolver` is made once per article (it keeps the speakers already seen) and
resolves one mention at a time, in text order, by these named steps, first hit wins:

1. ``pronoun``: he/she/they/it/who -> the nearest previous speaker of compatible gender or kind
   (registry gender; an unknown gender is compatible, with a lower score);
2. ``registry``: the mention or its longest trailing word run is a registry name or alias
   ("Foreign Ministry spokesperson Koy Kuong" -> Koy Kuong, "the CNRP" -> Cambodia National
   Rescue Party);
3. ``surname``: one name word ("Rainsy", "Mr. Chambers") -> a speaker seen earlier whose name
   has that word, else the single registry person whose last name word it is;
4. ``fuzzy``: rapidfuzz ratio >= threshold against registry person names of the same length,
   every word similar ("Kuy Kuong" -> Koy Kuong; "Kem Sokha" is not "Kem Monovithya");
5. ``role``: a definite role noun ("the prime minister", "the spokesman") -> the nearest previous
   speaker whose registry role title has it, else the nearest previous person;
6. ``as_written``: anything else is kept as written with leading titles removed, never forced
   onto a registry entry.

Limits: no real coreference; antecedents are previous *speakers* (and registry names seen in
the text before), not every noun phrase; plural "they" resolves only to organisations.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from toolkit.config import Registry, Speaker

_WORD = re.compile(r"[\w][\w.’'\-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"[’']s\b")


#: the keys :meth:`MentionLexicon.from_dict` reads (anything else in mentions.yaml is a misspelling)
MENTION_KEYS = ("titles", "role_nouns", "body_nouns", "group_nouns", "label_stop", "pronouns")
#: what a pronoun may refer to (see :meth:`SpeakerResolver.pronoun`)
PRONOUN_VALUES = ("male", "female", "organisation", "any")


@dataclass(frozen=True)
class MentionLexicon:
    titles: frozenset[str] = frozenset()
    role_nouns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    body_nouns: frozenset[str] = frozenset()
    group_nouns: frozenset[str] = frozenset()
    label_stop: frozenset[str] = frozenset()
    pronouns: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Any = "mentions.yaml") -> "MentionLexicon":
        """Validate and build; errors are :class:`~toolkit.config.ConfigError` naming ``source``."""
        from toolkit.config import ConfigError, check_keys, expect_list, expect_mapping

        check_keys(data, MENTION_KEYS, source, "top level")
        role_nouns = expect_mapping(data.get("role_nouns"), source, "role_nouns", " of noun -> list of forms")
        pronouns = expect_mapping(data.get("pronouns"), source, "pronouns", " of pronoun -> one of " + ", ".join(PRONOUN_VALUES))
        for k, v in pronouns.items():
            if v not in PRONOUN_VALUES:
                raise ConfigError(f"{source}: key 'pronouns.{k}': {v!r} is not one of: {', '.join(PRONOUN_VALUES)}")

        def words(key: str):
            return expect_list(data.get(key), source, key)

        return cls(
            titles=frozenset(str(t).lower() for t in words("titles")),
            role_nouns={str(k).lower(): tuple(str(x).lower() for x in expect_list(v, source, f"role_nouns.{k}")) for k, v in role_nouns.items()},
            body_nouns=frozenset(str(t).lower() for t in words("body_nouns")),
            group_nouns=frozenset(str(t).lower() for t in words("group_nouns")),
            label_stop=frozenset(str(t).lower() for t in words("label_stop")),
            pronouns={str(k).lower(): str(v) for k, v in pronouns.items()},
        )

    @cached_property
    def description_words(self) -> frozenset[str]:
        """Words that may describe a speaker before the name: titles, role, body and group
        nouns ("opposition leader Sam Rainsy", "rights group director X")."""
        out = set(self.titles) | self.body_nouns | self.group_nouns
        for noun, forms in self.role_nouns.items():
            out.update(noun.split())
            for f in forms:
                out.update(f.split())
        return frozenset(out)


@dataclass(frozen=True)
class Resolution:
    """``name`` is canonical (registry) or as written; ``how`` names the step; ``score`` 0..1."""

    name: str | None
    score: float
    how: str
    speaker: Speaker | None = None


@dataclass
class _Seen:
    pos: int
    name: str
    speaker: Speaker | None


@lru_cache(maxsize=65_536)
def words(text: str) -> tuple[str, ...]:
    """Name words of a mention, possessives dropped (cached: the same names recur in every article).

    >>> words("Cambodia’s Hun Sen")
    ('Cambodia', 'Hun', 'Sen')
    """
    return tuple(_WORD.findall(_POSSESSIVE.sub("", text)))


@lru_cache(maxsize=65_536)
def _folded_words(text: str) -> frozenset[str]:
    return frozenset(x.casefold() for x in words(text))


class SpeakerResolver:
    """Resolve mentions of one article in text order (see the module docstring)."""

    def __init__(self, registry: Registry, lexicon: MentionLexicon, fuzzy_threshold: float = 85.0):
        self.registry = registry
        self.lex = lexicon
        self.threshold = fuzzy_threshold
        self.seen: list[_Seen] = []
        index = _index_for(registry, lexicon, fuzzy_threshold)
        self._last_word = index.last_word
        self._fuzzy_forms = index.fuzzy_forms
        self._memo = index.memo  # position-independent step results, shared by every article

    # ------------------------------------------------------------------ bookkeeping

    def note(self, pos: int, name: str | None, speaker: Speaker | None = None) -> None:
        """Record a speaker (or a registry name seen in the text) at char offset ``pos``."""
        if name:
            entry = _Seen(pos, name, speaker if speaker is not None else self.registry.get(name))
            bisect.insort(self.seen, entry, key=lambda s: s.pos)

    #: How many earlier speakers a pronoun or role noun may reach back to (keeps it linear).
    WINDOW = 40

    def _previous(self, pos: int):
        """Speakers seen at or before ``pos``, nearest first (at most :attr:`WINDOW`)."""
        k = bisect.bisect_right(self.seen, pos, key=lambda s: s.pos)
        for s in reversed(self.seen[max(0, k - self.WINDOW) : k]):
            yield s

    # ------------------------------------------------------------------ steps

    def resolve_name(self, mention: str, pos: int) -> Resolution | None:
        """Registry steps only (no pronoun, role or as-written fallback): for names in narration."""
        m = mention.strip().strip("“”\"‘’,.:;")
        if not m or m.lower() in self.lex.pronouns:
            return None
        r = self.registry_form(m, pos)
        if r is None:
            r = self.surname(m, pos)
        if r is None:
            r = self._remember("fuzzy_or_inner", m, self._fuzzy_or_inner)
        return r

    def _fuzzy_or_inner(self, m: str) -> Resolution | None:
        r = self.fuzzy(m, 0)
        return r if r is not None else self._inner_name(m)

    def _inner_name(self, m: str) -> Resolution | None:
        """A registry name inside a longer phrase."""
        w = words(m)
        for size in range(len(w) - 1, 0, -1):
            for k in range(0, len(w) - size + 1):
                sp = self.registry.get(" ".join(w[k : k + size]))
                if sp is not None and (size >= 2 or sp.kind == "organisation") and w[k][:1].isupper():
                    return Resolution(sp.name, 0.8, "registry", sp)
        return None

    def _remember(self, step: str, m: str, fn):
        """``fn(m)`` for a step that does not depend on the position, computed once per mention."""
        key = (step, m)
        try:
            return self._memo[key]
        except KeyError:
            pass
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        r = self._memo[key] = fn(m)
        return r

    def resolve(self, mention: str, pos: int) -> Resolution:
        m = mention.strip().strip("“”\"‘’,.:;")
        if not m:
            return Resolution(None, 0.0, "none")
        for step in (self.pronoun, self.described_person, self.registry_form, self.surname, self.fuzzy, self.role):
            r = step(m, pos)
            if r is not None:
                return r
        return Resolution(strip_titles(m, self.lex.titles), 0.5, "as_written")

    def pronoun(self, m: str, pos: int) -> Resolution | None:
        """he/she -> nearest previous person of that gender; it/which -> nearest organisation."""
        want = self.lex.pronouns.get(m.lower())
        if want is None:
            return None
        unknown_gender: Resolution | None = None
        for n, s in enumerate(self._previous(pos)):
            sp = s.speaker
            kind = sp.kind if sp else "person"
            gender = sp.gender if sp else None
            if want in ("male", "female"):
                if kind != "person" or (sp is None and not s.name[:1].isupper()):
                    continue
                if gender == want:
                    return Resolution(s.name, 0.75, "pronoun", sp)
                if gender is None and unknown_gender is None:
                    unknown_gender = Resolution(s.name, 0.5, "pronoun", sp)
                if unknown_gender is not None and n >= 6:
                    return unknown_gender  # no same-gender speaker nearby
                continue
            elif want == "organisation":
                if kind == "organisation":
                    return Resolution(s.name, 0.55, "pronoun", sp)
            else:
                return Resolution(s.name, 0.4, "pronoun", sp)
        if unknown_gender is not None:
            return unknown_gender
        return Resolution(None, 0.2, "pronoun_unresolved")

    def registry_form(self, m: str, pos: int) -> Resolution | None:
        """The mention, or its longest trailing run of words, is a registry name or alias."""
        return self._remember("registry", m, self._registry_form)

    def _registry_form(self, m: str) -> Resolution | None:
        sp = self.registry.get(m)
        if sp is not None:
            return Resolution(sp.name, 0.95, "registry", sp)
        w = words(m)
        if len(w) >= 2 and w[-1].lower() in self.lex.group_nouns:
            sp = self.registry.get(" ".join(w[:-1])) or self.registry.get(" ".join(w[-2:-1]))
            if sp is not None and sp.kind == "organisation":
                return Resolution(sp.name, 0.8, "registry_group", sp)
        for k in range(1, len(w)):
            tail = " ".join(w[k:])
            sp = self.registry.get(tail)
            if sp is not None and (len(w) - k >= 2 or sp.kind == "organisation" or tail[:1].isupper()):
                # a single trailing word only when it is a full alias ("CNRP", "Amnesty")
                if len(w) - k == 1 and sp.kind == "person":
                    continue
                return Resolution(sp.name, 0.9, "registry", sp)
        return None

    def surname(self, m: str, pos: int) -> Resolution | None:
        """One name word ("Rainsy", "Mr. Chambers") -> earlier speaker or unique registry person."""
        key = self._remember("surname_key", m, self._surname_key)
        if key is None:
            return None
        for s in self._previous(pos):
            if key in _folded_words(s.name):
                return Resolution(s.name, 0.8, "surname", s.speaker)
        cands = self._last_word.get(key, [])
        if len(cands) == 1:
            return Resolution(cands[0].name, 0.7, "surname", cands[0])
        return None

    def _surname_key(self, m: str) -> str | None:
        w = [x for x in words(m) if x.lower() not in self.lex.titles]
        if len(w) != 1 or not w[0][:1].isupper():
            return None
        return w[0].casefold()

    def fuzzy(self, m: str, pos: int) -> Resolution | None:
        """Misspelt registry person names; every word must be similar, not only the surname."""
        return self._remember("fuzzy", m, self._fuzzy)

    def _fuzzy(self, m: str) -> Resolution | None:
        from rapidfuzz import fuzz

        name = strip_titles(m, self.lex.titles)
        w = words(name)
        if len(w) < 2 or not all(x[:1].isupper() for x in w):
            return None
        best: tuple[float, Speaker] | None = None
        for form, fw, sp in self._fuzzy_forms:
            if len(fw) != len(w):
                continue
            score = fuzz.ratio(name.casefold(), form.casefold())
            if score < self.threshold:
                continue
            if min(fuzz.ratio(a.casefold(), b.casefold()) for a, b in zip(w, fw)) < 60:
                continue
            if best is None or score > best[0]:
                best = (score, sp)
        if best is None:
            return None
        return Resolution(best[1].name, round(0.5 + best[0] / 400, 3), "fuzzy", best[1])

    #: How far after an indefinite description its named person may appear ("A spokesman for
    #: the party said ... Spokesman Sok Eysan said ...").
    NEXT_REACH = 600

    def described_person(self, m: str, pos: int) -> Resolution | None:
        """"a spokesman for the ruling party" -> the person with that role named right after it,
        else the description as written (never the body it speaks for)."""
        w = m.lower().split()
        if len(w) < 4 or w[0] not in ("a", "an") or not ({"for", "of"} & set(w[1:4])):
            return None
        k = next(i for i, x in enumerate(w) if x in ("for", "of"))
        noun = " ".join(w[1:k])
        role_words = next((rw for n, rw in self.lex.role_nouns.items() if noun.endswith(n)), None)
        if role_words is None:
            return None
        k2 = bisect.bisect_right(self.seen, pos, key=lambda s: s.pos)
        for s in self.seen[k2 : k2 + self.WINDOW]:
            if s.pos - pos > self.NEXT_REACH:
                break
            sp = s.speaker
            if sp is not None and sp.kind == "person" and any(rw in " ".join(r.title.lower() for r in sp.roles) for rw in role_words):
                return Resolution(s.name, 0.5, "role_next", sp)
        return Resolution(m, 0.4, "as_written")

    def role(self, m: str, pos: int) -> Resolution | None:
        """A definite role noun ("the prime minister") -> nearest previous matching speaker."""
        low = m.lower()
        if not low.startswith(("the ", "his ", "her ", "its ", "their ")):
            return None
        body = low.split(" ", 1)[1]
        head_words = body.split()
        if not head_words or any(x[:1].isupper() for x in words(m)[1:] if x.lower() not in self.lex.titles):
            return None
        for noun, role_words in self.lex.role_nouns.items():
            if body.endswith(noun):
                for s in self._previous(pos):
                    sp = s.speaker
                    if sp is None or sp.kind != "person":
                        continue
                    titles = " ".join(r.title.lower() for r in sp.roles)
                    if any(rw in titles for rw in role_words):
                        return Resolution(s.name, 0.65, "role", sp)
                for s in self._previous(pos):
                    if s.speaker is None or s.speaker.kind == "person":
                        return Resolution(s.name, 0.4, "role", s.speaker)
                return None
        if head_words[-1] in self.lex.body_nouns:
            for s in self._previous(pos):
                sp = s.speaker
                if sp is not None and sp.kind == "organisation" and head_words[-1] in sp.name.lower():
                    return Resolution(sp.name, 0.55, "role", sp)
        return None


@dataclass
class _Index:
    """What a resolver derives from the registry alone, built once per registry."""

    last_word: dict[str, list[Speaker]]
    fuzzy_forms: list[tuple[str, tuple[str, ...], Speaker]]
    memo: dict = field(default_factory=dict)


_MEMO_SIZE = 50_000
_INDEXES: dict[tuple[int, int, float], tuple[Registry, MentionLexicon, _Index]] = {}


def _index_for(registry: Registry, lexicon: MentionLexicon, threshold: float) -> _Index:
    key = (id(registry), id(lexicon), threshold)
    hit = _INDEXES.get(key)
    if hit is not None and hit[0] is registry and hit[1] is lexicon:
        return hit[2]
    persons = [sp for sp in registry if sp.kind == "person"]
    last_word: dict[str, list[Speaker]] = {}
    for sp in persons:
        for form in sp.surface_forms:
            w = words(form)
            if len(w) >= 2:
                last_word.setdefault(w[-1].casefold(), [])
                if sp not in last_word[w[-1].casefold()]:
                    last_word[w[-1].casefold()].append(sp)
    fuzzy_forms = [(form, w, sp) for sp in persons for form in sp.surface_forms if len(w := words(form)) >= 2]
    if len(_INDEXES) >= 8:
        _INDEXES.clear()
    index = _Index(last_word, fuzzy_forms)
    _INDEXES[key] = (registry, lexicon, index)  # the references keep the ids from being reused
    return index


def strip_titles(mention: str, titles: frozenset[str]) -> str:
    """The name at the end of a mention, without the titles and descriptions before it.

    >>> strip_titles("Foreign Ministry spokesperson Koy Kuong", frozenset({"foreign", "ministry", "spokesperson"}))
    'Koy Kuong'

    The name is the trailing run of capitalised words that are not titles ("CNRP activist Sam
    Bopha" -> "Sam Bopha"); a description with no name ("a government official") or a name that
    is all title words is kept as written.
    """
    w = mention.split()
    k = len(w)
    while k > 0 and w[k - 1][:1].isupper() and w[k - 1].lower().strip(",") not in titles and not _POSSESSIVE.search(w[k - 1]):
        k -= 1
    if k == len(w) or k == 0:
        return mention.strip()
    return " ".join(w[k:])
