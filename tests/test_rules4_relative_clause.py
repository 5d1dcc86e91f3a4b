"""rules-4, a relative clause between the speaker and the cue: "Keo Vy, whose party won the most
seats, said S" is spoken by Keo Vy (toolkit.core.frames._appositive, RELATIVE_OPENERS: a finite
verb after who/which/that/whose/whom belongs to the relative clause; such a clause may be up to
30 tokens long). Before, "whose" clauses made the subject of S ("the alliance") the speaker and
cut it off the quote. Invented sentences and names; blank pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest


def spoken(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Keo Vy, whose party won the most seats, said the alliance would hold.", [("the alliance would hold", "Keo Vy")]),
        (
            "Chan Dara, whose harbour union has joined the fishermen’s league in refusing to back the port authority, said the alliance would hold.",
            [("the alliance would hold", "Chan Dara")],
        ),
        ("Keo Vy, whom the party expelled last year, said the alliance would hold.", [("the alliance would hold", "Keo Vy")]),
        ("Keo Vy, who lives in exile in France, said the alliance would hold.", [("the alliance would hold", "Keo Vy")]),
    ],
)
def test_relative_clause_before_the_cue(nlp, text, expected):
    assert spoken(nlp, text) == expected


def test_a_clause_after_a_comma_is_still_no_appositive(nlp):
    # "the union said" is a clause of its own, not a description of Keo Vy
    text = "Keo Vy said the talks failed, the union said the strike would go ahead."
    assert ("the strike would go ahead", "the union") in spoken(nlp, text)
