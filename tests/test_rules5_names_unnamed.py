"""rules-5 (H-attr2), no name for an unresolved mention: a pronoun with no antecedent ("She
said ...") or a definite role description no earlier speaker fits ("the spokesman",
"the 51-year-old") keeps its SPEAKER span but names nobody (``speaker`` None,
low score): Label Studio would otherwise type "She" or "the spokesman" into the new-speaker
box as if it were the canonical name. Invented sentences; blank pipeline (``nlp``).
"""

from __future__ import annotations

from toolkit.core.speakers import unresolved_description


def speakers(nlp, text):
    return [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None, q.speaker, q.rule, q.score)
            for q in nlp(text)._.quotes]


def test_a_pronoun_with_no_antecedent_keeps_its_span_and_no_name(nlp):
    text = "The market closed early on Monday.\n\nShe said the traders would return next week."
    [(content, mention, name, rule, score)] = speakers(nlp, text)
    assert (content, mention, name) == ("the traders would return next week", "She", None)
    assert rule.endswith("+pronoun_unresolved") and score < 0.7


def test_a_role_noun_with_no_antecedent_keeps_its_span_and_no_name(nlp):
    text = "The market closed early on Monday.\n\nThe spokesman said the traders would return next week."
    [(content, mention, name, rule, score)] = speakers(nlp, text)
    assert (mention, name) == ("The spokesman", None)
    assert rule.endswith("+description_unresolved") and score < 0.7


def test_a_pronoun_and_a_role_noun_with_an_antecedent_still_name_it(nlp):
    text = (
        "Keo Sarath, a ministry spokesman, said the market would open on Monday. "
        "The spokesman said the traders would return next week. He said prices would fall."
    )
    got = speakers(nlp, text)
    assert [(m, n) for _, m, n, _, _ in got] == [("Keo Sarath", "Keo Sarath"), ("The spokesman", "Keo Sarath"), ("He", "Keo Sarath")]


def test_an_indefinite_or_plural_description_stays_as_written(nlp):
    text = "The market closed early on Monday.\n\nA party official said the traders would return. The protesters said they would stay."
    got = speakers(nlp, text)
    assert [(m, n) for _, m, n, _, _ in got] == [("A party official", "A party official"), ("The protesters", "The protesters")]


def test_unresolved_description_on_the_project_lexicon():
    from toolkit.pipeline import load_lexicons

    lex = load_lexicons().mentions
    assert unresolved_description("the spokesman", lex) and not unresolved_description("the group", lex)
    assert unresolved_description("the 51-year-old", lex) and unresolved_description("her lawyer", lex)
    assert not unresolved_description("The Fisheries Administration", lex)
    assert not unresolved_description("the rights groups", lex) and not unresolved_description("the report", lex)


def test_a_channel_is_no_speaker_name(nlp):
    # GUIDELINES: a statement is attributed to its author; "The statement" is no name to pre-fill
    text = "The embassy issued a statement on Friday.\n\nThe statement said the aid would arrive next month."
    [(content, mention, name, rule, _)] = speakers(nlp, text)
    assert (content, mention, name) == ("the aid would arrive next month", "The statement", None)
    assert rule.endswith("+description_unresolved")
