"""rules-4, “...,” NAME, APPOSITIVE[, APPOSITIVE], said: the name right after the quotation is the
speaker however long its appositives are (frames._name_after_quotation, _appositives), and
"said of the plan" names the topic, never an inverted speaker or a clause
(frames.clause_start, speakers.implausible_mention). Before, two appositives or one longer than
14 tokens lost the quote, or made "of the plan" the speaker of a quote made of the name.
Invented sentences; blank pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest


def spoken(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text",
    [
        "“It is an invasion of the provincial domain,” Keo Vy, the attorney general of Kampot, one of the provinces suing the ministry, said.",
        "“It is an invasion of the provincial domain,” Keo Vy, director of the harbour policy centre and a professor at the Royal University of Phnom Penh, said of the plan.",
        "“It is an invasion of the provincial domain,” Keo Vy, the executive director at the Centre for Media Justice and who is also featured in the film, said.",
        "“It is an invasion of the provincial domain,” Keo Vy, the director, said.",
    ],
)
def test_name_after_the_quotation(nlp, text):
    assert spoken(nlp, text) == [("It is an invasion of the provincial domain,", "Keo Vy")]


def test_said_of_is_no_clause(nlp):
    text = "Keo Vy said of the plan: “It is fiscally responsible.”"
    assert all(content != "the plan" and not content.startswith("of ") for content, _ in spoken(nlp, text))


def test_another_clause_after_the_quotation_is_not_an_appositive(nlp):
    text = "“It is good,” the minister said, and Keo Vy, who had opposed it, said nothing."
    assert spoken(nlp, text) == [("It is good,", "the minister")]
