"""rules-3, small clauses and judgements without a speaking subject (annotations/GUIDELINES.md):
"denounced X as Y", "dismissed X as Y", "called X Y", "declared X free and fair" are quotes
("X as Y", kind indirect, cue the verb); "widely viewed as Y" is a quote "Y" with no speaker,
"derided by critics as Y" one of "critics" (toolkit.core.frames: clause_start,
bare_small_clause, judgement_frames).

Invented sentences; blank and trained pipeline.
"""

from __future__ import annotations

import pytest




@pytest.fixture
def nlp(blank_and_trained):
    """Every test here runs on the blank and the trained pipeline (tests/conftest.py)."""
    return blank_and_trained


def quotes(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text, content, mention",
    [
        ("The harbour union on Tuesday denounced the port report as lies.", "the port report as lies", "The harbour union"),
        ("Chan Dara dismissed the verdict as political revenge.", "the verdict as political revenge", "Chan Dara"),
        ("The fishermen’s leader rejected the new quota as unfair to small boats.", "the new quota as unfair to small boats", "The fishermen’s leader"),
        ("Chan Dara called the harbour plan a fantasy.", "the harbour plan a fantasy", "Chan Dara"),
        ("Keo Vy called the sentences outrageous.", "the sentences outrageous", "Keo Vy"),
        ("Keo Vy condemned Friday’s fines as a tax on the poor.", "Friday’s fines as a tax on the poor", "Keo Vy"),
    ],
)
def test_small_clauses_are_quotes_of_their_subject(nlp, text, content, mention):
    assert [(c, m) for c, m, _ in quotes(nlp, text)] == [(content, mention)]


@pytest.mark.parametrize(
    "text",
    [
        "The police called the fishermen a day later.",
        "He called the harbour official.",
        "The union condemned the arrests as well as the fines.",
        "The union praised the mayor for reopening the market.",
        "The union welcomed deals such as the harbour accord.",
    ],
)
def test_no_small_clause_without_a_predicate(nlp, text):
    assert quotes(nlp, text) == []


def test_quoted_predicate_ends_before_the_narrators_place(nlp):
    text = "Chan Dara described the harbour law as a “crazy system” during a rally in Kampot."
    assert quotes(nlp, text)[0][0] == "the harbour law as a “crazy system”"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The trial, widely viewed as politically driven, began in January.", [("politically driven", None, None)]),
        ("The harbour law, derided by critics as a tool to silence the unions, passed on Monday.", [("a tool to silence the unions", "critics", "critics")]),
        ("The case is seen by diplomats as a test of free speech, but the court disagrees.", [("a test of free speech", "diplomats", "diplomats")]),
        ("The ban was widely seen as removing the only rival of the mayor.", [("removing the only rival of the mayor", None, None)]),
    ],
)
def test_judgements_without_a_speaking_subject(nlp, text, expected):
    assert quotes(nlp, text) == expected


def test_an_active_relative_judgement_starts_at_its_speaker(nlp):
    text = "Turnout reached 82 percent, a figure it described as proof that voters rejected the boycott."
    assert [(c, m) for c, m, _ in quotes(nlp, text)] == [("it described as proof that voters rejected the boycott", "it")]
