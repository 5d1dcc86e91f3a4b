"""Stance of foreign governments (toolkit.core.stance with the shipped configs/stance_signals.yaml).

A foreign government's side says little about its stance toward the Cambodian government: one
that keeps the opposition out acts on the government's side (favor), one that presses or
criticises it is against (annotation conventions). Its prior is small, as the unknown side's,
so that the words decide (one favor word or two against words pre-fill: the side keeps the
old prior's shape, a foreign government more often on the government's side) and no telling word
leaves the stance to the annotator. The sentences are constructed for these tests (no article text)."""

import pytest

from toolkit.config import load_stance
from toolkit.core.stance import propose_stance
from toolkit.pipeline import load_lexicons

FOREIGN = "foreign government"


@pytest.fixture(scope="module")
def lex():
    return load_lexicons().stance


@pytest.fixture(scope="module")
def threshold():
    return load_stance().prefill_min_score


def prefilled(text, side, lex, threshold, cue="said"):
    label, score = propose_stance(text, side, lex, cue)
    return label if score >= threshold else None


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
    assert prefilled("The bloc wants concrete steps to restore political freedoms.", "international body", lex, threshold) == "against"
    assert prefilled("The bloc wants concrete steps to restore political freedom.", "international body", lex, threshold) == "against"
