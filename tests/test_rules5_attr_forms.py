"""rules-5 (H-attr), attribution forms seen on unseen text: "X was quoted (by Y) as saying S"
(frames.quoted_as_subject); "It is understood that S" has no speaker (impersonal, irregular
participles); a thing as the subject of an inference verb ("The early signs suggest ...",
"Turnout tells you that ...") is the journalist's reading, no quote (attribute.thing_infers),
while a poll, a slide or a person still speaks; "called X “Y”" is a small clause with a quoted
predicate (frames.bare_small_clause); a "Place, day Month year –" dateline is no part of the
quote (frames.dateline_spans); a participle opening a sentence ("Speaking at a rally, Hun Sen
...") does not hide its subject from a later "he". Invented sentences; blank pipeline.
"""

from __future__ import annotations

from toolkit.core.attribute import person_like_noun


def quotes(nlp, text):
    return [(q.text, q.speaker, q.kind) for q in nlp(text)._.quotes]


def test_quoted_as_saying(nlp):
    text = "Interior Minister Sar Kheng was quoted by a local newspaper as saying the march would not be allowed."
    assert quotes(nlp, text) == [("the march would not be allowed", "Sar Kheng", "indirect")]


def test_it_is_understood_has_no_speaker(nlp):
    assert quotes(nlp, "It is understood that the court will hear the case on Monday.") == [("the court will hear the case on Monday", None, "indirect")]


def test_a_thing_inferring_is_no_source(nlp):
    text = (
        "The early signs suggest he would like to stay in power. Election turnout tells you that voters are afraid. "
        "A new poll suggests that most voters want change. Villagers suggest the dam will flood the valley."
    )
    assert [q[0] for q in quotes(nlp, text)] == ["most voters want change", "the dam will flood the valley"]
    assert person_like_noun("villagers") and person_like_noun("boss") and not person_like_noun("signs")


def test_called_x_quoted_predicate(nlp):
    text = "Ou Virak called the verdict “a dark day for justice” and left the court."
    assert quotes(nlp, text) == [("the verdict “a dark day for justice”", "Ou Virak", "mixed")]


def test_a_list_of_quoted_names_stays_one_quote(nlp):
    text = "Sam Rainsy called him a “liar” and a “traitor”."
    assert [q[0] for q in quotes(nlp, text)] == ["him a “liar” and a “traitor”"]


def test_day_month_year_dateline(nlp):
    text = "Rights groups demand release\n\nPhnom Penh, 3 May 2022 – The government must release the detained unionists at once, twelve rights groups said today."
    assert quotes(nlp, text)[0][0] == "The government must release the detained unionists at once"


def test_participle_opener_keeps_the_subject_an_antecedent(nlp):
    text = (
        "Sam Rainsy said the vote was unfair.\n\n"
        "Speaking at a ceremony in Kandal on Monday, Hun Sen returned to the subject. “Nobody can stop the train,” he said."
    )
    assert quotes(nlp, text)[-1][:2] == ("Nobody can stop the train,", "Hun Sen")


def test_report_inside_an_opening_subordinate_clause(nlp):
    text = "When the government announced last year that provincial budgets would double, few people paid attention."
    assert quotes(nlp, text) == [("provincial budgets would double", "Cambodian government", "indirect")]


def test_postposed_content_needs_a_verb(nlp):
    text = "The ruling party’s deputy spokesman, Chhim Phalla, rejected that reading. Campaigning in Takeo in 2013, he said little."
    assert quotes(nlp, text) == []


def test_a_role_title_the_registry_person_never_held_stops_a_fuzzy_match(nlp):
    text = "Provincial court spokesman Kim Sokha said the case would follow normal procedure."
    assert quotes(nlp, text)[0][1] == "Kim Sokha"  # not the opposition leader Kem Sokha
    assert quotes(nlp, "Government spokesman Phay Siphanh said the vote was fair.")[0][1] == "Phay Siphan"
