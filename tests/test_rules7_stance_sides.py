"""Rules-7 stance: the side read for speakers and claims outside the registry.

* A claim of sovereignty or self-defence takes the side of the state it is made for
  (GUIDELINES.md: in a dispute between Cambodia and another state, defending Cambodia's side is
  favor, blaming Cambodia against, whoever speaks): stance.claim_owner, stance_signals.yaml
  sovereignty_claims and home_state; a claim that blames a state for the fighting ("Cambodian
  boats fired first") the reverse (blame_claims), and one that only answers it ("Lao troops only
  returned fire") defends its state.
* Words before a name that end in a preposition are about someone else ("the union at the
  Golden Lotus casino"): they are no title of the name (stance.ends_in_preposition), so a
  company is not read as a union or an NGO because its workers' union is named before it.
* A state body named after a place that is not Cambodian ("Yunnan Police") is no Cambodian
  state body: its side is left unknown (stance.foreign_body, stance_signals.yaml place_bodies,
  home_places, body_qualifiers), while Cambodia's own ("Siem Reap Police", "National Police",
  "the Provincial Court") stay the government's.
* A side word inside a business's name ("Union Star Casino", "Freedom Garment Factory") names
  no side (stance.business_names, stance_signals.yaml business_nouns); a side phrase that ends
  the name ("World Bank") still does; nor does an official of a federation or an association
  (stance_signals.yaml mention_roles.unknown, as "a bank official").

The sentences are constructed for these tests (no article text)."""

from test_stance import lex  # noqa: F401 (the shipped lexicon fixture, one home)
from toolkit.core.stance import propose_stance, side_from_mention, speaker_context


def test_a_foreign_states_self_defence_is_its_own_side(lex):
    text = "Cambodian patrol boats opened fire first and Vietnam acted in self-defence to protect its sovereignty"
    assert propose_stance(text, "foreign government", lex)[0] == "against"
    assert propose_stance(text, None, lex)[0] == "against"


def test_cambodias_self_defence_and_sovereignty_are_favor(lex):
    assert propose_stance("Vietnamese boats fired first and Cambodia had the right to defend itself", None, lex)[0] == "favor"
    assert propose_stance("China respects the sovereignty of Cambodia", "foreign government", lex)[0] == "favor"


def test_sovereignty_with_no_state_named_is_unchanged(lex):
    # no owner: "sovereignty" keeps its entry in strong_signals (favor), "self-defence" counts nothing
    assert propose_stance("This is a matter of sovereignty.", None, lex)[0] == "favor"
    assert propose_stance("It was self-defence.", None, lex)[1] < 0.505


def test_a_body_named_after_a_preposition_is_not_the_body_before_it(lex):
    t = "Keo Dara, who leads the union at the Golden Lotus casino, was jailed. Golden Lotus said the lay-offs were lawful."
    i = t.rindex("Golden Lotus")
    assert side_from_mention(speaker_context(t, (i, i + 12), "Golden Lotus"), lex) is None
    t = "A lawyer for the rights group Adhoc said so. Adhoc said the lay-offs were unlawful."
    i = t.rindex("Adhoc")
    assert side_from_mention(speaker_context(t, (i, i + 5), "Adhoc"), lex) == "NGO"


def test_a_foreign_places_police_is_not_the_cambodian_state(lex):
    assert side_from_mention("Queensland Police", lex) is None
    assert side_from_mention("Yunnan Army", lex) is None
    assert side_from_mention("Queensland Police said the march was orderly", lex) is None
    for home in ("Siem Reap Police", "Kandal Provincial Court", "Military Police", "The Police", "police"):
        assert side_from_mention(home, lex) == "government", home
    assert side_from_mention("Thai Police", lex) == "foreign government"


def test_an_unknown_foreign_body_leaves_the_stance_to_the_words(lex):
    # the government's prior alone pre-filled favor on a foreign police report
    assert propose_stance("the march was orderly and nobody was detained", side_from_mention("Queensland Police", lex), lex)[1] < 0.505


def test_a_word_inside_a_business_name_names_no_side(lex):
    assert side_from_mention("Union Star Casino", lex) is None
    assert side_from_mention("Freedom Garment Factory", lex) is None
    assert side_from_mention("the union at Golden Star Casino", lex) == "NGO"
    assert side_from_mention("The World Bank", lex) == "international body"
    assert side_from_mention("the Asian Development Bank", lex) == "international body"


def test_an_official_of_a_federation_or_association_names_no_side(lex):
    assert side_from_mention("A federation official", lex) is None
    assert side_from_mention("an association official in Kampot", lex) is None
    assert side_from_mention("a labour federation official", lex) == "NGO"
    assert side_from_mention("a ministry official", lex) == "government"


def test_blaming_a_state_for_the_fighting_takes_the_other_side(lex):
    assert propose_stance("Cambodian patrol boats fired first near the island", "foreign government", lex)[0] == "against"
    assert propose_stance("Lao patrol boats fired first near the island", None, lex)[0] == "favor"
    assert propose_stance("Lao troops had only returned fire", "foreign government", lex)[0] == "against"
    assert propose_stance("our soldiers only returned fire", None, lex)[1] < 0.505  # no state named: nothing
