"""Quote span boundaries (toolkit.core.frames / attribute): where a reported clause starts and ends.

Each boundary error costs an annotator a delete + redraw + relink in Label Studio, so the rules
follow docs/annotation conventions: a report in a relative clause starts after the relative
pronoun, narrator material is left out, a postposed attribution takes the whole clause.
Invented sentences only; both the blank and the trained pipeline.
"""

import pytest




@pytest.fixture
def nlp(blank_and_trained):
    """Every test here runs on the blank and the trained pipeline (tests/conftest.py)."""
    return blank_and_trained


def spans(nlp, text):
    return {q.text: q for q in nlp(text)._.quotes}


def test_relative_clause_report_starts_after_the_relative_pronoun(nlp):
    text = "The ministry announced new rules for the harbour, which the fishermen say are just a tax on their catch."
    qs = spans(nlp, text)
    assert "the fishermen say are just a tax on their catch" in qs
    assert "are just a tax on their catch" not in qs


def test_zero_relative_report_starts_at_its_speaker(nlp):
    text = "The council wants the union to drop its chairman, something the union has said it will never do."
    qs = spans(nlp, text)
    assert "the union has said it will never do" in qs
    assert "it will never do" not in qs


def test_report_after_what_starts_at_its_speaker_and_ends_the_main_clause(nlp):
    text = "The mayor said more than 40 traders had been fined before the market reopened in May, in what the traders labelled a shakedown."
    qs = spans(nlp, text)
    assert "more than 40 traders had been fined before the market reopened in May" in qs
    assert "the traders labelled a shakedown" in qs


def test_second_verb_phrase_of_the_speaker_ends_the_clause(nlp):
    text = 'The engineer said she was still confident that the bridge would open on time, but did not say when. "We are close," she said.'
    qs = spans(nlp, text)
    q = qs["she was still confident that the bridge would open on time"]
    assert q.kind == "indirect"
    assert "We are close," in qs


def test_clause_never_runs_into_the_next_quoted_sentence(nlp):
    text = 'The engineer said the team had finished the survey. "We are close," she said.'
    qs = spans(nlp, text)
    assert "the team had finished the survey" in qs
    assert qs["the team had finished the survey"].kind == "indirect"


def test_clause_does_not_start_with_a_comma(nlp):
    text = "The candidate said that, if elected, she would close the old mine within a year."
    qs = spans(nlp, text)
    assert "if elected, she would close the old mine within a year" in qs


def test_postposed_quotation_inside_a_clause_takes_the_whole_clause(nlp):
    text = "Whether the villagers will accept the new dam is “an open question, given how often they have been let down,” said a local teacher."
    qs = spans(nlp, text)
    q = qs["Whether the villagers will accept the new dam is “an open question, given how often they have been let down,”"]
    assert q.kind == "mixed"


def test_postposed_quotation_opening_the_sentence_stays_direct(nlp):
    text = "“The dam is an open question,” said a local teacher."
    qs = spans(nlp, text)
    assert qs["The dam is an open question,"].kind == "direct"


def test_coordinated_clause_with_its_own_subject_stays_in_the_report(nlp):
    text = 'Spokesman Chan Dara said the league believed in fair play, but the club\'s "reckless act" had ruined it.'
    qs = spans(nlp, text)
    assert 'the league believed in fair play, but the club\'s "reckless act" had ruined it' in qs


def test_present_tense_as_clause_of_the_narrator_ends_a_past_report(nlp):
    text = "She said the union was still in touch with its members abroad as the movement tries to win support overseas."
    qs = spans(nlp, text)
    assert "the union was still in touch with its members abroad" in qs


def test_small_clause_ends_before_a_coordinated_verb_phrase(nlp):
    text = "The ministry has labelled the march an illegal gathering and undertaken a sweep against its organisers."
    qs = spans(nlp, text)
    assert "the march an illegal gathering" in qs
