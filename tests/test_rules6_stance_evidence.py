"""Rules-6 stance: what the words say about a signal they contain.

* A negated verb of belief denies its whole complement: "did not believe he was a traitor" is
  no accusation of treason (stance.disbelieved), while a doubt ("it is not clear that they
  follow the law") is still no denial.
* A characterisation ("called the vote 'the theft of a million votes'") is a judgement, not a
  report: its figures are no neutral signals (stance_signals.yaml characterising_cues,
  stance.characterises), so an NGO's or a minister's characterisation keeps its side's label.

The sentences are constructed for these tests (no article text)."""

from test_stance import lex  # noqa: F401 (the shipped lexicon fixture, one home)
from toolkit.core.stance import evidence, propose_stance
from toolkit.pipeline import load_pipeline


def test_a_disbelieved_accusation_is_no_signal(lex):
    assert evidence("the farmer believed the activist was a traitor", lex)["favor"] > 0
    assert evidence("the farmer did not believe the activist was a traitor", lex)["favor"] == 0
    assert evidence("the farmer doesn't think the activist was ever a traitor", lex)["favor"] == 0
    # a sentence end closes the scope: the second sentence accuses
    assert evidence("we do not think so. the activist is a traitor", lex)["favor"] > 0


def test_a_doubt_is_not_a_denial(lex):
    assert evidence("it is not clear that the police follow the law", lex)["favor"] > 0


def test_a_characterisation_keeps_its_figures_out(lex):
    text = "the budget “ten years of waste and 40 empty promises”"
    assert evidence(text, lex, "said")["neutral"] > 0
    assert evidence(text, lex, "called")["neutral"] == 0
    assert propose_stance(text, "NGO", lex, "called")[0] == "against"
    assert propose_stance("ten schools and 40 clinics had opened", "NGO", lex, "said")[0] == "neutral"


def test_a_characterisation_with_figures_is_prefilled_with_the_speakers_side():
    nlp = load_pipeline(None)
    text = "Licadho called the new rules “two hundred pages of control over 5,000 groups.”"
    quotes = nlp(text)._.quotes
    assert [(q.speaker.lower(), q.stance) for q in quotes] == [("licadho", "against")]


def test_a_figure_in_millions_is_one_figure(lex):
    # "four million families" is one figure: one weak neutral signal, not two, so a minister's
    # claim of a record is not pre-filled neutral on the strength of its size alone
    assert evidence("they gave titles to four million families", lex)["neutral"] == evidence("they gave titles to 4,000 families", lex)["neutral"]
    assert propose_stance("they gave titles to four million families", "government", lex)[1] < 0.505


def test_an_appeal_to_both_sides_takes_no_side(lex):
    text = "the embassy asked both sides to show restraint"
    assert evidence(text, lex)["neutral"] > 0
    assert propose_stance(text, "foreign government", lex)[0] == "neutral"
    assert propose_stance(text, "foreign government", lex)[1] >= 0.505
    # a single even-handed phrase does not outweigh a government speaker's side: left empty
    assert propose_stance("the minister wrote to all parties", "government", lex)[1] < 0.505


def test_asserting_a_future_vote_free_and_fair_defends_it(lex):
    assert propose_stance("the spokesman said the vote would be free and fair", "government", lex)[0] == "favor"
    assert propose_stance("the spokesman said the vote would be free and fair", "government", lex)[1] >= 0.505
    assert propose_stance("the vote will not be free and fair", "opposition", lex)[0] == "against"
    assert propose_stance("we demand free and fair elections", None, lex)[0] == "against"
    # a hope for it is still neutral, whoever hopes
    assert propose_stance("he hoped the vote would be free and fair", "opposition", lex)[0] == "neutral"


def test_what_is_conceded_before_but_is_not_the_point(lex):
    text = "the count was calm, but observers saw officials photographing voters"
    assert evidence("the count was calm", lex)["neutral"] > 0
    assert evidence(text, lex)["neutral"] == 0
    assert propose_stance(text, "NGO", lex) == ("against", 0.6)
    # after the concession the words count, and a strong framing counts wherever it stands
    assert evidence("it was a hard day, but the count was calm", lex)["neutral"] > 0
    assert evidence("a sham trial, but we will appeal", lex)["against"] > 0
    assert evidence("the day was not only calm but also orderly", lex)["neutral"] > 0  # "but also" concedes nothing


def test_common_verdicts_on_justice_are_strong_criticism(lex):
    for text in ("the verdict was a miscarriage of justice", "the trial was a witch hunt",
                 "the ruling spread a climate of fear"):
        assert evidence(text, lex)["against"] >= lex.strong_weight, text
    assert propose_stance("the sentence was a travesty of justice", "foreign government", lex)[0] == "against"


def test_figures_conceded_before_but_are_not_the_point(lex):
    text = "eight members will attend, but they will not wear the party badge"
    assert evidence("eight members will attend", lex)["neutral"] > 0
    assert evidence(text, lex)["neutral"] == 0
    assert evidence("they will attend, but only eight members", lex)["neutral"] > 0


def test_a_percentage_is_one_figure(lex):
    # "10 percent" is one figure (quantities), not also the word "percent"
    assert evidence("wages would rise by 10 percent", lex)["neutral"] == evidence("wages would rise by 10 dollars", lex)["neutral"] > 0


def test_a_toll_is_neutral_whoever_gives_it(lex):
    text = "two soldiers had died and five were wounded"
    assert evidence(text, lex)["neutral"] > 0
    assert propose_stance("the reports of civilian deaths", "foreign government", lex)[0] == "neutral"
    # one toll word does not outweigh a minister's side: the pre-fill is left empty
    assert propose_stance("a civilian had died", "government", lex)[1] < 0.505
    assert evidence("the police killed him", lex)["neutral"] == 0  # a killing is an act, not a toll


def test_the_timetable_of_results_is_logistics(lex):
    assert propose_stance("the final results would be published on Monday", "government", lex)[0] == "neutral"
    assert evidence("they will not accept the result", lex)["neutral"] == 0  # a result judged, not scheduled


def test_a_conditional_forecast_is_neutral(lex):
    text = "the outcome will depend on how the council rules"
    assert evidence(text, lex)["neutral"] > 0
    assert propose_stance(text, "academic/analyst", lex)[0] == "neutral"
    assert propose_stance(text, "academic/analyst", lex)[1] >= 0.505


def test_following_closely_takes_no_position(lex):
    for text in ("the embassy was following the trial closely", "it was monitoring the situation"):
        assert propose_stance(text, "foreign government", lex)[0] == "neutral", text
        assert propose_stance(text, "foreign government", lex)[1] >= 0.505, text


def test_saying_a_process_is_unfair_is_criticism(lex):
    # GUIDELINES: hoping for a fair hearing is neutral, saying it is unfair is against
    for text in ("the defence had never been given a fair chance", "the trial was unfair",
                 "they were denied a fair trial"):
        assert propose_stance(text, None, lex)[0] == "against", text
    assert propose_stance("he hoped the hearing would be fair", None, lex)[0] == "neutral"


def test_a_complaint_of_what_the_state_does_not_do(lex):
    text = "Nobody from the ministry came to see the flooded fields."
    assert evidence(text, lex)["against"] > 0
    assert propose_stance(text, None, lex)[0] == "against"
    assert propose_stance(text, None, lex)[1] >= 0.505
    # no state actor, or no negation: no complaint
    assert evidence("Nobody came to see the flooded fields.", lex)["against"] == 0
    assert evidence("The ministry came to see the flooded fields.", lex)["against"] == 0
    # the negation and the actor must share a sentence; a compound is no actor
    assert evidence("The ministry came. Nobody else did.", lex)["against"] == 0
    assert evidence("The anti-government march did not start.", lex)["against"] == 0
    # a minister's denial stays the minister's side
    assert propose_stance("The police did not beat anyone.", "government", lex)[0] == "favor"
