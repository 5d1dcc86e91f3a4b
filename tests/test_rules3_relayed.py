"""rules-3, relayed reports and continuation paragraphs (annotations/GUIDELINES.md).

"X said Y had told her by phone that S" is one quote, S, spoken by Y: X only passes it on
(toolkit.core.attribute.drop_channel_frames). A paragraph that is only a quotation after a
direct quote with a speaker continues that speaker (rule ``continuation``, a lower score).
Invented sentences; blank and trained pipeline.
"""

from __future__ import annotations

import pytest




@pytest.fixture
def nlp(blank_and_trained):
    """Every test here runs on the blank and the trained pipeline (tests/conftest.py)."""
    return blank_and_trained


def quotes(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.rule, q.score) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text, content, mention",
    [
        ("Chan Dara said her brother had told her by phone on Thursday night that he was calm.", "he was calm", "her brother"),
        ("Keo Vy said the harbour master had told him during a visit that the boats would stay.", "the boats would stay", "the harbour master"),
        ("The lawyer said Nhem Sophal told him that the fines would be paid.", "the fines would be paid", "Nhem Sophal"),
    ],
)
def test_relayed_report_is_the_relayed_speakers(nlp, text, content, mention):
    assert [(c, m) for c, m, *_ in quotes(nlp, text)] == [(content, mention)]


@pytest.mark.parametrize(
    "text, kept",
    [
        # a report whose clause has its own teller but no addressee: both reports stay
        ("The union said the minister had told reporters that wages would rise.", "the minister had told reporters that wages would rise"),
    ],
)
def test_no_relay_without_a_told_addressee(nlp, text, kept):
    assert kept in [c for c, *_ in quotes(nlp, text)]


def test_continuation_paragraph_after_a_direct_quote(nlp):
    text = "“The harbour will close,” Chan Dara said.\n\n“The fishermen must leave by Monday.”"
    first, second = quotes(nlp, text)
    assert (second[0], second[1]) == ("The fishermen must leave by Monday.", "Chan Dara")
    assert second[2].startswith("continuation+") and second[3] < first[3]


def test_a_described_teller_relays_too(nlp):
    text = "Keo Vy said his colleague Nhem Sophal had told him during a visit that the boats were safe."
    assert [(c, m) for c, m, *_ in quotes(nlp, text)] == [("the boats were safe", "Nhem Sophal")] or [
        (c, m) for c, m, *_ in quotes(nlp, text)
    ] == [("the boats were safe", "his colleague Nhem Sophal")]


def test_a_second_verb_phrase_of_the_speaker_ends_the_report(nlp):
    text = "The harbour office said it was deeply concerned and called for the five to be released."
    assert [c for c, *_ in quotes(nlp, text)] == ["it was deeply concerned"]
