"""rules-5 (H-attr), quote spans on unseen text: a report ending in a quoted fragment stops before
the next sentence's quotation (`... “badge of loyalty”. “We ...`); a past perfect after the report
("... would defend it and had asked the UN ...") is backshifted, so reported, and stays in the
span, while a present perfect ("and has asked") is still the speaker's next verb phrase.
Invented sentences; blank pipeline.
"""

from __future__ import annotations


def spans(nlp, text):
    return [q.text for q in nlp(text)._.quotes]


def test_fragment_at_the_end_then_a_quotation(nlp):
    text = "Son Chhay said his party would not wear the ruling party’s “badge of loyalty”. “We serve our voters,” he said."
    assert spans(nlp, text) == ["his party would not wear the ruling party’s “badge of loyalty”", "We serve our voters,"]


def test_past_perfect_stays_in_the_report(nlp):
    text = "Hun Manet said Cambodia would defend its territory and had asked the United Nations to send observers."
    assert spans(nlp, text) == ["Cambodia would defend its territory and had asked the United Nations to send observers"]


def test_present_perfect_is_the_speakers_next_verb_phrase(nlp):
    text = "Hun Manet said Cambodia would defend its territory and has asked the United Nations to send observers."
    assert spans(nlp, text) == ["Cambodia would defend its territory"]
