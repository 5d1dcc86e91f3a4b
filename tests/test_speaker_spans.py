"""Speaker mention spans cover the speaker only (blank pipeline: the left walk over words).

Invented sentences. Each case names the rule of toolkit.core.frames that keeps the extra words
out of the mention: a place after a preposition of place, a time expression, words in another
script, filler words before a name, symbols between the speaker and the cue, a verb or a
determiner that is no noun phrase.
"""

from __future__ import annotations

import pytest



def mentions(nlp, text):
    doc = nlp(text)
    return [(text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker) for q in doc._.quotes]


@pytest.mark.parametrize(
    "text, mention, speaker",
    [
        # a capitalised place after a preposition of place (registry name, or a two-word name)
        ("In Jakarta Sam Rainsy said the party would return to Cambodia.", "Sam Rainsy", "Sam Rainsy"),
        ("In Phnom Penh Hun Sen said the election would be held in July.", "Hun Sen", "Hun Sen"),
        ("At Lisbon Maria Gomes said the harbour would stay closed for a week.", "Maria Gomes", "Maria Gomes"),
        ("In Oslo Donald J. Ferris said the talks would resume.", "Donald J. Ferris", "Donald J. Ferris"),
        ("In Washington the opposition leader said the sanctions would work.", "the opposition leader", None),
        # time expressions
        ("Yesterday evening John Smith said the talks failed.", "John Smith", "John Smith"),
        ("On Monday Kem Sokha said the party would boycott the vote.", "Kem Sokha", "Kem Sokha"),
        ("Last week the spokesman said the ministry would respond.", "the spokesman", None),
        # lower-case words that are no title or description
        ("ok foo bar Sam Rainsy said: “The party will return to Cambodia soon.”", "Sam Rainsy", "Sam Rainsy"),
        # words in another script (the Khmer full stop is attached to the word: no sentence end)
        ("លោក និយាយ។ Sam Rainsy said the party would return to Cambodia.", "Sam Rainsy", "Sam Rainsy"),
        ("Он сказал Sam Rainsy said the party would return to Cambodia.", "Sam Rainsy", "Sam Rainsy"),
        # an emoji between the speaker and the cue
        ("Hun Sen 😀 said: “We will win the election easily.”", "Hun Sen", "Hun Sen"),
        ("Hun Sen ✅ said: “We will win the election easily.”", "Hun Sen", "Hun Sen"),
        # a word before an article is not part of the mention
        ("The ministry wants a ban, something the union has said it will fight in court.", "the union", None),
    ],
)
def test_mention_covers_only_the_speaker(nlp, text, mention, speaker):
    got = mentions(nlp, text)
    assert got, text
    assert got[0][0] == mention
    if speaker is not None:
        assert got[0][1] == speaker


@pytest.mark.parametrize(
    "text, mention",
    [
        # descriptions and titles before a name stay in the mention
        ("Opposition leader Sam Rainsy said the party would return to Cambodia.", "Opposition leader Sam Rainsy"),
        ("Later, party vice president Mu Sochua said the vote was unfair.", "party vice president Mu Sochua"),
        ("The Sunday Times reported that the minister would resign.", "The Sunday Times"),
        ("A 30-year-old activist said the police had beaten him.", "A 30-year-old activist"),
        ("Mayor Bill de Blasio said the subway would reopen on Monday.", "Mayor Bill de Blasio"),
    ],
)
def test_descriptions_and_names_are_kept(nlp, text, mention):
    assert mentions(nlp, text)[0][0] == mention


def test_a_verb_is_not_a_speaker_a_plural_noun_cue_is_its_own_source(nlp):
    # "received" was proposed as the speaker; the reports are the source
    text = "The union has received further reports that workers in the north were not paid."
    assert mentions(nlp, text) == [("further reports", "unnamed reports")]


def test_an_ing_cue_after_a_verb_phrase_takes_the_subject(nlp):
    # "spent the" was proposed as the speaker: the subject is the relative pronoun
    text = "Nobody trusts Hun Sen, who has spent the last two years deriding his rivals as traitors."
    got = mentions(nlp, text)
    assert got and got[0] == ("who", "Hun Sen")


def test_no_mention_is_lower_case_words_without_a_noun(nlp):
    for text in (
        "Officials in the capital have spent the week saying that the border is open.",
        "The group has received a letter, saying that the border is open.",
    ):
        for mention, _ in mentions(nlp, text):
            assert mention is None or mention.split()[-1].lower() not in ("the", "a", "received", "spent")


def test_khmer_full_stop_ends_a_sentence_when_it_stands_alone(nlp):
    doc = nlp("លោក និយាយ ។ Sam Rainsy said the party would return to Cambodia.")
    assert [s.text for s in doc.sents][-1] == "Sam Rainsy said the party would return to Cambodia."


def test_a_noun_cue_after_an_indefinite_article_and_an_adjective_is_no_cue(nlp):
    # "send a strong" was proposed as a speaker: "signal" is a noun here
    assert mentions(nlp, "Her visit will send a strong signal that the talks will resume.") == []
