"""rules-6 (H-attr6), where a reported clause starts and ends on unseen text. Invented sentences;
blank pipeline (the ``nlp`` fixture).

Starts: an addressee after "told" ends where the clause's own subject starts ("told the court
his client ..."), or runs over a setting to its "that" ("told a trade fair in June that",
"told journalists outside the ministry that"); "at least" opens a subject, no adverbial; a
partitive ("most of the ...") or a listed subject ("tents, blankets and rice had ...") is a
clause. Ends: a second act of the speaker ("and thanked", "and called again for"), another
speaker's act (", and the Japanese Embassy urged ...") and the narrator's comment on the claim
(", a charge the ministry denies") are not reported. A verb with an object after a comma
("..., the provinces declared a state of alert") is no postposed attribution.
"""

from __future__ import annotations


def quotes(nlp, text):
    return [(q.text, q.speaker) for q in nlp(text)._.quotes]


def spans(nlp, text):
    return [q.text for q in nlp(text)._.quotes]


def test_addressee_ends_before_a_possessive_subject(nlp):
    text = "Opposition lawyer Chan Dara told the court his client had been beaten in custody."
    assert spans(nlp, text) == ["his client had been beaten in custody"]


def test_addressee_ends_before_a_pronoun_subject(nlp):
    text = "Keo Sophal told the tribunal she had never seen the documents."
    assert spans(nlp, text) == ["she had never seen the documents"]


def test_addressee_ends_before_a_new_noun_phrase(nlp):
    text = "Judge Lim Bora told the court the trial would resume in May."
    assert spans(nlp, text) == ["the trial would resume in May"]


def test_addressee_with_a_setting_runs_to_that(nlp):
    text = "Trade Minister Pan Sorasak told a trade fair in June that exports would double."
    assert spans(nlp, text) == ["exports would double"]


def test_setting_outside_a_building_runs_to_that(nlp):
    text = "Sam Sokong told journalists outside the ministry that the decision was unlawful."
    assert spans(nlp, text) == ["the decision was unlawful"]


def test_possessive_in_the_setting(nlp):
    text = "Chan Dara told supporters at the party's office that the count was fair."
    assert spans(nlp, text) == ["the count was fair"]


def test_at_least_opens_the_subject(nlp):
    text = "Provincial officials said at least 30 families had lost their homes."
    assert spans(nlp, text) == ["at least 30 families had lost their homes"]


def test_partitive_subject(nlp):
    text = "Union leader Ath Sokha said most of the workers had returned to the factory."
    assert spans(nlp, text) == ["most of the workers had returned to the factory"]


def test_listed_subject(nlp):
    text = "Red Cross official Men Neary said tents, blankets and rice had been sent to the villages."
    assert spans(nlp, text) == ["tents, blankets and rice had been sent to the villages"]


def test_second_act_of_the_speaker_is_not_reported(nlp):
    text = "The Japanese Embassy said on Facebook that it was “watching the case closely” and called again for calm."
    assert spans(nlp, text) == ["it was “watching the case closely”"]


def test_thanked_is_the_speakers_next_act(nlp):
    text = "Keo Sophal wrote that the rally had been “peaceful and proud” and thanked the marchers."
    assert spans(nlp, text) == ["the rally had been “peaceful and proud”"]


def test_another_speakers_act_ends_the_report(nlp):
    text = "The Australian Embassy said the ruling was a setback for the rule of law, and the Japanese Embassy urged restraint."
    assert spans(nlp, text)[0] == "the ruling was a setback for the rule of law"


def test_narrators_comment_on_the_claim(nlp):
    text = "Chan Dara claimed that the ministry had sold the land twice, a charge the ministry denies."
    assert spans(nlp, text) == ["the ministry had sold the land twice"]


def test_verb_with_an_object_is_no_postposed_attribution(nlp):
    text = "Floods reached the capital on Friday, the provinces declared a state of alert on Monday."
    assert not any(s == "the provinces" for _, s in quotes(nlp, text))


def test_postposed_attribution_with_a_setting_is_kept(nlp):
    text = "Floods reached the capital on Friday, the ministry said on Monday."
    assert quotes(nlp, text) == [("Floods reached the capital on Friday", "the ministry")]


def test_for_phrase_after_a_quoted_predicate_stays(nlp):
    text = "Keo Sophal described the decree as “a locked gate” for farmers."
    assert spans(nlp, text) == ["the decree as “a locked gate” for farmers"]


def test_underlined_that_is_a_report(nlp):
    text = "Opening the session, Prime Minister Hun Manet underlined that every ministry must “show results”."
    assert quotes(nlp, text) == [("every ministry must “show results”", "Hun Manet")]


def test_one_word_judgement_with_an_agent(nlp):
    text = "The reforms, seen by most economists as overdue, have still not reached the courts."
    assert quotes(nlp, text) == [("overdue", "most economists")]


def test_quotation_opening_on_the_verb_is_a_clause(nlp):
    text = "Chan Dara said the organisers “do not speak for the farmers” and that the march was unlawful."
    assert spans(nlp, text) == ["the organisers “do not speak for the farmers” and that the march was unlawful"]


def test_according_to_a_rule_is_part_of_the_report(nlp):
    text = "Court spokesman Keo Sothea said the appeal was heard according to the law and that both sides had lawyers."
    assert spans(nlp, text) == ["the appeal was heard according to the law and that both sides had lawyers"]


def test_named_addressee_and_a_parenthetical_before_that(nlp):
    text = "She told the Kampot Herald, in an interview in Kep, that the farm had been seized."
    assert spans(nlp, text) == ["the farm had been seized"]


def test_clause_opening_on_a_quoted_word(nlp):
    text = 'Factory owner Lim Heng said "illegal" strikes called by small unions had cost the sector millions.'
    assert quotes(nlp, text) == [('"illegal" strikes called by small unions had cost the sector millions', "Lim Heng")]


def test_participle_with_its_agent_is_no_speaker(nlp):
    text = "The union rejected the strikes called by rival groups that had never registered."
    assert not any(s == "strikes" or (s or "").startswith("the strikes") for _, s in quotes(nlp, text))


def test_subject_of_a_passive_with_a_modal_is_no_speaker(blank_and_trained):
    text = 'A union could be declared illegal "with one signature from a minister," Chan Dara said.'
    assert quotes(blank_and_trained, text) == [('A union could be declared illegal "with one signature from a minister,"', "Chan Dara")]
