"""Cue lexicon and cue finding (toolkit.core.cues)."""

import pytest

from toolkit.core.cues import CueLexicon, find_cues, inflections
from toolkit.pipeline import load_lexicons


@pytest.fixture(scope="module")
def lex():
    return load_lexicons().cues


def cue_words(nlp, lex, text):
    doc = nlp(text)
    return [doc[c.start : c.end].text for c in find_cues(doc, lex)]


@pytest.mark.parametrize("lemma,form", [("note", "noted"), ("deny", "denied"), ("admit", "admitted"), ("stress", "stresses"), ("warn", "warning")])
def test_inflections_cover_regular_forms(lemma, form):
    assert form in inflections(lemma)


def test_irregular_forms_come_from_the_lexicon():
    lex = CueLexicon.from_dict({"verbs": {"speech": ["tell"]}, "irregular": {"tell": ["told"]}})
    assert lex.lookup("told") == ("tell", "speech")


def test_project_lexicon_has_the_core_speech_verbs(lex):
    for form in ("said", "told", "added", "warned", "claimed", "stated", "insisted", "noted", "urged", "announced", "confirmed", "denied", "reported"):
        assert lex.lookup(form) is not None, form
    for form in ("believe", "suspect"):
        assert lex.lookup(form)[1] == "belief"
    assert lex.lookup("described")[1] == "small_clause"


def test_cues_are_found_in_order_with_according_to(nlp, lex):
    assert cue_words(nlp, lex, "He said it would rain, according to the agency.") == ["said", "according to"]


def test_noun_uses_are_not_cues_without_a_tagger(nlp, lex):
    assert cue_words(nlp, lex, "Their charges would remain in a Facebook video post.") == []
    assert cue_words(nlp, lex, "She posted on Twitter that he left.") == ["posted"]


def test_a_form_after_a_determiner_is_not_a_cue(nlp, lex):
    assert cue_words(nlp, lex, "The alleged plot was foiled.") == []


def test_capitalised_forms_are_not_cues(nlp, lex):
    assert cue_words(nlp, lex, "Said Ahmed arrived.") == []


def test_blocked_tokens_are_skipped(nlp, lex):
    doc = nlp("“He said no,” she added.")
    cues = find_cues(doc, lex, blocked=lambda tok: tok.idx < 13)
    assert [doc[c.start].text for c in cues] == ["added"]
