"""rules-3, datelines and non-person words: "PHNOM PENH, Cambodia (AP) —", "KUALA LUMPUR:" are
never a speaker or part of a quote; a place or nationality inside a mention is not its speaker
(toolkit.core.frames.dateline_spans / split_at_datelines, toolkit.core.attribute._entity_name).

Invented sentences; blank and trained pipeline.
"""

from __future__ import annotations

import pytest

from toolkit.core.frames import dateline_spans



@pytest.fixture
def nlp(blank_and_trained):
    """Every test here runs on the blank and the trained pipeline (tests/conftest.py)."""
    return blank_and_trained


def quotes(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Harbour strike ends\n\nKAMPOT, Cambodia (AP) — The union said Tuesday that the strike was over.", [("the strike was over", "The union")]),
        ("KAMPOT, Cambodia (AP) — The union’s longtime leader Chan Dara said Tuesday he would step down.", [("he would step down", "The union’s longtime leader Chan Dara")]),
        ("KAMPOT (Reuters) - Police arrested two fishermen on Monday, a rights group said.", [("Police arrested two fishermen on Monday", "a rights group")]),
        ("KAMPOT, April 3 (Xinhua) -- Fishermen will be paid next week, the ministry said.", [("Fishermen will be paid next week", "the ministry")]),
        ("Title\n\nPORT LOUIS: The harbour police said they had detained two fishermen.", [("they had detained two fishermen", "The harbour police")]),
    ],
)
def test_a_dateline_is_no_speaker_and_no_part_of_a_quote(nlp, text, expected):
    assert quotes(nlp, text) == expected


def test_transcript_labels_are_not_datelines(nlp):
    # a named label (rules-6: a HOST's own lines are no quotes, GUIDELINES "Transcripts")
    text = "SOK DARA: So, Minister, will the harbour be open on Monday?\n\nMINISTER: The harbour will open on Monday morning."
    assert [m for _, m in quotes(nlp, text)] == ["SOK DARA", "MINISTER"]


def test_dateline_spans_forms():
    t = "Title\n\nBANGKOK — The court said no.\nPhnom Penh (AFP) - Rain fell today.\nThe court said no — again."
    assert [t[a:b] for a, b in dateline_spans(t)] == ["BANGKOK — ", "Phnom Penh (AFP) - "]
    # one upper-case colon label is a dateline, two are a transcript's speaker labels
    assert dateline_spans("KAMPOT: The court said no to the fishermen today.")
    assert not dateline_spans("KAMPOT: The court said no to the fishermen.\nDARA: The court said yes to the fishermen.")


def test_a_nationality_or_place_inside_a_mention_is_not_the_speaker(nlp):
    text = "Malaysian police said they had detained two Cambodian activists."
    assert [q.speaker for q in nlp(text)._.quotes] == ["Malaysian police"]
