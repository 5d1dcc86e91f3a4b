"""rules-3, words next to a cue that are not a source (annotations/GUIDELINES.md): sentence
adverbs ("originally"), nouns of a relative clause ("who declined to give her name"), the
anonymity formula ("who asked that his name not be used"), channels ("its Facebook page"),
places inside a subject ("the office in Phnom Penh"), capitalised function words inside a name
("spokeswoman Or Vandine"), a description before an appositive name ("China’s ambassador,
Wang Wentian, said"). Invented sentences; blank and trained pipeline.
"""

from __future__ import annotations

import pytest

from toolkit.pipeline import load_pipeline



@pytest.fixture
def nlp(blank_and_trained):
    """Every test here runs on the blank and the trained pipeline (tests/conftest.py)."""
    return blank_and_trained


def quotes(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None) for q in nlp(text)._.quotes]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Police originally said the fisherman had drowned.", [("the fisherman had drowned", "Police")]),
        ("Originally, the union said the strike would start on May 9.", [("the strike would start on May 9", "the union")]),
        ("A woman who declined to give her name said the police had beaten her son.", [("the police had beaten her son", "A woman")]),
        ("A union official, who asked that his name not be used, said the date would not change.", [("the date would not change", "A union official")]),
        ("The harbour will reopen, the union’s Facebook page said.", [("The harbour will reopen", "the union")]),
        ("The Harbour Union said on its Facebook page that the strike would go ahead.", [("the strike would go ahead", "The Harbour Union")]),
        ("The harbour will close for two weeks, Health Ministry spokeswoman Or Vandine said on Sunday.", [("The harbour will close for two weeks", "Health Ministry spokeswoman Or Vandine")]),
        ("China’s ambassador, Wang Wentian, said the harbour was safe.", [("the harbour was safe", "Wang Wentian")]),
        ("The harbour plan was announced by the ministry in May.", []),
        ("His family said the police had beaten him.", [("the police had beaten him", "His family")]),
    ],
)
def test_non_person_words_are_never_speakers(nlp, text, expected):
    assert quotes(nlp, text) == expected


def test_a_place_or_body_before_the_head_is_not_the_speaker(nlp):
    text = "The United Nations human rights office in Kampot said it was deeply concerned."
    [q] = nlp(text)._.quotes
    assert q.speaker.startswith("The United Nations human rights office")  # not "Kampot", not "United Nations"
    assert text[q.speaker_start : q.speaker_end].startswith("The United Nations human rights office")


def test_ruleset_is_rules_6():
    """Today's rules are rules-6: predictions made with them must not carry an older rule set's name."""
    from toolkit.core import RULESET_ID

    assert RULESET_ID == "rules-6"


def test_shared_subject_with_an_appositive_name(nlp):
    text = "China’s harbour envoy, Wang Dara, congratulated the mayor and said the harbour was safe."
    assert [q.speaker for q in nlp(text)._.quotes] == ["Wang Dara"]


def test_a_things_evidence_inside_a_report_is_part_of_it(nlp):
    text = "Chan Dara said the new harbour showed that the town was growing."
    assert quotes(nlp, text) == [("the new harbour showed that the town was growing", "Chan Dara")]
    # a report is a source in its own right
    text = "Chan Dara said some reports suggest the harbour will close."
    assert ("the harbour will close", "some reports") in quotes(nlp, text)


def test_an_adverbial_clause_before_a_subject_is_no_postposed_report(nlp):
    text = "Although the harbour reopened in May, the union said the boats stayed away."
    assert ("Although the harbour reopened in May", "the union") not in quotes(nlp, text)
    text = "If the mayor is elected, the union said, the harbour will close."
    assert quotes(nlp, text)  # a parenthetical attribution is still read


def test_one_small_clause_for_a_list_of_quoted_names(nlp):
    text = "Chan Dara called the mayor a “liar” who is “lazy,” a “bully.”"
    got = [c for c, _ in quotes(nlp, text)]
    assert len(got) == 1 and got[0].startswith("the mayor a “liar”") and "a “bully" in got[0]


def test_a_person_of_a_body_is_the_person(nlp):
    text = "“The fines are absurd,” said Nhem Sophal of the Kampot Fishers Union."
    [q] = nlp(text)._.quotes
    assert (text[q.speaker_start : q.speaker_end], q.speaker) == ("Nhem Sophal of the Kampot Fishers Union", "Nhem Sophal")


@pytest.mark.parametrize(
    "text, mention",
    [
        # blank pipeline: the left walk (the trained one follows its parse)
        ("“Boats must leave,” Or Vandine told reporters.", "Or Vandine"),
        ("The harbour envoy to Kampot, Chan Dara, said the boats were safe.", "Chan Dara"),
    ],
)
def test_name_spans_of_the_left_walk(text, mention):
    [q] = load_pipeline(None)(text)._.quotes
    assert text[q.speaker_start : q.speaker_end] == mention


def test_a_report_ends_before_an_appositive_holding_the_next_attribution(nlp):
    text = "The committee said turnout had reached 82 percent, a figure it described as proof that voters backed the plan."
    got = [c for c, _ in quotes(nlp, text)]
    assert "turnout had reached 82 percent" in got
