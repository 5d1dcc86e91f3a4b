"""rules-5 (H-attr2), a participle with a "by" agent is no postposed report: in "..., a measure
derided by critics as a tool to silence civil society" the measure is spoken of, not speaking
(frames.passive_by); the critics' judgement is still found. Invented sentences; blank pipeline.
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
