"""rules-3, description resolution: "the spokesman", "the envoy", "the former army commander",
"the group" resolve to the most recent compatible person or body the article named before
(toolkit.core.speakers: SpeakerResolver.description, find_descriptions).

Invented sentences and invented names (none is in configs/speakers.yaml), blank pipeline; the
resolver tests use a small registry of their own.
"""

from __future__ import annotations

import pytest

from toolkit.config import Registry, Role, Speaker
from toolkit.core.speakers import SpeakerResolver, described_subject, find_descriptions
from toolkit.pipeline import load_lexicons


@pytest.fixture(scope="module")
def lex():
    return load_lexicons().mentions


def quotes(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker, q.rule) for q in nlp(text)._.quotes]


def test_appositive_then_the_spokesman(nlp):
    text = "Chan Borey, a ruling party spokesman, rejected the report on Monday. “It is fiction,” the spokesman said."
    [(content, mention, speaker, rule)] = quotes(nlp, text)
    assert (content, mention, speaker) == ("It is fiction,", "the spokesman", "Chan Borey")
    assert rule.endswith("+description")


def test_title_before_the_name_wins_over_a_nearer_speaker_without_that_role(nlp):
    text = (
        "Foreign Ministry spokesman Chan Borey said the border would stay open. "
        "Keo Ratanak, an opposition lawmaker, said the talks had failed. "
        "The spokesman said the talks would resume next week."
    )
    got = quotes(nlp, text)
    assert got[-1][1:3] == ("The spokesman", "Chan Borey")
    assert got[1][2] == "Keo Ratanak"


def test_modifiers_and_a_name_described_only_in_narration(nlp):
    text = "Former army commander Nhem Sophal attended the ceremony. The former army commander said the army was loyal to the king."
    [(_, mention, speaker, rule)] = quotes(nlp, text)
    assert (mention, speaker) == ("The former army commander", "Nhem Sophal")
    assert rule.endswith("+description")


def test_envoy_to_a_body_and_the_envoy(nlp):
    text = "Officials met Vann Sothea, the Cambodian envoy to the United Nations, on Friday. The envoy said Cambodia would not accept foreign interference."
    assert quotes(nlp, text)[0][2] == "Vann Sothea"


def test_a_body_noun_takes_the_body_described_with_it(nlp):
    text = "The Khmer Workers Network, a local rights group, counted 40 arrests. The group said the detainees had been beaten."
    [(_, mention, speaker, rule)] = quotes(nlp, text)
    assert (mention, speaker) == ("The group", "Khmer Workers Network")


def test_unresolved_description_keeps_its_mention_and_no_name(nlp):
    # rules-5 (H-attr2): the mention stays, but "The envoy" is no speaker name to pre-fill
    text = "The envoy said Cambodia would not accept foreign interference."
    [(_, mention, speaker, rule)] = quotes(nlp, text)
    assert (mention, speaker) == ("The envoy", None)
    assert rule.endswith("+description_unresolved")


def test_a_described_subject_is_the_antecedent_of_he(nlp):
    text = "Chan Borey, a ruling party spokesman, rejected the report on Monday. “It is fiction,” he said."
    assert quotes(nlp, text)[0][2] == "Chan Borey"


def test_a_name_described_in_passing_is_the_last_resort_of_he(nlp):
    # Vann Sothea is an object: "he" takes him only when no speaker or subject fits
    text = "Officials met Vann Sothea, the Cambodian envoy, on Friday. “We will not bow,” he said."
    [(_, _, speaker, rule)] = quotes(nlp, text)
    assert (speaker, rule) == ("Vann Sothea", "postposed_quote+pronoun_described")
    text = "Chan Borey said the harbour would close. Officials met Vann Sothea, the envoy, on Friday. “We will not bow,” he said."
    assert quotes(nlp, text)[-1][2] == "Chan Borey"


@pytest.fixture()
def resolver(lex):
    reg = Registry(
        [
            Speaker("Sok Dara", "government", roles=(Role("Prime Minister of Cambodia"),), gender="male"),
            Speaker("Keo Rith", "opposition", roles=(Role("party president"),), gender="male"),
            Speaker("Rights Watchers", "NGO", kind="organisation"),
            Speaker("People's Front", "ruling party", kind="organisation", aliases=("the Front",)),
        ]
    )
    return SpeakerResolver(reg, lex)


def test_premier_and_leader_use_registry_role_titles(resolver):
    resolver.note(0, "Sok Dara")
    resolver.note(50, "Keo Rith")
    assert resolver.resolve("the long-serving premier", 100).name == "Sok Dara"
    r = resolver.resolve("the opposition leader", 100)
    assert (r.name, r.how) == ("Keo Rith", "description")
    # a side word rules out the nearer government leader
    resolver.note(80, "Sok Dara")
    assert resolver.resolve("the opposition leader", 100).name == "Keo Rith"
    assert resolver.resolve("the leader", 100).name == "Sok Dara"


def test_body_noun_by_affiliation_and_never_a_person(resolver):
    resolver.note(0, "Rights Watchers")
    resolver.note(40, "Keo Rith")
    assert resolver.resolve("the group", 100).name == "Rights Watchers"
    assert resolver.resolve("the spokesman", 100).how == "description_unresolved"  # no spokesman seen: no name (rules-5)


def test_generic_noun_takes_the_nearest_person(resolver):
    resolver.note(0, "Keo Rith")
    r = resolver.resolve("the exiled politician", 30)
    assert (r.name, r.how) == ("Keo Rith", "description_nearest")


def test_find_descriptions_forms(lex):
    text = (
        "In Phnom Penh, Cambodia’s Defense Ministry spokesman Chan Borey said no. "
        "A spokesman for the ruling party, Keo Ratanak, said yes. Nhem Sophal, CPP spokesman, agreed. "
        "On Monday, the ministry said nothing. Sam Dara, Keo Vy and Mey Lin met."
    )
    got = {(name, desc) for _, name, desc, _ in find_descriptions(text, lex, frozenset({"monday"}))}
    assert ("Chan Borey", "Defense Ministry spokesman") in got
    assert ("Keo Ratanak", "A spokesman for the ruling party") in got
    assert ("Nhem Sophal", "CPP spokesman") in got
    names = {name for name, _ in got}
    assert not names & {"Monday", "Keo Vy", "Phnom Penh"}  # a day, a list, a place without description


def test_described_subject(lex):
    assert described_subject("Chan Borey, a ruling party spokesman, said", 0, 10, lex) == ("a ruling party spokesman", "person")
    assert described_subject("Chan Borey, however, said", 0, 10, lex) is None
    assert described_subject("In Kampot, the capital, rain fell", 0, 9, lex) is None


def test_hyphenated_descriptions(resolver):
    resolver.registry.speakers  # the fixture's registry
    resolver.note(0, "Keo Rith")
    # "party president" fits "the president"; "the vice-president" needs a vice president
    assert resolver.resolve("the president", 20).name == "Keo Rith"
    assert resolver.resolve("the vice-president", 20).how == "as_written"
