"""rules-5 (H-attr2), a body's name after "The" keeps its first word: "The Cambodian Red Cross
said" is proposed as "Cambodian Red Cross", not "Red Cross" (the nationality was taken for a
person's title and stripped: a wrong new-speaker name to pre-fill). A person's title stays
stripped. Invented sentences; blank pipeline.
"""

from __future__ import annotations

from toolkit.core.speakers import name_after_article


def names(nlp, text):
    return [(text[q.speaker_start : q.speaker_end], q.speaker) for q in nlp(text)._.quotes]


def test_a_body_with_a_nationality_keeps_it(nlp):
    text = "The Cambodian Red Cross said it had handed out 4,000 family kits."
    assert names(nlp, text) == [("The Cambodian Red Cross", "Cambodian Red Cross")]


def test_a_titled_person_loses_the_title(nlp):
    text = "The Malaysian Foreign Minister Anwar Rahim said the bloc would meet on Friday."
    assert names(nlp, text) == [("The Malaysian Foreign Minister Anwar Rahim", "Anwar Rahim")]
    text = "Thai army spokeswoman Colonel Nantana Srisuk said the border was calm."
    assert names(nlp, text)[0][1] == "Nantana Srisuk"


def test_name_after_article_on_the_project_lexicon():
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons().mentions
    assert name_after_article("The Cambodian Journalists Alliance Association", lex) == "Cambodian Journalists Alliance Association"
    assert name_after_article("The Thai Colonel Sakda Prasertsuk", lex) is None
    assert name_after_article("The Cambodian rights group", lex) is None
