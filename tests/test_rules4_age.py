"""rules-4, "the 42-year-old" resolves to the person the article gave that age before the mention
("Keo Vy, 42," or "42-year-old activist Keo Vy"; SpeakerResolver.age, step ``age``); without a
stated age it stays as written: the nearest person is too often someone else to pre-fill.
Invented sentences and names; blank pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest


def last(nlp, text):
    q = nlp(text)._.quotes[-1]
    return text[q.speaker_start : q.speaker_end], q.speaker, q.rule.split("+")[1]


@pytest.mark.parametrize(
    "intro",
    [
        "Keo Vy, 42, a farmer, was arrested in March.",
        "Police arrested 42-year-old activist Keo Vy on Monday.",
    ],
)
def test_stated_age(nlp, intro):
    text = intro + " Hun Sen said the arrest was lawful. “I did nothing wrong,” the 42-year-old said."
    assert last(nlp, text) == ("the 42-year-old", "Keo Vy", "age")


def test_another_age_is_not_used(nlp):
    text = "Keo Vy, 42, a farmer, was arrested in March. Hun Sen said the arrest was lawful. “I did nothing wrong,” the 61-year-old said."
    assert last(nlp, text)[1] is None  # not Keo Vy; no name either (rules-5: description_unresolved)


def test_no_stated_age_keeps_the_mention_and_no_name(nlp):
    text = "Hun Sen said the arrest was lawful. “I did nothing wrong,” the 42-year-old said."
    assert last(nlp, text) == ("the 42-year-old", None, "description_unresolved")
