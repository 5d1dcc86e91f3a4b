"""Stance proposal for one quote: a prior from the speaker's side plus what the words say.

This is a **proposal** for the annotator, never a verdict. It reads no irony and does not know
who the quote is about. Three kinds of evidence, all data in ``configs/stance_signals.yaml``:

* the **speaker's side**: the registry affiliation, else a side read from the words of the
  mention and its appositive (:func:`side_from_mention` on :func:`speaker_context`: "a
  government spokesman", "Mu Sochua, an opposition lawmaker,");
* **signals** in the quote and its cue: weak vocabulary (``signals``) and framings that hold
  whoever speaks (``strong_signals``: "interference in internal affairs", "politically
  motivated"). A signal right after a negator ("no political prisoners") does not count;
  after a hedge ("hopes the court will be fair") it counts for less and the hedge leans neutral
  (strongly when it hopes for fairness, which the guidelines make neutral whoever speaks);
  each figure ("340 schools", "$1.2 billion", "80.3 percent": :func:`quantities`) is a weak
  neutral signal, so that a partisan speaker's plain report of a toll, results or a budget is
  not pre-filled with the side's label; what a quote concedes before "but" is not its point
  (:func:`concession_end`), a characterisation's figures are rhetoric (:func:`characterises`),
  a negated verb of belief denies its complement (:func:`disbelieved`), a sentence that
  names the state and negates something is a complaint (:func:`state_failing`), and a claim of
  sovereignty or self-defence takes the side of the state it is made for (:func:`claim_owner`);
* score(label) = prior(label | side) + evidence(label); ``score`` is the winning label's share
  of the summed scores: about 0.33 means "no idea", close to 1 "side and words agree".

The caller pre-fills the label only when ``score`` reaches the scheme's ``prefill_min_score``
(``configs/stance.yaml``); below it the annotator chooses.

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
STANCE_SIGNAL_KEYS = (
    "weight", "max_signals", "priors", "signals",
    "strong_weight", "strong_signals", "negators", "hedges", "hedge_factor",
    "opposed_weak_factor", "lean_margin", "mention_sides", "mention_roles", "number_words",
    "fairness_words", "characterising_cues", "state_actors", "sovereignty_claims", "blame_claims", "home_state",
    "place_bodies", "home_places", "body_qualifiers", "business_nouns",
)


@dataclass(frozen=True)
class PhraseTable:
    """Phrases of several kinds in one whole-word regex, so that one pass over a text finds
    them all. At a position the longest phrase wins ("not free and fair" is one phrase, not
    also "free and fair"); a phrase listed twice keeps its first kind.

    >>> t = PhraseTable.build([("free and fair", "against"), ("was free and fair", "favor")])
    >>> [(m.group(), kind) for m, kind in t.find("It was free and fair.")]
    [('was free and fair', 'favor')]
    """

    pattern: re.Pattern | None = None
    kinds: dict[str, Any] = field(default_factory=dict)
    lower: bool = True

    @classmethod
    def build(cls, items: Any, *, lower: bool = True) -> "PhraseTable":
        kinds: dict[str, Any] = {}
        for phrase, kind in items:
            w = _norm(str(phrase).strip(), lower)
            if w:
                kinds.setdefault(w, kind)
        if not kinds:
            return cls(lower=lower)
        words = sorted(kinds, key=len, reverse=True)
        return cls(re.compile(r"(?<!\w)(?:" + _trie(words) + r")(?!\w)"), kinds, lower)

    def find(self, text: str) -> list[tuple[re.Match, Any]]:
        """``(match, kind)`` of each phrase in ``text`` (already normalised: see :func:`_norm`)."""
        if self.pattern is None:
            return []
        kinds = self.kinds
        return [(m, kinds[m.group()]) for m in self.pattern.finditer(text)]


def _norm(text: str, lower: bool = True) -> str:
    """What phrases and texts are matched on: lower case (unless a phrase in capitals) and
    straight apostrophes."""
    return (text.lower() if lower else text).replace("’", "'")


@dataclass(frozen=True)
class StanceLexicon:
    weight: float = 0.2
    max_signals: int = 3
    priors: dict[str, dict[str, float]] = field(default_factory=dict)
    #: every signal phrase, of kind ``(label, strong)``
    signals: PhraseTable = field(default_factory=PhraseTable)
    strong_weight: float = 0.6
    negators: frozenset[str] = frozenset()
    hedges: PhraseTable = field(default_factory=PhraseTable)
    hedge_factor: float = 0.5
    #: a weak signal against the side a known speaker leans to counts this share of its weight
    opposed_weak_factor: float = 1.0
    #: a side leans to favor (against) when its favor prior exceeds its against prior (or the
    #: reverse) by at least this
    lean_margin: float = 0.3
    #: mention words of kind ``(tier, order, affiliation)``: tier 0 ``mention_sides``, 1
    #: ``mention_roles``; ``order`` is the affiliation's place in its list. Phrases in capitals
    #: are in ``sides_as_written`` (matched on the text as written)
    sides: PhraseTable = field(default_factory=PhraseTable)
    sides_as_written: PhraseTable = field(default_factory=lambda: PhraseTable(lower=False))
    #: number words that make a count ("three committee meetings"): see :func:`quantities`
    number_words: frozenset[str] = frozenset()
    #: after a hedge, a hope for fairness: see :func:`hopes_for_fairness`
    fairness_words: frozenset[str] = frozenset()
    #: cue words that make the quote a characterisation ("called it X"): see :func:`characterises`
    characterising_cues: frozenset[str] = frozenset()
    #: words naming the target's actors ("ministry", "police"): see :func:`state_failing`
    state_actors: PhraseTable = field(default_factory=PhraseTable)
    #: claims in a dispute between states, of kind "defend" (sovereignty, self-defence: the side
    #: of their owner) or "blame" (fired first: the other side): see :func:`dispute_claims`
    dispute_claims: PhraseTable = field(default_factory=PhraseTable)
    #: names of states, of kind "home" (``home_state``) or "foreign" (the foreign government words
    #: of ``mention_sides``), lower case: see :func:`claim_owner`
    states: PhraseTable = field(default_factory=PhraseTable)
    #: body nouns a place may own ("Police") and the words before them that keep the body
    #: Cambodian (lower case): see :func:`foreign_body`
    place_bodies: frozenset[str] = frozenset()
    home_qualifiers: frozenset[str] = frozenset()
    #: last words of a business's name ("Bank", "Casino"): see :func:`business_names`
    business_nouns: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, data: dict[str, Any], labels: tuple[str, ...] = LABELS, source: Any = "stance_signals.yaml") -> "StanceLexicon":
        """Validate and build; errors are :class:`~toolkit.config.ConfigError` naming ``source``
        and the key (unknown keys, affiliations and labels; wrong types; a phrase given to two
        labels)."""
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

        signal_items: list[tuple[str, tuple[str, bool]]] = []
        where: dict[str, str] = {}
        for key, strong in (("strong_signals", True), ("signals", False)):  # strong first: it wins a phrase listed in both
            raw = expect_mapping(data.get(key), source, key, " of label -> list of phrases")
            check_keys(raw, labels, source, key)
            for lab, v in raw.items():
                for phrase in expect_list(v, source, f"{key}.{lab}", strings=True):
                    w = _norm(phrase.strip())
                    other = where.setdefault(w, f"{key}.{lab}")
                    if other.split(".")[1] != lab:
                        raise ConfigError(f"{source}: key '{key}.{lab}': {phrase!r} is also listed under '{other}' (a phrase tells one label: remove one)")
                    signal_items.append((phrase, (lab, strong)))

        side_items: list[tuple[str, tuple[int, int, str]]] = []
        for tier, key in enumerate(("mention_sides", "mention_roles")):
            raw = expect_mapping(data.get(key), source, key, " of affiliation -> list of words")
            check_keys(raw, (*AFFILIATIONS, "unknown"), source, key)
            for order, (aff, v) in enumerate(raw.items()):
                side_items += [(p, (tier, order, str(aff))) for p in expect_list(v, source, f"{key}.{aff}", strings=True)]

        numbers = {}
        for key, default in (("weight", 0.2), ("strong_weight", 0.6), ("hedge_factor", 0.5), ("opposed_weak_factor", 1.0), ("lean_margin", 0.3)):
            numbers[key] = expect_number(data.get(key, default), source, key)
            if numbers[key] < 0:
                raise ConfigError(f"{source}: key {key!r}: must not be negative, got {numbers[key]}")
        max_signals = expect_number(data.get("max_signals", 3), source, "max_signals", int)
        if max_signals < 0:
            raise ConfigError(f"{source}: key 'max_signals': must not be negative, got {max_signals}")
        for key, what in (("hedge_factor", "after a hedge"), ("opposed_weak_factor", "against a known speaker's side")):
            if numbers[key] > 1:
                raise ConfigError(f"{source}: key {key!r}: must be between 0 and 1 (the share of a signal's weight left {what}), got {numbers[key]}")
        negators = frozenset(_norm(w.strip()) for w in expect_list(data.get("negators"), source, "negators", strings=True))
        bad = next((w for w in negators if not (_WORD.fullmatch(w) or w == "n't")), None)
        if bad is not None:
            raise ConfigError(f"{source}: key 'negators': {bad!r} must be one word, like not, \"no\" (quoted: YAML reads a bare no as false), never, n't")
        hedges = expect_list(data.get("hedges"), source, "hedges", strings=True)
        number_words = frozenset(_norm(w.strip()) for w in expect_list(data.get("number_words"), source, "number_words", strings=True))
        fairness_words = frozenset(_norm(w.strip()) for w in expect_list(data.get("fairness_words"), source, "fairness_words", strings=True))
        characterising = frozenset(_norm(w.strip()) for w in expect_list(data.get("characterising_cues"), source, "characterising_cues", strings=True))
        state_actors = expect_list(data.get("state_actors"), source, "state_actors", strings=True)
        claims = [(w, "defend") for w in expect_list(data.get("sovereignty_claims"), source, "sovereignty_claims", strings=True)]
        claims += [(w, "blame") for w in expect_list(data.get("blame_claims"), source, "blame_claims", strings=True)]
        home = expect_list(data.get("home_state"), source, "home_state", strings=True)
        place_bodies = frozenset(_norm(w.strip()) for w in expect_list(data.get("place_bodies"), source, "place_bodies", strings=True))
        home_qualifiers = frozenset(
            _norm(w.split()[-1]) for key in ("home_state", "home_places", "body_qualifiers")
            for w in expect_list(data.get(key), source, key, strings=True) if w.strip()
        )
        business_nouns = frozenset(_norm(w.strip()) for w in expect_list(data.get("business_nouns"), source, "business_nouns", strings=True))
        foreign = [p for p, (tier, _, aff) in side_items if tier == 0 and aff == "foreign government" and _names_a_state_in_lower_case(p)]
        return cls(
            weight=numbers["weight"], max_signals=max_signals, priors=priors, signals=PhraseTable.build(signal_items),
            strong_weight=numbers["strong_weight"], negators=negators, hedges=PhraseTable.build((h, True) for h in hedges),
            hedge_factor=numbers["hedge_factor"], opposed_weak_factor=numbers["opposed_weak_factor"], lean_margin=numbers["lean_margin"],
            sides=PhraseTable.build((p, k) for p, k in side_items if not _is_capitals(p)),
            sides_as_written=PhraseTable.build(((p, k) for p, k in side_items if _is_capitals(p)), lower=False),
            number_words=number_words, fairness_words=fairness_words, characterising_cues=characterising,
            state_actors=PhraseTable.build((w, True) for w in state_actors),
            dispute_claims=PhraseTable.build(claims),
            states=PhraseTable.build([(w, "home") for w in home] + [(w, "foreign") for w in foreign]),
            place_bodies=place_bodies, home_qualifiers=home_qualifiers, business_nouns=business_nouns,
        )


_WORD = re.compile(r"\w+")
_NEGATION_REACH = 3  # words before a signal that a negator may stand in ("did not follow the law")


def _names_a_state_in_lower_case(phrase: str) -> bool:
    """Whether a foreign government word still names a state in lower case: not an acronym
    without stops ("US" is "us"), which :func:`claim_owner` would read in every "us".

    >>> _names_a_state_in_lower_case("Thailand"), _names_a_state_in_lower_case("U.S."), _names_a_state_in_lower_case("US")
    (True, True, False)
    """
    return not _is_capitals(phrase) or "." in phrase


def _is_capitals(phrase: str) -> bool:
    """An acronym or other phrase written in capitals is matched as written ("US" is not "us")."""
    letters = [c for c in phrase if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


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


# --------------------------------------------------------------------------- the speaker's side


def side_from_mention(words: str, lexicon: StanceLexicon) -> str | None:
    """The affiliation that the words of a mention (and its appositive) name, or ``None``.

    ``mention_sides`` (parties, bodies, "opposition", "rights group") win over ``mention_roles``
    (role nouns such as "minister" or "diplomat", read only when no side word is there); among
    several side words the longest phrase wins ("government critic" over "government"), then
    the first listed in the file. Capitalised phrases match as written ("US" but not "us").
    Words listed under ``unknown`` say that the side is not known ("party official": which
    party?), so they beat the shorter words they contain.

    >>> lex = StanceLexicon.from_dict({"mention_sides": {"opposition": ["opposition"], "ruling party": ["CPP"]},
    ...     "mention_roles": {"government": ["official", "spokesman"]}})
    >>> side_from_mention("an opposition lawmaker", lex), side_from_mention("a CPP official", lex)
    ('opposition', 'ruling party')
    >>> side_from_mention("a government spokesman", lex), side_from_mention("he", lex)
    ('government', None)
    """
    if not words:
        return None
    found = lexicon.sides.find(_norm(words)) + lexicon.sides_as_written.find(_norm(words, lower=False))
    businesses = business_names(words, lexicon)
    found = [
        (m, k) for m, k in found
        if not foreign_body(words, m.start(), m.end(), lexicon) and not any(a <= m.start() and m.end() < b for a, b in businesses)
    ]
    if not found:
        return None
    # (tier, -length, order, affiliation) of each phrase; side words next to each other make
    # one phrase with the side of the first ("French" + "foreign ministry")
    found.sort(key=lambda mk: mk[0].start())
    best: tuple[int, int, int, str] | None = None
    start = end = -1
    head: tuple[int, int, str] | None = None
    for m, (tier, order, aff) in found:
        if head is not None and tier == 0 == head[0] and _JOINS.fullmatch(words, end, m.start()):
            end = m.end()
        else:
            start, end, head = m.start(), m.end(), (tier, order, aff)
        cand = (head[0], start - end, head[1], head[2])
        if best is None or cand < best:
            best = cand
    aff = best[3]
    return None if aff == "unknown" else aff


_NAME_RUN = re.compile(r"[A-Z][\w'’&.-]*(?:\s+(?:of|and|for|&|[A-Z][\w'’&.-]*))*")


def business_names(words: str, lexicon: StanceLexicon) -> list[tuple[int, int]]:
    """The spans of the business names in ``words``: a run of capitalised words (with "of",
    "and", "for") whose last word is one of ``business_nouns`` ("Bank", "Casino", "Group").
    A side word inside such a name names no side ("Union Star Casino" is no union,
    "Freedom Garment Factory" no rights group): :func:`side_from_mention` skips it, while a
    side phrase that ends the name ("World Bank") still counts.

    >>> lex = StanceLexicon.from_dict({"business_nouns": ["casino", "bank"]})
    >>> t = "a spokesman for Union Star Casino and a union leader"
    >>> [t[a:b] for a, b in business_names(t, lex)], business_names("the union leader", lex)
    (['Union Star Casino'], [])
    """
    out = []
    for m in _NAME_RUN.finditer(words):
        ends = [w.end() for w in re.finditer(r"\S+", m.group()) if _norm(w.group()).strip(".,") in lexicon.business_nouns]
        if ends and len(m.group()[: ends[-1]].split()) >= 2:  # the name may go on past its business noun ("Golden Bank and")
            out.append((m.start(), m.start() + ends[-1]))
    return out


_WORD_BEFORE = re.compile(r"([\w'’.-]+)\s+$")
_DETERMINERS = frozenset("the a an its their his her our your this that these those no every any".split())


def foreign_body(words: str, start: int, end: int, lexicon: StanceLexicon) -> bool:
    """Whether the body noun ``words[start:end]`` (one of ``place_bodies``, capitalised as a
    name: "Police", "Army") belongs to a place that is not Cambodian: the capitalised word right
    before it is neither a determiner nor one of the home words (``home_state``, the last words
    of ``home_places``, ``body_qualifiers`` such as "National" or "Provincial"). "Victoria
    Police" or "Yunnan Army" is no Cambodian state body; as the place may be anywhere, its
    side is left unknown rather than read as the government's.

    >>> lex = StanceLexicon.from_dict({"place_bodies": ["police", "army"], "home_places": ["Siem Reap"], "body_qualifiers": ["National"]})
    >>> [foreign_body(t, t.rindex(" ") + 1, len(t), lex) for t in ("Yunnan Police", "Siem Reap Police", "National Police", "The Police", "yunnan police")]
    [True, False, False, False, False]
    """
    noun = words[start:end]
    if _norm(noun) not in lexicon.place_bodies or not noun[:1].isupper():
        return False
    before = _WORD_BEFORE.search(words, 0, start)
    if not before:
        return False
    word = before.group(1)
    low = _norm(word).strip(".")
    low = low[:-2] if low.endswith("'s") else low
    return word[:1].isupper() and low not in _DETERMINERS and low not in lexicon.home_qualifiers


#: a run of characters with no clause boundary: matched on the reversed text before a mention
#: (its clause so far) and on the text after the comma that opens an appositive
_JOINS = re.compile(r"(?:['’]s)?\s+")
_BEFORE = re.compile(r"[^.!?;:,\"“”‘()\[\]\n—–]*")
_APPOSITIVE = re.compile(r"[^.!?;:,\"“”()\[\]\n—–]*")
_WORDS_BEFORE = 3
_APPOSITIVE_CHARS = 120


def _around(text: str, start: int, end: int) -> str:
    """The mention ``text[start:end]``, up to three words before it in its clause ("opposition
    lawmaker" Mu Sochua), the description a comma sets before it ("Another analyst, Seng Vy",
    "A Thai army spokesman, Colonel Seng Vy"), and its appositive (", a CPP spokesman,") or
    the body it is of ("Seng Vy of Licadho": :func:`body_after`). What follows the comma after
    a name is not an appositive when it is the sentence's verb ("Seng Vy, said the opposition
    ...": :func:`appositive_after`)."""
    left = _BEFORE.match(text[max(0, start - 80) : start][::-1]).group()[::-1]
    words = left.split()
    title = title_before(words)
    before = " ".join(title)
    if len(title) == len(words):  # the clause so far is the title: a description may stand before its comma
        before = " ".join(x for x in (description_before(text, start - len(left)), before) if x)
    after = appositive_after(text, end) or body_after(text, end)
    return " ".join(x for x in (before, text[start:end], after) if x)


_BODY_AFTER = re.compile(r"\s+(?:of|from|at|with)\s+(?:the\s+)?(?=[A-Z])")
_BODY_NAME = re.compile(r"(?:[A-Z][\w'’.-]*|of|for|and|the|on|in|de|-)(?:\s+(?:[A-Z][\w'’.-]*|of|for|and|the|on|in|de|-))*")


def body_after(text: str, end: int) -> str:
    """The body a name is given as belonging to, right after it ("Keo Dara of Licadho said",
    "Keo Dara from the Candlelight Party"): the capitalised name after "of", "from", "at" or
    "with" (its small words included), or "".

    >>> t = "Keo Dara of the Cambodian Center for Human Rights said it. Keo Dara said it."
    >>> body_after(t, t.index(" of")), body_after(t, t.rindex("Dara") + 4)
    ('Cambodian Center for Human Rights', '')
    """
    m = _BODY_AFTER.match(text, end)
    if not m:
        return ""
    name = _BODY_NAME.match(text, m.end())
    words = name.group().split() if name else []
    while words and not words[-1][:1].isupper():  # "Licadho and" -> "Licadho"
        words.pop()
    return " ".join(words)


def title_before(words: list[str]) -> list[str]:
    """The words of a title before a name: the last three words of its clause, and the
    capitalised words of a longer title or body name before them ("Japanese Foreign Ministry
    press secretary": "Japanese" tells the side, "Foreign Ministry" would say the government).

    >>> title_before("At a briefing Japanese Foreign Ministry press secretary".split())
    ['Japanese', 'Foreign', 'Ministry', 'press', 'secretary']
    >>> title_before("he met the opposition lawmaker".split())
    ['the', 'opposition', 'lawmaker']

    A clause that so far is only a place phrase sets the scene, it is no title: "Outside the
    ministry Keo Dara said" does not make Keo Dara an official (:func:`is_setting`).

    >>> title_before("Outside the ministry".split()), title_before("In Phnom Penh opposition lawmaker".split())
    ([], ['In', 'Phnom', 'Penh', 'opposition', 'lawmaker'])

    Words that end in a preposition are about someone else: in "the union at the Golden Lotus
    hotel" the union belongs to the hotel, it is not its title (:func:`ends_in_preposition`).

    >>> title_before("the leader of the union at the".split())
    []
    """
    if is_setting(words) or ends_in_preposition(words):
        return []
    k = max(0, len(words) - _WORDS_BEFORE)
    while k > 0 and len(words) - k < _WORDS_BEFORE + 4 and words[k - 1][:1].isupper():
        k -= 1
    return words[k:]


#: prepositions that relate a name to someone else ("the union at", "a lawyer for")
_RELATING = frozenset("at of for from in on with by to against about near inside outside behind toward towards into over under between among".split())
_ARTICLES = frozenset("the a an".split())


def ends_in_preposition(words: list[str]) -> bool:
    """Whether the words before a name end in a preposition (an article aside): "the union at
    the Golden Lotus", "a spokesman for Golden Lotus". The words before the preposition are
    someone else, related to the name, not its title.

    >>> ends_in_preposition("the union at the".split()), ends_in_preposition("the rights group".split())
    (True, False)
    >>> ends_in_preposition([])
    False
    """
    rest = list(words)
    while rest and rest[-1].lower() in _ARTICLES:
        rest.pop()
    return bool(rest) and rest[-1].lower() in _RELATING


#: prepositions of place that open a scene-setting phrase ("Outside the court", "At the pagoda")
_PLACE_PREPOSITIONS = frozenset("outside inside at near in on behind beside opposite before from".split())


def is_setting(words: list[str]) -> bool:
    """Whether the words of a clause before a name are only a place phrase: a preposition of
    place and a common noun phrase (no capitalised word after the preposition), as in "Outside
    the court Keo Dara, 62, said". A capitalised word after it may start a title or a body
    ("At a briefing Thai Foreign Ministry spokesman ..."), so that clause is read as before.

    >>> is_setting("Outside the court".split()), is_setting("At a briefing Thai Foreign Ministry spokesman".split())
    (True, False)
    >>> is_setting("the opposition lawmaker".split()), is_setting([])
    (False, False)
    """
    if len(words) < 2 or words[0].lower() not in _PLACE_PREPOSITIONS:
        return False
    return not any(w[:1].isupper() for w in words[1:])


#: the first words of what follows "NAME," when that is the clause going on, not an appositive
_CLAUSE_GOES_ON = re.compile(r"\s*(?:said|says|told|tells|added|adds|wrote|writes|stated|states|posted|posts|argued|argues|claimed|claims|warned|warns|insisted|insists|noted|notes|explained|explains|replied|replies|announced|announces|which|and|but)\b")
_DESCRIPTION_WORDS = 5
_DESCRIPTION = re.compile(r"[^.!?;:,\"“”‘()\[\]\n—–]*")


def appositive_after(text: str, end: int) -> str:
    """The appositive opened by a comma right after a mention ending at ``end`` (up to the
    next clause boundary), or "" when the comma is followed by the sentence's verb, "which" or
    a conjunction (the words there are not about the speaker; a "who" clause is).

    >>> t = "Sok Chea, a CPP spokesman, said so. Another analyst, Keo Dara, said the opposition won."
    >>> appositive_after(t, t.index(",")), appositive_after(t, t.index("Keo Dara") + 8)
    ('a CPP spokesman', '')
    >>> t = "Keo Dara, who leads the rights group, said so."
    >>> appositive_after(t, 8)
    'who leads the rights group'
    """
    rest = text[end : end + _APPOSITIVE_CHARS].lstrip()
    if not rest.startswith(",") or _CLAUSE_GOES_ON.match(rest, 1):
        return ""
    return without_topics(_APPOSITIVE.match(rest, 1).group().strip())


#: a verb whose object is the speaker's subject of work, not their side ("who studies local
#: government", "who covers the opposition"); the object runs to "at", "for", "with" or "in"
_TOPIC = re.compile(
    r"\b(?:stud(?:y|ies|ied)|teach(?:es)?|taught|research(?:es|ed)?|covers?|covered|writes about|wrote about|"
    r"speciali[sz](?:es|ed) in|focus(?:es|ed)? on|reports? on|reported on)\s+((?:(?!\b(?:at|for|with|in)\b).)*)"
)


def without_topics(words: str) -> str:
    """An appositive without the objects of its verbs of study or reporting: what a person
    studies or covers is their subject, not their side.

    >>> without_topics("who studies local government at a university in Phnom Penh")
    'who studies at a university in Phnom Penh'
    >>> without_topics("a reporter who covers the opposition for Radio Free Asia"), without_topics("a CPP spokesman")
    ('a reporter who covers for Radio Free Asia', 'a CPP spokesman')
    """
    return " ".join(_TOPIC.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)], words).split())


def description_before(text: str, start: int) -> str:
    """A description of up to five words that a comma sets right before a mention, as in
    "Another analyst, Keo Dara, said" or "The site's editor, Keo Dara," ("" when the mention
    does not follow a comma, or the clause before the comma is longer).

    >>> t = "Another analyst, Keo Dara, said it. On Monday Keo Dara said it. Outside the ministry, Keo Dara said it."
    >>> description_before(t, t.index("Keo")), description_before(t, t.index("Keo", 30)), description_before(t, t.rindex("Keo"))
    ('Another analyst', '', '')
    """
    head = text[max(0, start - 60) : start]
    if not head.rstrip(" ").endswith(","):
        return ""
    words = _DESCRIPTION.match(head.rstrip(" ")[:-1][::-1]).group()[::-1].split()
    if is_setting(words):
        return ""  # "Outside the court, Keo Dara said": a scene, not a description
    return " ".join(words) if len(words) <= _DESCRIPTION_WORDS else ""  # a longer clause ("In a long speech to the opposition,") is not a description


def speaker_context(text: str, mention: tuple[int, int] | None, speaker: str | None = None) -> str:
    """The words that may tell the side of a speaker outside the registry: around the mention
    and, when the speaker is a name written in the article, around its first occurrence (where
    a wire story introduces a person: "Sok Eysan, a CPP spokesman, said ... Sok Eysan added").

    >>> t = "Sok Eysan, a CPP spokesman, rejected it. “It is fiction,” Sok Eysan said."
    >>> i = t.rindex("Sok Eysan"); speaker_context(t, (i, i + 9), "Sok Eysan")
    'Sok Eysan Sok Eysan a CPP spokesman'
    """
    parts = []
    if mention is not None:
        parts.append(_around(text, mention[0], mention[1]))
    if speaker and len(speaker) > 3 and speaker[:1].isupper():
        i = text.find(speaker)
        if i >= 0 and (mention is None or i != mention[0]):
            parts.append(_around(text, i, i + len(speaker)))
    return " ".join(parts)


# --------------------------------------------------------------------------- the words


def is_negator(word: str, negators: frozenset[str]) -> bool:
    """Whether ``word`` (punctuation stripped) is one of ``negators``, or ends in "n't" when that is one.

    >>> neg = frozenset({"not", "n't"})
    >>> is_negator("not", neg), is_negator("didn't", neg), is_negator("knot", neg)
    (True, True, False)
    """
    return word in negators or ("n't" in negators and word.endswith("n't"))


def negated(low: str, at: int, negators: frozenset[str]) -> bool:
    """Whether one of ``negators`` stands among the three words before ``low[at:]`` (``n't``
    also as the end of a word).

    >>> neg = frozenset({"not", "n't"})
    >>> [negated(t, t.index("follow"), neg) for t in ("the detention did not follow the law",
    ...     "the detention didn't follow the law", "it is not clear that they follow the law")]
    [True, True, False]
    """
    for w in low[max(0, at - 40) : at].split()[-_NEGATION_REACH:]:
        if is_negator(w.strip(_PUNCT), negators):
            return True
    return disbelieved(low, at, negators)


#: verbs of belief whose negation denies their whole complement ("did not believe he was a traitor")
_BELIEF = re.compile(r"\b(?:believe[sd]?|think|thinks|thought|accept(?:s|ed)?|agree[sd]?)\b")
_BELIEF_REACH = 8  # words between the belief verb and the signal, in one clause


def disbelieved(low: str, at: int, negators: frozenset[str]) -> bool:
    """Whether the signal at ``low[at:]`` is in the complement of a negated verb of belief
    (one of ``negators`` right before "believe", "think", "accept" or "agree", at most eight
    words back, no clause boundary between): "she did not believe he was a traitor" denies the
    accusation. Other negated verbs do not reach so far ("it is not clear that they follow the
    law" still doubts, it does not deny).

    >>> neg = frozenset({"not", "n't", "never"})
    >>> t = "she did not believe he was a traitor"
    >>> disbelieved(t, t.index("traitor"), neg), disbelieved("she believed he was a traitor", 25, neg)
    (True, False)
    >>> t = "we do not think so. he is a traitor"
    >>> disbelieved(t, t.index("traitor"), neg)
    False
    """
    window = low[max(0, at - 80) : at]
    cut = max(window.rfind(c) for c in ".;:!?")
    window = window[cut + 1 :]
    words = window.split()[-(_BELIEF_REACH + 2) :]
    for i, w in enumerate(words[1:], 1):
        if _BELIEF.fullmatch(w.strip(_PUNCT)):
            if is_negator(words[i - 1].strip(_PUNCT), negators):
                return True
    return False


_PUNCT = ".,;:!?\"'“”‘’()[]—–-"


#: a figure: an amount of money, a number (not a year) or a number word, with what it counts
_QUANTITY = re.compile(
    r"(?<![\w.,])(?:[$€£]\s?\d[\d,.]*(?:\s(?:million|billion|trillion)\b)?"
    r"|(?!(?:19|20)\d\d(?![\d,.]*\d))\d[\d,.]*(?:\s?%|\s(?:percent|per cent)\b|(?=\s+[a-z]))"
    r"|(?P<word>[a-z]+)(?=\s+[a-z]))"
)
_DURATION = re.compile(r"\s+(?:more\s+|other\s+|full\s+)?(?:seconds?|minutes?|hours?|days?|nights?|weeks?|months?|years?|decades?|generations?|centuries)\b")
_SERIES = frozenset("last past next first previous coming".split())
_MONTHS = frozenset("january february march april may june july august september october november december jan feb mar apr jun jul aug sep sept oct nov dec".split())


def quantities(low: str, number_words: frozenset[str]) -> list[str]:
    """The figures in ``low`` (normalised text): amounts of money ("$1.2 billion"), percentages
    and counts of things ("340 schools", "three committee meetings": a number, not a year, or
    one of ``number_words``, followed by a word; not a date, a length of time or a series named
    with "the last two ..."). Figures are what plain reports of facts,
    results, logistics and forecasts are made of.

    >>> quantities("23 people died, $1.2 billion went to roads and turnout was 80.3 percent since 2012", frozenset())
    ['23', '$1.2 billion', '80.3 percent']
    >>> quantities("he missed three meetings on june 25, banned for five years in the last two elections", frozenset({"two", "three", "five"}))
    ['three']
    >>> quantities("three million votes and 1.2 million names", frozenset({"three", "million"}))
    ['three', '1.2']
    """
    out = []
    for m in _QUANTITY.finditer(low):
        word = m.group("word")
        if word is not None and word not in number_words:
            continue
        before = low[max(0, m.start() - 12) : m.start()].split()[-1:]
        if word is not None and before and (before[0] in number_words or before[0][:1].isdigit()):
            continue  # the rest of one figure ("three million", "1.2 million"), not a second one
        if before and before[0] in _MONTHS:
            continue  # a date ("june 25")
        if before and before[0] in _SERIES:
            continue  # a series named, not a figure reported ("the last two elections")
        if _DURATION.match(low, m.end()):
            continue  # a length of time ("for five years") measures a ban or a wait as well as a fact
        out.append(m.group().strip())
    return out


def characterises(cue: str, lexicon: StanceLexicon) -> bool:
    """Whether the cue makes the quote a characterisation of something ("called the transfer
    'the theft of a million votes'", "described the plan as a fantasy"): one of
    ``characterising_cues`` among its words. Such a quote is a judgement, not a report: its
    figures are rhetoric, no neutral signal (:func:`evidence`).

    >>> lex = StanceLexicon.from_dict({"characterising_cues": ["called", "described"]})
    >>> characterises("called", lex), characterises("said", lex), characterises("", lex)
    (True, False, False)
    """
    return any(w.strip(_PUNCT) in lexicon.characterising_cues for w in _norm(cue).split())


def state_failing(low: str, lexicon: StanceLexicon) -> bool:
    """Whether a sentence of ``low`` names one of the target's actors (``state_actors``: "the
    ministry", "the police"; not inside a compound such as "anti-government") and negates
    something (one of ``negators``): "Nobody from the ministry has come", "the commune chief
    never fixed the well". From anyone but the state that is a complaint of what the state does not
    do, a weak against signal (:func:`_signals`); in a minister's mouth it is mostly a denial
    ("the police did not beat anyone"), and a weak against signal counts only
    ``opposed_weak_factor`` of its weight against a side that leans to favor.

    >>> lex = StanceLexicon.from_dict({"state_actors": ["ministry", "police"], "negators": ["not", "nobody", "never"]})
    >>> state_failing("nobody from the ministry has come.", lex), state_failing("the ministry has come. nobody knows why.", lex)
    (True, False)
    >>> state_failing("the anti-police protest did not start", lex)
    False
    """
    if lexicon.state_actors.pattern is None:
        return False
    for sentence in _SENTENCE_SPLIT.split(low):
        if any(sentence[m.start() - 1 : m.start()] != "-" for m, _ in lexicon.state_actors.find(sentence)):
            if any(is_negator(w.strip(_PUNCT), lexicon.negators) for w in sentence.split()):
                return True
    return False


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?;])\s+")


_OWNER_AFTER = re.compile(r"\s+(?:of|for)\s+(?:the\s+)?")


def claim_owner(low: str, start: int, end: int, lexicon: StanceLexicon) -> str | None:
    """Whose claim of sovereignty or self-defence ``low[start:end]`` is: "home" (Cambodia) or
    "foreign" (another state), or ``None`` when no state is named. The owner is the state named
    right after it ("the sovereignty of Cambodia") or else the last one named before it in its
    sentence ("Thailand was acting in self-defence", "Laos will defend its sovereignty"). In a
    dispute between Cambodia and another state, defending Cambodia's side is favor and the
    other state's side against, whoever speaks (GUIDELINES.md): :func:`_signals`.

    >>> lex = StanceLexicon.from_dict({"home_state": ["cambodia"], "mention_sides": {"foreign government": ["Laos", "Lao"]},
    ...     "sovereignty_claims": ["sovereignty", "self-defence"]})
    >>> t = "cambodian boats crossed first and laos acted in self-defence"
    >>> i = t.index("self"); claim_owner(t, i, i + 12, lex)
    'foreign'
    >>> t = "laos respects the sovereignty of cambodia"
    >>> i = t.index("sov"); claim_owner(t, i, i + 11, lex)
    'home'
    >>> t = "laos said so. respect for sovereignty matters"
    >>> i = t.index("sov"); claim_owner(t, i, i + 11, lex) is None
    True
    """
    if lexicon.states.pattern is None:
        return None
    after = _OWNER_AFTER.match(low, end)
    if after:
        m = lexicon.states.pattern.match(low, after.end())
        if m:
            return lexicon.states.kinds[m.group()]
    sentence_start = max(low.rfind(c, 0, start) for c in ".!?;") + 1
    named = lexicon.states.find(low[sentence_start:start])
    return named[-1][1] if named else None


def dispute_claims(low: str, lexicon: StanceLexicon) -> list[tuple[re.Match, str]]:
    """The claims of a dispute between states in ``low`` whose owner is named
    (:func:`claim_owner`), with their label: a claim that defends its owner (``sovereignty_claims``:
    "sovereignty", "self-defence", "returned fire") is favor for Cambodia's and against for
    another state's; one that blames its owner (``blame_claims``: "fired first", "opened fire")
    the reverse.

    >>> lex = StanceLexicon.from_dict({"home_state": ["cambodia"], "mention_sides": {"foreign government": ["Laos"]},
    ...     "sovereignty_claims": ["sovereignty", "self-defence"], "blame_claims": ["fired first"]})
    >>> [(m.group(), lab) for m, lab in dispute_claims("laos acted in self-defence; cambodia defends its sovereignty", lex)]
    [('self-defence', 'against'), ('sovereignty', 'favor')]
    >>> [(m.group(), lab) for m, lab in dispute_claims("the laos patrol fired first", lex)]
    [('fired first', 'favor')]
    """
    out = []
    for m, kind in lexicon.dispute_claims.find(low):
        owner = claim_owner(low, m.start(), m.end(), lexicon)
        if owner is not None:
            out.append((m, "favor" if (owner == "home") == (kind == "defend") else "against"))
    return out


_CONCESSION = re.compile(r"\b(?:but|however)\b(?!\s+also\b)")


def concession_end(low: str) -> int:
    """Where the last concession in ``low`` ends: the start of its last "but" or "however" (not
    "but also"), or 0. What comes before is granted, what follows is the speaker's point
    ("voting was calm, but observers saw officials photographing voters"): weak signals and
    figures before it do not count (:func:`_signals`); strong framings still do.

    >>> t = "the campaign was calm, but observers saw intimidation"
    >>> t[concession_end(t):]
    'but observers saw intimidation'
    >>> concession_end("not only the police but also the courts"), concession_end("it was calm")
    (0, 0)
    """
    found = [m.start() for m in _CONCESSION.finditer(low)]
    return found[-1] if found else 0


def _signals(low: str, lexicon: StanceLexicon, hedge_at: int, hedge_end: int | None = None, count_figures: bool = True) -> dict[tuple[str, bool], tuple[set[str], set[str]]]:
    """Per ``(label, strong)``: the distinct signal phrases outside the hedge's scope
    (``hedge_at`` to ``hedge_end``, default the end) and inside it; favor and against phrases
    right after a negator are left out, and so are weak ones before a concession ("calm, but":
    :func:`concession_end`). Each figure (:func:`quantities`) after the concession is a weak
    neutral signal, unless ``count_figures`` is false (a characterisation:
    :func:`characterises`); a complaint of what the state does not do (:func:`state_failing`)
    is a weak against signal. A claim of sovereignty or self-defence whose owner is named is a
    strong signal of the owner's side (:func:`dispute_claims`: against for another state's; a
    blame the reverse),
    in place of its entry in ``signals``."""
    if hedge_end is None:
        hedge_end = len(low)
    out: dict[tuple[str, bool], tuple[set[str], set[str]]] = {}
    negators = lexicon.negators
    point = concession_end(low)
    claims = dispute_claims(low, lexicon)
    owned = [(m.start(), m.end()) for m, _ in claims]
    found = [(m, kind) for m, kind in lexicon.signals.find(low) if not any(a < m.end() and m.start() < b for a, b in owned)]
    for m, kind in found + [(m, (lab, True)) for m, lab in claims]:
        if kind[0] != "neutral" and negators and negated(low, m.start(), negators):
            continue
        if not kind[1] and m.start() < point:
            continue  # conceded before "but": not the point of the quote
        plain, hedged = out.setdefault(kind, (set(), set()))
        (hedged if hedge_at <= m.start() < hedge_end else plain).add(m.group())
    if state_failing(low, lexicon):
        out.setdefault(("against", False), (set(), set()))[0].add("@state_failing")
    figures = quantities(low[point:], lexicon.number_words) if count_figures else []
    if figures:
        out.setdefault(("neutral", False), (set(), set()))[0].update(f"#{i}" for i in range(len(figures)))
    return out


def signal_counts(text: str, lexicon: StanceLexicon, strong: bool = False) -> dict[str, int]:
    """How many distinct signal phrases of each label occur in ``text`` (case-insensitive;
    negated ones not counted); ``strong=True`` counts the ``strong_signals``."""
    low = _norm(text)
    counts = dict.fromkeys(LABELS, 0)
    for (lab, is_strong), (plain, hedged) in _signals(low, lexicon, len(low)).items():
        if is_strong == strong:
            counts[lab] = counts.get(lab, 0) + len(plain | hedged)
    return counts


def evidence(text: str, lexicon: StanceLexicon, cue: str = "", lean: str | None = None) -> dict[str, float]:
    """What the words add to each label's score: ``weight`` per weak signal and ``strong_weight``
    per strong one (each at most ``max_signals``), negated signals left out. After a hedge, in
    its clause (:func:`clause_end`; anywhere when the cue is one: "hoped that ..."), favor and
    against signals count ``hedge_factor`` of their weight, and the hedge adds one weak neutral
    signal (a strong one when it hopes for fairness: :func:`hopes_for_fairness`). When the
    speaker's side leans to ``lean`` (:func:`leaning`), weak signals of the other of favor and
    against count ``opposed_weak_factor`` of their weight: in a known speaker's mouth the other
    camp's vocabulary is mostly the topic ("the fight against corruption" said by a minister,
    "the turnout" cited by a rights group), a strong framing still counts in full.

    >>> lex = StanceLexicon.from_dict({"weight": 0.2, "strong_weight": 0.6, "hedges": ["hopes"], "negators": ["no"],
    ...     "signals": {"against": ["fair"]}, "strong_signals": {"against": ["political prisoners"]}})
    >>> evidence("There are political prisoners.", lex)["against"]
    0.6
    >>> evidence("There are no political prisoners.", lex)["against"]
    0.0
    >>> ev = evidence("He hopes the trial will be fair.", lex); ev["against"], ev["neutral"]
    (0.1, 0.2)
    """
    low = _norm(text + " " + cue) if cue else _norm(text)
    hedge_at = len(low)
    if lexicon.hedges.pattern is not None:
        if cue and lexicon.hedges.pattern.search(_norm(cue)):
            hedge_at = 0
        else:
            m = lexicon.hedges.pattern.search(low)
            if m:
                hedge_at = m.start()
    hedge_end = len(low) if hedge_at == 0 else clause_end(low, hedge_at)  # a hedging cue governs the whole report
    out = dict.fromkeys(LABELS, 0.0)
    if hedge_at < len(low):
        out["neutral"] = lexicon.strong_weight if hopes_for_fairness(low[hedge_at:hedge_end], lexicon.fairness_words) else lexicon.weight
    cap = lexicon.max_signals
    opposed = {"favor": "against", "against": "favor"}.get(lean or "")
    for (lab, strong), (plain, hedged) in _signals(low, lexicon, hedge_at, hedge_end, count_figures=not characterises(cue, lexicon)).items():
        f = lexicon.hedge_factor if lab != "neutral" else 1.0
        w = lexicon.strong_weight if strong else lexicon.weight * (lexicon.opposed_weak_factor if lab == opposed else 1.0)
        out[lab] = out.get(lab, 0.0) + w * min(len(plain) + f * len(hedged - plain), cap)
    return {lab: round(v, 6) for lab, v in out.items()}


_CLAUSE_END = re.compile(r"(?:(?<!\.\w)\.|[;!?])(?=\s|$)|\bbut\b|\bwhile\b|\bhowever\b")  # not the stops in "10.2" or "U.S."


def clause_end(low: str, at: int) -> int:
    """Where the clause holding ``low[at]`` ends: a sentence end, a semicolon, or "but",
    "while", "however" (what follows is said outright, not hoped).

    >>> t = "he hoped for a fair verdict but this is a sham trial"
    >>> t[: clause_end(t, t.index("hoped"))]
    'he hoped for a fair verdict '
    >>> t = "we expect 6.1 percent growth from the U.S. deal. then"
    >>> t[: clause_end(t, 0)]
    'we expect 6.1 percent growth from the U.S. deal'
    """
    m = _CLAUSE_END.search(low, at)
    return m.start() if m else len(low)


def hopes_for_fairness(clause: str, fairness_words: frozenset[str]) -> bool:
    """Whether a hedge's clause hopes for fairness ("hoped the judges would deliver a fair
    verdict"): one of ``fairness_words`` in it. The guidelines make such a hope neutral whoever
    speaks, unless the quote also says the court is unfair; the hedge then counts as a strong
    neutral signal.

    >>> fair = frozenset({"fair", "fairly"})
    >>> hopes_for_fairness("hoped the council would judge the appeal fairly", fair), hopes_for_fairness("hopes to win", fair)
    (True, False)
    """
    return any(w.strip(_PUNCT) in fairness_words for w in clause.split())


def leaning(affiliation: str | None, lexicon: StanceLexicon) -> str | None:
    """``favor`` or ``against`` when the side's prior prefers it by ``lean_margin`` or more,
    else ``None`` (also for an unknown side).

    >>> lex = StanceLexicon.from_dict({"priors": {"NGO": {"favor": 0.05, "against": 0.6, "neutral": 0.35},
    ...     "media": {"favor": 0.1, "against": 0.3, "neutral": 0.6}}})
    >>> leaning("NGO", lex), leaning("media", lex), leaning(None, lex)
    ('against', None, None)
    """
    prior = lexicon.priors.get(affiliation) if affiliation else None
    if not prior:
        return None
    favor, against = prior.get("favor", 0.0), prior.get("against", 0.0)
    if abs(favor - against) < lexicon.lean_margin:
        return None
    return "favor" if favor > against else "against"


def propose_stance(text: str, affiliation: str | None, lexicon: StanceLexicon, cue: str = "") -> tuple[str, float]:
    """``(label, score)`` for a quote's text, its cue and the speaker's affiliation (registry, or
    :func:`side_from_mention`; ``None`` when neither knows)."""
    prior = lexicon.priors.get(affiliation or "unknown") or lexicon.priors.get("unknown") or {lab: 1 / 3 for lab in LABELS}
    ev = evidence(text, lexicon, cue, leaning(affiliation, lexicon))
    scores = {lab: prior.get(lab, 0.0) + ev.get(lab, 0.0) for lab in prior}
    label = max(scores, key=lambda lab: (scores[lab], lab == "neutral"))
    total = sum(scores.values()) or 1.0
    return label, round(scores[label] / total, 3)
