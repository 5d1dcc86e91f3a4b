"""rules-4, speakers left empty rather than wrong: a mention that is a cut-off piece of the
sentence ("the harbour union for", "n’t", "Once", a lone "-ing" verb) is no speaker
(toolkit.core.speakers.implausible_mention): the quote keeps its span and cue, its speaker is
left for the annotator. Invented sentences; blank pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest

from toolkit.core.speakers import implausible_mention


def spoken(nlp, text):
    return [(q.text, q.speaker, q.speaker_start) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "mention",
    ["the harbour union for", "the financial help of", "n’t", "n't", "Once", "that", "despite", "fueling", "   "],
)
def test_pieces_of_a_sentence_are_no_mention(mention):
    assert implausible_mention(mention)


@pytest.mark.parametrize(
    "mention",
    ["he", "she", "critics", "diplomats", "the union", "Keo Vy", "The head of the harbour office", "everything", "Reading"],
)
def test_real_mentions_stay(mention):
    assert not implausible_mention(mention)


def test_gerund_after_a_preposition_leaves_the_speaker_empty(nlp):
    text = "The court ordered Keo Vy to pay $5,000 to the harbour union for saying the tender had been rigged."
    [(content, speaker, start)] = spoken(nlp, text)
    assert content == "the tender had been rigged"
    assert speaker is None and start is None


def test_an_ordinary_speaker_is_kept(nlp):
    text = "The harbour union said the tender had been rigged."
    assert spoken(nlp, text) == [("the tender had been rigged", "The harbour union", 0)]
