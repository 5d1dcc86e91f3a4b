"""rules-4, "’s" after a noun is a possessive, not "is", when the blank pipeline decides whether
the words before a postposed attribution are a clause (frames._finite_word): "The station’s
director, Keo Vy, denied the accusation." and "At Monday’s debate, Keo Vy said ..." propose
no quote "The station’s director" / "At Monday’s debate". "The harbour’s closed, Keo Vy
said." stays a quote. Invented sentences; blank pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest


def spoken(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text",
    [
        "The station’s director, Keo Vy, denied the accusation.",
        "The harbour's director, Keo Vy, told reporters.",
    ],
)
def test_possessive_subject_is_no_clause(nlp, text):
    assert spoken(nlp, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "At Monday’s debate, Keo Vy cited the minister’s past remarks about the harbour.",
        "In addition to the fisherman’s death, Keo Vy highlights the closure of the harbour.",
    ],
)
def test_a_phrase_with_a_possessive_before_a_speech_act_is_no_quote(nlp, text):
    assert spoken(nlp, text) == []


@pytest.mark.parametrize(
    "text, content",
    [
        ("The harbour’s closed, Keo Vy said.", "The harbour’s closed"),
        ("The plan’s not ready, Keo Vy said.", "The plan’s not ready"),
    ],
)
def test_is_after_a_noun_still_makes_a_clause(nlp, text, content):
    assert spoken(nlp, text) == [(content, "Keo Vy")]
