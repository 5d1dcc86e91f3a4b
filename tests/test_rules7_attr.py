"""rules-6 (H-attr7), speakers left unnamed rather than guessed. Invented sentences; blank
pipeline (``nlp``).

A mention that points back to someone the resolver cannot name is no speaker *name*: the
proposal keeps its span and pre-fills no speaker (an annotator anchors on a wrong name): an
indefinite quantifier alone ("Several said ..."), a lawyer's "his client" and a definite description with an age no earlier name was given ("the
61-year-old former nurse").
"""

from __future__ import annotations


def quotes(nlp, text):
    return [(q.text, q.speaker) for q in nlp(text)._.quotes]


def test_bare_quantifier_names_nobody(nlp):
    text = "About forty fishermen gathered at the pier on Sunday. Several said the new quota would ruin them."
    assert quotes(nlp, text) == [("the new quota would ruin them", None)]


def test_quantifier_with_a_noun_stays_as_written(nlp):
    text = "About forty fishermen gathered at the pier on Sunday. Several fishermen said the new quota would ruin them."
    assert quotes(nlp, text) == [("the new quota would ruin them", "Several fishermen")]


def test_his_client_names_nobody(nlp):
    text = "Dara Pich, a lawyer in Kampot, left the court early. His client said the case was political."
    assert quotes(nlp, text) == [("the case was political", None)]


def test_definite_aged_description_without_antecedent_names_nobody(nlp):
    text = "The clinic closed on Monday.\n\n“We had no medicine left,” the 61-year-old former nurse told reporters."
    assert quotes(nlp, text) == [("We had no medicine left,", None)]


def test_indefinite_aged_description_stays_as_written(nlp):
    text = "The clinic closed on Monday.\n\n“We had no medicine left,” a 61-year-old nurse told reporters."
    assert quotes(nlp, text) == [("We had no medicine left,", "a 61-year-old nurse")]


def test_unstated_kin_stays_as_written(nlp):
    text = "Dara Pich was detained in Kampot on Friday. His sister said the case was political."
    assert quotes(nlp, text) == [("the case was political", "His sister")]


def test_dateline_with_an_agency_and_a_colon_is_no_speaker(nlp):
    from toolkit.core.frames import dateline_spans

    text = "Talks end\n\nKUALA LUMPUR (Bernama): The talks ended on Monday, the ministry said."
    assert [text[a:b] for a, b in dateline_spans(text)] == ["KUALA LUMPUR (Bernama): "]
    assert [q.speaker for q in nlp(text)._.quotes if q.speaker == "KUALA LUMPUR"] == []


def test_name_fears_clause_is_a_belief_report_without_a_tagger(nlp):
    text = "Why is Peru worried?\n\nLima fears the dam will cut the river's flow in the dry season."
    assert [(q.text, q.speaker_start is not None) for q in nlp(text)._.quotes] == [("the dam will cut the river's flow in the dry season", True)]


def test_fears_as_a_noun_is_no_cue(nlp):
    for text in ("Lima’s fears the dam will cut the flow are old.", "Lima Fears Grow Over Dam On The River", "The fears the dam raised were old."):
        assert [q.text for q in nlp(text)._.quotes] == [], text


def test_he_is_the_person_his_own_sentence_names(nlp):
    text = (
        "Sam Rainsy said on Monday that the vote had been unfair.\n\n"
        "State television then aired a speech by Hun Sen from 2015, in which he said the opposition would never win."
    )
    assert quotes(nlp, text)[-1] == ("the opposition would never win", "Hun Sen")


def test_he_after_a_quotation_naming_someone_is_still_the_speaker(nlp):
    text = "Sam Rainsy spoke in Paris on Monday. \"This is a verdict written by Hun Sen,\" he said."
    assert quotes(nlp, text) == [("This is a verdict written by Hun Sen,", "Sam Rainsy")]
