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


def test_the_report_is_its_author(nlp):
    text = (
        "A study published on Friday by the Mekong Water Forum counted 40 new dams on the river's tributaries. "
        "According to the study, most of them lack fish passes."
    )
    assert quotes(nlp, text) == [("most of them lack fish passes", "Mekong Water Forum")]


def test_the_report_without_a_stated_author_stays_as_written(nlp):
    text = "A report on the dams was leaked on Friday. According to the report, most of them lack fish passes."
    assert quotes(nlp, text) == [("most of them lack fish passes", "the report")]


def test_the_report_author_is_not_its_critic(nlp):
    text = (
        "A study published on Friday by the Mekong Water Forum counted 40 new dams. Environment minister "
        "Say Sam Al rejected the study. According to the study, most of them lack fish passes."
    )
    assert quotes(nlp, text)[-1] == ("most of them lack fish passes", "Mekong Water Forum")


def test_block_quote_after_said_colon(nlp):
    text = (
        "The appeals court upheld the verdict on Monday. In its written ruling, the court said:\n\n"
        "The accused was no bystander. He gave the orders himself and knew what followed.\n\n"
        "The defence will appeal."
    )
    [q] = nlp(text)._.quotes
    assert (q.text, q.kind, text[q.speaker_start : q.speaker_end]) == (
        "The accused was no bystander. He gave the orders himself and knew what followed.", "direct", "the court")


def test_no_block_quote_when_the_next_paragraph_has_quotation_marks(nlp):
    text = (
        "In its written ruling, the court said:\n\n"
        "The accused, who called the case “a farce”, was no bystander and knew what followed.\n\n"
        "The defence will appeal."
    )
    assert not [q.text for q in nlp(text)._.quotes if q.rule.startswith("colon_block_quote")]


def test_transcript_label_with_a_place_is_a_speaker_label(nlp):
    text = (
        "HOST: We have a caller from Kampot. Go ahead, madam.\n\n"
        "CALLER (Kampot): Hello. My daughter works in a factory in Thailand and I cannot reach her. What should the families do?\n\n"
        "HOST: Thank you."
    )
    [q] = nlp(text)._.quotes
    assert (q.text, q.speaker) == (
        "Hello. My daughter works in a factory in Thailand and I cannot reach her. What should the families do?", "CALLER")


def test_dateline_with_an_agency_and_a_colon_is_no_speaker(nlp):
    from toolkit.core.frames import dateline_spans

    text = "Talks end\n\nKUALA LUMPUR (Bernama): The talks ended on Monday, the ministry said."
    assert [text[a:b] for a, b in dateline_spans(text)] == ["KUALA LUMPUR (Bernama): "]
    assert [q.speaker for q in nlp(text)._.quotes if q.speaker == "KUALA LUMPUR"] == []


def test_bulleted_findings_are_direct_quotes_of_the_report_author(nlp):
    text = (
        "A report released on Friday by the Tonle Sap Fisheries Network counts 40 cases of illegal fishing.\n\n"
        "The report’s key findings:\n\n"
        "• Two of five patrols had no boat.\n\n"
        "• Fines were paid in only three cases.\n\n"
        "The ministry did not comment on the figures."
    )
    got = [(q.text, q.speaker, q.kind) for q in nlp(text)._.quotes]
    assert got == [
        ("Two of five patrols had no boat.", "Tonle Sap Fisheries Network", "direct"),
        ("Fines were paid in only three cases.", "Tonle Sap Fisheries Network", "direct"),
    ]


def test_bullets_without_an_owner_line_are_no_quotes(nlp):
    text = "Opening hours:\n\n• Monday to Friday, 8 a.m. to 5 p.m.\n\n• Saturday, 8 a.m. to noon."
    assert [q.text for q in nlp(text)._.quotes] == []


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
