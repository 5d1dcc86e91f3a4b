"""rules-5 (H-attr2), coordinated speakers: "A and B said" is one speaker mention covering both
conjuncts (frames.conjoined_speaker), for two names ("Licadho and Adhoc", "Keo Vy and Chan
Dara": the mention covers both, and no name is pre-filled, as two speakers have no one
canonical name: speakers.SpeakerResolver.joint) and for two modifiers of one
plural head ("a coalition of nine labour and rights groups", kept as written). Before, "and"
ended the speaker phrase: the nearest conjunct only, and a postposed report after "..., a
coalition of X and Y groups said" was not found at all. Invented sentences; blank pipeline.
"""

from __future__ import annotations


def spoken(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker, q.rule)
            for q in nlp(text)._.quotes]


def test_a_coalition_of_coordinated_groups_after_the_report(nlp):
    text = "The authorities must free the four union leaders, a coalition of nine labour and rights groups said on Thursday."
    [(content, mention, name, rule)] = spoken(nlp, text)
    assert content == "The authorities must free the four union leaders"
    assert (mention, name) == ("a coalition of nine labour and rights groups", "a coalition of nine labour and rights groups")


def test_two_registry_bodies_are_a_joint_speaker(nlp):
    text = "Licadho and Adhoc said in a joint statement that the arrests were unlawful."
    [(content, mention, name, rule)] = spoken(nlp, text)
    assert (content, mention, name) == ("the arrests were unlawful", "Licadho and Adhoc", None)
    assert rule.endswith("+joint")


def test_each_conjunct_is_an_antecedent(nlp):
    # each conjunct is an antecedent on its own: "Dara" later is Chan Dara
    text = "Keo Vy and Chan Dara said the arrests were unlawful. On Friday, Dara said that he had been beaten."
    got = spoken(nlp, text)
    assert [(m, n) for _, m, n, _ in got] == [("Keo Vy and Chan Dara", None), ("Dara", "Chan Dara")]


def test_clauses_joined_by_and_are_no_coordinated_subject(nlp):
    text = "The strike ended and union leaders said they would return to work."
    [(_, mention, _, _)] = spoken(nlp, text)
    assert mention == "union leaders"
    text = "Police arrested Keo Vy and Chan Dara said the arrests were unlawful."
    [(_, mention, _, _)] = spoken(nlp, text)
    assert mention == "Chan Dara"


def test_a_registry_name_with_and_stays_one_name(nlp):
    text = "The Ministry of Labour and Vocational Training said wages would rise."
    [(_, mention, name, rule)] = spoken(nlp, text)
    assert (mention, name) == ("The Ministry of Labour and Vocational Training", "Ministry of Labour and Vocational Training")
