"""rules-5 (H-attr2), passives: a participle with a "by" agent is no postposed report: in "..., a measure
derided by critics as a tool to silence civil society" the measure is spoken of, not speaking
(frames.passive_by); the critics' judgement is still found. The subject of a passive speech verb
("the government had been warned that", "Villagers were told that") was spoken to, not speaking
(frames.passive_addressee). Invented sentences; blank pipeline.
"""

from __future__ import annotations


def test_a_passive_participle_after_a_comma_is_no_report(nlp):
    text = "The National Assembly passed a law regulating charities on Monday, a measure derided by critics as a tool to silence civil society."
    got = [(q.text, text[q.speaker_start : q.speaker_end] if q.speaker_start is not None else None) for q in nlp(text)._.quotes]
    assert ("The National Assembly passed a law regulating charities on Monday", "a measure") not in got
    assert all(mention != "a measure" for _, mention in got)


def test_an_active_report_after_a_comma_stays(nlp):
    text = "The law will silence civil society, critics said on Monday."
    [q] = nlp(text)._.quotes
    assert (q.text, text[q.speaker_start : q.speaker_end]) == ("The law will silence civil society", "critics")


def test_the_subject_of_a_passive_speech_verb_is_no_speaker(nlp):
    # "the government had been warned": the government was spoken to; only the outer report stays
    text = "Opposition leader Keo Vy said the government had been warned weeks ago and had done nothing to prepare."
    got = [(text[q.speaker_start : q.speaker_end], q.speaker) for q in nlp(text)._.quotes]
    assert got == [("Opposition leader Keo Vy", "Keo Vy")]
    assert nlp("Villagers were told that they must leave by Friday.")._.quotes == []


def test_an_active_speech_verb_and_the_impersonal_passive_stay(nlp):
    [q] = nlp("The government warned that the river would rise.")._.quotes
    assert q.speaker_start == 0
    [q] = nlp("It was announced that the border would close.")._.quotes
    assert (q.speaker, q.speaker_start) == (None, None)
