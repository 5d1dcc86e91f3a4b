"""rules-5 (H-attr), speakers on unseen text: a person outside the registry introduced with a
title ("Malaysian Foreign Minister Mohamad Hasan said ...") or as a bare name subject ("Sok
Chanthy was 24 ...") is an antecedent for a later "he"/"she" and "the minister"; military ranks
and nationalities are titles, not part of the name; "who asked not to be named" is an anonymity
formula, no quote. Invented sentences; blank pipeline (``nlp``) unless said.
"""

from __future__ import annotations

from toolkit.core.speakers import bare_name, titled_name
from test_rules4_pronouns import speakers  # (quote text, speaker mention, name) of each quote: one home




def test_role_noun_after_a_titled_unregistered_minister(nlp):
    text = (
        "Prime Minister Hun Manet said the border was calm.\n\n"
        "Indonesian Foreign Minister Budi Santoso said the bloc would meet on Friday. The minister said he had called both capitals."
    )
    got = speakers(nlp, text)
    assert got[-1] == ("he had called both capitals", "The minister", "Budi Santoso")


def test_she_after_a_bare_name_subject_without_speech_verb(nlp):
    text = (
        "Chan Sreypov was a teacher when she lost her job. Twelve years later she still lives in the village.\n\n"
        "She says nobody has offered her work since."
    )
    got = speakers(nlp, text)
    assert got == [("nobody has offered her work since", "She", "Chan Sreypov")]


def test_a_quantifier_opens_no_bare_name():
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons().mentions
    assert not bare_name("Neither Clinton", lex) and not bare_name("Most Americans", lex) and bare_name("Keo Sarath", lex)


def test_a_rank_is_a_title_not_part_of_the_name(nlp):
    text = "A Thai army spokesman, Colonel Anan Rojana, said the troops had held their positions."
    assert speakers(nlp, text)[0][2] == "Anan Rojana"


def test_asked_not_to_be_named_is_no_quote(nlp):
    text = "A senior diplomat in Phnom Penh, who asked not to be named, said embassies would wait for the count."
    got = speakers(nlp, text)
    assert [g[0] for g in got] == ["embassies would wait for the count"]


def test_titled_name():
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons().mentions
    assert titled_name("Japanese Foreign Ministry press secretary Sato Kenji", lex) == ("Sato Kenji", "Japanese Foreign Ministry press secretary")
    assert titled_name("Cambodian People’s Party", lex) is None  # a body, no person title
    assert titled_name("Sato Kenji", lex) is None  # no title
    assert bare_name("Sato Kenji", lex) and not bare_name("Phnom Penh Municipal Court", lex) and not bare_name("The Party", lex)


def test_said_on_condition_of_anonymity_is_still_a_report(nlp):
    text = "An official said on condition of anonymity that the minister would resign."
    assert [g[0] for g in speakers(nlp, text)] == ["the minister would resign"]


def test_the_before_a_registry_name_with_a_possessive(nlp):
    text = "The Cambodian People’s Party on Thursday said the claims were invented."
    assert speakers(nlp, text)[0][2] == "Cambodian People's Party"


def test_a_generic_worker_is_the_nearest_person(nlp):
    text = (
        "Keo Sarath, a monitoring manager at a rights group, said the women had been taken away.\n\n"
        "“They were only holding a banner,” the rights worker said."
    )
    assert speakers(nlp, text)[-1][1:] == ("the rights worker", "Keo Sarath")


def test_a_description_kept_as_written_asks_to_be_checked(nlp):
    text = "“The road will stay closed until Friday,” a district official said. “We have no choice,” Keo Sarath said."
    got = nlp(text)._.quotes
    assert got[0].speaker == "a district official" and got[1].speaker == "Keo Sarath"
    assert got[0].score < got[1].score  # a description is never the canonical name


def test_two_edits_make_another_name_not_a_variant(nlp):
    # "Mam Bunneang" (not in the registry) is not the registry's "Mam Bunheng"; "Phay Siphanh" is Phay Siphan
    text = "Senate spokesman Mam Bunneang told reporters the changes were needed. Phay Siphanh said the vote was fair."
    got = speakers(nlp, text)
    assert [g[2] for g in got] == ["Mam Bunneang", "Phay Siphan"]


def test_a_spokeswoman_is_no_antecedent_for_he(nlp):
    text = (
        "Government spokesman Pen Bona said the talks would go on.\n\n"
        "Thai army spokeswoman Colonel Nantana Srisuk said the crossings would stay closed. “We will decide next week,” he said."
    )
    assert speakers(nlp, text)[-1][2] == "Pen Bona"  # the nearer person is a spokeswoman


def test_an_age_noun_is_the_speaker_with_the_tagger(trained_nlp):
    text = "“The fish are fewer every year,” the 51-year-old said, sorting his catch."
    got = [(q.text, text[q.speaker_start : q.speaker_end]) for q in trained_nlp(text)._.quotes]
    assert got == [("The fish are fewer every year,", "the 51-year-old")]


def test_an_entity_speaker_drops_its_article(trained_nlp):
    text = "The Fisheries Administration said in a statement on Friday that 43 illegal nets had been seized."
    assert [q.speaker for q in trained_nlp(text)._.quotes] == ["Fisheries Administration"]
