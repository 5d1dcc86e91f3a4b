"""rules-5 stance: figures read neutral, and the speaker's side is read from the right words.

A plain report of figures (a toll, results, a budget, logistics) from a partisan speaker is
neutral: each figure is a weak neutral signal, so that the side's prior alone no longer pre-fills
favor or against (toolkit.core.stance.quantities). The side of a speaker outside the registry is
read from a description before a comma ("Another analyst, NAME,"), a whole capitalised title
("Japanese Foreign Ministry press secretary NAME") and never from the verb phrase after "NAME,".

The sentences are constructed for these tests (no article text)."""

from test_stance import lex, prefilled, threshold  # noqa: F401 (the shipped lexicon and threshold fixtures, one home)
from toolkit.config import load_registry, load_stance
from toolkit.core.attribute import attribute
from toolkit.core.stance import appositive_after, body_after, description_before, propose_stance, quantities, side_from_mention, speaker_context, title_before
from toolkit.pipeline import load_lexicons, load_pipeline


# --------------------------------------------------------------------------- what a figure is


def test_counts_amounts_and_percentages_are_figures(lex):
    low = "17 houses burned, $3.5 million was paid, turnout was 64.2 percent and two bridges fell"
    assert quantities(low, lex.number_words) == ["17", "$3.5 million", "64.2 percent", "two"]


def test_years_dates_and_lengths_of_time_are_not_figures(lex):
    assert quantities("since 2015 the talks on march 3 lasted for three days over two generations", lex.number_words) == []


def test_a_series_named_is_not_a_figure(lex):
    assert quantities("the courts decided the last two elections and the next three votes", lex.number_words) == []


def test_a_crowd_word_is_not_a_figure(lex):
    assert quantities("thousands of workers and dozens of monks marched", lex.number_words) == []


# --------------------------------------------------------------------------- figures in proposals


def test_a_partisan_speakers_report_of_figures_is_neutral(lex, threshold):
    toll = "41 villages were flooded and 260 families moved to higher ground"
    assert prefilled(toll, "government", lex, threshold) == "neutral"
    assert prefilled(toll, "opposition", lex, threshold) == "neutral"
    assert prefilled("the party had won 12 seats and 48 percent of the vote", "opposition", lex, threshold) == "neutral"


def test_one_figure_is_not_enough_to_prefill_the_sides_label(lex, threshold):
    text = "the ferry would carry 80 passengers"
    assert propose_stance(text, "government", lex, "said")[0] == "favor"  # the prior still leans
    assert prefilled(text, "government", lex, threshold) is None  # but not sure enough to pre-fill


def test_a_defence_with_figures_still_favors(lex, threshold):
    text = "the 14 men had plotted a coup to overthrow the government and were arrested under the law"
    assert prefilled(text, "government", lex, threshold) == "favor"


def test_an_attack_with_figures_still_is_against(lex, threshold):
    text = "the regime has jailed 30 activists in a crackdown on dissent"
    assert prefilled(text, "opposition", lex, threshold) == "against"


# --------------------------------------------------------------------------- the speaker's side


def test_the_verb_after_a_name_is_not_an_appositive():
    t = "Another analyst, Keo Dara, said the opposition had won."
    i = t.index("Keo Dara") + len("Keo Dara")
    assert appositive_after(t, i) == ""
    t = "Keo Dara, an opposition lawmaker, said it."
    assert appositive_after(t, t.index(",")) == "an opposition lawmaker"


def test_a_description_before_a_comma_tells_the_side(lex):
    t = "Another analyst, Keo Dara, said the opposition had won more seats."
    i = t.index("Keo Dara")
    assert description_before(t, i) == "Another analyst"
    assert side_from_mention(speaker_context(t, (i, i + 8)), lex) == "academic/analyst"
    t = "In a long speech to the opposition, Keo Dara said so."
    assert description_before(t, t.index("Keo Dara")) == ""  # a clause, not a description


def test_a_whole_capitalised_title_tells_the_side(lex):
    words = "At a briefing Thai Foreign Ministry press secretary".split()
    assert title_before(words) == ["Thai", "Foreign", "Ministry", "press", "secretary"]
    t = "At a briefing, Thai Foreign Ministry press secretary Keo Dara said it. She said more."
    i = t.index("Keo Dara")
    assert side_from_mention(speaker_context(t, (i, i + 8)), lex) == "foreign government"


def test_through_the_pipeline_a_figure_report_is_neutral():
    nlp = load_pipeline(None)
    text = "Provincial governor Keo Dara said 1,500 people and 200 trucks had crossed by noon."
    with nlp.select_pipes(disable=["quote_attribution"]):
        doc = nlp(text)
    (q,) = attribute(doc, load_registry(), load_stance(), load_lexicons())
    assert q.speaker == "Keo Dara" and q.stance == "neutral"


def test_a_description_before_a_titled_name_tells_the_side(lex):
    t = "A Thai army spokesman, Colonel Keo Dara, said troops had returned fire."
    i = t.index("Keo Dara")
    assert side_from_mention(speaker_context(t, (i, i + 8)), lex) == "foreign government"
    t = "In a long speech to the opposition, Colonel Keo Dara said so."
    i = t.index("Keo Dara")
    assert side_from_mention(speaker_context(t, (i, i + 8)), lex) is None


def test_the_body_a_name_is_of_tells_the_side(lex):
    t = "Keo Dara of the Cambodian Center for Human Rights said the law was used against critics."
    i = t.index("Keo Dara")
    assert body_after(t, i + 8) == "Cambodian Center for Human Rights"
    assert side_from_mention(speaker_context(t, (i, i + 8)), lex) == "NGO"
    t = "Keo Dara of Phnom Penh said so."
    assert side_from_mention(speaker_context(t, (0, 8)), lex) is None  # a place tells no side


# --------------------------------------------------------------------------- words the guidelines name


def test_calling_a_report_lies_or_fiction_favors(lex, threshold):
    # GUIDELINES.md: calling critics liars or their reports fiction is favor, whoever speaks
    assert prefilled("the report was lies and fiction from start to end", None, lex, threshold) == "favor"


def test_being_afraid_is_fear(lex, threshold):
    assert prefilled("villagers are afraid to talk to us now", None, lex, threshold) == "against"


def test_hoping_for_fairness_is_neutral_even_from_the_opposition(lex, threshold):
    # GUIDELINES.md: hoping for a fair verdict or hearing, without saying the court is unfair
    assert prefilled("he hoped the judges would deliver a fair verdict", "opposition", lex, threshold) == "neutral"
    assert prefilled("she hopes the council will judge the appeal fairly", "opposition", lex, threshold) == "neutral"
    # a hope for pressure is not a hope for fairness
    assert propose_stance("she hoped foreign governments would press for sanctions", "opposition", lex, "said")[0] == "against"
    # saying the court is unfair still is against
    assert prefilled("he hoped for a fair verdict but this is a sham trial", "opposition", lex, threshold) == "against"
