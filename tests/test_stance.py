"""Stance proposal (toolkit.core.stance): affiliation prior + lexical signals, a proposal."""

import pytest

from toolkit.core.stance import StanceLexicon, propose_stance, signal_counts
from toolkit.pipeline import load_lexicons


@pytest.fixture(scope="module")
def lex():
    return load_lexicons().stance


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


def test_signals_match_whole_words_and_curly_apostrophes():
    lex = StanceLexicon.from_dict({"priors": {}, "signals": {"favor": ["don't ever"], "against": ["fear"], "neutral": []}})
    assert signal_counts("Don’t ever do it", lex)["favor"] == 1
    assert signal_counts("fearless", lex)["against"] == 0
