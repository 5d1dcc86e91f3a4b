"""rules-6 (H-attr6), the trained pipeline's subject on unseen text (``trained_nlp``; the blank
pipeline, which reads no parse, agrees: ``blank_and_trained``). Invented sentences.

A place that opens the sentence ("In Chiro market, a noodle seller ... said", "Back in Prey
Kabas, Chea Dara says") is no subject, though the parser may take it for one; a nationality the
parser hangs on the verb as a second subject ("Thai acting Prime Minister Somchai Noi told")
is no speaker; a tagger's person entity that leaves out a name's first word ("Sok Heng" of
"Ham Sok Heng") does not replace the name as written.
"""

from __future__ import annotations


def speakers(nlp, text):
    return [(q.text, q.speaker) for q in nlp(text)._.quotes]


def parsed(words, heads, deps, tags, ents=None):
    """A Doc as a parser may leave it (the trained pipeline's errors depend on context, so the
    parse is given, not produced)."""
    import spacy
    from spacy.tokens import Doc

    return Doc(spacy.blank("en").vocab, words=words, heads=heads, deps=deps, tags=tags, ents=ents)


def test_place_opener_is_no_subject():
    from toolkit.core.frames import _speaker_from_parse

    # "Back in Prey Kabas, Chea Dara says ...": the parser made "Kabas" the subject, "Dara" its appositive
    words = ["Back", "in", "Prey", "Kabas", ",", "Chea", "Dara", "says", "he", "will", "go"]
    heads = [7, 0, 3, 7, 3, 6, 3, 7, 10, 10, 7]
    deps = ["advmod", "prep", "compound", "nsubj", "punct", "compound", "appos", "ROOT", "nsubj", "aux", "ccomp"]
    tags = ["RB", "IN", "NNP", "NNP", ",", "NNP", "NNP", "VBZ", "PRP", "MD", "VB"]
    doc = parsed(words, heads, deps, tags)
    assert _speaker_from_parse(doc, 7) is None  # the readers without a parse take the name after the comma


def test_nationality_is_no_second_subject():
    from toolkit.core.frames import _speaker_from_parse

    # "Thai acting Prime Minister Somchai Noi told ...": "Thai" hung on the verb as a second subject
    words = ["Thai", "acting", "Prime", "Minister", "Somchai", "Noi", "told", "reporters"]
    heads = [6, 3, 3, 5, 5, 6, 6, 6]
    deps = ["nsubj", "amod", "compound", "compound", "compound", "nsubj", "ROOT", "dobj"]
    tags = ["NNP", "VBG", "NNP", "NNP", "NNP", "NNP", "VBD", "NNS"]
    doc = parsed(words, heads, deps, tags, ents=["B-NORP", "O", "O", "O", "B-PERSON", "I-PERSON", "O", "O"])
    assert _speaker_from_parse(doc, 6) == (1, 6)  # "acting Prime Minister Somchai Noi", not "Thai"


def test_entity_missing_the_first_name_word(blank_and_trained):
    text = "Defence lawyer Ham Sok Heng told the court his clients had been at home."
    assert speakers(blank_and_trained, text) == [("his clients had been at home", "Ham Sok Heng")]
