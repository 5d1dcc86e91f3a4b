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


@pytest.mark.parametrize(
    "text, expected",
    [
        # a long participle phrase after the name is its appositive
        (
            "PARIS (AP) — Keo Vy, ousted as the harbour union’s first president in two days of fighting in the port, said Monday he would ask the court to refuse the vote.",
            [("he would ask the court to refuse the vote", "Keo Vy")],
        ),
        # a short parenthesis after the name, then an appositive
        ("Senator Dara Lim (Kampot), chairman of the harbour committee, said members will help him raise cash.", [("members will help him raise cash", "Senator Dara Lim")]),
    ],
)
def test_speaker_before_a_long_appositive(nlp, text, expected):
    assert spoken(nlp, text) == expected


def test_the_subject_of_the_reported_clause_is_never_an_inverted_speaker(nlp):
    # no speaker on the left (a clause, not an appositive): "he" starts the report, it does not say it
    text = "The minister complained about the vote, even suggesting he may have been cheated."
    assert all(mention != "he" for _, mention in spoken(nlp, text))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("“We will not allow it,” said Keo Vy, a harbour spokesman.", [("We will not allow it,", "Keo Vy")]),
        ("The harbour will close, said Keo Vy on Monday.", [("The harbour will close", "Keo Vy")]),
    ],
)
def test_inverted_speakers_stay(nlp, text, expected):
    assert spoken(nlp, text) == expected


def test_anonymity_participle_with_a_subordinate_clause(nlp):
    # wire copy: the participle phrase holds a clause of its own ("because he was ...")
    text = (
        "A senior official at the ministry, speaking on condition of anonymity because he was not "
        "authorised to speak to reporters, said more stations could lose their licences this year."
    )
    assert spoken(nlp, text) == [("more stations could lose their licences this year", "A senior official at the ministry")]

