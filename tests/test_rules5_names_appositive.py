"""rules-5 (H-attr2), the name after a described subject with the tagger: "A fisherman in Kampong
Chhnang, Sok Dara, 38, said" is Sok Dara’s report (frames.appositive_name_after); the parse's
subject is "A fisherman", which was proposed as written, and a later "he" found no antecedent.
Invented sentences; the trained pipeline (``trained_nlp``) and the blank one agree.
"""

from __future__ import annotations

import pytest

TEXT = "A fisherman in Kampong Chhnang, Sok Dara, 38, said the catch had fallen by half. “We are poor now,” he said."


@pytest.mark.parametrize("which", ["nlp", "trained_nlp"])
def test_the_name_after_a_described_subject(request, which):
    nlp = request.getfixturevalue(which)
    got = [(TEXT[q.speaker_start : q.speaker_end], q.speaker) for q in nlp(TEXT)._.quotes]
    assert got == [("Sok Dara", "Sok Dara"), ("he", "Sok Dara")]


@pytest.mark.parametrize("which", ["nlp", "trained_nlp"])
def test_a_description_without_a_name_stays(request, which):
    nlp = request.getfixturevalue(which)
    text = "The farmers in the village, many of them women, said the water had covered their fields."
    [q] = nlp(text)._.quotes
    assert text[q.speaker_start : q.speaker_end].startswith("The farmers")


def test_a_described_subject_with_a_capitalised_modifier_and_a_to_phrase(trained_nlp):
    text = "The EU ambassador to Cambodia, Carl Berg, said the bloc wanted to see concrete steps."
    [q] = trained_nlp(text)._.quotes
    assert (text[q.speaker_start : q.speaker_end], q.speaker) == ("Carl Berg", "Carl Berg")


def test_a_titled_name_with_an_age_is_kept_whole(trained_nlp):
    text = "Prime Minister Hun Sen, 70, said the vote would go ahead."
    [q] = trained_nlp(text)._.quotes
    assert (text[q.speaker_start : q.speaker_end], q.speaker) == ("Prime Minister Hun Sen", "Hun Sen")
