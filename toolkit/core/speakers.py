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
5. ``description``: a definite description ("the spokesman", "the long-serving premier", "the
   former army commander", "the group") -> the most recent compatible person or body: its
   registry role titles or the article's own descriptions of it ("Sok Eysan, a CPP spokesman,",
   "Foreign Ministry spokesman Koy Kuong", :func:`find_descriptions`) hold the noun
   (``description``), else an undescribed earlier name (``description_nearest``);
6. ``as_written``: anything else is kept as written with leading titles removed, never forced
   onto a registry entry.

No name at all (the mention's span stays, ``speaker`` None): ``pronoun_unresolved`` (a pronoun
with no antecedent), ``description_unresolved`` (a definite role description no earlier speaker
fits, "the spokesman", or a channel, "The statement": :func:`unresolved_description`) and
``joint`` ("Licadho and Adhoc": two speakers). Someone of a registry person ("a lawyer for Kem
Sokha") is kept as written, ``description_of``, never that person.

Limits: no real coreference; antecedents are previous *speakers* (and registry names seen in
the text before), not every noun phrase; plural "they" resolves only to organisations.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from toolkit.config import DatedAffiliation, Registry, Speaker
from toolkit.types import AFFILIATIONS

_WORD = re.compile(r"[\w][\w.’'\-]*", re.UNICODE)
_POSSESSIVE = re.compile(r"[’']s\b")


#: the keys :meth:`MentionLexicon.from_dict` reads (anything else in mentions.yaml is a misspelling)
MENTION_KEYS = ("titles", "role_nouns", "body_nouns", "group_nouns", "label_stop", "pronouns", "body_affiliations", "side_words", "channel_nouns", "kin_nouns", "capitals", "quantifiers", "party_nouns")
#: the relations of ``kin_nouns`` and their inverse ("her father" is the one whose daughter she is)
KIN_INVERSE = {"parent": "child", "child": "parent", "spouse": "spouse", "sibling": "sibling", "grandparent": "grandchild", "grandchild": "grandparent"}
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
    #: body noun -> registry affiliations of the bodies it may name ("the group" -> an NGO)
    body_affiliations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: modifier -> affiliations it is compatible with ("the opposition leader" is no government person)
    side_words: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: channels whose owner speaks ("its Facebook page said" -> "its")
    channel_nouns: frozenset[str] = frozenset()
    #: family word -> (gender or "any", relation of KIN_INVERSE): "father" -> ("male", "parent")
    kin_nouns: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: capital (as written) -> the registry name of the government it stands for as a speaker
    #: ("Hanoi fears ...", "Phnom Penh says ...": metonymy)
    capitals: dict[str, str] = field(default_factory=dict)
    #: indefinite quantifiers that stand for an unnamed part of a group ("Several said ...")
    quantifiers: frozenset[str] = frozenset()
    #: the other side of a relation whose "his"/"her" points to someone else ("his client")
    party_nouns: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Any = "mentions.yaml") -> "MentionLexicon":
        """Validate and build; errors are :class:`~toolkit.config.ConfigError` naming ``source``."""
        from toolkit.config import ConfigError, check_keys, expect_list, expect_mapping

        check_keys(data, MENTION_KEYS, source, "top level")
        role_nouns = expect_mapping(data.get("role_nouns"), source, "role_nouns", " of noun -> list of forms")
        pronouns = expect_mapping(data.get("pronouns"), source, "pronouns", " of pronoun -> one of " + ", ".join(PRONOUN_VALUES))
        body_aff = expect_mapping(data.get("body_affiliations"), source, "body_affiliations", " of body noun -> list of affiliations")
        side = expect_mapping(data.get("side_words"), source, "side_words", " of modifier -> list of affiliations")
        for key, table in (("body_affiliations", body_aff), ("side_words", side)):
            for k, v in table.items():
                for a in expect_list(v, source, f"{key}.{k}"):
                    if a not in AFFILIATIONS:
                        raise ConfigError(f"{source}: key '{key}.{k}': {a!r} is not one of: {', '.join(AFFILIATIONS)}")
        kin_raw = expect_mapping(data.get("kin_nouns"), source, "kin_nouns", " of family word -> [gender, relation]")
        kin: dict[str, tuple[str, str]] = {}
        for k, v in kin_raw.items():
            v = expect_list(v, source, f"kin_nouns.{k}", strings=True)
            if len(v) != 2 or v[0] not in ("male", "female", "any") or v[1] not in KIN_INVERSE:
                raise ConfigError(f"{source}: key 'kin_nouns.{k}': expected [gender, relation] with gender one of male, female, any and relation one of {', '.join(KIN_INVERSE)}, got {v!r}")
            kin[str(k).lower()] = (v[0], v[1])
        capitals = expect_mapping(data.get("capitals"), source, "capitals", " of capital -> registry name of its government")
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
            body_affiliations={str(k).lower(): tuple(str(x) for x in v) for k, v in body_aff.items()},
            side_words={str(k).lower(): tuple(str(x) for x in v) for k, v in side.items()},
            channel_nouns=frozenset(str(t).lower() for t in words("channel_nouns")),
            kin_nouns=kin,
            capitals={str(k): str(v) for k, v in capitals.items()},
            quantifiers=frozenset(str(t).lower() for t in words("quantifiers")),
            party_nouns=frozenset(str(t).lower() for t in words("party_nouns")),
        )

    @cached_property
    def title_heads(self) -> frozenset[str]:
        """Words that end a title before a name or head a description without an article: the
        last word of every role noun and of its forms ("spokesman", "minister"), and the body
        nouns ("rights group Licadho")."""
        out = set(self.body_nouns)
        for noun, forms in self.role_nouns.items():
            out.add(noun.split()[-1])
            out.update(f.split()[-1] for f in forms)
        return frozenset(out)

    @cached_property
    def title_pattern(self):
        """``HEAD Name`` ("spokesman Koy Kuong", "Minister Hun Sen"): a title head (either case)
        before a capitalised name run (see :func:`find_descriptions`)."""
        heads = sorted(self.title_heads, key=len, reverse=True)
        if not heads:
            return None
        alts = "|".join(re.escape(h) + "|" + re.escape(h[:1].upper() + h[1:]) for h in heads)
        return re.compile(r"\b(?P<head>" + alts + r")[ \t]+(?P<name>" + _NAME_RE + ")")

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
    #: may a pronoun refer to it? (speakers and sentence subjects: yes; a name only described
    #: in passing, "met Lim Kimya, the envoy,": no)
    antecedent: bool = True
    kind: str | None = None  # "person" / "organisation" when a description says so


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

    def __init__(self, registry: Registry, lexicon: MentionLexicon, fuzzy_threshold: float = 85.0, date: str | None = None):
        self.registry = registry
        #: the article's date (``YYYY-MM-DD`` or a prefix): registry roles held then (None: any)
        self.date = date
        self.lex = lexicon
        self.threshold = fuzzy_threshold
        self.seen: list[_Seen] = []
        #: name (casefolded) -> the article's descriptions of it, normalised (:func:`_pre_pp`)
        self.described: dict[str, list[str]] = {}
        self._text: tuple[str, frozenset[str]] | None = None  # see :meth:`read_descriptions`
        self._scanned: set[str] = set()  # title words (and "," for appositives) looked for
        self._noted: set[tuple[int, str]] = set()
        self._known: dict[str, tuple[str, ...]] = {}  # name -> padded descriptions (:meth:`_known_descriptions`)
        #: name (casefolded) -> "male"/"female" learnt from a he/she resolved to a person the
        #: registry does not know ("Outside, he said ..." makes the lawyer a man: no later "she")
        self.learnt_gender: dict[str, str] = {}
        index = _index_for(registry, lexicon, fuzzy_threshold)
        self._last_word = index.last_word
        self._fuzzy_forms = index.fuzzy_forms
        self._fuzzy_groups = index.fuzzy_groups
        self._memo = index.memo  # position-independent step results, shared by every article
        self._index = index

    # ------------------------------------------------------------------ bookkeeping

    def note(self, pos: int, name: str | None, speaker: Speaker | None = None, description: str | None = None, antecedent: bool = True, kind: str | None = None) -> None:
        """Record a speaker (or a name seen in the text) at char offset ``pos``; ``description``:
        how the article describes it there ("a CPP spokesman", "Foreign Ministry spokesman"),
        kept for the :meth:`description` step; ``antecedent=False``: not for pronouns."""
        if name:
            entry = _Seen(pos, name, speaker if speaker is not None else self.registry.get(name), antecedent, kind)
            bisect.insort(self.seen, entry, key=lambda s: s.pos)
            if description:
                d = _pre_pp(description)
                if d:
                    self.described.setdefault(name.casefold(), []).append(d)
                    self._known.pop(name.casefold(), None)

    def read_descriptions(self, text: str, not_names: frozenset[str] = frozenset()) -> None:
        """Let the :meth:`description` step know the people and bodies ``text`` describes next to
        their name (:func:`find_descriptions`), by their registry name when they have one. The
        text is read when a description needs it, for that description's title words only."""
        self._text = (text, not_names)
        self._scanned = set()
        self._noted = set()

    def _scan(self, words: set[str]) -> None:
        """Read the descriptions of the text around ``words`` (and the appositives, once)."""
        if self._text is None:
            return
        new = {w for w in words if w not in self._scanned}
        appositives = "," not in self._scanned
        if not new and not appositives:
            return
        self._scanned |= new | {","}
        text, not_names = self._text
        for pos, name, desc, kind in find_descriptions(text, self.lex, not_names, heads=new, appositives=appositives):
            if (pos, name) in self._noted:
                continue
            self._noted.add((pos, name))
            res = self.resolve_name(name, pos)
            speaker = res.speaker if res is not None and res.name else None
            self.note(pos, res.name if speaker is not None else name, speaker, description=desc, antecedent=False, kind=None if speaker is not None else kind)

    def known_possessor(self, mention: str) -> "_Seen | None":
        """The person seen before whose name possesses ``mention`` ("Andi’s family", "Keo Vy’s
        lawyer" once Andi or Keo Vy was seen), else None: a subject that names a person's kin or
        belongings keeps that person in the story for a later he or she.

        >>> # after "Andi, 26, had answered ...": known_possessor("Andi’s family") -> Andi
        """
        m = _POSSESSIVE.search(mention)
        if m is None or not mention[m.end() :].strip():
            return None
        name = mention[: m.start()].strip()
        if not name[:1].isupper():
            return None
        key = name.casefold()
        for s in reversed(self.seen):
            if s.name.casefold() == key and (s.kind == "person" or (s.speaker is not None and s.speaker.kind == "person")):
                return s
        return None

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
        m = self.person_of_body(m)
        for step in (self.pronoun, self.joint, self.described_person, self.of_person, self.registry_form, self.capital, self.surname, self.fuzzy, self.kin, self.age, self.description):
            r = step(m, pos)
            if r is not None:
                return r
        r = self._remember("body_of_place", m, self._body_of_place)
        if r is not None:
            return r
        if unresolved_description(m, self.lex):
            return Resolution(None, 0.2, "description_unresolved")
        if bare_quantifier(m, self.lex):
            return Resolution(None, 0.2, "quantifier_unresolved")
        name = name_after_article(m, self.lex) or strip_titles(m, self.lex.titles)
        return Resolution(name, as_written_score(name), "as_written")

    _AND = re.compile(r" (?:and|&) ")

    def capital(self, m: str, pos: int) -> Resolution | None:
        """A capital alone as the speaker ("Hanoi fears the canal will ...", "Phnom Penh says the
        worry is misplaced") -> the registry government it stands for (``capitals`` in
        mentions.yaml), step ``capital`` (0.6); not a longer name ("Phnom Penh Municipal Court").

        >>> # "Brussels says the decision is about rights" -> European Commission
        """
        name = self.lex.capitals.get(m)
        sp = self.registry.get(name) if name else None
        return Resolution(sp.name, 0.6, "capital", sp) if sp is not None else None

    def of_person(self, m: str, pos: int) -> Resolution | None:
        """"The party of Hun Sen", "a lawyer for Kem Sokha" (:func:`of_a_person`) -> the mention as
        written (step ``description_of``, 0.3): someone or something of a registry person, never
        that person; the annotator names it. (The registry, entity and description steps would
        take the person's name.) A registry name as a whole ("Ministry of Interior") is not this.
        """
        w = words(m)
        if len(w) < 3 or self.registry.get(m) is not None or self.registry.get(without_article(m)) is not None:
            return None
        for k in range(2, len(w) - 1):
            if of_a_person(w, k):
                tail = " ".join(w[k:])
                sp = self.registry.get(tail) or self.registry.get(strip_titles(tail, self.lex.titles))
                if sp is not None and sp.kind == "person":
                    return Resolution(m, 0.3, "description_of")
        return None

    def joint(self, m: str, pos: int) -> Resolution | None:
        """"Licadho and Adhoc", "Keo Vy and Chan Dara" (a coordinated subject:
        :func:`toolkit.core.frames.conjoined_speaker`) -> no name (step ``joint``, 0.25): two
        speakers have no one canonical name, and a joined "LICADHO and ADHOC" would be typed into
        Label Studio's new-speaker box and suggested as a registry entry; the annotator picks
        (GUIDELINES do not say yet). Each conjunct, resolved by the registry steps, becomes an
        antecedent ("Dara said" later is Chan Dara). A registry name with "and" in it ("Ministry
        of Labour and Vocational Training") is one name, and a pair that is not two proper names
        is left to the other steps.
        """
        parts = self._AND.split(m)
        if len(parts) != 2 or self.registry.get(m) is not None or self.registry.get(without_article(m)) is not None:
            return None
        if not all(_proper_name(without_article(p)) for p in parts):
            return None
        for p in parts:
            r = self.resolve_name(p, pos)
            if r is not None and r.name:
                self.note(pos, r.name, r.speaker)
            else:
                self.note(pos, strip_titles(without_article(p), self.lex.titles))
        return Resolution(None, 0.25, "joint")

    _PLACE_AFTER_BODY = re.compile(r"^(.+?\b(\w+)) (?:in|at|to|from) [A-Z]")

    def _body_of_place(self, m: str) -> Resolution | None:
        """"The U.S. Embassy in Phnom Penh" -> the registry body "The U.S. Embassy" names, when the
        word before in/at/to/from is a body noun and the mention as a whole is no registry name."""
        mt = self._PLACE_AFTER_BODY.match(m)
        if mt is None or mt.group(2).lower() not in self.lex.body_nouns:
            return None
        r = self._registry_form(mt.group(1))
        return Resolution(r.name, 0.8, "registry", r.speaker) if r is not None and r.speaker is not None and r.speaker.kind == "organisation" else None

    def person_of_body(self, m: str) -> str:
        """:meth:`_person_of_body`, computed once per mention."""
        return self._remember("person_of_body", m, self._person_of_body)

    def _person_of_body(self, m: str) -> str:
        """"Naly Pilorge of LICADHO" -> "Naly Pilorge": a name (two or more capitalised words, no
        title or body noun) before "of"/"from" is the speaker, not the body after it; a registry
        name ("Ministry of Interior") is kept whole."""
        for sep in (" of ", " from "):
            k = m.find(sep)
            if k > 0:
                first = m[:k].split()
                if (
                    len(first) >= 2 and all(w[:1].isupper() for w in first)
                    and not any(w.lower() in self.lex.titles or w.lower() in self.lex.body_nouns for w in first)
                    and self.registry.get(m) is None
                ):
                    return m[:k]
        return m

    def pronoun(self, m: str, pos: int) -> Resolution | None:
        """he/she -> nearest previous person of that gender; it/which -> nearest organisation.

        Antecedents are speakers and sentence subjects; when none fits, a person the article
        named with a title or appositive in passing ("charged union leader Rong Chhun ... after
        he said", :func:`find_descriptions`) is tried, as ``pronoun_described`` (0.45)."""
        want = self.lex.pronouns.get(m.lower())
        if want is None:
            return None
        r = self._pronoun(want, pos, described=False)
        if r is None and want in ("male", "female") and self._text is not None:
            self._scan(set(self.lex.title_heads))
            r = self._pronoun(want, pos, described=True)
            if r is not None:
                r = Resolution(r.name, min(r.score, 0.45), "pronoun_described", r.speaker)
        if r is not None and r.name and want in ("male", "female") and self._text is not None:
            rival = self._person_in_sentence(want, pos, r.name)
            if rival is not None:
                r = Resolution(rival.name, 0.5, "pronoun_sentence", rival)
        if r is not None and r.speaker is None and r.name and want in ("male", "female"):
            self.learnt_gender.setdefault(r.name.casefold(), want)
        return r if r is not None else Resolution(None, 0.2, "pronoun_unresolved")

    def _person_in_sentence(self, want: str, pos: int, chosen: str):
        """The last registry person of ``want``'s gender named in the pronoun's own sentence
        before it when that is not ``chosen`` (an earlier speaker): "... a video of Kem Sokha
        speaking in 2013, in which he said ..." is Kem Sokha, not the previous paragraph's
        speaker. None when the sentence names no such person (or names ``chosen``)."""
        text = self._text[0]
        start = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos), text.rfind("? ", 0, pos), text.rfind("“", 0, pos), text.rfind("”", 0, pos), text.rfind("\"", 0, pos)) + 1
        found = None
        for mt in _NAME_AT.finditer(text, start, pos):
            w = mt.group().split()
            for size in range(len(w), 1, -1):
                for k in range(0, len(w) - size + 1):
                    sp = self.registry.get(" ".join(w[k : k + size]))
                    if sp is not None and sp.kind == "person":
                        found = sp
                        break
                else:
                    continue
                break
        if found is None or found.name == chosen or found.gender != want:
            return None
        return found

    def _pronoun(self, want: str, pos: int, described: bool) -> Resolution | None:
        """The nearest compatible antecedent (:func:`compatible_gender`): for he/she a person of
        that gender, or of unknown gender when the name is a proper name (the registry knows few
        of the people an article quotes: "Chhim Sarath ... “...,” he said" is Chhim Sarath, not
        a registry man named earlier); 0.75 for a known gender, 0.5 for an unknown one."""
        for s in self._previous(pos):
            if not s.antecedent and not described:
                continue
            sp = s.speaker
            kind = sp.kind if sp else (s.kind or "person")
            if want in ("male", "female"):
                if kind != "person" or (sp is None and not s.name[:1].isupper()):
                    continue
                gender = sp.gender if sp is not None else (gender_of_descriptions(self.described.get(s.name.casefold(), ())) or self.learnt_gender.get(s.name.casefold()))
                fits = compatible_gender(want, gender, sp is not None or _proper_name(s.name))
                if fits is not None:
                    return Resolution(s.name, 0.75 if fits else 0.5, "pronoun", sp)
                continue
            elif want == "organisation":
                if kind == "organisation":
                    return Resolution(s.name, 0.55, "pronoun", sp)
            else:
                return Resolution(s.name, 0.4, "pronoun", sp)
        return None

    def registry_form(self, m: str, pos: int) -> Resolution | None:
        """The mention, or its longest trailing run of words, is a registry name or alias."""
        return self._remember("registry", m, self._registry_form)

    def _registry_form(self, m: str) -> Resolution | None:
        sp = self.registry.get(m) or self.registry.get(without_article(m))
        if sp is not None:
            return Resolution(sp.name, 0.95, "registry", sp)
        sp = self._index.short_forms.get(without_article(m).casefold())
        if sp is not None:  # "the Ministry of Labour" -> Ministry of Labour and Vocational Training
            return Resolution(sp.name, 0.85, "registry", sp)
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
                if sp.kind == "person" and of_a_person(w, k):
                    return None  # "the party of Hun Sen", "a lawyer for Kem Sokha": not that person
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
        pm = _POSSESSIVE.search(m)
        if pm is not None and m[pm.end() :].strip():
            return None  # "Rainsy’s spokesman", "Pagliano’s lawyer": someone else, not Rainsy
        w = [x for x in words(m) if x.lower() not in self.lex.titles]
        if len(w) != 1 or not w[0][:1].isupper():
            return None
        return w[0].casefold()

    def fuzzy(self, m: str, pos: int) -> Resolution | None:
        """Misspelt registry person names; every word must be similar, not only the surname. A
        role title in the mention that none of the person's registry roles holds ("Provincial
        court spokesman Kim Sokha" is not the opposition leader Kem Sokha) makes it another
        person: :func:`title_contradicts`."""
        r = self._remember("fuzzy", m, self._fuzzy)
        if r is not None and r.speaker is not None and title_contradicts(m, r.speaker, self.lex):
            return None
        return r

    def _fuzzy(self, m: str) -> Resolution | None:
        """The registry person whose name (of as many words) is most similar to ``m``'s, when the
        whole name scores at least the threshold and every word at least 60 (first best wins).
        Candidates come from one ``rapidfuzz.process.extract`` call over the names of the same
        word count (casefolded once per registry), not a Python loop over every name."""
        from rapidfuzz import fuzz, process

        name = strip_titles(m, self.lex.titles)
        w = words(name)
        if len(w) < 2 or not all(x[:1].isupper() for x in w):
            return None
        group = self._fuzzy_groups.get(len(w))
        if group is None:
            return None
        forms, form_words, speakers = group
        folded = [x.casefold() for x in w]
        best: tuple[float, int] | None = None
        for _form, score, i in process.extract(name.casefold(), forms, scorer=fuzz.ratio, score_cutoff=self.threshold,
                                               limit=None):
            if not all(similar_name_word(a, b, fuzz.ratio(a, b)) for a, b in zip(folded, form_words[i])):
                continue
            if best is None or score > best[0] or (score == best[0] and i < best[1]):
                best = (score, i)
        if best is None:
            return None
        sp = speakers[best[1]]
        return Resolution(sp.name, round(0.5 + best[0] / 400, 3), "fuzzy", sp)

    #: How far back a family relation stated in the text may be ("Kem Monovithya, his daughter,").
    KIN_REACH = 400

    def kin(self, m: str, pos: int) -> Resolution | None:
        """"her father", "his daughter" -> the person the article relates to the teller with the
        inverse family word, stated before the mention: "The mother of activist Keo Vy said her
        daughter ..." (Keo Vy), "Keo Vy's mother said her daughter ...", "Chan Sovann, his
        daughter, said her father ..." (the man "his" refers to). The referent's registry gender
        must fit the family word. With no such statement the mention stays as written (the
        article may never name the relative). Step ``kin`` (0.6).
        """
        w = m.split()
        if len(w) != 2 or w[0].lower() not in ("his", "her", "their") or self._text is None:
            return None
        kin = self.lex.kin_nouns.get(w[1].lower())
        if kin is None:
            return None
        gender, relation = kin
        inverse = tuple(k for k, (_, r) in self.lex.kin_nouns.items() if r == KIN_INVERSE[relation])
        text = self._text[0]
        found = stated_kin(text[max(0, pos - self.KIN_REACH) : pos], inverse)
        if found is None:
            return None
        at, name, poss = found
        at += max(0, pos - self.KIN_REACH)
        if name is None:  # "X, his daughter,": the person "his" refers to there
            self._scan(set(self.lex.title_heads))
            r = self._pronoun("male" if poss == "his" else "female", at, described=True)
            if r is None:
                return None
            name, sp = r.name, r.speaker
        else:
            r = self.resolve_name(name, at)
            sp = r.speaker if r is not None else None
            name = r.name if r is not None and r.name else name
        if gender != "any" and sp is not None and sp.gender is not None and sp.gender != gender:
            return None
        return Resolution(name, 0.6, "kin", sp)

    _AGE = re.compile(r"^[Tt]he (\d{1,3})-year-old(?: [a-z][\w-]*)?$")

    def age(self, m: str, pos: int) -> Resolution | None:
        """"the 74-year-old (activist)" -> the person the article gives that age before the mention
        ("Keo Vy, 74," or "74-year-old Keo Vy"; step ``age``, 0.6), else None: the mention stays
        as written (the nearest person is too often someone else to pre-fill).
        """
        mt = self._AGE.match(m)
        if mt is None:
            return None
        years = mt.group(1)
        if self._text is not None:
            before = self._text[0][max(0, pos - 3000) : pos]
            found = [x.group(1) for x in re.finditer(r"(" + _NAME_RE + r"), " + years + r"\b", before)]
            found += [x.group(1) for x in re.finditer(r"\b" + years + r"-year-old (?:[a-z][\w-]* ){0,3}(" + _NAME_RE + r")", before)]
            if found:
                name = strip_titles(_clean_name(found[-1], frozenset()), self.lex.titles)
                r = self.resolve_name(name, pos)
                return Resolution(r.name if r is not None and r.name else name, 0.6, "age", r.speaker if r is not None else None)
        return None

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
        return self.of_person(m, pos) or Resolution(m, 0.4, "as_written")

    def role(self, m: str, pos: int) -> Resolution | None:
        """Kept for callers of rules-2: the :meth:`description` step."""
        return self.description(m, pos)

    def description(self, m: str, pos: int, scan: bool = True) -> Resolution | None:
        """A definite description ("the spokesman", "the long-serving premier", "the former army
        commander", "the group") -> the most recent compatible person or body seen before it.

        Compatible: its registry role titles or the article's descriptions of it (an appositive
        "Sok Eysan, a CPP spokesman,", a title before the name "Foreign Ministry spokesman Koy
        Kuong", see :func:`find_descriptions`) hold the head noun or one of its forms
        (``role_nouns``: "premier" -> prime minister); a body noun ("the group", "the ministry")
        takes a body whose name or description has it, or whose affiliation ``body_affiliations``
        allows. Among compatible ones the one sharing most modifiers ("army", "CPP") wins, then
        the nearest; a modifier in ``side_words`` ("the opposition leader") rules out speakers of
        the other side. Step ``description`` (0.7); a person the article never described (for a
        body noun: an acronym, "LICADHO"), when no described one fits: ``description_nearest``
        (0.4); a generic noun ("the politician",
        empty forms): the nearest person, ``description_nearest`` (0.45). Else None (as written).
        ``scan=False``: only what is known so far, the text is not read (for narration).

        >>> # "Chea Vannath, a CPP spokesman, rejected it. “No,” the spokesman said." -> Chea Vannath
        """
        parsed = self._remember("description_parse", m, self._parse_description)
        if parsed is None and m[:4] == "The " and m[4:].lower() in self.lex.role_nouns and m[4:].istitle():
            parsed = self._remember("description_parse", m.lower(), self._parse_description)  # "The Prime Minister also announced"
        if parsed is None:
            return None
        head, forms, mods, body = parsed
        generic = not body and head not in self.lex.role_nouns
        if scan:
            self._scan({f.split()[-1] for f in forms} | {head.split()[-1]})
        sides: set[str] | None = None
        for w in mods:
            if w in self.lex.side_words:
                sides = (sides or set()) | set(self.lex.side_words[w])
        head_p = f" {head} "
        forms_p = tuple(f" {f} " for f in forms)
        mods_p = tuple(f" {w} " for w in mods)
        best: tuple[int, _Seen] | None = None
        weak: Resolution | None = None
        for s in self._previous(pos):
            sp = s.speaker
            kind = sp.kind if sp is not None else s.kind
            if sides is not None and sp is not None and sp.affiliation not in sides:
                continue
            known = self._known_descriptions(s)
            if body:
                if kind == "person":
                    continue
                if weak is None and sp is None and kind is None and not known and len(s.name) >= 3 and s.name.isupper():
                    weak = Resolution(s.name, 0.4, "description_nearest")  # an acronym: "LICADHO said ... the group"
                ok = any(head_p in d for d in known) or (
                    sp is not None and sp.kind == "organisation"
                    and (any(_has_words(_norm(f), head) for f in sp.surface_forms) or sp.affiliation in self.lex.body_affiliations.get(head, ()))
                ) or (sp is None and _has_words(_norm(s.name), head))
                if not ok:
                    continue
            else:
                if kind == "organisation":
                    continue
                if not forms:  # a generic noun: any person
                    if sp is None and not s.name[:1].isupper():
                        continue
                    return Resolution(s.name, 0.45, "description_nearest", sp)
                if not known:
                    if weak is None and sp is None and not generic and _proper_name(s.name):
                        # "Nhem Dara said the commune chief had told him": the person of the
                        # description's own sentence is someone else, and so no guess is made
                        weak = Resolution(None, 0.2, "description_unresolved") if self._same_sentence(s.pos, pos) else Resolution(s.name, 0.4, "description_nearest", sp)
                    continue
                if generic:
                    if not any(d.endswith(head_p) for d in known):
                        continue
                elif not any(f in d for d in known for f in forms_p):
                    continue
            shared = sum(1 for w, wp in zip(mods, mods_p) if any(wp in d for d in known) or w in s.name.lower())
            if best is None or shared > best[0]:
                best = (shared, s)
            if shared == len(mods):
                break  # the nearest with every modifier: none can do better
        if best is not None:
            return Resolution(best[1].name, 0.7, "description", best[1].speaker)
        if not body and forms and not generic:
            named = self.named_role_holder(forms_p, sides, pos)
            if named is not None:
                return named
        return weak if weak is None or weak.name else None

    def _same_sentence(self, a: int, b: int) -> bool:
        """Do chars ``a`` < ``b`` of the article stand in one sentence (no sentence end or line
        break between them)? "Nhem Sopheap said the commune chief had told him": a role noun
        in a person's own sentence is someone else."""
        if self._text is None or a >= b:
            return False
        between = self._text[0][a:b]
        return "\n" not in between and not re.search(r"[.!?][”\"’]?\s", between)

    #: How far back a registry person named in passing may be the one a role noun describes.
    NAMED_REACH = 3000

    def named_role_holder(self, forms_p: tuple[str, ...], sides: set[str] | None, pos: int) -> Resolution | None:
        """The registry person named last before ``pos`` (within :attr:`NAMED_REACH`, outside
        the speakers seen: "The tickets were Hun Sen’s idea. ... the prime minister wrote") whose
        registry role, held on the article's date when it is known, holds one of the
        description's forms (padded); step ``description_named`` (0.6). For a role noun only
        when no speaker seen before fits it."""
        pattern = self._index.person_pattern(self.registry)
        if pattern is None or self._text is None:
            return None
        text = self._text[0]
        lo = max(0, pos - self.NAMED_REACH)
        found = list(pattern.finditer(text, lo, pos))
        for m in reversed(found):
            sp = self.registry.get(m.group(0))
            if sp is None or sp.kind != "person" or (sides is not None and sp.affiliation not in sides):
                continue
            titles = [f" {_pre_pp(r.title)} " for r in sp.roles if self.date is None or DatedAffiliation(sp.affiliation, r.start, r.end).covers(self.date)]
            if any(f in t for t in titles for f in forms_p):
                return Resolution(sp.name, 0.6, "description_named", sp)
        return None

    def is_role_description(self, m: str) -> bool:
        """Is ``m`` a definite description whose head is a role or body noun ("the spokesman",
        "the group"), not any noun phrase ("the election")?"""
        parsed = self._remember("description_parse", m.strip(), self._parse_description)
        return parsed is not None and (parsed[3] or parsed[0] in self.lex.role_nouns)

    def _known_descriptions(self, s: _Seen) -> list[str]:
        """The registry role titles of ``s`` and the article's descriptions of it, normalised,
        cut before their prepositional phrase (:func:`_pre_pp`) and padded with spaces (for
        :func:`_has_words`); computed once per name."""
        key = s.name.casefold()
        out = self._known.get(key)
        if out is None:
            found = list(self.described.get(key, ()))
            if s.speaker is not None:
                found += [_pre_pp(r.title) for r in s.speaker.roles]
            out = self._known[key] = tuple(f" {d} " for d in found if d)
        return out

    def _parse_description(self, m: str) -> tuple[str, tuple[str, ...], tuple[str, ...], bool] | None:
        """``(head, forms, modifiers, is_body)`` of a definite description, else None.

        "the former army commander" -> ("commander", ("commander",), ("former", "army"), False);
        "the group" -> ("group", ("group",), (), True). The head is the last word before a
        prepositional phrase ("the spokesman for the party" -> "spokesman"); it must be a
        lower-case word (a capitalised one is a name: "the CNRP").
        """
        w = m.split()
        if len(w) < 2:
            return None
        first = w[0].lower()
        if first not in _DEFINITE and not _POSSESSIVE.search(w[0]):
            return None
        body_words: list[str] = []
        for x in w[1:]:
            if x.lower() in _PP_STARTS:
                break
            body_words.append(x)
        if not body_words:
            return None
        head_word = body_words[-1].strip(",.;:")
        if not head_word or not head_word[:1].islower() or not head_word.replace("-", "").isalpha():
            return None
        low = " ".join(x.lower() for x in body_words).replace("-", " ")  # "the vice-president"
        head_word = head_word.split("-")[-1]
        for noun in sorted(self.lex.role_nouns, key=len, reverse=True):
            if low == noun or low.endswith(" " + noun):
                forms = self.lex.role_nouns[noun]
                head, forms = noun, (tuple(dict.fromkeys((noun, *forms))) if forms else ())  # a noun fits itself
                break
        else:
            head, forms = head_word.lower(), (head_word.lower(),)
        mods = tuple(x for x in _norm(low[: len(low) - len(head)]).split() if x not in _GENERIC_MODIFIERS)
        return head, tuple(forms), mods, head in self.lex.body_nouns

@dataclass
class _Index:
    """What a resolver derives from the registry alone, built once per registry."""

    last_word: dict[str, list[Speaker]]
    fuzzy_forms: list[tuple[str, tuple[str, ...], Speaker]]
    #: word count -> (casefolded names, their casefolded words, speakers), in registry order
    fuzzy_groups: dict[int, tuple[list[str], list[tuple[str, ...]], list[Speaker]]] = field(default_factory=dict)
    memo: dict = field(default_factory=dict)
    _person_re: Any = None
    #: casefolded short form -> body (:func:`short_body_forms`)
    short_forms: dict[str, Speaker] = field(default_factory=dict)

    def person_pattern(self, registry: Registry):
        """One regex of every registry person's name and aliases of two or more capitalised
        words (whole words), built once per registry."""
        if self._person_re is None:
            forms = sorted({f for sp in registry if sp.kind == "person" for f in sp.surface_forms if len(f.split()) >= 2 and f[:1].isupper()}, key=len, reverse=True)
            self._person_re = re.compile(r"(?<![\w’'])(?:" + "|".join(re.escape(f) for f in forms) + r")(?!\w)") if forms else False
        return self._person_re or None


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
    groups: dict[int, tuple[list[str], list[tuple[str, ...]], list[Speaker]]] = {}
    for form, fw, sp in fuzzy_forms:
        g = groups.setdefault(len(fw), ([], [], []))
        g[0].append(form.casefold())
        g[1].append(tuple(x.casefold() for x in fw))
        g[2].append(sp)
    index = _Index(last_word, fuzzy_forms, groups, short_forms=short_body_forms(registry))
    _INDEXES[key] = (registry, lexicon, index)  # the references keep the ids from being reused
    return index


def short_form(name: str) -> str | None:
    """A body's name with its trailing "and ..." part dropped, as the press shortens it
    ("Ministry of Labour and Vocational Training" -> "Ministry of Labour"); None when the name
    has no "and" after its "of".

    >>> short_form("Ministry of Labour and Vocational Training"), short_form("Ministry of Interior")
    ('Ministry of Labour', None)
    """
    k = name.find(" of ")
    j = name.find(" and ", k + 4) if k > 0 else -1
    return name[:j] if j > 0 else None


def short_body_forms(registry: Registry) -> dict[str, Speaker]:
    """Casefolded short forms (:func:`short_form`) of the registry's bodies' names and aliases
    that name one body only and are no registry name themselves."""
    found: dict[str, set[str]] = {}
    for sp in registry:
        if sp.kind != "organisation":
            continue
        for form in sp.surface_forms:
            short = short_form(without_article(form))
            if short and registry.get(short) is None:
                found.setdefault(short.casefold(), set()).add(sp.name)
    return {k: registry.get(next(iter(v))) for k, v in found.items() if len(v) == 1}


def similar_name_word(a: str, b: str, ratio: float) -> bool:
    """May name word ``a`` be a spelling variant of ``b`` (``ratio``: their rapidfuzz ratio)? At
    least 60, and when the lengths differ by two letters or more at least 80: romanisation adds
    or drops a letter ("Keng"/"Kheng", "Siphanh"/"Siphan") or changes one ("Kuy"/"Koy"); "Mean"
    is not "An" (Sok Mean is not Sok An).

    >>> similar_name_word("keng", "kheng", 88.9), similar_name_word("kuy", "koy", 66.7), similar_name_word("mean", "an", 66.7)
    (True, True, False)

    Two edits in a word of fewer than nine letters make another name, not a variant ("Bunneang"
    is not "Bunheng"): a wrong registry person pre-filled is worse than the name as written.

    >>> similar_name_word("bunneang", "bunheng", 80.0), similar_name_word("ranariddh", "ranarith", 82.4)
    (False, True)
    """
    if ratio < 60:
        return False
    if not (abs(len(a) - len(b)) <= 1 or ratio >= 80):
        return False
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b) <= (1 if max(len(a), len(b)) < 9 else 2)


def strip_titles(mention: str, titles: frozenset[str]) -> str:
    """The name at the end of a mention, without the titles and descriptions before it.

    >>> strip_titles("Foreign Ministry spokesperson Koy Kuong", frozenset({"foreign", "ministry", "spokesperson"}))
    'Koy Kuong'

    The name is the trailing run of capitalised words that are not titles ("CNRP activist Sam
    Bopha" -> "Sam Bopha"); a description with no name ("a government official") or a name that
    is all title words is kept as written, and so is a phrase ending in a place ("the office in
    Phnom Penh").
    """
    w = mention.split()
    k = len(w)
    while k > 0 and w[k - 1][:1].isupper() and w[k - 1].lower().strip(",") not in titles and not _POSSESSIVE.search(w[k - 1]):
        k -= 1
    if k == len(w) or k == 0 or w[k - 1].lower() in ("in", "at", "from", "of", "for", "to"):
        return mention.strip()  # "the human rights office in Phnom Penh": the place is no name
    return " ".join(w[k:])


_DEFINITE = frozenset("the his her its their this that".split())
_PP_STARTS = frozenset("of for to at in from with on who which that".split())
#: modifiers that say nothing about who is meant ("the former premier", "the long-serving premier")
_GENERIC_MODIFIERS = frozenset("former then longtime long-serving long serving veteran new current outgoing incoming late".split())
_NON_WORD = re.compile(r"[^\w]+")  # hyphens too: "Commander-in-Chief" -> "commander in chief"


@lru_cache(maxsize=16_384)
def _norm(text: str) -> str:
    """Lower-case words separated by single spaces, for word matching ("CPP spokesman," ->
    "cpp spokesman"); possessives dropped."""
    return " ".join(_NON_WORD.sub(" ", _POSSESSIVE.sub("", text).lower()).split())


@lru_cache(maxsize=16_384)
def _pre_pp(text: str) -> str:
    """A description normalised (:func:`_norm`), without a leading article and cut before its
    prepositional phrase or relative clause: what it says the person *is*.

    >>> _pre_pp("the Cambodian envoy to the United Nations"), _pre_pp("Prime Minister of Cambodia")
    ('cambodian envoy', 'prime minister')
    """
    w = _norm(text).split()
    if w and w[0] in ("a", "an", "the"):
        w = w[1:]
    for k, x in enumerate(w):
        if x in _PP_STARTS:
            w = w[:k]
            break
    return " ".join(w)


#: words a speaker mention never ends with: prepositions and determiners ("the ruling party for"
#: is the start of a phrase cut off by the cue, not a speaker)
_NO_MENTION_END = frozenset("of for to at in on by with from about into than despite after before over under a an the".split())
#: lower-case words a speaker mention never starts with: "said [of the plan]" is no inverted speaker
_NO_MENTION_START = frozenset("of for to at in on with from about into than despite after before over under".split())
#: one lower-case word that names nobody: conjunctions, adverbs, clitics ("once", "n't", "that")
_NO_MENTION_WORD = frozenset("that once despite although though because if unless while whereas so then also n't n’t not".split())
#: lone "-ing" words that are nouns, not cut-off verbs ("something", "everyone" is fine anyway)
_ING_NOUNS = frozenset("something anything everything nothing king viking".split())


def implausible_mention(mention: str) -> bool:
    """Is ``mention`` a piece of the sentence rather than a speaker: it ends with a preposition
    or an article or starts with a lower-case preposition, it is one lower-case function word or adverb, or one lower-case "-ing" word
    (a verb the frame reader took for its subject)? Such a mention is left empty: a wrong
    pre-filled speaker anchors the annotator, an empty one is drawn in one stroke.

    >>> [implausible_mention(m) for m in ("the ruling Cambodian People's Party for", "of the plan", "n’t", "fueling", "Once")]
    [True, True, True, True, True]
    >>> [implausible_mention(m) for m in ("he", "critics", "the party", "Sok Eysan", "everything")]
    [False, False, False, False, False]
    """
    w = mention.split()
    if not w:
        return True
    last = w[-1].lower().strip(",.;:")
    if last in _NO_MENTION_END or (w[0] in _NO_MENTION_START and len(w) > 1):
        return True  # "the ruling party for", "of the plan" (the cue's prepositional phrase)
    if len(w) == 1:
        low = w[0].lower()
        if low in _NO_MENTION_WORD:
            return True
        if w[0][:1].islower() and low.endswith("ing") and len(low) > 5 and low not in _ING_NOUNS:
            return True
    return False


def compatible_gender(want: str, gender: str | None, proper_name: bool) -> bool | None:
    """May a he/she (``want``: male/female) refer to a person of ``gender``? True when the gender
    is known and the same, False (compatible, less sure) when it is unknown and the person has a
    proper name, None when it may not.

    >>> compatible_gender("male", "male", True), compatible_gender("male", None, True), compatible_gender("male", "female", True)
    (True, False, None)
    >>> compatible_gender("female", None, False) is None  # "U.S. senator": no name to refer to
    True
    """
    if gender is not None:
        return True if gender == want else None
    return False if proper_name else None


def of_a_person(w: tuple[str, ...] | list[str], k: int) -> bool:
    """Do the words ``w[:k]`` before a person's name end in a lower-case head and "of"/"for"
    ("the party of", "a lawyer for")? Then the mention is that head, someone or something of
    the person, not the person (as a possessive is: "Rainsy’s spokesman").

    >>> of_a_person("The party of Hun Sen".split(), 3), of_a_person("Prime Minister Hun Sen".split(), 2)
    (True, False)
    """
    return k >= 2 and w[k - 1].lower() in ("of", "for") and w[k - 2][:1].islower()


def name_after_article(mention: str, lex: MentionLexicon) -> str | None:
    """"The Cambodian Red Cross" -> "Cambodian Red Cross": after "The", a capitalised name whose
    first word only is a title word (a nationality, "Provincial", "General") is a body's name
    whole; :func:`strip_titles` would take the first word for a person's title ("Red Cross",
    "Journalists Alliance Association": a wrong name to pre-fill). A person's role word in it
    ("The Malaysian Foreign Minister Mohamad Hasan") or a second title word leaves it to
    :func:`strip_titles`; None then.

    >>> lex = MentionLexicon(titles=frozenset({"cambodian", "foreign", "minister"}), role_nouns={"minister": ()})
    >>> name_after_article("The Cambodian Red Cross", lex), name_after_article("The Cambodian Foreign Minister Prak Sokhonn", lex)
    ('Cambodian Red Cross', None)
    >>> name_after_article("Cambodian Red Cross", lex), name_after_article("The Cambodian rights group", lex)
    (None, None)
    """
    w = mention.split()
    if len(w) < 3 or w[0] not in ("The", "the"):
        return None
    rest = w[1:]
    if not rest[-1][:1].isupper() or not all(x[:1].isupper() or x in _NAME_INNER_WORDS for x in rest):
        return None
    low = [x.lower().strip(".,") for x in rest]
    if low[0] not in lex.titles or any(x in lex.titles for x in low[1:]) or low[0] in _role_heads(lex):
        return None
    return " ".join(rest)


_NAME_INNER_WORDS = frozenset(("of", "for", "and", "&", "the", "on"))


def _role_heads(lex: MentionLexicon) -> frozenset[str]:
    """The last words of the role nouns and their forms ("minister", "spokesman"): a person's title."""
    return frozenset(n.split()[-1] for n in lex.role_nouns) | frozenset(f.split()[-1] for fs in lex.role_nouns.values() for f in fs)


_YEAR_OLD = re.compile(r"\d{1,3}-year-old")


def unresolved_description(mention: str, lex: MentionLexicon) -> bool:
    """Is ``mention`` a definite description of one person's role with no name in it ("the
    spokesman", "his lawyer", "the former prime minister", "the 51-year-old", "the 51-year-old
    former nurse": an age marks one person told of before; "his client") that reached the
    as-written step? It points back to someone no earlier speaker fitted, so it is no speaker
    *name*: the
    proposal keeps the mention (its span is right) and names nobody (step
    ``description_unresolved``, 0.2), rather than pre-filling "the spokesman" as a new speaker's
    name. An indefinite or plural description ("a party official", "the protesters", "critics")
    names a new, unnamed source and stays as written; so does anything with a capital in it
    ("the CNRP spokesman", "the U.N. mission") and a body ("The harbour union said", "the
    court": often the one institution the story is about, a fair label as written). A channel
    ("The statement said", "a statement from the ministry said": ``channel_nouns``) is never the
    speaker, its author is (GUIDELINES): no name either, whatever its determiner.

    >>> lex = MentionLexicon(role_nouns={"spokesman": (), "prime minister": ()}, body_nouns=frozenset({"union"}), channel_nouns=frozenset({"statement"}))
    >>> [unresolved_description(m, lex) for m in ("the spokesman", "the former prime minister", "his spokesman", "the 51-year-old", "the 51-year-old former nurse")]
    [True, True, True, True, True]
    >>> [unresolved_description(m, lex) for m in ("The statement", "A joint statement", "a statement from the ministry", "A statement from the CNRP")]
    [True, True, True, False]
    >>> [unresolved_description(m, lex) for m in ("a spokesman", "the CNRP spokesman", "the protesters", "the union", "spokesman")]
    [False, False, False, False, False]
    """
    w = mention.split()
    if len(w) < 2 or w[0].lower() not in _DEFINITE | _INDEFINITE or any(x[:1].isupper() for x in w[1:]):
        return False
    body: list[str] = []
    for x in w[1:]:
        if x.lower() in _PP_STARTS:
            break
        body.append(x.strip(",.;:").lower())
    if not body or not body[-1]:
        return False
    if body[-1] in lex.channel_nouns:
        return True
    if w[0].lower() in _INDEFINITE:
        return False
    if relation_of_someone(w, lex):
        return True
    low = " ".join(body)
    return any(_YEAR_OLD.fullmatch(x) for x in body) or any(low == n or low.endswith(" " + n) for n in lex.role_nouns)


def relation_of_someone(w: list[str], lex: MentionLexicon) -> bool:
    """Is the mention (its words) "his"/"her" and a noun of ``party_nouns`` ("his client", "her
    clients")? The other party of a lawyer's relation is the story's named defendant, whom the
    resolver cannot tell from the lawyer's "his": it names nobody rather than "his client". Family
    words and "her neighbour" stay as written: that relative is often never named, and the
    relation is a fair descriptive name.

    >>> lex = MentionLexicon(party_nouns=frozenset({"client"}))
    >>> [relation_of_someone(m.split(), lex) for m in ("his client", "Her clients", "his mother", "the client", "his")]
    [True, True, False, False, False]
    """
    return len(w) == 2 and w[0].lower() in ("his", "her") and w[1].lower().rstrip("s") in lex.party_nouns


def bare_quantifier(mention: str, lex: MentionLexicon) -> bool:
    """Is the mention an indefinite quantifier alone ("Several", "Some", "Many of them"): part of
    a group the sentence does not name? GUIDELINES give an unnamed group a descriptive name
    ("former employees"), which the quantifier is not, so it names nobody.

    >>> lex = MentionLexicon(quantifiers=frozenset({"several", "some", "many"}))
    >>> [bare_quantifier(m, lex) for m in ("Several", "Many of them", "some", "Several lawmakers", "Many of the farmers")]
    [True, True, True, False, False]
    >>> bare_quantifier("A few of them", MentionLexicon(quantifiers=frozenset({"a few"})))
    True
    """
    low = mention.lower()
    for rest in ("", " of them", " of those"):
        if low.endswith(rest) and low[: len(low) - len(rest)] in lex.quantifiers:
            return True
    return False


_INDEFINITE = frozenset(("a", "an"))


def _proper_name(name: str) -> bool:
    """Capitalised words, no article first ("Chan Dara"; not "The union")."""
    w = name.split()
    return bool(w) and w[0].lower() not in ("the", "a", "an") and all(x[:1].isupper() for x in w)


_FEMALE_WORDS = frozenset("spokeswoman chairwoman congresswoman businesswoman councilwoman mrs mrs. ms ms. madam queen princess wife mother daughter sister woman".split())
_MALE_WORDS = frozenset("spokesman chairman congressman businessman councilman mr mr. king prince husband father son brother man".split())


def title_contradicts(mention: str, speaker, lex: MentionLexicon) -> bool:
    """Does the mention's title name a role ("court spokesman", "governor") that none of the
    registry person's role titles holds? Only for a person with roles on record; a mention
    without a role word contradicts nothing.

    >>> from toolkit.config import Speaker, Role
    >>> lex = MentionLexicon(titles=frozenset({"court", "spokesman", "provincial"}), role_nouns={"spokesman": ("spokesman",)})
    >>> kem = Speaker("Kem Sokha", "opposition", roles=(Role("President of the Cambodia National Rescue Party"),))
    >>> title_contradicts("Provincial court spokesman Kim Sokha", kem, lex), title_contradicts("Kim Sokha", kem, lex)
    (True, False)
    """
    name = strip_titles(mention, lex.titles)
    title = mention.strip()[: len(mention.strip()) - len(name)].lower().split()
    heads = [w for w in title if w in lex.role_nouns]
    if not heads or not getattr(speaker, "roles", None) or speaker.kind != "person":
        return False
    held = " ".join(r.title.lower() for r in speaker.roles)
    return not any(h in held or any(f in held for f in lex.role_nouns[h]) for h in heads)


def gender_of_descriptions(descriptions) -> str | None:
    """The gender the article's descriptions of a person give ("Thai army spokeswoman" ->
    female, "a CPP spokesman" -> male), None when they give none or both: a person outside the
    registry described as a spokeswoman is no antecedent for "he".

    >>> gender_of_descriptions(["thai army spokeswoman colonel"]), gender_of_descriptions(["a lecturer"])
    ('female', None)
    """
    found = set()
    for d in descriptions:
        for w in d.lower().split():
            if w in _FEMALE_WORDS:
                found.add("female")
            elif w in _MALE_WORDS:
                found.add("male")
    return found.pop() if len(found) == 1 else None


def without_article(mention: str) -> str:
    """The mention without a leading "The"/"the" ("The Cambodian People’s Party" -> "Cambodian
    People’s Party": a registry name with a possessive is found whole, not word by word).

    >>> without_article("The Cambodian People’s Party"), without_article("Theary Seng")
    ('Cambodian People’s Party', 'Theary Seng')
    """
    return mention[4:] if mention[:4] in ("The ", "the ") else mention


def as_written_score(name: str) -> float:
    """How sure a speaker kept as written is: 0.5 for a proper name the registry does not know
    ("Chhoeun Sovanna": likely the right name, to be added), 0.3 for a description or a phrase
    ("the rights worker", "A party official", "groups"): never the canonical name, the annotator
    must pick or type it, so the proposal asks to be checked.

    >>> as_written_score("Chhoeun Sovanna"), as_written_score("the rights worker")
    (0.5, 0.3)
    """
    return 0.5 if _proper_name(name) else 0.3


def titled_name(mention: str, lex: MentionLexicon) -> tuple[str, str] | None:
    """``(name, title)`` when ``mention`` is a person's title before a name of two to four
    capitalised words ("Malaysian Foreign Minister Mohamad Hasan" -> ("Mohamad Hasan",
    "Malaysian Foreign Minister")); None for a body ("Cambodian People's Party"), a bare name or a
    description with no name. The title must hold a person's role word (``role_nouns``, their
    forms or a rank in ``titles`` that is no body noun): a person outside the registry named this
    way is an antecedent for a later "he", "she" or "the minister".

    >>> lex = MentionLexicon(titles=frozenset({"foreign", "minister", "malaysian"}), role_nouns={"minister": ("minister",)})
    >>> titled_name("Malaysian Foreign Minister Mohamad Hasan", lex)
    ('Mohamad Hasan', 'Malaysian Foreign Minister')
    >>> titled_name("Foreign Minister", lex) is None
    True
    """
    name = strip_titles(mention, lex.titles)
    w = name.split()
    if name == mention.strip() or not 2 <= len(w) <= 4 or not all(x[:1].isupper() and x.replace("-", "").isalpha() for x in w):
        return None
    if any(x.lower() in lex.body_nouns or x.lower() in lex.group_nouns for x in w):
        return None
    title = mention.strip()[: len(mention.strip()) - len(name)].strip()
    person_words = lex.title_heads - lex.body_nouns
    if not any(t.lower() in person_words for t in title.split()):
        return None
    return name, title


_QUANTIFIERS = frozenset("neither either most many some all both few several every each no other another more much any".split())


def bare_name(mention: str, lex: MentionLexicon) -> bool:
    """Is ``mention`` a bare name of two or three capitalised words, none a title, body or group
    noun ("Sok Chanthy"; not "Phnom Penh Municipal Court", "Foreign Minister", "The party")?
    Such a subject outside the registry may be the person a later "she" refers to.

    >>> lex = MentionLexicon(titles=frozenset({"minister"}), body_nouns=frozenset({"court"}))
    >>> bare_name("Sok Chanthy", lex), bare_name("Municipal Court", lex), bare_name("Sok", lex)
    (True, False, False)
    """
    w = mention.split()
    if w and w[0].lower() in _QUANTIFIERS:
        return False  # "Neither Clinton (nor Trump)", "Most Americans"
    return 2 <= len(w) <= 3 and all(
        x[:1].isupper() and x[1:].islower() and x.isalpha() and x.lower() not in lex.titles and x.lower() not in lex.body_nouns and x.lower() not in lex.group_nouns
        for x in w
    )


def _has_words(hay: str, needle: str) -> bool:
    """Does normalised ``hay`` contain the words of ``needle`` in a row?

    >>> _has_words("prime minister of cambodia", "prime minister"), _has_words("ministry spokesman", "minister")
    (True, False)
    """
    if not needle:
        return False
    return f" {needle} " in f" {hay} "


# --------------------------------------------------------------------------- descriptions in the text

#: a name: up to five capitalised words or initials ("Donald J. Trump"); a period ends it otherwise
_NAME_RE = r"(?:[A-Z]\.|[A-Z][\w’'\-]*)(?:[ \t]+(?:[A-Z]\.|[A-Z][\w’'\-]*)){0,4}"
_NAME_AT = re.compile(_NAME_RE)
_NAME_BEFORE = re.compile(r"(?<![\w’'\-.])(?:(?:[A-Z]\.|[A-Z][\w’'\-]*)[ \t]+){0,4}[A-Z][\w’'\-]*$")
_DESC_AFTER = re.compile(r"[^,;:()“”\"\n.!?]{2,90}?(?=[,.;])")
#: words that open a sentence or phrase before a name ("In Phnom Penh, the capital"): not the name
_NAME_OPENERS = frozenset("in on at by for from to of with after before during since as when while but and or so the a an however meanwhile last next this that".split())
#: finite verbs: a description holds none ("In Phnom Penh, the spokesman said ...")
_VERBISH = frozenset("said says told tells is was are were be been has have had will would could can may might does did do".split())
_ARTICLE_APPOSITIVES = (", a ", ", an ", ", the ")
_DETERMINERS_BEFORE = frozenset("a an the his her its their".split())


def _clean_name(name: str, not_names: frozenset[str]) -> str:
    """The name run without opening function words, a possessive or trailing time words."""
    w = name.split()
    while w and w[0].lower() in _NAME_OPENERS:
        w = w[1:]
    while w and w[-1].lower().rstrip(".") in not_names:
        w = w[:-1]
    if w:
        w[-1] = _POSSESSIVE.sub("", w[-1])
    if not w or all(x.lower().rstrip(".") in not_names for x in w):
        return ""
    return " ".join(w)


def find_descriptions(text: str, lex: MentionLexicon, not_names: frozenset[str] = frozenset(), heads=None, appositives: bool = True) -> list[tuple[int, str, str, str]]:
    """``(position, name, description, kind)`` for every person or body the article describes
    next to its name, in text order (``kind``: ``organisation`` when the description's head is a
    body noun, else ``person``):

    - an appositive after the name: "Sok Eysan, a CPP spokesman," / "Licadho, a local rights
      group," (without an article the head must be a title or role word: "Sok Eysan, CPP
      spokesman,");
    - an appositive before it: "a spokesman for the ruling party, Sok Eysan,";
    - a title before the name: "Foreign Ministry spokesman Koy Kuong", "former army commander
      Pol Saroeun", "rights group Licadho".

    ``not_names``: lower-case words that are never a name (days, months). ``heads``: the title
    words to look for (default: all of :attr:`MentionLexicon.title_heads`); ``appositives=False``
    skips the appositives with an article. Found with ``str.find`` on these anchors (", a ",
    ", the ", the title words) and short regex matches around them.

    >>> lex = MentionLexicon(titles=frozenset({"spokesman"}), role_nouns={"spokesman": ("spokesman",)})
    >>> [(n, d) for _, n, d, _ in find_descriptions("Sok Eysan, a CPP spokesman, said no.", lex)]
    [('Sok Eysan', 'a CPP spokesman')]
    """
    out: dict[tuple[int, str], tuple[int, str, str, str]] = {}
    low = text.lower()
    heads = lex.title_heads if heads is None else heads

    def add(pos: int, raw_name: str, desc: str, head: str) -> None:
        name = _clean_name(raw_name, not_names)
        name = strip_titles(name, lex.titles) if name else name
        if name:
            at = pos + raw_name.find(name.split()[0])
            out.setdefault((at, name), (at, name, desc, "organisation" if head in lex.body_nouns else "person"))

    for anchor in _ARTICLE_APPOSITIVES if appositives else ():  # "NAME, a DESC,"
        i = low.find(anchor)
        while i >= 0:
            m = _DESC_AFTER.match(text, i + 2)
            if m is not None:
                head = _description_head(m.group())
                nm = _NAME_BEFORE.search(text, max(0, i - 60), i) if head is not None else None
                if nm is not None:
                    add(nm.start(), nm.group(), m.group().strip(), head)
            i = low.find(anchor, i + 1)
    for head in heads:
        i = low.find(head)
        n = len(head)
        while i >= 0:
            j = i + n
            if (i == 0 or not (low[i - 1].isalnum() or low[i - 1] == "-")) and (j >= len(low) or not (low[j].isalnum() or low[j] == "-")):
                _around_head(text, i, j, head, lex, add)
            i = low.find(head, j)
    return sorted(out.values())


def _around_head(text: str, i: int, j: int, head: str, lex: MentionLexicon, add) -> None:
    """The descriptions around one title word ``text[i:j]`` (see :func:`find_descriptions`)."""
    nxt = text[j : j + 2]
    m = _NAME_AT.match(text, j + 1) if nxt[:1] in (" ", "\t") and nxt[1:2].isupper() else None
    if m is not None:  # "spokesman Koy Kuong" (not an upper-case letter that starts no name: '𝔘𝔫𝔦𝔠𝔬𝔡𝔢')
        raw = m.group().split()
        k = 0
        while k < len(raw) - 1 and raw[k].lower() in lex.titles:
            k += 1  # "Party President Sam Rainsy": the titles belong to the description
        if not raw[k].lower() in lex.titles:
            desc = _title_words_before(text, i, lex) + " ".join([text[i:j], *raw[:k]])
            name_start = j + 1 + m.group().find(raw[k])
            add(name_start, " ".join(raw[k:]), desc, (raw[k - 1] if k else head).lower())
        return
    # "Sok Eysan, CPP spokesman," (no article): a comma and a name before the title words
    before = _title_words_before(text, i, lex)
    start = i - len(before)
    if text[start - 2 : start] == ", " and nxt[:1] in (",", ".", ";", " "):
        m = _DESC_AFTER.match(text, start)
        if m is not None and _description_head(m.group()) == head:
            nm = _NAME_BEFORE.search(text, max(0, start - 62), start - 2)
            if nm is not None:
                add(nm.start(), nm.group(), m.group().strip(), head)
    # "a spokesman for the ruling party, Sok Eysan,": the name after the description
    words = text[max(0, start - 30) : start].split()
    det = words[-1].lower() if words else ""
    inside_pp = len(words) > 1 and words[-2].lower() in _PP_STARTS  # "for [the ruling party], X"
    if (det in _DETERMINERS_BEFORE or _POSSESSIVE.search(det)) and not inside_pp:
        m = _DESC_AFTER.match(text, start)
        if m is not None and text[m.end() : m.end() + 2] == ", " and _description_head(m.group()) == head:
            nm = _NAME_AT.match(text, m.end() + 2)
            if nm is not None and text[nm.end() : nm.end() + 1] in (",", ".", ";"):
                add(nm.start(), nm.group(), (words[-1] + " " + m.group()).strip(), head)


def stated_kin(text: str, kin_words) -> tuple[int, str | None, str | None] | None:
    """The last family relation ``text`` states with one of ``kin_words``: ``(position, name,
    None)`` for "the mother of (activist) Keo Vy" and "Keo Vy's mother", ``(position, None,
    "his"/"her")`` for "Chan Sovann, his daughter," (the relative is who "his" refers to).

    >>> stated_kin("The mother of activist Keo Vy said", ("mother", "father"))
    (4, 'Keo Vy', None)
    >>> stated_kin("Chan Sovann, his daughter, said", ("daughter", "son"))
    (11, None, 'his')
    >>> stated_kin("Keo Vy met her lawyer.", ("mother",)) is None
    True
    """
    if not kin_words:
        return None
    alts = "|".join(re.escape(k) for k in sorted(kin_words, key=len, reverse=True))
    pattern = re.compile(
        r"\b(?:(?:" + alts + r")s?\s+of\s+(?:[a-z][\w-]*\s+){0,3}(?P<of>" + _NAME_RE + r")"
        r"|(?P<own>" + _NAME_RE + r")['’]s\s+(?:[a-z][\w-]*\s+)?(?:" + alts + r")\b"
        r"|,\s+(?P<poss>his|her)\s+(?:" + alts + r")\s*[,.])"
    )
    last = None
    for mt in pattern.finditer(text):
        last = mt
    if last is None:
        return None
    if last.group("poss"):
        return last.start(), None, last.group("poss")
    name = last.group("of") or last.group("own")
    return last.start(), name, None


def described_subject(text: str, start: int, end: int, lex: MentionLexicon) -> tuple[str, str] | None:
    """``(description, kind)`` when the name ``text[start:end]`` (capitalised words) is followed
    by an appositive that describes it ("Chea Vannath, a CPP spokesman, rejected ..."), else None.

    >>> lex = MentionLexicon(role_nouns={"spokesman": ("spokesman",)})
    >>> described_subject("Chea Vannath, a CPP spokesman, said", 0, 12, lex)
    ('a CPP spokesman', 'person')
    """
    name = text[start:end].split()
    if not name or not all(w[:1].isupper() for w in name) or name[0].lower() in _NAME_OPENERS:
        return None
    m = _DESC_AFTER.match(text, end + 2)
    if m is None:
        return None
    desc = m.group().strip()
    head = _description_head(desc)
    if head is None or (desc.split()[0].lower() not in ("a", "an", "the") and head not in lex.title_heads):
        return None
    return desc, "organisation" if head in lex.body_nouns else "person"


_AGED_NAME = re.compile(r"(?<![\w’'\-.])((?:[A-Z][\w’'\-]+[ \t]){0,3}[A-Z][a-z][\w’'\-]*), (?:(\d{1,3}),|who )")


def aged_names(text: str, not_names: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """``(char offset, name)`` of every name given an age in an appositive ("Sok Dara, 31, a
    sewer", "Andi, 26, had answered") or a "who" clause ("was Tep Vanny, who has led ..."):
    news gives ages to people only, and "who" is for people, so each is a person and an
    antecedent for a later he or she. Ages 10-110; a month or weekday before the number
    ("Sunday, 25 May") is a date, and so is any word of ``not_names``.

    >>> aged_names("Outside, Sok Dara, 31, a sewer, waited. On Sunday, 25 May, it rained.")
    [(9, 'Sok Dara')]
    >>> aged_names("Among them was Keo Vy, who led the march.")
    [(15, 'Keo Vy')]
    """
    out = []
    for m in _AGED_NAME.finditer(text):
        name, age = m.group(1), int(m.group(2)) if m.group(2) else None
        if (age is not None and not 10 <= age <= 110) or any(w.lower() in not_names for w in name.split()):
            continue
        out.append((m.start(1), name))
    return out


def _description_head(desc: str) -> str | None:
    """The head noun of a description ("a CPP spokesman" -> "spokesman", "the envoy to the UN"
    -> "envoy"), lower-case; None when it is no noun phrase (a name, a verb, an adverb)."""
    pre = _pre_pp(desc)
    if not pre:
        return None
    w = pre.split()
    if len(w) > 8 or any(x in _VERBISH for x in w):
        return None
    head = w[-1]
    raw = [x for x in re.split(r"[^\w\-]+", desc) if x]
    last_raw = next((x for x in reversed(raw) if x.lower() == head), None)
    if last_raw is None or not last_raw[:1].islower() or not head.replace("-", "").isalpha() or head.endswith("ly"):
        return None
    return head


def _title_words_before(text: str, pos: int, lex: MentionLexicon) -> str:
    """The title words right before ``pos`` ("Foreign Ministry " before "spokesman", "former army "
    before "commander"): capitalised words and the lexicon's description words; at most five,
    no article or possessive."""
    before = text[max(0, pos - 80) : pos]
    if not before[-1:] in (" ", "\t"):
        return ""
    words = before.rsplit("\n", 1)[-1].split()
    keep: list[str] = []
    for w in reversed(words):
        if len(keep) >= 5 or w[-1:] in ",.;:”\")(" or _POSSESSIVE.search(w) or w.lower() in ("the", "a", "an"):
            break
        if w[:1].isupper() or w.lower() in lex.description_words:
            keep.append(w)
            continue
        break
    return " ".join(reversed(keep)) + (" " if keep else "")
