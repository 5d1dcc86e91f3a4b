"""Stance proposal (toolkit.core.stance): the speaker's side (registry, else the mention's words)
plus the words of the quote, and a pre-fill only when the proposal is sure enough.

The sentences are constructed for these tests (no article text); each family of signals is
checked with speakers outside the registry, where only the words can decide."""

from dataclasses import replace

import pytest

from toolkit.config import ConfigError, load_registry, load_stance
from toolkit.core.attribute import attribute
from toolkit.core.stance import StanceLexicon, evidence, propose_stance, side_from_mention, signal_counts, speaker_context
from toolkit.pipeline import load_lexicons, load_pipeline


@pytest.fixture(scope="module")
def lex():
    return load_lexicons().stance


@pytest.fixture(scope="module")
def threshold():
    return load_stance().prefill_min_score


def prefilled(text, side, lex, threshold, cue="said"):
    """The label the pre-annotator would pre-fill, or None (left to the annotator)."""
    label, score = propose_stance(text, side, lex, cue)
    return label if score >= threshold else None


# --------------------------------------------------------------------------- the shipped threshold


def test_shipped_threshold_is_a_real_cut(threshold):
    assert 0.5 <= threshold < 1.0


# --------------------------------------------------------------------------- the prior alone


def test_affiliation_prior_decides_a_neutral_sounding_quote(lex):
    assert propose_stance("We held a meeting on Tuesday.", "government", lex)[0] in ("favor", "neutral")
    assert propose_stance("The party will hold a meeting.", "opposition", lex)[0] in ("against", "neutral")


def test_words_can_override_the_prior(lex):
    label, _ = propose_stance("The regime fears the truth and its repression must end.", "foreign government", lex)
    assert label == "against"
    label, _ = propose_stance("They plotted a coup to overthrow the state; this is treason.", None, lex)
    assert label == "favor"


def test_odds_and_logistics_read_neutral_for_an_analyst(lex):
    assert propose_stance("The chances are 50/50 and it is unclear.", "academic/analyst", lex)[0] == "neutral"


def test_score_is_a_share_between_zero_and_one(lex):
    for text, aff in [("coup coup", "government"), ("", None), ("regime", "opposition")]:
        label, score = propose_stance(text, aff, lex)
        assert label in ("favor", "against", "neutral")
        assert 0.0 < score <= 1.0


def test_no_side_and_no_words_is_left_to_the_annotator(lex, threshold):
    assert prefilled("The statement was issued in Khmer and English.", None, lex, threshold) is None


# --------------------------------------------------------------------------- content signals, any speaker

GOVERNMENT_DEFENDING = [
    "Foreign critics are liars who know nothing about our country.",
    "This is a matter of national sovereignty and nobody should interfere in Cambodia.",
    "Those statements are interference in the internal affairs of a sovereign state.",
    "The detention followed the law.",
    "The arrest was carried out in accordance with the law.",
    "The court is independent and the government cannot tell it what to do.",
    "They are traitors who wanted a colour revolution.",
    "The group was plotting a coup to topple the government.",
]

AGAINST = [
    "This is a crackdown on everyone who disagrees.",
    "The repression of the opposition must stop.",
    "The charges are politically motivated.",
    "The charges are politically driven.",
    "The authorities must release them immediately.",
    "An election without the main opposition party cannot be free and fair.",
    "The country is sliding into dictatorship.",
    "These are political prisoners and the trial is a sham.",
]

NEUTRAL = [
    "The flight landed at the airport on Tuesday.",
    "The hearing was adjourned and will resume next week.",
    "Turnout was estimated at 70 percent, according to the figures.",
    "The odds are 50/50 and it is unclear whether he will come.",
]


@pytest.mark.parametrize("text", GOVERNMENT_DEFENDING)
def test_government_defending_framings_are_favor_whoever_speaks(lex, threshold, text):
    assert prefilled(text, None, lex, threshold) == "favor"


@pytest.mark.parametrize("text", AGAINST)
def test_against_framings_are_against_whoever_speaks(lex, threshold, text):
    assert prefilled(text, None, lex, threshold) == "against"


@pytest.mark.parametrize("text", NEUTRAL)
def test_logistics_schedules_numbers_and_odds_are_neutral(lex, threshold, text):
    assert prefilled(text, None, lex, threshold) == "neutral"


def test_a_framing_against_the_speakers_side_is_not_pre_filled(lex, threshold):
    # a registry government speaker calling the charges politically motivated: side and words
    # disagree, so the annotator decides
    assert prefilled("The charges against him are politically motivated.", "government", lex, threshold) is None
    assert prefilled("The detention followed the law.", "opposition", lex, threshold) is None


def test_the_other_camps_word_in_a_known_speakers_mouth_is_the_topic(lex, threshold):
    text = "We will step up the fight against corruption."
    assert prefilled(text, "government", lex, threshold) == "favor"  # "corruption" counts half
    assert propose_stance(text, None, lex)[0] == "against"  # no side: the word counts in full
    # two such words still leave it to the annotator; a strong framing still counts in full
    assert prefilled("The people want democracy and human rights.", "government", lex, threshold) is None
    assert prefilled("These are political prisoners.", "government", lex, threshold) is None


def test_leaning_needs_a_clear_prior(lex):
    from toolkit.core.stance import leaning

    assert leaning("government", lex) == "favor" and leaning("NGO", lex) == "against"
    assert leaning("foreign government", lex) is None and leaning(None, lex) is None


def test_side_and_words_agreeing_are_surer_than_the_side_alone(lex):
    alone = propose_stance("We will meet the voters.", "opposition", lex)
    agree = propose_stance("We will fight the crackdown.", "opposition", lex)
    assert alone[0] == agree[0] == "against" and agree[1] > alone[1]


# --------------------------------------------------------------------------- foreign actors
# A foreign government's side says little about its stance toward the Cambodian government: one
# that keeps the opposition out acts on the government's side (favor), one that presses or
# criticises it is against (annotation conventions). Its prior is small, as the unknown side's,
# so that the words decide (one favor word or two against words pre-fill: the prior keeps its
# shape, a foreign government more often on the government's side) and no telling word leaves
# the stance to the annotator.

FOREIGN = "foreign government"


@pytest.mark.parametrize("text", [
    "The country will not allow the exiled politicians to cross its territory.",
    "Its police will prevent the activists from using the border.",
    "The transition showed that the kingdom was stable.",
])
def test_a_foreign_government_acting_on_the_governments_side_is_favor(lex, threshold, text):
    assert prefilled(text, FOREIGN, lex, threshold) == "favor"


@pytest.mark.parametrize("text", [
    "The arbitrary detentions must stop.",
    "The ambassador said they are political prisoners.",
])
def test_a_foreign_government_pressing_the_government_is_against(lex, threshold, text):
    assert prefilled(text, FOREIGN, lex, threshold) == "against"


def test_a_foreign_government_with_no_telling_words_is_left_to_the_annotator(lex, threshold):
    assert prefilled("The minister spoke to his counterpart by telephone.", FOREIGN, lex, threshold) is None


def test_the_foreign_governments_prior_tells_less_than_a_leaning_sides(lex):
    # the side alone: smaller than the government's or the opposition's, as the unknown side's
    prior = lex.priors[FOREIGN]
    assert sum(prior.values()) < sum(lex.priors["government"].values())
    assert sum(prior.values()) <= sum(lex.priors["unknown"].values()) + 0.05
    # and a framing against the government's critics still wins over the side
    assert propose_stance("Those statements are interference in the internal affairs of a sovereign state.", FOREIGN, lex)[0] == "favor"


def test_an_international_body_pressing_for_freedoms_is_against(lex, threshold):
    # plural or not, freedoms demanded of the government are international pressure
    for text in ("The bloc wants concrete steps to restore political freedoms.", "The bloc wants concrete steps to restore political freedom."):
        assert prefilled(text, "international body", lex, threshold) == "against", text


# --------------------------------------------------------------------------- hedges and negation


def test_hoping_for_a_fair_verdict_is_not_a_criticism(lex, threshold):
    for text, cue in [("the court will be fair", "hoped"), ("I hope the verdict will be fair and just.", "said")]:
        assert prefilled(text, "opposition", lex, threshold, cue) != "against", text


def test_a_hoped_for_release_is_against_but_less_sure_than_a_demand(lex):
    # the guidelines: hoping for a fair verdict is neutral, but a release still advances the
    # opposition's challenge
    wish = propose_stance("We hope the court will release them.", "opposition", lex, "said")
    demand = propose_stance("The court must release them.", "opposition", lex, "said")
    assert wish[0] == demand[0] == "against" and wish[1] < demand[1]


def test_a_hedge_lowers_favor_and_against_and_leans_neutral(lex):
    plain = evidence("The trial is a sham.", lex)
    hedged = evidence("I hope the trial is not a sham.", lex)
    wish = evidence("I hope the trial is a sham.", lex)
    assert hedged["against"] == 0 and 0 < wish["against"] < plain["against"]
    assert wish["neutral"] > plain["neutral"]


def test_a_negated_framing_does_not_count(lex):
    assert signal_counts("There are no political prisoners in Cambodia.", lex, strong=True)["against"] == 0
    assert signal_counts("The detention did not follow the law.", lex, strong=True)["favor"] == 0
    assert signal_counts("The detention didn't follow the law.", lex, strong=True)["favor"] == 0
    assert signal_counts("The detention followed the law.", lex, strong=True)["favor"] == 1


def test_an_election_called_not_free_and_fair_is_against(lex):
    ev = evidence("The election was not free and fair.", lex)
    assert ev["against"] > 0 and ev["favor"] == 0
    ev = evidence("The election was free and fair.", lex)
    assert ev["favor"] > ev["against"]


def test_signals_match_whole_words_and_curly_apostrophes():
    lex = StanceLexicon.from_dict({"priors": {}, "signals": {"favor": ["don't ever"], "against": ["fear"], "neutral": []}})
    assert signal_counts("Don’t ever do it", lex)["favor"] == 1
    assert signal_counts("fearless", lex)["against"] == 0


# --------------------------------------------------------------------------- the side from the mention

MENTIONS = [
    ("a government spokesman", "government"),
    ("a spokesman for the Interior Ministry", "government"),
    ("an opposition lawmaker", "opposition"),
    ("a rights group", "NGO"),
    ("a CPP official", "ruling party"),
    ("the ruling party", "ruling party"),
    ("a Western diplomat", "foreign government"),
    ("a UN rapporteur", "international body"),
    ("a UN official", "international body"),
    ("the U.N. mission", "international body"),  # spelt with stops, as "U.S."
    ("the US Ambassador", "foreign government"),
    ("a political analyst", "academic/analyst"),
    ("a police officer", "government"),
    ("a vocal government critic", "opposition"),
    ("he", None),
    ("officials of us all", "government"),  # "us" is not "US"
    ("the man", None),
]


@pytest.mark.parametrize("mention,side", MENTIONS)
def test_side_from_mention(lex, mention, side):
    assert side_from_mention(mention, lex) == side


def test_a_side_word_beats_a_role_noun(lex):
    # "official" alone says government; with "opposition" or "UN" in the mention it does not
    assert side_from_mention("an official", lex) == "government"
    assert side_from_mention("an opposition official", lex) == "opposition"


def test_a_country_before_an_institution_makes_it_that_countrys(lex):
    assert side_from_mention("Foreign Minister", lex) == "government"  # in a Cambodian story: Cambodia's
    assert side_from_mention("the Foreign Ministry", lex) == "government"
    assert side_from_mention("French foreign ministry spokeswoman", lex) == "foreign government"
    assert side_from_mention("Malaysia's foreign minister", lex) == "foreign government"
    assert side_from_mention("the Thai government", lex) == "foreign government"
    # but not across other words: the longer phrase decides
    assert side_from_mention("Cambodian ambassador to the UN", lex) == "government"


def test_a_role_that_names_no_side_is_unknown(lex):
    assert side_from_mention("a party official", lex) is None  # which party?
    assert side_from_mention("a CPP party official", lex) == "ruling party"


def test_speaker_context_reads_the_appositive_and_the_words_before():
    text = "Sok Chea, a CPP spokesman, said it was lawful. Opposition lawmaker Keo Dara disagreed."
    i = text.index("Sok Chea")
    assert "CPP spokesman" in speaker_context(text, (i, i + 8))
    j = text.index("Keo Dara")
    assert "Opposition lawmaker" in speaker_context(text, (j, j + 8))


def test_speaker_context_finds_the_first_introduction_of_a_name():
    text = "Sok Chea, a CPP spokesman, rejected the report.\n\n“It is fiction,” Sok Chea said."
    i = text.rindex("Sok Chea")
    assert "CPP spokesman" in speaker_context(text, (i, i + 8), "Sok Chea")
    assert "CPP" not in speaker_context(text, (i, i + 8), None)


def test_speaker_context_stops_at_the_clause():
    text = "The government said so. Keo Dara, who lives abroad, said it was wrong."
    i = text.index("Keo Dara")
    assert "government" not in speaker_context(text, (i, i + 8))


# --------------------------------------------------------------------------- through the pipeline


@pytest.fixture(scope="module")
def parts():
    nlp = load_pipeline(None)
    return nlp, load_registry(), load_stance(), load_lexicons()


def _quotes(parts, text, min_score=None):
    nlp, registry, scheme, lexicons = parts
    if min_score is not None:
        scheme = replace(scheme, prefill_min_score=min_score)
    with nlp.select_pipes(disable=["quote_attribution"]):
        doc = nlp(text)
    return attribute(doc, registry, scheme, lexicons)


def test_unregistered_speaker_gets_the_side_of_the_appositive(parts):
    text = "“The report is a pack of lies,” said Chan Vuthy, a government spokesman, on Monday."
    (q,) = _quotes(parts, text)
    assert q.speaker == "Chan Vuthy" and q.stance == "favor"
    # words that say nothing by themselves: the side decides (the proposal, whatever the threshold)
    words = "“We will keep going from province to province,” said Chan Vuthy"
    (q,) = _quotes(parts, words + ", an opposition lawmaker.", min_score=0.0)
    assert q.stance == "against"
    (q,) = _quotes(parts, words + ".", min_score=0.0)
    assert q.stance == "neutral"


def test_below_the_threshold_the_stance_is_left_empty(parts):
    text = "“The statement was issued in Khmer and English,” Chan Vuthy said."
    (q,) = _quotes(parts, text)
    assert q.stance is None
    (q0,) = _quotes(parts, text, min_score=0.0)
    assert q0.stance is not None  # the same proposal, pre-filled when the threshold allows it
    assert (q0.start, q0.end, q0.speaker, q0.score) == (q.start, q.end, q.speaker, q.score)


def test_an_empty_stance_survives_the_quote_dict(parts):
    from toolkit.types import Quote

    (q,) = _quotes(parts, "“The statement was issued in Khmer and English,” Chan Vuthy said.")
    assert Quote.from_dict(q.to_dict()) == q and q.to_dict()["stance"] is None


# --------------------------------------------------------------------------- config validation


@pytest.mark.parametrize("value", ["high", "1.5", "-0.1", "true", "[0.6]"])
def test_prefill_min_score_must_be_a_number_from_0_to_1(tmp_path, repo, value):
    p = tmp_path / "stance.yaml"
    text = (repo / "configs" / "stance.yaml").read_text(encoding="utf-8")
    assert "prefill_min_score:" in text
    p.write_text("\n".join(f"prefill_min_score: {value}" if ln.startswith("prefill_min_score:") else ln for ln in text.splitlines()), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_stance(p)
    msg = str(exc.value)
    assert str(p) in msg and "prefill_min_score" in msg and "\n" not in msg


def test_prefill_min_score_is_optional(tmp_path, repo):
    p = tmp_path / "stance.yaml"
    text = (repo / "configs" / "stance.yaml").read_text(encoding="utf-8")
    p.write_text("\n".join(ln for ln in text.splitlines() if not ln.startswith("prefill_min_score:")), encoding="utf-8")
    assert load_stance(p).prefill_min_score == 0.0  # every proposal pre-filled, as before the key existed


@pytest.mark.parametrize("data,needle", [
    ({"mention_sides": {"goverment": ["minister"]}}, "mention_sides: unknown key 'goverment'"),
    ({"mention_roles": {"government": "minister, official"}}, "key 'mention_roles.government': must be a YAML list"),
    ({"strong_signals": {"favour": ["coup"]}}, "strong_signals: unknown key 'favour'"),
    ({"hedges": "hope"}, "key 'hedges': must be a YAML list"),
    ({"hedge_factor": 2}, "key 'hedge_factor': must be between 0 and 1"),
    ({"opposed_weak_factor": 1.5}, "key 'opposed_weak_factor': must be between 0 and 1"),
    ({"lean_margin": "wide"}, "key 'lean_margin': must be a number"),
    ({"strong_weight": -1}, "key 'strong_weight': must not be negative"),
    ({"negators": [False]}, "key 'negators': item False must be a string"),
    ({"negators": ["not at all"]}, "key 'negators': 'not at all' must be one word"),
])
def test_stance_signal_mistakes_are_one_line_errors_naming_the_key(data, needle):
    with pytest.raises(ConfigError) as exc:
        StanceLexicon.from_dict(data, source="configs/stance_signals.yaml")
    msg = str(exc.value)
    assert msg.startswith("configs/stance_signals.yaml: ") and needle in msg and "\n" not in msg, msg
