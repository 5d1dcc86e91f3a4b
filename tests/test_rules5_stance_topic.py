"""What a person studies, teaches or covers is their subject, not their side: "who studies local
government at a university" is an academic, "a reporter who covers the opposition" is the media
(toolkit.core.stance.without_topics, read on a speaker's appositive).

The sentences are constructed for these tests (no article text)."""

from test_stance import lex  # noqa: F401 (the shipped lexicon fixture, one home)
from toolkit.core.stance import side_from_mention, speaker_context


def side(text: str, name: str, lex) -> str | None:
    i = text.index(name)
    return side_from_mention(speaker_context(text, (i, i + len(name)), name), lex)


def test_the_subject_of_study_is_not_the_side(lex):
    t = "Keo Dara, who studies local government at a university in Phnom Penh, said the plan was late."
    assert side(t, "Keo Dara", lex) == "academic/analyst"


def test_the_beat_of_a_reporter_is_not_the_side(lex):
    t = "Keo Dara, a reporter who covers the opposition for a newspaper, said the rally was small."
    assert side(t, "Keo Dara", lex) == "media"


def test_a_side_outside_the_topic_still_tells(lex):
    t = "Keo Dara, who leads the rights group, said the plan was late."
    assert side(t, "Keo Dara", lex) == "NGO"
    t = "Keo Dara, a government adviser who studies rice exports, said the plan was late."
    assert side(t, "Keo Dara", lex) == "government"
