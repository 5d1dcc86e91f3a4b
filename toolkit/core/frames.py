"""Attribution frames: for one cue, where is the speaker mention and where is the content?

A :class:`Frame` is read around a :class:`~toolkit.core.cues.Cue` by a few named patterns:

- ``preposed``: ``SPEAKER CUE [that|:|, “] CONTENT`` ("Koy Kuong said that ...",
  "X told reporters: ...", "Kem Monovithya, a CNRP official, has claimed that ...");
- ``postposed``: ``CONTENT, SPEAKER CUE`` or ``CONTENT, CUE SPEAKER`` ("..., Amnesty said.",
  "“...,” said Mu Sochua, a CNRP vice president");
- ``participle``: ``SUBJECT VERB ..., CUE-ing (that) CONTENT`` ("Hun Sen has echoed the claim,
  saying ...");
- ``according_to``: "According to X, CONTENT" and "CONTENT, according to X";
- ``small_clause``: "described X as Y".

Content ends at the end of the sentence, before the sentence-final period and before narrator
material listed in the lexicon (", according to ..."); it starts after the complementizer.

The readers work on token text only, so they run on ``spacy.blank("en")`` + sentencizer; when
the Doc has a dependency parse the subject of the cue verb is preferred for the speaker.

Limits: no clause structure beyond the sentence; a zero-complementizer clause is recognised by
a subject pronoun or a nearby auxiliary/finite verb; conjoined speakers ("A and B said") are
one mention only for two names or two modifiers of one plural head (:func:`conjoined_speaker`),
else the nearest conjunct; a speaker more than ~10 tokens away from its cue is not found.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from toolkit.core.cues import Cue, CueLexicon
from toolkit.core import doc_text, has  # noqa: F401  (has: re-exported)

#: Subject and relative pronouns that are speaker mentions on their own.
PRONOUNS = frozenset("he she they it we i you who which".split())
OBJECT_PRONOUNS = frozenset("him her them us me".split())
#: Lower-case words a speaker noun phrase may contain besides nouns and adjectives.
NP_INNER = frozenset("of for the a an some many several two three four five most other its his her their our".split())
#: Words that end a noun phrase when walking through it (conjunctions, prepositions, verbs).
NP_STOP = frozenset(
    """that and but or nor while as when because since if though although so than which who whom
    whose where what why how to in on at by with from into after before during about against
    under over through is was were are be been being has have had not also however would will
    could should may might must can did does do there here this these those then even yet still
    just only already said says say told added""".split()
)
TIME_PREPS = frozenset("on in at last this earlier late during via through over early next past for".split())
OPENERS = set("“‘«\"") | {"''", "``"}
CLOSERS = set("”’»\"") | {"''"}
QUOTE_MARKS = OPENERS | CLOSERS
MAX_NP = 8
#: A reported clause longer than this is cut (keeps run-on "sentences" without full stops linear).
MAX_CONTENT_CHARS = 1500


@dataclass(frozen=True)
class Frame:
    """Speaker tokens ``[s, e)`` (or None), content chars ``[start, end)``, the pattern name."""

    cue: Cue
    speaker: tuple[int, int] | None
    start: int
    end: int
    pattern: str
    score: float


# --------------------------------------------------------------------------- noun phrases


def _is_wordlike(tok) -> bool:
    t = tok.text
    return (t.isalpha() or any(c.isalpha() for c in t)) and t not in QUOTE_MARKS


@lru_cache(maxsize=8192)
def other_script(text: str) -> bool:
    """Is ``text`` a word in a script other than Latin ("និយាយ។", "сказал")? Latin letters with
    diacritics ("Malmström", "Đức") are Latin. An English speaker mention never crosses into
    another script.

    >>> other_script("сказал"), other_script("Malmström"), other_script("Sam")
    (True, False, False)
    """
    if text.isascii():
        return False
    for c in text:
        if c.isalpha():
            return not unicodedata.name(c, "").startswith("LATIN")
    return False


_SYMBOL_CATEGORIES = frozenset(("So", "Sk", "Sm", "Mn", "Me", "Cf", "Co", "Cs"))


@lru_cache(maxsize=8192)
def is_symbol(text: str) -> bool:
    """Is ``text`` an emoji or another non-ASCII symbol ("😀", "✅", "★")? Such tokens may stand
    between a speaker and its cue ("Hun Sen 😀 said") and are never part of a mention.

    >>> is_symbol("😀"), is_symbol("✅️"), is_symbol("-"), is_symbol("Sen")
    (True, True, False, False)
    """
    return bool(text) and not text.isascii() and all(unicodedata.category(c) in _SYMBOL_CATEGORIES for c in text)


def time_stop(doc, x: int, lo: int, lex: CueLexicon) -> bool:
    """Does token ``x``, left of a speaker mention, belong to a time expression rather than to the
    mention? ("Yesterday evening John Smith", "On Monday Kem Sokha", "In March Hun Sen")

    Lower-case words of ``lex.mention_time_words`` always do (not inside a hyphenated word:
    "a 30-year-old activist"); capitalised, a day word only at the sentence start or after a
    preposition or a time word ("The Sunday Times" is a name), a month only after a preposition
    or "last"/"next"/"early"/"late" ("April Smith" is a name).
    """
    t = doc[x]
    low = t.lower_
    month = low in lex.months
    if not month and low not in lex.mention_time_words:
        return False
    if (x + 1 < len(doc) and doc[x + 1].text == "-" and not t.whitespace_) or (x > 0 and doc[x - 1].text == "-" and not doc[x - 1].whitespace_):
        return False
    if t.text[:1].islower():
        return low in lex.mention_time_words
    prev = doc[x - 1].lower_ if x - 1 >= lo else None
    if prev is not None and (prev in TIME_PREPS or prev in lex.place_prepositions or prev in _TIME_MODIFIERS):
        return True
    if month:
        return False
    return prev is None or prev in lex.mention_time_words or not _is_wordlike(doc[x - 1])


_TIME_MODIFIERS = frozenset("last next early late mid since until by before after".split())


def _walk_stop(doc, x: int, lo: int, lex: CueLexicon) -> bool:
    """Does the left walk of a speaker mention stop before token ``x`` (another script, a time
    expression)?"""
    t = doc[x]
    return (not t.text.isascii() and other_script(t.text)) or (t.lower_ in lex.mention_time_any and time_stop(doc, x, lo, lex))


def _np_token(tok) -> bool:
    """May this token be part of a speaker noun phrase? (Possessives and hyphens included.)"""
    low = tok.lower_
    if low in ("’s", "'s", "-", "&", "’", "'"):
        return True
    if not _is_wordlike(tok) or low in NP_STOP:
        return False
    return True


DETERMINERS = frozenset("the a an his her their its our this these those".split())


_NOMINAL_TAGS = ("NN", "PRP", "WP", "CD", "DT", "FW")


def _verb_before_np(doc, k: int) -> bool:
    """A lower-case ``-ed`` word followed by a determiner is a verb, not a modifier ("stormed the")."""
    t = doc[k]
    if has(doc, "TAG"):
        return t.tag_.startswith("VB")
    return t.text[:1].islower() and t.lower_.endswith("ed") and k + 1 < len(doc) and doc[k + 1].lower_ in DETERMINERS


#: Articles that open a noun phrase: the walk stops at one unless "of"/"for"/"all" precedes it
#: ("Last week the spokesman" -> "the spokesman"; "a spokesman for the party" goes on).
_ARTICLES = frozenset(("the", "a", "an"))
_BEFORE_ARTICLE = frozenset("of for all both half".split())
#: A noun phrase does not end in a determiner ("who has spent the last two years deriding").
_NOT_HEADS = frozenset("the a an his their its our my your".split())


def age_noun(doc, j: int) -> bool:
    """Is token ``j`` the "old" of an age used as a noun ("the 51-year-old said")? The tagger
    calls it an adjective, but it heads the speaker's noun phrase."""
    return doc[j].lower_ == "old" and j >= 3 and doc[j - 1].text == "-" and doc[j - 2].lower_ in ("year", "years") and (doc[j - 3].text == "-" or doc[j - 3].like_num)


def np_left(doc, j: int, lo: int, lex: CueLexicon | None = None) -> tuple[int, int] | None:
    """The noun phrase ending at token ``j`` (inclusive), walking left no further than ``lo``.
    The walk stops at a word in another script, at an article that opens the phrase and (with
    ``lex``) at a time expression (:func:`time_stop`).

    >>> # "Foreign Ministry spokesperson Koy Kuong" said -> the whole phrase
    """
    if j < lo:
        return None
    head = doc[j]
    if not _np_token(head) or head.lower_ in ("’s", "'s") or head.lower_ in _NOT_HEADS or other_script(head.text):
        return None
    tagged = has(doc, "TAG")
    if tagged and not head.tag_.startswith(_NOMINAL_TAGS) and not age_noun(doc, j):
        return None  # with a tagger the head must be nominal ("forcefully said" has no speaker)
    time_words = lex.mention_time_any if lex is not None else ()
    k = j
    cur_low = head.lower_
    while k - 1 >= lo and j - (k - 1) < MAX_NP:
        t = doc[k - 1]
        if not (_np_token(t) or _number_in_word(doc, k - 1) or _name_word(doc, k - 1, lo)) or _verb_before_np(doc, k - 1):
            break
        low = t.lower_
        if cur_low in _ARTICLES and low not in _BEFORE_ARTICLE:
            break  # "Last week the spokesman": the article opens the phrase
        if (not t.text.isascii() and other_script(t.text)) or (low in time_words and time_stop(doc, k - 1, lo, lex)):
            break
        cur_low = low
        k -= 1
    if k == j and not tagged and _bare_verb(head):
        return None  # "Amnesty International has received further reports": "received" is a verb
    # drop leading possessive markers or hyphens
    while k <= j and doc[k].lower_ in ("’s", "'s", "-", "&", "’", "'"):
        k += 1
    if k > j:
        return None
    # a lower-case run that is long is rarely a subject ("the government blockade on ...")
    return (k, j + 1)


def _name_word(doc, k: int, lo: int) -> bool:
    """A capitalised function word inside a name, not at the sentence start: "Or" in "spokeswoman
    Or Vandine", "In" in "Minister In Sokha" (the next word is capitalised too)."""
    t = doc[k]
    before = doc[k - 1] if k > lo else None
    return (
        before is not None and t.is_alpha and t.text[:1].isupper() and k + 1 < len(doc) and doc[k + 1].text[:1].isupper()
        and (before.text in CLOSERS or not (before.is_punct or before.text in QUOTE_MARKS))  # '...,” Or Vandine said'
    )


def _number_in_word(doc, k: int) -> bool:
    """A number joined by a hyphen to the next word ("a 30-year-old activist")."""
    t = doc[k]
    return t.like_num and not t.whitespace_ and k + 1 < len(doc) and doc[k + 1].text == "-"


def _bare_verb(tok) -> bool:
    """A lower-case ``-ed`` word standing alone is a verb, not a speaker ("has received")."""
    t = tok.text
    return t[:1].islower() and len(t) > 4 and t.endswith("ed")


def np_right(doc, j: int, hi: int) -> tuple[int, int] | None:
    """The noun phrase starting at token ``j``, walking right no further than ``hi`` (exclusive)."""
    if j >= hi:
        return None
    first = doc[j]
    low = first.lower_
    if low in PRONOUNS:
        return (j, j + 1)
    if low in ("’s", "'s") or not _np_token(first):
        return None
    k = j
    tagged = has(doc, "TAG")
    prev = first
    while k + 1 < hi and k + 1 - j < MAX_NP:
        t = doc[k + 1]
        if not _np_token(t) or _finite_after(t, prev, tagged):
            break
        prev = t
        k += 1
    return (j, k + 1)


def _finite_after_noun(doc, k: int) -> bool:
    """A verb ending a noun phrase on the right ("The plan failed"): tagged verb, or a lower-case
    ``-ed``/``-s`` word after a non-determiner without a tagger."""
    return _finite_after(doc[k], doc[k - 1], has(doc, "TAG"))


def _finite_after(t, prev, tagged: bool) -> bool:
    """:func:`_finite_after_noun` for token ``t`` after token ``prev``."""
    if tagged:
        return t.tag_ in ("VBD", "VBZ", "VBP", "MD")
    return t.text[:1].islower() and t.lower_.endswith("ed") and prev.lower_ not in DETERMINERS


def _has_capital(doc, span: tuple[int, int]) -> bool:
    return any(doc[i].text[:1].isupper() for i in range(*span))


# --------------------------------------------------------------------------- skipping


def _adverb_ly(doc, j: int, lo: int, lex: CueLexicon) -> bool:
    """Is token ``j`` an adverb in -ly ("originally", "angrily"), never a speaker? With a tagger
    its tag says so; without, a lower-case -ly word that is not one of ``lex.ly_nouns``
    ("family", "rally", "assembly") and does not follow a determiner ("the daily")."""
    t = doc[j]
    low = t.lower_
    if not low.endswith("ly") or len(low) < 5 or not t.is_alpha or not t.text[:1].islower():
        return False
    if has(doc, "TAG"):
        return t.tag_ == "RB"
    return low not in lex.ly_nouns and not (j - 1 >= lo and doc[j - 1].lower_ in DETERMINERS)


def skip_adverbials_left(doc, j: int, lo: int, lex: CueLexicon) -> int:
    """Walk left over auxiliaries/adverbs and time adverbials between a speaker and its cue.

    "Mu Sochua on Thursday morning posted" -> stops at "Sochua".
    """
    while j >= lo:
        low = doc[j].lower_
        if low in lex.between_speaker_and_cue or doc[j].is_space or is_symbol(doc[j].text) or _adverb_ly(doc, j, lo, lex):
            j -= 1
            continue
        if low in lex.time_words or doc[j].like_num:
            # find a time preposition within 4 tokens to the left
            prep = None
            for k in range(j - 1, max(lo, j - 5) - 1, -1):
                if doc[k].lower_ in TIME_PREPS:
                    prep = k
                    break
                if not _is_wordlike(doc[k]) and not doc[k].like_num:
                    break
            if prep is None:
                return j
            j = prep - 1
            continue
        return j
    return j


def skip_adverbials_right(doc, j: int, hi: int, lex: CueLexicon) -> int:
    """Walk right over time and channel adverbials after a cue ("said on Wednesday in a post")."""
    while j < hi:
        low = doc[j].lower_
        if is_symbol(doc[j].text):
            j += 1
            continue
        if low in TIME_PREPS:
            if j + 1 < hi and doc[j + 1].lower_ in ("least", "most"):
                return j  # "said at least 14 people had died": the clause's subject, no adverbial
            # a preposition phrase of up to 6 tokens that mentions a time/channel word
            end = None
            for k in range(j + 1, min(hi, j + 7)):
                tk = doc[k]
                if not (_is_wordlike(tk) or tk.like_num or tk.text in ("’s", "'s", "-")):
                    break
                if tk.lower_ in ("that", "to") or tk.lower_ in PRONOUNS:
                    break
                if tk.lower_ in lex.time_words or tk.like_num:
                    end = k + 1
            if end is None:
                return j
            j = end
            continue
        if low in lex.time_words and low not in ("this", "that", "may"):
            j += 1
            continue
        if low in ("also", "publicly", "repeatedly", "again", "recently", "earlier", "privately", "later", "separately"):
            j += 1
            continue
        return j
    return j


# --------------------------------------------------------------------------- speakers


def _before_parenthesis(doc, j: int, lo: int) -> int:
    """The token before a short parenthesis ending at ``j`` ("Dara Lim (Kampot)", "Gregory Meeks
    (D-N.Y.)"), else ``j``."""
    if j >= lo and doc[j].text == ")":
        k = j - 1
        while k >= lo and j - k < 10 and doc[k].text != "(":
            k -= 1
        if k >= lo and doc[k].text == "(":
            return k - 1
    return j


def speaker_left(doc, i: int, lo: int, lex: CueLexicon, skipped: int | None = None) -> tuple[int, int] | None:
    """The speaker mention ending before cue token ``i`` ("X said", "X, a spokesman, said").
    ``skipped``: ``skip_adverbials_left(doc, i - 1, lo, lex)`` when the caller has it."""
    if i - 1 >= lo and doc[i - 1].text == ",":
        quoted = _name_after_quotation(doc, i - 1, lo, lex)
        if quoted is not None:
            return quoted  # “...,” NAME, APPOSITIVES, said (before the parse: it often takes an appositive's noun)
    dep = _speaker_from_parse(doc, i)
    if dep is not None and dep[0] >= lo:  # a parse subject before the sentence is a dateline's place
        if dep[1] > i:
            return None
        if doc[i - 1].text == "," and dep[1] < i - 1 and (doc[dep[1] - 1].text[:1].islower() or has_role_word(doc, dep)):
            named = appositive_chain_speaker(doc, i - 1, lo, lex, names_only=True)
            if named is not None and named[0] >= dep[1]:
                return named  # "One of them, a shop owner who gave his name as Mr Dara, said"
        return appositive_name_after(doc, dep, i) or conjoined_speaker(doc, dep, lo, i, lex)
    j = skip_adverbials_left(doc, i - 1, lo, lex) if skipped is None else skipped
    j = _before_parenthesis(doc, j, lo)  # "Senator Dara Lim (Kampot) said"
    if j < lo:
        return None
    tok = doc[j]
    if tok.lower_ in PRONOUNS or tok.lower_ == "that":
        return (j, j + 1) if tok.lower_ != "that" or j == lo or doc[j - 1].text != "," else None
    if tok.text == ",":
        # appositive: "NAME, a CNRP official, said" / "X, however, suspect"
        k = j - 1
        while k >= lo and j - k < 30 and doc[k].text not in (",",) and doc[k].text not in QUOTE_MARKS:
            k -= 1
        if k < lo or doc[k].text != ",":
            return _name_after_quotation(doc, j, lo, lex)
        if not _appositive(doc, k + 1, j, lex):
            return _name_after_quotation(doc, j, lo, lex) or appositive_chain_speaker(doc, j, lo, lex)
        if doc[k + 1].lower_ in ("which", "whose") and k - 1 >= lo:
            # "X, director of the centre, which gathered the evidence, believes": the relative
            # clause is about the appositive's noun; the speaker stands before the appositive
            k2 = k - 1
            while k2 >= lo and k - k2 < 20 and doc[k2].text != "," and doc[k2].text not in QUOTE_MARKS:
                k2 -= 1
            if k2 >= lo and doc[k2].text == "," and _appositive(doc, k2 + 1, k, lex):
                j, k = k, k2
        span = np_left(doc, _before_parenthesis(doc, k - 1, lo), lo, lex)
        if span is not None:
            span = _head_before_place(doc, span, lo, lex)  # "A senior official at the ministry, speaking ..., said"
        inner = (k + 1, j)
        described = span is None or not _has_capital(doc, span) or doc[span[1] - 1].text[:1].islower() or (span[0] - 1 >= lo and doc[span[0] - 1].lower_ in ("to", "of", "for", "in", "at")) or has_role_word(doc, span)
        if described and j - k - 1 <= 5 and all(doc[x].text[:1].isupper() for x in range(*inner)):
            return inner  # "his ministry’s spokesperson, Khieu Sopheak, confirmed", "China’s ambassador, Wang Wentian, said", "The EU ambassador to Cambodia, George Edgar, said"
        if span is None or not (_has_capital(doc, span) or doc[span[1] - 1].lower_ in PRONOUNS):
            return appositive_chain_speaker(doc, j, lo, lex)
        if described:  # "One of them, a shop owner who gave his name as Mr Dara, said": the name
            return appositive_chain_speaker(doc, j, lo, lex, names_only=True) or span
        return span
    if tok.text in QUOTE_MARKS:
        return None
    span = np_left(doc, j, lo, lex)
    if span is None:
        return None
    span = conjoined_speaker(doc, _head_before_place(doc, span, lo, lex), lo, i, lex)
    # relative clause inside the subject: "A government official who requested anonymity said",
    # "A woman who declined to give her name said" (not "her name")
    if not _has_capital(doc, span):
        for w in range(span[0] - 1, max(lo, span[0] - 10) - 1, -1):
            if doc[w].lower_ == "who":
                head = np_left(doc, w - 1, lo, lex)
                if head is not None:
                    return head
                break
            if doc[w].is_punct or doc[w].text in QUOTE_MARKS:
                break
    return span


#: Nouns for people without such an ending ("Oz’s big boss indicated as much")
_PERSON_WORDS = frozenset("boss chief head staff police family crowd public community youth child children wife husband son daughter friend elite team".split())
#: Endings of nouns for people ("villagers", "critics", "observers", "analysts", "residents")
_PERSON_ENDINGS = ("er", "or", "ist", "ian", "ant", "ent", "ee", "ic", "man", "men", "people", "ary", "folk")


def person_like_noun(word: str) -> bool:
    """Could this lower-case noun name people ("villagers", "critics", "analysts", "residents")?
    Said by its ending; things ("signs", "turnout", "figures", "results") have none of them.

    >>> person_like_noun("villagers"), person_like_noun("critics"), person_like_noun("signs"), person_like_noun("turnout")
    (True, True, False, False)
    """
    w = word.lower()
    if w in _PERSON_WORDS:
        return True
    w = w[:-1] if w.endswith("s") and not w.endswith("ss") else w
    return w.endswith(_PERSON_ENDINGS) or w in _PERSON_WORDS



_NAME_GIVEN_AS = re.compile(r"\b(?:gave|giving|gives) (?:only )?(?:his|her|their) (?:first |full |family )?name (?:only )?as ((?:Mr|Mrs|Ms|Dr)\.? )?((?:[A-Z][\w’'\-]+ ?){1,3})$")


def appositive_chain_speaker(doc, j: int, lo: int, lex: CueLexicon, names_only: bool = False) -> tuple[int, int] | None:
    """The speaker before a chain of up to four appositives ending at the comma ``j`` before the
    cue ("The new chief, Sam Dara, 49, a CPP councillor since 2002, said"; "Keo Vy, the father of
    the minister and once a friend of Hun Sen, wrote"; "a rice farmer, who did not want her name
    used, said"; "One of them, a shop owner who gave his name as Mr Dara, said"): a name before
    the first comma; else the name among the appositives (two to five capitalised words, or the
    name an appositive "gave ... name as"); else a description before the first comma whose
    head names people (:func:`person_like_noun`). None when the chain holds a clause.
    ``names_only``: only a name among the appositives (the caller has the description before).

    >>> # "The new chief, Sam Dara, 49, a CPP councillor since 2002, said" -> "Sam Dara"
    """
    segs: list[tuple[int, int]] = []
    end = j
    for _ in range(4):
        k = end - 1
        while k >= lo and end - k < 30 and doc[k].text != "," and doc[k].text not in QUOTE_MARKS:
            k -= 1
        if k < lo or doc[k].text != "," or k + 1 >= end:
            break
        if not (all(t.like_num for t in doc[k + 1 : end]) or _appositive(doc, k + 1, end, lex, limit=20)):
            break
        segs.append((k + 1, end))
        end = k
    if not segs:
        return None
    head = np_left(doc, end - 1, lo, lex) if end - 1 >= lo and not names_only else None
    if head is not None and _has_capital(doc, head) and not doc[head[1] - 1].text[:1].islower() and not has_role_word(doc, head):
        return head
    for a, b in reversed(segs):  # the leftmost name first
        if 2 <= b - a <= 5 and all(doc[x].is_alpha and doc[x].text[:1].isupper() for x in range(a, b)):
            return (a, b)
    for a, b in reversed(segs):
        m = _NAME_GIVEN_AS.search(doc[a:b].text)
        if m is not None:
            words = len(m.group(2).split()) + (1 if m.group(1) else 0)
            return (b - words, b)
    if names_only:
        return None
    if head is not None and person_like_noun(doc[head[1] - 1].text) and not _has_capital(doc, (head[1] - 1, head[1])):
        return head
    for a, b in reversed(segs):  # "In Kandal province, [a rice farmer], who ..., said": a scene before the subject
        if doc[a].lower_ in ("a", "an", "the") and person_like_noun(doc[b - 1].text) and doc[b - 1].text[:1].islower():
            return (a, b)
    return None


_PLACE_PREPS = frozenset(("in", "at", "from", "of", "to", "for"))
_NAME_WORDS = frozenset("of for the and on de to in at".split())


def has_role_word(doc, span: tuple[int, int]) -> bool:
    """Does the span hold a lower-case word other than a name's inner words ("representative in
    Cambodia", "The WHO representative"): a description, not a name ("Bank of China")?

    >>> import spacy; doc = spacy.blank("en")("The WHO representative in Cambodia and the Bank of China")
    >>> has_role_word(doc, (2, 5)), has_role_word(doc, (7, 10))
    (True, False)
    """
    return any(t.is_alpha and t.text[:1].islower() and t.lower_ not in _NAME_WORDS for t in doc[span[0] : span[1]])


def name_in_apposition(doc, span: tuple[int, int], hi: int) -> tuple[int, int] | None:
    """The name set off by a comma right after a description ("said the group’s director,
    Phorn Dara." -> "Phorn Dara"; "The Thai Ambassador to Cambodia, Somsak Noi, ..." -> "Somsak
    Noi"): the description may end in a place phrase ("to Cambodia"); the name is one to four
    capitalised words followed by a comma, the sentence's end or a closing bracket. None when
    the span is a name already.

    >>> import spacy; doc = spacy.blank("en")("said the union’s director, Phorn Dara.")
    >>> name_in_apposition(doc, (1, 5), len(doc))
    (6, 8)
    """
    s, e = span
    if not (has_role_word(doc, span) or doc[s].lower_ in ("the", "a", "an")):
        return None
    k = e
    if k < hi and doc[k].lower_ in _PLACE_PREPS:
        k2 = k + 1
        while k2 < hi and k2 - k <= 4 and doc[k2].is_alpha and (doc[k2].text[:1].isupper() or doc[k2].lower_ == "the"):
            k2 += 1
        if k2 == k + 1:
            return None
        k = k2
    if k >= hi or doc[k].text != ",":
        return None
    m = k + 1
    while m < hi and m - k <= 4 and doc[m].is_alpha and doc[m].text[:1].isupper():
        m += 1
    if m - k < 3 or m - k > 5:  # two to four name words ("Phorn Dara", not "Monday")
        return None
    if m < hi and doc[m].text not in (",", ".", ")", ";") and not doc[m].is_space:
        return None
    return (k + 1, m)


def appositive_name_after(doc, span: tuple[int, int], cue: int) -> tuple[int, int] | None:
    """The name set off by commas after a parse subject that is a description ("A fisherman in
    Kampong Chhnang, Sok Dara, 38, said" -> "Sok Dara"): the description may end in a place phrase
    and the name be followed by an age; the name is one to four capitalised words. None when
    ``span``'s head is capitalised (a name already) or the words do not have this shape.

    >>> # "A fisherman in Kampong Chhnang, Sok Dara, 38, said" -> Sok Dara (the tagger’s subject: "A fisherman")
    """
    s, e = span
    if not doc[e - 1].text[:1].islower() or e >= cue:
        return None
    j = cue - 1
    if doc[j].text != ",":
        return None
    j -= 1
    if doc[j].like_num and j - 1 > e and doc[j - 1].text == ",":
        j -= 2  # ", 52,"
    end = j + 1
    while j > e and doc[j].is_alpha and doc[j].text[:1].isupper() and end - j <= 4:
        j -= 1
    if j == end - 1 or doc[j].text != ",":
        return None
    between = doc[e:j]
    if len(between) and (between[0].lower_ not in _PLACE_PREPS or len(between) > 5 or not all(t.text[:1].isupper() or t.lower_ == "the" for t in between[1:])):
        return None  # only a place or body phrase between the description and the name ("in Kampong Chhnang", "to Cambodia")
    return (j + 1, end)


def passive_by(doc, cue: Cue, hi: int) -> bool:
    """Is the cue a past participle with a "by" agent ("..., a measure derided by critics as a
    tool")? Then the noun before it is what is spoken of, not a speaker: no postposed report.

    >>> # "..., a measure derided by critics as a tool to silence them." -> no postposed frame
    """
    verb = doc[cue.end - 1]
    return verb.lower_.endswith("ed") and cue.end < hi and doc[cue.end].lower_ == "by"


#: "was warned", "had been told": a form of "be" before the participle (have/will only with it)
_BE_FORMS = frozenset("was were is are been be being".split())
_AUX_WORDS = _BE_FORMS | frozenset("has had have will would could can may might must should shall".split())
_TOLD = frozenset("told shown taught".split())


def participle_by(doc, cue: Cue) -> bool:
    """Is the cue a participle with its agent ("strikes called by unions that ...", "a plan
    described by critics as ...")? Its subject is what was spoken of, no speaker.

    >>> import spacy; doc = spacy.blank("en")("strikes called by unions that represent nobody")
    >>> participle_by(doc, Cue(1, 2, "call", "speech")), participle_by(doc, Cue(4, 5, "represent", "speech"))
    (True, False)
    """
    return doc[cue.end - 1].lower_.endswith("ed") and cue.end < len(doc) and doc[cue.end].lower_ == "by"


def quoted_subject_opens_clause(text: str, q) -> bool:
    """Is the quotation after the cue a quoted word or two that the clause goes on from ('said
    "wildcat" strikes had cost factories millions')? Then the report is the whole clause (mixed),
    not the quoted word.

    >>> from toolkit.core.quotes import find_quotations
    >>> t = 'said "wildcat" strikes had cost millions'
    >>> quoted_subject_opens_clause(t, find_quotations(t).quotations[0])
    True
    >>> t = 'said "We will strike," and left'
    >>> quoted_subject_opens_clause(t, find_quotations(t).quotations[0])
    False
    """
    if q is None or q.close is None or len(text[q.start : q.end].split()) > 3:
        return False
    return re.match(r" [a-z]", text[q.outer_end : q.outer_end + 2]) is not None and not text[q.start : q.end].rstrip().endswith((",", ".", "!", "?"))


def passive_addressee(doc, cue: Cue, speaker: tuple[int, int]) -> bool:
    """Is the speaker mention the subject of a passive speech verb ("the government had been
    warned that ...", "Villagers were told the river would rise")? Then it is who was spoken to,
    not who spoke: no frame (a wrong speaker pre-filled is worse than none). "It was announced
    that" is the impersonal form, read elsewhere (speaker unknown), so "it" is left alone.

    >>> # "the government had been warned weeks ago" -> True; "the government warned" -> False
    """
    between = doc[speaker[1] : cue.start]
    verb = doc[cue.start].lower_
    if not len(between) or doc[speaker[0]].lower_ == "it" or speaker[1] - speaker[0] == 1 and doc[speaker[0]].lower_ in ("which", "who", "that"):
        return False
    return (
        all(t.lower_ in _AUX_WORDS for t in between) and any(t.lower_ in _BE_FORMS for t in between)
        and (verb.endswith("ed") or verb in _TOLD)
    )


_SUBJECT_OPENERS = frozenset((",", "–", "—", ":", ";"))


def conjoined_speaker(doc, span: tuple[int, int], lo: int, cue: int, lex: CueLexicon) -> tuple[int, int]:
    """Both conjuncts of a coordinated subject, when ``span`` is one of them and the
    coordination is the whole subject of cue token ``cue``: names on both sides ("Licadho and
    Adhoc said", "Keo Vy and Chan Dara said") or two modifiers of one plural head ("a coalition
    of nine labour and rights groups said", "opposition and rights groups said"); else ``span``.
    The reader stopped at "and" and kept the conjunct next to the cue (or, with a parse, the
    first). The coordination must open the sentence or follow a comma or dash (so "The strike
    ended and workers said" keeps "workers": no name, no modifier pair).

    >>> # "..., a coalition of nine labour and rights groups said" -> the whole phrase
    """
    s, e = span
    if s - 2 >= lo and doc[s - 1].lower_ in ("and", "&"):
        left, right = np_left(doc, s - 2, lo, lex), span
    elif e < cue and doc[e].lower_ in ("and", "&"):
        j = skip_adverbials_left(doc, cue - 1, lo, lex)
        left, right = span, (np_left(doc, j, e + 1, lex) if j > e else None)
        if right is not None and right[0] != e + 1:
            return span
    else:
        return span
    if left is None or right is None:
        return span
    if left[0] > lo and doc[left[0] - 1].text not in _SUBJECT_OPENERS and doc[left[0] - 1].text not in QUOTE_MARKS:
        return span
    if _conjoined_names(doc, left, right) or _conjoined_modifiers(doc, left, right):
        return (left[0], right[1])
    return span


def _conjoined_names(doc, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """Each side one to four capitalised words (inner "of", "for", "the" allowed): two names."""
    def name(a: int, b: int) -> bool:
        toks = [t for t in doc[a:b] if t.is_alpha]
        return 1 <= b - a <= 6 and bool(toks) and toks[0].text[:1].isupper() and all(t.text[:1].isupper() or t.lower_ in _NAME_INNER for t in toks)
    return name(*left) and name(*right)


def _conjoined_modifiers(doc, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """"labour and rights groups": a lower-case word (no -ed verb) before "and", and after it a
    lower-case modifier and a plural lower-case head."""
    before, first, head = doc[left[1] - 1], doc[right[0]], doc[right[1] - 1]
    return (
        right[1] - right[0] >= 2 and before.is_alpha and (before.text[:1].islower() or left == (left[1] - 1, left[1]))
        and not before.lower_.endswith("ed")
        and first.text[:1].islower() and head.text[:1].islower() and head.lower_.endswith("s") and not head.lower_.endswith("ss")
    )


def _name_after_quotation(doc, j: int, lo: int, lex: CueLexicon) -> tuple[int, int] | None:
    """“...,” NAME, APPOSITIVE[, APPOSITIVE], said: the name right after the closing quotation
    mark, when only it and its appositives stand between the quotation and the comma ``j``
    before the cue (no finite verb outside a relative clause, no other quotation mark, at most
    45 tokens). For appositives too long or too many for the one-appositive reader ("Keo Vy,
    the attorney general of Kampot, one of the provinces suing the ministry, said")."""
    k = j - 1
    while k >= lo and j - k <= 45 and doc[k].text not in QUOTE_MARKS:
        k -= 1
    if k < lo or doc[k].text not in CLOSERS or k == 0 or doc[k - 1].text not in (",", "?", "!", "—"):
        return None
    first = k + 1
    if first >= j or not doc[first].text[:1].isupper():
        return None
    comma = next((x for x in range(first, j) if doc[x].text == ","), None)
    if comma is None or comma == first or not _appositives(doc, comma + 1, j, lex):
        return None
    span = np_right(doc, first, comma)
    return span if span is not None and span[1] == comma else None


def _appositives(doc, a: int, b: int, lex: CueLexicon) -> bool:
    """Are tokens ``[a, b)`` one or more appositives separated by commas (each up to 30 tokens:
    between a quotation and its cue nothing else stands)?"""
    start = a
    for x in range(a, b + 1):
        if x == b or doc[x].text == ",":
            if x == start or not _appositive(doc, start, x, lex, limit=30):
                return False
            start = x + 1
    return True


def body_before_place(doc, span: tuple[int, int], lo: int, body_nouns: frozenset[str]) -> tuple[int, int]:
    """A place after a body's name is not the speaker: "The U.S. Embassy in Phnom Penh said",
    "the EU Delegation to Cambodia said" -> the whole phrase, when the word before
    in/at/to/from is a body noun (``body_nouns``: embassy, ministry, office ...), in either case.
    (:func:`_head_before_place` does this for lower-case heads.)"""
    s = span[0]
    if s - 2 < lo or doc[s - 1].lower_ not in ("in", "at", "to", "from") or not doc[span[0]].text[:1].isupper():
        return span
    head = doc[s - 2]
    if head.lower_ not in body_nouns:
        return span
    k = s - 2
    while k - 1 >= lo and s - k < MAX_NP and (doc[k - 1].text[:1].isupper() or doc[k - 1].lower_ in ("the", "’s", "'s", "of")) and doc[k - 1].text not in QUOTE_MARKS and not doc[k - 1].is_punct:
        k -= 1
    return (k, span[1])


#: lower-case words inside a body's name ("Ministry of Labour and Vocational Training")
_NAME_INNER = frozenset("of for the and on de to".split())


def name_across_and(doc, span: tuple[int, int], lo: int, is_name) -> tuple[int, int]:
    """A known name with "and" inside that the noun-phrase reader cut ("The Cambodian Human
    Rights and [Development Association]", "the Ministry of Labour and [Vocational Training]")
    -> the whole name, when ``is_name`` (a registry lookup) knows the longer phrase; else
    ``span``. Looks back at most 12 tokens over capitalised words and ``_NAME_INNER``."""
    s = span[0]
    if s - 2 < lo or doc[s - 1].lower_ not in ("and", "&") or not doc[s - 2].text[:1].isupper():
        return span
    k = s - 2
    starts = []
    while k >= lo and s - k <= 12 and (doc[k].text[:1].isupper() or doc[k].lower_ in _NAME_INNER) and not doc[k].is_punct:
        if doc[k].text[:1].isupper() or doc[k].lower_ == "the":
            starts.append(k)
        k -= 1
    for k in reversed(starts):  # the longest known name first
        if is_name(doc[k : span[1]].text):
            return (k, span[1])
    return span


def _head_before_place(doc, span: tuple[int, int], lo: int, lex: CueLexicon) -> tuple[int, int]:
    """A place or exile is not the speaker when a lower-case head noun stands before its
    preposition: "The United Nations human rights office in Phnom Penh said", "Opposition
    figures in exile said", "officials at the embassy said" -> the whole phrase."""
    s = span[0]
    if s - 2 < lo or doc[s - 1].lower_ not in ("in", "at", "from"):
        return span
    head = np_left(doc, s - 2, lo, lex)
    if head is None or not doc[s - 2].text[:1].islower() or not doc[s - 2].is_alpha:
        return span
    return (head[0], span[1])


def tidy_speaker(doc, span: tuple[int, int], lo: int, lex: CueLexicon, descriptions: frozenset[str] = frozenset(), is_name=None) -> tuple[int, int]:
    """The speaker mention ``span`` without words that are not the speaker, whichever reader
    (left walk, parse subject) found it. ``lo``: the sentence start; ``descriptions``: title and
    role words ("spokesman", "leader"); ``is_name(text)``: is this a registry name?

    - symbols at either end ("Hun Sen 😀"); anything left of a word in another script or of a
      time expression ("និយាយ។ Sam Rainsy", "Monday Kem Sokha"): :func:`_walk_stop`;
    - a capitalised place after a sentence-initial preposition of place (:func:`place_prefix_end`):
      "In Jakarta Sam Rainsy" -> "Sam Rainsy";
    - lower-case words opening the sentence before a name that are no title, role or description
      ("ok foo bar Sam Rainsy" -> "Sam Rainsy"; "opposition leader Sam Rainsy" stays);
    - a trailing time phrase ("The head of the mission on Saturday" -> "The head of the mission").
    """
    s, e = span
    if e - s == 1:
        return span  # one word: a pronoun or a name, nothing to trim
    text = doc_text(doc)
    last = doc[e - 1]
    words = text[doc[s].idx : last.idx + len(last.text)]
    # the common case, checked on the text: ASCII (no symbol, no other script), no time word
    if not words.isascii() or not lex.mention_time_any.isdisjoint(words.lower().split()):
        while e > s and is_symbol(doc[e - 1].text):
            e -= 1
        while s < e and is_symbol(doc[s].text):
            s += 1
        if e <= s:
            return span
        for x in range(e - 2, s - 1, -1):
            if is_symbol(doc[x].text) or _walk_stop(doc, x, lo, lex):
                s = x + 1
                break
    if s - 1 >= lo:
        before = doc[s - 1]
        if before.lower_ in lex.place_prepositions or (before.is_alpha and before.text[:1].isupper()):
            s = max(s, place_prefix_end(doc, s, e, lo, lex, is_name))
    if doc[s].text[:1].islower():
        s = _drop_filler(doc, s, e, lo, lex, descriptions)
    if e - s > 2 and doc[e - 1].lower_ in lex.mention_time_any and doc[e - 2].lower_ in TIME_PREPS:
        e -= 2  # "The head of the mission on Saturday" (a parse subject with the verb's time)
    return (s, e)


def _drop_filler(doc, s: int, e: int, lo: int, lex: CueLexicon, descriptions: frozenset[str]) -> int:
    """A sentence that opens with lower-case words before a name: they are no description when
    none of them is a title or role word and the name does not start with one ("ok foo bar Sam
    Rainsy" -> "Sam Rainsy", also when a parser left "ok" out of the mention). Mid-sentence
    descriptions ("longtime observer John Doe", "panel Chairman X") are not read here."""
    first = lo
    while first < s and (doc[first].text in OPENERS or doc[first].is_space):
        first += 1
    if s - first > 8:
        return s
    r = e  # the trailing capitalised name
    while r - 1 >= s and (doc[r - 1].text[:1].isupper() or (doc[r - 1].text in ("-", ".") and r - 1 > s)):
        r -= 1
    while r < e and not doc[r].text[:1].isupper():
        r += 1
    if s < r < e and doc[r].lower_ not in descriptions and all(
        doc[x].is_alpha and doc[x].text[:1].islower() and doc[x].lower_ not in descriptions and doc[x].lower_ not in NP_INNER
        and doc[x].lower_ not in NP_STOP and doc[x].lower_ not in lex.name_particles
        for x in range(first, r)
    ):
        return r
    return s


def _sentence_initial(doc, x: int, lo: int) -> bool:
    """Is token ``x`` the first word of its sentence (after opening quotation marks)?"""
    k = x - 1
    while k >= lo and (doc[k].text in OPENERS or doc[k].is_space):
        k -= 1
    return k < lo


def place_prefix_end(doc, s: int, e: int, lo: int, lex: CueLexicon, is_name=None) -> int:
    """Where the speaker starts in a mention ``[s, e)`` that follows a preposition of place and a
    capitalised place name ("In Phnom Penh Hun Sen said"); ``s`` when there is no such place.
    The preposition must open the sentence or follow a comma: after a noun the place belongs
    to the speaker ("Officials at Homeland Security Investigations said").

    The capitalised run may start before ``s`` (a parser may have cut the place in two). When a
    lower-case word follows the place ("In Jakarta opposition leader Sam Rainsy", "In Washington
    the opposition leader") the speaker starts there, if a name or an article follows. An
    all-capitalised run keeps its longest tail that ``is_name`` knows, else its last two words
    (three when the middle one is an initial: "Donald J. Trump").
    """
    r0 = s
    while r0 - 1 >= lo and doc[r0 - 1].text[:1].isupper() and doc[r0 - 1].is_alpha and doc[r0 - 1].lower_ not in lex.place_prepositions:
        r0 -= 1
    if r0 - 1 < lo or doc[r0 - 1].lower_ not in lex.place_prepositions or not doc[r0].text[:1].isupper():
        return s
    if not (_sentence_initial(doc, r0 - 1, lo) or doc[r0 - 2].text == ","):
        return s  # "Officials at Homeland Security Investigations": the place is the speaker's
    m = next((x for x in range(r0, e) if doc[x].text[:1].islower() and doc[x].is_alpha), None)
    if m is not None:
        low = doc[m].lower_
        if low in lex.name_particles or low in ("of", "for", "and", "de"):
            return s
        if low in _ARTICLES or any(doc[x].text[:1].isupper() for x in range(m + 1, e)):
            return max(s, m)
        return s
    words = [x for x in range(r0, e) if x == r0 or doc[x - 1].whitespace_]
    if len(words) < 3:
        return s
    end_char = doc[e - 1].idx + len(doc[e - 1].text)
    text = doc_text(doc)
    if is_name is not None:
        for w in words[1:]:
            if is_name(text[doc[w].idx : end_char]):
                return max(s, w)
    start = words[-2]
    if len(doc[start].text) <= 2 and doc[start].text.endswith(".") or (doc[start].text.isupper() and len(doc[start].text) == 1):
        start = words[-3]
    return max(s, start)


#: words that open a relative clause: a finite verb after one of them is the clause's, not the
#: sentence's ("Keo Vy, whose party won the most seats, said ...")
RELATIVE_OPENERS = ("who", "which", "that", "whose", "whom")


def _participle_opener(tok) -> bool:
    """A lower-case participle opening a phrase ("ousted", "jailed", "speaking on condition of
    anonymity")."""
    return tok.text[:1].islower() and tok.lower_.endswith(("ed", "ing")) and len(tok) > 4


#: a finite verb after one of these inside commas belongs to a subordinate clause of the
#: appositive (", speaking on condition of anonymity because he was not authorised to speak,")
_SUBORDINATE_OPENERS = frozenset("because as since when after while although though if unless".split())


def _inside_clause(doc, a: int, i: int) -> bool:
    """Is token ``i`` inside a relative clause (who/which/that/whose/whom before it from ``a``), or
    a subordinate clause of a participle phrase opening at ``a`` ("speaking ... because he was")?"""
    before = doc[a:i]
    if any(x.lower_ in RELATIVE_OPENERS for x in before):
        return True
    return _participle_opener(doc[a]) and any(x.lower_ in _SUBORDINATE_OPENERS for x in before)


def _appositive(doc, a: int, b: int, lex: CueLexicon, limit: int = 14) -> bool:
    """Are tokens ``[a, b)`` an appositive ("a CNRP official", "however") or a relative clause
    (", whose party won the most seats,") rather than a clause of the sentence? A relative
    clause or a participle phrase (", ousted as first prime minister in two days of fighting
    in the capital,") may be longer (up to 30 tokens) than an appositive (``limit``)."""
    if b - a > (max(30, limit) if a < b and (doc[a].lower_ in RELATIVE_OPENERS or _participle_opener(doc[a])) else limit):
        return False
    tagged = has(doc, "TAG")
    for t in doc[a:b]:
        if t.text in QUOTE_MARKS:
            return False
        if t.lower_ in ("’s", "'s"):
            continue  # possessive, not "is"
        if tagged and t.tag_ in ("VBD", "VBZ", "VBP", "MD") and t.dep_ not in ("relcl", "acl"):
            # a finite verb outside a relative clause
            if not _inside_clause(doc, a, t.i):
                return False
        if not tagged and t.lower_ in lex.finite_markers and not _inside_clause(doc, a, t.i):
            return False
    return True


def speaker_right(doc, j: int, hi: int, lex: CueLexicon) -> tuple[int, int] | None:
    """The speaker mention after an inverted cue ("..., said Mu Sochua, a CNRP vice president")."""
    j = skip_adverbials_right(doc, j, hi, lex)
    return np_right(doc, j, hi)


def _speaker_from_parse(doc, i: int) -> tuple[int, int] | None:
    """With a dependency parse: the nominal subject of the cue verb (proper-noun chain or pronoun)."""
    if not has(doc, "DEP"):
        return None
    tok = doc[i]
    subjects = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
    for child in tok.children:
        if child.dep_ in ("nsubj", "nsubjpass"):
            if child.ent_type_ == "NORP" and any(c.i > child.i for c in subjects):
                continue  # "[Thai] acting Prime Minister Phumtham [Wechayachai] told": a nationality the parser made a second subject
            a, b = (child.i + 1, i) if child.i < i else (i + 1, child.i)
            if any(doc[k].text in QUOTE_MARKS for k in range(a, b)):
                continue  # a subject inside the quotation is not the speaker
            if child.lower_ in PRONOUNS or child.lower_ == "that":
                return (child.i, child.i + 1)
            for a in child.children:
                if a.dep_ == "appos" and a.tag_ in ("NNP", "NNPS") and not child.tag_.startswith("NNP"):
                    # "his ministry’s spokesperson, Khieu Sopheak, confirmed" -> the name
                    start = a.i
                    while start - 1 > child.i and doc[start - 1].tag_ in ("NNP", "NNPS", "HYPH"):
                        start -= 1
                    return (start, a.i + 1)
            left = child.left_edge.i
            while left < child.i and (doc[left].is_punct or doc[left].is_space or doc[left].text in QUOTE_MARKS):
                left += 1  # a paragraph break the parser put in the subject ("”\n\nMu Sochua ... called") is no part of it
            right = child.i + 1
            while right < i and (
                (doc[right].tag_ in ("NNP", "NNPS") and not doc[right].is_punct)
                or (not doc[right - 1].whitespace_ and "-" in (doc[right].text, doc[right - 1].text))  # "Chan-o-cha"
            ):
                right += 1  # "Prime Minister Prayut Chan-o-cha": keep the whole name
            for t in child.rights:
                if t.dep_ == "prep" and t.lower_ in ("of", "for") and t.i == right:
                    right = t.right_edge.i + 1
                else:
                    break
            if scene_phrase(doc, left, right, i):
                return None  # "In Chiro market, a noodle seller ... said": the parser's subject is the place
            return (left, right)
    return None


_SCENE_PREPS = frozenset("in at on from inside outside near back".split())


def scene_phrase(doc, left: int, right: int, cue: int) -> bool:
    """Is ``[left, right)`` the object of a scene-setting phrase that opens the sentence and ends
    in a comma before the cue ("In Chiro market, a noodle seller ... said", "Back in Takeo,
    Chea Sokhom says")? A parser sometimes takes the place for the subject.

    >>> import spacy; doc = spacy.blank("en")("In Chiro market, a seller said so.")
    >>> scene_phrase(doc, 1, 3, 6), scene_phrase(doc, 4, 6, 6)
    (True, False)
    """
    k = left
    while k > 0 and doc[k - 1].is_alpha and doc[k - 1].text[:1].isupper() and doc[k - 1].lower_ not in _SCENE_PREPS:
        k -= 1  # "Back in [Chiro] Ti Pir": the parser's subject may start inside the place name
    p = k
    while k > 0 and doc[k - 1].lower_ in _SCENE_PREPS:
        k -= 1
    if k == p and doc[left].lower_ not in _SCENE_PREPS:
        return False
    return right < cue and doc[right].text == "," and (k == 0 or doc[k - 1].is_punct or doc[k - 1].is_space or doc[k - 1].is_sent_start)


# --------------------------------------------------------------------------- content


def clause_start(doc, cue: Cue, hi: int, lex: CueLexicon) -> tuple[int, str] | None:
    """Token index where the reported clause starts after ``cue`` and how it is introduced.

    ``that``-clauses, colons, a quotation after a comma, wh-clauses, small clauses ("described X
    as Y") and zero-complementizer clauses ("said he would"). None for a noun object ("condemned
    the arrest") or a control infinitive ("vowed to return").
    """
    j = skip_adverbials_right(doc, cue.end, hi, lex)
    if j < hi and j > cue.end and doc[j].lower_ in ("’s", "'s"):
        j = cue.end  # "condemned Friday’s test as ...": a possessive, no time adverbial
    if cue.lemma in lex.recipient and j < hi and doc[j].lower_ not in ("that", ":") and doc[j].text not in OPENERS and doc[j].text != ",":
        k = recipient_end(doc, j, hi)
        if k > j:
            j = skip_adverbials_right(doc, k, hi, lex)
    if j < hi and doc[j].lower_ in _SETTING_PREPOSITIONS:
        # "says on its website that ...", "told reporters at a briefing in Phnom Penh that ...",
        # "told reporters outside the courthouse that ..."
        for k in range(j + 1, min(hi, j + 12)):
            t = doc[k]
            if t.lower_ in ("that", ":"):
                j = k
                break
            if t.text == "," and k + 1 < hi:
                nxt = doc[k + 1]
                if nxt.text in OPENERS or nxt.lower_ == "that":
                    j = k if nxt.text in OPENERS else k + 1  # "said on the other hand, “...”"
                    break
                if nxt.text[:1].isupper():
                    continue  # "at a rally in Siem Reap, Cambodia, that ..."
            if t.text in ("’s", "'s") and k > j + 1 and doc[k - 1].idx + len(doc[k - 1]) == t.idx:
                continue  # "at the party's headquarters that": a possessive, no verb
            if (t.is_punct and t.text not in ("’s", "'s", "-")) or t.text in QUOTE_MARKS or t.lower_ in lex.finite_markers:
                break
    if j < hi and doc[j].text == ",":
        j = parenthetical_before_that(doc, j, hi, lex)
    if j >= hi:
        return None
    tok = doc[j]
    low = tok.lower_
    if low == "that" and not (has(doc, "TAG") and tok.tag_ == "DT"):  # not "that election"
        return (j + 1, "that") if j + 1 < hi else None
    if tok.text == ":":
        return (j + 1, "colon") if j + 1 < hi else None
    if tok.text == "," and j + 1 < hi and doc[j + 1].text in OPENERS:
        return (j + 1, "quote")
    if tok.text in OPENERS:
        return (j, "quote")
    if cue.cls == "small_clause":
        if low in _PREPOSITIONS or low in ("’s", "'s"):
            return None  # "praised X for ...", "criticized for ...": no object
        for k in range(j, min(hi, j + 12)):
            if doc[k].lower_ == "as" and k > j:
                if (k + 1 < hi and doc[k + 1].lower_ in _NOT_PREDICATE_AS) or doc[k - 1].lower_ == "such":
                    break  # "condemned the arrests as well as ...", "deals such as NAFTA"
                return (j, "small_clause")
            if doc[k].is_punct and doc[k].text not in ("’s", "'s", "-"):
                break
        if cue.lemma in lex.naming and doc[j].lower_ in DETERMINERS and doc[j].lower_ not in ("his", "her", "their", "its"):
            return (j, "small_clause")  # "labelled the planned return an attempted coup"
        if cue.lemma in lex.naming_checked and bare_small_clause(doc, j, hi, lex):
            return (j, "small_clause")  # "called the plan a fantasy"
        return None
    if low in ("whether", "if", "how", "why", "what", "when", "where") and cue.cls == "speech":
        return (j, "wh")
    if low in ("by", "of"):
        return None  # "was announced by the ministry": a passive with its agent; "said of the plan": its topic; no clause
    if cue.lemma not in lex.need_that and (looks_like_clause(doc, j, hi, lex) or _ccomp_starts_at(doc, cue, j)):
        return (j, "zero")
    if cue.lemma in lex.naming_checked and bare_small_clause(doc, j, hi, lex):
        return (j, "small_clause")  # "declared the election free and fair"
    return None


#: "as" that opens no predicate: "condemned the arrests as well as the fines", "as soon as"
_NOT_PREDICATE_AS = frozenset("well soon long much many far part usual such if though".split())
_PREDICATE_SUFFIXES = ("ous", "ful", "less", "ible", "able", "ical")


def parenthetical_before_that(doc, j: int, hi: int, lex: CueLexicon) -> int:
    """With ``j`` a comma after the cue (or its addressee), the "that" after a parenthetical
    setting set off by commas ("told the Post, in an interview in Jakarta, that ..."), else ``j``.
    The parenthetical has at most ten words and no verb or quotation mark.

    >>> import spacy; from toolkit.core.cues import CueLexicon
    >>> doc = spacy.blank("en")("told the Post, in an interview in Jakarta, that he left")
    >>> parenthetical_before_that(doc, 3, len(doc), CueLexicon())
    10
    """
    for k in range(j + 1, min(hi, j + 12)):
        t = doc[k]
        if t.text == ",":
            return k + 1 if k > j + 1 and k + 1 < hi and doc[k + 1].lower_ == "that" else j
        if not _is_wordlike(t) and not t.like_num or t.text in QUOTE_MARKS or t.lower_ in lex.finite_markers or t.lower_ == "that":
            return j
    return j


def bare_small_clause(doc, j: int, hi: int, lex: CueLexicon) -> bool:
    """Does a bare small clause start at token ``j``: an object noun phrase followed by a second
    noun phrase or a predicate adjective ("the plan a fantasy", "the ruling the death of
    democracy", "the sentences outrageous", "the election free and fair")? Not "the police", "the
    minister a week later" (a time phrase), "the government official".

    The predicate adjective is one of ``lex.predicate_adjectives``, a word in -ous/-ful/-less/
    -ible/-able/-ical, or (with a tagger) a JJ, ending the object's word run. A quotation right
    after an object of one to five words is a quoted predicate ("the charges “a farce”").
    """
    if j >= hi or not _np_token(doc[j]) or doc[j].lower_ in PRONOUNS or doc[j].lower_ in OBJECT_PRONOUNS:
        return False
    tagged = has(doc, "TAG")
    k = j + 1
    while k < hi and k - j <= 7:
        t = doc[k]
        low = t.lower_
        if low in ("the", "a", "an") and k > j + 1:
            return k + 1 < hi and doc[k + 1].lower_ not in lex.time_words and _is_wordlike(doc[k + 1])
        if t.text in OPENERS and k - j <= 5:
            return True  # a quoted predicate: "called the verdict “a dark day for justice”"
        if not _np_token(t) or low in NP_INNER:
            break
        k += 1
    if k - j < 3:
        return False
    last = doc[k - 1]
    if k < hi and not (doc[k].is_punct or doc[k].lower_ == "and"):
        return False
    low = last.lower_
    return low in lex.predicate_adjectives or low.endswith(_PREDICATE_SUFFIXES) or (tagged and last.tag_ == "JJ")


_PREPOSITIONS = frozenset("on in at to during via with from after before over through for about of by".split())
#: Prepositions that open the setting between a cue and its that-clause ("told reporters outside
#: the courthouse that ...", "said after the hearing that ...").
_SETTING_PREPOSITIONS = _PREPOSITIONS | frozenset("outside inside near behind beside following ahead across".split())


def recipient_end(doc, j: int, hi: int) -> int:
    """End of the addressee after "told"/"warned": "reporters", "Asia Times", "the BBC", "them",
    "a business forum in May" (up to its "that"), "the court" (before "his clients had ...": a
    determiner or subject pronoun after the noun opens the reported clause)."""
    t = doc[j]
    if t.lower_ in OBJECT_PRONOUNS:
        return j + 1
    k = j
    if t.text[:1].isupper():
        while k < hi and k - j < 6 and (doc[k].text[:1].isupper() or doc[k].lower_ in ("of", "the", "’s", "'s", "-")):
            k += 1
        return k
    if t.lower_ in DETERMINERS and t.lower_ not in ("his", "her", "their", "its"):
        # "told a farmers union that", "told a business forum in May that": the addressee runs to
        # "that" (or ":"), over a short setting phrase
        for k2 in range(j + 1, min(hi, j + 9)):
            if doc[k2].lower_ in ("that", ":"):
                return k2
            if not (_np_token(doc[k2]) or doc[k2].lower_ in _SETTING_PREPOSITIONS or doc[k2].like_num):
                break
        k += 1
        if k < hi and doc[k].text[:1].isupper() and doc[k].is_alpha:  # "told the Mekong Current, ..."
            while k < hi and k - j < 7 and (doc[k].text[:1].isupper() or doc[k].lower_ in ("of", "’s", "'s", "-")):
                k += 1
            return k
    while k < hi and k - j < 4 and _np_token(doc[k]) and doc[k].lower_ not in ("that",) and not doc[k].text[:1].isupper():
        if k > j and opens_clause_after_noun(doc[k]):
            break  # "told the court [his clients had been ...]"
        k += 1
        if plural_noun(doc[k - 1].lower_) or (k < hi and doc[k].lower_ in ("that", ":", ",")):
            break
    return k


#: Words that cannot go on a noun phrase once its noun is there: a new one starts ("the court
#: the hearing", "the court his clients") or a clause does ("the court she had").
_CLAUSE_AFTER_NOUN = DETERMINERS | frozenset("he she it they we i you".split())


def opens_clause_after_noun(tok) -> bool:
    """Does ``tok``, right after an addressee noun, start the reported clause?

    >>> import spacy; doc = spacy.blank("en")("told the court his clients had been there")
    >>> opens_clause_after_noun(doc[3]), opens_clause_after_noun(doc[4])
    (True, False)
    """
    return tok.lower_ in _CLAUSE_AFTER_NOUN


def plural_noun(word: str) -> bool:
    """Does a lower-case noun look plural ("reporters", "villagers"; not "business", "press")?

    >>> plural_noun("reporters"), plural_noun("business"), plural_noun("press")
    (True, False, False)
    """
    return word.endswith("s") and not word.endswith(("ss", "us", "is"))


def _ccomp_starts_at(doc, cue: Cue, j: int) -> bool:
    """With a parse: does a clausal complement of the cue verb start at token ``j``?"""
    if not has(doc, "DEP"):
        return False
    for child in doc[cue.start].children:
        if child.dep_ == "ccomp" and child.i > cue.start and child.left_edge.i == j:
            return True
    return False


def _plural_possessive(doc, k: int) -> bool:
    """Is token ``k`` the apostrophe of a plural possessive ("the traders' boats")?"""
    t = doc[k]
    if t.text not in ("'", "’") or k == 0:
        return False
    prev = doc[k - 1]
    return prev.idx + len(prev.text) == t.idx and prev.lower_.endswith("s") and k + 1 < len(doc) and doc[k + 1].text[:1].islower()


#: Words whose "of" opens a partitive subject, not an object ("said most of the cases were ...").
PARTITIVES = frozenset("most some all many none none half one two three four five several few each both any much majority part".split())

#: Finite verbs that end a listed subject in the blank pipeline ("rice, fish and water had been ...").
_LIST_FINITE = frozenset("is are was were has have had will would could can may might must should".split())


def list_subject_end(doc, k: int, hi: int) -> int | None:
    """With ``k`` the first comma of a list, the token of the finite verb after a listed subject
    ("rice, canned fish and water [had] been delivered"): comma-separated word groups of at most
    four lower-case words, the last after "and"/"or", then an auxiliary; else None ("the talks,
    he said, had stalled" is no list: "he said" holds a verb).

    >>> import spacy; doc = spacy.blank("en")("said tents, rice and water were sent")
    >>> list_subject_end(doc, 2, len(doc))
    6
    >>> doc = spacy.blank("en")("said yesterday, adding that it was sent")
    >>> list_subject_end(doc, 2, len(doc)) is None
    True
    """
    n = 0
    seen_and = False
    for i in range(k + 1, min(hi, k + 16)):
        t = doc[i]
        low = t.lower_
        if t.text == ",":
            if n == 0 or seen_and:
                return None
            n = 0
            continue
        if low in ("and", "or"):
            if n == 0 and not (i > 0 and doc[i - 1].text == ","):
                return None
            seen_and = True
            n = 0
            continue
        if low in _LIST_FINITE:
            return i if seen_and and n > 0 else None
        if not t.is_alpha or not t.text[:1].islower() or low in NP_STOP or low in PRONOUNS:
            return None
        n += 1
        if n > 4:
            return None
    return None


def looks_like_clause(doc, j: int, hi: int, lex: CueLexicon) -> bool:
    """Does a finite clause start at token ``j``? ("he would", "the party will", "it had")."""
    tok = doc[j]
    if tok.lower_ == "to" or tok.is_punct:
        return False
    if tok.lower_ in lex.clause_subjects and tok.lower_ not in ("his", "her", "their", "its", "our", "this", "these", "those"):
        return j + 1 < hi and (doc[j + 1].text[:1].islower() or doc[j + 1].text[:1] in ("’", "'"))
    if tok.lower_ in ("is", "was", "are", "were", "has", "had", "will", "would"):
        return True  # subject gap: "which the opposition says is just a ploy"
    tagged = has(doc, "TAG")
    for k in range(j + 1, min(hi, j + 12)):
        t = doc[k]
        if t.text == "," and k > j and list_subject_end(doc, k, hi) is not None:
            return True  # "said rice, canned fish and water had been delivered"
        if t.text in OPENERS and k > j and k + 1 < hi and (doc[k + 1].tag_ in ("VBD", "VBZ", "VBP", "MD") if tagged else doc[k + 1].lower_ in lex.finite_markers):
            return True  # "said the protesters “do not represent ...”": the quotation opens on the verb
        if t.is_punct and t.text not in ("’s", "'s", "-") and not _plural_possessive(doc, k):
            return False
        if t.lower_ in ("to", "of") and k == j + 1 and not (t.lower_ == "of" and tok.lower_ in PARTITIVES):
            return False
        if tagged:
            if t.tag_ in ("VBD", "VBZ", "VBP", "MD"):
                return True
        elif t.lower_ in lex.finite_markers and not t.text[:1].isupper():  # "in May" is no modal
            return True
        elif t.text[:1].islower() and t.lower_.endswith("ed") and len(t) > 4 and doc[k - 1].lower_ not in DETERMINERS and doc[k - 1].lower_ not in ("be", "been", "being"):
            return True
    return False


#: ", blocking ...", ", reflecting ..." after a reported clause is narrator material.
_NARRATOR_PARTICIPLE = re.compile(r",\s+(?!including\b|according\b)[a-z]+ing\b")


#: "... will be barred and has asked ...", "... was deeply concerned and called for ...": a second
#: verb phrase of the speaker, not reported. A past perfect ("... would defend it and had asked
#: the UN ...") is backshifted, so reported: it stays in the content.
_NEW_VERB_PHRASE = re.compile(r",? and (?:has |have |had )?(?:also |since |repeatedly |later |then |again )?(?:(?<=has )[a-z]+ed|(?<=have )[a-z]+ed|(?<=also )[a-z]+ed|called (?:again |also )?(?:for|on)|appealed for|appealed to|urged|demanded|vowed|pledged|thanked|praised|welcomed|accused|condemned|criticised|criticized|denounced|hoped)\b")
#: ", and the European Union called for ...": a second speaker's act after a report, the narrator's.
_NEW_SPEAKER_ACT = re.compile(r", (?:and|while|whereas|but) (?:the |a )?(?:[A-Z][\w’'.\-]*[ ]){1,5}(?:has |have |had |also |later |then )*(?:said|says|called|urged|demanded|warned|added|condemned|criticised|criticized|denied|rejected|welcomed|praised|accused|announced)\b")
#: ", a charge the groups have denied", ", a reference to Sam Rainsy": the narrator's comment on
#: the report it follows (an appositive of the whole clause, headed by a noun for a claim).
_CLAIM_APPOSITIVE = re.compile(r", (?:a|an) (?:charge|claim|accusation|allegation|assertion|reference|motive|figure|move|view|position|remark|comment)\b(?! of\b)")


#: A sentence end followed by a quotation that opens the next sentence (`. "We ...`): the
#: sentencizer keeps them together when the mark follows the period's space.
_QUOTED_NEXT_SENTENCE = re.compile(r"(?<=[a-z0-9)”’\"])[.!?]\s+(?:[\"“](?=[A-Z‘']|\s*$)|[‘'](?=[A-Z]|\s*$))")


def next_sentence_cut(seg: str) -> int:
    """Offset in ``seg`` of a sentence end followed by an opening quotation mark (a single one
    before a capital letter: British style), else -1.

    >>> next_sentence_cut('the survey was done. "We are close," she said.')
    19
    >>> next_sentence_cut("rangers arrived late. ‘The traders are never caught,’ she said.")
    20
    >>> next_sentence_cut('it was a “badge of loyalty”. “We will serve,” he said.')
    27
    """
    if '"' not in seg and "“" not in seg and "‘" not in seg and "'" not in seg:
        return -1
    m = _QUOTED_NEXT_SENTENCE.search(seg)
    return m.start() if m is not None else -1


def content_end(doc, text: str, start_char: int, sent_end_tok: int, lex: CueLexicon, narration: bool = True) -> int:
    """End of a reported clause: sentence end minus final punctuation and narrator material."""
    end = doc[sent_end_tok - 1].idx + len(doc[sent_end_tok - 1].text) if sent_end_tok > 0 else start_char
    seg = text[start_char : min(end, start_char + MAX_CONTENT_CHARS)]
    nl = seg.find("\n")
    if nl >= 0:
        seg = seg[:nl]
    cut = next_sentence_cut(seg)
    if cut > 0:
        seg = seg[:cut]
    low = seg.lower()
    for marker in lex.trailing_narration:
        pos = low.find(marker)
        if pos > 0:
            if marker.strip(", ") in ("which", "who") and "," in seg[pos + len(marker) :]:
                continue  # a relative clause in the middle belongs to the content
            if marker.strip(", ") == "according to" and according_to_norm(low[pos + len(marker) :]):
                continue  # "handled according to procedure": a manner, not a source
            seg = seg[:pos]
            low = seg.lower()
    for pattern in (_NEW_VERB_PHRASE, _NEW_SPEAKER_ACT, _CLAIM_APPOSITIVE):
        m = pattern.search(seg)
        if m is not None and m.start() > 0:
            seg = seg[: m.start()]
    m = _NARRATOR_PARTICIPLE.search(seg) if narration else None
    if m is not None and m.start() > 0:
        seg = seg[: m.start()]
    seg = seg.rstrip()
    while seg and seg[-1] in ".!?;:,—–-" and not seg.endswith("..."):
        seg = seg[:-1].rstrip()
    return start_char + len(seg)


#: What "according to" may be followed by when it names a rule, not a source ("the case was
#: handled according to procedure", "in accordance with the law").
_NORMS = ("law", "laws", "procedure", "procedures", "plan", "schedule", "rules", "regulations", "constitution", "protocol", "principle", "principles", "custom", "tradition", "standard", "standards", "the law", "the laws", "legal procedure", "the procedure", "the plan", "the schedule", "the rules", "the regulations", "the constitution", "the protocol", "the principle", "international law", "cambodian law")


def according_to_norm(rest: str) -> bool:
    """Does the lower-case text after "according to" name a rule ("procedure", "the law", "the
    constitution") rather than a source ("police", "the ministry")?

    >>> according_to_norm(" procedure and that the defendants had lawyers"), according_to_norm(" the ministry")
    (True, False)
    """
    words = rest.strip().split()
    return any(" ".join(words[:n]).strip(",.;") == norm for n in (1, 2, 3) for norm in _NORMS if len(norm.split()) == n)


def trim_start(text: str, start: int, end: int) -> int:
    while start < end and text[start].isspace():
        start += 1
    return start


# --------------------------------------------------------------------------- frames


def _end_char(doc, tok_end: int) -> int:
    t = doc[tok_end - 1]
    return t.idx + len(t.text)


def _prev_is_boundary(doc, k: int, lo: int) -> bool:
    """Is token ``k - 1`` a comma or a closing quotation mark (a postposed attribution)?"""
    if k - 1 < lo:
        return False
    t = doc[k - 1].text
    if t in (",", "”", "»", "''"):
        return True
    j = k - 1
    while j >= lo and doc[j].text in ('"', "’", "'", "”", "''"):
        j -= 1  # closing marks, possibly nested: ,'" or .’”
    return j < k - 1 and j >= lo and doc[j].text in (",", ".", "?", "!")


def _participle_opener_word(tok) -> bool:
    """A participle opening a sentence ("Speaking at a rally, Hun Sen ...", "Asked about the
    vote, she ..."): the introductory phrase ends at its comma, the subject follows."""
    low = tok.lower_
    return tok.text[:1].isupper() and tok.is_alpha and len(low) > 5 and (low.endswith("ing") or low in ("asked", "pressed", "questioned"))


def _subject_of_sentence(doc, lo: int, hi: int, lex: CueLexicon) -> tuple[int, int] | None:
    """First noun phrase of a sentence after an introductory phrase ("In recent days, Hun Sen",
    "Speaking at a ceremony on Monday, Hun Sen")."""
    j = lo
    while j < hi:
        t = doc[j]
        if t.text in QUOTE_MARKS or t.is_space:
            j += 1
            continue
        low = t.lower_
        if low in NP_STOP or low in TIME_PREPS or low in ("however", "but", "indeed") or _participle_opener_word(t):
            for k in range(j, min(hi, j + 20)):  # "Speaking at a graduation ceremony at Koh Pich on Monday, X"
                if doc[k].text == ",":
                    j = k + 1
                    break
        break
    span = np_right(doc, j, hi)
    if span is not None and doc[span[1] - 1].text[:1].islower() and span[1] + 2 < hi and doc[span[1]].text == ",":
        # "China’s ambassador, Wang Wentian, congratulated ...": the appositive name
        k = span[1] + 1
        while k < hi and k - span[1] <= 5 and doc[k].text[:1].isupper() and doc[k].is_alpha:
            k += 1
        if k > span[1] + 1 and k < hi and doc[k].text == ",":
            return (span[1] + 1, k)
    return span


def sentence_subjects(doc, sents: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """The subject noun phrase of each sentence ``(lo, hi)`` (or None): the root's nominal
    subject with a parse, else the first noun phrase after an introductory phrase. The roots
    are found in one vectorised pass over the ``DEP`` column, not by reading every token."""
    if not has(doc, "DEP"):
        return [_subject_of_sentence(doc, lo, hi, None) for lo, hi in sents]
    import numpy as np
    from spacy.strings import get_string_id

    roots = np.flatnonzero(doc.to_array("DEP") == get_string_id("ROOT")).tolist()
    out: list[tuple[int, int] | None] = []
    for lo, hi in sents:
        k = bisect.bisect_left(roots, lo)
        # a sentence cut out of a parsed one at a line break has no root of its own: read it as the blank pipeline does
        out.append(_speaker_from_parse(doc, roots[k]) if k < len(roots) and roots[k] < hi else _subject_of_sentence(doc, lo, hi, None))
    return out


def sentence_spans(doc) -> list[tuple[int, int]]:
    """``[(s.start, s.end) for s in doc.sents]``, read from the ``SENT_START`` column in one
    vectorised step instead of making a Span per sentence. Docs with a ``sents`` hook or no
    sentence boundaries go through ``doc.sents`` (which raises spaCy's own error for the latter)."""
    n = len(doc)
    if "sents" in doc.user_hooks or n < 2 or not doc.has_annotation("SENT_START"):
        return [(s.start, s.end) for s in doc.sents]
    import numpy as np

    starts = (np.flatnonzero(doc.to_array("SENT_START")[1:] == 1) + 1).tolist()
    return list(zip([0] + starts, starts + [n]))


def sentence_bounds(doc, sents: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """``(start, end)`` token bounds of each token's sentence, computed in one pass (``Token.sent``
    walks the whole sentence on every call, which is quadratic on run-on text). ``sents``: the
    ``(start, end)`` of ``doc.sents`` when the caller has them already."""
    if sents is None:
        sents = sentence_spans(doc)
    bounds: list[tuple[int, int]] = []
    for b in sents:
        bounds += [b] * (b[1] - b[0])
    if len(bounds) != len(doc):  # sentences always cover the Doc; be safe if they do not
        bounds = [(0, len(doc))] * len(doc)
        for b in sents:
            bounds[b[0] : b[1]] = [b] * (b[1] - b[0])
    return bounds


def read_frames(doc, cues: list[Cue], lex: CueLexicon, quotation_at, bounds: list[tuple[int, int]] | None = None) -> list[Frame]:
    """Every frame around ``cues``; ``quotation_at(char) -> Quotation | None`` finds quotations.

    A cue may give two frames: ``“A,” he said, “B.”`` -> A (postposed) and B (preposed).
    """
    text = doc_text(doc)
    frames: list[Frame] = []
    bounds = bounds if bounds is not None else sentence_bounds(doc)
    for cue in cues:
        lo, hi = bounds[cue.start]
        sent_start_char = doc[lo].idx
        if cue.cls == "according_to":
            frames.extend(_according_to(doc, text, cue, lo, hi, lex))
            continue
        first = doc[cue.start]
        participle = first.lower_.endswith("ing") and cue.start - 1 >= lo and doc[cue.start - 1].text == ","
        speaker, inverted = _find_speaker(doc, cue, lo, hi, lex, participle, frames)
        if speaker is None or (not inverted and (passive_addressee(doc, cue, speaker) or participle_by(doc, cue))):
            continue
        sent_frames = len(frames)
        # preposed: "X said that ...", "X said: “...”", "“A,” he said, “B.”"
        pseudo = Cue(cue.start, max(cue.end, speaker[1]) if inverted else cue.end, cue.lemma, cue.cls)
        cs = clause_start(doc, pseudo, hi, lex)
        preposed_quote = False
        if cs is None or cs[1] == "colon":
            q = quotation_after_colon(doc, text, pseudo, hi, lex, quotation_at)
            if q is not None:  # "Keo Vy said:" closing its paragraph, the quotation in the next
                frames.append(Frame(cue, speaker, q.start, q.end, "colon_paragraph_quote", 0.75))
                preposed_quote = True
                cs = None
        if cs is not None:
            tok_i, how = cs
            tok_i = skip_leading_commas(doc, tok_i, hi)
            start_char = doc[tok_i].idx
            q = quotation_at(start_char)
            end = content_end(doc, text, start_char, hi, lex)
            if how == "quote" and quoted_subject_opens_clause(text, q):
                how = "zero"  # 'said "wildcat" strikes ... had cost ...': a clause opening on a quoted word
            if how == "quote" or (how == "colon" and q is not None and q.end >= end - 1):
                if q is not None:
                    frames.append(Frame(cue, speaker, q.start, q.end, "preposed_quote", 0.9))
                    preposed_quote = True
            elif end - start_char >= 8:
                end = min(end, _coordinated_verb_start(doc, cue, start_char, text, speaker))
                if how == "small_clause":
                    end = small_clause_end(text, start_char, end)
                end = narrator_as_clause_end(text, start_char, end)
                if relative_report(doc, cue, speaker, tok_i, lo, lex):
                    start_char = doc[speaker[0]].idx  # "which [the opposition says is a ploy]"
                score = {"that": 0.8, "colon": 0.75, "zero": 0.6, "wh": 0.55, "small_clause": 0.5}[how]
                if participle:
                    score -= 0.1
                frames.append(Frame(cue, speaker, start_char, end, f"{'participle' if participle else 'preposed'}_{how}", score))
        # postposed: "CONTENT, X said" / "“...,” said X"
        attr_start = cue.start if inverted else speaker[0]
        if participle or not _prev_is_boundary(doc, attr_start, lo) or passive_by(doc, cue, hi):
            continue
        boundary_char = doc[attr_start - 1].idx
        q = quotation_at(boundary_char) or quotation_at(boundary_char - 1) or quotation_at(boundary_char - 2)
        if q is not None and q.close is not None and q.close >= boundary_char - 3:
            clause = clause_before_quotation(doc, text, q, lo, frames)
            if clause is not None:
                # "X is “a real unknown,” said Y": the whole clause, a mixed quote
                frames.append(Frame(cue, speaker, clause, content_end(doc, text, clause, attr_start, lex, narration=False), "postposed_mixed", 0.7))
            else:
                frames.append(Frame(cue, speaker, q.start, q.end, "postposed_quote", 0.9))
        elif doc[attr_start - 1].text == "," and not preposed_quote and len(frames) == sent_frames:
            start = trim_start(text, max(sent_start_char, boundary_char - MAX_CONTENT_CHARS, text.rfind("\n", sent_start_char, boundary_char) + 1), boundary_char)
            # a direct quotation opening the sentence whose attribution follows it
            start_q = quotation_at(start)
            if start_q is not None and start_q.close is not None and start_q.close < boundary_char:
                start = start_q.outer_end
                while start < boundary_char and not text[start].isalnum():
                    start += 1
            after = _parenthetical_end(doc, cue, speaker, inverted, hi, lex)
            if after is not None and len(text[start:boundary_char].split()) >= 1:
                # "The border, Koy Kuong said, would stay closed": both sides
                end = content_end(doc, text, start, attr_start, lex)
                frames.append(Frame(cue, speaker, start, end, "parenthetical", 0.6))
                rest = doc[after].idx
                rest_end = content_end(doc, text, rest, hi, lex)
                if rest_end - rest >= 8:
                    frames.append(Frame(cue, speaker, rest, rest_end, "parenthetical", 0.6))
            elif _clause_like(doc, start, boundary_char, lex) and not adverbial_clause(text[start:boundary_char]) and _has_finite(doc, start, boundary_char, lex) and (inverted or not object_after_cue(doc, cue, hi, lex)):
                end = content_end(doc, text, start, attr_start, lex, narration=False)
                frames.append(Frame(cue, speaker, start, end, "postposed", 0.65))
    return frames


#: Relative pronouns that open a relative clause whose subject is the speaker ("the plot, which
#: the opposition says is a ploy", "in what the government labelled a coup").
RELATIVE_PRONOUNS = frozenset("which what whom whatever whichever".split())
#: Heads of a zero (contact) relative clause: "something the party has said it will not do".
ZERO_RELATIVE_HEADS = frozenset("something anything everything nothing".split())
#: Words opening a subject-gap clause: "that [officials say] is false".
_GAP_VERBS = frozenset("is was are were has had will would".split())


#: a colon that closes its line, blank lines, and nothing else before the next paragraph
_COLON_LINE_END = re.compile(r"[ \t]*\n\s*")


def quotation_after_colon(doc, text: str, cue: Cue, hi: int, lex: CueLexicon, quotation_at):
    """The quotation that opens the next paragraph when the cue's colon closes its own ("Keo Vy
    said:" / "“We will reopen the harbour ...”", the way transcripts and reposts set a long
    quote), else None. Only a colon right after the cue (or after its adverbials: "said on
    Monday:") and a quotation mark as the first character of the next paragraph count.

    >>> # 'Keo Vy said:\n\n“We will reopen it.”' -> the quotation “We will reopen it.”
    """
    if cue.start > 0 and (doc[cue.start - 1].lower_ in DETERMINERS or doc[cue.start - 1].lower_ == "following"):
        return None  # "made the following comment:": a noun, its speaker is not next to it
    j = skip_adverbials_right(doc, cue.end, hi, lex)
    if j >= len(doc) or doc[j].text != ":":
        return None
    end = doc[j].idx + 1
    m = _COLON_LINE_END.match(text, end, min(len(text), end + 200))
    if m is None:
        return None
    q = quotation_at(m.end())
    if q is None or q.open != m.end():
        return None
    return q


def relative_report(doc, cue: Cue, speaker: tuple[int, int], content_tok: int, lo: int, lex: CueLexicon) -> bool:
    """Is the report a relative clause whose subject is the speaker? Then the quote starts at the
    speaker, after the relative pronoun (the conventions: "which [the opposition says is just a
    ploy]", "something [the CNRP has said it will not do]", "in what [the government labelled a
    coup]"). "that" counts only before a subject gap ("the claim that [officials say is false]"),
    else it is a complementizer ("warned that officials say ...")."""
    s = speaker[0]
    if speaker[1] > cue.start or s - 1 < lo:
        return False
    before = doc[s - 1].lower_
    if before in ("which", "whom") and s - 2 >= lo and doc[s - 2].lower_ in _PREPOSITIONS:
        return False  # "in which he said he was wrong": the pronoun is no gap of the report
    if before in RELATIVE_PRONOUNS or before in ZERO_RELATIVE_HEADS:
        return True
    if before == "that" and s - 2 >= lo and doc[s - 2].text[:1].isalpha() and lex.lookup(doc[s - 2].text) is None:
        return content_tok < len(doc) and doc[content_tok].lower_ in _GAP_VERBS
    return False


def skip_leading_commas(doc, j: int, hi: int) -> int:
    """A clause does not start with a comma: "said that, if elected, she would" -> "if"."""
    while j + 1 < hi and doc[j].text in (",", ";"):
        j += 1
    return j


#: Subjects of a coordinated clause that continue the speaker's own actions ("..., and he urged
#: X to ...", "..., but he refuses to ..."): narrator material, not part of the report.
_SPEAKER_PRONOUNS = frozenset("he she they we i".split())


def _conj_subject(verb):
    """The subject of a conjunct verb when it has one before it, else None."""
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass", "expl") and c.i < verb.i:
            return c
    return None


def _present_tense(verb) -> bool:
    """Is a conjunct clause in the present indicative ("..., but many firms have found ways")?
    After the report, that is the narrator's present; a past clause is the report going on."""
    return verb.tag_ in ("VBZ", "VBP") or any(c.dep_ in ("aux", "auxpass") and c.tag_ in ("VBZ", "VBP") for c in verb.children)


#: Sentence openers that do not make a quotation after them part of a clause ("But “...,” he said").
_DISCOURSE_OPENERS = frozenset("and but so yet still also however now then meanwhile indeed instead".split())


def clause_before_quotation(doc, text: str, q, lo: int, frames: list[Frame]) -> int | None:
    """Start char of the clause a postposed quotation closes, when the sentence does not open
    with the quotation: "How people will respond is “a real unknown,” said Y" -> "How". None when
    only discourse words stand before the mark ("But “...”") or the text before it is an
    attribution of its own (a frame read there, a colon, another quotation)."""
    first = trim_start(text, doc[lo].idx, q.open)
    if q.open <= first:
        return None
    before = text[first : q.open]
    if any(ch in before for ch in ":;“”\"«»\n") or not before.strip():
        return None
    words = [w for w in re.findall(r"[\w’'-]+", before)]
    if not words or all(w.lower() in _DISCOURSE_OPENERS for w in words):
        return None
    for f in reversed(frames):
        if f.cue.start < lo:
            break
        if doc[f.cue.start].idx < q.open:
            return None
    return first


#: A small clause is nominal ("labelled X an attempted coup"): "and" + a participle starts a
#: second verb phrase of the speaker ("... and undertaken a crackdown"), even with no parse.
_SMALL_CLAUSE_VERB = re.compile(r",? and (?:has |have |had |also |then )?(?:[a-z]+ed|[a-z]{4,}en)\b")


#: A quoted predicate closed, then the narrator's time or place: `as a “crazy system” during ...`
_QUOTED_PREDICATE_END = re.compile(r" as [^“”\"\n]{0,40}?[“\"][^“”\"\n]{1,120}[”\"](?=, (?:during|at|in|on|after|before|while|when|for|to|from|with)\b| (?:during|at|in|on|after|before|while|when|to|from|with)\b)")


#: A quoted predicate closed, then a second verb phrase of the subject: `the verdict “a dark day”
#: and left the court` (not a list of quoted names: `a “liar” and a “bully”`)
_QUOTED_PREDICATE_AND = re.compile(r"[”\"](?= and (?!a |an |the |his |her |their |its |[“\"])[a-z]+\b)")


def small_clause_end(text: str, start: int, end: int) -> int:
    """End of a small clause before a coordinated verb phrase, or after a quoted predicate that
    the narrator's time or place follows.

    >>> t = "labelled the return a coup and undertaken a crackdown"
    >>> t[9:small_clause_end(t, 9, len(t))]
    'the return a coup'
    >>> t = "called the act as a “crazy system” during a rally in Flint"
    >>> t[7:small_clause_end(t, 7, len(t))]
    'the act as a “crazy system”'
    >>> t = "described the law as “a cage” for workers"  # "for" goes on the predicate
    >>> t[10:small_clause_end(t, 10, len(t))]
    'the law as “a cage” for workers'
    >>> t = "called the verdict “a dark day” and left the court"
    >>> t[7:small_clause_end(t, 7, len(t))]
    'the verdict “a dark day”'
    """
    if "“" in text[start:end] or '"' in text[start:end]:
        m = _QUOTED_PREDICATE_END.search(text, start, end)
        if m is not None:
            end = m.end()
        m = _QUOTED_PREDICATE_AND.search(text, start, end)
        if m is not None:
            end = m.start() + 1
    if text.find(" and ", start, end) < 0:
        return end
    m = _SMALL_CLAUSE_VERB.search(text, start, end)
    return m.start() if m is not None and m.start() > start else end


#: "... as the opposition tries to ...": an "as" clause in the present tense after a report in
#: the past (backshifted) is the narrator's present, not the speaker's words.
_PRESENT_AS_CLAUSE = re.compile(r",? as (?:the|a|an|its|his|her|their) (?:[a-z][\w-]* ){0,2}?[a-z]+s (?:to|on|for|a|an|the|its|his|her|their)\b")
_BACKSHIFTED = re.compile(r"\b(?:was|were|had|would|could)\b")


def narrator_as_clause_end(text: str, start: int, end: int) -> int:
    """End of a past-tense report before a present-tense "as" clause of the narrator.

    >>> t = "the party was still in contact with them as the opposition tries to rally support"
    >>> t[:narrator_as_clause_end(t, 0, len(t))]
    'the party was still in contact with them'
    """
    if text.find(" as ", start, end) < 0:
        return end
    m = _PRESENT_AS_CLAUSE.search(text, start, end)
    if m is None or not _BACKSHIFTED.search(text, start, m.start()):
        return end
    return m.start()


def _coordinated_verb_start(doc, cue: Cue, start_char: int, text: str, speaker: tuple[int, int] | None = None) -> int:
    """With a parse: where a verb coordinated with the cue starts ("labelled X a coup and
    undertaken a crackdown" ends before "and"); ``len(text)`` when there is none.

    A conjunct with a subject of its own is a clause the parser often hangs on the cue although
    it belongs to the report ("said the league believed in X, but the club's act had ruined it"):
    it ends the report only when its subject is the speaker again ("..., and he urged ...") or
    it is in the present tense (:func:`_present_tense`)."""
    if not has(doc, "DEP"):
        return len(text)
    for child in doc[cue.start].children:
        if child.dep_ == "conj" and child.tag_.startswith("VB") and child.idx > start_char:
            subj = _conj_subject(child)
            k = child.i
            if subj is not None:
                same = subj.lower_ in _SPEAKER_PRONOUNS or (speaker is not None and subj.text == doc[speaker[1] - 1].text)
                if not same and not _present_tense(child):
                    continue
                k = subj.left_edge.i
            while k - 1 > cue.start and (doc[k - 1].dep_ in ("cc", "advmod", "aux", "neg") or doc[k - 1].text == ","):
                k -= 1
            return text[: doc[k].idx].rstrip().__len__()
    return len(text)


#: conjunctions that open the narrator's own clause after a mid-sentence attribution
_NARRATOR_CONJUNCTIONS = frozenset("though although but while whereas as even".split())


#: Lower-case words that may follow a postposed attribution's verb ("..., he said as he left",
#: "..., she said through an interpreter", "..., he said, adding ..."): no object.
_AFTER_POSTPOSED = frozenset(
    """to as when while after before because though although if unless since until once and but or
    so then again also later earlier recently today yesterday tonight last this through via by
    in on at for from with during outside inside near afterwards there here""".split()
)


def object_after_cue(doc, cue: Cue, hi: int, lex: CueLexicon) -> bool:
    """Does a noun-phrase object follow the cue ("..., the two districts declared red zones on
    Monday", "..., the group announced a boycott")? Then the cue is no postposed attribution of
    the clause before it: a postposed speech verb ends its clause or takes a setting ("on
    Monday", "in a statement", "as he left"), an addressee ("told reporters") or a comma.

    >>> # "Prices rose, the ministry said on Monday." -> False; "Prices rose, the districts declared red zones." -> True
    """
    k = skip_adverbials_right(doc, cue.end, hi, lex)
    if k < hi and cue.lemma in lex.recipient and (doc[k].lower_ in OBJECT_PRONOUNS or doc[k].lower_ in DETERMINERS or doc[k].text[:1].isupper() or doc[k].is_alpha):
        return False  # "..., he told reporters", "..., she told the Phnom Penh Post"
    if k >= hi:
        return False
    t = doc[k]
    if not t.is_alpha or t.text[:1].isupper():
        return False
    low = t.lower_
    if low in DETERMINERS and low not in ("this",):
        return True
    return not (low in _AFTER_POSTPOSED or low in lex.time_words or low.endswith(("ly", "ing")))


def _parenthetical_end(doc, cue: Cue, speaker: tuple[int, int], inverted: bool, hi: int, lex: CueLexicon) -> int | None:
    """Token after ", X said," when the attribution sits inside the sentence, else None. Not
    when a conjunction opens the rest (", his lawyer said, though he remains banned ..."): that
    is the narrator going on, not the rest of the report."""
    k = max(cue.end, speaker[1]) if inverted else cue.end
    k = skip_adverbials_right(doc, k, hi, lex)
    if k + 1 < hi and doc[k + 1].lower_ in _NARRATOR_CONJUNCTIONS:
        return None
    if k < hi and doc[k].text == "," and k + 1 < hi and doc[k + 1].text not in OPENERS and lex.lookup(doc[k + 1].text) is None:
        words_after = [t for t in doc[k + 1 : hi] if _is_wordlike(t)]
        if len(words_after) >= 3:
            return k + 1
    return None


def _find_speaker(doc, cue: Cue, lo: int, hi: int, lex: CueLexicon, participle: bool, frames: list[Frame]) -> tuple[tuple[int, int] | None, bool]:
    """``(speaker tokens, inverted)`` for a verb cue.

    Inverted ("…, said Mu Sochua") only after a comma or closing quotation mark and when the cue
    is not followed by its own clause ("Mu Sochua, a deputy, told Reuters that ..." keeps the
    appositive subject). A cue after "and"/"but" shares the subject of the sentence
    ("CNRP leaders have been camped in Malaysia and have said ...").
    """
    if participle:
        for f in reversed(frames):
            if f.speaker is not None and f.speaker[0] >= lo and f.cue.start < cue.start:
                return f.speaker, False
        return _participle_subject(doc, cue, lo, lex), False
    j = skip_adverbials_left(doc, cue.start - 1, lo, lex)
    left = speaker_left(doc, cue.start, lo, lex, skipped=j)
    if left is None and j >= lo:
        left = (None if has(doc, "TAG") else _noun_cue_source(doc, cue, j, lex)) or _gerund_subject(doc, cue, j, lo, lex) or quoted_as_subject(doc, cue, lo, lex)
    boundary = j >= lo and doc[j].text in (",", "”", "»", '"', "''", "’")
    if left is None and cue.lemma not in lex.recipient:
        right = _parse_subject_after(doc, cue) or (speaker_right(doc, cue.end, hi, lex) if boundary or j < lo else None)
        if right is not None and not subject_of_own_clause(doc, right, hi, lex):
            return right, True
    if left is None and j >= lo and doc[j].lower_ in ("and", "but"):
        for f in reversed(frames):
            if f.speaker is not None and f.speaker[0] >= lo and f.cue.start < cue.start:
                return f.speaker, False
        subj = _subject_of_sentence(doc, lo, j, lex)
        if subj is not None and _has_capital(doc, subj):
            return subj, False
    return left, False


def subject_of_own_clause(doc, span: tuple[int, int], hi: int, lex: CueLexicon) -> bool:
    """Is the noun phrase ``span`` after a cue the subject of the reported clause rather than an
    inverted speaker? A finite verb follows it: "..., said Monday [he] would ask ...", "..., said
    [the alliance] would hold" (not "..., said [Mu Sochua], a deputy"). Without a tagger: a
    lower-case word of ``finite_markers`` right after it; with one: a finite verb tag.
    """
    k = span[1]
    if k >= hi:
        return False
    t = doc[k]
    if has(doc, "TAG"):
        return t.tag_ in ("VBD", "VBZ", "VBP", "MD") and t.lower_ not in ("said", "says", "told")
    return t.text[:1].islower() and t.lower_ in lex.finite_markers and t.lower_ not in ("said", "says", "told")


def _noun_cue_source(doc, cue: Cue, j: int, lex: CueLexicon) -> tuple[int, int] | None:
    """Without a tagger: a plural noun cue right after a verb is its own source ("has received
    further reports that ..." -> "further reports"), not the verb."""
    first = doc[cue.start]
    if cue.lemma not in lex.noun_ambiguous or not first.lower_.endswith("s") or not _bare_verb(doc[j]):
        return None
    return (j + 1, cue.end)


_GERUND_AUX = frozenset("has have had".split())  # perfect: "has spent weeks saying" ("It is worth noting" is no speech)


def _gerund_subject(doc, cue: Cue, j: int, lo: int, lex: CueLexicon) -> tuple[int, int] | None:
    """The subject of an -ing cue after a verb phrase with no speaker of its
    own ("who has spent the last two years deriding X as Y" -> "who"): the mention before the
    auxiliary, when only plain words (no preposition, no punctuation) stand between."""
    if not doc[cue.start].lower_.endswith("ing"):
        return None
    for k in range(j, max(lo, j - 8) - 1, -1):
        t = doc[k]
        if t.lower_ in _GERUND_AUX:
            return speaker_left(doc, k, lo, lex) if k < j else None
        if t.like_num:
            continue
        if not _is_wordlike(t) or not t.text[:1].islower() or (t.lower_ in NP_STOP) or t.lower_ in ("of", "for"):
            return None
    return None


_QUOTED_AUX = frozenset("was were is are been".split())


def quoted_as_subject(doc, cue: Cue, lo: int, lex: CueLexicon) -> tuple[int, int] | None:
    """"X was quoted (by the state news agency) as saying S": the speaker of "saying" is the
    subject of "was quoted", not the medium in the by-phrase (a channel).

    >>> # "Sar Kheng was quoted by a newspaper as saying the march was banned." -> "Sar Kheng"
    """
    i = cue.start
    if not doc[i].lower_.endswith("ing") or i - 1 < lo or doc[i - 1].lower_ != "as":
        return None
    for k in range(i - 2, max(lo, i - 14) - 1, -1):
        if doc[k].lower_ == "quoted" and k - 1 >= lo and doc[k - 1].lower_ in _QUOTED_AUX:
            a = k - 1
            while a - 1 >= lo and doc[a - 1].lower_ in _QUOTED_AUX | {"has", "have", "had"}:
                a -= 1  # "has been quoted"
            return speaker_left(doc, a, lo, lex)
        if doc[k].text in (".", ";", ":") or doc[k].text in QUOTE_MARKS:
            return None
    return None


_SUBORDINATORS = frozenset("if when whenever though although as while because unless whereas since after before once until".split())


def adverbial_clause(segment: str) -> bool:
    """Is the text before ", X said" only an adverbial clause ("If Clinton is elected", "Though
    his plan would cut taxes", "But when Congress cut funding")? Then ", X VERB" is the main
    clause's subject and verb, not a postposed attribution.

    >>> adverbial_clause("Though his plan would cut taxes"), adverbial_clause("As expected, the party won")
    (True, False)
    """
    if "," in segment:
        return False
    w = segment.split()
    while w and w[0].lower() in ("but", "and", "even", "only", "so"):
        w = w[1:]
    return bool(w) and w[0].lower() in _SUBORDINATORS


def _clause_like(doc, start_char: int, end_char: int, lex: CueLexicon) -> bool:
    """Is the text before a postposed attribution a clause (not "In late October")?"""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or len(span.text.split()) < 3:
        return False
    if len(span.text.split()) < 5 and not has(doc, "TAG"):
        return any(_finite_word(doc, t.i, lex) for t in span[1:])
    if has(doc, "TAG"):
        return any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in span)
    first = span[0].lower_
    if first in TIME_PREPS or first in ("in", "on", "at", "after", "before", "since", "during", "with", "for", "from", "to", "by"):
        return any(_finite_word(doc, t.i, lex) for t in span[1:])
    return True


#: what follows "’s" when it is "is" or "has" after a noun ("the harbour’s closed", "the plan’s not ready")
_AUX_S_NEXT = frozenset("not a an the been no very still also never being already".split())
_AUX_S_BEFORE = frozenset("it he she that there what who here this where how".split())


def _finite_word(doc, k: int, lex: CueLexicon) -> bool:
    """Without a tagger: is token ``k`` a finite verb? A ``finite_markers`` word or a lower-case
    ``-ed`` word; "’s" only as "is"/"has" (after a pronoun, or before a participle, "not", an
    article ...), not as a possessive ("The station’s director, Keo Vy, denied ...").

    >>> # "The station’s director" -> no finite word; "The harbour’s closed" -> "’s"
    """
    t = doc[k]
    low = t.lower_
    if low in ("’s", "'s"):
        prev = doc[k - 1].lower_ if k > 0 else ""
        nxt = doc[k + 1].lower_ if k + 1 < len(doc) else ""
        return prev in _AUX_S_BEFORE or nxt in _AUX_S_NEXT or nxt.endswith(("ed", "ing"))
    return low in lex.finite_markers or (t.text[:1].islower() and low.endswith("ed"))


def _parse_subject_after(doc, cue: Cue) -> tuple[int, int] | None:
    span = _speaker_from_parse(doc, cue.start)
    if span is not None and span[0] >= cue.end:
        return span
    return None


def _participle_subject(doc, cue: Cue, lo: int, lex: CueLexicon) -> tuple[int, int] | None:
    """Subject of the clause a participle cue hangs on ("Hun Sen has echoed ..., saying")."""
    if has(doc, "DEP"):
        head = doc[cue.start].head
        for _ in range(3):
            span = _speaker_from_parse(doc, head.i)
            if span is not None and span[0] >= lo:  # not a dateline's place ("PHNOM PENH, Sept 2 —")
                return span
            if head.head.i == head.i:
                break
            head = head.head
    return _subject_of_sentence(doc, lo, cue.start, lex)


def _source_after(doc, j: int, hi: int) -> tuple[int, int] | None:
    """The source after "according to": everything up to the comma or sentence end (max 12 tokens),
    "documents seen by Amnesty International" included."""
    k = j
    while k < hi and k - j < 12 and doc[k].text not in (",", ";", ":", "(") and not (doc[k].is_punct and doc[k].text in ".!?"):
        if doc[k].text in QUOTE_MARKS:
            break
        k += 1
    if k == j or not any(_is_wordlike(t) for t in doc[j:k]):
        return None
    if k - j >= 12:
        return np_right(doc, j, hi)
    return (j, k)


def _according_to(doc, text: str, cue: Cue, lo: int, hi: int, lex: CueLexicon) -> list[Frame]:
    """Sentence-initial "According to X, CONTENT." and postposed "CONTENT, according to X"."""
    speaker = _source_after(doc, cue.end, hi)
    if speaker is None:
        return []
    j = cue.start - 1
    while j >= lo and (doc[j].text in QUOTE_MARKS or doc[j].is_space):
        j -= 1
    if j < lo:  # sentence-initial
        k = speaker[1]
        while k < hi and doc[k].text != ",":
            k += 1
        if k + 1 >= hi:
            return []
        start = doc[k + 1].idx
        end = content_end(doc, text, start, hi, lex)
        return [Frame(cue, speaker, start, end, "according_to", 0.75)] if end - start >= 8 else []
    if doc[j].text == ",":
        start = trim_start(text, max(doc[lo].idx, doc[j].idx - MAX_CONTENT_CHARS), doc[j].idx)
        end = content_end(doc, text, start, j + 1, lex)
        return [Frame(cue, speaker, start, end, "according_to_post", 0.7)] if end - start >= 8 else []
    return []


# --------------------------------------------------------------------------- line patterns

_LABEL = re.compile(r"^[ \t]*[\"“]?(?P<name>[A-Z][\w.’'\-]*(?:[ \t]+[A-Z][\w.’'\-]*){0,3})(?:[ \t]+\([^()\n]{1,40}\))?:[ \t]+(?P<content>\S[^\n]*)$", re.MULTILINE)
_DASH = re.compile(r"[”\"][ \t]*[―—–][ \t\xa0]*(?P<name>[A-Z][^\n“”\"]{1,60}?)[.\s]*$", re.MULTILINE)


def _label_matches(text: str):
    """``_LABEL.finditer(text)``, trying only the lines that hold a colon (a ``^`` pattern is
    otherwise attempted at every character of the article)."""
    pos = text.find(":")
    while pos >= 0:
        start = text.rfind("\n", 0, pos) + 1
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        m = _LABEL.match(text, start, end)
        if m is not None:
            yield m
        pos = text.find(":", end)


def unlabelled_paragraphs(text: str, start: int, stop: int, name: str = "") -> list[tuple[int, int]]:
    """The paragraphs of a transcript between a labelled line ending at ``start`` and the next
    label at ``stop`` that go on with the labelled speaker (GUIDELINES: "a paragraph without a
    label continues the last labelled speaker"): prose lines ending a sentence, with no quotation
    mark; ``(start, end)`` of each, the final period left out as on the labelled line. A
    question (an interviewer's unlabelled line) or a line naming the speaker ("Keo Vy was
    speaking from Paris": the narrator's) ends the run; ``name``: the label.

    >>> t = "KEO: We will talk.\\n\\nBut we will not decide today.\\n\\nHOST: Thanks."
    >>> [t[a:b] for a, b in unlabelled_paragraphs(t, t.index("\\n"), t.index("HOST"))]
    ['But we will not decide today']
    """
    out = []
    for m in re.finditer(r"[^\n]+", text[start:stop]):
        line = m.group().strip()
        if not line:
            continue
        if any(c in line for c in "“”\"") or not line.endswith((".", "!")) or len(line.split()) < 4:
            break
        if any(len(w) > 2 and re.search(r"\b" + re.escape(w.title()) + r"\b", line) for w in name.split()):
            break
        a = start + m.start() + (len(m.group()) - len(m.group().lstrip()))
        b = start + m.end()
        while b > a and text[b - 1] in " .":
            b -= 1
        out.append((a, b))
    return out


def line_frames(doc, quotation_at, label_stop: frozenset[str]) -> list[Frame]:
    """Attributions that take a whole line, found with two text patterns (no cue verb):

    - a speaker label: ``HOST: So, Minister ...`` (transcripts) or ``Rainsy: Hun Sen must go ...``
      (headlines); words in ``label_stop`` (``FILE:``, ``Photo:``) are not speakers;
    - a dash signature after a quotation: ``“...” ― Maria Lopez``.
    """
    text = doc_text(doc)
    frames: list[Frame] = []
    labels = list(_label_matches(text))
    for n, m in enumerate(labels):
        name = m.group("name")
        if name.lower() in label_stop or name.split()[0].lower() in label_stop:
            continue
        sp = doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        colon_at = text.index(":", m.end("name"))
        colon = doc.char_span(colon_at, colon_at + 1, alignment_mode="expand")
        if sp is None or colon is None:
            continue
        start, end = m.start("content"), m.end("content")
        while end > start and text[end - 1] in " .\"”":
            end -= 1
        if end - start >= 8:
            frames.append(Frame(Cue(colon.start, colon.end, ":", "speech"), (sp.start, sp.end), start, end, "speaker_label", 0.55))
            if len(labels) >= 3:  # a transcript: paragraphs without a label go on with the last speaker
                stop = labels[n + 1].start() if n + 1 < len(labels) else len(text)
                for a, b in unlabelled_paragraphs(text, m.end(), stop, name):
                    frames.append(Frame(Cue(colon.start, colon.end, ":", "speech"), (sp.start, sp.end), a, b, "speaker_label", 0.5))
    for m in _DASH.finditer(text):
        q = quotation_at(m.start())
        sp = doc.char_span(m.start("name"), m.end("name"), alignment_mode="contract") or doc.char_span(m.start("name"), m.end("name"), alignment_mode="expand")
        if q is None or q.close is None or sp is None:
            continue
        dash_at = text.rfind(text[m.start() + 1 : m.start("name")].strip()[:1] or "―", m.start(), m.start("name"))
        dash = doc.char_span(dash_at, dash_at + 1, alignment_mode="expand") if dash_at >= 0 else None
        cue = Cue(dash.start, dash.end, "―", "speech") if dash is not None else Cue(sp.start, sp.start + 1, "―", "speech")
        frames.append(Frame(cue, (sp.start, sp.end), q.start, q.end, "dash_quote", 0.7))
    return frames



# --------------------------------------------------------------------------- datelines

#: A dateline opening a paragraph: an upper-case place ("PHNOM PENH", "KUALA LUMPUR"), or a
#: capitalised one followed by an agency, then optionally ", Cambodia" / ", Sept 2", an agency
#: in parentheses ("(AP)", "(Reuters)", "(Xinhua)") and a dash or a colon.
_DATELINE = re.compile(
    r"[ \t]*(?:(?P<caps>[A-Z][A-Z.'’\-]+(?:[ \t]+[A-Z][A-Z.'’\-]+){0,3})|[A-Z][\w.'’\-]+(?:[ \t]+[A-Z][\w.'’\-]+){0,2}(?=(?:,[^\n(]{1,30})?[ \t]*\())"
    r"(?:,[ \t]+[A-Z][\w.]*(?:[ \t]+[\w.]+){0,2})?"
    r"(?:[ \t]*\((?P<agency>[A-Z][\w .&/-]{0,30})\))?"
    r"[ \t]*(?P<sep>-{1,2}|—|–|:)[ \t]+(?=\S)"
)


#: A place and a full date, then a dash: "Phnom Penh, 22 June 2021 – ", "PHNOM PENH, Jan 1, 2006 — "
#: (press releases and older wires: a date with a year, so any capitalised place counts).
_DATED_PLACE = re.compile(
    r"[ \t]*[A-Z][\w.'’\-]+(?:[ \t]+[A-Z][\w.'’\-]+){0,2},[ \t]+"
    r"(?:\d{1,2}[ \t]+[A-Z][a-z]+\.?|[A-Z][a-z]+\.?[ \t]+\d{1,2},?)[ \t]+\d{4}[ \t]*(?:-{1,2}|—|–)[ \t]+(?=\S)"
)


_SPOKEN_LINE = re.compile(r"\?|\b(?:I|we|We|you|You|my|My|our|Our)\b")


def dateline_spans(text: str) -> list[tuple[int, int]]:
    r"""Char spans of the datelines that open paragraphs: "PHNOM PENH, Cambodia (AP) — ",
    "BANGKOK — ", "Phnom Penh (Reuters) - ", "PHNOM PENH, April 3 (Xinhua) -- ". They are never
    a speaker or part of a quote (the conventions). "KUALA LUMPUR: " (an upper-case label and a
    colon, no agency) counts only when it is the article's one such label and its line is no
    question or first/second-person speech: else it is a transcript's speaker label ("HOST:
    ...", "HUN SEN: We ...").

    >>> t = "Title\n\nPHNOM PENH, Cambodia (AP) — The court said no."
    >>> [t[a:b] for a, b in dateline_spans(t)]
    ['PHNOM PENH, Cambodia (AP) — ']
    >>> t = "Title\n\nPhnom Penh, 22 June 2021 – The groups said no."
    >>> [t[a:b] for a, b in dateline_spans(t)]
    ['Phnom Penh, 22 June 2021 – ']
    """
    found: list[tuple[int, int, bool, bool]] = []
    pos = 0
    n = len(text)
    while pos < n:
        end = text.find("\n", pos)
        end = n if end < 0 else end
        head = text[pos : pos + 2]
        if end - pos > 12 and (head.isupper() or head[:1] in " \t" or "(" in text[pos : min(end, pos + 40)]):
            m = _DATELINE.match(text, pos, end)
            if m is not None and (m.group("caps") is None or len(m.group("caps").replace(" ", "")) >= 3):
                label = m.group("sep") == ":" and m.group("agency") is None
                spoken = label and _SPOKEN_LINE.search(text, m.end(), end) is not None  # "HOST: So, will you ...?"
                found.append((pos + len(m.group()) - len(m.group().lstrip()), m.end(), label, spoken))
        if not found or found[-1][0] < pos:
            m = _DATED_PLACE.match(text, pos, end)
            if m is not None:
                found.append((pos + len(m.group()) - len(m.group().lstrip()), m.end(), False, False))
        pos = end + 1
    labels = sum(1 for f in found if f[2])
    return [(a, b) for a, b, label, spoken in found if not label or (labels == 1 and not spoken)]


def split_at_datelines(doc, sents: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``sents`` with each sentence that holds a dateline cut after it, so that the dateline is
    no sentence subject, speaker or part of a clause ("PHNOM PENH (Reuters) - Police ..., a
    rights group said" -> the clause starts at "Police")."""
    if not spans:
        return sents
    cuts = (tok.start for _, e in spans if (tok := doc.char_span(e, e + 1, alignment_mode="expand")) is not None)
    return cut_sentences(sents, cuts)


def cut_sentences(sents: list[tuple[int, int]], cuts) -> list[tuple[int, int]]:
    """``sents`` (token ``(start, end)`` pairs, in order) with each one that holds a token of
    ``cuts`` strictly inside it split before that token.

    >>> cut_sentences([(0, 5), (5, 9)], [2, 5, 7])
    [(0, 2), (2, 5), (5, 7), (7, 9)]
    """
    out = list(sents)
    starts = [a for a, _ in out]
    for k in cuts:
        j = bisect.bisect_right(starts, k) - 1
        if j < 0:
            continue
        lo, hi = out[j]
        if lo < k < hi:
            out[j : j + 1] = [(lo, k), (k, hi)]
            starts[j : j + 1] = [lo, k]
    return out


_LINE_BREAK = re.compile(r"\n\s*(?=\S)")


def split_at_line_breaks(doc, sents: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``sents`` with each sentence that runs over a line break cut there: a line without a final
    period ("Related: City Hall offers land (2011)", a heading, a bullet) is no part of the next
    paragraph's first sentence, whose subject is an antecedent ("City Hall spokesman Long Dimanche
    defended it. ... he said"). The blank pipeline's sentencizer splits at periods only.

    >>> import spacy; nlp = spacy.blank("en"); _ = nlp.add_pipe("sentencizer")
    >>> doc = nlp("Related: a story (2011)\\n\\nKeo Vy spoke. He left.")
    >>> [doc[a:b].text.strip() for a, b in split_at_line_breaks(doc, [(s.start, s.end) for s in doc.sents])]
    ['Related: a story (2011)', 'Keo Vy spoke.', 'He left.']
    """
    text = doc_text(doc)
    if "\n" not in text:
        return sents
    from spacy.attrs import IDX

    idx = doc.to_array(IDX).tolist()  # token start chars, read once
    # the token holding each line's first char
    return cut_sentences(sents, (bisect.bisect_right(idx, m.end()) - 1 for m in _LINE_BREAK.finditer(text)))


# --------------------------------------------------------------------------- judgements without a subject

_BE = frozenset("is was are were be been being".split())
_SUBJECT_PRONOUNS = frozenset("it he she they we".split())
_AGENT_STOP = re.compile(r"[,.;:“”\"\n()]")


def _judgement_matches(text: str, lex: CueLexicon):
    """``(verb_start, verb_end, agent_start, agent_end, as_end)`` for each "PARTICIPLE [by AGENT]
    as " of a ``passive_as`` verb (agent -1 when there is none). Anchored on " as " with
    ``str.find``: a few per article."""
    forms = lex.passive_as
    i = text.find(" as ")
    while i >= 0:
        w0 = text.rfind(" ", 0, i) + 1
        word = text[w0:i]
        if word.lower() in forms:
            yield w0, i, -1, -1, i + 4
        else:
            by = text.rfind(" by ", max(0, i - 62), i)
            if by >= 0 and not _AGENT_STOP.search(text, by + 4, i):
                v0 = text.rfind(" ", 0, by) + 1
                if text[v0:by].lower() in forms and i - (by + 4) >= 2:
                    yield v0, by, by + 4, i, i + 4
        i = text.find(" as ", i + 1)


def judgement_frames(doc, lex: CueLexicon, bounds, quotation_at) -> list[Frame]:
    """Judgements reported without a speaking subject (the conventions): "the trial, widely viewed
    as politically driven," -> "politically driven", no speaker; "a law derided by critics as a
    tool to silence civil society" -> "a tool to silence civil society", speaker "critics"; "was
    seen by diplomats as a test" -> "a test", "diplomats".

    The participle of a ``passive_as`` verb, an optional ``by`` agent, then "as": passive when
    a comma, a form of "be" (adverbs in -ly skipped) or a noun stands before it. After a subject
    pronoun it is an active relative clause, and the quote starts at its speaker (the relative
    report convention): "a figure [it described as proof that ...]". The quote ends at the
    clause's first comma or semicolon, or the sentence end (pattern ``judgement``, score 0.45).
    """
    if not lex.passive_as:
        return []
    text = doc_text(doc)
    out: list[Frame] = []
    for v0, v1, a0, a1, as_end in _judgement_matches(text, lex):
        if quotation_at(v0) is not None or not text[as_end : as_end + 1].isalnum():
            continue
        verb = doc.char_span(v0, v1)
        if verb is None:
            continue
        i = verb.start
        lo, hi = bounds[i]
        k = i - 1
        while k >= lo and doc[k].lower_.endswith("ly") and doc[k].is_alpha and doc[k].text[:1].islower():
            k -= 1  # "widely", "largely"
        if k < lo:
            continue
        prev = doc[k]
        speaker: tuple[int, int] | None = None
        start = as_end
        pattern = "judgement"
        if prev.lower_ in _SUBJECT_PRONOUNS and k == i - 1 and a0 < 0:
            speaker, start, pattern = (k, k + 1), prev.idx, "relative_judgement"
        elif not (prev.text == "," or prev.lower_ in _BE or (prev.is_alpha and prev.text[:1].islower() and prev.lower_ not in NP_STOP and prev.lower_ not in DETERMINERS)):
            continue
        if a0 >= 0:
            agent = doc.char_span(a0, a1, alignment_mode="expand")
            if agent is None:
                continue
            speaker = (agent.start, agent.end)
        end = content_end(doc, text, as_end, hi, lex)
        cut = min((x for x in (text.find(",", as_end, end), text.find(";", as_end, end)) if x >= 0), default=end)
        end = len(text[:cut].rstrip(" \t.'\"”’"))
        if end - as_end < 3:
            continue
        out.append(Frame(Cue(i, i + 1, lex.passive_as.get(verb.text.lower(), verb.text.lower()), "small_clause"), speaker, start, end, pattern, 0.45))
    return out


def possessor_of_channel(doc, span: tuple[int, int], channel_nouns: frozenset[str]) -> tuple[int, int]:
    """A channel is not the speaker, its owner is: "its Facebook page said" -> "its", "the
    party’s website said" -> "the party" (the conventions). ``span`` unchanged otherwise."""
    s, e = span
    if e - s < 2 or doc[e - 1].lower_ not in channel_nouns:
        return span
    if doc[s].lower_ in ("its", "his", "her", "their"):
        return (s, s + 1)
    for k in range(s + 1, e - 1):
        if doc[k].lower_ in ("’s", "'s"):
            return (s, k)
    return span


# --------------------------------------------------------------------------- attributions without a speech verb

_PERSPECTIVE_NAME = r"(?:[A-Z][\w’'\-]+[ \t]+){1,3}[A-Z][\w’'\-]+"
_PERSPECTIVE_NOUNS = ("view", "opinion", "estimation", "assessment", "judgement", "judgment", "reading", "words", "eyes")
_APPOSITIVE = r"(?:,[ \t]+(?:a|an|the|who)[ \t][^,.;:\n“”\"]{2,80})?"
#: "In his view, S", "In Meas Ny’s opinion, S", "In the view of Meas Ny, S"; "For Meas Ny, a
#: political analyst, S", "To him, S"; "As Khun Tharo, a researcher, puts it: “...”" / "As he
#: put it, S". Sentence-initial only (checked by the caller).
_PERSPECTIVE = re.compile(
    r"(?P<prep>In)[ \t]+(?:(?P<poss>his|her|their)|(?P<name_s>" + _PERSPECTIVE_NAME + r")[’']s|the[ \t]+(?:view|opinion)[ \t]+of[ \t]+(?P<name_of>" + _PERSPECTIVE_NAME + r")" + _APPOSITIVE + r")"
    r"(?:[ \t]+(?:" + "|".join(_PERSPECTIVE_NOUNS) + r"))?,[ \t]+"
    r"|(?P<prep2>For|To)[ \t]+(?:(?P<obj>him|her)|(?P<name>" + _PERSPECTIVE_NAME + r")" + _APPOSITIVE + r"),[ \t]+"
    r"|(?P<prep3>As)[ \t]+(?:(?P<subj>he|she)|(?P<name_as>" + _PERSPECTIVE_NAME + r")" + _APPOSITIVE + r",?)[ \t]+(?:puts|put)[ \t]+it(?:[ \t]+[a-z]+ly)?[,:][ \t]+"
)


#: "The government’s line, repeated ..., is that S", "Hun Manet’s message to Hanoi is simple: S":
#: a stated position of a named or defined owner, a quote of the owner with no speech verb.
_POSITION = re.compile(
    r"(?P<who>(?:[Tt]he[ \t]+)?(?:[A-Z][\w’'\-]+[ \t]+){0,3}[A-Z][\w’'\-]+|[Tt]he[ \t]+(?:government|ministry|party|opposition|court|army|police|embassy|company|union))[’']s[ \t]+"
    r"(?:(?:official|own|public|stated|main|usual|standard)[ \t]+)?(?P<noun>line|message|position|argument|answer|response|explanation|stance)\b"
    r"[^.;:!?\n“”\"]{0,100}?[ \t]+(?:is|was|remains|remained|has[ \t]+been)[ \t]+(?:(?:simple|clear|straightforward|blunt)[ \t]*:|that)[ \t]+"
)


_POSITION_TAIL = re.compile(r"[ \t]+(?:is|was|remains|remained|has[ \t]+been)[ \t]+(?:(?:simple|clear|straightforward|blunt)[ \t]*:|that)[ \t]+")


def position_frames(doc, lex: CueLexicon, bounds, quotation_at) -> list[Frame]:
    """A stated position as the subject of "is that S" / "is simple: S" ("The government’s line,
    repeated on every state news site, is that the EBA was always “a political weapon”", "Hun
    Manet’s message to Hanoi is simple: the canal is Cambodian"): the owner's words with no
    speech verb (GUIDELINES: attribution without a speech verb). Sentence-initial only; the
    content must be a clause. Pattern ``position``, score 0.45 (to check), the noun as cue.

    >>> # "The ministry’s position is that the land was never sold." -> "the land was never sold", the ministry
    """
    text = doc_text(doc)
    if "’s " not in text and "'s " not in text:
        return []
    out: list[Frame] = []
    for tail in _POSITION_TAIL.finditer(text):  # the full pattern only before an "is that" / "is simple:"
        dot = text.rfind(". ", 0, tail.start())
        lo = max(dot + 2 if dot >= 0 else 0, text.rfind("\n", 0, tail.start()) + 1, tail.start() - 250)
        m = _POSITION.match(text, lo)
        if m is None or m.end() != tail.end() or not _sentence_initial_char(text, m.start()) or quotation_at(m.start()) is not None:
            continue
        sp = doc.char_span(m.start("who"), m.end("who"))
        noun = doc.char_span(m.start("noun"), m.end("noun"))
        if sp is None or noun is None:
            continue
        start = m.end()
        end = content_end(doc, text, start, bounds[noun.start][1], lex)
        if end - start < 12 or not _has_finite(doc, start, end, lex):
            continue
        out.append(Frame(Cue(noun.start, noun.end, noun.text.lower(), "belief"), (sp.start, sp.end), start, end, "position", 0.45))
    return out


def _sentence_initial_char(text: str, i: int) -> bool:
    """Does ``text[i]`` open a paragraph or follow a sentence end ("... 2018. In his view")?"""
    before = text[max(0, i - 3) : i]
    return i == 0 or before.endswith("\n") or bool(re.search(r"[.!?”\"][ \t]+$", before))


def perspective_frames(doc, lex: CueLexicon, bounds, quotation_at, person_name=None) -> list[Frame]:
    """Attributions without a speech verb, common in features and analysis (the ``belief``
    reading of "in X's view"):

    - "In his view, voters are tired ..." / "In Meas Ny’s view, ..." / "In the view of Meas Ny, ...";
    - "For Meas Ny, a political analyst, the problem is ..." / "To him, the courts decided ...";
    - "As Khun Tharo, a researcher, puts it: “...”" (the quotation, direct) / "As he put it, S".

    The "In ..." forms need a view noun ("In his view", not "In his car"); the "For/To" forms
    need a name of two or more capitalised words (with its appositive) or "him"/"her", and
    ``person_name(span)`` (with NER: a PERSON) must accept the name, so "For Cambodia, ..." and
    "For years, ..." are not attributions. The content is the rest of the sentence and must be
    a clause (a finite verb). Pattern ``perspective``, score 0.45: the reading is the narrator's
    as often as the person's, so the proposal asks to be checked.

    >>> # "For Meas Ny, a political analyst, the problem is money." -> "the problem is money", Meas Ny
    """
    text = doc_text(doc)
    out: list[Frame] = []
    for anchor in ("In ", "For ", "To ", "As "):
        i = text.find(anchor)
        while i >= 0:
            m = _PERSPECTIVE.match(text, i)
            if m is not None and _sentence_initial_char(text, i) and quotation_at(i) is None:
                f = _perspective_frame(doc, text, m, lex, bounds, person_name, quotation_at)
                if f is not None:
                    out.append(f)
            i = text.find(anchor, i + 1)
    return out


def _perspective_frame(doc, text: str, m, lex: CueLexicon, bounds, person_name, quotation_at=None) -> Frame | None:
    if m.group("prep") and not m.group("name_of") and not any(n in m.group() for n in _PERSPECTIVE_NOUNS):
        return None
    who = next(g for g in ("poss", "name_s", "name_of", "obj", "name", "subj", "name_as") if m.group(g))
    sp = doc.char_span(m.start(who), m.end(who))
    p = next(g for g in ("prep", "prep2", "prep3") if m.group(g))
    prep = doc.char_span(m.start(p), m.end(p))
    if sp is None or prep is None:
        return None
    if who in ("name_s", "name_of", "name", "name_as") and person_name is not None and not person_name((sp.start, sp.end)):
        return None
    start = m.end()
    q = quotation_at(start) if quotation_at is not None else None
    if p == "prep3" and q is not None and q.open == start:  # "As X puts it: “...”"
        return Frame(Cue(prep.start, prep.end, "as", "speech"), (sp.start, sp.end), q.start, q.end, "perspective_quote", 0.5)
    lo, hi = bounds[prep.start]
    end = content_end(doc, text, start, hi, lex)
    if end - start < 12 or not _clause_like(doc, start, end, lex) or not _has_finite(doc, start, end, lex):
        return None
    return Frame(Cue(prep.start, prep.end, prep.text.lower(), "belief"), (sp.start, sp.end), start, end, "perspective", 0.45)


def _has_finite(doc, start: int, end: int, lex: CueLexicon) -> bool:
    """A finite verb in ``[start, end)`` (a tag with a tagger, else :func:`_finite_word`)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    if has(doc, "TAG"):
        return any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in span)
    return any(_finite_word(doc, t.i, lex) or _present_s(doc, t.i) for t in span)


def _present_s(doc, k: int) -> bool:
    """Without a tagger: a lower-case word in -s after a noun, not after a determiner ("the
    closure hurts", not "the courts"): likely a verb in the present."""
    t = doc[k]
    if k == 0 or not t.is_alpha or not t.text[:1].islower() or not t.lower_.endswith("s") or t.lower_.endswith("ss"):
        return False
    prev = doc[k - 1]
    return prev.is_alpha and prev.lower_ not in DETERMINERS and prev.lower_ not in NP_STOP


_COLON_QUOTE = re.compile(r":(?:[ \t]+|[ \t]*\n\s*)(?=[“\"‘])")
_COLON_SPEAKER_PRONOUNS = frozenset("he she they".split())
#: words that open a second clause between the subject and the colon
_COLON_CLAUSE_OPENERS = frozenset("that because when while if so which who whom whose where although though since unless".split())


def colon_frames(doc, lex: CueLexicon, bounds, quotation_at, role_nouns=frozenset(), person_name=None, desc_words=frozenset()) -> list[Frame]:
    """A quotation after a colon that closes a sentence with no speech verb: "Sok Eysan put it
    plainly: “...”", "Thach Setha offered a shorter reply: “...”", "X posted a message on
    Facebook after the vote: “...”" (also with the quotation opening the next paragraph). The
    speaker is the sentence's subject: a name (its last word capitalised; with NER a PERSON or
    an organisation), "he"/"she"/"they", or a role description ("the minister"); a thing ("The
    sign read:") is none. The caller drops those whose quotation another frame took (a "said:"
    is read by the cue). Pattern ``colon_quote`` (direct), score 0.5.

    >>> # 'Sok Eysan put it plainly: “The door is open.”' -> “The door is open.”, Sok Eysan
    """
    text = doc_text(doc)
    out: list[Frame] = []
    i = text.find(":")
    while i >= 0:
        m = _COLON_QUOTE.match(text, i)
        if m is not None:
            f = _colon_frame(doc, text, i, m.end(), lex, bounds, quotation_at, role_nouns, person_name, desc_words)
            if f is not None:
                out.append(f)
        i = text.find(":", i + 1)
    return out


def leading_name(doc, lo: int, hi: int, desc_words=frozenset()) -> tuple[int, int] | None:
    """Without a parser, the subject that opens a sentence: its capitalised words and title words
    ("Ruling party spokesman Sok Eysan" in "Ruling party spokesman Sok Eysan put it plainly"),
    a subject pronoun, or "the" + words up to the first word that is neither (the caller checks
    what it is). None when nothing of that shape opens ``[lo, hi)``.
    """
    k = lo
    while k < hi and (doc[k].is_space or doc[k].text in QUOTE_MARKS):
        k += 1
    if k < hi and (doc[k].lower_ in NP_STOP or doc[k].lower_ in TIME_PREPS):  # "On July 6, 2015, Sanders ..."
        comma = next((x for x in range(k, min(hi, k + 10)) if doc[x].text == ","), None)
        if comma is None:
            return None
        k = comma + 1
        while k < hi and doc[k].is_space:
            k += 1
    s = k
    if k < hi and doc[k].lower_ in _COLON_SPEAKER_PRONOUNS:
        return (k, k + 1)
    if k < hi and doc[k].lower_ == "the":
        k += 1
    while k < hi and (doc[k].text[:1].isupper() or doc[k].lower_ in desc_words or doc[k].text in ("’s", "'s", "-")):
        k += 1
    if k > s and doc[k - 1].lower_ in ("the", "his", "her", "their", "its", "our", "my"):
        return None  # "His verdict, in a post:": a possessive, not the subject
    return (s, k) if k > s and doc[k - 1].is_alpha else None


def _colon_frame(doc, text: str, i: int, mark: int, lex: CueLexicon, bounds, quotation_at, role_nouns, person_name, desc_words) -> Frame | None:
    q = quotation_at(mark)
    colon = doc.char_span(i, i + 1, alignment_mode="expand")
    if q is None or q.open != mark or colon is None or q.end - q.start < 2:
        return None
    lo, _ = bounds[colon.start]
    if colon.start - lo > 30:
        return None
    subj = (sentence_subjects(doc, [(lo, colon.start)])[0] if has(doc, "TAG") else None) or leading_name(doc, lo, colon.start, desc_words)
    if subj is None or subj[1] >= colon.start or subj[1] - subj[0] > 8 or subj[0] > lo + 4:
        return None
    if any(t.lower_ in _COLON_CLAUSE_OPENERS for t in doc[subj[1] : colon.start]):
        return None  # "She drove so badly that I had to change my answer:": the colon is another clause's
    first, last = doc[subj[0]], doc[subj[1] - 1]
    if subj[1] - subj[0] == 1 and first.lower_ in _COLON_SPEAKER_PRONOUNS:
        pass
    elif first.lower_ == "the" and last.lower_ in role_nouns:
        pass
    elif last.text[:1].isupper() and last.is_alpha:
        if person_name is not None and not person_name(subj):
            return None
    else:
        return None
    return Frame(Cue(colon.start, colon.end, ":", "speech"), subj, q.start, q.end, "colon_quote", 0.5)


_SUBORDINATE_OPENERS_REPORT = frozenset("when whenever after before since once until while although though because if".split())


def subordinate_report_end(doc, text: str, f: Frame, bounds) -> Frame:
    """A report inside a subordinate clause that opens its sentence ends with that clause:
    "When the government announced that budgets would double, few people noticed" -> "budgets
    would double". Only for a preposed frame whose cue has no comma before it in the sentence (the
    cue is in the opening clause); the content ends at its first comma.

    >>> # "When the ministry said that fees would rise, traders protested." -> "fees would rise"
    """
    if not f.pattern.startswith("preposed") or f.pattern.endswith("_quote"):
        return f
    lo, _ = bounds[f.cue.start]
    k = lo
    while k < f.cue.start and (doc[k].is_space or doc[k].text in QUOTE_MARKS):
        k += 1
    if doc[k].lower_ not in _SUBORDINATE_OPENERS_REPORT or any(doc[x].text == "," for x in range(k, f.cue.start)):
        return f
    comma = text.find(", ", f.start, f.end)
    if comma < 0 or comma - f.start < 8:
        return f
    return replace(f, end=comma)
