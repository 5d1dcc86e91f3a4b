"""Vocabulary (stance_signals.yaml): "critics" named bare are the government's critics (the
target is the government); "European" tells a foreign speaker ("A European diplomat"); raising
or voicing concerns is criticism, as "deeply concerned" already was.

The sentences are constructed for these tests (no article text)."""

from test_stance import lex  # noqa: F401 (the shipped lexicon fixture, one home)
from toolkit.core.stance import evidence, side_from_mention
from toolkit.pipeline import load_pipeline


def test_bare_critics_are_the_governments(lex):
    assert side_from_mention("critics", lex) == "opposition"
    assert side_from_mention("a European diplomat", lex) == "foreign government"
    assert side_from_mention("a European Union envoy", lex) == "international body"  # the longer name wins


def test_raised_concerns_is_an_against_signal(lex):
    assert evidence("the embassy had raised concerns about the arrests", lex)["against"] > 0
    assert evidence("the embassy had voiced concern about the arrests", lex)["against"] > 0


def test_what_critics_say_is_prefilled_against():
    nlp = load_pipeline(None)
    text = "Critics say the law will keep small parties off the ballot."
    assert [(q.speaker, q.stance) for q in nlp(text)._.quotes] == [("Critics", "against")]
