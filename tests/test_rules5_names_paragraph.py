"""rules-5 (H-attr2), trained pipeline: a paragraph break is no part of a parse subject. When the
parser runs a closing quotation and the next paragraph's subject into one sentence, the
subject's left edge was the blank-line token, so '"..."\\n\\nKeo Vy, a ..., called' read as a
postposed attribution of the quotation before the break (frames._speaker_from_parse). Invented
sentences.
"""

from __future__ import annotations


def test_a_quotation_is_not_attributed_across_a_paragraph_break(trained_nlp):
    text = (
        "The court ruled that the party must be dissolved, judge Chan Dara said.\n\n"
        '"The party is dissolved because it plotted against the state," he said.\n\n'
        '"Its 40 senior officials are banned from politics for five years."\n\n'
        "Keo Vy, a deputy leader of the party who fled the country last month, called the ruling a farce."
    )
    doc = trained_nlp(text)
    second = [q for q in doc._.quotes if q.text.startswith("Its 40")]
    assert second and all(q.speaker != "Keo Vy" for q in second)
    assert all("\n" not in text[q.speaker_start : q.speaker_end] for q in doc._.quotes if q.speaker_start is not None)
