"""rules-6 (H-attr6), speakers on unseen text. Invented sentences; blank pipeline (``nlp``).

A line with no final period (a "See also:" line, a heading) ends its sentence, so the subject
of the next paragraph's first sentence is an antecedent for a later "he".
"""

from __future__ import annotations


def speakers(nlp, text):
    return [(q.text, q.speaker) for q in nlp(text)._.quotes]


def test_line_without_period_is_its_own_sentence(nlp):
    text = (
        "“We will win,” Hun Sen said.\n\nSee also: Opposition plans rally in Takeo (2013)\n\n"
        "Information Minister Khieu Kanharith rejected the plan. “It is illegal,” he said."
    )
    assert speakers(nlp, text) == [("We will win,", "Hun Sen"), ("It is illegal,", "Khieu Kanharith")]
