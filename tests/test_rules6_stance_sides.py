"""Rules-6 stance: words that do not tell a speaker's side, and weak signals that name a topic.

* A place phrase before a name ("Outside the court, Keo Dara said") sets the scene: the speaker
  is not a court official (stance.is_setting, in title_before and description_before).
* An official of a private body ("a bank official", "a company spokesman") names no side
  (stance_signals.yaml mention_roles.unknown), so the government's prior does not pre-fill favor.
* Words that name a topic rather than a stance ("free tickets", "opposition figures", "the
  Security Council", a reported arrest, "threats", "pressure", "prevented"; "respond" and
  "plan to" as neutral words) are no weak signals any more.

The sentences are constructed for these tests (no article text)."""

from test_stance import lex  # noqa: F401 (the shipped lexicon fixture, one home)
from toolkit.core.stance import evidence, is_setting, side_from_mention, speaker_context
from toolkit.pipeline import load_pipeline


def test_a_place_phrase_before_a_name_is_no_title(lex):
    t = "Outside the court, Keo Dara, 70, said the hearing was long. Later Keo Dara said it again."
    i = t.rindex("Keo Dara")
    assert side_from_mention(speaker_context(t, (i, i + 8), "Keo Dara"), lex) is None
    t = "Court spokesman Keo Dara said the hearing was long."
    assert side_from_mention(speaker_context(t, (16, 24), "Keo Dara"), lex) == "government"
    t = "Outside the court, CPP spokesman Keo Dara said the hearing was long."
    i = t.index("Keo Dara")
    assert side_from_mention(speaker_context(t, (i, i + 8), "Keo Dara"), lex) == "ruling party"


def test_is_setting_needs_a_place_preposition_and_no_capitalised_word():
    assert is_setting("Inside the ministry".split())
    assert not is_setting("In Phnom Penh opposition lawmaker".split())
    assert not is_setting("ministry spokesman".split())


def test_an_official_of_a_private_body_names_no_side(lex):
    assert side_from_mention("a ministry official", lex) == "government"
    assert side_from_mention("a bank official in Phnom Penh", lex) is None
    assert side_from_mention("a company spokesman", lex) is None
    assert side_from_mention("a company official of the ruling party", lex) == "ruling party"


def test_a_private_officials_plain_remark_is_not_prefilled():
    nlp = load_pipeline(None)
    gov = "A ministry official said the office would reopen after the holiday."
    bank = "A bank official said the office would reopen after the holiday."
    assert [q.stance for q in nlp(gov)._.quotes] == ["favor"]
    assert [q.stance for q in nlp(bank)._.quotes] == [None]


def test_topic_words_are_no_weak_signals(lex):
    for text in ("The free tickets filled the stadium.", "He met opposition figures in Bangkok.",
                 "They asked the Security Council to meet.", "The arrest was made at noon.",
                 "Voters came despite threats.", "They spoke of foreign pressure.",
                 "He was prevented from boarding."):
        ev = evidence(text, lex)
        assert ev["favor"] == ev["against"] == 0.0, text
    for text in ("We will respond.", "They plan to seize power."):
        assert evidence(text, lex)["neutral"] == 0.0, text
    assert evidence("The vote was not free and fair.", lex)["against"] > 0  # the framing still tells
    assert evidence("It was a threat to national security.", lex)["favor"] > 0


def test_plural_rights_organisations_are_ngos(lex):
    assert side_from_mention("eleven human rights organisations", lex) == "NGO"
    assert side_from_mention("two rights organizations", lex) == "NGO"
