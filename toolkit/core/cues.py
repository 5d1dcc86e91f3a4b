"""Speech and statement cues: which tokens introduce reported speech?

The lexicon is data (``configs/cues.yaml``, parsed by :meth:`CueLexicon.from_dict`). A cue is

- a verb whose lemma is in one of the classes ``speech`` (said, told, warned, ...), ``belief``
  (believe, suspect, ...) or ``small_clause`` (described X as Y): with a trained pipeline the
  token's lemma is used (and the tagger must call it a verb), with a blank pipeline the surface
  form is looked up in the generated inflections (``said``, ``says``, ``saying``, ...);
- a phrasal speech verb (``pointed out``);
- ``according to`` (the speaker follows the cue).

>>> lex = CueLexicon.from_dict({"verbs": {"speech": ["say"]}, "irregular": {"say": ["said"]}})
>>> lex.lookup("said"), lex.lookup("saying"), lex.lookup("salad")
(('say', 'speech'), ('say', 'speech'), None)

Limits: a verb in the lexicon is a *candidate*; whether it introduces a clause (and is therefore
a quote, not "condemned the arrest") is decided by :mod:`toolkit.core.frames`. Cues inside
quotation marks are skipped by the caller (speech reported inside a quote is not attributed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Iterable

CUE_CLASSES = ("speech", "belief", "small_clause")
#: the keys :meth:`CueLexicon.from_dict` reads (anything else in cues.yaml is a misspelling)
CUE_KEYS = (
    "verbs", "irregular", "according_to", "phrasal", "between_speaker_and_cue", "time_words",
    "clause_subjects", "finite_markers", "trailing_narration", "speech_acts", "mention_time_words",
    "months", "place_prepositions", "name_particles", "predicate_adjectives", "ly_nouns", "anonymity",
)
#: the keys under ``verbs:``
VERB_KEYS = (*CUE_CLASSES, "naming", "naming_checked", "passive_as", "recipient", "need_that", "noun_ambiguous")


def inflections(lemma: str) -> set[str]:
    """Regular English verb forms of ``lemma`` (over-generation is harmless for lookup).

    >>> sorted(inflections("note"))
    ['note', 'noted', 'notes', 'noting']
    >>> sorted(inflections("deny"))
    ['denied', 'denies', 'deny', 'denying']
    """
    forms = {lemma}
    if lemma.endswith("e") and not lemma.endswith("ee"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        # consonant doubling for short stressed verbs (admit -> admitted)
        if len(lemma) >= 3 and lemma[-1] in "bdgmnprt" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


@dataclass(frozen=True)
class CueLexicon:
    """Cue lexicon (see ``configs/cues.yaml`` for the meaning of each field)."""

    classes: dict[str, frozenset[str]] = field(default_factory=dict)
    forms: dict[str, str] = field(default_factory=dict)  # surface form -> lemma
    recipient: frozenset[str] = frozenset()
    need_that: frozenset[str] = frozenset()
    noun_ambiguous: frozenset[str] = frozenset()
    according_to: tuple[tuple[str, ...], ...] = (("according", "to"),)
    phrasal: dict[tuple[str, str], str] = field(default_factory=dict)  # (verb lemma, particle)
    between_speaker_and_cue: frozenset[str] = frozenset()
    time_words: frozenset[str] = frozenset()
    clause_subjects: frozenset[str] = frozenset()
    finite_markers: frozenset[str] = frozenset()
    trailing_narration: tuple[str, ...] = ()
    speech_acts: frozenset[str] = frozenset()
    naming: frozenset[str] = frozenset()
    naming_checked: frozenset[str] = frozenset()
    #: participle form -> lemma of the verbs of agentless judgements ("widely viewed as Y")
    passive_as: dict[str, str] = field(default_factory=dict)
    mention_time_words: frozenset[str] = frozenset()
    months: frozenset[str] = frozenset()
    place_prepositions: frozenset[str] = frozenset()
    name_particles: frozenset[str] = frozenset()
    predicate_adjectives: frozenset[str] = frozenset()
    ly_nouns: frozenset[str] = frozenset()
    anonymity: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: Any = "cues.yaml") -> "CueLexicon":
        """Validate and build; errors are :class:`~toolkit.config.ConfigError` naming ``source``
        and the key (an unknown key, or a string where a list is expected)."""
        from toolkit.config import check_keys, expect_list, expect_mapping

        check_keys(data, CUE_KEYS, source, "top level")
        verbs = expect_mapping(data.get("verbs"), source, "verbs", " of class -> list of lemmas")
        check_keys(verbs, VERB_KEYS, source, "verbs")
        verbs = {k: expect_list(v, source, f"verbs.{k}") for k, v in verbs.items()}
        lists = {k: expect_list(data.get(k), source, k) for k in CUE_KEYS if k not in ("verbs", "irregular")}
        irregular_raw = expect_mapping(data.get("irregular"), source, "irregular", " lemma -> list of forms, like 'say: [said]'")
        irregular = {str(k): [str(x) for x in expect_list(v, source, f"irregular.{k}")] for k, v in irregular_raw.items()}
        data = {**data, **lists}
        classes = {c: frozenset(_words(verbs.get(c))) for c in CUE_CLASSES}
        forms: dict[str, str] = {}
        for c in CUE_CLASSES:
            for lemma in sorted(classes[c]):
                for form in inflections(lemma) | set(irregular.get(lemma, [])):
                    forms.setdefault(form, lemma)
        phrasal: dict[tuple[str, str], str] = {}
        for phrase in _words(data.get("phrasal")):
            parts = phrase.split()
            if len(parts) == 2:
                phrasal[(parts[0], parts[1])] = phrase
        return cls(
            classes=classes,
            forms=forms,
            recipient=frozenset(_words(verbs.get("recipient"))),
            need_that=frozenset(_words(verbs.get("need_that"))),
            noun_ambiguous=frozenset(_words(verbs.get("noun_ambiguous"))),
            according_to=tuple(tuple(p.split()) for p in _words(data.get("according_to"))) or (("according", "to"),),
            phrasal=phrasal,
            between_speaker_and_cue=frozenset(_words(data.get("between_speaker_and_cue"))),
            time_words=frozenset(_words(data.get("time_words"))),
            clause_subjects=frozenset(_words(data.get("clause_subjects"))),
            finite_markers=frozenset(_words(data.get("finite_markers"))),
            trailing_narration=tuple(str(x) for x in data.get("trailing_narration") or ()),
            speech_acts=frozenset(_words(data.get("speech_acts"))),
            naming=frozenset(_words(verbs.get("naming"))),
            naming_checked=frozenset(_words(verbs.get("naming_checked"))),
            passive_as={f: lemma for lemma in sorted(_words(verbs.get("passive_as"))) for f in inflections(lemma) | set(irregular.get(lemma, [])) if f.endswith(("ed", "en"))},
            mention_time_words=frozenset(_words(data.get("mention_time_words"))),
            months=frozenset(_words(data.get("months"))),
            place_prepositions=frozenset(_words(data.get("place_prepositions"))),
            name_particles=frozenset(_words(data.get("name_particles"))),
            predicate_adjectives=frozenset(_words(data.get("predicate_adjectives"))),
            ly_nouns=frozenset(_words(data.get("ly_nouns"))),
            anonymity=tuple(_words(data.get("anonymity"))),
        )

    def speech_act(self, token, tagged: bool) -> bool:
        """Is ``token`` a speech-act verb ("threatened", "accused")? Lemma with a tagger, else forms."""
        if not token.text[:1].islower():
            return False
        if tagged:
            return token.tag_.startswith("VB") and token.lemma_.lower() in self.speech_acts
        low = token.lower_
        return low in self.speech_act_forms and low not in self.speech_acts

    @cached_property
    def mention_time_any(self) -> frozenset[str]:
        """``mention_time_words`` and ``months`` together (one lookup on the speaker walk)."""
        return self.mention_time_words | self.months

    @cached_property
    def speech_act_forms(self) -> frozenset[str]:
        """Every inflected form of the speech-act verbs (looked up without a tagger)."""
        return frozenset(f for v in self.speech_acts for f in inflections(v) | {v})

    @cached_property
    def candidate_table(self):
        """``(table, ids)``: spaCy string ids (the ``LOWER`` column's values) of every form that
        may start a cue, and a boolean table indexed by an id's low bits (see :func:`_candidates`)."""
        import numpy as np
        from spacy.strings import get_string_id

        ids = frozenset(get_string_id(w) for w in set(self.forms) | {p[0] for p in self.according_to})
        table = np.zeros(_TABLE_MASK + 1, dtype=bool)
        for h in ids:
            table[h & _TABLE_MASK] = True
        return table, ids

    @cached_property
    def lemma_memo(self) -> dict[int, bool]:
        """spaCy string id of a lemma -> is it, lower-cased, a cue lemma (filled as Docs are read)."""
        return {}

    def cue_class(self, lemma: str) -> str | None:
        for c in CUE_CLASSES:
            if lemma in self.classes.get(c, ()):
                return c
        return None

    def lookup(self, form: str) -> tuple[str, str] | None:
        """``(lemma, class)`` of a surface form, or None."""
        lemma = self.forms.get(form.lower())
        if lemma is None:
            return None
        c = self.cue_class(lemma)
        return (lemma, c) if c else None


def _words(value: Any) -> Iterable[str]:
    for v in value or ():
        s = str(v).strip().lower()
        if s:
            yield s


@dataclass(frozen=True)
class Cue:
    """A cue occurrence: Doc tokens ``[start, end)``, its lemma and class.

    ``cls`` is one of :data:`CUE_CLASSES` or ``"according_to"``.
    """

    start: int
    end: int
    lemma: str
    cls: str


_VERB_TAGS = ("VB", "MD")


def token_cue(token, lexicon: CueLexicon, tagged: bool) -> tuple[str, str] | None:
    """The ``(lemma, class)`` of a cue token, using the tagger's lemma when there is one."""
    if tagged:
        if not token.tag_.startswith(_VERB_TAGS):
            return None
        c = lexicon.cue_class(token.lemma_.lower())
        if c:
            return token.lemma_.lower(), c
    return lexicon.lookup(token.text)


_DETERMINERS = frozenset("the a an his her their its our my your this these those such no any ’s 's".split())


def _verb_use(doc, i: int, lexicon: CueLexicon) -> bool:
    """Without a tagger: is a noun-ambiguous cue form used as a verb here? ("claimed", ", noting",
    "notes that" but not "the claims that")."""
    tok = doc[i]
    low = tok.lower_
    lemma = lexicon.forms.get(low, low)
    if low != lemma and (low.endswith("ed") or not low.endswith(("s", "ing"))):
        return True  # past form (claimed, told, wrote)
    prev = doc[i - 1].lower_ if i > 0 else ""
    if low.endswith("ing"):
        return prev == ","
    nxt = doc[i + 1].text if i + 1 < len(doc) else ""
    if low == lemma and i >= 2 and doc[i - 2].lower_ in ("a", "an"):
        return False  # "send a strong signal that", "it's a good bet that": a noun after "a ADJ"
    if nxt in ("that", ":") and prev not in _DETERMINERS:
        return True
    return third_person_report(doc, i, lexicon)


def third_person_report(doc, i: int, lexicon: CueLexicon) -> bool:
    """Without a tagger: is the -s form at ``i`` a verb because a name or he/she/it stands right
    before it and a clause subject right after ("Lima fears the dam will ...", "she fears they
    will ...")? Not after a determiner or possessive ("the fears", "Lima's fears"), nor in a
    title-case headline ("Lima Fears Grow").
    """
    tok = doc[i]
    if i == 0 or i + 1 >= len(doc) or not tok.text.islower() or not tok.text.endswith("s"):
        return False
    prev, nxt = doc[i - 1].text, doc[i + 1].lower_
    subject = prev.lower() in ("he", "she", "it") or (prev[:1].isupper() and prev[1:].islower() and prev.lower() not in _DETERMINERS and prev.lower() not in lexicon.clause_subjects)
    return subject and (nxt in lexicon.clause_subjects or nxt in ("the", "a", "an"))


_TABLE_MASK = (1 << 16) - 1


def _candidates(doc, lexicon: CueLexicon, tagged: bool):
    """Token indices that may start a cue, in order. Only tokens whose lower-case form is a cue
    form (or starts an "according to" phrase) can, and, with a tagger, tokens whose lemma is a
    cue lemma. They are found in vectorised passes over the Doc's ``LOWER`` (and ``LEMMA``)
    column instead of a Python loop over every token."""
    import numpy as np

    lowers = doc.to_array("LOWER")
    if not len(lowers):
        return []
    # a bit table over the ids' low bits rules out nearly every token in one vectorised step;
    # the few survivors are checked exactly
    table, ids = lexicon.candidate_table
    maybe = np.flatnonzero(table[lowers & _TABLE_MASK])
    found = [i for i, h in zip(maybe.tolist(), lowers[maybe].tolist()) if h in ids]
    if tagged:
        lemmas = doc.to_array("LEMMA")
        cue_lemmas = _cue_lemma_ids(np.unique(lemmas).tolist(), doc.vocab.strings, lexicon)
        if cue_lemmas:
            by_lemma = np.flatnonzero(np.isin(lemmas, cue_lemmas)).tolist()
            found = sorted(set(found).union(by_lemma))
    return found


def _cue_lemma_ids(lemma_ids: list[int], strings, lexicon: CueLexicon) -> list[int]:
    """The ids among ``lemma_ids`` whose lemma, lower-cased, is a cue lemma of any class."""
    out = []
    memo = lexicon.lemma_memo
    for h in lemma_ids:
        ok = memo.get(h)
        if ok is None:
            if len(memo) >= 200_000:
                memo.clear()
            try:
                lemma = strings[h]
            except KeyError:
                lemma = ""
            ok = memo[h] = lexicon.cue_class(lemma.lower()) is not None
        if ok:
            out.append(h)
    return out


def find_cues(doc, lexicon: CueLexicon, blocked=None) -> list[Cue]:
    """Every cue of ``doc`` in token order; ``blocked(token) -> bool`` skips tokens (e.g. in quotes).

    Lower-case forms only (a capitalised ``Said`` or ``Note`` starts a sentence or a name far
    more often than it reports speech in news text), except ``According to``.
    """
    from toolkit.core import has

    tagged = has(doc, "TAG")
    cues: list[Cue] = []
    n = len(doc)
    free = 0  # tokens before this index belong to a cue already found
    for i in _candidates(doc, lexicon, tagged):
        if i < free:
            continue
        tok = doc[i]
        if blocked is not None and blocked(tok):
            continue
        low = tok.lower_
        matched = False
        for phrase in lexicon.according_to:
            k = len(phrase)
            if low == phrase[0] and i + k <= n and all(doc[i + j].lower_ == phrase[j] for j in range(k)):
                cues.append(Cue(i, i + k, " ".join(phrase), "according_to"))
                free = i + k
                matched = True
                break
        if matched:
            continue
        if tok.text[:1].islower():
            found = token_cue(tok, lexicon, tagged)
            if found is not None and not tagged and i > 0 and doc[i - 1].lower_ in _DETERMINERS:
                found = None  # "the alleged plot", "a reported attack"
            if found is not None and not tagged and found[0] in lexicon.noun_ambiguous and not _verb_use(doc, i, lexicon):
                found = None
            if found is not None:
                lemma, cls = found
                end = i + 1
                if i + 1 < n and (lemma, doc[i + 1].lower_) in lexicon.phrasal:
                    end = i + 2
                elif lemma == "point":  # "point" counts only as "point out"
                    continue
                cues.append(Cue(i, end, lemma, cls))
                free = end
    return cues
