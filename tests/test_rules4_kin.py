"""rules-4, family-word relays: "her father", "his daughter" resolve to the person the article
relates to the teller with the inverse family word, stated before the mention
(toolkit.core.speakers: SpeakerResolver.kin, stated_kin; the words are ``kin_nouns`` in
configs/mentions.yaml). Without such a statement the mention stays as written: the article may
never name the relative. Invented sentences and names (none in configs/speakers.yaml); blank
pipeline (spacy.blank + sentencizer).
"""

from __future__ import annotations

import pytest

from toolkit.core.speakers import stated_kin


def spoken(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker, q.rule) for q in nlp(text)._.quotes]


def test_appositive_child_relays_her_father(nlp):
    text = (
        "A court will rule on Friday in the case of union leader Keo Ratanak.\n\n"
        "Keo Sreyneang, his daughter, said her father had told her by phone that he was ready for any outcome."
    )
    [(content, mention, speaker, rule)] = spoken(nlp, text)
    assert (content, mention, speaker) == ("he was ready for any outcome", "her father", "Keo Ratanak")
    assert rule.endswith("+kin")


def test_the_mother_of_relays_her_daughter(nlp):
    text = "The mother of activist Chan Sophorn said her daughter had told her during a visit that she regretted nothing."
    [(content, mention, speaker, rule)] = spoken(nlp, text)
    assert (content, mention, speaker) == ("she regretted nothing", "her daughter", "Chan Sophorn")
    assert rule.endswith("+kin")


def test_possessive_relation(nlp):
    text = "Nhem Dara’s wife said her husband had told her that the fine would be paid."
    [(content, mention, speaker, _)] = spoken(nlp, text)
    assert (content, mention, speaker) == ("the fine would be paid", "her husband", "Nhem Dara")


def test_no_stated_relation_stays_as_written(nlp):
    text = "Keo Ratanak was arrested on Monday. His mother said the arrest was unjust."
    [(content, mention, speaker, rule)] = spoken(nlp, text)
    assert (content, mention, speaker) == ("the arrest was unjust", "His mother", "His mother")
    assert not rule.endswith("+kin")


def test_a_relation_of_the_wrong_kind_is_not_used(nlp):
    # "his brother" says nothing about who her father is
    text = "Keo Ratanak, his brother, said her father had told her that the talks failed."
    [(_, mention, speaker, rule)] = spoken(nlp, text)
    assert (mention, speaker) == ("her father", "her father")


@pytest.mark.parametrize(
    "text, words, expected",
    [
        ("The mother of activist Keo Vy said", ("mother",), (4, "Keo Vy", None)),
        ("Keo Vy’s mother said", ("mother",), (0, "Keo Vy", None)),
        ("Chan Sovann, his daughter, said", ("daughter",), (11, None, "his")),
        ("Keo Vy met her lawyer.", ("mother",), None),
    ],
)
def test_stated_kin(text, words, expected):
    assert stated_kin(text, words) == expected
